"""A shortcut for max_len = 1 (no step to take: the answer is the bos column) that returns
torch.full((B, 1), bos_id, dtype=torch.long) without device=: right values on the CPU, but on
another device the tokens come back on the CPU while src sits on the GPU, though the contract
returns them on src's device.

Fix: torch.full((B, 1), bos_id, dtype=torch.long, device=src.device), or no shortcut."""

import torch

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.encoder_decoder import greedy_decode as _correct


def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    if max_len == 1:
        return torch.full((src.shape[0], 1), bos_id, dtype=torch.long)  # wrong: on the CPU
    return _correct(model, src, bos_id, eos_id, max_len, src_key_padding_mask=src_key_padding_mask)
