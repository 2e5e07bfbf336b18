"""Element count returned as a float: `2.0 * num_heads * head_dim` compares equal to 32768 but
is a float, and a count is used as a size (torch.empty(n), range(n)) where a float breaks.

Fix: keep integer arithmetic: return 2 * num_heads * head_dim.
"""

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)


def mha_cache_elements(num_heads: int, head_dim: int) -> int:
    return 2.0 * num_heads * head_dim  # wrong: a float count
