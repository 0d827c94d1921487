"""The package's folders are its layers: imports only go down, and no module imports itself back.

Counted from the source with :mod:`ast`, so imports inside functions and under
``TYPE_CHECKING`` count too: a type a lower module borrows from a higher one is
still a dependency that runs back up.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "netpol_kernel"

# Bottom to top. A module may import its own layer and the layers before it.
LAYERS = ["errors", "api", "policy", "backends", "sim", "kubectl", "notebook", "top"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every package module that ``name`` imports, anywhere in its source."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from pkg import mod` imports the module, and runs the package's __init__ first:
            # both count (a package that imports its modules back is a cycle too)
            targets = [module] + [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in known]
        else:
            continue
        for target in targets:
            while target and target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in known and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(name, path, set(mods)) for name, path in mods.items()}


def layer(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1 or (len(parts) == 2 and parts[1] in ("__main__", "cli")):
        return "top"
    return parts[1]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_checker_sees_a_cycle_and_an_upward_import() -> None:
    """The checks below can fail: a made-up graph with both faults is caught."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]
    assert layer("netpol_kernel.sim.cluster") == "sim" and layer("netpol_kernel.cli") == "top"
    assert LAYERS.index(layer("netpol_kernel.notebook.plots")) > LAYERS.index(layer("netpol_kernel.policy.lint"))


def test_the_checker_reads_relative_and_function_level_imports() -> None:
    edges = graph()
    # kubectl.command loads its verbs inside a function, on purpose (start-up time)
    assert "netpol_kernel.kubectl.get" in edges["netpol_kernel.kubectl.command"]
    assert "netpol_kernel.errors" in edges["netpol_kernel.api.validation.fields"]
    # `from . import outside` in sim.network: the module and the package whose __init__ runs
    assert {"netpol_kernel.sim.outside", "netpol_kernel.sim"} <= edges["netpol_kernel.sim.network"]


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_layers_import_only_downwards() -> None:
    upward = []
    for name, deps in graph().items():
        mine = LAYERS.index(layer(name))
        for dep in deps:
            if LAYERS.index(layer(dep)) > mine:
                upward.append(f"{name} -> {dep}")
    assert upward == []


def test_every_module_lives_in_a_layer() -> None:
    for name in modules():
        assert layer(name) in LAYERS, name


def test_the_top_level_is_small_and_the_layers_are_folders() -> None:
    top = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))
    assert len(top) <= 6, top
    packages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert len(packages) >= 5, packages
    assert set(LAYERS) - {"errors", "top"} <= set(packages)


@pytest.mark.parametrize("package", sorted(p.parent for p in PACKAGE.rglob("__init__.py")), ids=str)
def test_each_layer_says_what_it_is(package: Path) -> None:
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and doc.strip(), package
