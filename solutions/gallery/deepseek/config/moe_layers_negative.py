"""MoE layers counted as num_hidden_layers - first_k_dense_replace without a floor: when
first_k_dense_replace exceeds the layer count (every layer dense), the MoE count goes negative
and whole MoE blocks are subtracted from the total.

Fix: n_dense = min(first_k_dense_replace, num_hidden_layers); n_moe = layers - n_dense.
"""

from solutions.deepseek.config import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.config import _attention_parameters, _swiglu_parameters


def count_parameters(config):
    c = config
    h = c.hidden_size
    n_dense = c.first_k_dense_replace          # wrong: may exceed the layers
    n_moe = c.num_hidden_layers - n_dense      # negative then
    body = (c.num_hidden_layers * (_attention_parameters(c) + 2 * h)
            + n_dense * _swiglu_parameters(h, c.intermediate_size) + h)
    expert = _swiglu_parameters(h, c.moe_intermediate_size)
    common = c.n_routed_experts * h + c.n_shared_experts * expert
    head = 0 if c.tie_word_embeddings else c.vocab_size * h
    total = c.vocab_size * h + head + body + n_moe * (common + c.n_routed_experts * expert)
    activated = c.vocab_size * h + body + n_moe * (common + c.num_experts_per_tok * expert)
    return total, activated
