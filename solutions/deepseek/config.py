"""Day 29 — deepseek/config: reference solution."""

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


def _swiglu_parameters(hidden: int, intermediate: int) -> int:
    """gate_proj and up_proj (intermediate, hidden), down_proj (hidden, intermediate)."""
    return 3 * hidden * intermediate


def _attention_parameters(c: DeepSeekConfig) -> int:
    """One MLA block: query path, joint KV down-projection, KV up-projection, output."""
    n, h = c.num_attention_heads, c.hidden_size
    d_qk = c.qk_nope_head_dim + c.qk_rope_head_dim
    if not c.q_lora_rank:  # None or 0: no query compression
        query = h * n * d_qk                                           # q_proj
    else:
        query = (h * c.q_lora_rank + c.q_lora_rank                      # q_a_proj, q_a_layernorm
                 + c.q_lora_rank * n * d_qk)                          # q_b_proj
    kv = (h * (c.kv_lora_rank + c.qk_rope_head_dim) + c.kv_lora_rank   # kv_a_proj_with_mqa, norm
          + c.kv_lora_rank * n * (c.qk_nope_head_dim + c.v_head_dim))   # kv_b_proj
    out = n * c.v_head_dim * h                                          # o_proj
    return query + kv + out


def count_parameters(config: DeepSeekConfig) -> tuple[int, int]:
    """(total, activated) parameters of the model `config` describes, in closed form."""
    c = config
    h = c.hidden_size
    embedding = c.vocab_size * h
    head = 0 if c.tie_word_embeddings else c.vocab_size * h
    final_norm = h

    n_dense = min(c.first_k_dense_replace, c.num_hidden_layers)
    n_moe = c.num_hidden_layers - n_dense
    per_layer = _attention_parameters(c) + 2 * h                        # + the two RMSNorms
    dense_mlp = _swiglu_parameters(h, c.intermediate_size)
    expert = _swiglu_parameters(h, c.moe_intermediate_size)
    gate = c.n_routed_experts * h                                       # the bias is a buffer
    shared = c.n_shared_experts * expert
    moe_total = gate + shared + c.n_routed_experts * expert
    moe_active = gate + shared + c.num_experts_per_tok * expert

    body = c.num_hidden_layers * per_layer + n_dense * dense_mlp + final_norm
    total = embedding + head + body + n_moe * moe_total
    # Activated: the embedding lookup computes nothing (a tied matrix still works as the head).
    head_active = c.vocab_size * h
    activated = head_active + body + n_moe * moe_active
    return total, activated
