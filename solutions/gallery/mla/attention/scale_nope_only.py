"""Scale with the nope dim only: a head's query and key have qk_nope_head_dim +
qk_rope_head_dim channels (the rope part is concatenated to the nope part), so the dot
product's variance grows with nope + rope and the softmax scale is 1/sqrt(nope + rope)
(DeepSeek: softmax_scale = qk_head_dim ** -0.5). 1/sqrt(nope) makes every score too large
(here by sqrt(20/12)), the softmax too sharp. Fix: (qk_nope_head_dim + qk_rope_head_dim) ** -0.5."""

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MultiHeadLatentAttention as _Correct


class MultiHeadLatentAttention(_Correct):
    def __init__(self, config):
        super().__init__(config)
        self.softmax_scale = config.qk_nope_head_dim ** -0.5  # wrong: the rope channels count too
