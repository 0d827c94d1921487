"""The resource types the API knows here: kinds, plural names, short names, scope.

What ``kubectl get netpol`` or ``deployments.apps`` means, in one table
that kubectl, both backends and validation share.

>>> resource_for("netpol"), RESOURCES["Service"][0]
('NetworkPolicy', 'services')
"""
from __future__ import annotations

from typing import Optional

from ..errors import UnsupportedCommand

__all__ = ["RESOURCES", "resource_for", "kind_of"]

# kind -> (plural resource, group-qualified name kubectl prints, short names, namespaced)
RESOURCES: dict[str, tuple[str, str, tuple[str, ...], bool]] = {
    "Namespace": ("namespaces", "namespace", ("ns", "namespace"), False),
    "Pod": ("pods", "pod", ("po", "pod"), True),
    "Service": ("services", "service", ("svc", "service"), True),
    "Secret": ("secrets", "secret", ("secret",), True),
    "ConfigMap": ("configmaps", "configmap", ("cm", "configmap"), True),
    "Endpoints": ("endpoints", "endpoints", ("ep",), True),
    "Deployment": ("deployments", "deployment.apps", ("deploy", "deployment"), True),
    "ReplicaSet": ("replicasets", "replicaset.apps", ("rs", "replicaset"), True),
    "StatefulSet": ("statefulsets", "statefulset.apps", ("sts", "statefulset"), True),
    "DaemonSet": ("daemonsets", "daemonset.apps", ("ds", "daemonset"), True),
    "NetworkPolicy": ("networkpolicies", "networkpolicy.networking.k8s.io",
                      ("netpol", "networkpolicy"), True),
}


def resource_for(word: str) -> Optional[str]:
    """Map what a user types (``netpol``, ``deployments``, ``deployment.apps``) to a kind.

    >>> resource_for("netpol"), resource_for("svc"), resource_for("deployments.apps")
    ('NetworkPolicy', 'Service', 'Deployment')
    """
    w = word.lower()
    for kind, (plural, qualified, shorts, _) in RESOURCES.items():
        group = qualified.partition(".")[2]
        names = {plural, kind.lower(), qualified, *shorts}
        if group:
            names |= {f"{plural}.{group}", f"{kind.lower()}.{group}"}
        if w in names:
            return kind
    return None


def kind_of(word: str) -> str:
    """Like :func:`resource_for`, plus read-only Nodes; kubectl's error for anything else.

    >>> kind_of("no"), kind_of("Deployment")
    ('Node', 'Deployment')
    """
    if word == "Node" or word.lower() in ("node", "nodes", "no"):
        return "Node"  # not in RESOURCES: read-only, and only for ``get``
    kind = word if word in RESOURCES else resource_for(word)
    if kind is None:
        raise UnsupportedCommand(f'error: the server doesn\'t have a resource type "{word}"')
    return kind


