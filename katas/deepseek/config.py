"""Day 29 — deepseek/config: the DeepSeek config and its parameter counts.

DeepSeekConfig (given below, a frozen dataclass; its field names are those of DeepSeek's
published config.json files) describes a DeepSeek-V2/V3 decoder. DEEPSEEK_V2 and DEEPSEEK_V3
are the published DeepSeek-V2 (236B) and DeepSeek-V3 (671B) configs, TINY a small V3-style
one for tests (dataclasses.replace(TINY, n_shared_experts=2) varies a field).

The model a config describes (DeepSeek's checkpoint names; H = hidden_size, n =
num_attention_heads, d_qk = qk_nope_head_dim + qk_rope_head_dim; every projection is a
Linear WITHOUT bias, stored (out, in) like nn.Linear; every norm is an RMSNorm whose only
parameter is a weight of its size):

    model.embed_tokens                       (vocab_size, H)
    model.layers.{i}, i = 0 .. num_hidden_layers - 1:
        input_layernorm                      (H,)
        self_attn (multi-head latent attention):
            q_lora_rank None or 0: q_proj        (n * d_qk, H)   (0 means no query compression
                                                    too, as in mla/components: no empty q_a_proj)
            otherwise:            q_a_proj       (q_lora_rank, H)
                                  q_a_layernorm  (q_lora_rank,)
                                  q_b_proj       (n * d_qk, q_lora_rank)
            kv_a_proj_with_mqa                   (kv_lora_rank + qk_rope_head_dim, H)
            kv_a_layernorm                       (kv_lora_rank,)
            kv_b_proj                            (n * (qk_nope_head_dim + v_head_dim), kv_lora_rank)
            o_proj                               (H, n * v_head_dim)
        post_attention_layernorm             (H,)
        mlp, layers i < first_k_dense_replace: a dense SwiGLU MLP of width intermediate_size:
            gate_proj (I, H), up_proj (I, H), down_proj (H, I)
        mlp, layers i >= first_k_dense_replace: a mixture of experts (MoE):
            gate.weight                      (n_routed_experts, H)
            gate.e_score_correction_bias     (n_routed_experts,), only when topk_method is
                                             "noaux_tc" (V3). A BUFFER, not a parameter: it is
                                             set by a balancing rule, not by gradients. Not counted.
            experts.{j}, j < n_routed_experts: SwiGLU MLPs of width moe_intermediate_size
            shared_experts                   ONE SwiGLU MLP of width
                                             n_shared_experts * moe_intermediate_size
                                             (the shared experts fused; absent when 0)
    model.norm                               (H,)
    lm_head                                  (vocab_size, H): its own matrix. DeepSeek does not
                                             tie it to embed_tokens (tie_word_embeddings=False);
                                             if a config ties them, the matrix counts once.

Write:
    count_parameters(config) -> (total, activated): two Python ints, in closed form, from the
        config's numbers alone (arithmetic: build no module, allocate no tensor: no torch op runs).
        total: every parameter of the model above. The multi-token-prediction (MTP) module
            (num_nextn_predict_layers, 1 in V3) is NOT counted: DeepSeek's 671B excludes it
            (685B on disk with it).
        activated: the parameters that one token's forward pass computes with, that is total
            minus
            - the routed experts the token is not sent to: in each MoE layer only
              num_experts_per_tok of the n_routed_experts count (the shared experts and the
              gate always work, so they count);
            - the input embedding table (a lookup reads one row; it computes nothing). The
              lm_head does count: it is a matrix multiply. With tied embeddings the one
              shared matrix is the lm_head too, so it stays in activated (once).
            DeepSeek's published figures fit this convention: about 20.9B for V2 (published
            "21B") and 36.6B for V3 (published "37B"; README_WEIGHTS.md says 36.7B). With the
            embedding table counted too they would be 21.4B and 37.6B (which rounds to 38B).
        Checked: exactly, against models built from nn.Linear / nn.Embedding / nn.RMSNorm on
        the meta device for tiny configs; and against the published figures, which are whole
        billions: DeepSeek-V2 must round to 236B total / 21B activated, DeepSeek-V3 to 671B /
        37B (|count - published| < 0.5e9).

Off limits: building modules inside count_parameters (nn.Module construction is caught): it is
a formula on the config's numbers.
Conventions: the config is not modified. Fields of DeepSeek's config.json that change nothing
here are left out: moe_layer_freq (1 in every published config: every layer from
first_k_dense_replace on is an MoE layer), num_key_value_heads (= num_attention_heads in MLA),
hidden_act ("silu"), attention_bias (False), ep_size, pretraining_tp.
Run: pytest katas/deepseek/config.py
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DeepSeekConfig:
    # sizes
    vocab_size: int = 129280
    hidden_size: int = 7168
    intermediate_size: int = 18432        # the dense MLP of the first layers
    moe_intermediate_size: int = 2048     # one expert (routed or shared)
    num_hidden_layers: int = 61
    num_nextn_predict_layers: int = 1     # multi-token-prediction modules (V3 ships 1): never counted
    first_k_dense_replace: int = 3        # layers 0 .. k-1 use the dense MLP, the rest MoE
    # multi-head latent attention (query/key width per head: qk_nope_head_dim + qk_rope_head_dim)
    num_attention_heads: int = 128
    q_lora_rank: int | None = 1536        # None or 0: no query compression (a plain q_proj)
    kv_lora_rank: int = 512
    qk_nope_head_dim: int = 128
    qk_rope_head_dim: int = 64
    v_head_dim: int = 128
    # mixture of experts
    n_routed_experts: int = 256
    n_shared_experts: int = 1
    num_experts_per_tok: int = 8          # routed experts per token (k)
    scoring_func: str = "sigmoid"         # "softmax" (V2) or "sigmoid" (V3)
    topk_method: str = "noaux_tc"         # "greedy", "group_limited_greedy" (V2), "noaux_tc" (V3)
    n_group: int = 8                      # expert groups (the experts of one group share a device)
    topk_group: int = 4                   # groups a token may use
    norm_topk_prob: bool = True           # renormalise the k selected weights to sum 1
    routed_scaling_factor: float = 2.5    # multiplies the routed weights
    aux_loss_alpha: float = 0.001         # weight of the expert-level balance loss
    # positions, norms, vocabulary
    max_position_embeddings: int = 163840
    rope_theta: float = 10000.0
    rope_scaling: dict | None = field(default_factory=lambda: dict(
        type="yarn", factor=40, original_max_position_embeddings=4096, beta_fast=32,
        beta_slow=1, mscale=1.0, mscale_all_dim=1.0))
    rms_norm_eps: float = 1e-6
    initializer_range: float = 0.02
    tie_word_embeddings: bool = False
    bos_token_id: int = 0
    eos_token_id: int = 1


# DeepSeek-V3 (671B total, 37B activated): its config.json (the defaults above).
DEEPSEEK_V3 = DeepSeekConfig()

# DeepSeek-V2 (236B total, 21B activated): its config.json.
DEEPSEEK_V2 = DeepSeekConfig(
    vocab_size=102400, hidden_size=5120, intermediate_size=12288, moe_intermediate_size=1536,
    num_hidden_layers=60, num_nextn_predict_layers=0, first_k_dense_replace=1,
    num_attention_heads=128, q_lora_rank=1536, kv_lora_rank=512, qk_nope_head_dim=128,
    qk_rope_head_dim=64, v_head_dim=128, n_routed_experts=160, n_shared_experts=2,
    num_experts_per_tok=6, scoring_func="softmax", topk_method="group_limited_greedy",
    n_group=8, topk_group=3, norm_topk_prob=False, routed_scaling_factor=16.0,
    aux_loss_alpha=0.001, max_position_embeddings=163840, rope_theta=10000.0,
    rope_scaling=dict(type="yarn", factor=40, original_max_position_embeddings=4096,
                      beta_fast=32, beta_slow=1, mscale=0.707, mscale_all_dim=0.707),
    rms_norm_eps=1e-6, tie_word_embeddings=False, bos_token_id=100000, eos_token_id=100001)

# A small V3-style config for tests: 3 layers (the first dense), 8 routed experts in 4 groups
# (2 kept), k = 2, one shared expert. Vary it with dataclasses.replace(TINY, field=value).
TINY = DeepSeekConfig(
    vocab_size=97, hidden_size=32, intermediate_size=64, moe_intermediate_size=16,
    num_hidden_layers=3, num_nextn_predict_layers=0, first_k_dense_replace=1,
    num_attention_heads=4, q_lora_rank=24, kv_lora_rank=16, qk_nope_head_dim=8,
    qk_rope_head_dim=4, v_head_dim=8, n_routed_experts=8, n_shared_experts=1,
    num_experts_per_tok=2, scoring_func="sigmoid", topk_method="noaux_tc", n_group=4,
    topk_group=2, norm_topk_prob=True, routed_scaling_factor=2.5, max_position_embeddings=256,
    rope_scaling=None, bos_token_id=0, eos_token_id=1)


def count_parameters(config: DeepSeekConfig) -> tuple[int, int]:
    """(total, activated) parameters of the model `config` describes, in closed form."""
    raise NotImplementedError
