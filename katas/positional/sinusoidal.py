"""Day 19 — positional/sinusoidal: the sinusoidal position table of "Attention Is All You Need".

Write:
    sinusoidal_table(max_len, d_model) -> (max_len, d_model) float32, max_len >= 1, d_model >= 1.
        Row pos is the encoding of position pos (0, 1, ..., max_len - 1). Channels come in
        pairs (2i, 2i + 1) that share one frequency, sin on the even channel and cos on the
        odd one (interleaved, NOT all the sines first and then all the cosines):
            PE[pos, 2i]     = sin(pos / 10000^(2i / d_model))
            PE[pos, 2i + 1] = cos(pos / 10000^(2i / d_model))
        The exponent is 2i / d_model, where 2i is the index of the pair's EVEN channel
        (i = 0, 1, ..., the pair number): channels 0 and 1 use 10000^0 (wavelength 2*pi),
        channels 2 and 3 use 10000^(2/d_model), and so on.
        Odd d_model: the same formula, channel by channel; the last channel (d_model - 1,
        which is even) is a sin whose pair has no cos: PE[pos, d_model - 1] =
        sin(pos / 10000^((d_model - 1) / d_model)).
        Compute in float32 or float64 as you like (positions counted exactly, past 2048 too);
        return float32, whatever torch.get_default_dtype() is (a table from torch.zeros(...)
        without dtype= follows it, and under a bfloat16 default it would also compute in bfloat16).
        No size limit; each call returns a new tensor that does not require grad (the caller may
        edit it in place).

Usage: x = token_embeddings + sinusoidal_table(T, d_model)[:T]  (broadcast over the batch).

Off limits: none.
Run: pytest katas/positional/sinusoidal.py
"""

import torch


def sinusoidal_table(max_len: int, d_model: int) -> torch.Tensor:
    """(max_len, d_model) float32: sin(pos / 10000^(2i/d)) on channel 2i, cos on channel 2i + 1."""
    raise NotImplementedError
