"""hidden_size not a multiple of num_attention_heads goes unchecked (only n < 1 is tested):
the odd-head_dim test catches hidden 30 with 4 heads (30 // 4 = 7), but hidden 36 with 8 heads
gives head_dim 36 // 8 = 4, even, and the model is built with q_proj 36 -> 32 instead of the
promised ValueError.

Fix: if n < 1 or d % n: raise ValueError(...) naming hidden_size and num_attention_heads.
"""

from dataclasses import dataclass
from typing import Optional

import torch
from torch import nn

from katas.attention.sdpa import scaled_dot_product_attention
from katas.deepseek.moe import Expert
from katas.inference.kv_cache import KVCache
from katas.norms.rms_norm import RMSNorm, pre_norm
from katas.positional.rope import apply_rope, rope_cache


@dataclass(frozen=True)
class DeepSeekMathConfig:
    vocab_size: int = 102400
    hidden_size: int = 4096
    intermediate_size: int = 11008
    num_hidden_layers: int = 30
    num_attention_heads: int = 32
    num_key_value_heads: int = 32
    max_position_embeddings: int = 4096
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0


DEEPSEEK_MATH_7B = DeepSeekMathConfig()


def count_parameters(config: DeepSeekMathConfig) -> int:
    """Every parameter of DeepSeekMathForCausalLM(config), in closed form."""
    d, n, n_kv = config.hidden_size, config.num_attention_heads, config.num_key_value_heads
    head_dim = d // n
    attention = d * n * head_dim + 2 * d * n_kv * head_dim + n * head_dim * d  # q, k, v, o
    mlp = 3 * d * config.intermediate_size                                      # gate, up, down
    layer = attention + mlp + 2 * d                                             # + two RMSNorms
    return 2 * config.vocab_size * d + config.num_hidden_layers * layer + d     # embed, head, norm


def _check(config: DeepSeekMathConfig) -> None:
    d, n, n_kv = config.hidden_size, config.num_attention_heads, config.num_key_value_heads
    if n < 1:  # wrong: d % n never tested (the odd-head_dim test catches only some)
        raise ValueError(f"num_attention_heads {n} < 1")
    if n_kv < 1 or n % n_kv:
        raise ValueError(f"num_attention_heads {n} is not a multiple of num_key_value_heads {n_kv}")
    if (d // n) % 2:
        raise ValueError(f"head_dim = hidden_size {d} // num_attention_heads {n} = {d // n} is odd; "
                         "RoPE rotates pairs of channels")


def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """x (B, heads, T, D); cos, sin (B, T, D/2): each sequence rotated by its own table rows."""
    return torch.stack([apply_rope(x[b], cos[b], sin[b]) for b in range(x.shape[0])])


class Attention(nn.Module):
    """Causal self-attention: RoPE on q and k, num_key_value_heads KV heads, a KV cache."""

    def __init__(self, config: DeepSeekMathConfig):
        super().__init__()
        _check(config)
        d = config.hidden_size
        self.num_heads, self.num_kv_heads = config.num_attention_heads, config.num_key_value_heads
        self.head_dim = d // self.num_heads
        self.q_proj = nn.Linear(d, self.num_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d, self.num_kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d, self.num_kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.num_heads * self.head_dim, d, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor,
                cache: Optional[KVCache] = None) -> torch.Tensor:
        """x (B, T, hidden), cos/sin (B, T, head_dim/2) -> (B, T, hidden)."""
        B, T, _ = x.shape
        H, Hkv, D = self.num_heads, self.num_kv_heads, self.head_dim
        G = H // Hkv
        q = self.q_proj(x).view(B, T, H, D).transpose(1, 2)      # (B, H, T, D)
        k = self.k_proj(x).view(B, T, Hkv, D).transpose(1, 2)    # (B, Hkv, T, D)
        v = self.v_proj(x).view(B, T, Hkv, D).transpose(1, 2)
        q, k = _rotate(q, cos, sin), _rotate(k, cos, sin)
        if cache is not None:
            k, v = cache.update(k, v)                             # every key and value so far
        S = k.shape[2]
        mask = torch.ones(T, S, dtype=torch.bool, device=x.device).tril(diagonal=S - T)
        # query heads j*G .. j*G + G - 1 read kv head j: fold them into the query rows of head j
        out = scaled_dot_product_attention(q.reshape(B, Hkv, G * T, D), k, v, attn_mask=mask.repeat(G, 1))
        out = out.reshape(B, H, T, D).transpose(1, 2).reshape(B, T, H * D)
        return self.o_proj(out)


class DecoderLayer(nn.Module):
    """Pre-norm: attention, then a SwiGLU MLP, each around a residual."""

    def __init__(self, config: DeepSeekMathConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.mlp = Expert(config.hidden_size, config.intermediate_size)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor,
                cache: Optional[KVCache] = None) -> torch.Tensor:
        h = pre_norm(x, lambda y: self.self_attn(y, cos, sin, cache), self.input_layernorm)
        return pre_norm(h, self.mlp, self.post_attention_layernorm)


class DeepSeekMathModel(nn.Module):
    """Token embedding, the decoder layers, the final RMSNorm; RoPE tables for every position."""

    def __init__(self, config: DeepSeekMathConfig):
        super().__init__()
        _check(config)
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        head_dim = config.hidden_size // config.num_attention_heads
        cos, sin = rope_cache(head_dim, config.max_position_embeddings, base=config.rope_theta)
        self.register_buffer("rope_cos", cos, persistent=False)  # not in the state_dict
        self.register_buffer("rope_sin", sin, persistent=False)

    def forward(self, input_ids: torch.Tensor, position_ids: Optional[torch.Tensor] = None,
                cache: Optional[list[KVCache]] = None) -> torch.Tensor:
        """input_ids (B, T) -> normalised hidden states (B, T, hidden)."""
        B, T = input_ids.shape
        start = cache[0].length if cache is not None else 0
        limit = self.config.max_position_embeddings
        if position_ids is None:                       # continue after the cached tokens
            if start + T > limit:                      # checked without reading a tensor
                raise ValueError(f"position {start + T - 1} is outside 0 .. {limit - 1} "
                                 f"(max_position_embeddings {limit})")
            position_ids = torch.arange(start, start + T, device=input_ids.device)[None]
        else:
            if tuple(position_ids.shape) not in ((B, T), (1, T)):
                raise ValueError(f"position_ids has shape {tuple(position_ids.shape)}; expected "
                                 f"({B}, {T}) or (1, {T}) for input_ids of shape ({B}, {T})")
            for p in (int(position_ids.min()), int(position_ids.max())):
                if not 0 <= p < limit:
                    raise ValueError(f"position {p} is outside 0 .. {limit - 1} "
                                     f"(max_position_embeddings {limit})")
        position_ids = position_ids.expand(B, T)
        cos, sin = self.rope_cos[position_ids], self.rope_sin[position_ids]   # (B, T, head_dim/2)
        h = self.embed_tokens(input_ids)
        for i, layer in enumerate(self.layers):
            h = layer(h, cos, sin, None if cache is None else cache[i])
        return self.norm(h)


class DeepSeekMathForCausalLM(nn.Module):
    """DeepSeekMathModel plus an untied lm_head; a KV cache per layer for decoding."""

    def __init__(self, config: DeepSeekMathConfig):
        super().__init__()
        self.config = config
        self.model = DeepSeekMathModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids: torch.Tensor, position_ids: Optional[torch.Tensor] = None,
                cache: Optional[list[KVCache]] = None) -> torch.Tensor:
        """input_ids (B, T) -> logits (B, T, vocab_size)."""
        return self.lm_head(self.model(input_ids, position_ids=position_ids, cache=cache))

    def make_cache(self, batch_size: int, max_len: int) -> list[KVCache]:
        """One empty KVCache per layer (num_key_value_heads heads), the model's dtype and device."""
        c, w = self.config, self.lm_head.weight
        head_dim = c.hidden_size // c.num_attention_heads
        return [KVCache(batch_size, c.num_key_value_heads, max_len, head_dim, dtype=w.dtype, device=w.device)
                for _ in range(c.num_hidden_layers)]
