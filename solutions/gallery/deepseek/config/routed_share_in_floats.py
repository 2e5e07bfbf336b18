"""Unused routed share computed in floats: activated = total - embedding - the experts a token
is not sent to, taken as int(all routed parameters * (1 - num_experts_per_tok / n_routed_experts)).
1 - 5/6 is not exact in binary, so the product lands just below the whole number and int() cuts
it: one parameter too few subtracted. Fix: integer arithmetic only:
n_moe * (n_routed_experts - num_experts_per_tok) * expert."""

from solutions.deepseek.config import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.config import _attention_parameters, _swiglu_parameters


def count_parameters(config: DeepSeekConfig) -> tuple[int, int]:
    c, h = config, config.hidden_size
    n_dense = min(c.first_k_dense_replace, c.num_hidden_layers)
    n_moe = c.num_hidden_layers - n_dense
    expert = _swiglu_parameters(h, c.moe_intermediate_size)
    shared_and_gate = c.n_routed_experts * h + c.n_shared_experts * expert
    routed = n_moe * c.n_routed_experts * expert
    body = (c.num_hidden_layers * (_attention_parameters(c) + 2 * h)
            + n_dense * _swiglu_parameters(h, c.intermediate_size) + h + n_moe * shared_and_gate)
    embedding = c.vocab_size * h
    total = embedding + (0 if c.tie_word_embeddings else embedding) + body + routed
    unused = int(routed * (1 - c.num_experts_per_tok / c.n_routed_experts))  # wrong: a float share, cut
    return total, total - (0 if c.tie_word_embeddings else embedding) - unused
