"""Correct variant: split grid laid out (num_splits, B), scores and outputs as broadcast
multiply-and-sum instead of tl.dot, the rope and latent keys concatenated into one key tile,
splits cut at block granularity from the front, and a combine that loads all splits' lse at
once as a 2-D tile (max and sum over axis 0)."""

import math

import torch
import triton
import triton.language as tl


@triton.jit
def decode_split(q_ptr, qp_ptr, ckv_ptr, kpe_ptr, len_ptr, po_ptr, plse_ptr,
                 n_heads, rank, pe_dim, sm_scale,
                 q_b, q_h, q_c, qp_b, qp_h, qp_c, c_b, c_n, c_c, k_b, k_n, k_c,
                 N_SPLITS: tl.constexpr, BLOCK_N: tl.constexpr, BH: tl.constexpr,
                 BC: tl.constexpr, BP: tl.constexpr):
    split = tl.program_id(0)
    seq = tl.program_id(1)
    n_tok = tl.load(len_ptr + seq)
    n_blocks = tl.cdiv(n_tok, BLOCK_N)
    blocks_per_split = tl.cdiv(n_blocks, N_SPLITS)
    first = split * blocks_per_split * BLOCK_N
    last = tl.minimum(first + blocks_per_split * BLOCK_N, n_tok)
    heads = tl.arange(0, BH)
    cs = tl.arange(0, BC)
    ps = tl.arange(0, BP)
    hmask = heads < n_heads
    q = tl.load(q_ptr + seq * q_b + heads[:, None] * q_h + cs[None, :] * q_c,
                mask=hmask[:, None] & (cs[None, :] < rank), other=0.0).to(tl.float32)
    qp = tl.load(qp_ptr + seq * qp_b + heads[:, None] * qp_h + ps[None, :] * qp_c,
                 mask=hmask[:, None] & (ps[None, :] < pe_dim), other=0.0).to(tl.float32)
    row_max = tl.full([BH], float("-inf"), tl.float32)
    row_sum = tl.zeros([BH], tl.float32)
    out = tl.zeros([BH, BC], tl.float32)
    for k0 in range(first, last, BLOCK_N):
        keys = k0 + tl.arange(0, BLOCK_N)
        kmask = keys < last
        ck = tl.load(ckv_ptr + seq * c_b + keys[:, None] * c_n + cs[None, :] * c_c,
                     mask=kmask[:, None] & (cs[None, :] < rank), other=0.0).to(tl.float32)
        kp = tl.load(kpe_ptr + seq * k_b + keys[:, None] * k_n + ps[None, :] * k_c,
                     mask=kmask[:, None] & (ps[None, :] < pe_dim), other=0.0).to(tl.float32)
        logits = tl.sum(q[:, None, :] * ck[None, :, :], axis=2) + tl.sum(qp[:, None, :] * kp[None, :, :], axis=2)
        logits = tl.where(kmask[None, :], logits * sm_scale, float("-inf"))
        blk_max = tl.max(logits, axis=1)
        new_max = tl.where(blk_max > row_max, blk_max, row_max)
        shrink = tl.exp(row_max - new_max)
        w = tl.exp(logits - new_max[:, None])
        row_sum = row_sum * shrink + tl.sum(w, axis=1)
        out = out * shrink[:, None] + tl.sum(w[:, :, None] * ck[None, :, :], axis=1)
        row_max = new_max
    safe = tl.where(row_sum > 0, row_sum, 1.0)
    slot = (seq * N_SPLITS + split) * n_heads + heads
    tl.store(po_ptr + slot[:, None] * rank + cs[None, :], out / safe[:, None],
             mask=hmask[:, None] & (cs[None, :] < rank))
    tl.store(plse_ptr + slot, tl.where(row_sum > 0, row_max + tl.log(safe), float("-inf")), mask=hmask)


@triton.jit
def decode_combine(po_ptr, plse_ptr, o_ptr, lse_ptr, n_heads, rank,
                   N_SPLITS: tl.constexpr, SP: tl.constexpr, BH: tl.constexpr, BC: tl.constexpr):
    seq = tl.program_id(0)
    sp = tl.arange(0, SP)
    heads = tl.arange(0, BH)
    cs = tl.arange(0, BC)
    tile_mask = (sp[:, None] < N_SPLITS) & (heads[None, :] < n_heads)
    lses = tl.load(plse_ptr + (seq * N_SPLITS + sp[:, None]) * n_heads + heads[None, :],
                   mask=tile_mask, other=float("-inf"))                       # (SP, BH)
    top = tl.max(lses, axis=0)
    top = tl.where(heads < n_heads, top, 0.0)
    weights = tl.exp(lses - top[None, :])                                    # 0 for empty splits
    total = tl.sum(weights, axis=0)
    total = tl.where(heads < n_heads, total, 1.0)
    acc = tl.zeros([BH, BC], tl.float32)
    for s in range(N_SPLITS):
        slot = (seq * N_SPLITS + s) * n_heads + heads
        part = tl.load(po_ptr + slot[:, None] * rank + cs[None, :],
                       mask=(heads[:, None] < n_heads) & (cs[None, :] < rank), other=0.0)
        w_s = tl.sum(tl.where(sp[:, None] == s, weights, 0.0), axis=0)       # row s of weights
        acc += part * (w_s / total)[:, None]
    tl.store(o_ptr + (seq * n_heads + heads[:, None]) * rank + cs[None, :], acc.to(o_ptr.dtype.element_ty),
             mask=(heads[:, None] < n_heads) & (cs[None, :] < rank))
    tl.store(lse_ptr + seq * n_heads + heads, top + tl.log(total), mask=heads < n_heads)


def mla_decode(q_latent, q_rope, c_kv, k_rope, cache_seqlens, softmax_scale, num_splits=2, block_n=16):
    B, H, R = q_latent.shape
    P = q_rope.shape[-1]
    ok = (q_rope.shape == (B, H, P) and c_kv.ndim == 3 and c_kv.shape[0] == B and c_kv.shape[-1] == R
          and k_rope.shape == (B, c_kv.shape[1], P) and cache_seqlens.shape == (B,))
    if not ok:
        raise ValueError("q_latent (B, H, r), q_rope (B, H, rope), c_kv (B, S, r), k_rope (B, S, rope), "
                         f"cache_seqlens (B,) expected; got {tuple(q_latent.shape)}, {tuple(q_rope.shape)}, "
                         f"{tuple(c_kv.shape)}, {tuple(k_rope.shape)}, {tuple(cache_seqlens.shape)}")
    if num_splits < 1 or block_n < 1:
        raise ValueError("num_splits and block_n must be at least 1")
    o = torch.empty_like(q_latent, memory_format=torch.contiguous_format)
    lse = torch.empty(B, H, device=q_latent.device, dtype=torch.float32)
    if B == 0:
        return o, lse
    part_o = torch.zeros(B, num_splits, H, R, device=q_latent.device, dtype=torch.float32)
    part_lse = torch.zeros(B, num_splits, H, device=q_latent.device, dtype=torch.float32)
    bh, bc, bp = (triton.next_power_of_2(v) for v in (H, R, P))
    decode_split[(num_splits, B)](q_latent, q_rope, c_kv, k_rope, cache_seqlens, part_o, part_lse,
                                  H, R, P, softmax_scale, *q_latent.stride(), *q_rope.stride(),
                                  *c_kv.stride(), *k_rope.stride(),
                                  N_SPLITS=num_splits, BLOCK_N=block_n, BH=bh, BC=bc, BP=bp)
    decode_combine[(B,)](part_o, part_lse, o, lse, H, R, N_SPLITS=num_splits,
                         SP=triton.next_power_of_2(num_splits), BH=bh, BC=bc)
    return o, lse


def absorbed_decode(attn, x, cache, start_pos, num_splits=2, block_n=16):
    B, T, _ = x.shape
    if T != 1:
        raise ValueError(f"absorbed_decode takes exactly one token, got T = {T}")
    positions = torch.full((1,), start_pos, dtype=torch.long, device=x.device)
    q_nope, q_pe = attn.queries(x, positions)
    latent, k_pe = attn.latent(x, positions)
    latents, k_pes = cache.update(latent, k_pe, start_pos)
    H, nope, rope = q_nope.shape[1], q_nope.shape[-1], q_pe.shape[-1]
    rank = latents.shape[-1]
    w = attn.kv_b_proj.weight.unflatten(0, (H, -1))          # (H, nope + v, r)
    q_lat = torch.einsum("bhd,hdr->bhr", q_nope.squeeze(2), w[:, :nope])
    lengths = torch.full((B,), start_pos + 1, dtype=torch.int32, device=x.device)
    o_lat, _ = mla_decode(q_lat, q_pe.squeeze(2), latents, k_pes, lengths, 1 / math.sqrt(nope + rope),
                          num_splits=num_splits, block_n=block_n)
    out = torch.einsum("bhr,hvr->bhv", o_lat, w[:, nope:])
    return attn.o_proj(out.flatten(1).unsqueeze(1))
