"""Correct variant: splits of a fixed number of blocks each (a split past the length is empty),
unnormalised partials (acc with its max m and sum l, no division in the split kernel), and a
one-pass online combine over the splits, one program per (sequence, head)."""

import torch
import triton
import triton.language as tl

LOG_TINY = -1e30


@triton.jit
def _split(Q, QR, C, K, LENS, ACC, ML, H, R, DR, scale,
           sqb, sqh, sqr, spb, sph, spd, scb, scn, scr, skb, skn, skd,
           SPLITS: tl.constexpr, BN: tl.constexpr, BH: tl.constexpr, BR: tl.constexpr, BD: tl.constexpr):
    b, sp = tl.program_id(0), tl.program_id(1)
    length = tl.load(LENS + b).to(tl.int32)
    blocks = tl.cdiv(length, BN)
    per = tl.cdiv(blocks, SPLITS)
    lo = sp * per * BN
    hi = tl.minimum(lo + per * BN, length)
    hh, rr, dd = tl.arange(0, BH), tl.arange(0, BR), tl.arange(0, BD)
    q = tl.load(Q + b * sqb + hh[:, None] * sqh + rr[None, :] * sqr,
                mask=(hh[:, None] < H) & (rr[None, :] < R), other=0.0).to(tl.float32) * scale
    qr = tl.load(QR + b * spb + hh[:, None] * sph + dd[None, :] * spd,
                 mask=(hh[:, None] < H) & (dd[None, :] < DR), other=0.0).to(tl.float32) * scale
    mx = tl.zeros([BH], dtype=tl.float32) + LOG_TINY
    den = tl.zeros([BH], dtype=tl.float32)
    num = tl.zeros([BH, BR], dtype=tl.float32)
    for start in range(lo, hi, BN):
        pos = start + tl.arange(0, BN)
        ok = pos < hi
        lat = tl.load(C + b * scb + pos[:, None] * scn + rr[None, :] * scr,
                      mask=ok[:, None] & (rr[None, :] < R), other=0.0).to(tl.float32)
        rk = tl.load(K + b * skb + pos[:, None] * skn + dd[None, :] * skd,
                     mask=ok[:, None] & (dd[None, :] < DR), other=0.0).to(tl.float32)
        sc = tl.dot(q, tl.trans(lat)) + tl.dot(qr, tl.trans(rk))
        sc = tl.where(ok[None, :], sc, LOG_TINY)
        new = tl.maximum(mx, tl.max(sc, axis=1))
        corr = tl.exp(mx - new)
        pr = tl.where(ok[None, :], tl.exp(sc - new[:, None]), 0.0)
        den = den * corr + tl.sum(pr, axis=1)
        num = num * corr[:, None] + tl.dot(pr, lat)
        mx = new
    base = (b * SPLITS + sp) * H + hh
    tl.store(ACC + base[:, None] * R + rr[None, :], num, mask=(hh[:, None] < H) & (rr[None, :] < R))
    tl.store(ML + base * 2, mx, mask=hh < H)
    tl.store(ML + base * 2 + 1, den, mask=hh < H)


@triton.jit
def _merge(ACC, ML, O, LSE, H, R, SPLITS: tl.constexpr, BR: tl.constexpr):
    b, h = tl.program_id(0), tl.program_id(1)
    rr = tl.arange(0, BR)
    mx = tl.zeros([1], dtype=tl.float32) + LOG_TINY
    den = tl.zeros([1], dtype=tl.float32)
    num = tl.zeros([BR], dtype=tl.float32)
    for sp in range(SPLITS):
        base = (b * SPLITS + sp) * H + h
        m_s = tl.load(ML + base * 2 + tl.arange(0, 1))
        l_s = tl.load(ML + base * 2 + 1 + tl.arange(0, 1))
        a_s = tl.load(ACC + base * R + rr, mask=rr < R, other=0.0)
        new = tl.maximum(mx, m_s)
        fo, fn = tl.exp(mx - new), tl.exp(m_s - new)
        den = den * fo + l_s * fn
        num = num * fo + a_s * fn
        mx = new
    tl.store(O + (b * H + h) * R + rr, (num / den).to(O.dtype.element_ty), mask=rr < R)
    tl.store(LSE + b * H + h + tl.arange(0, 1), mx + tl.log(den))


def _p2(n):
    return max(16, triton.next_power_of_2(n))


def mla_decode(q_latent, q_rope, c_kv, k_rope, cache_seqlens, softmax_scale, num_splits=2, block_n=16):
    if q_latent.dim() != 3 or q_rope.dim() != 3 or c_kv.dim() != 3 or k_rope.dim() != 3:
        raise ValueError("q_latent, q_rope, c_kv and k_rope must be 3-D")
    B, H, R = q_latent.shape
    DR = q_rope.shape[2]
    if (q_rope.shape[:2] != (B, H) or c_kv.shape[0] != B or c_kv.shape[2] != R
            or k_rope.shape != (B, c_kv.shape[1], DR) or tuple(cache_seqlens.shape) != (B,)):
        raise ValueError(f"mismatched shapes {tuple(q_latent.shape)} {tuple(q_rope.shape)} "
                         f"{tuple(c_kv.shape)} {tuple(k_rope.shape)} {tuple(cache_seqlens.shape)}")
    if num_splits < 1:
        raise ValueError(f"num_splits must be positive, got {num_splits}")
    if block_n < 1:
        raise ValueError(f"block_n must be positive, got {block_n}")
    dev = q_latent.device
    out = torch.empty(B, H, R, dtype=q_latent.dtype, device=dev)
    lse = torch.empty(B, H, dtype=torch.float32, device=dev)
    if B == 0:
        return out, lse
    acc = torch.empty(B, num_splits, H, R, dtype=torch.float32, device=dev)
    ml = torch.empty(B, num_splits, H, 2, dtype=torch.float32, device=dev)
    _split[(B, num_splits)](q_latent, q_rope, c_kv, k_rope, cache_seqlens, acc, ml, H, R, DR, softmax_scale,
                            *q_latent.stride(), *q_rope.stride(), *c_kv.stride(), *k_rope.stride(),
                            SPLITS=num_splits, BN=block_n, BH=_p2(H), BR=_p2(R), BD=_p2(DR))
    _merge[(B, H)](acc, ml, out, lse, H, R, SPLITS=num_splits, BR=_p2(R))
    return out, lse


def absorbed_decode(attn, x, cache, start_pos, num_splits=2, block_n=16):
    if x.dim() != 3 or x.shape[1] != 1:
        raise ValueError(f"one token per sequence expected, got x of shape {tuple(x.shape)}")
    B = x.shape[0]
    pos = torch.tensor([start_pos], device=x.device)
    q_nope, q_rope = attn.queries(x, pos)
    c_new, kr_new = attn.latent(x, pos)
    c_all, kr_all = cache.update(c_new, kr_new, start_pos)
    H, nope, rope, r = q_nope.shape[1], q_nope.shape[3], q_rope.shape[3], c_all.shape[2]
    w = attn.kv_b_proj.weight.reshape(H, -1, r)
    q_lat = (q_nope[:, :, 0, None, :] @ w[:, :nope]).squeeze(2)      # (B, H, r)
    lens = torch.full((B,), start_pos + 1, dtype=torch.int64, device=x.device)
    o_lat, _ = mla_decode(q_lat, q_rope[:, :, 0], c_all, kr_all, lens, 1.0 / (nope + rope) ** 0.5,
                          num_splits=num_splits, block_n=block_n)
    o = (o_lat[:, :, None, :] @ w[:, nope:].transpose(1, 2)).squeeze(2)  # (B, H, v)
    return attn.o_proj(o.reshape(B, 1, -1))
