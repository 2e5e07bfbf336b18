"""Inference benchmarks of the reference solutions (a script, not a test).

    python benchmarks/inference.py                    # every section, on CUDA if present
    python benchmarks/inference.py kv-cache flash     # chosen sections
    python benchmarks/inference.py --device cpu

Sections (one function each, registered in SECTIONS; add new ones there):
    kv-cache  decode tokens/s of one CachedSelfAttention layer with a KVCache and without one
              (re-running the whole prefix at every step), at several generation lengths
    flash     peak memory of naive attention (the whole (T, T) score matrix) vs
              flash_attention, at several sequence lengths

It runs katas.* from solutions/ (harness.loader.use_solutions()); on CPU it takes well under a
minute. Peak bytes on CPU come from harness.budgets.peak_bytes (tensor storage seen by a
dispatch mode); on CUDA from the caching allocator (harness.budgets.cuda_peak_bytes).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from harness.loader import use_solutions  # noqa: E402

use_solutions()

import torch  # noqa: E402

from harness.budgets import cuda_peak_bytes, peak_bytes  # noqa: E402


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def _table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  " + "  ".join(h.rjust(w) for h, w in zip(header, widths)))
    for row in rows:
        print("  " + "  ".join(c.rjust(w) for c, w in zip(row, widths)))


# ------------------------------------------------------------------------ kv-cache

def kv_cache(device: str) -> None:
    """Decode tokens/s of one attention layer, with and without a KV cache."""
    from katas.inference.kv_cache import CachedSelfAttention, KVCache

    B, C, H = 1, 256, 8
    torch.manual_seed(0)
    attn = CachedSelfAttention(C, H).to(device).eval()
    print(f"\n== kv-cache: decode tokens/s, one CachedSelfAttention(d_model={C}, n_heads={H}) layer, "
          f"batch {B}, {device}")
    print("   with a cache each step projects the new token and attends it over the cache (linear in "
          "the context);\n   without one each step re-runs the whole prefix (quadratic)")
    rows = []
    for n in (64, 128, 256, 512):
        x = torch.randn(B, n, C, device=device)
        with torch.no_grad():
            _sync(device)
            start = time.perf_counter()
            cache = KVCache(B, H, n, C // H, device=device)
            for t in range(n):
                attn(x[:, t:t + 1], cache)
            _sync(device)
            cached = time.perf_counter() - start
            start = time.perf_counter()
            for t in range(n):
                attn(x[:, :t + 1])[:, -1:]  # recompute everything, keep the newest token
            _sync(device)
            recompute = time.perf_counter() - start
        rows.append([str(n), f"{n / cached:,.0f}", f"{n / recompute:,.0f}", f"{recompute / cached:.1f}x"])
    _table(["tokens generated", "tokens/s with cache", "tokens/s without", "speed-up"], rows)


# ------------------------------------------------------------------------ flash

def flash(device: str) -> None:
    """Peak memory of naive attention vs flash_attention as T grows."""
    from katas.inference.flash import flash_attention

    def naive(q, k, v):
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., T, T)
        return torch.softmax(scores, dim=-1) @ v

    measure: Callable = cuda_peak_bytes if device == "cuda" else peak_bytes
    B, H, D, block = 1, 4, 64, 64
    print(f"\n== flash: peak memory, q, k, v ({B}, {H}, T, {D}) float32, block_size={block}, {device}")
    print("   naive attention holds (T, T) scores per head (quadratic); flash one tile per head "
          "(its output and row statistics grow linearly)")
    rows = []
    for T in (256, 512, 1024, 2048):
        q, k, v = (torch.randn(B, H, T, D, device=device) for _ in range(3))
        naive_peak = measure(naive, q, k, v)
        flash_peak = measure(flash_attention, q, k, v, block_size=block)
        rows.append([str(T), f"{naive_peak / 2**20:,.2f}", f"{flash_peak / 2**20:,.2f}",
                     f"{naive_peak / max(flash_peak, 1):.1f}x"])
    _table(["T", "naive MiB", "flash MiB", "naive / flash"], rows)


SECTIONS: dict[str, Callable[[str], None]] = {
    "kv-cache": kv_cache,
    "flash": flash,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sections", nargs="*", metavar="SECTION",
                        help=f"sections to run (default: all): {', '.join(SECTIONS)}")
    parser.add_argument("--device", choices=["cpu", "cuda"],
                        default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch.set_num_threads (default 1: small tensors run fastest on one thread)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    torch.set_num_threads(max(1, args.threads))
    for name in args.sections or SECTIONS:
        SECTIONS[name](args.device)
    return 0


if __name__ == "__main__":
    sys.exit(main())
