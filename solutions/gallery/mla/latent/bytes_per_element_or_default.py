"""bytes_per_element = bytes_per_element or 2: an explicit bytes_per_element=0 reads as "not
given" and is counted as BF16, so a zero-byte element size reports two bytes per element
instead of 0 (the same falsy-zero slip as `batch_size or 1`).

Fix: use bytes_per_element as it is (its default is already 2 in the signature).
"""

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.latent import mla_cache_elements


def mla_cache_bytes(config, seq_len, batch_size=1, bytes_per_element=2):
    bytes_per_element = bytes_per_element or 2  # wrong: an explicit 0 is a value
    per_token = mla_cache_elements(config["kv_lora_rank"], config["qk_rope_head_dim"])
    return config["num_hidden_layers"] * batch_size * seq_len * per_token * bytes_per_element
