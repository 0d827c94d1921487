"""A small in-memory Backend for kubectl/magic tests: canned API dicts, a fixed clock.

It implements the production :class:`netpol_kernel.backends.base.Backend`
protocol and nothing more (plus ``now`` and ``debug``), so tests exercise the
same calls the embedded and real clusters answer.

>>> b = FakeBackend()
>>> b.add(pod("web-1", labels={"app": "web"}))["metadata"]["name"]
'web-1'
>>> [p["metadata"]["name"] for p in b.get("Pod", selector="app=web")]
['web-1']
"""
from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional, Sequence, Union

from netpol_kernel.api.resources import RESOURCES
from netpol_kernel.backends.base import ApplyResult, ExecResult
from netpol_kernel.errors import AlreadyExistsError, NetpolError, NotFoundError

NOW = datetime(2024, 7, 28, 12, 0, 0, tzinfo=timezone.utc)


def stamp(seconds_ago: float) -> str:
    """The creationTimestamp of an object created ``seconds_ago`` before NOW."""
    return (NOW - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def resource_name(kind: str) -> str:
    """What NotFound messages name: ``pods``, ``deployments.apps``, ..."""
    plural, qualified = RESOURCES[kind][0], RESOURCES[kind][1]
    group = qualified.partition(".")[2]
    return f"{plural}.{group}" if group else plural


# ---------------------------------------------------------------- canned objects

def check_meta(name: str, namespace: Optional[str], labels: Optional[dict], age: float) -> dict:
    meta: dict = {"name": name, "creationTimestamp": stamp(age)}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    return meta


def pod(name: str, *, labels: Optional[dict] = None, ip: str = "10.244.0.5", age: float = 60,
        ready: bool = True, namespace: str = "default", containers: Sequence[str] = ("main",),
        restarts: int = 0, node: str = "kind-control-plane") -> dict:
    statuses = [{"name": c, "ready": ready, "restartCount": restarts,
                 "state": {"running": {"startedAt": stamp(age)}} if ready else
                 {"waiting": {"reason": "ContainerCreating"}}} for c in containers]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": check_meta(name, namespace, labels, age),
            "spec": {"containers": [{"name": c, "image": "busybox"} for c in containers],
                     "nodeName": node},
            "status": {"phase": "Running" if ready else "Pending", "podIP": ip,
                       "podIPs": [{"ip": ip}], "containerStatuses": statuses}}


def deployment(name: str, *, app: Optional[str] = None, replicas: int = 1, ready: int = 1,
               age: float = 60, image: str = "busybox", namespace: str = "default") -> dict:
    app = app or name
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": check_meta(name, namespace, {"app": app}, age),
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": app}},
                     "template": {"metadata": {"labels": {"app": app}},
                                  "spec": {"containers": [{"name": f"{name}-container", "image": image}]}}},
            "status": {"replicas": replicas, "readyReplicas": ready, "updatedReplicas": replicas,
                       "availableReplicas": ready}}


def service(name: str, *, ports: Sequence[Union[int, tuple]] = (8080,), cluster_ip: str = "10.96.0.10",
            selector: Optional[dict] = None, age: float = 60, namespace: str = "default") -> dict:
    spec_ports = []
    for p in ports:
        port, proto = (p, "TCP") if isinstance(p, int) else p
        spec_ports.append({"port": port, "protocol": proto, "targetPort": port})
    return {"apiVersion": "v1", "kind": "Service", "metadata": check_meta(name, namespace, {"app": name}, age),
            "spec": {"type": "ClusterIP", "clusterIP": cluster_ip, "ports": spec_ports,
                     "selector": selector if selector is not None else {"app": name}}}


def netpol(name: str, spec: dict, *, age: float = 60, namespace: str = "default") -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": check_meta(name, namespace, None, age), "spec": spec}


def namespace(name: str, *, age: float = 3600) -> dict:
    meta = check_meta(name, None, {"kubernetes.io/metadata.name": name}, age)
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta, "status": {"phase": "Active"}}


# ---------------------------------------------------------------- selectors

_REQ = re.compile(r"^\s*(!?)([\w./-]+)\s*(?:(==|=|!=)\s*([\w.-]*)|\s+(in|notin)\s*\(([^)]*)\))?\s*$")


def matches(selector: Optional[str], labels: dict) -> bool:
    """A label selector string (equality- and set-based) against labels."""
    if not selector:
        return True
    parts = re.split(r",(?![^()]*\))", selector)
    for part in parts:
        m = _REQ.match(part)
        if not m:
            raise NetpolError(f"unable to parse requirement: {part!r}")
        neg, key, op, value, setop, values = m.groups()
        have = labels.get(key)
        if op in ("=", "=="):
            ok = have == value
        elif op == "!=":
            ok = have != value
        elif setop:
            vals = {v.strip() for v in values.split(",")}
            ok = (have in vals) if setop == "in" else (have not in vals)
        else:
            ok = (have is None) if neg else (have is not None)
        if not ok:
            return False
    return True


# ---------------------------------------------------------------- the backend

ExecAnswer = Union[ExecResult, Callable[[str, Sequence[str], Optional[str]], ExecResult]]


class FakeBackend:
    """Objects in a dict keyed by (kind, namespace, name); every call is recorded."""

    name = "sim"
    default_namespace = "default"

    def __init__(self, objects: Sequence[dict] = (), *, now: datetime = NOW):
        self.store: dict[tuple[str, str, str], dict] = {}
        self._now = now
        self.calls: list[tuple] = []
        self.exec_answers: dict[str, ExecAnswer] = {}
        for ns in ("default", "kube-system"):
            self.add(namespace(ns))
        for obj in objects:
            self.add(obj)

    # -- helpers for tests
    def add(self, obj: dict) -> dict:
        obj = copy.deepcopy(obj)
        kind = obj["kind"]
        ns = obj["metadata"].get("namespace", "default") if RESOURCES[kind][3] else ""
        self.store[(kind, ns, obj["metadata"]["name"])] = obj
        return obj

    def now(self) -> datetime:
        return self._now

    # -- Backend protocol
    def apply(self, docs: Sequence[Any], namespace: Optional[str] = None) -> list[ApplyResult]:
        self.calls.append(("apply", [d.obj.get("metadata", {}).get("name") for d in docs], namespace))
        from netpol_kernel.backends.base import ApplyErrors
        out, errors = [], []
        for doc in docs:
            try:
                out.append(self._apply_one(doc, namespace))
            except NetpolError as e:  # each object on its own, as the real backends do
                errors.append((doc, e))
        if errors:
            raise ApplyErrors(out, errors)
        return out

    def _apply_one(self, doc: Any, namespace: Optional[str]) -> ApplyResult:
        from netpol_kernel.api.validation import check
        check(doc)  # as the API server (and the embedded cluster) would
        obj = copy.deepcopy(doc.obj)
        kind, meta = obj["kind"], obj.setdefault("metadata", {})
        ns = ""
        if RESOURCES[kind][3]:
            if meta.get("namespace") and namespace and meta["namespace"] != namespace:
                raise NetpolError("error: the namespace from the provided object does not match")
            ns = meta.get("namespace") or namespace or self.default_namespace
            if ("Namespace", "", ns) not in self.store:
                raise NotFoundError("namespaces", ns)
            meta["namespace"] = ns
        key = (kind, ns, meta["name"])
        old = self.store.get(key)
        if old is None:
            meta["creationTimestamp"] = stamp(0)
            action = "created"
        else:
            meta["creationTimestamp"] = old["metadata"]["creationTimestamp"]
            same = all(old.get(k) == obj.get(k) for k in ("spec", "data")) and \
                old["metadata"].get("labels") == meta.get("labels")
            action = "unchanged" if same else "configured"
        self.store[key] = obj
        return ApplyResult(kind, meta["name"], ns or None, action)

    def delete(self, kind: str, name: str, namespace: Optional[str] = None) -> ApplyResult:
        self.calls.append(("delete", kind, name, namespace))
        ns = (namespace or self.default_namespace) if RESOURCES[kind][3] else ""
        if (kind, ns, name) not in self.store:
            raise NotFoundError(resource_name(kind), name, ns or None)
        del self.store[(kind, ns, name)]
        return ApplyResult(kind, name, ns or None, "deleted")

    def get(self, kind: str, namespace: Optional[str] = None, name: Optional[str] = None,
            selector: Optional[str] = None, all_namespaces: bool = False) -> list[dict]:
        self.calls.append(("get", kind, namespace, name, selector, all_namespaces))
        namespaced = RESOURCES[kind][3]
        ns = (namespace or self.default_namespace) if namespaced else ""
        if name is not None:
            obj = self.store.get((kind, ns, name))
            if obj is None:
                raise NotFoundError(resource_name(kind), name, ns or None)
            return [copy.deepcopy(obj)]
        return [copy.deepcopy(o) for (k, n, _), o in self.store.items()
                if k == kind and (all_namespaces or not namespaced or n == ns)
                and matches(selector, o["metadata"].get("labels") or {})]

    def label(self, kind: str, name: str, labels: dict, namespace: Optional[str] = None,
              overwrite: bool = False) -> str:
        obj = self.get(kind, namespace, name)[0]
        ns = obj["metadata"].get("namespace", "")
        current = obj["metadata"].setdefault("labels", {})
        for key, value in labels.items():
            if value is not None and key in current and current[key] != value and not overwrite:
                raise NetpolError(f"'{key}' already has a value ({current[key]}), and --overwrite is false")
        before = dict(current)
        for key, value in labels.items():
            if value is None:
                current.pop(key, None)
            else:
                current[key] = value
        self.store[(kind, ns, name)] = obj
        word = "labeled" if current != before else "not labeled"
        return f"{RESOURCES[kind][1]}/{name} {word}"

    def exec(self, pod: str, argv: Sequence[str], namespace: Optional[str] = None,
             container: Optional[str] = None) -> ExecResult:
        self.calls.append(("exec", pod, list(argv), namespace, container))
        self.check_pod(pod, namespace)
        answer = self.exec_answers.get(pod, ExecResult("", "", 0))
        return answer(pod, argv, container) if callable(answer) else answer

    def debug(self, pod: str, image: str, argv: Sequence[str], namespace: Optional[str] = None,
              target: Optional[str] = None) -> ExecResult:
        self.calls.append(("debug", pod, image, list(argv), namespace, target))
        self.check_pod(pod, namespace)
        answer = self.exec_answers.get(pod, ExecResult("", "", 0))
        return answer(pod, argv, target) if callable(answer) else answer

    def check_pod(self, name: str, namespace: Optional[str]) -> dict:
        """The pod, or NotFound as the API server words it (no call recorded)."""
        obj = self.store.get(("Pod", namespace or self.default_namespace, name))
        if obj is None:
            raise NotFoundError("pods", name, namespace)
        return obj

    def create_namespace(self, name: str) -> None:
        if ("Namespace", "", name) in self.store:
            raise AlreadyExistsError("namespaces", name)
        self.add(namespace(name, age=0))

    def engine(self, namespace: Optional[str] = None) -> Any:
        raise NotImplementedError("the fake backend has no policy engine")
