"""greedy_decode builds the prefix and causal mask on src.device but its finished flags with
torch.zeros(B, dtype=torch.bool) and no device=: on a GPU the first
next_token.masked_fill(finished, eos_id) meets a CPU mask beside GPU tokens and fails with a
device mismatch (the first decode step already ran fine, so only later steps show it).

Fix: torch.zeros(B, dtype=torch.bool, device=src.device)."""

import torch

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)


@torch.no_grad()
def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    B = src.shape[0]
    memory = model.encode(src, src_key_padding_mask=src_key_padding_mask)
    ys = torch.full((B, 1), bos_id, dtype=torch.long, device=src.device)
    finished = torch.zeros(B, dtype=torch.bool)  # wrong: no device=
    while ys.shape[1] < max_len and not bool(finished.all()):
        T = ys.shape[1]
        causal = torch.ones(T, T, dtype=torch.bool, device=src.device).triu(1)
        logits = model.decode(ys, memory, tgt_mask=causal,
                              memory_key_padding_mask=src_key_padding_mask)
        next_token = logits[:, -1].argmax(dim=-1).masked_fill(finished, eos_id)
        ys = torch.cat([ys, next_token[:, None]], dim=1)
        finished |= next_token == eos_id
    return ys
