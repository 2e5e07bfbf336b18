"""Independent float64 references shared by specs/mla/test_components.py and test_attention.py.

Written from DeepSeek-V2's equations and DeepSeek-V3's inference code, with different
bookkeeping from the reference solution: RoPE as complex multiplication of the pairs
(2i, 2i+1), projections with F.linear on a plain dict of weights, naive attention over the
decompressed per-head keys and values. Not a spec file (no tests here).
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn.functional as F

FIXTURE_PATH = Path(__file__).parent / "fixtures" / "mla_tiny.pt"
SMALL = dict(hidden_size=48, num_attention_heads=4, q_lora_rank=40, kv_lora_rank=24,
             qk_nope_head_dim=12, qk_rope_head_dim=8, v_head_dim=10, rms_norm_eps=1e-6,
             rope_theta=10000.0, max_position_embeddings=64)


def load_fixture() -> dict:
    return torch.load(FIXTURE_PATH, weights_only=True)


def ref_rope(x: torch.Tensor, positions: torch.Tensor, theta: float = 10000.0) -> torch.Tensor:
    """Pairs (2i, 2i+1) as complex numbers times e^{i p w_i}, w_i = theta^(-2i/d), in float64."""
    d = x.shape[-1]
    w = torch.pow(torch.tensor(theta, dtype=torch.float64), -torch.arange(0, d, 2, dtype=torch.float64) / d)
    rot = torch.polar(torch.ones((), dtype=torch.float64), positions.double()[..., None] * w)
    z = torch.view_as_complex(x.double().reshape(*x.shape[:-1], d // 2, 2).contiguous())
    return torch.view_as_real(z * rot).flatten(-2).to(x.dtype)


def ref_rope_half(x: torch.Tensor, positions: torch.Tensor, theta: float = 10000.0) -> torch.Tensor:
    """Rotate-half (pairs i, i + d/2): the convention DeepSeek does NOT use."""
    d = x.shape[-1]
    w = theta ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    ang = positions.double()[..., None] * w
    a, b = x.double()[..., : d // 2], x.double()[..., d // 2:]
    return torch.cat([a * ang.cos() - b * ang.sin(), b * ang.cos() + a * ang.sin()], -1).to(x.dtype)


def ref_rms(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    return x * (x.pow(2).mean(-1, keepdim=True) + eps).rsqrt() * weight


def dims(cfg: dict) -> tuple[int, int, int, int, int]:
    """(H, nope, rope, v_head_dim, kv_lora_rank)."""
    return (cfg["num_attention_heads"], cfg["qk_nope_head_dim"], cfg["qk_rope_head_dim"],
            cfg["v_head_dim"], cfg["kv_lora_rank"])


def ref_parts(sd: dict, cfg: dict, x: torch.Tensor, positions: torch.Tensor, rope=ref_rope) -> dict:
    """q_nope, q_rope (B, H, T, .), c_kv (B, T, r), k_rope (B, T, rope), k_nope, v (B, H, T, .)."""
    H, nope, rdim, vd, r = dims(cfg)
    eps, theta = cfg["rms_norm_eps"], cfg["rope_theta"]
    B, T, _ = x.shape
    if cfg["q_lora_rank"]:
        q = F.linear(ref_rms(F.linear(x, sd["q_a_proj.weight"]), sd["q_a_layernorm.weight"], eps),
                     sd["q_b_proj.weight"])
    else:
        q = F.linear(x, sd["q_proj.weight"])
    q = q.reshape(B, T, H, nope + rdim).permute(0, 2, 1, 3)
    kv_a = F.linear(x, sd["kv_a_proj_with_mqa.weight"])
    c_kv = ref_rms(kv_a[..., :r], sd["kv_a_layernorm.weight"], eps)
    kv = F.linear(c_kv, sd["kv_b_proj.weight"]).reshape(B, T, H, nope + vd).permute(0, 2, 1, 3)
    return dict(q_nope=q[..., :nope], q_rope=rope(q[..., nope:], positions, theta), c_kv=c_kv,
                k_rope=rope(kv_a[..., r:], positions, theta), k_nope=kv[..., :nope], v=kv[..., nope:])


def ref_attention(sd: dict, cfg: dict, x: torch.Tensor, start_pos: int = 0, *, scale: float | None = None,
                  rope=ref_rope, positions: torch.Tensor | None = None, causal: bool = True) -> torch.Tensor:
    """Naive MLA over the tokens of x (positions start_pos.., causal among themselves)."""
    H, nope, rdim, vd, r = dims(cfg)
    B, T, _ = x.shape
    if positions is None:
        positions = torch.arange(start_pos, start_pos + T)
    p = ref_parts(sd, cfg, x, positions, rope=rope)
    q = torch.cat([p["q_nope"], p["q_rope"]], dim=-1)
    k = torch.cat([p["k_nope"], p["k_rope"][:, None].expand(B, H, T, rdim)], dim=-1)
    scores = q @ k.transpose(-1, -2) * (scale if scale is not None else 1 / math.sqrt(nope + rdim))
    if causal:
        scores = scores.masked_fill(~torch.ones(T, T, dtype=torch.bool).tril(), float("-inf"))
    o = scores.softmax(dim=-1) @ p["v"]
    return F.linear(o.transpose(1, 2).reshape(B, T, H * vd), sd["o_proj.weight"])


def expected_shapes(cfg: dict, with_o_proj: bool = False) -> dict[str, tuple[int, ...]]:
    H, nope, rdim, vd, r = dims(cfg)
    hidden = cfg["hidden_size"]
    shapes = {"kv_a_proj_with_mqa.weight": (r + rdim, hidden), "kv_a_layernorm.weight": (r,),
              "kv_b_proj.weight": (H * (nope + vd), r)}
    if cfg["q_lora_rank"]:
        qr = cfg["q_lora_rank"]
        shapes.update({"q_a_proj.weight": (qr, hidden), "q_a_layernorm.weight": (qr,),
                       "q_b_proj.weight": (H * (nope + rdim), qr)})
    else:
        shapes["q_proj.weight"] = (H * (nope + rdim), hidden)
    if with_o_proj:
        shapes["o_proj.weight"] = (hidden, H * vd)
    return shapes


def random_state_dict(cfg: dict, seed: int, dtype=torch.float64, with_o_proj: bool = False) -> dict:
    """Seeded weights in DeepSeek's names: unit-variance projections, RMSNorm scales near 1."""
    gen = torch.Generator().manual_seed(seed)
    sd = {}
    for name, shape in expected_shapes(cfg, with_o_proj).items():
        noise = torch.randn(shape, generator=gen, dtype=torch.float64)
        sd[name] = (1.0 + 0.3 * noise if "layernorm" in name else noise / math.sqrt(shape[-1])).to(dtype)
    return sd


def near(a, b, tol: float = 1e-3) -> bool:
    return (isinstance(a, torch.Tensor) and a.shape == b.shape
            and bool(((a.detach().double() - b.double()).abs() <= tol * (1 + b.double().abs())).all()))
