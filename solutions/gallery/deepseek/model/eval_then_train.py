"""generate switches to eval mode and back with self.train() at the end: a model that was in
eval mode comes back in train mode (dropout on, if it had any), which the caller never asked for.
The contract leaves the mode as it is, in both directions.

Fix: no mode change at all (nothing here depends on it), or remember `was = self.training` and
restore self.train(was).
"""

from solutions.deepseek import model as _sol
from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekForCausalLM(_sol.DeepSeekForCausalLM):
    def generate(self, input_ids, max_new_tokens):
        self.eval()
        out = super().generate(input_ids, max_new_tokens)
        self.train()  # wrong: the model may have been in eval mode
        return out
