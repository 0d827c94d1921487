"""The client seam of :mod:`netpol_kernel.backends.kube`: every ``kubernetes`` call, and its errors.

:class:`ClientLayer` is the only class in the package that calls the official
``kubernetes`` client.  It takes and returns plain API dicts (the JSON the API
server speaks, timestamps included) and raises the client's own exceptions.
The seam exists so that :class:`~netpol_kernel.backends.kube.KubeBackend` can be
tested without a cluster: ``tests/kube_fakes.FakeClientLayer`` implements the
same methods over an in-memory store, and the tests pass it in as
``KubeBackend(client=...)``.

:func:`convert_error` is the other half: the one place a client exception (an
``ApiException``, a urllib3 or socket error) becomes one of this package's
errors, worded as kubectl would and naming the context.

Also here: the REST names and paths of the kinds (:func:`rest_path`,
:func:`resource_name`, :func:`api_version`) and :func:`api_json`.
"""
from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Protocol, Sequence

from ..errors import (AlreadyExistsError, ClusterError, FieldError, ManifestError, NetpolError,
                      NotFoundError)
from ..api.resources import RESOURCES

if TYPE_CHECKING:  # pragma: no cover
    from ..api.manifests import Document

__all__ = ["ClientLayer", "ExecStream", "api_json", "api_version", "resource_name", "rest_path",
           "FIELD_MANAGER", "kubeconfig_target"]

FIELD_MANAGER = "netpol-kernel"

# The typed API class attribute and method noun of each kind (CoreV1Api.read_namespaced_pod...).
_TYPED: dict[str, tuple[str, str]] = {
    "Namespace": ("core", "namespace"), "Pod": ("core", "pod"), "Service": ("core", "service"),
    "Secret": ("core", "secret"), "ConfigMap": ("core", "config_map"),
    "Endpoints": ("core", "endpoints"), "Deployment": ("apps", "deployment"),
    "ReplicaSet": ("apps", "replica_set"), "StatefulSet": ("apps", "stateful_set"),
    "DaemonSet": ("apps", "daemon_set"), "NetworkPolicy": ("net", "network_policy"),
    "Node": ("core", "node"),
}
# apimachinery's field.ErrorType reasons (Status causes) -> FieldError.type.
_CAUSE_TYPES = {
    "FieldValueRequired": ("Required", "Required value"),
    "FieldValueInvalid": ("Invalid", "Invalid value"),
    "FieldValueNotSupported": ("Unsupported", "Unsupported value"),
    "FieldValueForbidden": ("Forbidden", "Forbidden"),
    "FieldValueDuplicate": ("Duplicate", "Duplicate value"),
    "FieldValueTooLong": ("TooLong", "Too long"),
    "FieldValueTypeInvalid": ("Invalid", "Invalid value"),
}

# RESOURCES plus Node, which kubectl can read (``kubectl get nodes``) but the book never changes.
KINDS: dict[str, tuple[str, str, tuple[str, ...], bool]] = {
    **RESOURCES, "Node": ("nodes", "node", ("no", "node"), False)}


# ----------------------------------------------------------------------------- paths


def api_version(kind: str) -> str:
    """The served version of a kind, read off RESOURCES' group-qualified name.

    >>> api_version("Pod"), api_version("Deployment"), api_version("NetworkPolicy")
    ('v1', 'apps/v1', 'networking.k8s.io/v1')
    """
    group = KINDS[kind][1].partition(".")[2]
    return f"{group}/v1" if group else "v1"


def resource_name(kind: str) -> str:
    """The group-qualified plural kubectl prints in errors.

    >>> resource_name("Pod"), resource_name("Deployment")
    ('pods', 'deployments.apps')
    """
    plural, qualified = KINDS[kind][0], KINDS[kind][1]
    group = qualified.partition(".")[2]
    return f"{plural}.{group}" if group else plural


def rest_path(kind: str, name: str, namespace: Optional[str]) -> str:
    """The REST path of one object (what ``kubectl -v=8`` shows).

    >>> rest_path("Namespace", "netpol-lab", None)
    '/api/v1/namespaces/netpol-lab'
    """
    version = api_version(kind)
    base = "/api/v1" if version == "v1" else f"/apis/{version}"
    plural, _, _, namespaced = KINDS[kind]
    scope = f"/namespaces/{namespace}" if namespaced else ""
    return f"{base}{scope}/{plural}/{name}"


# ----------------------------------------------------------------------------- kubeconfig text


def _no_config(context: Optional[str], path: str, why: str) -> ClusterError:
    where = f'context "{context}"' if context else "a current context"
    return ClusterError(
        f"cannot load a Kubernetes configuration with {where} from {path}: {why.rstrip('.')}. "
        "Create a kind cluster with `make cluster`, or set KUBECONFIG / NETPOL_KUBE_CONTEXT.")


def kubeconfig_target(context: Optional[str] = None,
                      config_file: Optional[str] = None) -> tuple[str, str]:
    """(context, server) the kubeconfig points at, read from its text alone.

    No client is built and no credential plugin (``users[].user.exec``) runs,
    so the context guard can refuse a cluster before anything talks to it.
    ``KUBECONFIG`` may list files (``:``-separated): as kubectl merges them,
    the first file naming ``current-context`` or an entry wins.

    >>> import os, tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
    ...     _ = f.write("current-context: kind-a\\ncontexts: [{name: kind-a, context: {cluster: a}}]\\n"
    ...                 "clusters: [{name: a, cluster: {server: 'https://127.0.0.1:6443'}}]\\n")
    >>> kubeconfig_target(config_file=f.name); os.unlink(f.name)
    ('kind-a', 'https://127.0.0.1:6443')
    """
    import yaml
    spec = config_file or os.environ.get("KUBECONFIG") or "~/.kube/config"
    paths = [os.path.expanduser(p) for p in spec.split(os.pathsep) if p]
    current: Optional[str] = None
    contexts: dict[str, Mapping[str, Any]] = {}
    clusters: dict[str, Mapping[str, Any]] = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f) or {}
        except FileNotFoundError:
            continue
        except (OSError, yaml.YAMLError) as exc:
            raise _no_config(context, spec, f"{path}: {exc}") from None
        if not isinstance(doc, dict):
            continue
        current = current or doc.get("current-context") or None
        for entry in doc.get("contexts") or ():
            contexts.setdefault(str(entry.get("name")), entry.get("context") or {})
        for entry in doc.get("clusters") or ():
            clusters.setdefault(str(entry.get("name")), entry.get("cluster") or {})
    name = context or current
    if name is None or name not in contexts:
        if os.environ.get("KUBERNETES_SERVICE_HOST") and context in (None, "in-cluster"):
            host, port = os.environ["KUBERNETES_SERVICE_HOST"], os.environ.get("KUBERNETES_SERVICE_PORT", "443")
            return "in-cluster", f"https://{host}:{port}"
        why = "the kubeconfig has no current context" if name is None else \
            f"the kubeconfig has no context {name!r}"
        if not contexts and not any(os.path.exists(p) for p in paths):
            why = "no such file"
        raise _no_config(context, spec, why)
    cluster = clusters.get(str(contexts[name].get("cluster")))
    if cluster is None:
        raise _no_config(context, spec, f"context {name!r} names cluster "
                         f"{contexts[name].get('cluster')!r}, which the kubeconfig lacks")
    return name, str(cluster.get("server") or "")


# ----------------------------------------------------------------------------- the seam


class ExecStream(Protocol):
    """What :meth:`ClientLayer.exec_stream` returns (the part of ``ws_client.WSClient`` we use)."""

    def is_open(self) -> bool: ...
    def update(self, timeout: float = 0) -> None: ...
    def read_stdout(self, timeout: float = 0) -> str: ...
    def read_stderr(self, timeout: float = 0) -> str: ...
    def read_channel(self, channel: int, timeout: float = 0) -> str: ...
    def close(self, **kwargs: Any) -> None: ...


class _ApiJSON:
    """``ApiClient.sanitize_for_serialization`` with timestamps as the API server writes them.

    The client renders datetimes with ``isoformat()`` (``...+00:00``); the API
    server (and so kubectl) writes RFC 3339 in UTC with a ``Z``.
    """

    PRIMITIVE_TYPES = (float, bool, bytes, str, int)

    def sanitize_for_serialization(self, obj: Any) -> Any:
        if isinstance(obj, datetime):
            utc = obj.astimezone(timezone.utc) if obj.tzinfo else obj
            micro = f".{utc.microsecond:06d}" if utc.microsecond else ""
            return utc.strftime("%Y-%m-%dT%H:%M:%S") + micro + "Z"
        from kubernetes.client import ApiClient
        return ApiClient.sanitize_for_serialization(self, obj)  # type: ignore[arg-type]


def api_json(obj: Any) -> Any:
    """A typed client object as the API server's JSON (camelCase keys, no nulls).

    >>> from kubernetes.client import V1Namespace, V1ObjectMeta
    >>> api_json(V1Namespace(metadata=V1ObjectMeta(name="x", labels={"a": "b"})))
    {'metadata': {'labels': {'a': 'b'}, 'name': 'x'}}
    """
    return _ApiJSON().sanitize_for_serialization(obj)


class ClientLayer:
    """Every call KubeBackend makes to the ``kubernetes`` client, and nothing else.

    Methods return plain API dicts and raise the client's own exceptions
    (``ApiException``, urllib3 errors); :class:`KubeBackend` converts those.
    ``tests/kube_fakes.FakeClientLayer`` implements the same methods in memory.
    """

    def __init__(self, api_client: Any, context: str, server: Optional[str] = None,
                 stream: Optional[Callable[..., Any]] = None):
        from kubernetes import client
        self.api_client = api_client
        self.context = context
        self.server: str = server or api_client.configuration.host
        self.core = client.CoreV1Api(api_client)
        self.apps = client.AppsV1Api(api_client)
        self.net = client.NetworkingV1Api(api_client)
        if stream is None:
            from kubernetes.stream import stream as stream
        self._stream = stream

    @classmethod
    def from_kubeconfig(cls, context: Optional[str] = None,
                        config_file: Optional[str] = None) -> "ClientLayer":
        """Load ``KUBECONFIG`` (or ~/.kube/config), else the in-cluster service account.

        Building the client runs the user's credential plugin (``exec:``), so
        callers decide first, from :func:`kubeconfig_target`, whether to.
        """
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException
        path = config_file or os.environ.get("KUBECONFIG") or "~/.kube/config"
        try:
            _, active = config.list_kube_config_contexts(config_file=path)
            name = context or (active or {}).get("name")
            if not name:
                raise ConfigException("the kubeconfig has no current context")
            # persist_config=False: never rewrite the user's kubeconfig behind their back.
            api = config.new_client_from_config(config_file=path, context=name, persist_config=False)
            return cls(api, name)
        except ConfigException as exc:
            if context in (None, "in-cluster") and os.environ.get("KUBERNETES_SERVICE_HOST"):
                cfg = client.Configuration()
                config.load_incluster_config(client_configuration=cfg)
                return cls(client.ApiClient(cfg), "in-cluster")
            raise _no_config(context, path, str(exc)) from None

    def _typed(self, kind: str, verb: str) -> Callable[..., Any]:
        api_name, noun = _TYPED[kind]
        api = getattr(self, api_name)
        if verb == "list_all":
            return getattr(api, f"list_{noun}_for_all_namespaces")
        scoped = "namespaced_" if KINDS[kind][3] else ""
        return getattr(api, f"{verb}_{scoped}{noun}")

    def _args(self, kind: str, namespace: Optional[str]) -> tuple:
        return (namespace,) if KINDS[kind][3] else ()

    def read(self, kind: str, name: str, namespace: Optional[str]) -> dict:
        obj = api_json(self._typed(kind, "read")(name, *self._args(kind, namespace)))
        return {"apiVersion": api_version(kind), "kind": kind, **obj}

    def list(self, kind: str, namespace: Optional[str], label_selector: Optional[str]) -> list[dict]:
        """``namespace`` None lists every namespace; items get kind/apiVersion as kubectl shows."""
        kw = {"label_selector": label_selector} if label_selector else {}
        if KINDS[kind][3] and namespace is None:
            result = self._typed(kind, "list_all")(**kw)
        else:
            result = self._typed(kind, "list")(*self._args(kind, namespace), **kw)
        head = {"apiVersion": api_version(kind), "kind": kind}
        return [{**head, **api_json(item)} for item in result.items]

    def apply(self, kind: str, name: str, namespace: Optional[str], body: dict, *,
              force: bool = False) -> dict:
        """Server-side apply: PATCH application/apply-patch+yaml as our field manager.

        Without ``force`` the API server answers 409 Conflict when another
        manager owns a field we set, instead of silently taking it over.
        Written against the ``kubernetes`` 37 request pipeline
        (``param_serialize`` -> ``call_api`` -> ``response_deserialize``),
        which authenticates like the typed methods do (BearerToken, exec
        plugins); 36 and older had another ``call_api`` signature.
        """
        query = [("fieldManager", FIELD_MANAGER)] + ([("force", "true")] if force else [])
        api = self.api_client
        request = api.param_serialize(
            method="PATCH", resource_path=rest_path(kind, name, namespace), query_params=query,
            header_params={"Content-Type": "application/apply-patch+yaml",
                           "Accept": "application/json"},
            body=body, auth_settings=["BearerToken"])
        response = api.call_api(*request)
        response.read()
        return api.response_deserialize(response, {"200": "object", "201": "object"}).data

    def events(self, namespace: Optional[str], kind: Optional[str] = None,
               name: Optional[str] = None) -> list[dict]:
        """core/v1 Events: about one object (``kind`` and ``name``: what ``kubectl describe``
        lists at its end), or all of a namespace (None: every namespace), as ``kubectl get
        events`` lists them."""
        selector = {"field_selector": f"involvedObject.kind={kind},involvedObject.name={name}"} \
            if kind and name else {}
        result = (self.core.list_event_for_all_namespaces(**selector) if namespace is None
                  else self.core.list_namespaced_event(namespace, **selector))
        return [{"apiVersion": "v1", "kind": "Event", **api_json(item)} for item in result.items]

    def delete(self, kind: str, name: str, namespace: Optional[str]) -> None:
        self._typed(kind, "delete")(name, *self._args(kind, namespace))

    def patch_labels(self, kind: str, name: str, namespace: Optional[str],
                     labels: Mapping[str, Optional[str]]) -> dict:
        """A merge of ``metadata.labels`` (None removes a label)."""
        body = {"metadata": {"labels": dict(labels)}}
        # Our field manager, so managedFields say who changed the labels.
        obj = api_json(self._typed(kind, "patch")(name, *self._args(kind, namespace), body,
                                                   field_manager=FIELD_MANAGER))
        return {"apiVersion": api_version(kind), "kind": kind, **obj}

    def exec_stream(self, pod: str, namespace: str, container: str, argv: Sequence[str],
                    stdin: Optional[str] = None) -> ExecStream:
        from kubernetes import client
        # A fresh ApiClient per stream: kubernetes.stream.stream swaps api_client.request
        # in place for the call's duration, so a client shared between probe threads
        # sends plain REST calls over websockets and exec calls as plain HTTP.
        core = client.CoreV1Api(client.ApiClient(self.api_client.configuration))
        stream = self._stream(core.connect_get_namespaced_pod_exec, pod, namespace,
                              container=container, command=list(argv), stdin=stdin is not None,
                              stdout=True, stderr=True, tty=False, _preload_content=False)
        if stdin:
            stream.write_stdin(stdin)
        return stream

    def add_ephemeral_container(self, pod: str, namespace: str, container: dict) -> dict:
        body = {"spec": {"ephemeralContainers": [container]}}
        return api_json(self.core.patch_namespaced_pod_ephemeralcontainers(pod, namespace, body))

    def read_log(self, pod: str, namespace: str, container: str) -> str:
        return self.core.read_namespaced_pod_log(pod, namespace, container=container)


# ----------------------------------------------------------------------------- errors


def _status(exc: Any) -> dict:
    """The v1.Status an ApiException carries (empty when the body is not one)."""
    try:
        body = json.loads(getattr(exc, "body", None) or "{}")
    except (TypeError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


def _field_errors(causes: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    """Status.details.causes -> FieldErrors whose ``str()`` reproduces the server's text."""
    errors = []
    for cause in causes:
        ftype, label = _CAUSE_TYPES.get(str(cause.get("reason")), ("Invalid", "Invalid value"))
        message = str(cause.get("message") or "")
        # The cause message is "<label>: <detail>"; FieldError.body re-adds the label.
        detail = message[len(label) + 2:] if message.startswith(label + ": ") else \
            ("" if message == label else message)
        errors.append(FieldError(str(cause.get("field") or ""), ftype, detail))
    return errors


def _terminating(status: Mapping[str, Any]) -> bool:
    """A 403 from the NamespaceLifecycle admission plugin: the namespace is being deleted.

    k8s.io/apimachinery/pkg/api/errors.NewForbidden with a cause of type
    ``NamespaceTerminating`` (plugin/pkg/admission/namespace/lifecycle).
    """
    causes = (status.get("details") or {}).get("causes") or ()
    return any(c.get("reason") == "NamespaceTerminating" for c in causes) or \
        "because it is being terminated" in str(status.get("message") or "")


def _unreachable(exc: BaseException) -> str:
    """Why urllib3 could not talk to the server, in a few words."""
    from urllib3 import exceptions as u3
    reason = getattr(exc, "reason", None) or exc
    text = str(reason).lower()
    # Order matters: in urllib3 2 NameResolutionError < NewConnectionError < ConnectTimeoutError.
    if isinstance(reason, u3.NameResolutionError) or "name or service not known" in text \
            or "failed to resolve" in text or "nodename nor servname" in text:
        return "the server's host name does not resolve"
    if isinstance(reason, (u3.NewConnectionError, ConnectionRefusedError)) and "timed out" not in text:
        return "connection refused" if "refused" in text or \
            isinstance(reason, ConnectionRefusedError) else str(reason)
    if isinstance(reason, (u3.ConnectTimeoutError, u3.NewConnectionError)):
        return "connecting timed out"
    if isinstance(reason, (u3.ReadTimeoutError, TimeoutError)):
        return "the server did not answer in time"
    if isinstance(reason, u3.SSLError):
        return ("TLS verification failed (was the cluster recreated? `kind export kubeconfig "
                "--name <cluster>` refreshes the certificates)")
    return "connection refused" if "refused" in text else str(reason)


def convert_error(exc: BaseException, context: str, *, server: str = "", verb: str = "",
             kind: str = "", name: str = "", namespace: Optional[str] = None,
             doc: Optional["Document"] = None) -> NetpolError:
    """The one place a client exception becomes this package's error.

    NotFound, AlreadyExists and Invalid keep kubectl's wording (the notebooks
    compare it with the embedded cluster's); everything else is a ClusterError
    whose message names the context and says what to do.

    >>> from kubernetes.client.exceptions import ApiException
    >>> e = ApiException(status=404, reason="Not Found")
    >>> e.body = '{"kind":"Status","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}'
    >>> str(convert_error(e, "kind-course"))
    'Error from server (NotFound): pods "x" not found'
    """
    from urllib3.exceptions import HTTPError as Urllib3Error
    where = f'context "{context}"'
    resource = resource_name(kind) if kind in KINDS else (kind or "objects")
    if isinstance(exc, Urllib3Error) or isinstance(exc, (ConnectionError, TimeoutError)):
        return ClusterError(
            f"cannot reach the Kubernetes API server of {where} ({server or 'unknown server'}): "
            f"{_unreachable(exc)}. Is the cluster running? For kind: `kind get clusters`, "
            "and `make cluster` to create one.")
    code = getattr(exc, "status", None)
    if code is None:  # not from the client: a broken websocket, an OSError...
        return ClusterError(f"{where}: {type(exc).__name__}: {exc}")
    status = _status(exc)
    message = str(status.get("message") or getattr(exc, "reason", "") or "")
    details = status.get("details") or {}
    group = details.get("group")
    named = str(details.get("name") or name)
    # NotFound/AlreadyExists name the resource as "<plural>[.<group>]", like kubectl.
    res = f"{details['kind']}.{group}" if details.get("kind") and group else \
        str(details.get("kind") or resource)
    if code == 0:  # the websocket layer (exec) reports its failures as status 0
        handshake = re.search(r"Handshake status (\d{3})", message)
        if not handshake or handshake.group(1) not in ("401", "403"):
            return ClusterError(f"{where}: the connection to the API server failed: {message}")
        code = int(handshake.group(1))  # RBAC or credentials, refused at the upgrade
    if code == 401:
        return ClusterError(
            f"the API server rejected the credentials of {where} (401 Unauthorized); they may "
            "have expired. For kind: `kind export kubeconfig --name <cluster>`.")
    if code == 403 and _terminating(status):
        # The NamespaceLifecycle admission plugin, not RBAC: the namespace is going away.
        # (details.name is the refused object's name; the namespace is in the message.)
        found = re.search(r"in namespace (\S+) because", message)
        ns = namespace or (found.group(1) if found else named)
        return ClusterError(
            f'namespace "{ns}" is being deleted (Terminating), so nothing can be created in '
            f"it: {message}. Wait until `kubectl get namespace {ns}` says NotFound, then try "
            f"again [{where}]")
    if code == 403:
        scope = f' in namespace "{namespace}"' if namespace else ""
        return ClusterError(
            f"{where} is not allowed to {verb or 'access'} {resource}{scope} (403 Forbidden: "
            f"{message}). Check with `kubectl auth can-i {verb or 'get'} {resource}"
            f"{f' -n {namespace}' if namespace else ''} --context {context}`.")
    if code == 404:
        return NotFoundError(res, named, namespace)
    if code == 409 and status.get("reason") == "AlreadyExists":
        return AlreadyExistsError(res, named)
    if code == 409 and message.startswith("Apply failed with"):
        # Another field manager owns a field we set: kubectl apply --server-side's wording,
        # and one document's problem (not a ClusterError), so the others still apply.
        return NetpolError(
            f"error: {message}\nAnother field manager (named above) owns these fields; "
            "netpol-kernel does not take them over silently. Remove them from the manifest, "
            "or take them with KubeBackend(force_conflicts=True) (NETPOL_FORCE_CONFLICTS=1), "
            f"as `kubectl apply --server-side --force-conflicts` would [{where}]")
    if code == 422 and details.get("causes"):
        obj_kind = str(details.get("kind") or kind)
        return ManifestError(kind or obj_kind, named, _field_errors(details["causes"]),
                             source=doc.source if doc else None, index=doc.index if doc else None)
    reason = status.get("reason") or getattr(exc, "reason", "") or "Error"
    return ClusterError(f"Error from server ({reason}): {message or exc} [{where}]")
