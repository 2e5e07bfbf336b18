"""Finding a kata's pristine stub, so that `katas reset` and the self-test never depend on
the learner's edits.

A stub is a module whose public functions and methods only raise NotImplementedError (after
an optional docstring). The pristine stub of katas/x/y.py is the newest committed version of
that file that is still a stub: a learner who commits work in their fork does not lose the
way back.
"""

from __future__ import annotations

import ast
import subprocess

from harness.curriculum import ROOT, Kata


def _is_super_init(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute) and stmt.value.func.attr == "__init__")


def _raises_not_implemented(body: list[ast.stmt]) -> bool:
    """The body is [docstring] [super().__init__(...)] raise NotImplementedError[(...)]."""
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    if body and _is_super_init(body[0]):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Raise):
        return False
    exc = body[0].exc
    name = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(name, ast.Name) and name.id == "NotImplementedError"


def is_stub(source: str) -> bool:
    """True when every public function and method in `source` only raises NotImplementedError."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    functions = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            functions.append(node)
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            functions += [n for n in node.body if isinstance(n, ast.FunctionDef)]
    return bool(functions) and all(_raises_not_implemented(f.body) for f in functions)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True, text=True).stdout


def committed_stub(kata: Kata) -> str | None:
    """The newest committed version of the kata's file that is still a stub, or None
    (no git, or no such version)."""
    rel = kata.stub_path.relative_to(ROOT).as_posix()
    try:
        head = _git("show", f"HEAD:{rel}")  # nearly always the answer: one git call, not a log
        if is_stub(head):
            return head
    except (OSError, subprocess.CalledProcessError):
        pass
    try:
        commits = _git("log", "--format=%H", "--", rel).split()
        for commit in commits:
            source = _git("show", f"{commit}:{rel}")
            if is_stub(source):
                return source
    except (OSError, subprocess.CalledProcessError):
        return None
    return None
