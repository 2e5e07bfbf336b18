"""Drops the multi-token-prediction layer count with config.pop("num_nextn_predict_layers",
None) before sizing the cache: the number is right, but the caller's config dict has lost a
key (the stub says inputs must not be modified), so whatever reads the config next (a loader
that does build the MTP module) sees a model without it.

Fix: read only the keys you need (config["num_hidden_layers"], config["kv_lora_rank"],
config["qk_rope_head_dim"]); leave the rest alone, or copy the dict first."""

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.latent import mla_cache_bytes as _correct


def mla_cache_bytes(config, seq_len, batch_size=1, bytes_per_element=2):
    config.pop("num_nextn_predict_layers", None)  # wrong: the caller's dict loses a key
    return _correct(config, seq_len, batch_size, bytes_per_element)
