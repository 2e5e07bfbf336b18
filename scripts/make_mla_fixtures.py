"""Golden fixtures for specs/mla/ (components and attention), from Hugging Face transformers'
DeepSeek-V3 attention.

    pip install "transformers==4.57.6"   # dev-only (as for make_gpt2_fixtures.py)
    python scripts/make_mla_fixtures.py  # writes specs/mla/fixtures/mla_tiny.pt

Builds transformers' DeepseekV3Attention (eager, attention_bias=False, no rope scaling) for two
tiny configs whose sizes all differ (hidden 48, 4 heads, query latent 40 or none, KV latent 24,
nope 12, rope 8, value 10) so that a transposed or mis-split weight cannot hide behind equal
sizes; fills every weight and RMSNorm scale with seeded random values; and records, computed in
float64 from float32 weights and inputs:

    configs[name]   the kata's MLAConfig fields (q_lora_rank 40 or None; rope_theta 10000 or
                    1000, so it cannot be hard-coded). rms_norm_eps is 1e-6 in both: HF's
                    DeepseekV3Attention (like DeepSeek's inference code) builds q_a_layernorm
                    and kv_a_layernorm with the default eps 1e-6 and ignores config.rms_norm_eps,
                    while the kata uses config.rms_norm_eps (1e-6 in DeepSeek-V3's config)
    state_dict      HF's names, which the kata keeps: q_a_proj, q_a_layernorm, q_b_proj (or
                    q_proj), kv_a_proj_with_mqa, kv_a_layernorm, kv_b_proj, o_proj (float32)
    cases           inputs x (B, T, hidden) float32 at positions start_pos .. start_pos + T - 1,
                    causal among themselves, and the attention output `out` (float64: HF's
                    eager softmax runs in float32 even in a float64 model, so `out` is
                    recomputed in float64 from HF's own components and asserted to equal
                    HF's output within 1e-6; HF's RMSNorm also works in float32, so every
                    recorded value is accurate to about 1e-7, not to float64 precision);
                    the first case also holds the components, in the kata's layouts:
                    q_nope, q_rope (B, H, T, .), c_kv (B, T, kv_lora_rank) normalised,
                    k_rope (B, T, qk_rope_head_dim), k_nope, v (B, H, T, .)

RoPE. DeepSeek's own code (inference/model.py, apply_rotary_emb) rotates INTERLEAVED pairs of
channels (2i, 2i + 1) as complex numbers. transformers 4.57.6's DeepseekV3Attention, with
config.rope_interleave=True (its default), first permutes the rope channels of q and k to
[0, 2, 4, ..., 1, 3, 5, ...] and then applies rotate-half RoPE (apply_rotary_pos_emb_interleave):
pair (i, i + d/2) of the permuted vector is pair (2i, 2i + 1) of the original, so it computes
DeepSeek's rotation but returns the rope channels de-interleaved. q and k get the same
permutation, so q·k and the attention output equal DeepSeek's; for the recorded q_rope and
k_rope the script undoes the permutation (channel 2i <- i, 2i + 1 <- i + d/2) and asserts that
the result equals an independent complex-number rotation of the raw channels. (With
rope_interleave=False HF would apply rotate-half to the raw channels: not DeepSeek's convention.)
cos/sin are computed here in float64 with HF's formula (inv_freq = theta^(-2i/d), concatenated
twice) and passed to the attention as position_embeddings; they are checked against HF's
DeepseekV3RotaryEmbedding (which works in float32).

The specs only load this file (torch.load(weights_only=True)); they never import transformers.
HF's attention caches full per-head K/V, so it serves as a value oracle only.
"""

from __future__ import annotations

from pathlib import Path

import torch
import transformers
from transformers import DeepseekV3Config
from transformers.models.deepseek_v3.modeling_deepseek_v3 import (
    DeepseekV3Attention, DeepseekV3RotaryEmbedding, apply_rotary_pos_emb_interleave)

OUT = Path(__file__).resolve().parents[1] / "specs" / "mla" / "fixtures" / "mla_tiny.pt"
BASE = dict(hidden_size=48, num_attention_heads=4, kv_lora_rank=24, qk_nope_head_dim=12,
            qk_rope_head_dim=8, v_head_dim=10, max_position_embeddings=64)
CONFIGS = {
    "q_lora": dict(BASE, q_lora_rank=40, rms_norm_eps=1e-6, rope_theta=10000.0),
    "no_q_lora": dict(BASE, q_lora_rank=None, rms_norm_eps=1e-6, rope_theta=1000.0),
}
CASES = [(2, 5, 3), (1, 1, 6), (3, 7, 0)]  # (batch, tokens, start_pos)


def build_reference(cfg: dict, seed: int) -> DeepseekV3Attention:
    hf_config = DeepseekV3Config(
        hidden_size=cfg["hidden_size"], num_attention_heads=cfg["num_attention_heads"],
        num_key_value_heads=cfg["num_attention_heads"], q_lora_rank=cfg["q_lora_rank"],
        kv_lora_rank=cfg["kv_lora_rank"], qk_nope_head_dim=cfg["qk_nope_head_dim"],
        qk_rope_head_dim=cfg["qk_rope_head_dim"], v_head_dim=cfg["v_head_dim"],
        rms_norm_eps=cfg["rms_norm_eps"], rope_theta=cfg["rope_theta"],
        max_position_embeddings=cfg["max_position_embeddings"], rope_scaling=None,
        rope_interleave=True, attention_bias=False, attention_dropout=0.0,
        num_hidden_layers=1, vocab_size=32, attn_implementation="eager")
    hf_config._attn_implementation = "eager"
    attn = DeepseekV3Attention(hf_config, layer_idx=0).eval()
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in attn.named_parameters():
            noise = torch.randn(p.shape, generator=gen)
            if "layernorm" in name:
                p.copy_(1.0 + 0.3 * noise)
            else:  # (out, in): unit-variance outputs for unit-variance inputs
                p.copy_(noise / p.shape[1] ** 0.5)
    return attn


def hf_cos_sin(cfg: dict, positions: torch.Tensor, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
    """HF's rotary tables (B, T, rope): angles concatenated twice, in float64."""
    d = cfg["qk_rope_head_dim"]
    inv_freq = 1.0 / cfg["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
    freqs = positions.double()[:, None] * inv_freq[None, :]
    emb = torch.cat([freqs, freqs], dim=-1).expand(batch, -1, -1)
    return emb.cos(), emb.sin()


def deepseek_rope(x: torch.Tensor, positions: torch.Tensor, theta: float) -> torch.Tensor:
    """DeepSeek's apply_rotary_emb: channels (2i, 2i+1) as one complex number, times e^{i m w_i}."""
    d = x.shape[-1]
    w = theta ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    rot = torch.polar(torch.ones(len(positions), d // 2, dtype=torch.float64), positions.double()[:, None] * w)
    z = torch.view_as_complex(x.double().reshape(*x.shape[:-1], d // 2, 2).contiguous())
    return torch.view_as_real(z * rot).flatten(-2)


def reinterleave(y: torch.Tensor) -> torch.Tensor:
    """HF's de-interleaved rope channels [a_0..a_{d/2-1}, b_0..b_{d/2-1}] -> [a_0, b_0, a_1, b_1, ...]."""
    half = y.shape[-1] // 2
    return torch.stack([y[..., :half], y[..., half:]], dim=-1).flatten(-2)


def components(attn: DeepseekV3Attention, cfg: dict, x: torch.Tensor, positions: torch.Tensor,
               cos: torch.Tensor, sin: torch.Tensor) -> dict[str, torch.Tensor]:
    """q_nope, q_rope, c_kv, k_rope, k_nope, v from HF's own submodules, in the kata's layouts."""
    B, T, _ = x.shape
    H, nope, rope, v_dim, r = (cfg["num_attention_heads"], cfg["qk_nope_head_dim"],
                               cfg["qk_rope_head_dim"], cfg["v_head_dim"], cfg["kv_lora_rank"])
    if cfg["q_lora_rank"] is None:
        q = attn.q_proj(x)
    else:
        q = attn.q_b_proj(attn.q_a_layernorm(attn.q_a_proj(x)))
    q = q.view(B, T, H, nope + rope).transpose(1, 2)
    q_nope, q_rot = q.split([nope, rope], dim=-1)
    compressed = attn.kv_a_proj_with_mqa(x)
    c_kv, k_rot = compressed.split([r, rope], dim=-1)
    c_kv = attn.kv_a_layernorm(c_kv)
    k_nope, v = attn.kv_b_proj(c_kv).view(B, T, H, nope + v_dim).transpose(1, 2).split([nope, v_dim], dim=-1)
    q_rope_hf, k_rope_hf = apply_rotary_pos_emb_interleave(q_rot, k_rot.view(B, 1, T, rope), cos, sin)
    q_rope, k_rope = reinterleave(q_rope_hf), reinterleave(k_rope_hf)[:, 0]
    # HF's permute-then-rotate-half equals DeepSeek's interleaved complex rotation
    torch.testing.assert_close(q_rope, deepseek_rope(q_rot, positions, cfg["rope_theta"]), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(k_rope, deepseek_rope(k_rot, positions, cfg["rope_theta"]), rtol=1e-12, atol=1e-12)
    return dict(q_nope=q_nope, q_rope=q_rope, c_kv=c_kv, k_rope=k_rope, k_nope=k_nope, v=v)


def attention_from(parts: dict[str, torch.Tensor], attn: DeepseekV3Attention, cfg: dict) -> torch.Tensor:
    """DeepSeek's naive attention from the components (a cross-check of the conversion)."""
    q = torch.cat([parts["q_nope"], parts["q_rope"]], dim=-1)
    H = cfg["num_attention_heads"]
    k = torch.cat([parts["k_nope"], parts["k_rope"][:, None].expand(-1, H, -1, -1)], dim=-1)
    T = q.shape[-2]
    scores = q @ k.transpose(-1, -2) / (cfg["qk_nope_head_dim"] + cfg["qk_rope_head_dim"]) ** 0.5
    scores = scores.masked_fill(~torch.ones(T, T, dtype=torch.bool).tril(), float("-inf"))
    o = scores.softmax(dim=-1) @ parts["v"]
    return attn.o_proj(o.transpose(1, 2).reshape(q.shape[0], T, -1))


def main() -> None:
    torch.manual_seed(0)
    fixture = {"source": f"transformers {transformers.__version__} DeepseekV3Attention "
                         "(rope_interleave=True), scripts/make_mla_fixtures.py",
               "configs": {}, "state_dicts": {}, "cases": {}}
    gen = torch.Generator().manual_seed(1)
    for seed, (name, cfg) in enumerate(CONFIGS.items()):
        attn = build_reference(cfg, seed=seed)
        state_dict = {k: v.detach().clone().contiguous() for k, v in attn.state_dict().items()}
        rotary = DeepseekV3RotaryEmbedding(attn.config)
        attn = attn.double()
        cases = []
        for n, (B, T, start_pos) in enumerate(CASES):
            x = torch.randn(B, T, cfg["hidden_size"], generator=gen)
            positions = torch.arange(start_pos, start_pos + T)
            cos, sin = hf_cos_sin(cfg, positions, B)
            cos32, sin32 = rotary(x, positions[None].expand(B, -1))
            torch.testing.assert_close(cos32.double(), cos, rtol=0, atol=1e-6)
            torch.testing.assert_close(sin32.double(), sin, rtol=0, atol=1e-6)
            mask = torch.full((T, T), float("-inf"), dtype=torch.float64).triu(1).expand(B, 1, T, T)
            with torch.no_grad():
                out, _ = attn(x.double(), position_embeddings=(cos, sin), attention_mask=mask)
                parts = components(attn, cfg, x.double(), positions, cos, sin)
                out64 = attention_from(parts, attn, cfg)
            # HF's eager softmax runs in float32 even for a float64 model: agree to ~1e-7
            torch.testing.assert_close(out64, out, rtol=0, atol=1e-6)
            case = {"x": x, "start_pos": start_pos, "out": out64.detach().clone()}
            if n == 0:
                case["components"] = {k: v.detach().clone().contiguous() for k, v in parts.items()}
            cases.append(case)
        fixture["configs"][name] = dict(cfg)
        fixture["state_dicts"][name] = state_dict
        fixture["cases"][name] = cases
        print(f"{name}: state_dict keys {sorted(state_dict)}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    torch.save(fixture, OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
