"""FeedForward's dropout on its output instead of after the activation:
dropout(linear2(activation(linear1(x)))) drops whole output features, not hidden units, so the
regularisation acts on a different (and much smaller) set of activations than torch's layers.

Fix: forward(x) = linear2(dropout(activation(linear1(x)))): the dropout sits between the
activation and linear2."""

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import FeedForward as _Correct


class FeedForward(_Correct):
    def forward(self, x):
        return self.dropout(self.linear2(self.activation(self.linear1(x))))  # wrong place
