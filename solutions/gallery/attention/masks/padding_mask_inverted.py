"""Padding mask inverted: True on the padding instead of the real tokens. That is
nn.MultiheadAttention's key_padding_mask convention (True = ignore), but this kata (like
F.scaled_dot_product_attention's attn_mask) uses True = attend: real tokens are True."""

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)


def padding_mask(lengths: torch.Tensor, S: int) -> torch.Tensor:
    return torch.arange(S, device=lengths.device) >= lengths[:, None]  # wrong: True on padding
