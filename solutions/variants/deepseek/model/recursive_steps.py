"""Solution's modules; generate written as prefill plus a while loop that feeds the last column, under a no_grad context, mode untouched."""

import torch

from solutions.deepseek.model import DeepSeekModel  # noqa: F401
from solutions.deepseek.model import DeepSeekForCausalLM as _Base


class DeepSeekForCausalLM(_Base):
    def generate(self, input_ids, max_new_tokens):
        with torch.no_grad():
            seq = input_ids.clone()
            if max_new_tokens == 0:
                return seq
            T0 = input_ids.shape[1]
            cache = self.make_cache(input_ids.shape[0], T0 + max_new_tokens)
            logits = self.forward(seq, cache, 0)
            while True:
                seq = torch.cat([seq, logits[:, -1:].argmax(-1)], dim=1)
                if seq.shape[1] == T0 + max_new_tokens:
                    return seq
                logits = self.forward(seq[:, -1:], cache, seq.shape[1] - 1)
