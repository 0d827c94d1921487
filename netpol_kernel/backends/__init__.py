"""Layer 3, cluster backends: the interface every cluster implements, the real-cluster backend,
and choosing one: ``NETPOL_BACKEND=sim`` (default, the embedded cluster) or ``kube``.

The notebooks' code is the same either way: everything asks :func:`current`.
The embedded cluster lives a layer up (:mod:`netpol_kernel.sim`, it implements this
interface), so this layer knows it only as a factory that the package registers
(:func:`register`), the way a composition root wires layers together.

>>> import os; os.environ.get("NETPOL_BACKEND", "sim") in ("sim", "kube")
True
"""
from __future__ import annotations

import os
from typing import Callable, Optional

from .base import ApplyResult, Backend, ExecResult

__all__ = ["Backend", "ApplyResult", "ExecResult", "current", "use", "reset", "backend_name", "register"]

_current: Optional[Backend] = None
_factories: dict[str, Callable[[], Backend]] = {}


def register(name: str, factory: Callable[[], Backend]) -> None:
    """Make ``NETPOL_BACKEND=name`` build its cluster with ``factory`` (called on first use)."""
    _factories[name] = factory


def backend_name() -> str:
    name = os.environ.get("NETPOL_BACKEND", "sim").strip().lower() or "sim"
    if name not in ("sim", "kube"):
        raise ValueError(f'NETPOL_BACKEND must be "sim" or "kube", not {name!r}')
    return name


def _kube() -> Backend:
    from .kube import KubeBackend  # the kubernetes client loads only when asked for
    return KubeBackend.from_environment()


register("kube", _kube)


def _make(name: str) -> Backend:
    return _factories[name]()


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
