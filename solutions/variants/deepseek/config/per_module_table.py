"""Builds a dict of named parameter shapes (no modules, no tensors) and sums products; activated by filtering names."""

import math

from solutions.deepseek.config import DEEPSEEK_V2, DEEPSEEK_V3, TINY, DeepSeekConfig  # noqa: F401


def _shapes(c):
    h, n = c.hidden_size, c.num_attention_heads
    d_qk = c.qk_nope_head_dim + c.qk_rope_head_dim
    out = {"embed": (c.vocab_size, h), "norm": (h,)}
    if not c.tie_word_embeddings:
        out["lm_head"] = (c.vocab_size, h)
    for i in range(c.num_hidden_layers):
        p = f"layer{i}."
        out[p + "ln1"], out[p + "ln2"] = (h,), (h,)
        if c.q_lora_rank:
            out[p + "q_a"], out[p + "q_norm"] = (c.q_lora_rank, h), (c.q_lora_rank,)
            out[p + "q_b"] = (n * d_qk, c.q_lora_rank)
        else:
            out[p + "q"] = (n * d_qk, h)
        out[p + "kv_a"] = (c.kv_lora_rank + c.qk_rope_head_dim, h)
        out[p + "kv_norm"] = (c.kv_lora_rank,)
        out[p + "kv_b"] = (n * (c.qk_nope_head_dim + c.v_head_dim), c.kv_lora_rank)
        out[p + "o"] = (h, n * c.v_head_dim)
        if i < c.first_k_dense_replace:
            out[p + "mlp"] = (3, c.intermediate_size, h)
        else:
            out[p + "gate"] = (c.n_routed_experts, h)
            for j in range(c.n_routed_experts):
                out[p + f"routed{j}"] = (3, c.moe_intermediate_size, h)
            if c.n_shared_experts:
                out[p + "shared"] = (3, c.n_shared_experts * c.moe_intermediate_size, h)
    return out


def count_parameters(config):
    shapes = _shapes(config)
    total = sum(math.prod(s) for s in shapes.values())
    k = config.num_experts_per_tok

    def active(name):
        if name == "embed":
            return False
        if ".routed" in name:
            return int(name.split(".routed")[1]) < k
        return True

    activated = sum(math.prod(s) for name, s in shapes.items() if active(name))
    if config.tie_word_embeddings:
        activated += config.vocab_size * config.hidden_size  # the tied matrix works as the head
    return int(total), int(activated)
