"""The two speed figures that must not regress: a cold one-kata run against the import floor,
and the self-test's cost per phase (optionally `make test` on a fresh clone).

    python benchmarks/speed.py [--katas tensors/creation,losses/softmax] [--pairs 5]
                               [--slowest 3] [--phases] [--make-test]

- cold / floor: `python -c "import torch, pytest"` and `pytest katas/<kata>.py -x` in new
  processes, alternating (floor, kata, floor, kata, ...) so that both see the same load;
  the median of --pairs rounds, as wall and CPU seconds, and their ratio (goal: <= 1.5x).
  --slowest N first times one cold run of every phase 1-3 kata and keeps the N slowest.
- --phases: the self-test's work per phase, in this process (harness.selftest.check): the
  specs on the solution (ci profile), on the stub, every gallery mistake and every variant,
  as CPU seconds; the sum is what `make test` spreads over its workers.
- --make-test: `git clone` of this checkout into a temporary folder and `make test` there,
  the venv set-up included (goal: <= 120 s wall and <= 240 CPU seconds on 2 idle cores).

CPU seconds (user + system) hardly move with other load; wall seconds do: read the load
average printed first. Progress goes to a temporary state file; the repository is untouched.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from learner_loop import ROOT, children_cpu, timed_process  # benchmarks/ is on sys.path

sys.path.insert(0, str(ROOT))
FLOOR = [sys.executable, "-c", "import torch, pytest"]


def cold_run(kata_id: str) -> list[str]:
    return [sys.executable, "-m", "pytest", f"katas/{kata_id}.py", "-x", "-q", "-p", "no:cacheprovider"]


def paired(kata_ids: list[str], env: dict, pairs: int) -> None:
    """Alternate the floor and each kata's cold run; print medians and ratios."""
    floor: list[tuple[float, float]] = []
    cold: dict[str, list[tuple[float, float]]] = {k: [] for k in kata_ids}
    for _ in range(pairs):
        for kata_id in kata_ids:
            floor.append(timed_process(FLOOR, env)[:2])
            cold[kata_id].append(timed_process(cold_run(kata_id), env)[:2])
    f_wall, f_cpu = (statistics.median(x[i] for x in floor) for i in (0, 1))
    print(f"\nimport floor (median of {len(floor)}): {f_wall:6.2f} s wall {f_cpu:6.2f} s cpu")
    print(f"{'cold pytest katas/<kata>.py -x':<40} {'wall':>7} {'cpu':>7} {'wall/floor':>11} {'cpu/floor':>10}")
    for kata_id, runs in cold.items():
        wall, cpu = (statistics.median(x[i] for x in runs) for i in (0, 1))
        print(f"{kata_id:<40} {wall:6.2f}s {cpu:6.2f}s {wall / f_wall:10.2f}x {cpu / f_cpu:9.2f}x")


def slowest(n: int, env: dict) -> list[str]:
    from harness import curriculum

    katas = [k for k in curriculum.built() if k.phase <= 3]
    times = {k.id: timed_process(cold_run(k.id), env)[0] for k in katas}
    return sorted(times, key=times.get, reverse=True)[:n]


def phases() -> None:
    """CPU seconds of the self-test's kata checks, per phase and part."""
    from harness import curriculum, selftest

    parts = ("solution", "stub", "gallery", "variants")
    print(f"\n{'self-test, cpu seconds':<28}" + "".join(f"{p:>10}" for p in parts) + f"{'total':>10}")
    grand = dict.fromkeys(parts, 0.0)
    for phase in sorted({k.phase for k in curriculum.built()}):
        totals: dict[str, float] = {}
        for kata in (k for k in curriculum.built() if k.phase == phase):
            with contextlib.redirect_stdout(io.StringIO()):
                problems = selftest.check(kata, timings=totals)
            if problems:
                print(f"  ({kata.id}: {len(problems)} self-test problems; run python -m harness.selftest {kata.id})")
        row = [totals.get(p, 0.0) for p in parts]
        for p, v in zip(parts, row):
            grand[p] += v
        print(f"{'phase ' + str(phase):<28}" + "".join(f"{v:10.1f}" for v in row) + f"{sum(row):10.1f}")
    print(f"{'all phases':<28}" + "".join(f"{grand[p]:10.1f}" for p in parts) + f"{sum(grand.values()):10.1f}")


def make_test() -> None:
    """`make test` in a fresh clone: what CI does."""
    with tempfile.TemporaryDirectory(prefix="katas-clone-") as folder:
        clone = Path(folder) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items() if k not in ("KATAS_STATE", "PYTEST_XDIST_WORKER")}
        start, cpu = time.perf_counter(), children_cpu()
        proc = subprocess.run(["make", "test"], cwd=clone, env=env, capture_output=True, text=True)
        wall, cpu = time.perf_counter() - start, children_cpu() - cpu
    lines = proc.stdout.strip().splitlines() or [""]
    print(f"\nmake test on a fresh clone: {wall:6.1f} s wall, {cpu:6.1f} s cpu, exit {proc.returncode}: {lines[-1]}")
    for line in (line for line in lines if line.startswith(("FAILED", "ERROR"))):
        print("  " + line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--katas", default="tensors/creation,losses/softmax,attention/sdpa",
                        help="comma-separated katas for the cold/floor pairs")
    parser.add_argument("--pairs", type=int, default=5, help="alternating rounds per kata (0: none)")
    parser.add_argument("--slowest", type=int, default=0, metavar="N",
                        help="pair the N slowest phase 1-3 katas instead of --katas")
    parser.add_argument("--phases", action="store_true", help="self-test CPU seconds per phase")
    parser.add_argument("--make-test", action="store_true", help="make test on a fresh clone")
    args = parser.parse_args()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.1f}")
    with tempfile.TemporaryDirectory(prefix="katas-speed-") as folder:
        os.environ["KATAS_STATE"] = str(Path(folder) / "state.json")
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
        if args.pairs > 0:
            kata_ids = slowest(args.slowest, env) if args.slowest else args.katas.split(",")
            paired(kata_ids, env, args.pairs)
        if args.phases:
            phases()
    if args.make_test:
        make_test()
    return 0


if __name__ == "__main__":
    sys.exit(main())
