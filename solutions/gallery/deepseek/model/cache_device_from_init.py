"""Remembers the device in __init__ (self._device = self.lm_head.weight.device, the CPU where
the model was built) and makes every cache there. model.to("cuda") moves the parameters, not
that attribute: the caches of a model moved to a GPU stay on the CPU, and the first cached
forward mixes devices (or copies every step's latent across the bus).

Fix: read the device (and dtype) of the weights in make_cache itself:
self.lm_head.weight.device at the time of the call."""

from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.model import DeepSeekForCausalLM as _Correct
from katas.mla.attention import MLACache


class DeepSeekForCausalLM(_Correct):
    def __init__(self, config):
        super().__init__(config)
        self._device = self.lm_head.weight.device  # wrong: fixed at construction

    def make_cache(self, batch_size, max_len):
        dtype = self.lm_head.weight.dtype
        return [MLACache(self.config, batch_size, max_len, dtype=dtype, device=self._device)
                for _ in self.model.layers]
