"""Day 28 — mla/attention: multi-head latent attention, its latent cache and the absorbed path.

With yesterday's pieces (katas/mla/components.py: MLAProjections gives queries, latent and
expand_kv) build DeepSeek's attention. Head h's score between a query at position m and a key
at position n is
    score = (q_nope[h, m] . k_nope[h, n] + q_rope[h, m] . k_rope[n]) * softmax_scale,
    softmax_scale = 1 / sqrt(qk_nope_head_dim + qk_rope_head_dim)   (the full query/key width),
with k_nope, v = expand_kv(c_kv) and ONE rope key k_rope per token shared by every head.
Causal: position m sees the keys at positions n <= m. Head h's output is softmax(scores) @ v[h];
the heads' outputs are concatenated (head after head) and projected by o_proj.

Decoding keeps a cache of the latents, not of keys and values. And since
q_nope . (W_UK c) = (q_nope W_UK) . c, the "absorbed" path folds W_UK into the query and never
expands the cache: scores come straight from the latents, and W_UV is applied after the
attention ((probs @ c) W_UV^T), so decode cost per cached token drops from
O(r * H * (nope + v)) to O(H * (2r + rope)). (DeepSeek-V3's inference/model.py: attn_impl
"naive" vs "absorb".)

Write:
    MLACache(config, batch_size, max_len, dtype=torch.float32, device=None)
        The cache of ONE attention layer. It holds exactly two tensors, zeros at first, of
        `dtype` on `device` (None: the default device, as for torch.zeros):
            c_kv    (batch_size, max_len, kv_lora_rank)      the NORMALISED latents
                    (kv_a_layernorm already applied: what latent() returns)
            k_rope  (batch_size, max_len, qk_rope_head_dim)  the ROTATED rope keys
        and nothing else: no per-head keys or values, so its size does not depend on the
        number of heads. Attribute names c_kv and k_rope are part of the API.
        update(c_kv, k_rope, start_pos) -> (c_kv_all, k_rope_all)
            c_kv (B, T, kv_lora_rank), k_rope (B, T, qk_rope_head_dim) are the tokens at
            positions start_pos .. start_pos + T - 1: store them there (rows :B), and return
            the cached (B, start_pos + T, .) prefixes (positions 0 .. start_pos + T - 1).
            ValueError if start_pos + T > max_len or B > batch_size, raised before anything
            is written (the cache is left as it was).

    MultiHeadLatentAttention(config): subclass MLAProjections (so the submodules keep
        DeepSeek's / Hugging Face's names) and add
            o_proj  nn.Linear(H * v_head_dim, hidden_size, bias=False)
        Its state_dict is then exactly Hugging Face's DeepseekV3Attention's (attention_bias
        False): q_a_proj, q_a_layernorm, q_b_proj (or q_proj), kv_a_proj_with_mqa,
        kv_a_layernorm, kv_b_proj, o_proj. config: an MLAConfig (or any object with the same
        field names, such as a model config).
        forward(x, cache=None, start_pos=0, absorb=False) -> (B, T, hidden_size)
            x: (B, T, hidden_size), the tokens at positions start_pos .. start_pos + T - 1
            (RoPE uses these positions: a decoded token at position 57 has start_pos=57).
            cache=None: attend among the T tokens of x only, causally (a full forward; with
                start_pos > 0 the tokens are simply further along).
            cache=MLACache: store the new tokens' latents and rope keys in the cache
                (cache.update at start_pos), then attend to every cached position
                0 .. start_pos + T - 1, causally (token start_pos + t sees positions
                <= start_pos + t). The caller passes start_pos = the number of tokens
                already cached: a prefill of 7 tokens (start_pos=0) then one token at a time
                (start_pos = 7, 8, ...) gives the same outputs as one forward of all tokens.
            absorb=False: the naive path: expand_kv every cached latent into per-head k_nope
                and v, then attention as above.
            absorb=True: the absorbed path, equal to the naive one (up to rounding) but
                never expanding the cache: with W = kv_b_proj.weight.view(H, nope + v, r),
                W_UK = W[:, :nope] (H, nope, r) and W_UV = W[:, nope:] (H, v, r):
                    q_latent[h] = q_nope[h] @ W_UK[h]                      (T, r)
                    scores[h]   = (q_latent[h] @ c_kv^T + q_rope[h] @ k_rope^T) * scale
                    out[h]      = (softmax(scores[h]) @ c_kv) @ W_UV[h]^T  (T, v)
            Works with and without a cache, for any T >= 1 and either path.

Conventions: DeepSeek-V3's inference/model.py (start_pos, naive vs absorb) and Hugging Face's
DeepseekV3Attention names; float32 or float64 (module, inputs and cache in the same dtype),
every step computed in that dtype: a float64 module agrees with a float64 reference to
1e-10, so no float32 softmax (Hugging Face's upcast is meant for half precision) and no
float32 constant such as a tensor-valued scale; no dropout, no YaRN scaling (softmax_scale
is exactly 1/sqrt(nope + rope)).
You use your own katas.mla.components (MLAConfig, MLAProjections).
Off limits: none (F.scaled_dot_product_attention is allowed; torch.einsum is handy).
Inputs must not be modified (the cache is meant to be written).
Run: pytest katas/mla/attention.py
"""

from typing import Optional

import torch
from torch import nn

from katas.mla.components import MLAConfig, MLAProjections


class MLACache:
    """The KV cache of one MLA layer: per token only the normalised latent and the rotated rope key."""

    def __init__(self, config: MLAConfig, batch_size: int, max_len: int,
                 dtype: torch.dtype = torch.float32, device: Optional[torch.device] = None):
        """Allocate c_kv (batch_size, max_len, kv_lora_rank) and k_rope (batch_size, max_len, rope), zeros."""
        raise NotImplementedError

    def update(self, c_kv: torch.Tensor, k_rope: torch.Tensor, start_pos: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Store positions start_pos .. start_pos+T-1; return everything cached up to them."""
        raise NotImplementedError


class MultiHeadLatentAttention(MLAProjections):
    """MLA (DeepSeek-V2/V3): queries, a shared latent KV and rope key, and o_proj."""

    def __init__(self, config: MLAConfig):
        """MLAProjections' submodules plus o_proj = Linear(H * v_head_dim, hidden_size, bias=False)."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor, cache: Optional[MLACache] = None, start_pos: int = 0,
                absorb: bool = False) -> torch.Tensor:
        """x (B, T, hidden) at positions start_pos.. -> (B, T, hidden); causal."""
        raise NotImplementedError
