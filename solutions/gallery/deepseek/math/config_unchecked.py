"""The head layout never checked: hidden_size 30 with 4 heads builds q_proj with 4 * 7 = 28
rows (head_dim = 30 // 4), heads that do not divide the KV heads build too, and an odd
head_dim only fails deep inside RoPE at the first forward (or never, if nobody runs it). The
contract asks for a ValueError naming the numbers, at construction.

Fix: check hidden_size % n, n_kv >= 1 and n % n_kv, and head_dim even, before building anything.
"""

from torch import nn

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class Attention(nn.Module):
    forward = _sol.Attention.forward

    def __init__(self, config):  # wrong: no checks
        super().__init__()
        d = config.hidden_size
        self.num_heads, self.num_kv_heads = config.num_attention_heads, config.num_key_value_heads
        self.head_dim = d // self.num_heads
        self.q_proj = nn.Linear(d, self.num_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d, max(self.num_kv_heads, 1) * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d, max(self.num_kv_heads, 1) * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.num_heads * self.head_dim, d, bias=False)


class DecoderLayer(_sol.DecoderLayer):
    def __init__(self, config):
        nn.Module.__init__(self)
        self.input_layernorm = _sol.RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = _sol.RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.mlp = _sol.Expert(config.hidden_size, config.intermediate_size)


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def __init__(self, config):
        nn.Module.__init__(self)
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = _sol.RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        head_dim = config.hidden_size // config.num_attention_heads
        cos, sin = _sol.rope_cache(head_dim, config.max_position_embeddings, base=config.rope_theta)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        nn.Module.__init__(self)
        self.config = config
        self.model = DeepSeekMathModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
