"""The course's :class:`~netpol_kernel.backends.base.Backend` on a real cluster.

:class:`KubeBackend` and its guards live here; every call to the official
``kubernetes`` client goes through one small seam,
:class:`~netpol_kernel.backends.kubeclient.ClientLayer`, in
:mod:`netpol_kernel.backends.kubeclient`.  The seam exists so the backend can
be tested without a cluster: ``tests/kube_fakes.FakeClientLayer`` implements
the same methods in memory.  :class:`KubeBackend` adds what a course needs on
top of plain API calls:

* **safety** -- it refuses any context that is not a local kind cluster unless
  the user opts in by name (``NETPOL_ALLOW_CONTEXT=<context>``), decided from
  the kubeconfig's text before a client exists and checked against the nodes
  before the first change; it mutates (and execs into) only namespaces it
  created (label ``app.kubernetes.io/managed-by=netpol-kernel``), and
  :meth:`KubeBackend.cleanup` deletes only those (the predicates are
  :mod:`netpol_kernel.backends.kubeguard`);
* **kubectl's outcomes** -- server-side apply reported as created / configured /
  unchanged, ``kubectl exec`` exit codes, kubectl's NotFound wording;
* **one error path** -- every client exception becomes one of this package's
  errors in :func:`~netpol_kernel.backends.kubeclient.convert_error`, with one
  message naming the context;
* **waiting done right** -- Deployments are awaited after apply (image pull
  failures and crash loops retried until the deadline, as ``kubectl rollout
  status`` does, then reported with the pod's last event; the wording and
  the progress lines are :mod:`netpol_kernel.backends.rollout`), probes wait for
  the CNI to program freshly applied policies (:meth:`KubeBackend.settle`) and
  run on a small bounded pool (:meth:`KubeBackend.exec_many`, from the
  :class:`~netpol_kernel.backends.kubeexec.KubeExec` mixin with ``exec`` and ``debug``).

The seam's public names (``ClientLayer``, ``ExecStream``, ``api_json``,
``rest_path``...) and the wait's (``WaitInterrupted``, ``default_progress``) are
re-exported here, where callers have always imported them.

>>> rest_path("NetworkPolicy", "deny", "netpol-lab")
'/apis/networking.k8s.io/v1/namespaces/netpol-lab/networkpolicies/deny'
>>> check_context("kind-netpol-course", "https://127.0.0.1:41231") is None
True
"""
from __future__ import annotations

import copy
import os
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, NoReturn, Optional, Sequence

from ..errors import AlreadyExistsError, ClusterError, NetpolError, NotFoundError
from ..api.resources import RESOURCES, kind_of
from .base import ApplyResult
# The client seam; re-exported because callers (tests, the README) import these from here.
from .kubeclient import (KINDS, FIELD_MANAGER, ClientLayer, ExecStream, convert_error, api_json,
                         api_version, kubeconfig_target, resource_name, rest_path)
from .kubeexec import KubeExec
# Which cluster and which namespaces we may change.
from .kubeguard import (CHAPTER_LABEL, MANAGED_BY, MANAGED_BY_VALUE, applied_by_us, check_context,
                        foreign_nodes, labels_of as _labels, terminating as _terminating)
# Waiting for rollouts; WaitInterrupted and default_progress are re-exported for the same reason.
from .rollout import (PERMANENT, Progress, WaitInterrupted, applied_summary, last_event, rollout_state,
                      selector_string, stuck_pod, stuck_reason, default_progress)

if TYPE_CHECKING:  # pragma: no cover
    from ..policy.engine import Engine
    from ..api.manifests import Document

__all__ = ["KubeBackend", "ClientLayer", "ExecStream", "WaitInterrupted", "check_context",
           "rest_path", "resource_name", "api_version", "api_json", "default_progress",
           "MANAGED_BY", "MANAGED_BY_VALUE", "CHAPTER_LABEL", "FIELD_MANAGER"]

# ----------------------------------------------------------------------------- apply outcomes


def _project(obj: Any, like: Any) -> Any:
    """The parts of ``obj`` at the paths ``like`` sets (what an apply of ``like`` owns).

    >>> _project({"spec": {"replicas": 2, "paused": False}, "status": {}}, {"spec": {"replicas": 1}})
    {'spec': {'replicas': 2}}
    """
    if isinstance(like, dict) and isinstance(obj, dict):
        return {k: _project(obj.get(k), v) for k, v in like.items()}
    return obj


def _action(before: Optional[Mapping[str, Any]], after: Mapping[str, Any], body: Mapping[str, Any]) -> str:
    """created / unchanged / configured, as kubectl apply reports it.

    The resourceVersion alone would say "configured" whenever a controller
    wrote the object (status, an annotation) between our GET and our PATCH.
    So: unchanged when nothing was written, or when what we applied reads the
    same before and after and our manager's set of fields did not change
    (a field dropped from the manifest changes that set).

    >>> _action(None, {}, {})
    'created'
    >>> old = {"metadata": {"resourceVersion": "1"}, "spec": {"replicas": 1}}
    >>> new = {"metadata": {"resourceVersion": "2"}, "spec": {"replicas": 1}, "status": {"x": 1}}
    >>> _action(old, new, {"spec": {"replicas": 1}})
    'unchanged'
    >>> _action(old, {**new, "spec": {"replicas": 2}}, {"spec": {"replicas": 2}})
    'configured'
    """
    if before is None:
        return "created"
    rv = lambda o: (o.get("metadata") or {}).get("resourceVersion")  # noqa: E731
    if rv(before) == rv(after):
        return "unchanged"  # a no-op server-side apply writes nothing
    mine = lambda o: [m.get("fieldsV1") for m in (o.get("metadata") or {}).get("managedFields") or ()  # noqa: E731
                      if m.get("manager") == FIELD_MANAGER and m.get("operation") == "Apply"]
    spec = {k: v for k, v in body.items() if k not in ("apiVersion", "kind", "metadata")}
    meta = {k: v for k, v in (body.get("metadata") or {}).items() if k in ("labels", "annotations")}
    same = _project(before, spec) == _project(after, spec) and \
        _project(before.get("metadata") or {}, meta) == _project(after.get("metadata") or {}, meta)
    return "unchanged" if same and mine(before) == mine(after) else "configured"


# ----------------------------------------------------------------------------- the backend


class KubeBackend(KubeExec):
    """A real cluster (kind by default) behind the course's Backend interface.

    >>> KubeBackend.from_environment()  # doctest: +SKIP
    <KubeBackend context="kind-netpol-course" namespace="netpol-lab">

    Tests build it on a fake seam: ``KubeBackend(client=FakeClientLayer(),
    sleep=clock.sleep, clock=clock)``.
    """

    name = "kube"

    def __init__(self, api_client: Any = None, context: Optional[str] = None,
                 namespace_prefix: str = "netpol-", settle_seconds: float = 2.0,
                 ready_timeout: float = 120, probe_workers: int = 4, probe_timeout: float = 5, *,
                 client: Optional[ClientLayer] = None, allow_context: Optional[str] = None,
                 progress: Optional[Progress] = None, exec_grace: float = 25.0,
                 force_conflicts: bool = False,
                 poll_interval: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if client is None:
            if api_client is None:
                raise ValueError("KubeBackend needs an api_client (or use from_environment())")
            client = ClientLayer(api_client, context or "")
        self.client = client
        self.context: str = context or client.context
        check_context(self.context, client.server, allow_context)
        self.namespace_prefix = namespace_prefix
        self.default_namespace = f"{namespace_prefix}lab"
        self.settle_seconds = settle_seconds
        self.ready_timeout = ready_timeout
        self.probe_workers = probe_workers
        self.probe_timeout = probe_timeout
        # The exec stream may take the probe's own timeout (curl --connect-timeout) plus
        # container start-up and network latency before the command exits.
        # 5 + 25 = 30 s covers the book's slowest probe (nc -w 10 to MariaDB, a 5 s DNS
        # retry and an image already present) with room to spare.
        self.exec_timeout = probe_timeout + exec_grace
        # Server-side apply without force: another manager's fields are a Conflict.
        self.force_conflicts = force_conflicts
        self._kind_checked = allow_context is not None and allow_context == self.context
        self.poll_interval = poll_interval
        self.progress: Progress = progress or default_progress()
        self._clock, self._sleep = clock, sleep
        self._policy_changed_at: Optional[float] = None
        self._pending: list[tuple[str, str]] = []  # Deployments applied, not yet awaited
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls, **kwargs: Any) -> "KubeBackend":
        """Kubeconfig context ``NETPOL_KUBE_CONTEXT`` (else the current one), guarded.

        ``NETPOL_ALLOW_CONTEXT=<exact context name>`` opts in to a non-kind cluster.
        """
        kwargs.setdefault("allow_context", os.environ.get("NETPOL_ALLOW_CONTEXT") or None)
        kwargs.setdefault("force_conflicts", os.environ.get("NETPOL_FORCE_CONFLICTS", "").lower()
                          in ("1", "true", "yes", "on"))
        # Decide from the kubeconfig's text first: building the client would already run
        # the user's credential plugin (a cloud login) for a cluster we then refuse.
        context, server = kubeconfig_target(os.environ.get("NETPOL_KUBE_CONTEXT") or None)
        check_context(context, server, kwargs["allow_context"])
        layer = ClientLayer.from_kubeconfig(context)
        return cls(client=layer, **kwargs)

    def __repr__(self) -> str:
        return f'<KubeBackend context="{self.context}" namespace="{self.default_namespace}">'

    # -- plumbing ---------------------------------------------------------------
    @contextmanager
    def _api(self, verb: str, kind: str = "", name: str = "", namespace: Optional[str] = None,
             doc: Optional["Document"] = None) -> Iterator[None]:
        """Run client calls, converting whatever they raise (see :func:`convert_error`)."""
        try:
            yield
        except NetpolError:
            raise
        except Exception as exc:  # the client raises many types; convert_error sorts them
            raise convert_error(exc, self.context, server=self.client.server, verb=verb, kind=kind,
                           name=name, namespace=namespace, doc=doc) from None

    def _mutable(self, word: str) -> str:
        kind = kind_of(word)
        if kind == "Node":
            self._fail("refusing to change nodes: netpol-kernel only changes objects in "
                       "namespaces it created")
        return kind

    def _ns(self, kind: str, namespace: Optional[str]) -> Optional[str]:
        return (namespace or self.default_namespace) if KINDS[kind][3] else None

    def _read(self, kind: str, name: str, namespace: Optional[str]) -> dict:
        with self._api("get", kind, name, namespace):
            return self.client.read(kind, name, namespace)

    def _read_or_none(self, kind: str, name: str, namespace: Optional[str],
                      doc: Optional["Document"] = None) -> Optional[dict]:
        try:
            with self._api("get", kind, name, namespace, doc):
                return self.client.read(kind, name, namespace)
        except NotFoundError:
            return None

    def _fail(self, message: str) -> NoReturn:
        raise ClusterError(f'{message} [context "{self.context}"]')

    def _check_kind_node(self) -> None:
        """Before the first change: are the nodes kind's nodes of the context's cluster?

        A ``kind-*`` context on 127.0.0.1 may still be a tunnel (``kubectl
        port-forward``, ssh -L) to another cluster.  kind's kubelets register
        with ``--provider-id=kind://<provider>/<cluster>/<node>``
        (kind: pkg/cluster/internal/kubeadm/config.go), so the nodes tell.
        Skipped when the context was opted in by name (NETPOL_ALLOW_CONTEXT).
        """
        if self._kind_checked:
            return
        with self._api("list", "Node"):
            nodes = self.client.list("Node", None, None)
        cluster = self.context[len("kind-"):]
        foreign = foreign_nodes(nodes, cluster)
        if not nodes or foreign:
            self._fail(f'refusing to use Kubernetes context "{self.context}": its nodes are not '
                       f'the nodes of kind cluster "{cluster}" (providerID '
                       f"{', '.join(foreign) or 'of no node'}); it may be a tunnel to another "
                       f"cluster. To use it anyway, set NETPOL_ALLOW_CONTEXT={self.context}")
        self._kind_checked = True

    # -- namespaces we own ------------------------------------------------------
    def create_namespace(self, name: str, chapter: Optional[str] = None) -> str:
        """``kubectl create namespace NAME``, marked as ours; AlreadyExists if it exists.

        The labels ``app.kubernetes.io/managed-by=netpol-kernel`` and
        ``netpol-kernel/chapter=<chapter or $NETPOL_CHAPTER>`` are what later
        mutations and :meth:`cleanup` check.
        """
        labels = {MANAGED_BY: MANAGED_BY_VALUE,
                  CHAPTER_LABEL: chapter or os.environ.get("NETPOL_CHAPTER") or "unspecified"}
        self._check_kind_node()
        existing = self._read_or_none("Namespace", name, None)
        if existing is not None and _terminating(existing):
            self._fail(f'namespace "{name}" is being deleted (Terminating); it cannot be '
                       "created again until it is gone. wait_namespace_gone() waits for it")
        if existing is not None:
            raise AlreadyExistsError("namespaces", name)  # ours or not: never adopt it
        body = {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "labels": labels}}
        with self._api("create", "Namespace", name):
            self.client.apply("Namespace", name, None, body)
        return f"namespace/{name} created"

    def _refuse(self, namespace: str, why: str) -> NoReturn:
        self._fail(f'refusing to change namespace "{namespace}": {why} (it lacks the label '
                   f"{MANAGED_BY}={MANAGED_BY_VALUE}). netpol-kernel only changes namespaces it "
                   "created; use create_namespace() for a new one")

    def _ensure_ours(self, namespace: str, create: bool = True) -> None:
        """Raise unless ``namespace`` is one we created (our default one is created on demand)."""
        self._check_kind_node()
        ns = self._read_or_none("Namespace", namespace, None)
        if ns is None:
            if create and namespace == self.default_namespace:
                self.create_namespace(namespace, chapter="default")
                return
            raise NotFoundError("namespaces", namespace)
        if _labels(ns).get(MANAGED_BY) != MANAGED_BY_VALUE:
            self._refuse(namespace, "it was not created by netpol-kernel")

    def _ensure_ours_for(self, kind: str, name: str, ns: Optional[str]) -> None:
        """The guard for delete/label: a missing namespace reads as the object missing (as the API says)."""
        if kind == "Namespace":
            return self._ensure_ours(name)
        try:
            self._ensure_ours(ns)  # type: ignore[arg-type]
        except NotFoundError:
            raise NotFoundError(resource_name(kind), name, ns) from None

    def cleanup(self, namespace: Optional[str] = None) -> list[ApplyResult]:
        """Delete our namespace ``namespace`` (default: every namespace we created).

        Never deletes a namespace without our label.  Deletion is asynchronous:
        the namespace shows ``Terminating`` until its pods are gone.

        >>> backend.cleanup()  # doctest: +SKIP
        [ApplyResult(kind='Namespace', name='netpol-lab', namespace=None, action='deleted')]
        """
        self._check_kind_node()
        if namespace is not None:
            existing = self._read_or_none("Namespace", namespace, None)
            if existing is None:
                return []  # already gone: cleanup is idempotent
            if _labels(existing).get(MANAGED_BY) != MANAGED_BY_VALUE:
                self._refuse(namespace, "it was not created by netpol-kernel")
            candidates = [existing]
        else:
            # Cluster-wide, the label alone is not enough (anyone can add it): only
            # namespaces with our prefix whose label our own field manager applied.
            with self._api("list", "Namespace"):
                ours = self.client.list("Namespace", None, f"{MANAGED_BY}={MANAGED_BY_VALUE}")
            candidates = [n for n in ours if _labels(n).get(MANAGED_BY) == MANAGED_BY_VALUE
                          and n["metadata"]["name"].startswith(self.namespace_prefix)
                          and applied_by_us(n)]
        results = []
        for ns in candidates:
            name = ns["metadata"]["name"]
            if _terminating(ns):
                continue  # already being deleted: deleting again is a 409 Conflict
            try:
                with self._api("delete", "Namespace", name):
                    self.client.delete("Namespace", name, None)
            except NotFoundError:
                continue  # gone meanwhile
            except ClusterError:
                now = self._read_or_none("Namespace", name, None)
                if now is None or _terminating(now):
                    continue  # someone else deleted it between our read and our delete
                raise
            results.append(ApplyResult("Namespace", name, None, "deleted"))
        return results

    def wait_namespace_gone(self, name: str, timeout: float = 180.0) -> None:
        """Wait (bounded, with progress) until namespace ``name`` no longer exists.

        A deleted namespace stays ``Terminating`` until its pods have stopped
        (up to their grace period); nothing can be created in it meanwhile.

        >>> backend.cleanup("netpol-02"); backend.wait_namespace_gone("netpol-02")  # doctest: +SKIP
        """
        start = self._clock()
        reported = False
        while True:
            ns = self._read_or_none("Namespace", name, None)
            elapsed = self._clock() - start
            if ns is None:
                if reported:
                    self.progress(f'namespace "{name}" gone after {elapsed:.0f}s\n')
                return
            state = "Terminating" if _terminating(ns) else "Active"
            if elapsed >= timeout:
                self._fail(f'namespace "{name}" is still {state} after {timeout:g}s. '
                           f"`kubectl get namespace {name} -o yaml` shows what it waits for "
                           "(status.conditions)")
            self.progress(f'waiting: namespace "{name}" is {state} ({elapsed:.0f}s)')
            reported = True
            self._sleep(self.poll_interval)

    # -- Backend: apply / delete / get / label ------------------------------------
    def apply(self, docs: Sequence["Document"], namespace: Optional[str] = None, *,
              wait: bool = True) -> list[ApplyResult]:
        """``kubectl apply`` by server-side apply: each document validated and applied on its own.

        As in the embedded cluster, a refused document (invalid, namespace not
        found or mismatched) does not stop the others: ``ApplyErrors`` is raised
        at the end with the results and the (document, error) pairs.  A
        ClusterError (unreachable, forbidden, a namespace that is not ours)
        stops at that document, since the rest would fail alike.

        Then (``wait``) the applied Deployments are awaited (:meth:`wait_ready`);
        a pod still failing to pull its image or crash-looping at the deadline
        raises ClusterError (``.results`` lists what was applied: nothing is
        rolled back), and
        Ctrl-C raises :class:`WaitInterrupted`, a KeyboardInterrupt carrying
        the results.
        """
        from .base import ApplyErrors
        from ..api.validation import check
        results: list[ApplyResult] = []
        errors: list[tuple[Optional["Document"], NetpolError]] = []
        checked: set[str] = set()
        for doc in docs:
            try:
                check(doc)
                result = self._apply_one(doc, namespace, checked)
            except ClusterError as err:
                errors.append((doc, err))
                break
            except NetpolError as err:
                errors.append((doc, err))
                continue
            results.append(result)
            if result.kind == "Deployment":
                with self._lock:
                    self._pending.append((result.namespace or "", result.name))
        if wait:
            try:
                self.wait_ready(results)
            except ClusterError as err:
                if not errors:
                    err.results = list(results)  # type: ignore[attr-defined]
                    raise
                errors.append((None, err))
        if errors:
            raise ApplyErrors(results, errors)
        return results

    def _target_namespace(self, doc: "Document", namespace: Optional[str]) -> Optional[str]:
        if not KINDS[doc.obj["kind"]][3]:
            return None
        own = (doc.obj.get("metadata") or {}).get("namespace")
        if own and namespace and own != namespace:
            from ..errors import NamespaceMismatchError
            raise NamespaceMismatchError(own, namespace)
        return own or namespace or self.default_namespace

    def _apply_one(self, doc: "Document", namespace: Optional[str], checked: set[str]) -> ApplyResult:
        kind, name = doc.obj["kind"], doc.obj["metadata"]["name"]
        ns = self._target_namespace(doc, namespace)
        body = copy.deepcopy(doc.obj)
        if kind == "Namespace":
            before = self._read_or_none("Namespace", name, None, doc)
            if before is not None and _labels(before).get(MANAGED_BY) != MANAGED_BY_VALUE:
                self._refuse(name, "it exists and was not created by netpol-kernel")
            # Our field manager owns these labels: re-applying without them would drop them.
            labels = body["metadata"].setdefault("labels", {})
            labels[MANAGED_BY] = MANAGED_BY_VALUE
            if before is not None and CHAPTER_LABEL in _labels(before):
                labels.setdefault(CHAPTER_LABEL, _labels(before)[CHAPTER_LABEL])
        else:
            if ns not in checked:
                self._ensure_ours(ns)  # type: ignore[arg-type]
                checked.add(ns)  # type: ignore[arg-type]
            body["metadata"]["namespace"] = ns
            before = self._read_or_none(kind, name, ns, doc)
        with self._api("patch", kind, name, ns, doc):
            after = self.client.apply(kind, name, ns, body, force=self.force_conflicts)
        if kind == "NetworkPolicy":
            self._policy_changed()
        return ApplyResult(kind, name, ns, _action(before, after, body))

    def delete(self, kind: str, name: str, namespace: Optional[str] = None) -> ApplyResult:
        """Delete one object in one of our namespaces (kubectl's NotFound if missing).

        Like kubectl's default (background propagation), a Deployment's pods
        go away shortly after; this does not wait for them.
        """
        kind = self._mutable(kind)
        ns = self._ns(kind, namespace)
        self._ensure_ours_for(kind, name, ns)
        with self._api("delete", kind, name, ns):
            self.client.delete(kind, name, ns)
        if kind == "NetworkPolicy":
            self._policy_changed()
        return ApplyResult(kind, name, ns, "deleted")

    def get(self, kind: str, namespace: Optional[str] = None, name: Optional[str] = None,
            selector: Optional[str] = None, all_namespaces: bool = False) -> list[dict]:
        """Objects as the API server returns them, sorted by namespace and name.

        Reading any namespace is allowed.  ``metadata.managedFields`` is dropped,
        as ``kubectl get -o yaml`` does by default.
        """
        kind = kind_of(kind)
        ns = None if all_namespaces and not name else self._ns(kind, namespace)
        if name is not None:
            objs = [self._read(kind, name, ns)]
            if selector:
                from ..policy.selectors import parse_selector
                sel = parse_selector(selector)
                objs = [o for o in objs if sel.matches(_labels(o))]
        else:
            with self._api("list", kind, "", ns):
                objs = self.client.list(kind, ns, selector or None)
        for obj in objs:
            (obj.get("metadata") or {}).pop("managedFields", None)
        return sorted(objs, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))

    def container_logs(self, pod: str, namespace: Optional[str] = None, container: Optional[str] = None) -> str:
        """``kubectl logs POD [-c C]``: the container's log as the API server returns it."""
        ns = namespace or self.default_namespace
        obj = self._resolve_pod(pod, ns)
        name = obj["metadata"]["name"]
        cname = container or ((obj.get("spec") or {}).get("containers") or [{}])[0].get("name", "")
        with self._api("get", "pods/log", name, ns):
            return self.client.read_log(name, ns, cname)

    def events(self, namespace: Optional[str] = None, all_namespaces: bool = False) -> list[dict]:
        """core/v1 Events, oldest first (by lastTimestamp, then eventTime)."""
        ns = None if all_namespaces else (namespace or self.default_namespace)
        with self._api("list", "Event", "", ns):
            items = self.client.events(ns)
        return sorted(items, key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))

    def label(self, kind: str, name: str, labels: Mapping[str, Optional[str]],
              namespace: Optional[str] = None, overwrite: bool = False) -> str:
        """``kubectl label``: values set, None removes; returns ``pod/x labeled``."""
        kind = self._mutable(kind)
        ns = self._ns(kind, namespace)
        self._ensure_ours_for(kind, name, ns)
        if kind == "Namespace" and MANAGED_BY in labels and labels[MANAGED_BY] != MANAGED_BY_VALUE:
            self._fail(f'refusing to change the label {MANAGED_BY} of namespace "{name}": '
                       "netpol-kernel uses it to know which namespaces it may change")
        current = _labels(self._read(kind, name, ns))
        for key, value in labels.items():
            if value is not None and key in current and current[key] != value and not overwrite:
                raise NetpolError(f"error: '{key}' already has a value ({current[key]}), "
                                  "and --overwrite is false")
        patch = {k: v for k, v in labels.items()
                 if (v is None and k in current) or (v is not None and current.get(k) != v)}
        word = RESOURCES[kind][1]
        if not patch:
            return f"{word}/{name} not labeled"
        with self._api("patch", kind, name, ns):
            self.client.patch_labels(kind, name, ns, patch)
        if kind in ("Pod", "Namespace"):
            self._policy_changed()  # pod and namespace labels are what policies select
        removed_only = all(v is None for v in labels.values())
        return f"{word}/{name} {'unlabeled' if removed_only else 'labeled'}"

    # -- waiting --------------------------------------------------------------------
    def wait_ready(self, results: Sequence[ApplyResult] = ()) -> None:
        """Wait until every Deployment applied so far (and not yet awaited) is rolled out.

        Polls every ``poll_interval`` up to ``ready_timeout``, as ``kubectl
        rollout status`` does: ErrImagePull, ImagePullBackOff and CrashLoopBackOff
        are retried (a rate-limited pull, a frontend waiting for its database)
        and shown in the progress line; at the deadline the error names the
        stuck pod and its last event.  Only an image reference that can never
        work (InvalidImageName, ErrImageNeverPull) fails at once.
        Progress goes to ``self.progress`` only when there is something to wait for.
        """
        with self._lock:
            pending, self._pending = list(dict.fromkeys(self._pending)), []
        if not pending:
            return
        start = self._clock()
        last = ""
        try:
            while True:
                waiting: list[str] = []
                stuck: list[tuple[str, dict]] = []
                still = []
                for ns, name in pending:
                    dep = self._read("Deployment", name, ns)
                    done, text = rollout_state(dep)
                    if done:
                        continue
                    pods = self._stuck_pods(dep, results)
                    stuck += [(ns, p) for p in pods]
                    reasons = sorted({stuck_reason(p) or "" for p in pods})
                    still.append((ns, name))
                    waiting.append(text + (f" ({', '.join(reasons)}, retrying)" if reasons else ""))
                pending = still
                elapsed = self._clock() - start
                if not pending:
                    if last:  # only report when we actually had to wait
                        self.progress(f"deployments available after {elapsed:.0f}s\n")
                    return
                line = "waiting: " + "; ".join(waiting)
                if line != last:
                    self.progress(line)
                    last = line
                if elapsed >= self.ready_timeout:
                    why = "".join(f" {stuck_pod(p)}{self._last_event(p['metadata']['name'], ns)}"
                                  for ns, p in stuck[:3])
                    self._fail(f"timed out after {self.ready_timeout:g}s waiting for Deployments "
                               f"({'; '.join(waiting)}).{why}{applied_summary(results)} See "
                               "`kubectl get pods` and `kubectl describe pod`")
                self._sleep(self.poll_interval)
        except KeyboardInterrupt:
            interrupted = WaitInterrupted(results)
            self.progress(f"{interrupted}\n")
            raise interrupted from None

    def _stuck_pods(self, dep: Mapping[str, Any], results: Sequence[ApplyResult]) -> list[dict]:
        """The Deployment's pods that are not starting; raise if one never can."""
        ns = dep["metadata"]["namespace"]
        selector = selector_string((dep.get("spec") or {}).get("selector") or {})
        with self._api("list", "Pod", "", ns):
            pods = self.client.list("Pod", ns, selector or None)
        stuck = []
        for pod in pods:
            reason = stuck_reason(pod)
            if reason in PERMANENT:
                self._fail(f'deployment "{dep["metadata"]["name"]}" cannot become available: '
                           f"{stuck_pod(pod)}{applied_summary(results)} Fix the manifest and "
                           "apply it again")
            if reason:
                stuck.append(pod)
        return stuck

    def _last_event(self, pod: str, namespace: str) -> str:
        """`` Last event: ...`` for an error message ('' when there is none or we may not list them)."""
        try:
            with self._api("list", "Event", "", namespace):
                text = last_event(self.client.events(namespace, "Pod", pod))
        except NetpolError:
            return ""
        return f" Last event of pod {pod}: {text}." if text else ""

    # -- the CNI's settling time ---------------------------------------------------
    def _policy_changed(self) -> None:
        with self._lock:
            self._policy_changed_at = self._clock()

    def settle(self) -> float:
        """Sleep what is left of ``settle_seconds`` since the last policy change; return it.

        The API server accepts a NetworkPolicy before the CNI has programmed it;
        probing at once can still see the old verdict.

        >>> backend.apply(deny); backend.settle()  # doctest: +SKIP
        2.0
        """
        with self._lock:
            changed = self._policy_changed_at
        if changed is None:
            return 0.0
        remaining = self.settle_seconds - (self._clock() - changed)
        if remaining <= 0:
            return 0.0
        self._sleep(remaining)
        return remaining

    # -- exec, exec_many, debug: inherited from KubeExec (backends.kubeexec) ---------
    # -- the engine over the live cluster -------------------------------------------
    def engine(self, namespace: Optional[str] = None) -> "Engine":
        """An Engine over every namespace, pod, policy and service of the cluster.

        As in the embedded cluster, ``namespace`` does not narrow it: policies
        of one namespace select peers in others.  Finished pods (Succeeded,
        Failed) are left out: they carry no traffic.
        """
        from ..policy.engine import Engine
        from ..policy.objects import from_dict
        lists = {}
        for kind in ("Namespace", "Pod", "NetworkPolicy", "Service"):
            with self._api("list", kind):
                lists[kind] = self.client.list(kind, None, None)
        pods = [p for p in lists["Pod"]
                if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
        return Engine([from_dict(n) for n in lists["Namespace"]], [from_dict(p) for p in pods],
                      [from_dict(p) for p in lists["NetworkPolicy"]],
                      [from_dict(s) for s in lists["Service"]])

    def check_connection(self) -> None:
        """Raise ClusterError unless the API server answers (reads namespace kube-system)."""
        self._read("Namespace", "kube-system", None)
