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
from .configs import check_config_map, check_secret
from .fields import Errors, as_dict, is_empty, quoted
from .meta import check_meta, check_namespace
from .networkpolicy import check_network_policy
from .pods import check_pod
from .names import is_dns1123_subdomain, is_path_segment_name
from .schema import OTHER_KINDS, OTHER_SCHEMA, SCHEMAS, STR, SUPPORTED_KINDS, decode, json_kind, type_error
from .services import check_service
from .workloads import check_workload

__all__ = ["validate", "check", "SUPPORTED_KINDS", "OTHER_KINDS", "is_modelled"]


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------
_RULES: dict[tuple[str, str], Callable[[dict, Errors], None]] = {
    ("v1", "Namespace"): check_namespace,
    ("v1", "Pod"): check_pod,
    ("v1", "Service"): check_service,
    ("v1", "Secret"): check_secret,
    ("v1", "ConfigMap"): check_config_map,
    ("apps/v1", "Deployment"): check_workload("Deployment"),
    ("apps/v1", "ReplicaSet"): check_workload("ReplicaSet"),
    ("apps/v1", "StatefulSet"): check_workload("StatefulSet"),
    ("apps/v1", "DaemonSet"): check_workload("DaemonSet"),
    ("networking.k8s.io/v1", "NetworkPolicy"): check_network_policy,
}


def _no_match(api: str, kind: str) -> FieldError:
    """The error for a type we do not serve, naming what we do serve."""
    head = f"no matches for kind {quoted(kind)} in version {quoted(api)}"
    served = [v for v, k in SUPPORTED_KINDS if k == kind]
    if served:
        return FieldError("apiVersion", "Unsupported", f"{head}; {kind} is served at {quoted(served[0])}", api)
    groups: dict[str, list[str]] = {}
    for v, k in SUPPORTED_KINDS:
        groups.setdefault(v, []).append(k)
    listing = "; ".join(f"{', '.join(ks)} ({v})" for v, ks in groups.items())
    near = difflib.get_close_matches(kind, [k for _, k in SUPPORTED_KINDS], n=1)
    # the hint goes after the first ';' so callers can cut kubectl's own sentence off cleanly
    hint = f" (did you mean {quoted(near[0])}?)" if near else ""
    return FieldError("kind", "Unsupported", f"{head}; supported kinds: {listing}{hint}", kind)


def validate(obj: Any) -> tuple[FieldError, ...]:
    """Every field error the API server (and strict decoding) would report."""
    if not isinstance(obj, dict):
        return (FieldError("<document>", "Invalid", f"must be an object (got {json_kind(obj)})"),)
    api, kind = obj.get("apiVersion"), obj.get("kind")
    if is_empty(api) or is_empty(kind):
        return tuple(FieldError.required(f) for f in ("apiVersion", "kind") if is_empty(obj.get(f)))
    if not isinstance(api, str) or not isinstance(kind, str):
        bad = "apiVersion" if not isinstance(api, str) else "kind"
        return (type_error(bad, obj[bad], STR),)
    if (api, kind) in OTHER_KINDS:
        # Built in, but not modelled here: its type meta and metadata are checked
        # (RBAC names are path segments: rbac/validation ValidateRBACName).
        other: Errors = []
        decode(obj, OTHER_SCHEMA, "", other)
        rbac = api.startswith("rbac.authorization.k8s.io/")
        check_meta(obj, other, is_path_segment_name if rbac else is_dns1123_subdomain,
                   namespaced=OTHER_KINDS[api, kind])
        return tuple(other)
    if (api, kind) not in SCHEMAS:
        return (_no_match(api, kind),)
    errs: Errors = []
    decode(obj, SCHEMAS[api, kind], "", errs)
    _RULES[api, kind](obj, errs)
    return tuple(errs)


def is_modelled(obj: dict) -> bool:
    """Does this package model the object's kind (as opposed to only checking its metadata)?

    >>> is_modelled({"apiVersion": "v1", "kind": "Pod"}), is_modelled({"apiVersion": "v1", "kind": "ServiceAccount"})
    (True, False)
    """
    return (obj.get("apiVersion"), obj.get("kind")) in SCHEMAS


def check(doc: Document) -> None:
    """Raise :class:`ManifestError` (all errors of the object) unless valid."""
    errors = validate(doc.obj)
    if errors:
        kind = doc.obj.get("kind") if isinstance(doc.obj.get("kind"), str) else ""
        name = as_dict(doc.obj.get("metadata")).get("name")
        raise ManifestError(kind, name if isinstance(name, str) else "", errors,
                            source=doc.source, index=doc.index)
