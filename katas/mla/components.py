"""Day 27 — mla/components: the pieces of multi-head latent attention, with DeepSeek's names.

MLA (DeepSeek-V2, arXiv 2405.04434; DeepSeek-V3) splits every query and key head into a
"nope" part (no position encoding) and a small "rope" part (RoPE applied). Keys and values
come from ONE compressed latent per token, shared by all heads; the rope part of the key
comes straight from the hidden state and is shared by all heads too (like multi-query
attention: hence "kv_a_proj_with_mqa"). Tomorrow's kata (mla/attention) builds the attention
and its cache from these pieces.

Given (do not change): MLAConfig, a dataclass with the attention fields of DeepSeek's config
(Hugging Face's DeepseekV3Config names; defaults are DeepSeek-V3's): hidden_size,
num_attention_heads (H), q_lora_rank (0 or None = no query compression), kv_lora_rank (r),
qk_nope_head_dim (nope), qk_rope_head_dim (rope), v_head_dim, rms_norm_eps, rope_theta,
max_position_embeddings.

Write:
    RMSNorm(dim, eps=1e-6): x / sqrt(mean(x^2 over the last dim) + eps) * weight, parameter
        `weight` (dim,) initialised to ones, computed in x's dtype (float64 in, float64
        throughout, eps included: no float32 upcast as in Hugging Face's bf16-minded
        DeepseekV3RMSNorm).
        (Or delete the class and import yours: `from katas.norms.rms_norm import RMSNorm`.)

    rope_interleaved(x, positions, theta=10000.0) -> same shape and dtype as x
        x: (..., d) float32 or float64, d even. positions: int64 tensor broadcastable against
        x.shape[:-1] (e.g. (T,) for x of shape (B, H, T, d) or (B, T, d)): the position of
        each vector (any values, 70000 too: no position table with a size cap). DeepSeek's
        convention, INTERLEAVED pairs: channels (2i, 2i + 1) of a vector at position m,
        i = 0 .. d/2 - 1, turn by the angle m * theta^(-2i / d):
            out[2i]     = x[2i] * cos - x[2i+1] * sin
            out[2i + 1] = x[2i+1] * cos + x[2i] * sin
        (DeepSeek's code: view_as_complex on pairs times e^{i m w_i}.) NOT rotate-half, which
        pairs channel i with i + d/2 (Llama in Hugging Face). Compute in x's dtype (float64 in,
        float64 out; do not round to float32 as DeepSeek's bf16 code does).

    MLAProjections(config): an nn.Module with exactly these submodules (they are the
    state_dict keys of DeepSeek's checkpoints in Hugging Face, which the specs load), all
    nn.Linear WITHOUT bias, in (out, in) layout:
        with query compression (q_lora_rank > 0):
            q_a_proj       Linear(hidden_size, q_lora_rank)                (W^DQ)
            q_a_layernorm  RMSNorm(q_lora_rank, eps=rms_norm_eps)
            q_b_proj       Linear(q_lora_rank, H * (nope + rope))          (W^UQ and W^QR)
        without (q_lora_rank 0 or None): only
            q_proj         Linear(hidden_size, H * (nope + rope))
            (and no q_a_proj / q_a_layernorm / q_b_proj at all: not even empty ones)
        kv_a_proj_with_mqa Linear(hidden_size, kv_lora_rank + rope)        (W^DKV and W^KR)
        kv_a_layernorm     RMSNorm(kv_lora_rank, eps=rms_norm_eps)
        kv_b_proj          Linear(kv_lora_rank, H * (nope + v_head_dim))   (W^UK and W^UV)
    (Both RMSNorms use config.rms_norm_eps. DeepSeek's code and HF build them with eps 1e-6,
    which is DeepSeek-V3's rms_norm_eps: the same thing for DeepSeek's configs.)
    Every output is split per head as [nope | rope] (queries) or [nope | v] (kv_b_proj) along
    the features of one head, heads one after another: view(B, T, H, per_head_dim).
    Methods (positions: (T,) int64, the positions of x's tokens, e.g. arange(start, start + T)):
        queries(x, positions) -> (q_nope, q_rope)
            x (B, T, hidden_size) -> q_nope (B, H, T, nope), q_rope (B, H, T, rope);
            q = q_b_proj(q_a_layernorm(q_a_proj(x))) (or q_proj(x)); RoPE on q_rope only.
        latent(x, positions) -> (c_kv, k_rope)
            kv_a_proj_with_mqa(x) split into [kv_lora_rank | rope]:
            c_kv (B, T, kv_lora_rank) = kv_a_layernorm(first part): the normalised latent,
                no RoPE (RoPE cannot pass through kv_b_proj: that is why it is decoupled);
            k_rope (B, T, rope) = RoPE(last part): ONE rope key per token, from the hidden
                state (not from the latent), shared by every head (no head dim).
        expand_kv(c_kv) -> (k_nope, v)
            c_kv (B, S, kv_lora_rank), normalised -> kv_b_proj(c_kv) split per head into
            k_nope (B, H, S, nope) and v (B, H, S, v_head_dim). The RMSNorm belongs to the
            latent (before the up-projection), not here.
    A head's full key is [k_nope[:, h] | k_rope] and its full query [q_nope[:, h] | q_rope[:, h]].
    forward is not needed (mla/attention adds it).

Conventions: DeepSeek-V3's inference/model.py and Hugging Face transformers' DeepseekV3Attention
(whose names you use; HF's rope_interleave=True computes the same interleaved rotation);
float32 or float64 (module and inputs in the same dtype); no YaRN rope scaling.
Off limits: none (torch.view_as_complex / torch.polar are fine).
Inputs must not be modified.
Run: pytest katas/mla/components.py
"""

from dataclasses import dataclass
from typing import Optional

import torch
from torch import nn


@dataclass
class MLAConfig:
    """The attention fields of a DeepSeek config (defaults: DeepSeek-V3)."""
    hidden_size: int = 7168
    num_attention_heads: int = 128
    q_lora_rank: Optional[int] = 1536
    kv_lora_rank: int = 512
    qk_nope_head_dim: int = 128
    qk_rope_head_dim: int = 64
    v_head_dim: int = 128
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    max_position_embeddings: int = 4096


class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2, -1) + eps) * weight (as in katas/norms/rms_norm.py)."""

    def __init__(self, dim: int, eps: float = 1e-6):
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


def rope_interleaved(x: torch.Tensor, positions: torch.Tensor, theta: float = 10000.0) -> torch.Tensor:
    """Rotate channel pairs (2i, 2i+1) of x (..., d) by positions * theta^(-2i/d)."""
    raise NotImplementedError


class MLAProjections(nn.Module):
    """MLA's projections, norms and decoupled RoPE, with DeepSeek's (Hugging Face's) names."""

    def __init__(self, config: MLAConfig):
        """Build q_a_proj/q_a_layernorm/q_b_proj (or q_proj), kv_a_proj_with_mqa, kv_a_layernorm, kv_b_proj."""
        raise NotImplementedError

    def queries(self, x: torch.Tensor, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, T, hidden) -> q_nope (B, H, T, nope), q_rope (B, H, T, rope) rotated."""
        raise NotImplementedError

    def latent(self, x: torch.Tensor, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, T, hidden) -> c_kv (B, T, kv_lora_rank) normalised, k_rope (B, T, rope) rotated."""
        raise NotImplementedError

    def expand_kv(self, c_kv: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """c_kv (B, S, kv_lora_rank) -> k_nope (B, H, S, nope), v (B, H, S, v_head_dim)."""
        raise NotImplementedError
