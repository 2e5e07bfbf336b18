"""FeedForward flattens its input with x.view(-1, d_model) (and views the result back): right
for contiguous inputs, but .view raises on a non-contiguous x (a transposed or sliced tensor),
which the contract's "(..., d_model)" input allows.

Fix: nn.Linear takes any leading dims, so no flatten is needed (or use .reshape)."""

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import FeedForward as _Correct


class FeedForward(_Correct):
    def forward(self, x):
        flat = x.view(-1, x.shape[-1])  # wrong: .view on a non-contiguous x raises
        return self.linear2(self.dropout(self.activation(self.linear1(flat)))).view(x.shape)
