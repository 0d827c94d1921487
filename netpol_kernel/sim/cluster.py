"""The embedded cluster: a kind-like cluster in memory whose CNI enforces NetworkPolicy.

It implements :class:`backends.base.Backend` (name ``"sim"``): ``apply``, ``get``,
``delete``, ``label``, ``exec`` and ``engine``, plus ``debug`` (``kubectl debug``),
``scale`` and ``create_namespace``.  Objects come back shaped like the API
server's JSON; every connection a command makes inside a pod is judged by the
policy engine (:mod:`netpol_kernel.policy.engine`), so a DNS lookup blocked by a
default-deny egress fails exactly where it would on a real cluster.

Every mutating command is atomic: the state is snapshotted first and restored if
the command raises.  The default clock starts at a fixed instant and advances one
second per mutating command, so names, addresses, ages and outputs are the same
on every run (tests rely on it); the book's cluster (``nk`` / ``NETPOL_BACKEND=sim``)
is given the real clock instead.  The pieces: :mod:`controllers` (state, Deployment -> ReplicaSet ->
Pods), :mod:`network` (kube-dns, kube-proxy, the CNI), :mod:`images` and
:mod:`programs` (what images run and serve), :mod:`commands`, :mod:`shell` and the
tools (what runs in a pod), :mod:`outside` (the internet), :mod:`hostclient`
(a client outside the cluster).

Not modelled: scheduling, image pulls, probes and restarts (pods are Running
and Ready at once, even when a Secret they need is missing); rollout pacing
(a new template replaces all pods at once); the outside world beyond the few hosts
of :mod:`outside`; ServiceAccounts, Ingress, Jobs,
EndpointSlices; Namespace termination (deletion is immediate).

>>> from netpol_kernel.api.manifests import load_documents
>>> c = EmbeddedCluster()
>>> for r in c.apply(load_documents('''
... apiVersion: v1
... kind: Pod
... metadata: {name: client, labels: {app: client}}
... spec: {containers: [{name: c, image: docker.io/byrnedo/alpine-curl:0.1.8}]}
... ''')):
...     print(r)
pod/client created
>>> print(c.exec("client", ["nslookup", "kubernetes"]).stdout.strip())
Name:      kubernetes
Address 1: 10.96.0.1 kubernetes.default.svc.cluster.local
"""
from __future__ import annotations

import copy
import hashlib
import json
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, Optional, Sequence

from ..api.resources import RESOURCES, kind_of
from ..backends.base import ApplyErrors, ApplyResult, ExecResult
from ..backends.base import KubectlExecError
from .commands import run
from .process import ExecContext
from .controllers import (EPOCH, Store, admit_pod, delete_tree, endpoint_slice_object, endpoints_object,
                          node_object, reconcile)
from ..api.defaults import NO_GENERATION_KINDS, default_object, full_image, image_pull_policy, last_applied
from ..errors import (AlreadyExistsError, FieldError, ManifestError, NetpolError, NotFoundError,
                     UnsupportedCommand)
from .network import PodNet
from ..errors import NamespaceMismatchError
from ..policy.objects import LabelSelector, from_dict
from ..policy.selectors import parse_selector
from ..api.validation import check, validate
from ..api.validation.meta import check_labels
from .programs import toolbox_for

if TYPE_CHECKING:  # pragma: no cover
    from ..policy.engine import Engine
    from ..api.manifests import Document

__all__ = ["EmbeddedCluster", "resource_name"]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_WORKLOADS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")



def resource_name(kind: str) -> str:
    """The plural, group-qualified name NotFound errors use: ``deployments.apps``."""
    plural, qualified = RESOURCES[kind][0], RESOURCES[kind][1]
    group = qualified.partition(".")[2]
    return f"{plural}.{group}" if group else plural


def _existing(st: Store, kind: str, ns: str, name: str) -> dict:
    """The stored object, or kubectl's NotFound for it."""
    obj = st.get(kind, ns, name)
    if obj is None:
        raise NotFoundError(resource_name(kind), name, ns or None)
    return obj


class EmbeddedCluster:
    """A one-node kind cluster in memory.  See the module docstring."""

    name = "sim"
    default_namespace = "default"

    def __init__(self, clock: Optional[Callable[[], datetime]] = None, seed: str = "netpol"):
        self._ticks = 0
        self._clock = clock
        self._state = Store.bootstrap(seed, self.now)
        self._engine: Optional[tuple[int, "Engine"]] = None
        self._logs: dict[tuple[str, str, str], list[str]] = {}

    # -- time -----------------------------------------------------------------------
    def now(self) -> datetime:
        """The cluster's clock (injected, or the fixed epoch plus one second per mutation)."""
        return self._clock() if self._clock else EPOCH + timedelta(seconds=self._ticks)

    @contextmanager
    def _mutation(self) -> Iterator[Store]:
        """Run a command on a copy of the state; keep it only if the command completes."""
        snap, ticks = self._state.snapshot(), self._ticks
        self._ticks += 1
        try:
            yield self._state
        except BaseException:
            self._state, self._ticks = snap, ticks
            raise
        finally:
            self._engine = None  # labels, pods or policies may have changed

    # -- apply ------------------------------------------------------------------------
    def apply(self, docs: Sequence["Document"], namespace: Optional[str] = None) -> list[ApplyResult]:
        """``kubectl apply``: each document is validated and applied on its own, in order.

        Returns one :class:`ApplyResult` per document (created / configured /
        unchanged).  If some documents are refused (invalid, namespace not found,
        namespace mismatch, an immutable field changed), the others are still
        applied and :class:`ApplyErrors` is raised carrying both the results and
        the errors, as kubectl prints the applied lines and then the errors and
        exits 1.  An unexpected exception rolls the whole command back.

        Every refusal is decided before the document touches the state (``_prepare``
        only reads), so no per-document copy of the state is needed: applying n
        documents costs O(n), not O(n x state).
        """
        results: list[ApplyResult] = []
        errors: list[tuple[Optional[Document], NetpolError]] = []
        with self._mutation() as st:
            for doc in docs:
                try:
                    plan = self._prepare(st, doc, namespace)
                except NetpolError as e:
                    errors.append((doc, e))
                    continue
                results.append(self._commit(st, *plan))
        if errors:
            raise ApplyErrors(results, errors)
        return results

    def _prepare(self, st: Store, doc: "Document", flag_ns: Optional[str]) -> tuple:
        """Everything that may refuse a document, reading the state only: (kind, ns, name, desired, live)."""
        check(doc)
        manifest = copy.deepcopy(doc.obj)
        kind = manifest["kind"]
        if kind not in RESOURCES or kind == "Endpoints":
            raise UnsupportedCommand(f"the embedded cluster does not store {kind} objects")
        md = manifest.setdefault("metadata", {})
        name = md["name"]
        namespaced = RESOURCES[kind][3]
        ns = ""
        if namespaced:
            obj_ns = md.get("namespace")
            if obj_ns and flag_ns and obj_ns != flag_ns:
                raise NamespaceMismatchError(obj_ns, flag_ns)
            ns = obj_ns or flag_ns or self.default_namespace
            md["namespace"] = ns
            if st.get("Namespace", "", ns) is None:
                raise NotFoundError("namespaces", ns)
        else:
            md.pop("namespace", None)
        live = st.get(kind, ns, name)
        desired = self._desired(kind, name, manifest, live)
        return kind, ns, name, desired, live

    def _commit(self, st: Store, kind: str, ns: str, name: str, desired: dict,
                live: Optional[dict]) -> ApplyResult:
        action = (self._create(st, kind, ns, name, desired) if live is None
                  else self._update(st, kind, live, desired))
        reconcile(st)
        return ApplyResult(kind, name, ns or None, action)

    def _desired(self, kind: str, name: str, manifest: dict, live: Optional[dict]) -> dict:
        """The object as the API server would store it, checked against the live one."""
        applied = last_applied(manifest)
        desired = default_object(manifest)
        md = desired["metadata"]
        prev_applied: dict = {}
        if live is not None:
            prev_applied = json.loads((live["metadata"].get("annotations") or {}).get(LAST_APPLIED, "{}"))
        for key in ("labels", "annotations"):
            # Three-way merge: keep live keys the previous apply did not set (kubectl label, ...).
            managed = set(((prev_applied.get("metadata") or {}).get(key) or {}))
            kept = {k: v for k, v in ((live or {}).get("metadata", {}).get(key) or {}).items()
                    if k not in managed and k != LAST_APPLIED}
            merged = {**kept, **(md.get(key) or {})}
            md.pop(key, None)
            if merged:
                md[key] = merged
        md.setdefault("annotations", {})[LAST_APPLIED] = applied
        if kind == "Namespace":
            md.setdefault("labels", {})["kubernetes.io/metadata.name"] = name
        if live is not None:
            self._check_update(kind, name, live, desired, prev_applied)
        return desired

    def _create(self, st: Store, kind: str, ns: str, name: str, obj: dict) -> str:
        meta = st.new_meta(kind, name, ns or None)
        obj["metadata"] = {**meta, **{k: v for k, v in obj["metadata"].items() if k in ("labels", "annotations")}}
        if kind == "Service":
            self._allocate_service(st, obj, None)
        if kind == "Pod":
            admit_pod(st, obj)
        st.put(obj)
        return "created"

    def _allocate_service(self, st: Store, svc: dict, live: Optional[dict]) -> None:
        spec = svc["spec"]
        if spec.get("type") == "ExternalName":
            return
        if live is not None and not spec.get("clusterIP"):
            spec["clusterIP"], spec["clusterIPs"] = live["spec"].get("clusterIP"), live["spec"].get("clusterIPs")
        elif spec.get("clusterIP") in (None, ""):
            spec["clusterIP"] = st.allocate_cluster_ip()
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            old = {(p.get("port"), p.get("protocol")): p.get("nodePort")
                   for p in ((live or {}).get("spec", {}).get("ports") or ())}
            for p in spec["ports"]:
                p.setdefault("nodePort", old.get((p["port"], p["protocol"])) or st.allocate_node_port())
        svc["status"] = {"loadBalancer": {}}

    def _check_update(self, kind: str, name: str, live: dict, desired: dict, prev_applied: dict) -> None:
        """The API server's immutable fields: workload selectors, most of a Pod's spec."""
        if kind in _WORKLOADS and live["spec"].get("selector") != desired["spec"].get("selector"):
            raise ManifestError(kind, name, [FieldError.invalid(
                "spec.selector", desired["spec"].get("selector"), "field is immutable")])
        if kind == "Pod" and prev_applied:
            # kubectl patches what changed since the last apply; only images may change.
            def images_blanked(spec: dict) -> dict:
                return {**spec, "containers": [{**c, "image": ""} for c in spec.get("containers", ())]}
            before = default_object(prev_applied)["spec"]
            if images_blanked(before) != images_blanked(desired["spec"]):
                raise ManifestError("Pod", name, [FieldError.forbidden(
                    "spec", "pod updates may not change fields other than `spec.containers[*].image`,"
                    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
                    "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                    "(allow it to be set to 1 if it was previously negative)")])

    def _update(self, st: Store, kind: str, live: dict, desired: dict) -> str:
        new = copy.deepcopy(live)
        for key in ("labels", "annotations"):
            if desired["metadata"].get(key):
                new["metadata"][key] = desired["metadata"][key]
            else:
                new["metadata"].pop(key, None)
        if kind == "Pod":
            for c_new, c_want in zip(new["spec"]["containers"], desired["spec"]["containers"]):
                c_new["image"] = c_want["image"]
        elif kind == "Service":
            self._allocate_service(st, desired, live)
            new["spec"] = desired["spec"]
        for field_ in ("spec", "data", "stringData", "type"):
            if kind not in ("Pod", "Service", "Namespace") and field_ in desired:
                new[field_] = desired[field_]
        if kind in ("Secret", "ConfigMap") and "data" not in desired:
            new.pop("data", None)
        if new == live:
            return "unchanged"
        if kind not in NO_GENERATION_KINDS and kind != "Pod" and new.get("spec") != live.get("spec"):
            new["metadata"]["generation"] = live["metadata"].get("generation", 1) + 1
        st.put(new)
        return "configured"

    # -- other mutations --------------------------------------------------------------------
    def delete(self, kind: str, name: str, namespace: Optional[str] = None) -> ApplyResult:
        """``kubectl delete KIND NAME``: owned objects go too (ReplicaSets, Pods); deleting a
        Namespace deletes everything in it."""
        kind = kind_of(kind)
        ns = (namespace or self.default_namespace) if RESOURCES[kind][3] else ""
        with self._mutation() as st:
            obj = _existing(st, kind, ns, name)
            if kind == "Namespace" and name in ("default", "kube-system", "kube-public"):
                raise NetpolError(f'Error from server (Forbidden): namespaces "{name}" is forbidden: '
                                  "this namespace may not be deleted")
            if kind == "Namespace":
                for k in list(st.objects):
                    for o in st.list(k, name):
                        st.remove(k, name, o["metadata"]["name"])
            delete_tree(st, obj)
        return ApplyResult(kind, name, ns or None, "deleted")

    def label(self, kind: str, name: str, labels: Mapping[str, Optional[str]], namespace: Optional[str] = None,
              overwrite: bool = False) -> str:
        """``kubectl label``: values set, None removes; returns ``pod/x labeled``."""
        kind = kind_of(kind)
        ns = (namespace or self.default_namespace) if RESOURCES[kind][3] else ""
        with self._mutation() as st:
            obj = _existing(st, kind, ns, name)
            current = dict(obj["metadata"].get("labels") or {})
            for key, value in labels.items():
                if value is not None and key in current and current[key] != value and not overwrite:
                    raise NetpolError(f"error: '{key}' already has a value ({current[key]}), "
                                      "and --overwrite is false")
            new = {k: v for k, v in current.items() if labels.get(k, v) is not None}
            new.update({k: v for k, v in labels.items() if v is not None})
            if kind == "Namespace":  # the API server keeps this label whatever you ask
                new["kubernetes.io/metadata.name"] = name
            word = "unlabeled" if all(v is None for v in labels.values()) else "labeled"
            problems: list[FieldError] = []
            check_labels(new, "metadata.labels", problems)  # the API server checks the keys
            if problems:
                raise ManifestError(kind, name, problems)
            if new == current:
                return f"{RESOURCES[kind][1]}/{name} not labeled"
            obj["metadata"]["labels"] = new
            st.put(obj)
            reconcile(st)
        return f"{RESOURCES[kind][1]}/{name} {word}"

    def scale(self, kind: str, name: str, replicas: int, namespace: Optional[str] = None) -> str:
        """``kubectl scale --replicas=N KIND NAME``: ``deployment.apps/x scaled``."""
        kind = kind_of(kind)
        if kind not in ("Deployment", "ReplicaSet", "StatefulSet"):
            raise UnsupportedCommand(f'error: no scaler has been implemented for {{"{RESOURCES[kind][1].partition(".")[2]}" '
                                     f'"{kind}"}}')
        ns = namespace or self.default_namespace
        with self._mutation() as st:
            obj = st.get(kind, ns, name)
            if obj is None:
                raise NotFoundError(resource_name(kind), name, ns)
            if obj["spec"].get("replicas") != replicas:
                obj["spec"]["replicas"] = replicas
                obj["metadata"]["generation"] += 1
                st.put(obj)
                reconcile(st)
        return f"{RESOURCES[kind][1]}/{name} scaled"

    def create_namespace(self, name: str) -> str:
        """``kubectl create namespace NAME``."""
        problems = validate({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        if problems:  # the API server's ValidateNamespace: a DNS-1123 label
            raise ManifestError("Namespace", name, problems)
        with self._mutation() as st:
            if st.get("Namespace", "", name) is not None:
                raise AlreadyExistsError("namespaces", name)
            ns = default_object({"apiVersion": "v1", "kind": "Namespace"})
            ns["metadata"] = st.new_meta("Namespace", name, None, {"kubernetes.io/metadata.name": name})
            st.put(ns)
        return f"namespace/{name} created"

    def create(self, docs: Sequence["Document"], namespace: Optional[str] = None) -> list[ApplyResult]:
        """``kubectl create`` / ``run`` / ``expose``: new objects only (AlreadyExists otherwise),
        stored without kubectl apply's last-applied annotation, as the API server keeps them."""
        results: list[ApplyResult] = []
        with self._mutation() as st:
            for doc in docs:
                check(doc)
                manifest = copy.deepcopy(doc.obj)
                kind, md = manifest["kind"], manifest.setdefault("metadata", {})
                if kind not in RESOURCES or kind == "Endpoints":
                    raise UnsupportedCommand(f"the embedded cluster does not store {kind} objects")
                ns = ""
                if RESOURCES[kind][3]:
                    ns = md.get("namespace") or namespace or self.default_namespace
                    if st.get("Namespace", "", ns) is None:
                        raise NotFoundError("namespaces", ns)
                    md["namespace"] = ns
                if st.get(kind, ns, md["name"]) is not None:
                    raise AlreadyExistsError(resource_name(kind), md["name"])
                desired = default_object(manifest)
                if kind == "Namespace":
                    desired["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = md["name"]
                self._create(st, kind, ns, md["name"], desired)
                reconcile(st)
                results.append(ApplyResult(kind, md["name"], ns or None, "created"))
        return results

    def update(self, kind: str, name: str, change: Callable[[dict], None],
               namespace: Optional[str] = None) -> dict:
        """Change one stored object in place (``annotate``, ``rollout restart``, ``label --all``);
        a changed spec bumps ``metadata.generation`` and the controllers run.  Returns the object."""
        kind = kind_of(kind)
        ns = (namespace or self.default_namespace) if RESOURCES[kind][3] else ""
        with self._mutation() as st:
            obj = _existing(st, kind, ns, name)
            before = copy.deepcopy(obj)
            change(obj)
            if obj != before:
                if obj.get("spec") != before.get("spec") and "generation" in obj["metadata"]:
                    obj["metadata"]["generation"] += 1
                st.put(obj)
                reconcile(st)
            return copy.deepcopy(obj)

    def container_logs(self, pod: str, namespace: Optional[str] = None, container: Optional[str] = None) -> str:
        """``kubectl logs POD [-c C]``: the lines the container wrote (:meth:`append_log`)."""
        p = self._pod_for(pod, namespace)
        cname = container or p["spec"]["containers"][0]["name"]
        if not any(c["name"] == cname for c in p["spec"]["containers"] + p["spec"].get("ephemeralContainers", [])):
            raise NetpolError(f'error: container {cname} is not valid for pod {p["metadata"]["name"]}')
        return "".join(f"{line}\n" for line in self._logs.get((p["metadata"]["namespace"], p["metadata"]["name"], cname), ()))

    def append_log(self, namespace: str, pod: str, container: str, line: str) -> None:
        """A line a container wrote to stdout/stderr (what ``kubectl logs`` shows): image models
        call it for each request they answer (nginx's access log).  Logs are the container's
        side effects, kept outside the snapshotted state."""
        self._logs.setdefault((namespace, pod, container), []).append(line.rstrip("\n"))

    def events(self, namespace: Optional[str] = None, all_namespaces: bool = False) -> list[dict]:
        """core/v1 Events, oldest first, as ``kubectl get events`` lists them."""
        ns = namespace or self.default_namespace
        return copy.deepcopy([e for e in self._state.events
                              if all_namespaces or e["metadata"]["namespace"] == ns])

    def endpoint_slices(self, namespace: Optional[str] = None, all_namespaces: bool = False) -> list[dict]:
        """discovery.k8s.io/v1 EndpointSlices, one per Service with a selector (and ``kubernetes``)."""
        ns = namespace or self.default_namespace
        return [e for s in self._state.list("Service")
                if (all_namespaces or s["metadata"]["namespace"] == ns)
                and (e := endpoint_slice_object(self._state, s)) is not None]

    # -- reads --------------------------------------------------------------------------------
    def get(self, kind: str, namespace: Optional[str] = None, name: Optional[str] = None,
            selector: Optional[str] = None, all_namespaces: bool = False) -> list[dict]:
        """Objects as the API server returns them (deep copies), sorted by namespace and name."""
        kind = kind_of(kind)
        st = self._state
        if kind == "Node":
            items = [node_object(st)]
        elif kind == "Endpoints":
            items = [e for s in st.list("Service") if (e := endpoints_object(st, s)) is not None]
        else:
            items = st.list(kind)
        namespaced = kind != "Node" and RESOURCES[kind][3]
        ns = namespace or self.default_namespace
        if namespaced and not all_namespaces:
            items = [o for o in items if o["metadata"].get("namespace") == ns]
        if name is not None:
            items = [o for o in items if o["metadata"]["name"] == name]
            if not items:
                raise NotFoundError(resource_name(kind) if kind != "Node" else "nodes", name,
                                    ns if namespaced else None)
        if selector:
            sel = parse_selector(selector)
            items = [o for o in items if sel.matches(o["metadata"].get("labels") or {})]
        items = sorted(items, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        return copy.deepcopy(items)

    def engine(self, namespace: Optional[str] = None) -> "Engine":
        """An Engine over every namespace, pod, policy and service (policies cross namespaces,
        so ``namespace`` does not narrow it); cached until the state changes."""
        from ..policy.engine import Engine
        st = self._state
        if self._engine is None or self._engine[0] != st.rv:
            eng = Engine([from_dict(n) for n in st.list("Namespace")],
                         [from_dict(p) for p in st.list("Pod")],
                         [from_dict(p) for p in st.list("NetworkPolicy")],
                         [from_dict(s) for s in st.list("Service")])
            self._engine = (st.rv, eng)
        return self._engine[1]

    # -- exec / debug ------------------------------------------------------------------------------
    def _pod_for(self, ref: str, namespace: Optional[str]) -> dict:
        st = self._state
        ns = namespace or self.default_namespace
        kind, _, name = ref.rpartition("/")
        kind = kind_of(kind) if kind else "Pod"
        if kind == "Pod":
            pod = st.get("Pod", ns, name)
            if pod is None:
                raise NotFoundError("pods", name, ns)
            return pod
        owner = st.get(kind, ns, name)
        if owner is None:
            raise NotFoundError(resource_name(kind), name, ns)
        if kind == "Service":
            sel = owner["spec"].get("selector") or {}
            pods = [p for p in st.list("Pod", ns) if sel and all(
                (p["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items())]
        else:
            sel_ = LabelSelector.from_dict(owner["spec"]["selector"])
            pods = [p for p in st.list("Pod", ns) if sel_.matches(p["metadata"].get("labels") or {})]
        if not pods:
            raise NotFoundError("pods", f"{name}-*", ns)
        return pods[0]

    def _exec_id(self) -> str:
        """containerd's exec id: 64 hex digits, from the seed and an exec counter."""
        self._state.execs += 1
        return hashlib.sha256(f"{self._state.namer.seed}/exec/{self._state.execs}".encode()).hexdigest()

    def exec(self, pod: str, argv: Sequence[str], namespace: Optional[str] = None,
             container: Optional[str] = None, tty: bool = False, stdin: Optional[str] = None) -> ExecResult:
        """``kubectl exec [-i] POD -- argv`` (POD may be ``deploy/NAME``); no TTY unless ``tty``;
        ``stdin`` is what ``-i`` sends (``sh`` with no ``-c`` reads its script from it)."""
        p = self._pod_for(pod, namespace)
        containers = p["spec"]["containers"]
        note = ""
        if container is None:
            c = containers[0]
            if len(containers) > 1:
                note = (f'Defaulted container "{c["name"]}" out of: '
                        f'{", ".join(x["name"] for x in containers)}\n')
        else:
            c = next((x for x in containers if x["name"] == container), None)
            if c is None:
                return KubectlExecError("", f'error: unable to upgrade connection: container not found ("{container}")\n', 1)
        r = self._run(p, c["image"], c, argv, tty, stdin)
        return type(r)(r.stdout, note + r.stderr, r.exit_code)

    def debug(self, pod: str, image: str, argv: Sequence[str], namespace: Optional[str] = None,
              target: Optional[str] = None, stdin: Optional[str] = None) -> ExecResult:
        """``kubectl debug -q -i POD --image=IMAGE [--target=C] -- argv``: an ephemeral container
        in the pod's network namespace, so the pod's policies apply to what it does."""
        p = self._pod_for(pod, namespace)
        if target is not None and not any(c["name"] == target for c in p["spec"]["containers"]):
            return KubectlExecError("", f'error: container "{target}" not found in pod "{p["metadata"]["name"]}"\n', 1)
        with self._mutation() as st:
            live = st.get("Pod", p["metadata"]["namespace"], p["metadata"]["name"])
            cname = f"debugger-{st.namer.suffix()}"
            # Without a command the image's entrypoint runs with no stdin and ends at once.
            result = (self._run(live, image, {"name": cname, "image": image, "env": []}, argv, False, stdin)
                      if argv else ExecResult("", "", 0))
            now = st.now()
            live["spec"].setdefault("ephemeralContainers", []).append({
                "command": list(argv), "image": image, "imagePullPolicy": image_pull_policy(image), "name": cname,
                "resources": {}, "stdin": True, "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File", **({"targetContainerName": target} if target else {})})
            live["status"].setdefault("ephemeralContainerStatuses", []).append({
                "containerID": "containerd://" + st.namer.hex64("container"), "image": full_image(image),
                "imageID": "", "lastState": {}, "name": cname, "ready": False, "restartCount": 0,
                "state": {"terminated": {"exitCode": result.exit_code, "finishedAt": now,
                                         "reason": "Completed" if result.exit_code == 0 else "Error",
                                         "startedAt": now}}})
            st.put(live)
        return result

    def _run(self, pod: dict, image: str, container: dict, argv: Sequence[str], tty: bool,
             stdin: Optional[str] = None) -> ExecResult:
        net = PodNet(self, pod, container)
        ctx = ExecContext(toolbox_for(image), net, net.env, pod["metadata"]["name"], pod["metadata"]["namespace"],
                          self._exec_id(), tty, _hosts(pod), stdin or "")
        return run(argv, ctx)

    # -- helpers for the network --------------------------------------------------------------
    @property
    def state(self) -> Store:
        """The live state (read-only by convention; mutate only through the commands)."""
        return self._state


def _hosts(pod: dict) -> str:
    return ("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
            f"{pod['status'].get('podIP', '')}\t{pod['metadata']['name']}\n")
