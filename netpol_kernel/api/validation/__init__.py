"""The API server's checks for the kinds the course uses, as field errors.

:func:`validate` returns every problem it finds in one object, worded and
pathed as ``kubectl apply`` would print them: strict-decoding problems first
(unknown fields, values of the wrong JSON type), then the rules of
k8s.io/kubernetes ``pkg/apis/{core,apps,networking}/validation``.  It never
raises; :func:`check` raises :class:`ManifestError` for a :class:`Document`.

The rules live in one module per concept: :mod:`.names` (apimachinery's string
formats), :mod:`.addresses` (IPs and CIDRs), :mod:`.fields` (paths, tolerant
accessors, Go-style values), :mod:`.schema` (strict decoding), :mod:`.meta`
(metadata, labels, selectors), :mod:`.pods`, :mod:`.workloads`, :mod:`.services`,
:mod:`.configs` and :mod:`.networkpolicy`; this module maps each kind to them.

>>> policy = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
...           "metadata": {"name": "db"},
...           "spec": {"podSelector": {}, "ingres": [],
...                    "egress": [{"ports": [{"port": 5432, "endPort": 80}]}]}}
>>> for e in validate(policy):
...     print(e)
unknown field "spec.ingres"
spec.egress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`
"""
from __future__ import annotations

import difflib
from typing import Any, Callable

from ...errors import FieldError, ManifestError
from ..manifests import Document
from .configs import _config_map, _secret
from .fields import Errors, _d, _empty, _q
from .meta import _namespace
from .networkpolicy import _network_policy
from .pods import _pod
from .schema import _SCHEMAS, STR, SUPPORTED_KINDS, _decode, _json_kind, _type_error
from .services import _service
from .workloads import _workload

__all__ = ["validate", "check", "SUPPORTED_KINDS"]


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------
_RULES: dict[tuple[str, str], Callable[[dict, Errors], None]] = {
    ("v1", "Namespace"): _namespace,
    ("v1", "Pod"): _pod,
    ("v1", "Service"): _service,
    ("v1", "Secret"): _secret,
    ("v1", "ConfigMap"): _config_map,
    ("apps/v1", "Deployment"): _workload("Deployment"),
    ("apps/v1", "ReplicaSet"): _workload("ReplicaSet"),
    ("apps/v1", "StatefulSet"): _workload("StatefulSet"),
    ("apps/v1", "DaemonSet"): _workload("DaemonSet"),
    ("networking.k8s.io/v1", "NetworkPolicy"): _network_policy,
}


def _no_match(api: str, kind: str) -> FieldError:
    """The error for a type we do not serve, naming what we do serve."""
    head = f"no matches for kind {_q(kind)} in version {_q(api)}"
    served = [v for v, k in SUPPORTED_KINDS if k == kind]
    if served:
        return FieldError("apiVersion", "Unsupported", f"{head}; {kind} is served at {_q(served[0])}", api)
    groups: dict[str, list[str]] = {}
    for v, k in SUPPORTED_KINDS:
        groups.setdefault(v, []).append(k)
    listing = "; ".join(f"{', '.join(ks)} ({v})" for v, ks in groups.items())
    near = difflib.get_close_matches(kind, [k for _, k in SUPPORTED_KINDS], n=1)
    # the hint goes after the first ';' so callers can cut kubectl's own sentence off cleanly
    hint = f" (did you mean {_q(near[0])}?)" if near else ""
    return FieldError("kind", "Unsupported", f"{head}; supported kinds: {listing}{hint}", kind)


def validate(obj: Any) -> tuple[FieldError, ...]:
    """Every field error the API server (and strict decoding) would report."""
    if not isinstance(obj, dict):
        return (FieldError("<document>", "Invalid", f"must be an object (got {_json_kind(obj)})"),)
    api, kind = obj.get("apiVersion"), obj.get("kind")
    if _empty(api) or _empty(kind):
        return tuple(FieldError.required(f) for f in ("apiVersion", "kind") if _empty(obj.get(f)))
    if not isinstance(api, str) or not isinstance(kind, str):
        bad = "apiVersion" if not isinstance(api, str) else "kind"
        return (_type_error(bad, obj[bad], STR),)
    if (api, kind) not in _SCHEMAS:
        return (_no_match(api, kind),)
    errs: Errors = []
    _decode(obj, _SCHEMAS[api, kind], "", errs)
    _RULES[api, kind](obj, errs)
    return tuple(errs)


def check(doc: Document) -> None:
    """Raise :class:`ManifestError` (all errors of the object) unless valid."""
    errors = validate(doc.obj)
    if errors:
        kind = doc.obj.get("kind") if isinstance(doc.obj.get("kind"), str) else ""
        name = _d(doc.obj.get("metadata")).get("name")
        raise ManifestError(kind, name if isinstance(name, str) else "", errors,
                            source=doc.source, index=doc.index)
