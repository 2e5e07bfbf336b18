"""make_cache returns a tuple of KVCache: indexing works the same, but the contract returns a
list (a caller appends a layer's cache, or replaces one slot: cache[i] = ..., which a tuple
refuses). Fix: return [KVCache(...) for _ in range(num_hidden_layers)]."""

from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.math import DeepSeekMathForCausalLM as _Correct


class DeepSeekMathForCausalLM(_Correct):
    def make_cache(self, batch_size, max_len):
        return tuple(super().make_cache(batch_size, max_len))  # wrong: a tuple, not a list
