"""allowed_special narrowed in place: `allowed_special &= set(self.special_tokens)` on a set
runs intersection_update, so encode(text, allowed_special={"<|unknown|>", EOT}) takes
"<|unknown|>" out of the caller's own set; the ids are right, but inputs must not be modified.

Fix: build a new set: allowed = set(allowed_special) & self.special_tokens.keys()."""

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def _allowed(self, allowed_special) -> set[str]:
        if allowed_special == "all":
            return set(self.special_tokens)
        if allowed_special == "none":
            return set()
        if isinstance(allowed_special, set):
            allowed_special &= set(self.special_tokens)  # in place: the caller's set changes
            return allowed_special
        return set(allowed_special) & self.special_tokens.keys()
