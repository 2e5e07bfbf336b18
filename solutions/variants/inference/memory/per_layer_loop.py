"""Correct variant: explicit per-layer loops accumulating counts, elementwise formulas written out, no helper reuse."""

from solutions.inference.memory import H100, Hardware, ModelConfig  # noqa: F401 (given data)


def kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None, dtype_bytes=2, kind="mha",
                   kv_lora_rank=None, qk_rope_head_dim=None):
    if kind == "mha":
        per_token = n_heads * head_dim * 2
    elif kind == "gqa":
        if n_kv_heads is None:
            raise ValueError("n_kv_heads must be given for gqa")
        per_token = n_kv_heads * head_dim * 2
    elif kind == "mqa":
        per_token = head_dim * 2
    elif kind == "mla":
        if kv_lora_rank is None:
            raise ValueError("mla needs kv_lora_rank")
        if qk_rope_head_dim is None:
            raise ValueError("mla needs qk_rope_head_dim")
        per_token = kv_lora_rank + qk_rope_head_dim
    else:
        raise ValueError("unsupported kind: " + str(kind))
    total = 0
    for _ in range(n_layers):
        total += batch * seq_len * per_token * dtype_bytes
    return total


def matmul_flops(m, n, k):
    multiplies = m * n * k
    adds = m * n * k
    return multiplies + adds


def arithmetic_intensity(flops, bytes):
    return flops / bytes


def roofline_time(flops, bytes, peak_flops, bandwidth):
    return max(flops / peak_flops, bytes / bandwidth)


def decode_step_cost(config, context):
    c = config
    qd, kvd = c.n_heads * c.head_dim, c.n_kv_heads * c.head_dim
    flops = nbytes = 0
    for _ in range(c.n_layers):
        weight_elements = c.d_model * qd + 2 * c.d_model * kvd + qd * c.d_model + 2 * c.d_model * c.d_ff
        flops += 2 * weight_elements                       # one token through every matrix
        for _ in range(c.n_heads):
            flops += 2 * c.head_dim * context * 2          # scores and weighted values
        nbytes += weight_elements * c.dtype_bytes
        nbytes += 2 * context * kvd * c.dtype_bytes        # K and V of this layer
    flops += 2 * c.d_model * c.vocab
    nbytes += c.d_model * c.vocab * c.dtype_bytes
    return flops, nbytes
