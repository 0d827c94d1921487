"""The API server's defaulting, so stored objects look like what ``kubectl get -o yaml`` shows.

Pure functions over plain dicts (deep-copied, never mutated in place).  They
fill the defaults of Kubernetes 1.31 (the kind node image of kind v0.24+); the
embedded cluster adds what depends on its state (uids, IPs, status).

>>> d = default_object({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "backend"},
...                     "spec": {"selector": {"app": "backend"}, "ports": [{"name": "http", "port": 8080}]}})
>>> d["spec"]["ports"], d["spec"]["type"], d["spec"]["sessionAffinity"]
([{'protocol': 'TCP', 'targetPort': 8080, 'name': 'http', 'port': 8080}], 'ClusterIP', 'None')
>>> image_pull_policy("nginx"), image_pull_policy("mariadb:10.5"), full_image("mariadb:10.5")
('Always', 'IfNotPresent', 'docker.io/library/mariadb:10.5')
"""
from __future__ import annotations

import base64
import copy
import json
from typing import Any, Callable

__all__ = ["default_object", "default_pod_spec", "image_pull_policy", "full_image",
           "last_applied", "go_json", "NO_GENERATION_KINDS"]

#: Kinds whose registry strategy does not track metadata.generation.
NO_GENERATION_KINDS = frozenset({"Namespace", "Service", "Secret", "ConfigMap", "Endpoints"})

_PROBE = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}


def go_json(obj: Any) -> str:
    """JSON as Go's encoding/json writes a map: sorted keys, compact, HTML-escaped."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def last_applied(manifest: dict) -> str:
    """The ``kubectl.kubernetes.io/last-applied-configuration`` value kubectl writes.

    kubectl stores the object it sent minus this annotation itself, which leaves
    ``"annotations":{}`` behind when there were no others; the value ends in a newline.
    """
    obj = copy.deepcopy(manifest)
    md = obj.setdefault("metadata", {})
    ann = dict(md.get("annotations") or {})
    ann.pop("kubectl.kubernetes.io/last-applied-configuration", None)
    md["annotations"] = ann
    return go_json(obj) + "\n"


def full_image(image: str) -> str:
    """The fully qualified reference containerd reports (``docker.io/library/x:latest``)."""
    name, _, digest = image.partition("@")
    first = name.split("/", 1)[0]
    if "/" not in name or not ("." in first or ":" in first or first == "localhost"):
        name = "docker.io/" + (name if "/" in name else "library/" + name)
    if not digest and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name + (f"@{digest}" if digest else "")


def image_pull_policy(image: str) -> str:
    """Always for ``:latest`` or no tag, IfNotPresent otherwise (digests included)."""
    if "@" in image:
        return "IfNotPresent"
    tail = image.rsplit("/", 1)[-1]
    return "IfNotPresent" if ":" in tail and not tail.endswith(":latest") else "Always"


def _probe(p: dict) -> dict:
    out = {**_PROBE, **p}
    if "httpGet" in out:
        out["httpGet"] = {"scheme": "HTTP", "path": "/", **out["httpGet"]}
    return out


def _container(c: dict) -> dict:
    out = dict(c)
    out.setdefault("imagePullPolicy", image_pull_policy(str(c.get("image") or "")))
    out.setdefault("resources", {})
    out.setdefault("terminationMessagePath", "/dev/termination-log")
    out.setdefault("terminationMessagePolicy", "File")
    if out.get("ports"):
        out["ports"] = [{"protocol": "TCP", **p} for p in out["ports"]]
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        if out.get(key):
            out[key] = _probe(out[key])
    return out


def default_pod_spec(spec: dict) -> dict:
    """Defaults shared by Pods and pod templates."""
    out = dict(spec)
    out["containers"] = [_container(c) for c in spec.get("containers") or ()]
    if spec.get("initContainers"):
        out["initContainers"] = [_container(c) for c in spec["initContainers"]]
    out.setdefault("dnsPolicy", "ClusterFirst")
    out.setdefault("restartPolicy", "Always")
    out.setdefault("schedulerName", "default-scheduler")
    out.setdefault("securityContext", {})
    out.setdefault("terminationGracePeriodSeconds", 30)
    return out


def _default_host_ports(spec: dict) -> None:
    """SetDefaults_Pod: a hostNetwork Pod's ports listen on the node, so an unset hostPort
    becomes the containerPort (Pods only: templates keep it unset)."""
    for key in ("containers", "initContainers"):
        for c in spec.get(key) or ():
            for p in c.get("ports") or ():
                if not p.get("hostPort"):
                    p["hostPort"] = p.get("containerPort")


def _template(t: dict | None) -> dict:
    t = dict(t or {})
    md = dict(t.get("metadata") or {})
    md.setdefault("creationTimestamp", None)
    t["metadata"] = md
    t["spec"] = default_pod_spec(t.get("spec") or {})
    return t


def _deployment(spec: dict) -> dict:
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    strat = dict(spec.get("strategy") or {})
    strat.setdefault("type", "RollingUpdate")
    if strat["type"] == "RollingUpdate":
        strat["rollingUpdate"] = {"maxSurge": "25%", "maxUnavailable": "25%",
                                  **(strat.get("rollingUpdate") or {})}
    spec["strategy"] = strat
    return spec


def _statefulset(spec: dict) -> dict:
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
    spec.setdefault("persistentVolumeClaimRetentionPolicy",
                    {"whenDeleted": "Retain", "whenScaled": "Retain"})
    return spec


def _daemonset(spec: dict) -> dict:
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("updateStrategy", {"type": "RollingUpdate",
                                       "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}})
    return spec


def _replicaset(spec: dict) -> dict:
    spec.setdefault("replicas", 1)
    return spec


def _service(spec: dict) -> dict:
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["type"] != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    spec["ports"] = [{"protocol": "TCP", "targetPort": p.get("port"), **p} for p in spec.get("ports") or ()]
    return spec


def _network_policy(spec: dict) -> dict:
    spec.setdefault("podSelector", {})
    for key in ("ingress", "egress"):
        for rule in spec.get(key) or ():
            if rule.get("ports"):
                rule["ports"] = [{"protocol": "TCP", **p} for p in rule["ports"]]
    if not spec.get("policyTypes"):
        # Ingress always; Egress only when egress rules are present.
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])
    return spec


_SPEC: dict[str, Callable[[dict], dict]] = {
    "Deployment": _deployment, "StatefulSet": _statefulset, "DaemonSet": _daemonset,
    "ReplicaSet": _replicaset, "Service": _service, "NetworkPolicy": _network_policy,
}


def _without_nulls(value: Any) -> Any:
    """A copy without null fields: JSON null decodes to a nil pointer or a zero value, which
    the server then defaults (``replicas: null`` becomes 1) or leaves out when it stores
    the object.  List items keep their place (strict decoding made them zero values).

    >>> _without_nulls({"replicas": None, "ports": [{"port": None, "protocol": "TCP"}]})
    {'ports': [{'protocol': 'TCP'}]}
    """
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def default_object(obj: dict) -> dict:
    """A copy of ``obj`` with the API server's defaults filled in (and no null fields)."""
    out = _without_nulls(obj)
    kind = out.get("kind")
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
        out["spec"] = dict(out.get("spec") or {})
        out["spec"]["template"] = _template(out["spec"].get("template"))
    if kind == "Pod":
        out["spec"] = default_pod_spec(out.get("spec") or {})
        if out["spec"].get("hostNetwork") is True:
            _default_host_ports(out["spec"])
    if kind in _SPEC:
        out["spec"] = _SPEC[kind](dict(out.get("spec") or {}))
    if kind == "Secret":
        data = dict(out.get("data") or {})
        for k, v in (out.pop("stringData", None) or {}).items():
            data[k] = base64.b64encode(str(v).encode()).decode()
        if data:
            out["data"] = data
        out.setdefault("type", "Opaque")
    if kind == "Namespace":
        out["spec"] = {"finalizers": ["kubernetes"]}
        out["status"] = {"phase": "Active"}
    return out
