"""make_cache keeps its list on the model and hands the same one out again when asked for the
same batch size and length ("allocate once"). generate still works (it overwrites the slots
from position 0), but the contract's cache is new and empty at every call: two conversations
made with make_cache(1, 12) each now write into the same slots, and each one attends to the
other's latents.

Fix: build and return new MLACache objects at every call.
"""

from solutions.deepseek import model as _sol
from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.model import MLACache


class DeepSeekForCausalLM(_sol.DeepSeekForCausalLM):
    def make_cache(self, batch_size, max_len):
        weight = self.lm_head.weight
        key = (batch_size, max_len, weight.dtype, weight.device)
        kept = getattr(self, "_kept_cache", None)
        if kept is not None and kept[0] == key:
            return kept[1]  # wrong: the same (already written) caches again
        caches = [MLACache(self.config, batch_size, max_len, dtype=weight.dtype, device=weight.device)
                  for _ in self.model.layers]
        self._kept_cache = (key, caches)
        return caches
