"""Only each block's ln_2 is built with eps=config.layer_norm_epsilon or 1e-5 (ln_1 and ln_f
take the value as given): an explicit layer_norm_epsilon of 0.0 silently becomes 1e-5 there,
which changes the normalisation of small activations before every MLP. (A check that makes
only the embeddings small never reaches ln_2: the attention branch's c_proj bias makes its
input large again.)

Fix: nn.LayerNorm(n_embd, eps=config.layer_norm_epsilon) in every LayerNorm, the value as given."""

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    def __init__(self, config):
        super().__init__(config)
        for block in self.transformer.h:
            block.ln_2.eps = config.layer_norm_epsilon or 1e-5  # wrong: an explicit 0.0 becomes 1e-5
