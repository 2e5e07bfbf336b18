"""Golden fixtures for specs/deepseek/test_block.py and test_model.py, from Hugging Face
transformers' DeepSeek-V3 and DeepSeek-V2 models.

    pip install -e ".[fixtures]"              # transformers==4.57.6, a dev-only extra
    python scripts/make_deepseek_fixtures.py  # writes specs/deepseek/fixtures/deepseek_tiny.pt

Builds transformers' DeepseekV3ForCausalLM (and DeepseekV2ForCausalLM), eager attention, no
rope scaling, for tiny configs whose sizes all differ (vocab 97, hidden 48, dense MLP 64,
4 heads, query latent 40 or none, KV latent 24, nope 12, rope 8, value 10, 3 layers of which
the first is dense, 8 routed experts of width 16 in 4 groups, 2 groups and 2 experts per
token, 1 shared expert), so that a transposed or mis-split weight cannot hide behind equal
sizes. Every weight is seeded random, RMSNorm scales included (1 + 0.3 noise), and so is V3's
e_score_correction_bias (0.6 noise - 0.4: mostly negative entries, so dropped groups must be
masked with -inf, not 0). Configs:

    v3            DeepSeek-V3 routing: sigmoid scores, selection-only bias, group score = sum
                  of the group's top two, top-k renormalised, x routed_scaling_factor 2.5
    v3_no_q_lora  the same with q_lora_rank None (a plain q_proj) and rope_theta 1000
    v2            DeepSeek-V2 routing (DeepseekV2ForCausalLM): softmax over all experts, group
                  score = the group's max, no renormalisation, x routed_scaling_factor 16;
                  no correction bias

All three share every weight that their shapes allow (the .pt stores each distinct tensor
once, in float16: the weights ARE float16 values, upcast to float32 for the reference, so
nothing is lost), and record, computed in float64 from those weights:

    configs[name]      the kata's DeepSeekConfig fields
    state_dicts[name]  HF's state_dict names, which the katas keep (model.embed_tokens,
                       model.layers.{i}.{input_layernorm, self_attn.*, post_attention_layernorm,
                       mlp.*}, model.norm, lm_head), float16 (call .float())
    logits[name]       [{input_ids (B, T) int64, logits (B, T, vocab) float32}]
    greedy[name]       [{prompt (B, T0) int64, tokens (B, T0 + n) int64}]: greedy decoding by
                       full forwards (argmax of the last position, no cache), equal to HF's
                       generate(do_sample=False) with its own cache
    layers[name]       {x (B, T, hidden) float32, start_pos, out: {layer_idx: (B, T, hidden)}}:
                       HF's decoder layers 0 (dense) and 1 (MoE), each applied to x at positions
                       start_pos .. start_pos + T - 1, causal among x's tokens

Margins: inputs are drawn until every routing decision on the way (top-k groups and top-k
experts, in every MoE layer, for every recorded forward and every greedy step) wins by at least
MIN_ROUTE_MARGIN and every greedy step's top logit beats the runner-up by MIN_LOGIT_MARGIN, so
float32 rounding in another correct implementation cannot flip a discrete choice.

Conventions checked here (see also scripts/make_mla_fixtures.py):
- RoPE. DeepSeek rotates INTERLEAVED channel pairs (2i, 2i+1). transformers 4.57.6's
  DeepseekV3Attention with rope_interleave=True (its default, set explicitly) permutes q's and
  k's rope channels to [0, 2, 4, ..., 1, 3, 5, ...] and applies rotate-half: the same rotation,
  and since q and k get the same permutation, the same attention output. DeepseekV2Attention
  rotates the interleaved pairs as complex numbers. (rope_interleave=False would be rotate-half
  on the raw channels: not DeepSeek's convention.)
- V3 routing. transformers 4.57.6's DeepseekV3TopkRouter fills the experts of dropped groups
  with 0.0 before the top-k; DeepSeek's inference code (inference/model.py, Gate) fills them
  with -inf. With a negative correction bias a kept expert's biased score can be below 0, and
  then 0.0 picks an expert of a dropped group. The script patches get_topk_indices to -inf
  (DeepSeek's convention, the one the katas teach), and draws the first V3 logits case until
  at least one of its routing decisions differs between the two fills (so the fixture tells
  them apart). V2's softmax scores are positive, so its 0.0 fill is harmless.
- HF computes RMSNorm, the eager softmax and the router in float32 even in a float64 model:
  recorded values are accurate to about 1e-6, not to float64 precision. (HF's
  DeepseekV3MoE.moe fails in a float64 model, accumulating float64 expert outputs into the
  router's float32: the script casts the routing weights to the hidden dtype first.)
- HF's attention layernorms use eps 1e-6 whatever config.rms_norm_eps is; the configs use 1e-6.

The specs only load this file (torch.load(weights_only=True)); they never import transformers.
HF's attention caches full per-head K/V (not the latent): a value oracle only.
"""

from __future__ import annotations

from pathlib import Path

import torch
import transformers
from transformers import DeepseekV2Config, DeepseekV2ForCausalLM, DeepseekV3Config, DeepseekV3ForCausalLM
from transformers.models.deepseek_v3.modeling_deepseek_v3 import DeepseekV3MoE, DeepseekV3TopkRouter

from fixture_packing import pack_state_dicts  # scripts/ is on sys.path when run as a script

OUT = Path(__file__).resolve().parents[1] / "specs" / "deepseek" / "fixtures" / "deepseek_tiny.pt"
MIN_ROUTE_MARGIN = 1e-3
MIN_LOGIT_MARGIN = 1e-2

BASE = dict(vocab_size=97, hidden_size=48, intermediate_size=64, moe_intermediate_size=16,
            num_hidden_layers=3, num_nextn_predict_layers=0, first_k_dense_replace=1,
            num_attention_heads=4, q_lora_rank=40, kv_lora_rank=24, qk_nope_head_dim=12,
            qk_rope_head_dim=8, v_head_dim=10, n_routed_experts=8, n_shared_experts=1,
            num_experts_per_tok=2, scoring_func="sigmoid", topk_method="noaux_tc", n_group=4,
            topk_group=2, norm_topk_prob=True, routed_scaling_factor=2.5,
            max_position_embeddings=64, rope_theta=10000.0, rope_scaling=None, rms_norm_eps=1e-6,
            tie_word_embeddings=False, bos_token_id=0, eos_token_id=1)
CONFIGS = {
    "v3": dict(BASE),
    "v3_no_q_lora": dict(BASE, q_lora_rank=None, rope_theta=1000.0),
    "v2": dict(BASE, scoring_func="softmax", topk_method="group_limited_greedy", norm_topk_prob=False,
               routed_scaling_factor=16.0),
}
LOGIT_CASES = {"v3": [(2, 12), (1, 1)], "v3_no_q_lora": [(1, 12)], "v2": [(2, 12)]}
GREEDY = (2, 5, 7)         # batch, prompt length, new tokens
LAYER_CASE = (2, 6, 3)     # batch, tokens, start_pos
LAYER_CONFIGS = ("v3", "v2")


# ------------------------------------------------------------------------ the reference models

def deepseek_topk_indices(self, scores):
    """DeepseekV3TopkRouter.get_topk_indices with DeepSeek's -inf for the dropped groups."""
    choice = scores.view(-1, self.n_routed_experts) + self.e_score_correction_bias.unsqueeze(0)
    grouped = choice.view(-1, self.n_group, self.n_routed_experts // self.n_group)
    group_scores = grouped.topk(2, dim=-1)[0].sum(dim=-1)
    keep = torch.topk(group_scores, k=self.topk_group, dim=-1, sorted=False)[1]
    dropped = torch.ones_like(group_scores, dtype=torch.bool).scatter(1, keep, False)
    choice = grouped.masked_fill(dropped.unsqueeze(-1), float("-inf")).flatten(1)
    return torch.topk(choice, k=self.top_k, dim=-1, sorted=False)[1]


DeepseekV3TopkRouter.get_topk_indices = deepseek_topk_indices
_hf_moe = DeepseekV3MoE.moe


def moe_any_dtype(self, hidden_states, topk_indices, topk_weights):
    """HF's DeepseekV3MoE.moe accumulates in the router's float32 and fails in a float64 model
    (index_add_ of float64 expert outputs into float32); accumulate in the hidden dtype."""
    return _hf_moe(self, hidden_states, topk_indices, topk_weights.to(hidden_states.dtype))


DeepseekV3MoE.moe = moe_any_dtype


def hf_model(cfg: dict):
    common = dict(
        vocab_size=cfg["vocab_size"], hidden_size=cfg["hidden_size"],
        intermediate_size=cfg["intermediate_size"], moe_intermediate_size=cfg["moe_intermediate_size"],
        num_hidden_layers=cfg["num_hidden_layers"], first_k_dense_replace=cfg["first_k_dense_replace"],
        num_attention_heads=cfg["num_attention_heads"], num_key_value_heads=cfg["num_attention_heads"],
        q_lora_rank=cfg["q_lora_rank"], kv_lora_rank=cfg["kv_lora_rank"],
        qk_nope_head_dim=cfg["qk_nope_head_dim"], qk_rope_head_dim=cfg["qk_rope_head_dim"],
        v_head_dim=cfg["v_head_dim"], n_routed_experts=cfg["n_routed_experts"],
        n_shared_experts=cfg["n_shared_experts"], num_experts_per_tok=cfg["num_experts_per_tok"],
        n_group=cfg["n_group"], topk_group=cfg["topk_group"], norm_topk_prob=cfg["norm_topk_prob"],
        routed_scaling_factor=cfg["routed_scaling_factor"],
        max_position_embeddings=cfg["max_position_embeddings"], rope_theta=cfg["rope_theta"],
        rope_scaling=None, rms_norm_eps=cfg["rms_norm_eps"], tie_word_embeddings=False,
        attention_bias=False, attention_dropout=0.0, hidden_act="silu", pad_token_id=None,
        bos_token_id=cfg["bos_token_id"], eos_token_id=cfg["eos_token_id"],
        attn_implementation="eager")
    if cfg["scoring_func"] == "sigmoid":
        assert cfg["topk_method"] == "noaux_tc"
        config = DeepseekV3Config(rope_interleave=True, **common)
        cls = DeepseekV3ForCausalLM
    else:
        assert cfg["topk_method"] == "group_limited_greedy" and not cfg["norm_topk_prob"]
        config = DeepseekV2Config(topk_method="group_limited_greedy", mlp_bias=False, **common)
        cls = DeepseekV2ForCausalLM
    config._attn_implementation = "eager"
    model = cls(config).eval()
    return model


def random_weights(model, gen: torch.Generator) -> dict[str, torch.Tensor]:
    """Seeded random values for every entry of model's state_dict, rounded to float16."""
    out = {}
    for name, t in model.state_dict().items():
        noise = torch.randn(t.shape, generator=gen)
        if name.endswith("norm.weight"):                      # every RMSNorm scale
            value = 1.0 + 0.3 * noise
        elif name.endswith("e_score_correction_bias"):
            value = 0.6 * noise - 0.4  # mostly negative: kept experts can score below 0
        elif name.endswith("embed_tokens.weight"):
            value = noise
        elif name.endswith("mlp.gate.weight"):                # router: spread the scores
            value = 2.0 * noise / t.shape[1] ** 0.5
        else:                                                 # Linear (out, in)
            value = noise / t.shape[1] ** 0.5
        out[name] = value.half()
    return out


def load(model, weights: dict[str, torch.Tensor]):
    model.load_state_dict({k: v.float() for k, v in weights.items()}, strict=True)
    return model.double()


# ------------------------------------------------------------------------ margins

class RouteMonitor:
    """Records the smallest routing margin over every MoE gate call (forward pre-hooks)."""

    def __init__(self, model, cfg: dict):
        self.cfg, self.margin, self.changed_by_zero_fill, self.decisions = cfg, float("inf"), 0, 0
        self.handles = [layer.mlp.gate.register_forward_pre_hook(self.hook)
                        for layer in model.model.layers if hasattr(layer.mlp, "gate")]
        self.gates = {id(layer.mlp.gate): layer.mlp.gate for layer in model.model.layers
                      if hasattr(layer.mlp, "gate")}

    def hook(self, gate, args):
        c = self.cfg
        x = args[0].reshape(-1, c["hidden_size"])
        logits = (x.float() @ gate.weight.float().T).double()
        if c["scoring_func"] == "sigmoid":
            scores = logits.sigmoid()
            choice = scores + gate.e_score_correction_bias.double()
        else:
            scores = logits.softmax(-1)
            choice = scores
        E, G, k = c["n_routed_experts"], c["n_group"], c["num_experts_per_tok"]
        grouped = choice.view(len(x), G, E // G)
        if c["topk_method"] == "noaux_tc":
            group_scores = grouped.topk(2, dim=-1).values.sum(-1)
        else:
            group_scores = grouped.amax(-1)
        sorted_groups = group_scores.sort(dim=-1, descending=True).values
        self.margin = min(self.margin, float((sorted_groups[:, c["topk_group"] - 1]
                                              - sorted_groups[:, c["topk_group"]]).min()))
        keep = group_scores.topk(c["topk_group"], dim=-1).indices
        dropped = torch.ones_like(group_scores, dtype=torch.bool).scatter(1, keep, False)
        masked = grouped.masked_fill(dropped[..., None], float("-inf")).flatten(1)
        top = masked.sort(dim=-1, descending=True).values
        self.margin = min(self.margin, float((top[:, k - 1] - top[:, k]).min()))
        with_zero = grouped.masked_fill(dropped[..., None], 0.0).flatten(1)
        same = (with_zero.topk(k).indices.sort(-1).values == masked.topk(k).indices.sort(-1).values).all(-1)
        self.changed_by_zero_fill += int((~same).sum())
        self.decisions += len(x)

    def close(self):
        for h in self.handles:
            h.remove()


def greedy(model, prompt: torch.Tensor, steps: int) -> tuple[torch.Tensor, float]:
    """Greedy decoding by full forwards (no cache); the smallest top-1 minus top-2 logit gap."""
    seq, gap = prompt, float("inf")
    for _ in range(steps):
        logits = model(seq, use_cache=False).logits[:, -1]
        top2 = logits.topk(2, dim=-1).values
        gap = min(gap, float((top2[:, 0] - top2[:, 1]).min()))
        seq = torch.cat([seq, logits.argmax(-1, keepdim=True)], dim=1)
    return seq, gap


def causal_mask(B: int, T: int) -> torch.Tensor:
    return torch.full((T, T), float("-inf"), dtype=torch.float64).triu(1).expand(B, 1, T, T)


def rotary(model, x: torch.Tensor, positions: torch.Tensor):
    """Position embeddings as HF's model computes them (V3: (cos, sin); V2: complex freqs)."""
    return model.model.rotary_emb(x, positions[None].expand(x.shape[0], -1))


# ------------------------------------------------------------------------ main

def main() -> None:
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(2024)
    models, weights = {}, {}
    # v3 first: the others reuse its tensors wherever the names and shapes agree
    for name, cfg in CONFIGS.items():
        model = hf_model(cfg)
        fresh = random_weights(model, gen)
        if "v3" in weights:
            fresh = {k: (weights["v3"][k] if k in weights["v3"] and weights["v3"][k].shape == v.shape else v)
                     for k, v in fresh.items()}
        weights[name] = fresh
        models[name] = load(model, fresh)
        bias = [v for k, v in fresh.items() if k.endswith("e_score_correction_bias")]
        assert not bias or all((b < 0).any() and (b > 0).any() for b in bias)

    fixture = {"source": f"transformers {transformers.__version__} DeepseekV3ForCausalLM (rope_interleave=True, "
                         "dropped groups -inf) and DeepseekV2ForCausalLM, eager; scripts/make_deepseek_fixtures.py",
               "configs": {}, "state_dicts": {}, "logits": {}, "greedy": {}, "layers": {}}
    inputs = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for name, cfg in CONFIGS.items():
            model = models[name]
            monitor = RouteMonitor(model, cfg)
            fixture["configs"][name] = dict(cfg)
            fixture["logits"][name] = []
            for B, T in LOGIT_CASES[name]:
                # the first V3 case must also contain a decision that HF's 0.0 fill gets wrong
                need_zero_fill_case = name == "v3" and not fixture["logits"][name]
                for attempt in range(200):
                    monitor.margin, monitor.changed_by_zero_fill = float("inf"), 0
                    ids = torch.randint(0, cfg["vocab_size"], (B, T), generator=inputs)
                    logits = model(ids, use_cache=False).logits
                    if monitor.margin > MIN_ROUTE_MARGIN and (
                            monitor.changed_by_zero_fill > 0 or not need_zero_fill_case):
                        break
                else:
                    raise RuntimeError(f"{name}: no input with clear routing margins")
                fixture["logits"][name].append({"input_ids": ids, "logits": logits.float()})
                print(f"{name} logits {B}x{T}: route margin {monitor.margin:.2e}, "
                      f"{monitor.changed_by_zero_fill} decisions differ with a 0.0 fill (attempt {attempt})")

            B, T0, n = GREEDY
            for attempt in range(200):
                monitor.margin = float("inf")
                prompt = torch.randint(0, cfg["vocab_size"], (B, T0), generator=inputs)
                tokens, gap = greedy(model, prompt, n)
                if monitor.margin > MIN_ROUTE_MARGIN and gap > MIN_LOGIT_MARGIN:
                    break
            else:
                raise RuntimeError(f"{name}: no prompt with clear greedy margins")
            # an explicit all-ones mask: else generate treats token pad_token_id in a prompt as padding
            hf_tokens = model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=n,
                                       do_sample=False, use_cache=True, pad_token_id=0, eos_token_id=None)
            assert torch.equal(hf_tokens, tokens), (hf_tokens, tokens)
            fixture["greedy"][name] = [{"prompt": prompt, "tokens": tokens}]
            print(f"{name} greedy: route margin {monitor.margin:.2e}, logit gap {gap:.2e} (attempt {attempt})")

            if name in LAYER_CONFIGS:
                B, T, start_pos = LAYER_CASE
                positions = torch.arange(start_pos, start_pos + T)
                for attempt in range(200):
                    monitor.margin = float("inf")
                    x = torch.randn(B, T, cfg["hidden_size"], generator=inputs)
                    pe = rotary(model, x.double(), positions)
                    outs = {i: model.model.layers[i](x.double(), attention_mask=causal_mask(B, T),
                                                     position_ids=positions[None].expand(B, -1),
                                                     position_embeddings=pe).float()
                            for i in (0, 1)}
                    if monitor.margin > MIN_ROUTE_MARGIN:
                        break
                else:
                    raise RuntimeError(f"{name}: no layer input with clear routing margins")
                fixture["layers"][name] = {"x": x, "start_pos": start_pos, "out": outs}
                print(f"{name} layers: route margin {monitor.margin:.2e} (attempt {attempt})")
            monitor.close()

    # one float16 buffer holding every distinct tensor once; the state dicts are views into it
    fixture["state_dicts"], n_weights = pack_state_dicts(weights)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    torch.save(fixture, OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB; {n_weights} float16 weights)")


if __name__ == "__main__":
    main()
