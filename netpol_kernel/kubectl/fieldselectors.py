"""``--field-selector``: the API server's field selectors, evaluated on the listed objects.

Each kind supports a few fields (the API server's field label conversion
functions, k8s.io/kubernetes pkg/registry/*/strategy.go ``*ToSelectableFields``):
``metadata.name`` and ``metadata.namespace`` everywhere, plus those below.
Requirements are ``field=value``, ``field==value`` or ``field!=value``, joined by
commas.  An unsupported field is the API server's BadRequest.

>>> pod = {"metadata": {"name": "web"}, "status": {"phase": "Running"}}
>>> matches(parse("status.phase=Running,metadata.name!=db", "Pod"), pod)
True
"""
from __future__ import annotations

from typing import Any, Mapping

from ..errors import NetpolError

__all__ = ["parse", "matches", "SELECTABLE"]

SELECTABLE: dict[str, tuple[str, ...]] = {
    "Pod": ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"),
    "Event": ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
              "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
              "reason", "reportingComponent", "source", "type"),
    "Secret": ("type",),
    "Namespace": ("status.phase",),
    "Node": ("spec.unschedulable",),
    "ReplicaSet": ("status.replicas",),
}
_PLURAL = {"Pod": "pods", "Event": "events", "Secret": "secrets", "Namespace": "namespaces", "Node": "nodes",
           "Service": "services", "Deployment": "deployments", "ReplicaSet": "replicasets"}


def parse(text: str, kind: str, label_selector: str = "") -> list[tuple[str, str, str]]:
    """``[(field, operator, value)]``; the API server's error for a field it cannot select on."""
    out = []
    for part in filter(None, text.split(",")):
        for op in ("!=", "==", "="):
            if op in part:
                field, _, value = part.partition(op)
                break
        else:
            raise NetpolError(f'error: invalid field selector: "{part}"')
        if field not in ("metadata.name", "metadata.namespace") + SELECTABLE.get(kind, ()):
            group = "apps/v1" if kind in ("Deployment", "ReplicaSet") else "/v1"
            raise NetpolError(
                f'Error from server (BadRequest): Unable to find "{group}, Resource={_PLURAL.get(kind, kind.lower())}" '
                f'that match label selector "{label_selector}", field selector "{text}": field label not supported: {field}')
        out.append((field, "!=" if op == "!=" else "=", value))
    return out


def _value(obj: Mapping[str, Any], field: str) -> str:
    if field == "source":
        return str(((obj.get("source") or {}).get("component")) or "")
    cur: Any = obj
    for step in field.split("."):
        cur = cur.get(step) if isinstance(cur, Mapping) else None
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return "" if cur is None else str(cur)


def matches(requirements: list[tuple[str, str, str]], obj: Mapping[str, Any]) -> bool:
    return all((_value(obj, f) == v) == (op == "=") for f, op, v in requirements)
