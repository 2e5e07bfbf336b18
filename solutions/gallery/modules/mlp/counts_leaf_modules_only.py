"""Counts by recursing into children and adding up the parameters of the leaf modules only
(with a seen set, so tied weights count once): a module may hold parameters itself beside
its children (nn.MultiheadAttention's in_proj_weight next to its out_proj, a learnable
logit scale next to the layers), and those are never counted.

Fix: module.parameters() walks the module's own parameters and every sub-module's, each
shared parameter once: sum(p.numel() for p in module.parameters())."""

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


def count_parameters(module):
    seen = set()

    def walk(m):
        children = list(m.children())
        if children:
            return sum(walk(child) for child in children)
        total = 0
        for p in m.parameters():
            if id(p) not in seen:
                seen.add(id(p))
                total += p.numel()
        return total

    return walk(module)
