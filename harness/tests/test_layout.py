"""The harness's own layout: imports between harness modules point one way (cli -> sessions
-> runner -> plugin -> curriculum/progress), counting the imports made inside functions."""

import ast
from pathlib import Path

HARNESS = Path(__file__).resolve().parents[1]


def harness_imports(path: Path) -> set[str]:
    """The harness modules that `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("harness.")}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "harness":
                found |= {a.name for a in node.names}
            elif node.module.startswith("harness."):
                found.add(node.module.split(".")[1])
    return found


def test_harness_imports_have_no_cycles():
    graph = {p.stem: harness_imports(p) - {p.stem} for p in HARNESS.glob("*.py")}
    done, path = set(), []

    def visit(module):
        if module in path:
            cycle = path[path.index(module):] + [module]
            raise AssertionError("harness modules import each other in a circle: "
                                 + " -> ".join(cycle))
        if module in done or module not in graph:
            return
        path.append(module)
        for dep in sorted(graph[module]):
            visit(dep)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


def test_each_session_kind_has_its_own_module():
    """watch, pair and drill sessions and the in-process runner live apart (one job each)."""
    for name in ("runner", "watch", "pair", "drill", "hints"):
        assert (HARNESS / f"{name}.py").exists(), f"harness/{name}.py is missing"
    assert "runner" not in harness_imports(HARNESS / "curriculum.py")
    assert not {"cli", "watch", "pair", "drill"} & harness_imports(HARNESS / "runner.py")
