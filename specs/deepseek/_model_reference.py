"""An independent float64 DeepSeek decoder, shared by specs/deepseek/test_block.py and
test_model.py. Not a spec file (no tests here).

Written from DeepSeek-V2/V3's equations and DeepSeek-V3's inference code with different
bookkeeping from the reference solution: plain functions over a dict of weights named as in
DeepSeek's (Hugging Face's) checkpoints, F.linear everywhere, RoPE as complex multiplication
of the channel pairs (2i, 2i+1), naive attention over decompressed per-head keys and values,
and a Python loop over tokens for the mixture of experts (one token at a time: no batching
to get wrong). Routing follows DeepSeek: router logits in float32; V3 ("noaux_tc"): sigmoid,
bias for the choice only, group score = sum of the group's top two, dropped groups -inf,
top-k renormalised; V2 ("group_limited_greedy"): softmax over all experts, group score = max,
no renormalisation; both times routed_scaling_factor. Also the fixture loader and the
expected state_dict layout.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

FIXTURE_PATH = Path(__file__).parent / "fixtures" / "deepseek_tiny.pt"


def load_fixture() -> dict:
    """scripts/make_deepseek_fixtures.py's output; state dicts upcast to float32."""
    fixture = torch.load(FIXTURE_PATH, weights_only=True)
    fixture["state_dicts"] = {name: {k: v.float() for k, v in sd.items()}
                              for name, sd in fixture["state_dicts"].items()}
    return fixture


# ------------------------------------------------------------------------ expected layout

def _mlp_shapes(prefix: str, hidden: int, width: int) -> dict:
    return {f"{prefix}gate_proj.weight": (width, hidden), f"{prefix}up_proj.weight": (width, hidden),
            f"{prefix}down_proj.weight": (hidden, width)}


def layer_shapes(c, layer_idx: int, prefix: str = "") -> dict[str, tuple[int, ...]]:
    """The state_dict of one decoder layer (HF's DeepseekV3DecoderLayer names): key -> shape."""
    H, n = c.hidden_size, c.num_attention_heads
    qk = c.qk_nope_head_dim + c.qk_rope_head_dim
    s = {f"{prefix}input_layernorm.weight": (H,), f"{prefix}post_attention_layernorm.weight": (H,)}
    a = f"{prefix}self_attn."
    if c.q_lora_rank:
        s.update({f"{a}q_a_proj.weight": (c.q_lora_rank, H), f"{a}q_a_layernorm.weight": (c.q_lora_rank,),
                  f"{a}q_b_proj.weight": (n * qk, c.q_lora_rank)})
    else:
        s[f"{a}q_proj.weight"] = (n * qk, H)
    s.update({f"{a}kv_a_proj_with_mqa.weight": (c.kv_lora_rank + c.qk_rope_head_dim, H),
              f"{a}kv_a_layernorm.weight": (c.kv_lora_rank,),
              f"{a}kv_b_proj.weight": (n * (c.qk_nope_head_dim + c.v_head_dim), c.kv_lora_rank),
              f"{a}o_proj.weight": (H, n * c.v_head_dim)})
    m = f"{prefix}mlp."
    if is_dense(c, layer_idx):
        s.update(_mlp_shapes(m, H, c.intermediate_size))
    else:
        s[f"{m}gate.weight"] = (c.n_routed_experts, H)
        if c.topk_method == "noaux_tc":
            s[f"{m}gate.e_score_correction_bias"] = (c.n_routed_experts,)
        for j in range(c.n_routed_experts):
            s.update(_mlp_shapes(f"{m}experts.{j}.", H, c.moe_intermediate_size))
        if c.n_shared_experts:
            s.update(_mlp_shapes(f"{m}shared_experts.", H, c.n_shared_experts * c.moe_intermediate_size))
    return s


def model_shapes(c) -> dict[str, tuple[int, ...]]:
    """The state_dict of DeepSeekForCausalLM: key -> shape."""
    s = {"model.embed_tokens.weight": (c.vocab_size, c.hidden_size)}
    for i in range(c.num_hidden_layers):
        s.update(layer_shapes(c, i, prefix=f"model.layers.{i}."))
    s["model.norm.weight"] = (c.hidden_size,)
    s["lm_head.weight"] = (c.vocab_size, c.hidden_size)
    return s


def is_dense(c, layer_idx: int) -> bool:
    """DeepSeek: the first first_k_dense_replace layers keep a dense MLP."""
    return layer_idx < c.first_k_dense_replace


def random_weights(shapes: dict, seed: int, dtype=torch.float64) -> dict[str, torch.Tensor]:
    """Seeded values for every key: RMSNorm scales 1 + 0.3 noise, the correction bias mostly
    negative, the router spread out, Linear weights noise / sqrt(fan_in)."""
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for name, shape in shapes.items():
        noise = torch.randn(shape, generator=gen, dtype=torch.float64)
        if name.endswith("norm.weight"):
            value = 1.0 + 0.3 * noise
        elif name.endswith("e_score_correction_bias"):
            value = 0.6 * noise - 0.4
        elif name.endswith("embed_tokens.weight"):
            value = noise
        elif name.endswith("mlp.gate.weight"):
            value = 2.0 * noise / shape[1] ** 0.5
        else:
            value = noise / shape[1] ** 0.5
        out[name] = value.to(dtype)
    return out


# ------------------------------------------------------------------------ the pieces

def rms(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x, positions, theta):
    """Pairs (2i, 2i+1) as complex numbers times e^{i p theta^(-2i/d)}."""
    d = x.shape[-1]
    w = torch.pow(torch.tensor(theta, dtype=torch.float64), -torch.arange(0, d, 2, dtype=torch.float64) / d)
    rot = torch.polar(torch.ones((), dtype=torch.float64), positions.double()[:, None] * w)   # (T, d/2)
    z = torch.view_as_complex(x.double().reshape(*x.shape[:-1], d // 2, 2).contiguous())
    return torch.view_as_real(z * rot).flatten(-2).to(x.dtype)


def swiglu(sd, p, x):
    return F.linear(F.silu(F.linear(x, sd[p + "gate_proj.weight"])) * F.linear(x, sd[p + "up_proj.weight"]),
                    sd[p + "down_proj.weight"])


def attention(sd, p, c, x, positions):
    """Naive MLA over x's tokens at `positions`, causal; x (B, T, H)."""
    B, T, _ = x.shape
    n, nope, rd, vd, r = (c.num_attention_heads, c.qk_nope_head_dim, c.qk_rope_head_dim, c.v_head_dim,
                          c.kv_lora_rank)
    eps = c.rms_norm_eps
    if c.q_lora_rank:
        q = F.linear(rms(F.linear(x, sd[p + "q_a_proj.weight"]), sd[p + "q_a_layernorm.weight"], eps),
                     sd[p + "q_b_proj.weight"])
    else:
        q = F.linear(x, sd[p + "q_proj.weight"])
    q = q.reshape(B, T, n, nope + rd).permute(0, 2, 1, 3)                    # (B, n, T, nope + rope)
    q_nope, q_rope = q[..., :nope], rope(q[..., nope:], positions, c.rope_theta)
    kv_a = F.linear(x, sd[p + "kv_a_proj_with_mqa.weight"])
    latent = rms(kv_a[..., :r], sd[p + "kv_a_layernorm.weight"], eps)       # (B, T, r)
    k_rope = rope(kv_a[..., r:], positions, c.rope_theta)                   # (B, T, rope): one for all heads
    kv = F.linear(latent, sd[p + "kv_b_proj.weight"]).reshape(B, T, n, nope + vd).permute(0, 2, 1, 3)
    k_nope, v = kv[..., :nope], kv[..., nope:]
    scores = (q_nope @ k_nope.transpose(-1, -2) + q_rope @ k_rope[:, None].transpose(-1, -2))
    scores = scores / (nope + rd) ** 0.5
    future = torch.ones(T, T, dtype=torch.bool).triu(1)
    probs = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
    o = (probs @ v).permute(0, 2, 1, 3).reshape(B, T, n * vd)
    return F.linear(o, sd[p + "o_proj.weight"])


def route(sd, p, c, token):
    """One token (H,) -> (experts list, weights (k,), margin): DeepSeek's gate, float32 logits."""
    logits = (token.float() @ sd[p + "gate.weight"].float().T).double()     # (E,)
    E, G, k = c.n_routed_experts, c.n_group, c.num_experts_per_tok
    if c.scoring_func == "softmax":
        scores = torch.softmax(logits, dim=-1)
    else:
        scores = torch.sigmoid(logits)
    choice = scores.clone()
    if c.topk_method == "noaux_tc":
        choice = choice + sd[p + "gate.e_score_correction_bias"].double()
    margin = float("inf")
    if c.topk_method in ("noaux_tc", "group_limited_greedy") and G > 1:
        per = E // G
        groups = [choice[g * per:(g + 1) * per] for g in range(G)]
        if c.topk_method == "noaux_tc":
            group_score = torch.stack([g.sort(descending=True).values[:2].sum() for g in groups])
        else:
            group_score = torch.stack([g.max() for g in groups])
        order = group_score.argsort(descending=True)
        ranked = group_score[order]
        margin = float((ranked[c.topk_group - 1] - ranked[c.topk_group]).detach()) if c.topk_group < G else margin
        kept = set(order[: c.topk_group].tolist())
        choice = torch.stack([choice[e] if e // per in kept else torch.tensor(float("-inf"), dtype=torch.float64)
                              for e in range(E)])
    order = choice.argsort(descending=True)
    ranked = choice[order]
    if k < E and torch.isfinite(ranked[k]):
        margin = min(margin, float((ranked[k - 1] - ranked[k]).detach()))
    chosen = order[:k].tolist()
    weights = torch.stack([scores[e] for e in chosen])                      # unbiased scores
    if c.norm_topk_prob:
        weights = weights / weights.sum()
    return chosen, weights * c.routed_scaling_factor, margin


def moe(sd, p, c, x, margins: list | None = None):
    """x (B, T, H) -> (B, T, H): one token at a time, routed experts + shared experts."""
    rows = []
    for token in x.reshape(-1, x.shape[-1]):
        chosen, weights, margin = route(sd, p, c, token)
        if margins is not None:
            margins.append(margin)
        y = sum(w.to(x.dtype) * swiglu(sd, f"{p}experts.{e}.", token) for e, w in zip(chosen, weights))
        if c.n_shared_experts:
            y = y + swiglu(sd, p + "shared_experts.", token)
        rows.append(y)
    return torch.stack(rows).reshape(x.shape)


def layer(sd, c, layer_idx, x, start_pos=0, prefix="", margins: list | None = None):
    """One decoder layer on x (B, T, H) at positions start_pos..; sd holds `prefix`-ed keys."""
    positions = torch.arange(start_pos, start_pos + x.shape[1])
    eps = c.rms_norm_eps
    h = x + attention(sd, prefix + "self_attn.", c, rms(x, sd[prefix + "input_layernorm.weight"], eps), positions)
    z = rms(h, sd[prefix + "post_attention_layernorm.weight"], eps)
    if is_dense(c, layer_idx):
        return h + swiglu(sd, prefix + "mlp.", z)
    return h + moe(sd, prefix + "mlp.", c, z, margins)


def hidden(sd, c, input_ids, margins: list | None = None):
    """DeepSeekModel: (B, T) int64 -> final normalised hidden states (B, T, H)."""
    h = F.embedding(input_ids, sd["model.embed_tokens.weight"])
    for i in range(c.num_hidden_layers):
        h = layer(sd, c, i, h, prefix=f"model.layers.{i}.", margins=margins)
    return rms(h, sd["model.norm.weight"], c.rms_norm_eps)


def logits(sd, c, input_ids, margins: list | None = None):
    """The whole model: (B, T) int64 -> (B, T, vocab)."""
    return F.linear(hidden(sd, c, input_ids, margins), sd["lm_head.weight"])
