"""Multiplies the byte count by float(bytes_per_element) and returns int() of the product: the
type is right, but a float holds every integer only up to 2**53, so a large count (many
sequences of a long context) comes back rounded, and int() keeps the rounding.

Fix: multiply ints only: num_hidden_layers * batch_size * seq_len * (kv_lora_rank +
qk_rope_head_dim) * bytes_per_element."""

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.latent import mla_cache_elements


def mla_cache_bytes(config, seq_len, batch_size=1, bytes_per_element=2):
    per_token = mla_cache_elements(config["kv_lora_rank"], config["qk_rope_head_dim"])
    return int(config["num_hidden_layers"] * batch_size * seq_len * per_token * float(bytes_per_element))  # wrong
