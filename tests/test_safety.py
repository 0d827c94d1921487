"""Guarantees that are about what the package never does."""
from __future__ import annotations

import ast
import pathlib

import pytest

import netpol_kernel as nk
from netpol_kernel.sim.cluster import EmbeddedCluster

PACKAGE = pathlib.Path(nk.__file__).parent


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_runs_a_shell(path):
    """Pod commands are argument lists; nothing hands text from a cell to a shell."""
    tree = ast.parse(path.read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in (n.names if isinstance(n, ast.Import) else [ast.alias(n.module or "")])}
    assert "subprocess" not in imported and "pty" not in imported
    for call in _calls(tree):
        f = call.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        # os.system/os.popen/os.exec*: the other ways to reach a real shell or program
        assert name not in ("system", "popen", "spawnl", "execv", "execvp"), f"{path}:{call.lineno}"


def test_shell_metacharacters_in_a_cell_stay_text():
    """`$(...)`, `;` and backticks typed into %kubectl reach the pod's simulated shell as words."""
    be = EmbeddedCluster()
    nk.start_chapter("safe", [str(PACKAGE.parent / "book" / "manifests" / "simple-app.yaml")], backend=be,
                     load_magic=False)
    r = nk.kubectl("exec deploy/frontend -- echo '$(rm -rf /); `reboot`'", backend=be)
    assert r.exit_code == 0 and r.text == "$(rm -rf /); `reboot`\n"
