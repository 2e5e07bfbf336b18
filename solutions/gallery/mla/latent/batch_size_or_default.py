"""batch_size = batch_size or 1: an explicit batch_size=0 (no sequence at all) reads as "not
given" and is counted as one sequence, so an empty batch reports a full sequence's bytes
instead of 0.

Fix: use batch_size as it is (its default is already 1 in the signature).
"""

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.latent import mla_cache_elements


def mla_cache_bytes(config, seq_len, batch_size=1, bytes_per_element=2):
    batch_size = batch_size or 1  # wrong: an explicit 0 is a value
    per_token = mla_cache_elements(config["kv_lora_rank"], config["qk_rope_head_dim"])
    return config["num_hidden_layers"] * batch_size * seq_len * per_token * bytes_per_element
