"""FeedForward with a second dropout on its input, linear2(dropout(relu(linear1(dropout(x))))):
the contract has one dropout inside ff, after the activation; the input is never dropped (the
layers already drop each sublayer's output).

Fix: forward(x) = linear2(dropout(activation(linear1(x))))."""

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import FeedForward as _Correct


class FeedForward(_Correct):
    def forward(self, x):
        x = self.dropout(x)  # wrong: the input is not dropped
        return self.linear2(self.dropout(self.activation(self.linear1(x))))
