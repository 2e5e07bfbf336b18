"""allowed_special == "all" tested as `"all" in allowed_special`, so a collection holding the
string "all" (encode(text, allowed_special=("all",))) allows every special token, where only
the str "all" does: inside a collection "all" names no special token of this tokenizer and is
ignored, so no special token is allowed.

Fix: compare the argument itself: if allowed_special == "all": ...; elif allowed_special ==
"none": ...; else keep set(allowed_special) & self.special_tokens.keys()."""

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def _allowed(self, allowed_special) -> set[str]:
        if "all" in allowed_special:  # also true for ("all",) or {"all", ...}
            return set(self.special_tokens)
        if allowed_special == "none":
            return set()
        return set(allowed_special) & self.special_tokens.keys()
