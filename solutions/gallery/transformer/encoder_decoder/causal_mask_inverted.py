"""Causal mask in the wrong convention: torch.ones(T, T).tril().bool() means "True = may
attend" to scaled_dot_product_attention, but the model's masks follow nn.MultiheadAttention,
where True = HIDDEN. Passed as tgt_mask it hides the past and the token itself and shows only
the future: the first position has nothing left to attend to (NaN), and the rest attend to
the wrong tokens. Fix: tgt_mask = torch.ones(T, T, dtype=torch.bool).triu(1), or
nn.Transformer.generate_square_subsequent_mask(T) (a float mask with -inf above the diagonal)."""

import torch

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)


@torch.no_grad()
def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    B = src.shape[0]
    memory = model.encode(src, src_key_padding_mask=src_key_padding_mask)
    ys = torch.full((B, 1), bos_id, dtype=torch.long, device=src.device)
    finished = torch.zeros(B, dtype=torch.bool, device=src.device)
    while ys.shape[1] < max_len and not bool(finished.all()):
        T = ys.shape[1]
        mask = torch.ones(T, T, dtype=torch.bool, device=src.device).tril()  # wrong: True = attend
        logits = model.decode(ys, memory, tgt_mask=mask, memory_key_padding_mask=src_key_padding_mask)
        next_token = logits[:, -1].argmax(dim=-1).masked_fill(finished, eos_id)
        ys = torch.cat([ys, next_token[:, None]], dim=1)
        finished |= next_token == eos_id
    return ys
