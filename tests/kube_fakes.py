"""Fakes of KubeBackend's client seam, for tests without a cluster.

:class:`FakeClientLayer` implements the methods of
``netpol_kernel.backends.kube.ClientLayer`` over an in-memory store that
behaves like an API server where it matters to the backend: resourceVersions
(bumped only by real changes, as server-side apply does) and managedFields,
field-manager conflicts, namespaces that stay Terminating after a delete (409
on a second delete, 403 on a create inside), Deployments whose pods appear and
become available after a few reads, kind nodes with their providerID, label
selectors, exec streams speaking the channel protocol (stdout 1, stderr 2,
v1.Status on 3) one frame per update.
Errors are the client's own: ``ApiException`` with the JSON ``Status`` body the
API server sends, urllib3's ``MaxRetryError``.

>>> fake = FakeClientLayer()
>>> fake.read("Namespace", "kube-system", None)["metadata"]["labels"]
{'kubernetes.io/metadata.name': 'kube-system'}
"""
from __future__ import annotations

import copy
import itertools
import json
import threading
import time
from typing import Any, Callable, Mapping, Optional, Sequence

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from netpol_kernel.backends.kube import FIELD_MANAGER
from netpol_kernel.backends.kube import KINDS as RESOURCES  # the book's kinds, plus Node

__all__ = ["FakeClock", "FakeStream", "FakeClientLayer", "api_error", "not_found",
           "invalid", "connection_refused", "dns_failure", "exec_status", "namespace_conflict",
           "namespace_terminating"]

HTTP_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                409: "Conflict", 422: "Unprocessable Entity", 500: "Internal Server Error"}


# ----------------------------------------------------------------------------- errors


def api_error(status: int, reason: str, message: str, details: Optional[dict] = None) -> ApiException:
    """An ApiException as the client raises it for an API server error response."""
    exc = ApiException(status=status, reason=HTTP_REASONS.get(status, "Error"))
    body: dict = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                  "message": message, "reason": reason, "code": status}
    if details is not None:
        body["details"] = details
    exc.body = json.dumps(body)
    exc.headers = {"Audit-Id": "7c1b2f0e", "Content-Type": "application/json"}
    return exc


def _group_kind(kind: str) -> dict:
    group = RESOURCES[kind][1].partition(".")[2]
    return {"group": group} if group else {}


def not_found(kind: str, name: str) -> ApiException:
    plural = RESOURCES[kind][0]
    group = RESOURCES[kind][1].partition(".")[2]
    qualified = f"{plural}.{group}" if group else plural
    return api_error(404, "NotFound", f'{qualified} "{name}" not found',
                     {"name": name, **_group_kind(kind), "kind": plural})


def already_exists(kind: str, name: str) -> ApiException:
    plural = RESOURCES[kind][0]
    return api_error(409, "AlreadyExists", f'{plural} "{name}" already exists',
                     {"name": name, **_group_kind(kind), "kind": plural})


def namespace_conflict(name: str) -> ApiException:
    """Deleting a namespace that is already Terminating.

    Wording: pkg/registry/core/namespace/storage/storage.go (Delete), as kubectl prints it.
    """
    return api_error(409, "Conflict", f'Operation cannot be fulfilled on namespaces "{name}": The '
                     "system is ensuring all content is removed from this namespace.  Upon "
                     "completion, this namespace will automatically be purged by the system.",
                     {"name": name, "kind": "namespaces"})


def namespace_terminating(kind: str, name: str, namespace: str) -> ApiException:
    """Creating in a Terminating namespace: the NamespaceLifecycle admission plugin's 403.

    Wording and cause: plugin/pkg/admission/namespace/lifecycle/admission.go (a Forbidden
    whose cause has type NamespaceTerminating, field metadata.namespace).
    """
    plural = RESOURCES[kind][0]
    group = RESOURCES[kind][1].partition(".")[2]
    qualified = f"{plural}.{group}" if group else plural
    reason = f"unable to create new content in namespace {namespace} because it is being terminated"
    return api_error(403, "Forbidden", f'{qualified} "{name}" is forbidden: {reason}',
                     {"name": name, **_group_kind(kind), "kind": plural, "causes": [
                         {"reason": "NamespaceTerminating", "message": reason,
                          "field": "metadata.namespace"}]})


def invalid(kind: str, name: str, causes: Sequence[dict]) -> ApiException:
    """A 422 whose Status.details.causes carry field paths, as the API server sends them."""
    group = RESOURCES[kind][1].partition(".")[2]
    text = "; ".join(f"{c['field']}: {c['message']}" for c in causes)
    return api_error(422, "Invalid", f'{kind}{"." + group if group else ""} "{name}" is invalid: {text}',
                     {"name": name, **_group_kind(kind), "kind": kind, "causes": list(causes)})


def connection_refused(host: str = "127.0.0.1", port: int = 41231) -> MaxRetryError:
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    return MaxRetryError(None, "/api/v1/namespaces/netpol-lab", reason)  # type: ignore[arg-type]


def dns_failure(host: str = "api.example.invalid") -> MaxRetryError:
    reason = NameResolutionError(host, None, OSError("[Errno -2] Name or service not known"))  # type: ignore[arg-type]
    return MaxRetryError(None, "/api/v1/namespaces", reason)  # type: ignore[arg-type]


def exec_status(code: int, argv: Sequence[str] = ("sh",)) -> str:
    """The v1.Status the API server writes on channel 3 when an exec ends."""
    if code == 0:
        return json.dumps({"metadata": {}, "status": "Success"})
    return json.dumps({
        "metadata": {}, "status": "Failure",
        "message": f"command terminated with non-zero exit code: error executing command "
                   f"[{' '.join(argv)}], exit code {code}",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}})


def _fields_of(body: Any) -> Any:
    """The set of fields an apply sets, shaped like FieldsV1 (``f:<name>`` keys).

    Simplified: a list is one leaf (the API server keys list items, ``k:{...}``);
    the backend only compares these sets for equality.
    """
    if isinstance(body, dict):
        return {f"f:{k}": _fields_of(v) for k, v in body.items()
                if k not in ("apiVersion", "kind")}
    return {}


# ----------------------------------------------------------------------------- time


class FakeClock:
    """A monotonic clock whose sleep only moves the hands (tests never wait)."""

    def __init__(self, start: float = 1000.0):
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(0.0, seconds)


# ----------------------------------------------------------------------------- exec


class FakeStream:
    """An exec's websocket, read like ``WSClient``: one frame per :meth:`update`.

    The API server sends stdout and stderr as they come (``frames`` gives them
    explicitly, else one stdout and one stderr frame), then the v1.Status on
    channel 3, then a close frame; each ``update`` takes at most one of them
    (kubernetes <= 36 read one frame per update; 37 reads what is buffered, so
    a reader that works one frame at a time works on both).

    ``hold`` really sleeps once (for concurrency measurements); ``hang``
    advances ``clock`` on every update and never closes; ``breaks`` raises the
    error a dropped websocket raises.
    """

    def __init__(self, stdout: str = "", stderr: str = "", status: Optional[str] = None, *,
                 frames: Optional[Sequence[tuple[int, str]]] = None,
                 hang: bool = False, breaks: bool = False, hold: float = 0.0,
                 clock: Optional[FakeClock] = None, on_close: Optional[Callable[[], None]] = None):
        status = exec_status(0) if status is None else status
        if frames is None:
            frames = [(ch, text) for ch, text in ((1, stdout), (2, stderr)) if text]
        self._frames = list(frames) + ([(3, status)] if status else [])
        self._channels: dict[int, str] = {}
        self._open = True
        self.hang, self.breaks, self.hold, self.clock = hang, breaks, hold, clock
        self._on_close = on_close
        self.updates = 0

    def is_open(self) -> bool:
        return self._open

    def update(self, timeout: float = 0) -> None:
        self.updates += 1
        if not self._open:
            return
        if self.breaks:
            from websocket import WebSocketConnectionClosedException
            raise WebSocketConnectionClosedException("Connection to remote host was lost.")
        if self.hang:
            if self.clock is not None:
                self.clock.sleep(timeout)
            return
        if self.hold and self.updates == 1:
            time.sleep(self.hold)
        if self._frames:
            channel, text = self._frames.pop(0)
            self._channels[channel] = self._channels.get(channel, "") + text
            return
        self._finish()  # the close frame

    def _finish(self) -> None:
        if self._open:
            self._open = False
            if self._on_close:
                self._on_close()

    def read_channel(self, channel: int, timeout: float = 0) -> str:
        return self._channels.pop(channel, "")

    def read_stdout(self, timeout: float = 0) -> str:
        return self.read_channel(1, timeout)

    def read_stderr(self, timeout: float = 0) -> str:
        return self.read_channel(2, timeout)

    def close(self, **kwargs: Any) -> None:
        self._finish()


# ----------------------------------------------------------------------------- the fake API


def _selects(selector: Optional[str], labels: Mapping[str, str]) -> bool:
    """Equality-based label selectors (``a=b,c=d``), all the backend sends."""
    if not selector:
        return True
    for term in selector.split(","):
        key, sep, value = term.partition("=")
        if not sep:
            raise AssertionError(f"the fake only supports equality selectors, not {term!r}")
        if labels.get(key.strip()) != value.strip():
            return False
    return True


class FakeClientLayer:
    """In-memory stand-in for ClientLayer; ``requests`` records every call.

    Knobs: ``fail(method, exc, name=None)`` makes the next matching call raise;
    ``pod_waiting[deployment] = {"reason": ..., "message": ...}`` keeps that
    Deployment's containers waiting; ``ready_after`` is how many reads a new
    Deployment needs before it is available; ``exec_handler(pod, ns, container,
    argv)`` returns the stream of an exec (default: success, no output);
    ``namespace_finalize_seconds`` is how long a deleted namespace stays
    Terminating; ``conflicts[name]`` is a field another manager owns;
    ``controller_writes[name]`` writes that land between a GET and a PATCH;
    ``pod_events[(ns, pod)]`` the events ``events()`` lists.
    """

    def __init__(self, context: str = "kind-netpol-course",
                 server: str = "https://127.0.0.1:41231", clock: Optional[FakeClock] = None):
        self.context, self.server = context, server
        self.clock = clock or FakeClock()
        self.objects: dict[tuple[str, Optional[str], str], dict] = {}
        self.requests: list[tuple] = []
        self.failures: list[tuple[str, Optional[str], BaseException]] = []
        self.pod_waiting: dict[str, dict] = {}
        self.last_terminated: dict[str, dict] = {}
        self.ready_after = 2
        # A deleted namespace stays Terminating this many (fake-clock) seconds, as the
        # namespace controller waits for its pods' grace periods before purging it.
        self.namespace_finalize_seconds = 5.0
        # name -> (manager, apiVersion, field): a field another manager owns; applying
        # that object without force is a 409 Conflict, as server-side apply answers.
        self.conflicts: dict[str, tuple[str, str, str]] = {}
        # name -> how many controller writes (status, annotations) land between the
        # backend's GET and its PATCH of that object (they bump resourceVersion).
        self.controller_writes: dict[str, int] = {}
        # (namespace, pod) -> events, as `kubectl get events --field-selector` lists them.
        self.pod_events: dict[tuple[str, str], list[dict]] = {}
        self.exec_handler: Callable[..., FakeStream] = lambda pod, ns, c, argv: FakeStream()
        self.debug_logs = ""
        self.all_events: list[dict] = []  # what events(namespace) lists (`kubectl get events`)
        self.debug_exit = 0
        self.active_execs = 0
        self.max_active_execs = 0
        self._rv = itertools.count(1000)
        self._ips = itertools.count(5)
        self._lock = threading.RLock()
        self._reads: dict[tuple, int] = {}
        # kind's kubelet registers with --provider-id=kind://<provider>/<cluster>/<node>
        # (kind: pkg/cluster/internal/kubeadm/config.go); the backend checks it.
        cluster = context[len("kind-"):] if context.startswith("kind-") else context
        self._put({"apiVersion": "v1", "kind": "Node", "metadata": {
            "name": f"{cluster}-control-plane",
            "labels": {"node-role.kubernetes.io/control-plane": ""}},
            "spec": {"providerID": f"kind://docker/{cluster}/{cluster}-control-plane"}})
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self._put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        self._put({"apiVersion": "v1", "kind": "Pod", "metadata": {
            "name": "coredns-7db6d8ff4d-bqz2x", "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns"}}, "spec": {"containers": [
                {"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.1",
                 "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"}]}]},
            "status": {"phase": "Running", "podIP": "10.244.0.2"}})

    # -- test knobs -------------------------------------------------------------
    def fail(self, method: str, exc: BaseException, name: Optional[str] = None) -> None:
        self.failures.append((method, name, exc))

    def _maybe_fail(self, method: str, name: Optional[str]) -> None:
        for i, (m, n, exc) in enumerate(self.failures):
            if m == method and (n is None or n == name):
                del self.failures[i]
                raise exc

    def our_namespace(self, name: str) -> None:
        """Seed a namespace as netpol-kernel's create_namespace leaves it."""
        labels = {"app.kubernetes.io/managed-by": "netpol-kernel", "netpol-kernel/chapter": "test"}
        self._put({"apiVersion": "v1", "kind": "Namespace", "metadata": {
            "name": name, "labels": labels, "managedFields": [{
                "manager": FIELD_MANAGER, "operation": "Apply", "apiVersion": "v1",
                "time": "2024-08-01T10:00:00Z", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:labels": {f"f:{k}": {} for k in labels}}}}]}})

    def put(self, obj: dict) -> dict:
        return self._put(copy.deepcopy(obj))

    # -- store ------------------------------------------------------------------
    def _key(self, kind: str, name: str, namespace: Optional[str]) -> tuple:
        return (kind, namespace if RESOURCES[kind][3] else None, name)

    def _put(self, obj: dict) -> dict:
        with self._lock:
            md = obj.setdefault("metadata", {})
            kind = obj["kind"]
            old = self.objects.get(self._key(kind, md["name"], md.get("namespace")))
            md.setdefault("uid", f"00000000-0000-4000-8000-{next(self._rv):012d}")
            md.setdefault("creationTimestamp", "2024-08-01T10:00:00Z")
            md["resourceVersion"] = str(next(self._rv))
            if old is not None:
                md["uid"] = old["metadata"]["uid"]
            if kind == "Namespace":
                md.setdefault("labels", {})["kubernetes.io/metadata.name"] = md["name"]
                obj["status"] = {"phase": "Terminating" if "deletionTimestamp" in md else "Active"}
            self.objects[self._key(kind, md["name"], md.get("namespace"))] = obj
            return obj

    def _get(self, kind: str, name: str, namespace: Optional[str]) -> dict:
        obj = self.objects.get(self._key(kind, name, namespace))
        if obj is None:
            raise not_found(kind, name)
        return obj

    # -- ClientLayer ------------------------------------------------------------
    def read(self, kind: str, name: str, namespace: Optional[str]) -> dict:
        with self._lock:
            self.requests.append(("read", kind, namespace, name))
            self._maybe_fail("read", name)
            self._reap()
            obj = self._get(kind, name, namespace)
            if kind == "Deployment":
                self._progress_deployment(obj)
            if kind == "Pod":
                self._progress_debug(obj)
            return self._public(obj)

    def list(self, kind: str, namespace: Optional[str], label_selector: Optional[str]) -> list[dict]:
        with self._lock:
            self.requests.append(("list", kind, namespace, label_selector))
            self._maybe_fail("list", None)
            self._reap()
            return [self._public(o) for (k, ns, _), o in sorted(self.objects.items(), key=lambda kv: (str(kv[0][1]), kv[0][2]))
                    if k == kind and (namespace is None or ns == namespace or not RESOURCES[kind][3])
                    and _selects(label_selector, (o["metadata"].get("labels") or {}))]

    def apply(self, kind: str, name: str, namespace: Optional[str], body: dict, *,
              force: bool = False) -> dict:
        with self._lock:
            self.requests.append(("apply", kind, namespace, name, copy.deepcopy(body)))
            self._maybe_fail("apply", name)
            self._reap()
            if RESOURCES[kind][3] and ("Namespace", None, namespace) not in self.objects:
                raise not_found("Namespace", namespace or "")
            for _ in range(self.controller_writes.pop(name, 0)):
                self._controller_write(kind, name, namespace)
            old = self.objects.get(self._key(kind, name, namespace))
            if old is None and RESOURCES[kind][3] and self._terminating(namespace):
                raise namespace_terminating(kind, name, namespace or "")  # a create: refused
            if name in self.conflicts and not force:
                manager, version, fld = self.conflicts[name]
                raise api_error(409, "Conflict", f'Apply failed with 1 conflict: conflict with '
                                f'"{manager}" using {version}: {fld}', {"causes": [
                                    {"reason": "FieldManagerConflict", "field": fld,
                                     "message": f'conflict with "{manager}" using {version}'}]})
            if force:
                self.conflicts.pop(name, None)  # the applier now owns the field
            applied = copy.deepcopy(body)
            if old is not None and old.get("_applied") == applied:
                return self._public(old)  # a no-op apply writes nothing: same resourceVersion
            obj = copy.deepcopy(old) if old is not None else {}
            obj.update(copy.deepcopy(body))
            obj["metadata"] = {**((old or {}).get("metadata") or {}), **copy.deepcopy(body["metadata"])}
            if kind == "Namespace" and old is not None:
                obj["metadata"]["labels"] = {**(old["metadata"].get("labels") or {}),
                                             **(body["metadata"].get("labels") or {})}
            obj["metadata"]["generation"] = (old or {}).get("metadata", {}).get("generation", 0) + 1
            obj["metadata"]["managedFields"] = [
                m for m in (obj["metadata"].get("managedFields") or ())
                if (m["manager"], m["operation"]) != (FIELD_MANAGER, "Apply")] + [{
                    "manager": FIELD_MANAGER, "operation": "Apply",
                    "apiVersion": body.get("apiVersion", "v1"), "time": "2024-08-01T10:00:00Z",
                    "fieldsType": "FieldsV1", "fieldsV1": _fields_of(body)}]
            obj["_applied"] = applied
            if kind == "Deployment":
                obj["status"] = {"observedGeneration": obj["metadata"]["generation"] - 1}
                self._reads[("Deployment", namespace, name)] = 0
            if kind == "Service" and not obj.get("spec", {}).get("clusterIP"):
                # the API server allocates a ClusterIP (kept across re-applies)
                ip = (old or {}).get("spec", {}).get("clusterIP") or f"10.96.200.{len(self.objects) % 250 + 1}"
                obj.setdefault("spec", {})["clusterIP"] = ip
                obj["spec"]["clusterIPs"] = [ip]
                obj["spec"].setdefault("type", "ClusterIP")
            self._put(obj)
            return self._public(obj)

    def _public(self, obj: dict) -> dict:
        """What a client sees: the stored object without the fake's bookkeeping keys."""
        return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}

    def delete(self, kind: str, name: str, namespace: Optional[str]) -> None:
        with self._lock:
            self.requests.append(("delete", kind, namespace, name))
            self._maybe_fail("delete", name)
            self._reap()
            key = self._key(kind, name, namespace)
            if key not in self.objects:
                raise not_found(kind, name)
            if kind == "Namespace":
                # The API server only marks it: Terminating until the namespace controller
                # has deleted its contents (pods get their grace period), then it is gone.
                if self._terminating(name):
                    raise namespace_conflict(name)
                obj = copy.deepcopy(self.objects[key])
                obj["metadata"]["deletionTimestamp"] = "2024-08-01T10:05:00Z"
                obj["_gone_at"] = self.clock() + self.namespace_finalize_seconds
                self._put(obj)
                return
            del self.objects[key]
            if kind == "Deployment":
                for k, o in list(self.objects.items()):
                    if k[0] == "Pod" and k[1] == namespace and o.get("_owner") == name:
                        del self.objects[k]

    # -- namespaces going away ---------------------------------------------------
    def _terminating(self, namespace: Optional[str]) -> bool:
        ns = self.objects.get(("Namespace", None, namespace))
        return ns is not None and "deletionTimestamp" in ns["metadata"]

    def _reap(self) -> None:
        """The namespace controller: purge Terminating namespaces whose time has come."""
        now = self.clock()
        for key, obj in list(self.objects.items()):
            if key[0] == "Namespace" and obj.get("_gone_at") is not None and now >= obj["_gone_at"]:
                del self.objects[key]
                for k in [k for k in self.objects if k[1] == key[2]]:
                    del self.objects[k]

    def _controller_write(self, kind: str, name: str, namespace: Optional[str]) -> None:
        """A controller's write (status, an annotation): a new resourceVersion, same spec."""
        obj = self.objects.get(self._key(kind, name, namespace))
        if obj is not None:
            md = obj["metadata"]
            md.setdefault("annotations", {})["example.com/observed"] = str(next(self._rv))
            self._put(obj)

    def events(self, namespace: Optional[str], kind: Optional[str] = None,
               name: Optional[str] = None) -> list[dict]:
        with self._lock:
            if kind and name:  # one object's events (`describe`, the last event of a stuck pod)
                self.requests.append(("events", namespace, kind, name))
                self._maybe_fail("events", name)
                return copy.deepcopy(self.pod_events.get((namespace or "", name), []))
            self.requests.append(("list_events", namespace))
            return [copy.deepcopy(e) for e in self.all_events
                    if namespace is None or (e.get("metadata") or {}).get("namespace") == namespace]

    def patch_labels(self, kind: str, name: str, namespace: Optional[str],
                     labels: Mapping[str, Optional[str]]) -> dict:
        with self._lock:
            self.requests.append(("patch_labels", kind, namespace, name, dict(labels)))
            self._maybe_fail("patch_labels", name)
            obj = copy.deepcopy(self._get(kind, name, namespace))
            current = obj["metadata"].setdefault("labels", {})
            for k, v in labels.items():
                if v is None:
                    current.pop(k, None)
                else:
                    current[k] = v
            return self._public(self._put(obj))

    def exec_stream(self, pod: str, namespace: str, container: str, argv: Sequence[str],
                    stdin: Optional[str] = None) -> FakeStream:
        with self._lock:
            self.requests.append(("exec", pod, namespace, container, tuple(argv)) +
                                 ((("stdin", stdin),) if stdin is not None else ()))
            self._maybe_fail("exec", pod)
            self.active_execs += 1
            self.max_active_execs = max(self.max_active_execs, self.active_execs)
        stream = self.exec_handler(pod, namespace, container, list(argv))
        stream._on_close = self._exec_closed
        return stream

    def _exec_closed(self) -> None:
        with self._lock:
            self.active_execs -= 1

    def add_ephemeral_container(self, pod: str, namespace: str, container: dict) -> dict:
        with self._lock:
            self.requests.append(("add_ephemeral_container", pod, namespace, copy.deepcopy(container)))
            self._maybe_fail("add_ephemeral_container", pod)
            obj = copy.deepcopy(self._get("Pod", pod, namespace))
            obj["spec"].setdefault("ephemeralContainers", []).append(container)
            obj.setdefault("status", {}).setdefault("ephemeralContainerStatuses", []).append(
                {"name": container["name"], "image": container["image"],
                 "state": {"waiting": {"reason": "PodInitializing"}}})
            return self._public(self._put(obj))

    def read_log(self, pod: str, namespace: str, container: str) -> str:
        with self._lock:
            self.requests.append(("read_log", pod, namespace, container))
            self._get("Pod", pod, namespace)
            return self.debug_logs

    # -- controllers ------------------------------------------------------------
    def _progress_deployment(self, dep: dict) -> None:
        """Pods appear on the first read; the Deployment is available after ``ready_after``."""
        md, spec = dep["metadata"], dep["spec"]
        key = ("Deployment", md["namespace"], md["name"])
        reads = self._reads.get(key, self.ready_after) + 1
        self._reads[key] = reads
        want = spec.get("replicas", 1)
        waiting = self.pod_waiting.get(md["name"])
        self._ensure_pods(dep, want, waiting)
        available = want if (reads >= self.ready_after and not waiting) else 0
        dep["status"] = {"observedGeneration": md.get("generation", 1), "replicas": want,
                         "updatedReplicas": want, "availableReplicas": available,
                         "readyReplicas": available}

    def _ensure_pods(self, dep: dict, want: int, waiting: Optional[dict]) -> None:
        md = dep["metadata"]
        tmpl = dep["spec"]["template"]
        mine = [o for (k, ns, _), o in self.objects.items()
                if k == "Pod" and ns == md["namespace"] and o.get("_owner") == md["name"]]
        for i in range(len(mine), want):
            labels = {**(tmpl["metadata"].get("labels") or {}), "pod-template-hash": "6c9b8f7d4"}
            pod = {"apiVersion": "v1", "kind": "Pod", "_owner": md["name"],
                   "metadata": {"name": f"{md['name']}-6c9b8f7d4-x2k9{'pqrst'[i % 5]}",
                                "namespace": md["namespace"], "labels": labels},
                   "spec": copy.deepcopy(tmpl["spec"]),
                   "status": {"phase": "Running", "podIP": f"10.244.0.{next(self._ips)}"}}
            self._put(pod)
            mine.append(pod)
        for pod in mine:
            statuses = []
            for c in pod["spec"]["containers"]:
                state = {"waiting": dict(waiting)} if waiting else {"running": {"startedAt": "2024-08-01T10:00:05Z"}}
                cs = {"name": c["name"], "image": c["image"], "ready": not waiting, "state": state,
                      "restartCount": 3 if waiting and waiting.get("reason") == "CrashLoopBackOff" else 0}
                if md["name"] in self.last_terminated:
                    cs["lastState"] = {"terminated": dict(self.last_terminated[md["name"]])}
                statuses.append(cs)
            pod["status"]["containerStatuses"] = statuses
            if waiting:
                pod["status"]["phase"] = "Pending"

    def _progress_debug(self, pod: dict) -> None:
        for s in (pod.get("status") or {}).get("ephemeralContainerStatuses") or ():
            if "waiting" in s["state"] and s["state"]["waiting"]["reason"] == "PodInitializing":
                s["state"] = {"running": {"startedAt": "2024-08-01T10:01:00Z"}}
            elif "running" in s["state"]:
                s["state"] = {"terminated": {"exitCode": self.debug_exit, "reason":
                              "Completed" if self.debug_exit == 0 else "Error"}}


# ----------------------------------------------------------------------------- HTTP level


class FakeHTTP:
    """A urllib3 PoolManager stand-in answering fixed JSON per (method, path).

    Put it under a real ``ApiClient`` (``api.rest_client.pool_manager = FakeHTTP(...)``)
    to check the real ClientLayer's paths, headers and query strings.
    """

    def __init__(self, routes: Mapping[tuple[str, str], tuple[int, Any]]):
        self.routes = dict(routes)
        self.requests: list[dict] = []

    def request(self, method: str, url: str, **kw: Any) -> Any:
        from urllib.parse import urlsplit
        from urllib3 import HTTPResponse
        parts = urlsplit(url)
        self.requests.append({"method": method, "path": parts.path, "query": parts.query,
                              "headers": dict(kw.get("headers") or {}), "body": kw.get("body"),
                              "fields": kw.get("fields")})
        status, body = self.routes.get((method, parts.path), (404, {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "the server could not find the requested resource", "reason": "NotFound",
            "details": {}, "code": 404}))
        return HTTPResponse(body=json.dumps(body).encode(), status=status,
                            reason=HTTP_REASONS.get(status, "OK"),
                            headers={"Content-Type": "application/json"}, preload_content=True)


def self_signed_cert(directory: str) -> tuple[str, str]:
    """(cert, key) for 127.0.0.1, made with the openssl CLI (tests skip without it)."""
    import os
    import subprocess
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


class ExecServer:
    """A one-shot websocket endpoint speaking the exec channel protocol, as the API server does.

    Lets a test drive the *real* ``kubernetes.stream`` / ``WSClient`` code:
    point a ``Configuration`` at ``url``, exec, and the server answers
    ``frames`` (channel, text) then a close frame (or, with ``drop=True``,
    cuts the TCP connection without one).  It picks the first subprotocol the
    client offers that it speaks (v5 before v4, as kube-apiserver 1.30+).

    ``tls`` (a (cert, key) pair) serves ``wss://`` like kind's API server; all
    frames and the close frame then go out in one write, so one TLS record
    carries them and a client must read what the TLS layer already decrypted.
    Then it waits for the client's close reply, as a websocket server does.
    """

    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")

    def __init__(self, frames: Sequence[tuple[int, str]], drop: bool = False,
                 tls: Optional[tuple[str, str]] = None):
        import socket
        self.frames, self.drop, self.tls = list(frames), drop, tls
        self.request_line = ""
        self.protocol = ""
        self.headers: dict[str, str] = {}
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(1)
        self.port = self._sock.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @staticmethod
    def _frame(payload: bytes, opcode: int = 0x2) -> bytes:
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([n])
        elif n < 65536:
            head += bytes([126]) + n.to_bytes(2, "big")
        else:
            head += bytes([127]) + n.to_bytes(8, "big")
        return head + payload

    def _serve(self) -> None:
        import base64
        import hashlib
        conn, _ = self._sock.accept()
        if self.tls:
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*self.tls)
            conn = ctx.wrap_socket(conn, server_side=True)
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(4096)
            lines = data.split(b"\r\n\r\n")[0].decode().split("\r\n")
            self.request_line = lines[0]
            self.headers = {k.strip().lower(): v.strip() for k, _, v in
                            (line.partition(":") for line in lines[1:])}
            offered = [p.strip() for p in self.headers.get("sec-websocket-protocol", "").split(",")]
            self.protocol = next((p for p in offered if p in self.PROTOCOLS), "")
            accept = base64.b64encode(hashlib.sha1(
                (self.headers["sec-websocket-key"] + self.GUID).encode()).digest()).decode()
            conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n"
                          "Sec-WebSocket-Protocol: " + self.protocol + "\r\n\r\n").encode())
            out = b"".join(self._frame(bytes([channel]) + text.encode())
                           for channel, text in self.frames)
            if not self.drop:
                out += self._frame((1000).to_bytes(2, "big"), opcode=0x8)
            conn.sendall(out)  # one write: over TLS, one record carries every frame
            if not self.drop:
                conn.settimeout(20)
                try:
                    conn.recv(1024)  # the client's close reply
                except OSError:
                    pass
        self._sock.close()

    def join(self) -> None:
        self._thread.join(timeout=5)
