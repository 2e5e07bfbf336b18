"""Built from the katas in another arrangement: the G query heads of a KV head attend through
K and V expanded to a group dim (B, n_kv, G, S, D) with the sdpa kata; RoPE in ONE apply_rope
call per tensor, with the batch folded into the token axis and the table rows gathered for
every (row, token); positions checked with a single mask reduction; count_parameters as
embeddings + layers * per-layer + final norm written out term by term."""

import math
from typing import Optional

import torch
from torch import nn

from katas.attention.sdpa import scaled_dot_product_attention
from katas.deepseek.moe import Expert
from katas.inference.kv_cache import KVCache
from katas.norms.rms_norm import RMSNorm
from katas.positional.rope import apply_rope, rope_cache
from solutions.deepseek.math import DEEPSEEK_MATH_7B, DeepSeekMathConfig  # noqa: F401 (given data)


def count_parameters(config):
    H, n, n_kv, ff = (config.hidden_size, config.num_attention_heads, config.num_key_value_heads,
                      config.intermediate_size)
    hd = H // n
    q_proj = o_proj = H * n * hd
    k_proj = v_proj = H * n_kv * hd
    mlp = 3 * H * ff
    norms = 2 * H
    per_layer = q_proj + k_proj + v_proj + o_proj + mlp + norms
    embeddings = config.vocab_size * H
    head = config.vocab_size * H
    return embeddings + config.num_hidden_layers * per_layer + H + head


def _head_layout(config):
    H, n, n_kv = config.hidden_size, config.num_attention_heads, config.num_key_value_heads
    if n <= 0 or H % n:
        raise ValueError(f"hidden_size={H} cannot be split into num_attention_heads={n} heads")
    if n_kv <= 0 or n % n_kv:
        raise ValueError(f"num_attention_heads={n} cannot be grouped over num_key_value_heads={n_kv}")
    if (H // n) % 2:
        raise ValueError(f"head_dim={H // n} is odd: RoPE needs channel pairs")
    return n, n_kv, H // n


def _rope(x, cos, sin):
    """x (B, h, T, D), cos/sin (B, T, D/2): fold B into the token axis, one apply_rope call."""
    B, h, T, D = x.shape
    flat = x.transpose(0, 1).reshape(h, B * T, D)
    out = apply_rope(flat, cos.reshape(B * T, -1), sin.reshape(B * T, -1))
    return out.reshape(h, B, T, D).transpose(0, 1)


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n, self.n_kv, self.d = _head_layout(config)
        H = config.hidden_size
        self.q_proj = nn.Linear(H, self.n * self.d, bias=False)
        self.k_proj = nn.Linear(H, self.n_kv * self.d, bias=False)
        self.v_proj = nn.Linear(H, self.n_kv * self.d, bias=False)
        self.o_proj = nn.Linear(self.n * self.d, H, bias=False)

    def forward(self, x, cos, sin, cache: Optional[KVCache] = None):
        B, T, _ = x.shape
        G = self.n // self.n_kv
        q = _rope(self.q_proj(x).reshape(B, T, self.n, self.d).transpose(1, 2), cos, sin)
        k = _rope(self.k_proj(x).reshape(B, T, self.n_kv, self.d).transpose(1, 2), cos, sin)
        v = self.v_proj(x).reshape(B, T, self.n_kv, self.d).transpose(1, 2)
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        visible = torch.arange(S, device=x.device)[None, :] <= torch.arange(S - T, S, device=x.device)[:, None]
        qg = q.reshape(B, self.n_kv, G, T, self.d)
        kg = k[:, :, None].expand(B, self.n_kv, G, S, self.d)
        vg = v[:, :, None].expand(B, self.n_kv, G, S, self.d)
        out = scaled_dot_product_attention(qg, kg, vg, attn_mask=visible, scale=1 / math.sqrt(self.d))
        return self.o_proj(out.reshape(B, self.n, T, self.d).permute(0, 2, 1, 3).reshape(B, T, -1))


class DecoderLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.input_layernorm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.mlp = Expert(config.hidden_size, config.intermediate_size)

    def forward(self, x, cos, sin, cache=None):
        h = x + self.self_attn(self.input_layernorm(x), cos, sin, cache=cache)
        return h + self.mlp(self.post_attention_layernorm(h))


class DeepSeekMathModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        _, _, head_dim = _head_layout(config)
        self.limit = config.max_position_embeddings
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        cos, sin = rope_cache(head_dim, config.max_position_embeddings, base=config.rope_theta)
        self.register_buffer("_cos", cos, persistent=False)
        self.register_buffer("_sin", sin, persistent=False)

    def forward(self, input_ids, position_ids=None, cache=None):
        B, T = input_ids.shape
        if position_ids is None:
            start = cache[0].length if cache else 0
            if start + T - 1 >= self.limit:
                raise ValueError(f"position {start + T - 1} >= max_position_embeddings {self.limit}")
            position_ids = torch.arange(start, start + T, device=input_ids.device).expand(B, T)
        else:
            if tuple(position_ids.shape) not in [(B, T), (1, T)]:
                raise ValueError(f"position_ids shape {list(position_ids.shape)} is neither [{B}, {T}] nor [1, {T}]")
            outside = (position_ids < 0) | (position_ids >= self.limit)
            if outside.any():
                raise ValueError(f"position {position_ids[outside][0].item()} outside [0, {self.limit}) "
                                 f"(max_position_embeddings {self.limit})")
            position_ids = position_ids.expand(B, T)
        cos, sin = self._cos[position_ids], self._sin[position_ids]
        h = self.embed_tokens(input_ids)
        for layer, layer_cache in zip(self.layers, cache if cache is not None else [None] * len(self.layers)):
            h = layer(h, cos, sin, layer_cache)
        return self.norm(h)


class DeepSeekMathForCausalLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.model = DeepSeekMathModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids, position_ids=None, cache=None):
        return self.lm_head(self.model(input_ids, position_ids=position_ids, cache=cache))

    def make_cache(self, batch_size, max_len):
        c, w = self.config, self.model.embed_tokens.weight
        return [KVCache(batch_size, c.num_key_value_heads, max_len, c.hidden_size // c.num_attention_heads,
                        dtype=w.dtype, device=w.device) for _ in range(c.num_hidden_layers)]
