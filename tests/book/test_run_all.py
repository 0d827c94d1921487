"""Run All, then use the panels: what a learner does in JupyterLab after opening a chapter.

Each chapter with a panel is executed top to bottom in a real kernel (nbclient, as
``make notebooks`` does), then, in the same kernel, the panel the page displayed is
used the way its buttons use it. Before issue 15 every chapter ended with
``chapter.cleanup()``, so these failed with ``namespaces "netpol-ch05" not found``.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parents[2] / "book"

# The panel each chapter displays, and what using it must print (the wording is kubectl's
# and the ProbePanel's own: netpol_kernel/notebook/widgets.py).
USE = {
    "03_verify": ("ProbePanel", "print(panel.run().exit_code, panel.output_text())",
                  ["0", "frontend -> backend:8080", "exit code 0: connected"]),
    "05_allow_frontend": ("ManifestPanel", "panel.apply(); print(panel.output_text()); print(panel.text())",
                          ["networkpolicy.networking.k8s.io/backend-allow-ingress-frontend created"]),
    "06_isolation": ("MatrixPanel", "panel.refresh(); print(panel.text())",
                     ["client -> example-frontend:5000: allowed"]),
}


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


@pytest.mark.parametrize("stem", sorted(USE))
def test_panels_work_after_run_all(stem: str, monkeypatch) -> None:
    monkeypatch.setenv("NETPOL_BACKEND", "sim")  # the kernel inherits it
    kind, use, expected = USE[stem]
    nb = nbformat.read(BOOK / f"{stem}.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(BOOK)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        probe = nbformat.v4.new_code_cell(
            "import netpol_kernel as nk\n"
            f"panel = [v for v in Out.values() if isinstance(v, nk.{kind})][-1]\n" + use)
        nb.cells.append(probe)  # nbclient writes each executed cell back into the notebook
        client.execute_cell(probe, len(nb.cells) - 1)
    errors = [o for o in probe.outputs if o.get("output_type") == "error"]
    assert not errors, json.dumps(errors)[:2000]
    out = _stdout(probe)
    for words in expected:
        assert words in out, out
    assert "not found" not in out, out
