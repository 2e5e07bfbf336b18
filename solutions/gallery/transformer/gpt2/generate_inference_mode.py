"""Decorates generate with @torch.inference_mode() instead of @torch.no_grad(): the tokens it
returns are inference tensors, which autograd refuses later: feeding a sample back into a
training forward (fine-tuning on generated text) raises "Inference tensors cannot be saved
for backward".

Fix: @torch.no_grad(), which returns ordinary tensors."""

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    @torch.inference_mode()  # wrong: the result is an inference tensor
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        for _ in range(max_new_tokens):
            logits = self(idx[:, -self.config.block_size:])[:, -1, :]
            if temperature == 0:
                nxt = logits.argmax(-1, keepdim=True)
            else:
                logits = logits / temperature
                if top_k is not None:
                    kth = logits.topk(min(top_k, logits.shape[-1]), dim=-1).values[:, -1:]
                    logits = logits.masked_fill(logits < kth, float("-inf"))
                nxt = torch.multinomial(logits.softmax(-1), 1)
            idx = torch.cat([idx, nxt], dim=1)
        return idx
