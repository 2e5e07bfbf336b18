"""Phase 8's process groups: a pool of forked ranks per spec module, gloo on this machine.

    from harness.distributed import RankPool, comm_log
    POOL = RankPool()                          # module level in the spec: one pool per module

    def _check_sum(rank, world, n):            # a module-level function of the spec:
        x = torch.full((n,), float(rank))      # it runs on every rank
        my_all_reduce(x)                       # the learner's code, as the spec imported it
        return x                               # sent back to the parent (pickled)

    def test_sum():
        results = POOL.run(2, _check_sum, 5)   # [rank 0's result, rank 1's result]
        POOL.comm[1].calls("send")             # rank 1's communication during that check

How it works:
- A pool starts a world size's ranks on first use (the specs use sizes 1 to 5, mostly 2 and 4):
  it forks them from the spec's own process (torch is not imported again: ~30 ms for a world
  of 2 with its gloo process group, against ~3 s for spawned processes), each rank joins a
  gloo process group over a FileStore in a temporary folder (no port is picked, none is left
  behind), and waits for checks. The ranks see the spec module and the kata modules exactly
  as the parent had them when the pool started: one pool per spec module object, so the
  self-test's copies of a spec (one per gallery mistake) each fork their own ranks; starting a
  pool shuts down every other pool first.
- A check is a module-level function of the spec, called as check(rank, world_size, *args)
  on every rank with torch's and random's seeds set to 0; what it returns comes back pickled,
  what it raises is raised in the parent with the child's traceback (synthetic frames at the
  same files and lines, so a stub's NotImplementedError reads "not started" and an error in
  the learner's code names the learner's line), its message prefixed with the rank.
- Faults fail, never hang. Every process group has a timeout (PG_TIMEOUT) and every check
  one (CHECK_TIMEOUT), both under pytest-timeout's 15 s; every rank still running that has
  sat blocked in communication for STALL seconds is a deadlock; a rank that raised leaves the
  others GRACE seconds; a rank that dies is noticed at once. The failure names each rank's
  collective or send/recv, with its tensor and the learner's line, then the pool's ranks are
  killed (the next check starts fresh ones). Ranks ignore Ctrl-C, die with the parent
  (PR_SET_PDEATHSIG on Linux, and the closed pipe everywhere), and are reaped at exit and at
  the end of every pytest session (harness.plugin): no orphan processes.
- Communication is counted: every torch.distributed collective and point-to-point call is
  wrapped (from the moment this module is imported; a learner's `from torch.distributed
  import all_reduce` at import time gets the wrapper too), and on the ranks each outermost
  call is logged as an `Op` (name, bytes, peer, async or not, launched during backward or
  not) and each wait() on its handle as a `Wait`. POOL.comm[rank] is the check's CommLog;
  `with comm_log() as log:` inside a check logs a part of it. log.assert_waited(...) fails on
  an async op whose handle was never waited (check it before the values: they race).

Bytes of an Op are the payload this rank hands to the call: the tensor of all_reduce,
broadcast, reduce, send, isend (and what recv/irecv receive); the input of all_gather(_into_
tensor), gather, reduce_scatter(_tensor), all_to_all(_single) (the list's sum); scatter's
list on its source. A ring all-reduce of N bytes on W ranks sends 2 (W - 1) / W * N bytes
per rank; the built-in's own internal traffic is not visible (gloo's choice of algorithm).

On a cluster the same code runs unchanged with NCCL: see the README's phase-8 section.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import datetime
import faulthandler
import functools
import gc
import importlib
import mmap
import os
import pickle
import random
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
import traceback
import warnings
import weakref
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any, Callable

import torch
import torch.distributed as dist

from harness.failures import SpecFailure, fail, shown_path

PG_TIMEOUT = 5.0  # seconds: every process group's own timeout (gloo raises after it)
STALL = 3.0  # every rank still running, blocked in communication this long: a deadlock
CHECK_TIMEOUT = 11.0  # one check on all ranks, whatever they do (pytest-timeout is 15 s)
GRACE = 0.3  # once a rank has raised, how long the others get to finish
START_TIMEOUT = 10.0  # forking the ranks and joining the process group

_SLOT = 1024  # bytes of shared status per rank: state, sequence number, what it is doing
_IDLE, _CODE, _COMM, _DONE = 0, 1, 2, 3


class DistributedFailure(SpecFailure):
    """A check that hung, deadlocked, or lost a rank: the message names each rank's state."""


# ---------------------------------------------------------------- communication log
@dataclass
class Op:
    """One outermost torch.distributed call on one rank."""
    name: str  # "all_reduce", "send", ...
    bytes: int  # the payload this rank hands to the call (see the module docstring)
    peer: int | None = None  # dst of send/isend, src of recv/irecv and broadcast
    shape: tuple = ()  # the (first) tensor's shape
    dtype: str = ""
    async_op: bool = False
    in_backward: bool = False  # launched while autograd's backward was running (a hook)
    where: str = ""  # the learner's line that called it
    waited: bool = False  # its handle's wait() was called (async ops)

    def __str__(self) -> str:
        peer = "" if self.peer is None else (f" to rank {self.peer}" if self.name in ("send", "isend")
                                             else f" from rank {self.peer}")
        shape = "x".join(map(str, self.shape)) if self.shape else "scalar"
        return f"{self.name}({self.dtype}[{shape}], {self.bytes} bytes{peer})"


@dataclass
class Wait:
    """A wait() on an async op's handle."""
    op: int  # index of the op in the log
    in_backward: bool


@dataclass(eq=False)  # logs are told apart by identity (comm_log removes its own)
class CommLog:
    """The communication of one rank during a check (or a `with comm_log()` block)."""
    ops: list[Op] = field(default_factory=list)
    waits: list[Wait] = field(default_factory=list)

    def calls(self, *names: str) -> list[Op]:
        """The ops with one of these names (all of them when none is given)."""
        return [op for op in self.ops if not names or op.name in names]

    def unwaited(self, *names: str) -> list[Op]:
        """The async ops (of these names, or all) whose handle's wait() was never called."""
        return [op for op in self.calls(*names) if op.async_op and not op.waited]

    def assert_waited(self, what: str, why: str, hint: str) -> None:
        """Fail, naming the op and the learner's line, if an async op's handle was never
        waited; `why` says what may not have arrived. Check it before comparing values: an
        unwaited op makes them a race."""
        __tracebackhide__ = True
        for op in self.unwaited():
            fail(f"{what}: {op} at {op.where or '?'} was launched with async_op=True and its handle never "
                 f"waited: {why}", hint)

    def bytes(self, *names: str) -> int:
        return sum(op.bytes for op in self.calls(*names))

    def names(self) -> list[str]:
        return [op.name for op in self.ops]

    def summary(self, limit: int = 12) -> str:
        """'all_reduce(float32[4], 16 bytes) x3, send(...)': for failure messages."""
        if not self.ops:
            return "no communication"
        parts: list[str] = []
        for op in self.ops:
            text = str(op)
            if parts and parts[-1].split(" x")[0] == text:
                head, _, count = parts[-1].partition(" x")
                parts[-1] = f"{head} x{int(count or 1) + 1}"
            else:
                parts.append(text)
        more = f", ... ({len(parts) - limit} more)" if len(parts) > limit else ""
        return ", ".join(parts[:limit]) + more


class _State(threading.local):
    depth = 0  # nested torch.distributed calls (torch's own calls of other wrapped ones)
    logs: list[CommLog]

    def __init__(self):
        self.logs = []


_state = _State()
_status: "_Status | None" = None  # the rank's shared status slot (None in the parent)
_rank = -1


@contextlib.contextmanager
def comm_log():
    """Inside a check: log the communication of the block (`with comm_log() as log:`)."""
    log = CommLog()
    _state.logs.append(log)
    try:
        yield log
    finally:
        _state.logs[:] = [other for other in _state.logs if other is not log]


def _tensors(x) -> list[torch.Tensor]:
    if isinstance(x, torch.Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for t in x if isinstance(t, torch.Tensor)]
    return []


# name -> (index of the payload argument, its keyword, index of the peer, its keyword)
_PAYLOAD = {
    "all_reduce": (0, "tensor", None, None),
    "broadcast": (0, "tensor", 1, "src"),
    "reduce": (0, "tensor", 1, "dst"),
    "all_gather": (1, "tensor", None, None),
    "all_gather_into_tensor": (1, "input_tensor", None, None),
    "all_gather_single": (1, "input_tensor", None, None),
    "all_gather_coalesced": (1, "input_tensor_list", None, None),
    "all_reduce_coalesced": (0, "tensors", None, None),
    "gather": (0, "tensor", None, None),
    "scatter": (1, "scatter_list", None, None),
    "reduce_scatter": (1, "input_list", None, None),
    "reduce_scatter_tensor": (1, "input", None, None),
    "reduce_scatter_single": (1, "input", None, None),
    "all_to_all": (1, "input_tensor_list", None, None),
    "all_to_all_single": (1, "input", None, None),
    "send": (0, "tensor", 1, "dst"),
    "isend": (0, "tensor", 1, "dst"),
    "recv": (0, "tensor", 1, "src"),
    "irecv": (0, "tensor", 1, "src"),
    "barrier": (None, None, None, None),
    "monitored_barrier": (None, None, None, None),
    "all_gather_object": (None, None, None, None),
    "broadcast_object_list": (None, None, None, None),
    "gather_object": (None, None, None, None),
    "scatter_object_list": (None, None, None, None),
}


def _arg(args, kwargs, index, keyword):
    if index is None:
        return None
    if keyword in kwargs:
        return kwargs[keyword]
    return args[index] if index < len(args) else None


def _learner_where() -> str:
    """'katas/x/y.py:12 in f' for the innermost frame of kata code now running, else ''."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name.startswith(("katas.", "solutions.")):
            code = frame.f_code
            return f"{shown_path(code.co_filename)}:{frame.f_lineno} in {getattr(code, 'co_qualname', code.co_name)}"
        frame = frame.f_back
    return ""


def _in_backward() -> bool:
    return torch._C._current_autograd_node() is not None


def _describe(name: str, args, kwargs) -> Op:
    index, keyword, peer_index, peer_keyword = _PAYLOAD[name]
    tensors = _tensors(_arg(args, kwargs, index, keyword))
    peer = _arg(args, kwargs, peer_index, peer_keyword)
    if peer is None and peer_keyword is not None:  # batch_isend_irecv passes group_dst/group_src
        peer = kwargs.get("group_" + peer_keyword)
    if name == "reduce":
        peer = None
    first = tensors[0] if tensors else None
    return Op(name=name, bytes=sum(t.numel() * t.element_size() for t in tensors),
              peer=peer if isinstance(peer, int) else None,
              shape=tuple(first.shape) if first is not None else (),
              dtype=str(first.dtype).removeprefix("torch.") if first is not None else "",
              async_op=bool(kwargs.get("async_op", False)) or name in ("isend", "irecv"),
              in_backward=_in_backward(), where=_learner_where())


class _Handle:
    """An async op's handle (torch's Work), whose wait() is logged and watched."""

    def __init__(self, work, op: Op, places: list[tuple[CommLog, int]]):
        self._work, self._op, self._places = work, op, places

    def wait(self, *args, **kwargs):
        self._op.waited = True
        for log, index in self._places:
            log.waits.append(Wait(op=index, in_backward=_in_backward()))
        if _status is not None:
            _status.set(_COMM, f"wait() on {self._op}" + (f" (launched at {self._op.where})" if self._op.where else ""))
        try:
            return self._work.wait(*args, **kwargs)
        finally:
            if _status is not None:
                _status.set(_CODE, "")

    def __getattr__(self, name):
        return getattr(self._work, name)


def _wrap(name: str, fn: Callable) -> Callable:
    if getattr(fn, "__katas_counted__", False):
        return fn

    @functools.wraps(fn)
    def counted(*args, **kwargs):
        if _state.depth or _status is None:
            return fn(*args, **kwargs)
        op = _describe(name, args, kwargs)
        places = [(log, len(log.ops)) for log in _state.logs]
        for log, _ in places:
            log.ops.append(op)
        _status.set(_COMM, f"{op}" + (f" at {op.where}" if op.where else ""))
        _state.depth += 1
        try:
            result = fn(*args, **kwargs)
        finally:
            _state.depth -= 1
            _status.set(_CODE, "")
        if result is not None and hasattr(result, "wait"):
            return _Handle(result, op, places)
        return result

    counted.__katas_counted__ = True
    return counted


def _install_wrappers() -> None:
    """Wrap torch.distributed's collectives and point-to-point calls (in torch.distributed
    and distributed_c10d, where torch's own helpers look them up)."""
    from torch.distributed import distributed_c10d as c10d

    for name in _PAYLOAD:
        fn = getattr(c10d, name, None)
        if fn is not None:  # one wrapper in both places: torch compares them (P2POp: op is isend)
            wrapped = _wrap(name, fn)
            for module in (dist, c10d):
                if getattr(module, name, None) in (fn, wrapped):
                    setattr(module, name, wrapped)


if dist.is_available():
    _install_wrappers()


# ---------------------------------------------------------------- shared status
class _Status:
    """One slot per rank in shared memory: what each rank is doing, read by the parent when a
    check hangs (the rank may be stuck inside a C++ call and unable to say anything)."""

    def __init__(self, world: int):
        self.world = world
        self.memory = mmap.mmap(-1, _SLOT * world)
        self.rank = -1  # set in each child
        self.seq = 0

    def set(self, state: int, text: str) -> None:
        self.seq += 1
        data = text.encode("utf-8", "replace")[:_SLOT - 8]
        base = self.rank * _SLOT
        self.memory[base + 8:base + 8 + len(data) + 1] = data + b"\0"
        self.memory[base:base + 8] = struct.pack("<II", state, self.seq)

    def read(self, rank: int) -> tuple[int, int, str]:
        base = rank * _SLOT
        state, seq = struct.unpack("<II", self.memory[base:base + 8])
        text = self.memory[base + 8:base + _SLOT].split(b"\0", 1)[0].decode("utf-8", "replace")
        return state, seq, text


# ---------------------------------------------------------------- errors across processes
def _pack_error(err: BaseException) -> dict:
    frames = []
    for frame, lineno in traceback.walk_tb(err.__traceback__):
        code = frame.f_code
        frames.append((code.co_filename, lineno, code.co_name, getattr(code, "co_qualname", code.co_name),
                       frame.f_globals.get("__name__", "")))
    while frames and frames[0][0] == __file__:  # the rank's own loop
        frames.pop(0)
    try:
        payload = pickle.dumps(err)
        pickle.loads(payload)
    except Exception:
        payload = None
    return dict(type=type(err).__name__, text=str(err), pickled=payload, frames=frames)


def _rebuild(packed: dict, prefix: str) -> BaseException:
    err = pickle.loads(packed["pickled"]) if packed["pickled"] is not None else None
    if err is None:
        err = RuntimeError(f"{packed['type']}: {packed['text']}")
    if len(err.args) == 1 and isinstance(err.args[0], str):
        err.args = (prefix + err.args[0],)
    elif not err.args:
        err.args = (prefix.rstrip(": "),)
    return err


def _raise_from_frames(err: BaseException, frames: list[tuple]) -> None:
    """Raise err with a traceback through `frames` (file, line, name, qualname, module): one
    tiny function per frame, compiled at that file and line, so pytest shows the child's
    source lines and the plugin finds the learner's frame."""
    call = None
    for filename, lineno, name, qualname, module in reversed(frames):
        body = "raise __katas_error__" if call is None else "__katas_next__()"
        source = "\n" * (max(lineno, 1) - 1) + f"def __katas_frame__(): {body}\n"
        namespace = {"__name__": module, "__katas_error__": err, "__katas_next__": call}
        try:
            exec(compile(source, filename, "exec"), namespace)
        except SyntaxError:
            continue
        fn = namespace["__katas_frame__"]
        changes = dict(co_name=name)
        if sys.version_info >= (3, 11):
            changes["co_qualname"] = qualname
        fn.__code__ = fn.__code__.replace(**changes)
        call = fn
    if call is None:
        raise err
    call()


# ---------------------------------------------------------------- the ranks
def _loopback() -> str | None:
    try:
        return next((name for _, name in socket.if_nameindex() if name.startswith("lo")), None)
    except OSError:
        return None


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _child(rank: int, world: int, store: str, conn: Connection, status: _Status, namespace: dict,
           parent: int) -> None:
    global _status, _rank
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for sig in (signal.SIGALRM, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        _die_with_parent()
        gc.disable()  # nor touches them: each page an object lives on would be copied
        faulthandler.disable()  # gloo aborts on a size mismatch: the parent says so, briefly
        if os.getppid() != parent:
            return
        for other in _ALL_PARENT_ENDS:
            if other is not conn:
                with contextlib.suppress(OSError):
                    other.close()
        status.rank, _rank, _status = rank, rank, status
        if (lo := _loopback()) and "GLOO_SOCKET_IFNAME" not in os.environ:
            os.environ["GLOO_SOCKET_IFNAME"] = lo
        status.set(_COMM, "init_process_group (gloo)")
        dist.init_process_group("gloo", store=dist.FileStore(store, world), rank=rank, world_size=world,
                                timeout=datetime.timedelta(seconds=PG_TIMEOUT))
        status.set(_IDLE, "")
        conn.send(("ready", None, None))
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            if message is None:
                return
            name, args, kwargs = message
            torch.default_generator.manual_seed(0)
            random.seed(0)
            log = CommLog()
            _state.logs[:] = [log]
            _state.depth = 0
            status.set(_CODE, "")
            try:
                check = namespace.get(name)
                if check is None:
                    raise LookupError(f"{name} was defined after the ranks started: define checks "
                                      f"at the spec module's top level")
                reply = ("ok", check(rank, world, *args, **kwargs), log)
            except BaseException as err:  # noqa: BLE001 - everything goes back to the parent
                reply = ("err", _pack_error(err), log)
            _state.logs[:] = []
            status.set(_DONE, "")
            try:  # plain pickle: tensors go by value (torch's shared-memory pickling lost
                payload = pickle.dumps(reply)  # them when the rank was gone before they were read)
            except Exception as err:  # an unpicklable result
                payload = pickle.dumps(("err", _pack_error(TypeError(f"the check's result cannot be sent back: {err}")), log))
            conn.send_bytes(payload)
    except BaseException:  # noqa: BLE001
        code = 1
        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


_ALL_PARENT_ENDS: "weakref.WeakSet[Connection]" = weakref.WeakSet()


def _remove_stale_folders() -> None:
    """The store folders of runs that were killed (SIGKILL leaves no time to clean up)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(tempfile.gettempdir()):
            pid = entry.name.split("-")[2] if entry.name.startswith("katas-dist-") else ""
            if pid.isdigit() and int(pid) != os.getpid():
                try:
                    os.kill(int(pid), 0)
                except ProcessLookupError:
                    shutil.rmtree(entry.path, ignore_errors=True)
                except OSError:
                    pass


class _Group:
    """The ranks of one world size, forked and joined in a gloo process group."""

    def __init__(self, world: int, namespace: dict):
        self.world = world
        _remove_stale_folders()
        self.folder = tempfile.mkdtemp(prefix=f"katas-dist-{os.getpid()}-")
        self.status = _Status(world)
        self.pids: list[int] = []
        self.reaped: set[int] = set()
        self.conns: list[Connection] = []
        store = os.path.join(self.folder, "store")
        parent = os.getpid()
        gc.freeze()  # the ranks' collector never walks (and copies) the parent's objects
        try:
            for rank in range(self.world):
                mine, theirs = Pipe()
                _ALL_PARENT_ENDS.add(mine)
                with warnings.catch_warnings():  # 3.12+: fork() of a process with threads
                    warnings.simplefilter("ignore", DeprecationWarning)
                    pid = os.fork()
                if pid == 0:
                    mine.close()
                    _child(rank, world, store, theirs, self.status, namespace, parent)
                theirs.close()
                self.pids.append(pid)
                self.conns.append(mine)
            deadline = time.monotonic() + START_TIMEOUT
            for rank, conn in enumerate(self.conns):
                if not conn.poll(max(deadline - time.monotonic(), 0)):
                    raise DistributedFailure(
                        f"the {world} ranks did not join their gloo process group within "
                        f"{START_TIMEOUT:.0f} s (rank {rank}: {self.status.read(rank)[2] or 'no answer'})")
                conn.recv()
        except BaseException:
            self.close()
            raise
        finally:
            gc.unfreeze()

    def alive(self) -> bool:
        return bool(self.pids)

    def close(self) -> None:
        """Kill the ranks, reap them, remove the store: nothing is left behind."""
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.close()
        live = [pid for pid in self.pids if pid > 0 and pid not in self.reaped]
        for pid in live:  # never a pid <= 0: kill(-1) would signal every process we may
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for pid in live:
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)
        self.pids, self.conns = [], []
        shutil.rmtree(self.folder, ignore_errors=True)

    def exit_text(self, rank: int) -> str:
        pid = self.pids[rank]
        deadline = time.monotonic() + 0.5  # its pipe closes a moment before it exits
        while time.monotonic() < deadline:
            try:
                got, status = os.waitpid(pid, os.WNOHANG)
            except OSError:
                break
            if got:
                self.reaped.add(pid)
                if os.WIFSIGNALED(status):
                    return f"killed by signal {os.WTERMSIG(status)}"
                return f"exit code {os.WEXITSTATUS(status)}"
            time.sleep(0.01)
        return "its pipe closed"

    def run(self, name: str, args: tuple, kwargs: dict) -> tuple[list, list[CommLog]]:
        """Run a check on every rank: (results, logs), or raise what went wrong (self.keep
        then says whether the ranks are still in step and may run the next check)."""
        self.keep = False
        for conn in self.conns:
            conn.send((name, args, kwargs))
        replies: dict[int, tuple] = {}
        start = last_change = time.monotonic()
        first_error_at = None
        seqs = [self.status.read(r)[1] for r in range(self.world)]
        why = None
        while len(replies) < self.world:
            pending = [r for r in range(self.world) if r not in replies]
            for conn in wait([self.conns[r] for r in pending], timeout=0.02):
                rank = self.conns.index(conn)
                try:
                    replies[rank] = pickle.loads(conn.recv_bytes())
                except (EOFError, OSError):
                    replies[rank] = ("died", self.exit_text(rank), CommLog())
                if replies[rank][0] != "ok" and first_error_at is None:
                    first_error_at = time.monotonic()
            now = time.monotonic()
            pending = [r for r in range(self.world) if r not in replies]
            if not pending:
                break
            states = [self.status.read(r) for r in range(self.world)]
            if [s[1] for s in states] != seqs:
                seqs, last_change = [s[1] for s in states], now
            if first_error_at is not None and now - first_error_at > GRACE:
                why = "error"
            elif all(states[r][0] == _COMM for r in pending) and now - last_change > STALL:
                why = "stall"
            elif now - start > CHECK_TIMEOUT:
                why = "timeout"
            if why:
                break
        states = [self.status.read(r) for r in range(self.world)]
        logs = [replies[r][2] if r in replies else CommLog() for r in range(self.world)]
        if why is None and all(reply[0] == "ok" for reply in replies.values()):
            return [replies[r][1] for r in range(self.world)], logs
        # every rank raised before any communication (a stub, a bad argument): the ranks are in
        # step and stay; otherwise they may hold half-done messages and are replaced
        self.keep = why is None and all(reply[0] == "err" and not reply[2].ops for reply in replies.values())
        self._raise(name, replies, states, why, logs)

    def _raise(self, name, replies, states, why, logs) -> None:
        world = self.world
        pending = [r for r in range(world) if r not in replies]
        errors = [(r, reply) for r, reply in replies.items() if reply[0] == "err"]
        died = [(r, reply) for r, reply in replies.items() if reply[0] == "died"]

        def doing(rank: int) -> str:
            state, _, text = states[rank]
            if state == _COMM:
                return f"rank {rank} was blocked in {text}"
            return f"rank {rank} was running {'the check' if state == _DONE else 'its code'}" + (
                f" ({text})" if text else "")

        stuck = [doing(r) for r in pending]
        finished = [r for r, reply in replies.items() if reply[0] == "ok"]
        if finished and stuck:
            stuck.append(f"rank{'s' if len(finished) > 1 else ''} {', '.join(map(str, finished))} had "
                         f"returned after {logs[finished[0]].summary(6)}")
        # a rank's own error first; a gloo timeout or closed connection is a consequence
        own = [(r, reply) for r, reply in errors if not _is_comm_error(reply[1])]
        chosen = own[0] if own else None
        if chosen is not None:
            rank, (_, packed, _) = chosen
            err = _rebuild(packed, f"rank {rank} of {world}: ")
            if stuck and isinstance(err, AssertionError) and len(err.args) == 1:
                err.args = (err.args[0] + "\n  meanwhile " + "; ".join(stuck),)
            _raise_from_frames(err, packed["frames"])
        if died:
            rank, (_, text, _) = died[0]
            hint = ("\n  hint: gloo aborts a rank whose recv gets more bytes than its buffer holds: "
                    "every recv's buffer must have the dtype and size of the matching send"
                    if "signal 6" in text and states[rank][0] == _COMM else "")
            raise DistributedFailure(
                f"{name}: rank {rank} of {world} died ({text}) while it was "
                f"{doing(rank).split(' was ', 1)[1]}" + ("; " + "; ".join(stuck) if stuck else "") + hint)
        if errors:  # only communication errors: a timeout of gloo's own
            rank, (_, packed, _) = errors[0]
            blocked = [doing(r) for r in range(world)]
            raise DistributedFailure(
                f"{name}: communication failed on rank {rank} of {world}: {packed['text'][:300]}\n  "
                + "\n  ".join(blocked)
                + "\n  hint: every rank must make the same collectives in the same order with "
                  "tensors of the same size, and every send must meet a recv")
        if why == "stall":
            head = (f"{name}: stuck: for {STALL:.0f} s every rank still running waited in "
                    f"communication that no other rank was going to complete:")
            hint = ("a send that meets no recv (every rank sending first blocks the ring), a recv "
                    "from a rank that sends elsewhere, a collective one rank skips, or tensors of "
                    "different sizes")
        else:
            head = f"{name}: did not finish within {CHECK_TIMEOUT:.0f} s on {world} ranks:"
            hint = "an infinite loop, or a rank waiting for another that never arrives"
        raise DistributedFailure(head + "\n  " + "\n  ".join(stuck) + f"\n  hint: {hint}")


def _is_comm_error(packed: dict) -> bool:
    text = packed["text"]
    return packed["type"] in ("RuntimeError", "DistBackendError", "DistNetworkError") and any(
        marker in text for marker in ("Timed out", "timed out", "Connection closed", "pair closure",
                                      "Connection reset", "Broken pipe"))


# ---------------------------------------------------------------- pools
_POOLS: "weakref.WeakSet[RankPool]" = weakref.WeakSet()


class RankPool:
    """The ranks of one spec module: `POOL = RankPool()` at module level, then
    `POOL.run(world_size, check, *args, **kwargs)` in its specs (see the module docstring)."""

    def __init__(self, preimport: tuple[str, ...] = ()):
        """preimport: modules to import in this process before the ranks are forked, so that
        each rank does not import them again: torch.optim's first step imports torch._dynamo
        (~1.5 s of CPU in every freshly forked rank): RankPool(preimport=("torch._dynamo",))
        pays it once per process (or step by hand: p -= lr * p.grad under torch.no_grad())."""
        self._namespace = sys._getframe(1).f_globals
        self._preimport = preimport
        self._groups: dict[int, _Group] = {}
        self.comm: list[CommLog] = []  # the last check's communication, per rank
        _POOLS.add(self)

    def run(self, world: int, check: Callable, *args: Any, **kwargs: Any) -> list:
        """check(rank, world, *args, **kwargs) on every rank: its results, by rank."""
        __tracebackhide__ = True
        name = check.__name__
        if self._namespace.get(name) is not check:
            raise TypeError(f"{name}: a check must be a module-level function of the spec that "
                            f"created the pool")
        if not dist.is_available():
            import pytest

            pytest.skip("this torch build has no torch.distributed")
        group = self._groups.get(world)
        if group is None or not group.alive():
            for pool in list(_POOLS):
                if pool is not self:
                    pool.close()
            for module in self._preimport:
                importlib.import_module(module)
            group = self._groups[world] = _Group(world, self._namespace)
        self.comm = []
        try:
            results, self.comm = group.run(name, args, kwargs)
        except BaseException:  # also pytest-timeout's or Ctrl-C's, while the ranks run
            if not group.keep:
                group.close()
            raise
        return results

    def close(self) -> None:
        for group in self._groups.values():
            group.close()
        self._groups.clear()


def shutdown_all() -> None:
    """Kill and reap every pool's ranks (the plugin calls it at the end of each session)."""
    for pool in list(_POOLS):
        pool.close()


atexit.register(shutdown_all)
