"""Routed experts counted as active: every one of the n_routed_experts is added to the
activated count, as if each token ran through all of them. That is the dense-model habit;
the point of a mixture of experts is that the gate sends each token to only
num_experts_per_tok of them (8 of 256 in DeepSeek-V3), so only those k count as activated.
For V3 this gives ~660B "activated" instead of ~37B. Fix: k * expert in the activated sum."""

from solutions.deepseek.config import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.config import _attention_parameters, _swiglu_parameters


def count_parameters(config: DeepSeekConfig) -> tuple[int, int]:
    c, h = config, config.hidden_size
    n_dense = min(c.first_k_dense_replace, c.num_hidden_layers)
    n_moe = c.num_hidden_layers - n_dense
    expert = _swiglu_parameters(h, c.moe_intermediate_size)
    moe = c.n_routed_experts * h + c.n_shared_experts * expert + c.n_routed_experts * expert
    body = (c.num_hidden_layers * (_attention_parameters(c) + 2 * h)
            + n_dense * _swiglu_parameters(h, c.intermediate_size) + h + n_moe * moe)
    head = c.vocab_size * h
    total = (0 if c.tie_word_embeddings else head) + head + body
    return total, head + body  # every routed expert counted as activated
