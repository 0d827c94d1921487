"""Choosing the cluster: ``NETPOL_BACKEND=sim`` (default, the embedded cluster) or ``kube``.

The notebooks' code is the same either way: everything asks :func:`current`.

>>> import os; os.environ.get("NETPOL_BACKEND", "sim") in ("sim", "kube")
True
"""
from __future__ import annotations

import os
from typing import Optional

from .base import ApplyResult, Backend, ExecResult

__all__ = ["Backend", "ApplyResult", "ExecResult", "current", "use", "reset", "backend_name"]

_current: Optional[Backend] = None


def backend_name() -> str:
    name = os.environ.get("NETPOL_BACKEND", "sim").strip().lower() or "sim"
    if name not in ("sim", "kube"):
        raise ValueError(f'NETPOL_BACKEND must be "sim" or "kube", not {name!r}')
    return name


def _make(name: str) -> Backend:
    if name == "kube":
        from .kube import KubeBackend
        return KubeBackend.from_environment()
    from ..sim.cluster import EmbeddedCluster
    return EmbeddedCluster()


def current() -> Backend:
    """The process-wide cluster, created on first use from NETPOL_BACKEND."""
    global _current
    if _current is None:
        _current = _make(backend_name())
    return _current


def use(backend: Backend) -> Backend:
    """Make ``backend`` the current cluster (tests, or a notebook that wants a fresh one)."""
    global _current
    _current = backend
    return backend


def reset() -> Backend:
    """Start over with a fresh cluster of the configured kind."""
    global _current
    _current = None
    return current()
