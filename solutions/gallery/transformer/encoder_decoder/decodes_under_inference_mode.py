"""Decorates greedy_decode with @torch.inference_mode() instead of @torch.no_grad(): the ids it
returns are inference tensors, which autograd refuses later: feeding them to a training
forward (self-training on decoded targets) raises "Inference tensors cannot be saved for
backward".

Fix: @torch.no_grad(), which returns ordinary tensors."""

import torch

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)


@torch.inference_mode()  # wrong: the result is an inference tensor
def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    B = src.shape[0]
    memory = model.encode(src, src_key_padding_mask=src_key_padding_mask)
    ys = torch.full((B, 1), bos_id, dtype=torch.long, device=src.device)
    finished = torch.zeros(B, dtype=torch.bool, device=src.device)
    while ys.shape[1] < max_len and not bool(finished.all()):
        T = ys.shape[1]
        causal = torch.ones(T, T, dtype=torch.bool, device=src.device).triu(1)
        logits = model.decode(ys, memory, tgt_mask=causal,
                              memory_key_padding_mask=src_key_padding_mask)
        next_token = logits[:, -1].argmax(dim=-1).masked_fill(finished, eos_id)
        ys = torch.cat([ys, next_token[:, None]], dim=1)
        finished |= next_token == eos_id
    return ys
