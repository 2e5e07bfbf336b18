"""Day 32 — deepseek/math: DeepSeekMath-7B, a Llama-style decoder built from your katas.

DeepSeekMath-7B (from the paper that introduced GRPO, deepseek/grpo) is not a DeepSeek-V2/V3
model: no latent attention, no experts. Its config.json says "LlamaForCausalLM": RMSNorm,
RoPE, multi-head attention with a KV cache, a SwiGLU MLP, an untied head. Hugging Face's
LlamaForCausalLM weights (same names) load into your model and give the same logits.

DeepSeekMathConfig (given below, frozen; field names as in the published config.json).
DEEPSEEK_MATH_7B = DeepSeekMathConfig() holds the numbers of deepseek-ai/deepseek-math-7b-base's
config.json (https://huggingface.co/deepseek-ai/deepseek-math-7b-base/blob/main/config.json;
the -instruct and -rl checkpoints share the architecture): hidden_size 4096,
intermediate_size 11008, num_hidden_layers 30, num_attention_heads 32, num_key_value_heads 32
(32 of 32: plain multi-head attention), vocab_size 102400, max_position_embeddings 4096,
rms_norm_eps 1e-6, rope_theta 10000.0. Fields of that file that change nothing here are left
out: hidden_act "silu", tie_word_embeddings false (the head is always untied here),
rope_scaling null, pretraining_tp 1, no attention or MLP biases, initializer_range, the token
ids. Vary it with dataclasses.replace(DEEPSEEK_MATH_7B, num_key_value_heads=8).

Sizes: H = hidden_size, n = num_attention_heads, n_kv = num_key_value_heads,
head_dim = H // n, G = n // n_kv (query heads per KV head).

Write:
    count_parameters(config) -> int: every parameter of DeepSeekMathForCausalLM(config), in
        closed form from the config's numbers (Python ints: build no module, allocate no
        tensor): embed_tokens and lm_head (vocab_size x H each, untied), per layer q_proj
        (n*head_dim x H), k_proj and v_proj (n_kv*head_dim x H each), o_proj (H x n*head_dim),
        gate_proj, up_proj (intermediate_size x H each), down_proj (H x intermediate_size),
        two RMSNorm weights (H each), and the final norm (H). For DEEPSEEK_MATH_7B:
        6,910,365,696 ("7B"; its checkpoint is 13.8 GB of bfloat16, 2 bytes a parameter).
        For any config the model accepts (no checks of its own).

    Attention(config) -> nn.Module, causal self-attention with RoPE and a KV cache.
        q_proj Linear(H, n*head_dim), k_proj and v_proj Linear(H, n_kv*head_dim),
        o_proj Linear(n*head_dim, H), all bias=False: K and V have num_key_value_heads heads,
        not num_attention_heads (the two differ as soon as a config has fewer KV heads).
        forward(x, cos, sin, cache=None) -> (B, T, H), x's dtype:
            x (B, T, H); cos, sin (B, T, head_dim // 2): row b, token t holds cos and sin of
            p * theta_i (i = 0 .. head_dim/2 - 1) for that token's position p, i.e. the rows
            of rope_cache's tables for the positions (DeepSeekMathModel makes them; any float
            dtype, used in x's dtype as apply_rope does);
            cache: this layer's KVCache (katas.inference.kv_cache) or None.
            1. q = q_proj(x).view(B, T, n, head_dim).transpose(1, 2); k and v likewise with n_kv
               heads (head h owns channels h*head_dim .. (h+1)*head_dim - 1, Llama's layout).
            2. RoPE on q and k (not v), in the ROTATE-HALF convention of Hugging Face's Llama
               (rotate_half: channel i pairs with channel i + head_dim/2), your
               positional/rope apply_rope(..., interleaved=False). Not the interleaved pairs
               of DeepSeek-V2/V3's MLA: DeepSeekMath is a Llama. apply_rope rotates token t
               with row t of the tables it is given, so rotate each sequence with its own
               rows: apply_rope(q[b], cos[b], sin[b]).
            3. With a cache: k, v = cache.update(k, v) (rotated keys are stored), S keys in all;
               without one S = T.
            4. Attention, scale 1 / sqrt(head_dim), softmax over the keys: query head h reads
               KV head h // G (grouped-query attention, as in inference/gqa; n_kv = n is plain
               multi-head attention). Causal, aligned bottom-right: the new token t sees keys
               0 .. S - T + t (the cached ones and the new ones up to itself). Use your
               attention/sdpa scaled_dot_product_attention with a bool attn_mask
               (torch.ones(T, S, dtype=torch.bool).tril(S - T)); inference/gqa's
               grouped_query_attention aligns is_causal top-left, wrong for a chunk after a
               cache. (Folding the G query heads of a KV head into its query rows,
               q.reshape(B, n_kv, G * T, head_dim) with the mask repeated G times, reads K
               and V without copying them per query head.)
            5. Merge the heads back to (B, T, n*head_dim) and apply o_proj.

    DecoderLayer(config) -> nn.Module, pre-norm:
        input_layernorm, post_attention_layernorm: RMSNorm(H, eps=config.rms_norm_eps)
            (norms/rms_norm); self_attn: Attention(config);
        mlp: Expert(H, intermediate_size) (deepseek/moe): down_proj(silu(gate_proj(x)) * up_proj(x)).
        forward(x, cos, sin, cache=None) -> (B, T, H):
            h = x + self_attn(input_layernorm(x), cos, sin, cache)
            return h + mlp(post_attention_layernorm(h))

    DeepSeekMathModel(config) -> nn.Module:
        embed_tokens nn.Embedding(vocab_size, H); layers: nn.ModuleList of num_hidden_layers
        DecoderLayer(config); norm RMSNorm(H, eps=rms_norm_eps) (the final norm).
        RoPE tables: rope_cache(head_dim, max_position_embeddings, base=config.rope_theta)
            (positional/rope): theta_i = rope_theta^(-2i/head_dim), float32 like Hugging
            Face's. Keep them out of the state_dict (register_buffer(..., persistent=False)
            moves them with the model and leaves the keys equal to Hugging Face's).
        forward(input_ids, position_ids=None, cache=None) -> normalised hidden states
            (B, T, H), the model's dtype: embed, every layer in order (layer i gets cache[i]),
            then norm.
            input_ids: (B, T) int64, B >= 1 and T >= 1.
            cache: None (a full causal forward of the T tokens) or the list that
                DeepSeekMathForCausalLM.make_cache returns; the T tokens go after the
                start = cache[0].length tokens already stored (0 without a cache).
            position_ids: the positions RoPE rotates the tokens by, int64, (B, T) (a row per
                sequence) or (1, T) (shared by every row). None: start, start + 1, ...,
                start + T - 1, so that decoding one token at a time through a cache goes on
                counting (never restarting at 0).
                Positions ONLY choose the rotation. Which keys a token sees is set by the
                cache order alone (step 4 above), as in Hugging Face given an attention_mask;
                a jump in position_ids is not the start of a new sequence.
            ValueError before any work (the cache left as it was):
                position_ids of any other shape ((T,) included);
                any position < 0 or >= max_position_embeddings, given or by default after a
                long cache: the message names that position and max_position_embeddings.
                (Default positions need no tensor read: start + T > max_position_embeddings.
                Given ones do: position_ids.min() / .max().)
    DeepSeekMathForCausalLM(config) -> nn.Module:
        model DeepSeekMathModel(config); lm_head nn.Linear(H, vocab_size, bias=False), its OWN
        weight (tie_word_embeddings false): not embed_tokens.weight.
        State-dict keys, exactly Hugging Face's LlamaForCausalLM: model.embed_tokens.weight,
        model.layers.{i}.input_layernorm.weight, model.layers.{i}.self_attn.{q,k,v,o}_proj.weight,
        model.layers.{i}.post_attention_layernorm.weight,
        model.layers.{i}.mlp.{gate,up,down}_proj.weight, model.norm.weight, lm_head.weight.
        forward(input_ids, position_ids=None, cache=None) -> logits (B, T, vocab_size), the
            model's dtype: lm_head(model(input_ids, position_ids, cache)).
            So, with cache = model.make_cache(B, 12):
                model(ids[:, :7], cache=cache); model(ids[:, 7:8], cache=cache); ...
            gives, row for row, the logits of model(ids); and a chunk after a cached prefix
            with explicit position_ids gives the logits of those tokens in the full forward
            with the same position_ids.
        make_cache(batch_size, max_len) -> list of num_hidden_layers empty
            KVCache(batch_size, n_kv, max_len, head_dim) (katas.inference.kv_cache), in the
            model's dtype and on its device (those of its weights). n_kv heads, not n: that is
            what grouped-query attention saves. More than max_len tokens: the KVCache's
            ValueError.
    The constructors (Attention, DecoderLayer, DeepSeekMathModel, DeepSeekMathForCausalLM)
    raise ValueError before building anything, naming the numbers, when n < 1 or H is not a
    multiple of n, when n_kv < 1 or n is not a multiple of n_kv, or when head_dim is odd (RoPE
    rotates channel pairs).

Conventions: float32 or float64 (model.double() makes everything float64, the cache too; the
RoPE tables carry float32 accuracy, as Hugging Face's). No dropout; train and eval modes
compute the same. Differentiable with respect to the weights. Any device: tensors you build
(default positions, the mask) go on the inputs' device. Inputs are not modified (the cache is
written, as intended).
You use your own katas: RMSNorm and pre_norm (norms/rms_norm), rope_cache and apply_rope
(positional/rope), scaled_dot_product_attention (attention/sdpa), KVCache
(inference/kv_cache), Expert (deepseek/moe).
Off limits: none.
Run: pytest katas/deepseek/math.py
"""

from dataclasses import dataclass
from typing import Optional

import torch
from torch import nn

from katas.attention.sdpa import scaled_dot_product_attention  # noqa: F401
from katas.deepseek.moe import Expert  # noqa: F401
from katas.inference.kv_cache import KVCache
from katas.norms.rms_norm import RMSNorm, pre_norm  # noqa: F401
from katas.positional.rope import apply_rope, rope_cache  # noqa: F401


@dataclass(frozen=True)
class DeepSeekMathConfig:
    vocab_size: int = 102400
    hidden_size: int = 4096
    intermediate_size: int = 11008       # the SwiGLU MLP's width
    num_hidden_layers: int = 30
    num_attention_heads: int = 32
    num_key_value_heads: int = 32        # fewer than num_attention_heads: grouped-query attention
    max_position_embeddings: int = 4096  # positions 0 .. 4095
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0          # RoPE's base


# deepseek-ai/deepseek-math-7b-base's config.json (the defaults above)
DEEPSEEK_MATH_7B = DeepSeekMathConfig()


def count_parameters(config: DeepSeekMathConfig) -> int:
    """Every parameter of DeepSeekMathForCausalLM(config), in closed form."""
    raise NotImplementedError


class Attention(nn.Module):
    """Causal self-attention: RoPE on q and k, num_key_value_heads KV heads, a KV cache."""

    def __init__(self, config: DeepSeekMathConfig):
        """q_proj, k_proj, v_proj, o_proj (no bias); ValueError for a bad head layout."""
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor,
                cache: Optional[KVCache] = None) -> torch.Tensor:
        """x (B, T, hidden), cos/sin (B, T, head_dim/2) -> (B, T, hidden)."""
        raise NotImplementedError


class DecoderLayer(nn.Module):
    """Pre-norm: attention, then a SwiGLU MLP, each around a residual."""

    def __init__(self, config: DeepSeekMathConfig):
        """input_layernorm, self_attn, post_attention_layernorm, mlp."""
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor,
                cache: Optional[KVCache] = None) -> torch.Tensor:
        """(B, T, hidden) -> (B, T, hidden)."""
        raise NotImplementedError


class DeepSeekMathModel(nn.Module):
    """Token embedding, the decoder layers, the final RMSNorm; RoPE tables for every position."""

    def __init__(self, config: DeepSeekMathConfig):
        """embed_tokens, layers, norm, and the RoPE tables (not in the state_dict)."""
        super().__init__()
        raise NotImplementedError

    def forward(self, input_ids: torch.Tensor, position_ids: Optional[torch.Tensor] = None,
                cache: Optional[list[KVCache]] = None) -> torch.Tensor:
        """input_ids (B, T) -> normalised hidden states (B, T, hidden)."""
        raise NotImplementedError


class DeepSeekMathForCausalLM(nn.Module):
    """DeepSeekMathModel plus an untied lm_head; a KV cache per layer for decoding."""

    def __init__(self, config: DeepSeekMathConfig):
        """model = DeepSeekMathModel(config), lm_head = Linear(hidden_size, vocab_size, bias=False)."""
        super().__init__()
        raise NotImplementedError

    def forward(self, input_ids: torch.Tensor, position_ids: Optional[torch.Tensor] = None,
                cache: Optional[list[KVCache]] = None) -> torch.Tensor:
        """input_ids (B, T) -> logits (B, T, vocab_size)."""
        raise NotImplementedError

    def make_cache(self, batch_size: int, max_len: int) -> list[KVCache]:
        """One empty KVCache per layer (num_key_value_heads heads), the model's dtype and device."""
        raise NotImplementedError
