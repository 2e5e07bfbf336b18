"""A private stand-in for harness/distributed.py's rank pool, for the pipeline, context_parallel
and expert_parallel specs (the lead may move them onto the shared pool).

    results = on_ranks(2, check, arg1, arg2)   # check(rank, world_size, arg1, arg2) on each rank

Each call forks `world_size` processes (a forked child does not re-import torch), joins them
into a gloo process group through a FileStore in a temporary directory (no ports), runs
`check` on every rank with one torch thread, and returns each rank's (picklable) result in
rank order. RankCases runs many checks in one such group (a barrier between them; a message
a wrong check leaves unreceived can reach a later check of the same group: each check's own
specs judge it first, as they run in registration order). Every torch.distributed call a rank makes is counted (`comm()` inside a check:
calls and bytes per op). Faults fail clearly, never hang:

- a rank that raises: SpecFailure naming the rank, the exception and the learner's line (a
  stub's NotImplementedError is raised again in the parent at the stub's own line, so the
  plugin reads "not started");
- a deadlock (a blocking send whose recv is never posted, a skipped collective): gloo's own
  timeout (PG_TIMEOUT s) ends the op; the failure names each rank and the op it was stuck in;
- a child that neither answers nor times out is killed after CHECK_TIMEOUT s.
A rank that has answered stays alive (a peer may still be connecting to it) until every rank
has answered; then the parent kills and reaps them all. Children also die with the parent
(PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import faulthandler
import gc
import datetime
import linecache
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import time
import traceback
from collections import Counter

import torch
import torch.distributed as dist

from harness.failures import SpecFailure

PG_TIMEOUT = 3.0  # seconds a blocked send/recv/collective waits before gloo raises
CHECK_TIMEOUT = 10.0  # seconds before a silent rank is killed (pytest-timeout is 15 s)

# the torch.distributed calls counted in a child: name -> index of the tensor argument(s)
_P2P = ("send", "recv", "isend", "irecv")
_COLLECTIVES = ("all_reduce", "broadcast", "all_gather", "all_gather_into_tensor", "reduce_scatter",
                "reduce_scatter_tensor", "all_to_all", "all_to_all_single", "gather", "scatter",
                "reduce", "barrier", "all_gather_object", "broadcast_object_list")

_calls: Counter = Counter()
_bytes: Counter = Counter()
_stuck = {"op": None, "raised_in": None}


def comm() -> dict[str, tuple[int, int]]:
    """{op: (calls, bytes)} this rank made so far in the current check. Bytes: for send/isend
    the tensor sent, for recv/irecv the tensor received, for all_to_all(_single) the input,
    batch_isend_irecv's ops under their own names (isend/irecv). Calls through
    dist.<op> are counted (a name imported from torch.distributed before the fork is not)."""
    return {op: (_calls[op], _bytes[op]) for op in _calls}


def _nbytes(x) -> int:
    if isinstance(x, torch.Tensor):
        return x.numel() * x.element_size()
    if isinstance(x, (list, tuple)):
        return sum(_nbytes(t) for t in x)
    return 0


def _wrap(name, fn):
    def counted(*args, **kwargs):
        if _stuck["op"] is not None:  # inside another counted call (send runs isend)
            return fn(*args, **kwargs)
        _calls[name] += 1
        if name in ("all_to_all_single",):
            _bytes[name] += _nbytes(args[1] if len(args) > 1 else kwargs.get("input"))
        elif name == "all_to_all":
            _bytes[name] += _nbytes(args[1] if len(args) > 1 else kwargs.get("input_tensor_list"))
        elif args:
            _bytes[name] += _nbytes(args[0])
        elif "tensor" in kwargs:
            _bytes[name] += _nbytes(kwargs["tensor"])
        _stuck["op"] = name
        try:
            return fn(*args, **kwargs)
        except BaseException:
            _stuck["raised_in"] = name
            raise
        finally:
            _stuck["op"] = None
    counted.__wrapped__ = fn
    counted._katas_counted = True
    return counted


def _install_counters() -> None:
    """Count every call made through torch.distributed (and distributed_c10d, whose own
    globals batch_isend_irecv and P2POp compare isend/irecv against: the same wrapper in both
    keeps them working, and batch_isend_irecv's ops are counted as isend/irecv)."""
    from torch.distributed import distributed_c10d as c10d
    for name in _P2P + _COLLECTIVES:
        fn = getattr(c10d, name, None)
        if fn is None or getattr(fn, "_katas_counted", False):
            continue
        wrapped = _wrap(name, fn)
        setattr(c10d, name, wrapped)
        setattr(dist, name, wrapped)


def _original(name):
    fn = getattr(dist, name)
    return getattr(fn, "__wrapped__", fn)


def _where(tb) -> tuple | None:
    """(filename, lineno, name, qualname, module) of the innermost frame in kata code."""
    found = None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__", "").startswith(("katas", "solutions")):
            code = frame.f_code
            found = (code.co_filename, tb.tb_lineno, code.co_name,
                     getattr(code, "co_qualname", code.co_name), frame.f_globals["__name__"])
        tb = tb.tb_next
    return found


def _error(e: BaseException) -> tuple:
    return (type(e).__name__, str(e)[:1500], isinstance(e, NotImplementedError),
            isinstance(e, SpecFailure), _where(e.__traceback__), _stuck["raised_in"],
            "".join(traceback.format_exception(e))[-3000:])


def _broke_the_group(payload) -> bool:
    text = payload[1]
    return "Timed out" in text or "timeout" in text.lower() or "pair closure" in text or "Connection closed" in text


def _child(rank, world_size, store_dir, cases, conn):
    """Run every case on this rank, each in a fresh default process group; one answer list."""
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # die with the parent
    except OSError:
        pass
    faulthandler.disable()  # a gloo abort prints its own reason; no thread dump
    gc.disable()  # a collection would touch (and copy) every page shared with the parent
    torch.set_num_threads(1)
    _install_counters()
    answers, broken = [], None
    try:
        dist.init_process_group("gloo", init_method=f"file://{store_dir}/store", rank=rank,
                                world_size=world_size, timeout=datetime.timedelta(seconds=PG_TIMEOUT))
    except BaseException as e:  # noqa: BLE001
        broken = "joining the process group"
    for name, check, args in cases:
        if broken is not None:
            answers.append(("skipped", broken))
            continue
        status = "ok"
        try:
            _calls.clear(), _bytes.clear(), _stuck.update(op=None, raised_in=None)
            payload = check(rank, world_size, *args)
        except BaseException as e:  # noqa: BLE001 (everything goes back to the parent)
            status, payload = "error", _error(e)
            if _broke_the_group(payload):
                broken = name
        try:
            pickle.dumps(payload)
        except Exception as e:  # an unpicklable result
            status, payload = "error", _error(e)
        answers.append((status, payload))
        if broken is None:
            try:  # the ranks start each case together
                _original("barrier")()
            except Exception:  # noqa: BLE001 (a peer failed: the group is gone)
                broken = name
    conn.send_bytes(pickle.dumps(answers))
    conn.close()
    while True:  # stay in the group until every rank has answered: the parent kills us all
        signal.pause()


def _raise_not_started(where) -> None:
    """Raise NotImplementedError from the stub's own line, so the plugin reads 'not started'."""
    filename, lineno, name, qualname, module = where
    code = compile("\n" * (lineno - 1) + "raise NotImplementedError", filename, "exec")
    code = code.replace(co_name=name, co_qualname=qualname)
    exec(code, {"__name__": module})


def _run(world_size: int, cases: list, timeout: float) -> list[list]:
    """answers[rank][case] = (status, payload), None where the rank never answered."""
    ctx = multiprocessing.get_context("fork")
    store_dir = tempfile.mkdtemp(prefix="katas-ranks-")
    procs, conns = [], []
    answers = [None] * world_size
    gc.freeze()  # the children inherit the frozen state: no collection walks the shared objects
    try:
        for rank in range(world_size):
            parent_end, child_end = ctx.Pipe(duplex=False)
            p = ctx.Process(target=_child, args=(rank, world_size, store_dir, cases, child_end), daemon=True)
            p.start()
            child_end.close()
            procs.append(p)
            conns.append(parent_end)
        gc.unfreeze()
        deadline = time.monotonic() + timeout
        waiting = dict(enumerate(conns))
        while waiting and time.monotonic() < deadline:
            for conn in multiprocessing.connection.wait(list(waiting.values()), deadline - time.monotonic()):
                rank = next(r for r, c in waiting.items() if c is conn)
                try:
                    answers[rank] = pickle.loads(conn.recv_bytes())
                except EOFError:
                    pass
                del waiting[rank]
    finally:
        died = {}
        for rank, p in enumerate(procs):
            if p.is_alive():
                p.kill()
            elif answers[rank] is None:
                died[rank] = p.exitcode
            p.join()
        for c in conns:
            c.close()
        shutil.rmtree(store_dir, ignore_errors=True)
    return [a if a is not None else [("died", died[r])] * len(cases) if r in died else [None] * len(cases)
            for r, a in enumerate(answers)]


def on_ranks(world_size: int, check, *args, timeout: float = CHECK_TIMEOUT) -> list:
    """check(rank, world_size, *args) on every rank of a fresh gloo group; results by rank."""
    __tracebackhide__ = True
    answers = _run(world_size, [("check", check, args)], timeout)
    return _outcome(world_size, [a[0] for a in answers])


class RankCases:
    """Checks registered at import and run together, one fork of W processes and one process
    group per world size, on the first test that asks for one of them:

        cases = RankCases()
        cases.add(2, "float64", fn, x, y)         # fn(rank, world, x, y) on 2 ranks
        per_rank = cases.results(2, "float64")    # fails here if that case failed
    """

    def __init__(self, timeout: float = CHECK_TIMEOUT):
        self.timeout = timeout
        self.cases: dict[int, list] = {}
        self.answers: dict[int, list] = {}

    def add(self, world_size: int, name: str, check, *args) -> None:
        self.cases.setdefault(world_size, []).append((name, check, args))

    def results(self, world_size: int, name: str) -> list:
        __tracebackhide__ = True
        cases = self.cases[world_size]
        if world_size not in self.answers:
            self.answers[world_size] = _run(world_size, cases, self.timeout)
        i = next(i for i, case in enumerate(cases) if case[0] == name)
        return _outcome(world_size, [a[i] for a in self.answers[world_size]])


def _outcome(world_size, answers) -> list:
    __tracebackhide__ = True
    skipped = [a for a in answers if a is not None and a[0] == "skipped"]
    if skipped and all(a is not None and a[0] == "skipped" for a in answers):
        raise SpecFailure(f"not run: the check {skipped[0][1]!r} run before it on the same "
                          f"{world_size} ranks timed out and broke their process group (see its failure)")
    _report(world_size, [a if a is None or a[0] != "skipped" else ("error", ("skipped", "skipped", False, False, None, None, "")) for a in answers])
    return [payload for _, payload in answers]


def _line(where) -> str:
    if where is None:
        return ""
    filename, lineno, _, qualname, _ = where
    source = linecache.getline(filename, lineno).strip()
    shown = os.path.relpath(filename) if not os.path.relpath(filename).startswith("..") else filename
    return f"\n    at {shown}:{lineno} in {qualname}: {source}"


def _report(world_size, answers) -> None:
    __tracebackhide__ = True
    errors = [(r, a[1]) for r, a in enumerate(answers) if a is not None and a[0] == "error"]
    silent = [r for r, a in enumerate(answers) if a is None]
    died = [(r, a[1]) for r, a in enumerate(answers) if a is not None and a[0] == "died"]
    for _, (_, _, not_started, _, where, _, _) in errors:
        if not_started and where is not None:
            _raise_not_started(where)
    if not errors and not silent and not died:
        return
    waited = [(r, e) for r, e in errors if _broke_the_group(e) or e[0] == "skipped"]
    causes = [(r, e) for r, e in errors if (r, e) not in waited]
    lines = []
    for r, code in died:  # a crash is the cause of everything else
        how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
        lines.append(f"rank {r} died ({how}) before answering. gloo aborts a process when a collective's "
                     "sizes disagree between ranks (stderr above: \"Received data size doesn't match "
                     "expected size\"): for all_to_all_single, rank a's input_split_sizes[b] must equal "
                     "rank b's output_split_sizes[a]; exchange the counts first")
    for r, (typename, text, _, is_spec, where, op, _) in causes:  # the causes first
        if is_spec:
            lines.append(f"rank {r}: {text}")
        else:
            first = text.splitlines()[0] if text else ""
            lines.append(f"rank {r} raised {typename}: {first[:400]}{_line(where)}")
    if waited or silent:
        if not causes and not died:
            lines.append(f"a rank waited more than {PG_TIMEOUT:g} s for a peer (of {world_size} ranks): "
                         "a deadlock, or a rank that skipped a collective or a send/recv the others "
                         "wait for. A blocking dist.send waits until the peer posts the matching recv: "
                         "when two ranks both send first, neither ever receives (post sends with "
                         "dist.isend and wait them later, or dist.batch_isend_irecv). Every rank must "
                         "call every collective, also a rank with nothing to send.")
        for r, (typename, text, _, _, where, op, _) in waited:
            if typename == "skipped":
                continue
            stuck = f" stuck in dist.{op}" if op else ""
            first = text.splitlines()[0] if text else ""
            lines.append(f"rank {r}{stuck}: {typename}: {first[:300]}{_line(where)}")
        for r in silent:
            lines.append(f"rank {r}: no answer within {CHECK_TIMEOUT:g} s (killed)")
    raise SpecFailure("\n".join(lines))
