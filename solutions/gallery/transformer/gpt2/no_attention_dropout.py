"""No dropout on the attention weights: softmax(q k^T / sqrt(hd)) @ v straight, so one of the
three places GPT-2 regularises is missing (train() outputs still differ from eval(), which hides
it).

Fix: weights = dropout(softmax(scores)) in train() mode (nn.Dropout(config.dropout)), or
F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=p if self.training else 0.0)."""

import torch.nn as nn

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    def __init__(self, config):
        super().__init__(config)
        for block in self.transformer.h:
            block.attn.attn_dropout = nn.Identity()  # wrong
