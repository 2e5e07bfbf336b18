"""Keeps o_latent in a module-level dict keyed by shape and dtype, reused at the next call of
the same shape: the second call overwrites the tensor the first call returned.

Fix: allocate a new o_latent (torch.empty) at every call."""

import torch
import triton
import triton.language as tl


@triton.jit
def _mla_split_kernel(q_lat_ptr, q_rope_ptr, c_kv_ptr, k_rope_ptr, seqlens_ptr, o_part_ptr, lse_part_ptr,
                      H, R, DR, scale,
                      s_qb, s_qh, s_qr, s_pb, s_ph, s_pd,
                      s_cb, s_cn, s_cr, s_kb, s_kn, s_kd,
                      NUM_SPLITS: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_H: tl.constexpr,
                      BLOCK_R: tl.constexpr, BLOCK_DR: tl.constexpr):
    """Program (b, split): every head of sequence b against the keys of one split."""
    b = tl.program_id(0)
    split = tl.program_id(1)
    seqlen = tl.load(seqlens_ptr + b)
    per_split = (seqlen + NUM_SPLITS - 1) // NUM_SPLITS                # cdiv, in plain arithmetic
    chunk = (per_split + BLOCK_N - 1) // BLOCK_N * BLOCK_N             # whole blocks per split
    start = split * chunk
    end = tl.minimum(start + chunk, seqlen)                          # may be <= start: empty split

    h = tl.arange(0, BLOCK_H)
    r = tl.arange(0, BLOCK_R)
    d = tl.arange(0, BLOCK_DR)
    hm, rm, dm = h < H, r < R, d < DR
    # the heads' queries: one (H, r) tile and one (H, rope) tile, loaded once per program
    q = tl.load(q_lat_ptr + b * s_qb + h[:, None] * s_qh + r[None, :] * s_qr,
                mask=hm[:, None] & rm[None, :], other=0.0).to(tl.float32)
    qr = tl.load(q_rope_ptr + b * s_pb + h[:, None] * s_ph + d[None, :] * s_pd,
                 mask=hm[:, None] & dm[None, :], other=0.0).to(tl.float32)

    m = tl.full([BLOCK_H], float("-inf"), dtype=tl.float32)   # running max of each head's scores
    l = tl.zeros([BLOCK_H], dtype=tl.float32)                 # running sum of exp(score - m)
    acc = tl.zeros([BLOCK_H, BLOCK_R], dtype=tl.float32)      # running sum of exp(score - m) * c_kv
    for n0 in range(start, end, BLOCK_N):
        n = n0 + tl.arange(0, BLOCK_N)
        nm = n < end                                           # the ragged last block
        # one latent row and one rope key per position, shared by every head
        c = tl.load(c_kv_ptr + b * s_cb + n[:, None] * s_cn + r[None, :] * s_cr,
                    mask=nm[:, None] & rm[None, :], other=0.0).to(tl.float32)
        kr = tl.load(k_rope_ptr + b * s_kb + n[:, None] * s_kn + d[None, :] * s_kd,
                     mask=nm[:, None] & dm[None, :], other=0.0).to(tl.float32)
        s = (tl.dot(q, tl.trans(c)) + tl.dot(qr, tl.trans(kr))) * scale   # (H, BLOCK_N)
        s = tl.where(nm[None, :], s, float("-inf"))
        m_new = tl.maximum(m, tl.max(s, axis=1))
        alpha = tl.exp(m - m_new)                              # rescales what was summed so far
        p = tl.exp(s - m_new[:, None])
        l = l * alpha + tl.sum(p, axis=1)
        acc = acc * alpha[:, None] + tl.dot(p, c)
        m = m_new

    # An empty split (no key) has m = -inf, l = 0 and acc = 0: it stores lse = -inf and o = 0,
    # so the combine gives it weight exp(-inf) = 0. Otherwise l >= 1 (the max contributes 1).
    l = tl.maximum(l, 1e-30)
    lse = m + tl.log(l)
    o = acc / l[:, None]
    part = (b * NUM_SPLITS + split) * H
    tl.store(o_part_ptr + (part + h[:, None]) * R + r[None, :], o, mask=hm[:, None] & rm[None, :])
    tl.store(lse_part_ptr + part + h, lse, mask=hm)


@triton.jit
def _mla_combine_kernel(o_part_ptr, lse_part_ptr, o_ptr, lse_ptr, H, R,
                        NUM_SPLITS: tl.constexpr, BLOCK_H: tl.constexpr, BLOCK_R: tl.constexpr):
    """Program b: merge the splits' (o, lse) of every head of sequence b."""
    b = tl.program_id(0)
    h = tl.arange(0, BLOCK_H)
    r = tl.arange(0, BLOCK_R)
    hm, rm = h < H, r < R
    m = tl.full([BLOCK_H], float("-inf"), dtype=tl.float32)
    for split in range(NUM_SPLITS):
        m = tl.maximum(m, tl.load(lse_part_ptr + (b * NUM_SPLITS + split) * H + h, mask=hm, other=0.0))
    l = tl.zeros([BLOCK_H], dtype=tl.float32)
    acc = tl.zeros([BLOCK_H, BLOCK_R], dtype=tl.float32)
    for split in range(NUM_SPLITS):
        part = (b * NUM_SPLITS + split) * H
        w = tl.exp(tl.load(lse_part_ptr + part + h, mask=hm, other=0.0) - m)   # 0 for an empty split
        o_s = tl.load(o_part_ptr + (part + h[:, None]) * R + r[None, :], mask=hm[:, None] & rm[None, :], other=0.0)
        acc += w[:, None] * o_s
        l += w
    tl.store(o_ptr + (b * H + h[:, None]) * R + r[None, :], (acc / l[:, None]).to(o_ptr.dtype.element_ty),
             mask=hm[:, None] & rm[None, :])
    tl.store(lse_ptr + b * H + h, m + tl.log(l), mask=hm)


_BUF = {}


def _block(n: int) -> int:
    return max(16, triton.next_power_of_2(n))  # tl.dot wants tiles of at least 16 on a GPU


def mla_decode(q_latent: torch.Tensor, q_rope: torch.Tensor, c_kv: torch.Tensor, k_rope: torch.Tensor,
               cache_seqlens: torch.Tensor, softmax_scale: float, num_splits: int = 2, block_n: int = 16):
    """(o_latent (B, H, r) in q's dtype, lse (B, H) float32); two launches: splits, combine."""
    B, H, R = q_latent.shape
    DR = q_rope.shape[-1]
    if q_rope.shape != (B, H, DR) or c_kv.dim() != 3 or c_kv.shape[0] != B or c_kv.shape[2] != R \
            or k_rope.shape != (B, c_kv.shape[1], DR) or cache_seqlens.shape != (B,):
        raise ValueError(f"shapes do not fit: q_latent {tuple(q_latent.shape)}, q_rope {tuple(q_rope.shape)}, "
                         f"c_kv {tuple(c_kv.shape)}, k_rope {tuple(k_rope.shape)}, "
                         f"cache_seqlens {tuple(cache_seqlens.shape)}")
    if num_splits < 1 or block_n < 1:
        raise ValueError(f"num_splits and block_n must be >= 1, got {num_splits} and {block_n}")
    o_part = torch.empty((B, num_splits, H, R), dtype=torch.float32, device=q_latent.device)
    lse_part = torch.empty((B, num_splits, H), dtype=torch.float32, device=q_latent.device)
    key = (B, H, R, q_latent.dtype)
    if key not in _BUF:
        _BUF[key] = torch.empty((B, H, R), dtype=q_latent.dtype, device=q_latent.device)
    o = _BUF[key]
    lse = torch.empty((B, H), dtype=torch.float32, device=q_latent.device)
    if B == 0:
        return o, lse
    block_h, block_r, block_dr = _block(H), _block(R), _block(DR)
    _mla_split_kernel[(B, num_splits)](
        q_latent, q_rope, c_kv, k_rope, cache_seqlens, o_part, lse_part, H, R, DR, softmax_scale,
        *q_latent.stride(), *q_rope.stride(), *c_kv.stride(), *k_rope.stride(),
        NUM_SPLITS=num_splits, BLOCK_N=block_n, BLOCK_H=block_h, BLOCK_R=block_r, BLOCK_DR=block_dr)
    _mla_combine_kernel[(B,)](o_part, lse_part, o, lse, H, R,
                              NUM_SPLITS=num_splits, BLOCK_H=block_h, BLOCK_R=block_r)
    return o, lse


def absorbed_decode(attn, x: torch.Tensor, cache, start_pos: int, num_splits: int = 2,
                    block_n: int = 16) -> torch.Tensor:
    """attn(x, cache, start_pos, absorb=True) for one new token per sequence, the attention
    itself done by mla_decode over the latent cache."""
    B, T, _ = x.shape
    if T != 1:
        raise ValueError(f"absorbed_decode decodes one token per sequence, got x of shape {tuple(x.shape)}")
    positions = torch.arange(start_pos, start_pos + 1, device=x.device)
    q_nope, q_rope = attn.queries(x, positions)                  # (B, H, 1, nope), (B, H, 1, rope)
    c_kv, k_rope = attn.latent(x, positions)                     # (B, 1, r), (B, 1, rope)
    c_all, k_rope_all = cache.update(c_kv, k_rope, start_pos)    # (B, start_pos + 1, .)
    H, nope, rope = q_nope.shape[1], q_nope.shape[-1], q_rope.shape[-1]
    r = c_all.shape[-1]
    w = attn.kv_b_proj.weight.view(H, -1, r)                     # (H, nope + v, r)
    w_uk, w_uv = w[:, :nope], w[:, nope:]
    q_latent = torch.einsum("bhd,hdc->bhc", q_nope[:, :, 0], w_uk)
    seqlens = torch.full((B,), start_pos + 1, dtype=torch.int32, device=x.device)
    o_latent, _ = mla_decode(q_latent, q_rope[:, :, 0], c_all, k_rope_all, seqlens, (nope + rope) ** -0.5,
                             num_splits=num_splits, block_n=block_n)
    o = torch.einsum("bhc,hvc->bhv", o_latent, w_uv)             # (B, H, v)
    return attn.o_proj(o.reshape(B, 1, -1))
