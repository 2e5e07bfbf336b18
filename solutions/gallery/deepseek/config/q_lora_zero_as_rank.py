"""q_lora_rank tested with `is None`: q_lora_rank=0 then counts a query path of rank 0 (an empty
q_a_proj and q_b_proj, a 0-sized norm), i.e. no query weights at all, where the contract (as in
mla/components) reads 0 as "no query compression": a plain q_proj of n * d_qk x H.

Fix: `if not config.q_lora_rank:` (None or 0) -> q_proj.
"""

from solutions.deepseek import config as _sol
from solutions.deepseek.config import *  # noqa: F401,F403 (the rest is correct)


def _attention_parameters(c):
    n, h = c.num_attention_heads, c.hidden_size
    d_qk = c.qk_nope_head_dim + c.qk_rope_head_dim
    if c.q_lora_rank is None:  # wrong: 0 also means no compression
        query = h * n * d_qk
    else:
        query = h * c.q_lora_rank + c.q_lora_rank + c.q_lora_rank * n * d_qk
    kv = (h * (c.kv_lora_rank + c.qk_rope_head_dim) + c.kv_lora_rank
          + c.kv_lora_rank * n * (c.qk_nope_head_dim + c.v_head_dim))
    return query + kv + n * c.v_head_dim * h


def count_parameters(config):
    saved = _sol._attention_parameters
    _sol._attention_parameters = _attention_parameters
    try:
        return _sol.count_parameters(config)
    finally:
        _sol._attention_parameters = saved
