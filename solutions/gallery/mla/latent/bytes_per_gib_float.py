"""mla_cache_bytes computed through a float per-token figure (elements * bytes / 1, or a
GiB-style division undone later): the result equals the right number of bytes but is a float,
not the int the contract promises.

Fix: multiply ints only: layers * batch * seq_len * (kv_lora_rank + rope) * bytes_per_element.
"""

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)


def mla_cache_bytes(config, seq_len, batch_size=1, bytes_per_element=2):
    per_token_bytes = (config["kv_lora_rank"] + config["qk_rope_head_dim"]) * bytes_per_element / 1
    return config["num_hidden_layers"] * batch_size * seq_len * per_token_bytes  # wrong: a float
