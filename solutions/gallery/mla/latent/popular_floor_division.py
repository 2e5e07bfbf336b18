"""popular_ratio with floor division: `2 * hidden_size // kv_lora_rank` happens to give 28 for
DeepSeek-V3 (7168 / 512 is whole), but the ratio is a float and most configs do not divide
evenly (2 * 1000 / 512 = 3.906, not 3).

Fix: return 2 * hidden_size / kv_lora_rank (true division).
"""

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)


def popular_ratio(hidden_size: int, kv_lora_rank: int) -> float:
    return 2 * hidden_size // kv_lora_rank  # wrong: floors, and returns an int
