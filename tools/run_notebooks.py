"""Re-execute the book's chapters in place (``make notebooks``), as an author does after a change.

Outputs are what the embedded cluster prints; per-cell timing metadata is not
recorded, so a re-run only changes the notebooks where an output changed.

    python tools/run_notebooks.py book/*.ipynb
"""
from __future__ import annotations

import os
import sys

import nbformat
from nbclient import NotebookClient


def run(path: str) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}}).execute()
    nbformat.write(nb, path)
    print(f"executed {path}")


if __name__ == "__main__":
    os.environ["NETPOL_BACKEND"] = "sim"  # stored outputs come from the embedded cluster
    for p in sys.argv[1:]:
        run(p)
