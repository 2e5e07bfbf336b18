"""How long the learner waits: the figures behind `katas watch`, measured in one run.

    python benchmarks/learner_loop.py [--kata tensors/creation] [--repeat 7] [--cold-repeat 3]
                                      [--selftest]

- import floor: a new process running `import torch, pytest` (what every cold run pays);
- cold run: `pytest katas/<kata>.py -x` in a new process (the learner's file as it is);
- warm re-run: `katas watch`'s in-process run of the same specs (harness.runner.run_kata),
  median of --repeat runs after the first;
- save -> verdict: a Watcher polling a scratch copy, from the write of the file to the printed
  verdict, polling latency included, for the pristine stub (not started), a typical mistake
  from the gallery (failing) and the reference solution (passed: the whole suite runs);
- with --selftest, the full self-test (`make test`'s pytest command: minutes).

Each figure is given as wall-clock seconds and as CPU seconds (user + system, of this process
or of the child): on a shared or busy machine the wall clock includes waiting for a core, the
CPU time is close to what an idle machine would show (the runs use one torch thread).

Progress goes to a temporary state file (KATAS_STATE), never to .katas/state.json, and the
scratch copies live in a temporary folder: nothing in the repository changes.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def children_cpu() -> float:
    """CPU seconds of the finished child processes (nan where the OS cannot tell)."""
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_process(args: list[str], env: dict) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit status) of a new process."""
    start, cpu = time.perf_counter(), children_cpu()
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, children_cpu() - cpu, proc.returncode


def median_process(args: list[str], env: dict, repeat: int) -> tuple[float, float, int]:
    runs = [timed_process(args, env) for _ in range(repeat)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            runs[-1][2])


def timed(fn):
    """(wall seconds, CPU seconds of this process, result) of fn()."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - start, time.process_time() - cpu, result


def save_to_verdict(kata, source: str, folder: Path, repeat: int) -> tuple[float, float, str]:
    """Median wall and CPU seconds from writing `source` to a scratch copy to the verdict on
    screen."""
    from harness import watch

    path = folder / kata.topic / f"{kata.name}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)

    class Scratch(watch.Watcher):  # a drill without the clock: the specs run on `path`
        file = property(lambda self: path)
        override = property(lambda self: path)

        def watched(self):
            return [path]

    watcher = Scratch(kata, out=io.StringIO())
    watch.loop(watcher, input=lambda: None, max_runs=1)  # the first run pays the first imports
    times, cpus = [], []
    for n in range(repeat):
        saved_at = []

        def save(n=n):
            time.sleep(0.05 + 0.1 * (n % 3))  # land anywhere in the polling interval
            path.write_text(source + f"\n# edit {n}\n")
            saved_at.append(time.perf_counter())

        writer = threading.Thread(target=save)
        writer.start()
        watch.loop(watcher, input=lambda: None, max_runs=watcher.runs + 1)
        times.append(time.perf_counter() - saved_at[0])
        cpus.append(watcher.last.cpu)
        writer.join()
    return statistics.median(times), statistics.median(cpus), watcher.last.status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kata", default="tensors/creation")
    parser.add_argument("--repeat", type=int, default=7, help="warm runs per figure")
    parser.add_argument("--cold-repeat", type=int, default=3, help="new processes per figure")
    parser.add_argument("--selftest", action="store_true", help="also time the full self-test")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="katas-bench-") as folder:
        return measure(args, Path(folder))


def measure(args, scratch: Path) -> int:
    """Print the figures; scratch is a temporary folder for the state file and copies."""
    os.environ["KATAS_STATE"] = str(scratch / "state.json")
    env = dict(os.environ)
    env.pop("PYTEST_XDIST_WORKER", None)
    from harness import curriculum, runner
    from harness.selftest import gallery, pristine_stub

    kata = curriculum.get(args.kata)
    py = sys.executable
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"kata {kata.id}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {load:.1f}")
    rows = []
    floor, floor_cpu, _ = median_process([py, "-c", "import torch, pytest"], env, args.cold_repeat)
    rows.append(("import floor: python -c 'import torch, pytest'", floor, floor_cpu, ""))
    cold, cold_cpu, code = median_process([py, "-m", "pytest", f"katas/{kata.id}.py", "-x", "-q",
                                           "-p", "no:cacheprovider"], env, args.cold_repeat)
    rows.append((f"cold: pytest katas/{kata.id}.py -x (new process)", cold, cold_cpu,
                 f"exit {code}"))

    seconds, cpu, _ = timed(runner.warm_up)
    rows.append(("watch: warm-up imports (once per session)", seconds, cpu, ""))
    first = runner.run_kata(kata)
    rows.append(("watch: first run after warm-up", first.seconds, first.cpu, first.status))
    runs = [runner.run_kata(kata) for _ in range(args.repeat)]
    warm = statistics.median(v.seconds for v in runs)
    warm_cpu = statistics.median(v.cpu for v in runs)
    rows.append((f"watch: warm re-run, your file (median of {args.repeat})", warm, warm_cpu,
                 runs[-1].status))

    stub = pristine_stub(kata, scratch / "stubs").read_text()
    variants = [("pristine stub", stub)]
    if mistakes := gallery(kata):
        variants.append((f"gallery mistake {mistakes[0].stem}", mistakes[0].read_text()))
    variants.append(("reference solution", kata.solution_path.read_text()))
    for n, (label, source) in enumerate(variants):
        seconds, cpu, status = save_to_verdict(kata, source, scratch / f"copy{n}", args.repeat)
        rows.append((f"save -> verdict: {label} (median of {args.repeat})", seconds, cpu, status))

    if args.selftest:
        seconds, cpu, code = timed_process([py, "-m", "pytest", "--solutions", "-n", "auto",
                                            "--hypothesis-profile", "ci", "-q", "-p",
                                            "no:cacheprovider", "specs", "harness/tests"], env)
        rows.append(("self-test: pytest --solutions -n auto ... specs harness/tests", seconds,
                     cpu, f"exit {code}"))

    width = max(len(row[0]) for row in rows)
    print(f"{'':<{width}}  {'wall':>8}  {'cpu':>8}")
    for label, seconds, cpu, note in rows:
        print(f"{label:<{width}}  {seconds:7.3f}s  {cpu:7.3f}s  {note}")
    print(f"\ncold run / warm re-run:     {cold / warm:5.1f}x wall, "
          f"{cold_cpu / warm_cpu:5.1f}x cpu")
    print(f"import floor / warm re-run: {floor / warm:5.1f}x wall, "
          f"{floor_cpu / warm_cpu:5.1f}x cpu")
    print(f"cold run - import floor:    {cold - floor:5.2f} s wall, "
          f"{cold_cpu - floor_cpu:5.2f} s cpu (pytest start-up, collection, specs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
