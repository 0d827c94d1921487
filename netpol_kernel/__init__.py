"""netpol_kernel: the NetworkPolicy engine, embedded cluster and notebook helpers
behind the "Network Policies" course book.

>>> import netpol_kernel as nk
>>> out = nk.kubectl("get netpol", backend=nk.EmbeddedCluster())
>>> out.text
'No resources found in default namespace.\\n'

The pure core (objects, validation, engine) imports no IPython or matplotlib;
notebook pieces (plots, widgets, the %kubectl magic) load on first use.
"""
from __future__ import annotations

import importlib
from datetime import datetime, timezone
from typing import Any

from .policy.engine import Engine, ServiceVerdict, Verdict
from . import backends
from .backends.base import ApplyErrors
from .errors import (AlreadyExistsError, ClusterError, FieldError, ManifestError,
                     NetpolError, NotFoundError, UnsupportedCommand, YAMLSyntaxError)
# The function shadows its module's name on purpose: `nk.kubectl("get pods")`.
from .kubectl import KubectlResult, kubectl
from .policy.objects import LabelSelector, NetworkPolicy, Pod, Service, from_dict
from .policy.portset import PortSet

__version__ = "0.1.0"


def _wall_clock() -> datetime:
    return datetime.now(timezone.utc)


def _embedded_cluster() -> "backends.Backend":
    from .sim.cluster import EmbeddedCluster  # loaded when the first command needs a cluster
    # The book's cluster runs on the real clock: curl's Date, `describe`'s "Created on" and
    # AGE tell the reader's time, not a frozen lab date (nbval hides them when comparing).
    return EmbeddedCluster(clock=_wall_clock)


# The package wires its layers together: the backends layer chooses a cluster, and the
# embedded one sits a layer above it.
backends.register("sim", _embedded_cluster)

# name -> module that defines it; imported lazily to keep `import netpol_kernel` light.
_LAZY = {
    "Cell": ".notebook.matrix", "Matrix": ".notebook.matrix", "MatrixDiff": ".notebook.matrix",
    "load_documents": ".api.manifests", "load_path": ".api.manifests", "Document": ".api.manifests",
    "validate": ".api.validation",
    "World": ".policy.world",
    "EmbeddedCluster": ".sim.cluster",
    "current_backend": ".backends", "use_backend": ".backends",
    "load_ipython_extension": ".notebook.magic",
    "start_chapter": ".notebook.chapter", "Chapter": ".notebook.chapter", "show_file": ".notebook.chapter", "picture": ".notebook.chapter",
    "preview": ".notebook.chapter",
    "probe": ".notebook.probes", "probe_matrix": ".notebook.probes", "predict_matrix": ".notebook.probes", "what_if": ".notebook.probes",
    "reachability": ".notebook.probes", "explain": ".notebook.probes",
    "ManifestPanel": ".notebook.widgets", "ProbePanel": ".notebook.widgets", "MatrixPanel": ".notebook.widgets",
    "before_after": ".notebook.widgets", "PolicyPicture": ".notebook.plots", "lint": ".policy.lint", "Exercise": ".notebook.exercises",
    "exercise": ".notebook.catalogue", "Goal": ".policy.goals", "Flow": ".policy.goals",
}
_ALIASES = {"current_backend": "current", "use_backend": "use"}

__all__ = [
    "Engine", "Verdict", "ServiceVerdict", "PortSet",
    "LabelSelector", "NetworkPolicy", "Pod", "Service", "from_dict",
    "FieldError", "NetpolError", "ManifestError", "YAMLSyntaxError", "NotFoundError",
    "AlreadyExistsError", "ApplyErrors", "UnsupportedCommand", "ClusterError", "kubectl",
    "KubectlResult", *_LAZY,
]


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'netpol_kernel' has no attribute {name!r}")
    value = getattr(importlib.import_module(mod, __name__), _ALIASES.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
