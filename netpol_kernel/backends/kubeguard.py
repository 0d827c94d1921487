"""Which cluster, and which of its namespaces, netpol-kernel may change.

:func:`check_context` is the first guard (a local kind context, or one opted in
by exact name), decided from the kubeconfig's text before any client exists;
:func:`foreign_nodes` the second (kind's nodes of that cluster, not a tunnel to
another); :func:`applied_by_us` and the labels tell the namespaces the book
created.  :class:`~netpol_kernel.backends.kube.KubeBackend` applies them.

>>> check_context("kind-netpol-course", "https://127.0.0.1:41231") is None
True
>>> foreign_nodes([{"spec": {"providerID": "kind://docker/netpol-course/netpol-course-control-plane"}}],
...               "netpol-course")
[]
"""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence
from urllib.parse import urlsplit

from ..errors import ClusterError
from .kubeclient import FIELD_MANAGER

__all__ = ["MANAGED_BY", "MANAGED_BY_VALUE", "CHAPTER_LABEL", "check_context", "foreign_nodes",
           "applied_by_us", "labels_of", "terminating"]

MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "netpol-kernel"
CHAPTER_LABEL = "netpol-kernel/chapter"

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def check_context(context: str, server: str, allow_context: Optional[str] = None) -> None:
    """Refuse anything but a local kind cluster, unless opted in by exact context name.

    kind names its contexts ``kind-<cluster>`` and serves the API on 127.0.0.1;
    a context that fails either test may be a shared or production cluster.

    >>> check_context("prod", "https://10.0.0.1:6443", allow_context="prod")
    >>> check_context("prod", "https://10.0.0.1:6443")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    netpol_kernel.errors.ClusterError: refusing to use Kubernetes context "prod" (server https://10.0.0.1:6443): ...
    """
    if allow_context is not None and allow_context == context:
        return
    host = (urlsplit(server).hostname or "").lower()
    problems = []
    if not context.startswith("kind-"):
        problems.append("its name does not start with kind-")
    if host not in _LOCAL_HOSTS:
        problems.append(f"its server {host or server!r} is not localhost")
    if not problems:
        return
    raise ClusterError(
        f'refusing to use Kubernetes context "{context}" (server {server}): it does not look '
        f"like a local kind cluster ({' and '.join(problems)}). netpol-kernel creates, changes "
        f"and deletes objects; to use this cluster anyway, set NETPOL_ALLOW_CONTEXT={context}")


def labels_of(obj: Mapping[str, Any]) -> dict:
    """An API object's labels (a copy; empty when it has none).

    >>> labels_of({"metadata": {"labels": {"app": "web"}}}), labels_of({})
    ({'app': 'web'}, {})
    """
    return dict((obj.get("metadata") or {}).get("labels") or {})


def terminating(obj: Mapping[str, Any]) -> bool:
    """A namespace being deleted: it has a deletionTimestamp and shows ``Terminating``."""
    return bool((obj.get("metadata") or {}).get("deletionTimestamp")) or \
        (obj.get("status") or {}).get("phase") == "Terminating"


def applied_by_us(ns: Mapping[str, Any]) -> bool:
    """Did our field manager *apply* the managed-by label (not merely anyone's ``kubectl label``)?

    The API server records who set each field in ``metadata.managedFields``;
    create_namespace applies the label as manager ``netpol-kernel``.

    >>> applied_by_us({"metadata": {"managedFields": [{"manager": "netpol-kernel",
    ...     "operation": "Apply", "fieldsV1": {"f:metadata": {"f:labels": {
    ...     "f:app.kubernetes.io/managed-by": {}}}}}]}})
    True
    >>> applied_by_us({"metadata": {"managedFields": [{"manager": "kubectl-label",
    ...     "operation": "Update", "fieldsV1": {"f:metadata": {"f:labels": {
    ...     "f:app.kubernetes.io/managed-by": {}}}}}]}})
    False
    """
    for entry in (ns.get("metadata") or {}).get("managedFields") or ():
        if entry.get("manager") == FIELD_MANAGER and entry.get("operation") == "Apply":
            labels = ((entry.get("fieldsV1") or {}).get("f:metadata") or {}).get("f:labels") or {}
            if f"f:{MANAGED_BY}" in labels:
                return True
    return False


def foreign_nodes(nodes: Sequence[Mapping[str, Any]], cluster: str) -> list[str]:
    """The providerIDs of ``nodes`` that are not kind's nodes of ``cluster``.

    kind's kubelets register with ``--provider-id=kind://<provider>/<cluster>/<node>``
    (kind: pkg/cluster/internal/kubeadm/config.go); any other cloud's nodes say so.

    >>> foreign_nodes([{"spec": {"providerID": "gce://shop/europe-west1-b/gke-1"}}], "netpol-course")
    ['gce://shop/europe-west1-b/gke-1']
    """
    ids = [str((n.get("spec") or {}).get("providerID") or "") for n in nodes]
    return [i or "(none)" for i in ids
            if not i.startswith("kind://") or i.split("/")[3:4] != [cluster]]
