"""Hugging Face's style with torch's built-ins: Llama's (max_len, head_dim) cos/sin tables with
every frequency twice and rotate_half, F.scaled_dot_product_attention(enable_gqa=True) with a
bool mask, nn.RMSNorm, a hand-written SwiGLU; count_parameters by summing a shape table."""

from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from katas.inference.kv_cache import KVCache
from solutions.deepseek.math import DEEPSEEK_MATH_7B, DeepSeekMathConfig  # noqa: F401 (given data)


def _shapes(c):
    hd = c.hidden_size // c.num_attention_heads
    H, q, kv, ff = c.hidden_size, c.num_attention_heads * hd, c.num_key_value_heads * hd, c.intermediate_size
    layer = [(q, H), (kv, H), (kv, H), (H, q), (ff, H), (ff, H), (H, ff), (H,), (H,)]
    return [(c.vocab_size, H), (c.vocab_size, H), (H,)] + layer * c.num_hidden_layers


def count_parameters(config):
    total = 0
    for shape in _shapes(config):
        n = 1
        for s in shape:
            n *= s
        total += n
    return total


def _validate(c):
    if c.num_attention_heads <= 0 or c.hidden_size % c.num_attention_heads != 0:
        raise ValueError(f"num_attention_heads {c.num_attention_heads} must divide hidden_size {c.hidden_size}")
    if c.num_key_value_heads <= 0 or c.num_attention_heads % c.num_key_value_heads != 0:
        raise ValueError(f"num_key_value_heads {c.num_key_value_heads} must divide "
                         f"num_attention_heads {c.num_attention_heads}")
    head_dim = c.hidden_size // c.num_attention_heads
    if head_dim % 2 == 1:
        raise ValueError(f"head_dim {head_dim} must be even")


def _rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        _validate(config)
        self.n_heads, self.n_kv = config.num_attention_heads, config.num_key_value_heads
        self.hd = config.hidden_size // self.n_heads
        self.q_proj = nn.Linear(config.hidden_size, self.n_heads * self.hd, bias=False)
        self.k_proj = nn.Linear(config.hidden_size, self.n_kv * self.hd, bias=False)
        self.v_proj = nn.Linear(config.hidden_size, self.n_kv * self.hd, bias=False)
        self.o_proj = nn.Linear(self.n_heads * self.hd, config.hidden_size, bias=False)

    def forward(self, x, cos, sin, cache=None):
        B, T, _ = x.shape
        q = self.q_proj(x).unflatten(-1, (self.n_heads, self.hd)).permute(0, 2, 1, 3)
        k = self.k_proj(x).unflatten(-1, (self.n_kv, self.hd)).permute(0, 2, 1, 3)
        v = self.v_proj(x).unflatten(-1, (self.n_kv, self.hd)).permute(0, 2, 1, 3)
        cos = torch.cat([cos, cos], dim=-1).unsqueeze(1).to(x.dtype)   # (B, 1, T, hd)
        sin = torch.cat([sin, sin], dim=-1).unsqueeze(1).to(x.dtype)
        q = q * cos + _rotate_half(q) * sin
        k = k * cos + _rotate_half(k) * sin
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[-2]
        keep = torch.ones(T, S, dtype=torch.bool, device=x.device).tril(S - T)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, enable_gqa=True)
        return self.o_proj(out.permute(0, 2, 1, 3).flatten(2))


class _SwiGLU(nn.Module):
    def __init__(self, hidden, width):
        super().__init__()
        self.gate_proj = nn.Linear(hidden, width, bias=False)
        self.up_proj = nn.Linear(hidden, width, bias=False)
        self.down_proj = nn.Linear(width, hidden, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.input_layernorm = nn.RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = nn.RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.mlp = _SwiGLU(config.hidden_size, config.intermediate_size)

    def forward(self, x, cos, sin, cache=None):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, cache)
        return x + self.mlp(self.post_attention_layernorm(x))


class DeepSeekMathModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        _validate(config)
        self.max_positions = config.max_position_embeddings
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(config) for _ in range(config.num_hidden_layers)])
        self.norm = nn.RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        hd = config.hidden_size // config.num_attention_heads
        inv_freq = 1.0 / config.rope_theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd)
        angles = torch.outer(torch.arange(config.max_position_embeddings, dtype=torch.float64), inv_freq)
        self.register_buffer("cos_table", angles.cos().float(), persistent=False)
        self.register_buffer("sin_table", angles.sin().float(), persistent=False)

    def forward(self, input_ids, position_ids: Optional[torch.Tensor] = None, cache=None):
        B, T = input_ids.shape
        past = 0 if cache is None else cache[0].length
        if position_ids is None:
            if past + T > self.max_positions:
                raise ValueError(f"position {past + T - 1} needs max_position_embeddings > "
                                 f"{past + T - 1}; it is {self.max_positions}")
            position_ids = (past + torch.arange(T, device=input_ids.device)).unsqueeze(0)
        else:
            if position_ids.dim() != 2 or position_ids.shape[1] != T or position_ids.shape[0] not in (1, B):
                raise ValueError(f"position_ids {tuple(position_ids.shape)} for input_ids ({B}, {T})")
            low, high = position_ids.min().item(), position_ids.max().item()
            if low < 0:
                raise ValueError(f"position {low} < 0 (max_position_embeddings {self.max_positions})")
            if high >= self.max_positions:
                raise ValueError(f"position {high} >= max_position_embeddings {self.max_positions}")
        cos = F.embedding(position_ids, self.cos_table).expand(B, T, -1)
        sin = F.embedding(position_ids, self.sin_table).expand(B, T, -1)
        x = self.embed_tokens(input_ids)
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, cache[i] if cache is not None else None)
        return self.norm(x)


class DeepSeekMathForCausalLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.model = DeepSeekMathModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids, position_ids=None, cache=None):
        return self.lm_head(self.model(input_ids, position_ids, cache))

    def make_cache(self, batch_size, max_len):
        p = next(self.parameters())
        c = self.config
        return [KVCache(batch_size, c.num_key_value_heads, max_len, c.hidden_size // c.num_attention_heads,
                        dtype=p.dtype, device=p.device) for _ in self.model.layers]
