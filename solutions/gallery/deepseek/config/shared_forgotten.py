"""Shared experts forgotten: only the gate and the routed experts are counted in an MoE
layer. DeepSeekMoE also has n_shared_experts shared experts (fused into one MLP of width
n_shared_experts * moe_intermediate_size) that see every token: they belong to the total
AND to the activated count. V3 loses 2.6B of each, V2 2.8B. Fix: add
n_shared_experts * 3 * hidden_size * moe_intermediate_size per MoE layer to both."""

from solutions.deepseek.config import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.config import _attention_parameters, _swiglu_parameters


def count_parameters(config: DeepSeekConfig) -> tuple[int, int]:
    c, h = config, config.hidden_size
    n_dense = min(c.first_k_dense_replace, c.num_hidden_layers)
    n_moe = c.num_hidden_layers - n_dense
    expert = _swiglu_parameters(h, c.moe_intermediate_size)
    body = (c.num_hidden_layers * (_attention_parameters(c) + 2 * h)
            + n_dense * _swiglu_parameters(h, c.intermediate_size) + h)
    head = c.vocab_size * h
    total = head + (0 if c.tie_word_embeddings else head) + body + n_moe * (
        c.n_routed_experts * h + c.n_routed_experts * expert)  # no shared experts
    activated = head + body + n_moe * (c.n_routed_experts * h + c.num_experts_per_tok * expert)
    return total, activated
