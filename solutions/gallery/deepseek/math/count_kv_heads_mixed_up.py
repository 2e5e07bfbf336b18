"""count_parameters counts k_proj and v_proj with num_attention_heads heads: 4 * H * H per layer
for the attention. DeepSeekMath-7B has as many KV heads as heads, so its 6,910,365,696 comes
out right; any grouped-query config (fewer KV heads) is overcounted by
2 * H * (n - n_kv) * head_dim per layer.

Fix: q and o n * head_dim x H each, k and v num_key_value_heads * head_dim x H each.
"""

from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


def count_parameters(config):
    d = config.hidden_size
    attention = 4 * d * d                                 # wrong: K and V as wide as Q
    layer = attention + 3 * d * config.intermediate_size + 2 * d
    return 2 * config.vocab_size * d + config.num_hidden_layers * layer + d
