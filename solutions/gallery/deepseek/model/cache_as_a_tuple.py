"""make_cache returns a tuple of MLACache: indexing works the same, but the contract returns a
list (a caller appends a layer's cache, or replaces one slot: cache[i] = ..., which a tuple
refuses). Fix: return [MLACache(...) for _ in self.model.layers]."""

from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.model import DeepSeekForCausalLM as _Correct


class DeepSeekForCausalLM(_Correct):
    def make_cache(self, batch_size, max_len):
        return tuple(super().make_cache(batch_size, max_len))  # wrong: a tuple, not a list
