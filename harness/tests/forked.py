"""`python -m pytest ARGS` in a new process, without the ~3.5 s of imports each one pays.

    with PytestProcesses() as pytest_process:
        code, out = pytest_process(["katas/tensors", "-x"], cwd=repo, env=env, timeout=300)

A server process imports torch and pytest once; each run is a child forked from
it that then does what `python -m pytest` does (chdir, environment, sys.argv, sys.path[0],
pytest's console entry point), with its own stdout and stderr. Where fork is not safe (not Linux), each
run is a plain subprocess instead.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

FORKS = sys.platform == "linux"

_SERVER = r"""
import json, os, sys
import numpy, torch, torch.testing, torch.utils.flop_counter
import _pytest.config  # not hypothesis: pytest would warn that it cannot rewrite its asserts
main = getattr(_pytest.config, "_console_main", None) or _pytest.config.console_main

def child(request):
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    sys.argv = [_pytest.config.__file__, *request["args"]]
    sys.path[0] = os.getcwd()  # as `python -m` puts it
    try:
        code = main()  # what `python -m pytest` runs
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        import traceback
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        try:
            child(request)
        finally:
            os._exit(70)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
"""


class PytestProcesses:
    """Runs `python -m pytest` processes; a context manager that owns the fork server."""

    def __init__(self):
        self.server: subprocess.Popen | None = None
        self.pending = b""  # what the server has written past the last line read
        self.scratch = tempfile.TemporaryDirectory(prefix="katas-forked-")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.server is not None:
            self.server.stdin.close()
            self.server.wait(timeout=30)
        self.scratch.cleanup()

    def __call__(self, args: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> tuple[int, str]:
        """Run `python -m pytest *args` in cwd with exactly env; (exit code, stdout + stderr)."""
        if not FORKS:
            proc = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=cwd, env=env,
                                  capture_output=True, text=True, timeout=timeout)
            return proc.returncode, proc.stdout + proc.stderr
        out, err = (Path(self.scratch.name) / name for name in ("stdout", "stderr"))
        server = self._server()
        server.stdin.write(json.dumps({"args": list(args), "cwd": str(cwd), "env": dict(env),
                                       "stdout": str(out), "stderr": str(err)}) + "\n")
        server.stdin.flush()
        pid = int(self._line(timeout=60))
        try:
            code = int(self._line(timeout=timeout))
        except subprocess.TimeoutExpired:
            os.kill(pid, signal.SIGKILL)
            self._line(timeout=60)
            raise
        return code, out.read_text() + err.read_text()

    def _server(self) -> subprocess.Popen:
        if self.server is None:
            self.server = subprocess.Popen([sys.executable, "-c", _SERVER], stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, text=True)
        return self.server

    def _line(self, timeout: float) -> str:
        """The server's next line, read from its pipe unbuffered (select sees the pipe only)."""
        fd = self.server.stdout.fileno()
        while b"\n" not in self.pending:
            if not select.select([fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired("pytest (forked)", timeout)
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError(f"the fork server ended (exit code {self.server.wait()})")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode()
