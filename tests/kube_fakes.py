"""Fakes of KubeBackend's client seam, for tests without a cluster.

:class:`FakeClientLayer` implements the methods of
``netpol_kernel.backends.kube.ClientLayer`` over an in-memory store that
behaves like an API server where it matters to the backend: resourceVersions
(bumped only by real changes, as server-side apply does), Deployments whose
pods appear and become available after a few reads, label selectors, exec
streams speaking the v4 channel protocol (stdout 1, stderr 2, v1.Status on 3).
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

from netpol_kernel.backends.kube import KINDS as RESOURCES  # the book's kinds, plus Node

__all__ = ["FakeClock", "FakeStream", "FakeClientLayer", "api_error", "not_found",
           "invalid", "connection_refused", "dns_failure", "exec_status"]

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
    """A finished (or hanging, or breaking) exec, read like ``WSClient``.

    ``hold`` really sleeps (for concurrency measurements); ``hang`` advances
    ``clock`` on every update and never closes; ``breaks`` raises the error a
    dropped websocket raises.
    """

    def __init__(self, stdout: str = "", stderr: str = "", status: Optional[str] = None, *,
                 hang: bool = False, breaks: bool = False, hold: float = 0.0,
                 clock: Optional[FakeClock] = None, on_close: Optional[Callable[[], None]] = None):
        self._pending = {1: stdout, 2: stderr}
        self._status = exec_status(0) if status is None else status
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
        if self.hold:
            time.sleep(self.hold)
        for ch, data in self._pending.items():
            if data:
                self._channels[ch] = self._channels.get(ch, "") + data
        self._pending = {}
        if self._status:
            self._channels[3] = self._status
        self._finish()

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
    argv)`` returns the stream of an exec (default: success, no output).
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
        self.exec_handler: Callable[..., FakeStream] = lambda pod, ns, c, argv: FakeStream()
        self.debug_logs = ""
        self.events: list[dict] = []
        self.debug_exit = 0
        self.active_execs = 0
        self.max_active_execs = 0
        self._rv = itertools.count(1000)
        self._ips = itertools.count(5)
        self._lock = threading.RLock()
        self._reads: dict[tuple, int] = {}
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
        self._put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {
            "app.kubernetes.io/managed-by": "netpol-kernel", "netpol-kernel/chapter": "test"}}})

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
                obj["status"] = {"phase": "Active"}
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
            return [self._public(o) for (k, ns, _), o in sorted(self.objects.items(), key=lambda kv: (str(kv[0][1]), kv[0][2]))
                    if k == kind and (namespace is None or ns == namespace or not RESOURCES[kind][3])
                    and _selects(label_selector, (o["metadata"].get("labels") or {}))]

    def apply(self, kind: str, name: str, namespace: Optional[str], body: dict) -> dict:
        with self._lock:
            self.requests.append(("apply", kind, namespace, name, copy.deepcopy(body)))
            self._maybe_fail("apply", name)
            if RESOURCES[kind][3] and ("Namespace", None, namespace) not in self.objects:
                raise not_found("Namespace", namespace or "")
            old = self.objects.get(self._key(kind, name, namespace))
            applied = copy.deepcopy(body)
            if old is not None and old.get("applied_summary") == applied:
                return self._public(old)  # a no-op apply writes nothing: same resourceVersion
            obj = copy.deepcopy(body)
            if old is not None:
                obj["metadata"]["creationTimestamp"] = old["metadata"]["creationTimestamp"]
                obj["metadata"]["uid"] = old["metadata"]["uid"]
            obj["metadata"]["generation"] = (old or {}).get("metadata", {}).get("generation", 0) + 1
            obj["applied_summary"] = applied
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
            key = self._key(kind, name, namespace)
            if key not in self.objects:
                raise not_found(kind, name)
            del self.objects[key]
            if kind == "Namespace":  # the namespace controller empties it
                for k in [k for k in self.objects if k[1] == name]:
                    del self.objects[k]
            if kind == "Deployment":
                for k, o in list(self.objects.items()):
                    if k[0] == "Pod" and k[1] == namespace and o.get("_owner") == name:
                        del self.objects[k]

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

    def list_events(self, namespace: Optional[str]) -> list[dict]:
        with self._lock:
            self.requests.append(("list_events", namespace))
            return [copy.deepcopy(e) for e in self.events
                    if namespace is None or (e.get("metadata") or {}).get("namespace") == namespace]

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


class ExecServer:
    """A one-shot websocket endpoint speaking the exec v4 channel protocol.

    Lets a test drive the *real* ``kubernetes.stream`` / ``WSClient`` code:
    point a ``Configuration`` at ``http://127.0.0.1:<port>``, exec, and the
    server answers ``frames`` (channel, text) then closes (or, with
    ``drop=True``, cuts the TCP connection without a close frame).
    """

    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, frames: Sequence[tuple[int, str]], drop: bool = False):
        import socket
        self.frames, self.drop = list(frames), drop
        self.request_line = ""
        self.headers: dict[str, str] = {}
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(1)
        self.port = self._sock.getsockname()[1]
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
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(4096)
            lines = data.split(b"\r\n\r\n")[0].decode().split("\r\n")
            self.request_line = lines[0]
            self.headers = {k.strip().lower(): v.strip() for k, _, v in
                            (line.partition(":") for line in lines[1:])}
            accept = base64.b64encode(hashlib.sha1(
                (self.headers["sec-websocket-key"] + self.GUID).encode()).digest()).decode()
            conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n"
                          "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n").encode())
            for channel, text in self.frames:
                conn.sendall(self._frame(bytes([channel]) + text.encode()))
            if not self.drop:
                conn.sendall(self._frame((1000).to_bytes(2, "big"), opcode=0x8))
                try:
                    conn.recv(1024)  # the client's close reply
                except OSError:
                    pass
        self._sock.close()

    def join(self) -> None:
        self._thread.join(timeout=5)
