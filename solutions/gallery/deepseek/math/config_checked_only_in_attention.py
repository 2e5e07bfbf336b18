"""The config checked only in Attention.__init__: DeepSeekMathModel and DeepSeekMathForCausalLM
still raise the ValueError (when their first layer builds its Attention), but only after the
embedding table (vocab_size x H: 1.7 GB of float32 for DeepSeekMath-7B) has been allocated.
The contract says the constructors raise before building anything.

Fix: check the config at the top of every constructor (one shared helper), before any submodule.
"""

from torch import nn

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.math import DecoderLayer, RMSNorm, rope_cache


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def __init__(self, config):
        nn.Module.__init__(self)  # wrong: no check of its own; Attention raises later
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        head_dim = config.hidden_size // config.num_attention_heads
        cos, sin = rope_cache(head_dim, config.max_position_embeddings, base=config.rope_theta)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        nn.Module.__init__(self)
        self.config = config
        self.model = DeepSeekMathModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
