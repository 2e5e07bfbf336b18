"""RoPE as complex multiplication (view_as_complex / polar); projections applied with einsum on the Linear weights; the norms kata's RMSNorm."""

import torch
from torch import nn

from solutions.mla.components import MLAConfig  # noqa: F401
from solutions.norms.rms_norm import RMSNorm  # noqa: F401


def rope_interleaved(x, positions, theta=10000.0):
    d = x.shape[-1]
    exps = torch.arange(0, d, 2, dtype=x.dtype, device=x.device) / d
    freqs = torch.pow(torch.as_tensor(theta, dtype=x.dtype, device=x.device), -exps)
    ang = positions.to(x.dtype)[..., None] * freqs
    rot = torch.polar(torch.ones_like(ang), ang)
    z = torch.view_as_complex(x.reshape(*x.shape[:-1], d // 2, 2).contiguous())
    return torch.view_as_real(z * rot).reshape(*torch.broadcast_shapes(x.shape[:-1], ang.shape[:-1]), d)


class MLAProjections(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.cfg = config
        H, D = config.num_attention_heads, config.hidden_size
        qd = config.qk_nope_head_dim + config.qk_rope_head_dim
        if config.q_lora_rank is not None and config.q_lora_rank > 0:
            self.q_a_proj = nn.Linear(D, config.q_lora_rank, bias=False)
            self.q_a_layernorm = RMSNorm(config.q_lora_rank, eps=config.rms_norm_eps)
            self.q_b_proj = nn.Linear(config.q_lora_rank, H * qd, bias=False)
        else:
            self.q_proj = nn.Linear(D, H * qd, bias=False)
        self.kv_a_proj_with_mqa = nn.Linear(D, config.kv_lora_rank + config.qk_rope_head_dim, bias=False)
        self.kv_a_layernorm = RMSNorm(config.kv_lora_rank, eps=config.rms_norm_eps)
        self.kv_b_proj = nn.Linear(config.kv_lora_rank, H * (config.qk_nope_head_dim + config.v_head_dim),
                                   bias=False)

    @staticmethod
    def _lin(layer, x):
        return torch.einsum("...i,oi->...o", x, layer.weight)

    def queries(self, x, positions):
        c = self.cfg
        if hasattr(self, "q_proj"):
            q = self._lin(self.q_proj, x)
        else:
            q = self._lin(self.q_b_proj, self.q_a_layernorm(self._lin(self.q_a_proj, x)))
        q = torch.einsum("bthd->bhtd", q.reshape(*x.shape[:2], c.num_attention_heads, -1))
        nope = q[..., : c.qk_nope_head_dim]
        return nope, rope_interleaved(q[..., c.qk_nope_head_dim:], positions, c.rope_theta)

    def latent(self, x, positions):
        c = self.cfg
        kv = self._lin(self.kv_a_proj_with_mqa, x)
        return (self.kv_a_layernorm(kv[..., : c.kv_lora_rank]),
                rope_interleaved(kv[..., c.kv_lora_rank:], positions, c.rope_theta))

    def expand_kv(self, c_kv):
        c = self.cfg
        kv = self._lin(self.kv_b_proj, c_kv).reshape(*c_kv.shape[:2], c.num_attention_heads, -1)
        kv = torch.einsum("bshd->bhsd", kv)
        return kv[..., : c.qk_nope_head_dim], kv[..., c.qk_nope_head_dim:]
