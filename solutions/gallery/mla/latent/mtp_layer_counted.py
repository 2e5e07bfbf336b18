"""The multi-token-prediction module counted as an extra cached layer: num_hidden_layers +
num_nextn_predict_layers (61 + 1 for DeepSeek-V3's config.json). The contract's cache is the
decoder's, num_hidden_layers of them; the MTP module is a training aid (and an optional draft
model for speculative decoding), not loaded for ordinary decoding, so V3's cache is 61 x 576
numbers per token, not 62 x 576.

Fix: layers = config["num_hidden_layers"].
"""

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.latent import mla_cache_elements


def mla_cache_bytes(config, seq_len, batch_size=1, bytes_per_element=2):
    layers = config["num_hidden_layers"] + config.get("num_nextn_predict_layers", 0)  # wrong: + MTP
    per_token = mla_cache_elements(config["kv_lora_rank"], config["qk_rope_head_dim"])
    return layers * batch_size * seq_len * per_token * bytes_per_element
