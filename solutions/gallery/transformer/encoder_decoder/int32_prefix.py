"""The target prefix is kept as int32 ("token ids fit in 32 bits, half the memory") and only
the returned tensor is cast to int64: model.decode receives an int32 tgt, but the model's
interface takes int64 token ids. nn.Embedding happens to accept int32, so a plain embedding
model works, while a model that calls F.one_hot, gathers, or indexes with tgt.long()-only
kernels fails (F.one_hot raises for anything but int64).

Fix: keep the prefix int64 from the start: torch.full((B, 1), bos_id, dtype=torch.long,
device=src.device); argmax already returns int64."""

import torch

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)


@torch.no_grad()
def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    B = src.shape[0]
    memory = model.encode(src, src_key_padding_mask=src_key_padding_mask)
    ys = torch.full((B, 1), bos_id, dtype=torch.int32, device=src.device)  # wrong: int32
    finished = torch.zeros(B, dtype=torch.bool, device=src.device)
    while ys.shape[1] < max_len and not bool(finished.all()):
        T = ys.shape[1]
        causal = torch.ones(T, T, dtype=torch.bool, device=src.device).triu(1)
        logits = model.decode(ys, memory, tgt_mask=causal,
                              memory_key_padding_mask=src_key_padding_mask)
        next_token = logits[:, -1].argmax(dim=-1).int().masked_fill(finished, eos_id)
        ys = torch.cat([ys, next_token[:, None]], dim=1)
        finished |= next_token == eos_id
    return ys.long()
