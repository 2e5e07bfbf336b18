"""Day 25 — inference/memory: KV-cache bytes, FLOPs, arithmetic intensity and rooflines.

Back-of-the-envelope arithmetic that decides how a model is served: how big the KV cache
gets, how many FLOPs a step costs, how many bytes it must move, and which of the two limits
the step on a given accelerator. Every function returns plain Python numbers.

Write:
    kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None,
                   dtype_bytes=2, kind="mha", kv_lora_rank=None, qk_rope_head_dim=None) -> int
        Bytes of the KV cache of `batch` sequences of `seq_len` tokens, over all layers, each
        element dtype_bytes bytes (2 for bf16/fp16, 4 for fp32, 1 for fp8/int8; an explicit
        dtype_bytes=0 gives 0 like any zero factor: only an omitted one is 2):
        kind="mha": every layer caches a key AND a value vector of head_dim per head, n_heads
                    heads, per token (n_kv_heads is ignored);
        kind="gqa": the same with n_kv_heads heads (grouped-query attention, day 23);
        kind="mqa": the same with one head (multi-query attention, day 24; n_kv_heads is
                    ignored);
        kind="mla": multi-head latent attention (DeepSeek-V2/V3) caches, per token and layer,
                    the compressed latent (kv_lora_rank elements) and the shared rope key
                    (qk_rope_head_dim elements): kv_lora_rank + qk_rope_head_dim elements, no
                    separate values and nothing per head (n_heads and head_dim are ignored).
        The spec compares it with the bytes of real cache tensors built with torch.empty.
        Returns an exact int, also for counts far beyond 2**53 (no float on the way: a
        division such as n_kv_heads / n_heads makes a float that rounds large counts).
        Raises ValueError naming the problem for an unknown kind (e.g. "MHA" or "gqa "),
        for kind="gqa" without n_kv_heads, and for kind="mla" without kv_lora_rank or
        qk_rope_head_dim (never silently fall back to another kind). "Without" means None:
        an explicit qk_rope_head_dim=0 (a latent cache with no rope key) is a given value, and
        so is kv_lora_rank=0.

    matmul_flops(m, n, k) -> int
        FLOPs of an (m, k) @ (k, n) product: m * n output elements, each a sum of k
        multiply-adds, and a multiply-add is 2 FLOPs (one multiply, one add), the convention
        of torch.utils.flop_counter.FlopCounterMode and of vendors' peak FLOP/s. An exact int.

    arithmetic_intensity(flops, bytes) -> float
        FLOPs per byte moved: flops / bytes, a float (also for int arguments: 8, 4 -> 2.0).

    roofline_time(flops, bytes, peak_flops, bandwidth) -> float
        Seconds under the roofline model: the step can go no faster than its compute
        (flops / peak_flops, peak_flops in FLOP/s) nor than its memory traffic
        (bytes / bandwidth, bandwidth in bytes/s), and overlaps the two: the larger one.
        A step is compute-bound when the first is larger, i.e. when its arithmetic
        intensity exceeds the ridge point peak_flops / bandwidth (about 295 FLOP/byte on
        an H100), memory-bound otherwise. A float (also for int arguments).

    decode_step_cost(config, context) -> (flops, bytes), a tuple of two exact ints
        One decode step (batch 1, one new token) of the decoder-only transformer below,
        where `context` is the number of keys the new token attends to in every layer (the
        tokens already cached plus the new one, context >= 1). config is a ModelConfig:
        d_model, n_layers, n_heads, n_kv_heads, head_dim, d_ff, vocab, dtype_bytes.
        The model, per layer (norms, residual adds, softmax and activation cost nothing here):
            q = x @ W_q          W_q: (d_model, n_heads * head_dim)
            k = x @ W_k          W_k: (d_model, n_kv_heads * head_dim)
            v = x @ W_v          W_v: (d_model, n_kv_heads * head_dim)
            append k and v to the layer's cache; then for each of the n_heads query heads,
            scores = q_h @ K^T over the `context` cached keys of its kv head (head_dim
            multiply-adds per key) and out_h = softmax(scores) @ V (head_dim values mixed
            from `context` positions);
            x = x + out @ W_o    W_o: (n_heads * head_dim, d_model)
            x = x + act(x @ W_up) @ W_down    W_up: (d_model, d_ff), W_down: (d_ff, d_model)
        then logits = x @ W_lm, W_lm: (d_model, vocab) (a separate matrix, not tied).
        flops: the matrix products above at 2 FLOPs per multiply-add, attention scores and
            values over the context included (what FlopCounterMode counts on such a model).
        bytes: every weight matrix above read once (W_q, W_k, W_v, W_o, W_up, W_down of
            every layer, and W_lm) plus the K and V cache of `context` positions read once
            in every layer, each element dtype_bytes bytes. Ignored: the embedding row,
            norm weights, activations and the write of the new k and v.
        The spec checks flops against FlopCounterMode on a small model built this way and
        bytes against its real tensors.

Given (data, not part of the task): ModelConfig, Hardware and H100, the figures used for
rooflines. H100 SXM5: 989.5e12 FLOP/s dense BF16 tensor-core peak (NVIDIA's H100 datasheet
gives 1,979 TFLOPS for BF16 "with sparsity"; dense is half; the Hopper whitepaper rounds it
to 989.4) and 3.35e12 bytes/s of HBM3 bandwidth (datasheet: 3.35 TB/s). Ridge point:
989.5e12 / 3.35e12 ≈ 295 FLOP per byte. With these, a long prefill is compute-bound and a
batch-1 decode step is memory-bound (the spec checks both).

Off limits: none.
Run: pytest katas/inference/memory.py
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelConfig:
    """A decoder-only transformer's dimensions (given)."""
    d_model: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    d_ff: int
    vocab: int
    dtype_bytes: int = 2


@dataclass(frozen=True)
class Hardware:
    """An accelerator's peak compute (FLOP/s) and memory bandwidth (bytes/s) (given)."""
    name: str
    peak_flops: float
    bandwidth: float


H100 = Hardware("NVIDIA H100 SXM5 (dense BF16, HBM3)", peak_flops=989.5e12, bandwidth=3.35e12)


def kv_cache_bytes(batch: int, seq_len: int, n_layers: int, n_heads: int, head_dim: int,
                   n_kv_heads: int | None = None, dtype_bytes: int = 2, kind: str = "mha",
                   kv_lora_rank: int | None = None, qk_rope_head_dim: int | None = None) -> int:
    """Bytes of the KV cache for kind "mha", "gqa", "mqa" or "mla"."""
    raise NotImplementedError


def matmul_flops(m: int, n: int, k: int) -> int:
    """FLOPs of (m, k) @ (k, n), 2 per multiply-add."""
    raise NotImplementedError


def arithmetic_intensity(flops: float, bytes: float) -> float:
    """FLOPs per byte."""
    raise NotImplementedError


def roofline_time(flops: float, bytes: float, peak_flops: float, bandwidth: float) -> float:
    """Seconds: the larger of compute time and memory time."""
    raise NotImplementedError


def decode_step_cost(config: ModelConfig, context: int) -> tuple[int, int]:
    """(flops, bytes) of one batch-1 decode step attending to `context` keys per layer."""
    raise NotImplementedError
