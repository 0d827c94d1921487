"""The public surface named in netpol_kernel/__init__.py, and what importing it costs."""
from __future__ import annotations

import subprocess
import sys

import netpol_kernel as nk


def test_every_public_name_resolves():
    for name in nk.__all__:
        assert getattr(nk, name) is not None, name


def test_kubectl_is_the_function_even_after_its_module_is_imported():
    import importlib
    importlib.import_module("netpol_kernel.kubectl")
    assert callable(nk.kubectl) and nk.kubectl.__name__ == "kubectl"


def test_the_public_surface_is_deliberate():
    assert set(nk.__all__) >= {
        "Engine", "Verdict", "Matrix", "MatrixDiff", "kubectl", "EmbeddedCluster", "World", "validate",
        "load_documents", "start_chapter", "reachability", "explain", "preview", "picture", "what_if",
        "ManifestPanel", "ProbePanel", "MatrixPanel", "Exercise", "lint", "FieldError", "ManifestError",
        "NotFoundError", "load_ipython_extension"}
    assert not [n for n in nk.__all__ if n.startswith("_")]


def test_importing_the_package_loads_no_notebook_or_cluster_client_library():
    """The pure core stays light: notebook pieces and the kubernetes client load on first use."""
    code = ("import sys, netpol_kernel; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'IPython', 'ipywidgets', 'matplotlib', 'kubernetes'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
