"""The embedded cluster's state and its controllers (Deployment -> ReplicaSet -> Pods, ...).

:class:`Store` holds every object as the API server would return it (a dict),
plus the counters that make names, uids and addresses deterministic.  The
controllers run to a fixed point after each mutating command; pods are Running
and Ready at once, since the simulator has no scheduling or image-pull delay.

>>> st = Store.bootstrap("netpol", lambda: EPOCH)
>>> sorted(n for _, n in st.objects["Namespace"])
['default', 'kube-node-lease', 'kube-public', 'kube-system']
>>> sorted(p["status"]["podIP"] for p in st.list("Pod", "kube-system"))
['10.244.0.2', '10.244.0.3']
"""
from __future__ import annotations

import copy
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional

from ..api.defaults import NO_GENERATION_KINDS, default_object, full_image
from .naming import Namer, NodePortAllocator, PodIPAM, ServiceIPAM, template_hash
from .programs import assumption_for

__all__ = ["Store", "EPOCH", "NODE_NAME", "NODE_IP", "API_VERSIONS", "timestamp", "reconcile",
           "selector_matches", "endpoints_of", "endpoints_object", "node_object", "record_event",
           "endpoint_slice_object", "NODE_CAPACITY"]

#: The default clock starts at the lab's own first curl (Date: Tue, 23 Nov 2021 12:50:44 GMT).
EPOCH = datetime(2021, 11, 23, 12, 50, 44, tzinfo=timezone.utc)
#: How long before the first command the cluster came up: kube-system is minutes
#: old when a learner starts, as after `make cluster` and opening a notebook.
BOOT_AGE = timedelta(minutes=4, seconds=12)
NODE_NAME = "kind-control-plane"
NODE_IP = "172.18.0.2"
API_VERSIONS = {"Deployment": "apps/v1", "ReplicaSet": "apps/v1", "StatefulSet": "apps/v1",
                "DaemonSet": "apps/v1", "NetworkPolicy": "networking.k8s.io/v1"}
HASH_LABEL = "pod-template-hash"
_TOLERATIONS = [
    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
]


def timestamp(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def selector_matches(sel: dict, labels: dict) -> bool:
    """A metav1.LabelSelector dict against labels (through objects.Requirement.test)."""
    from ..policy.objects import LabelSelector
    return LabelSelector.from_dict(sel).matches(labels)


@dataclass
class Store:
    """Everything the API server and the controllers remember."""

    objects: dict[str, dict[tuple[str, str], dict]]
    namer: Namer
    pod_ipam: PodIPAM
    clock: Callable[[], datetime]
    rv: int = 1000
    execs: int = 0
    round_robin: dict[str, int] = field(default_factory=dict)
    # Events sit beside the objects, not in them: recording one draws no name from
    # the namer and bumps no resourceVersion, so they change no generated name,
    # address or version a learner already sees.
    events: list[dict] = field(default_factory=list)

    # -- basic access -------------------------------------------------------------
    def get(self, kind: str, ns: str, name: str) -> Optional[dict]:
        return self.objects.setdefault(kind, {}).get((ns, name))

    def list(self, kind: str, ns: Optional[str] = None) -> list[dict]:
        items = self.objects.setdefault(kind, {})
        return [items[k] for k in sorted(items) if ns is None or k[0] == ns]

    def put(self, obj: dict) -> dict:
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)
        md = obj["metadata"]
        self.objects.setdefault(obj["kind"], {})[(md.get("namespace", ""), md["name"])] = obj
        return obj

    def remove(self, kind: str, ns: str, name: str) -> Optional[dict]:
        self.rv += 1
        return self.objects.setdefault(kind, {}).pop((ns, name), None)

    def now(self) -> str:
        return timestamp(self.clock())

    def new_meta(self, kind: str, name: str, ns: Optional[str], labels: Optional[dict] = None) -> dict:
        md: dict[str, Any] = {"creationTimestamp": self.now(), "name": name}
        if ns is not None:
            md["namespace"] = ns
        if labels:
            md["labels"] = dict(labels)
        md["uid"] = self.namer.uid()
        if kind not in NO_GENERATION_KINDS and kind != "Pod":
            md["generation"] = 1
        return md

    def used_pod_ips(self) -> list[str]:
        return [p["status"].get("podIP", "") for p in self.list("Pod")]

    def used_cluster_ips(self) -> list[str]:
        return ["10.96.0.1", "10.96.0.10"] + [s["spec"].get("clusterIP", "") for s in self.list("Service")]

    def allocate_cluster_ip(self) -> str:
        return ServiceIPAM(self.namer).allocate(self.used_cluster_ips())

    def allocate_node_port(self) -> int:
        used = [p.get("nodePort") for s in self.list("Service") for p in s["spec"].get("ports", ())]
        return NodePortAllocator(self.namer).allocate(u for u in used if u)

    # -- bootstrap -------------------------------------------------------------------
    @classmethod
    def bootstrap(cls, seed: str, clock: Callable[[], datetime]) -> "Store":
        st = cls({}, Namer(seed), PodIPAM(), lambda: clock() - BOOT_AGE)
        for ns in ("default", "kube-node-lease", "kube-public", "kube-system"):
            st.put(default_object({"apiVersion": "v1", "kind": "Namespace",
                                   "metadata": st.new_meta("Namespace", ns, None,
                                                           {"kubernetes.io/metadata.name": ns})}))
        st.put(_system_service(st, "default", "kubernetes", "10.96.0.1",
                               {"component": "apiserver", "provider": "kubernetes"}, None,
                               [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]))
        st.put(_system_service(st, "kube-system", "kube-dns", "10.96.0.10",
                               {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true",
                                "kubernetes.io/name": "CoreDNS"}, {"k8s-app": "kube-dns"},
                               [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}],
                               {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}))
        dep = default_object(_COREDNS)
        dep["metadata"] = {**st.new_meta("Deployment", "coredns", "kube-system", {"k8s-app": "kube-dns"}),
                           "annotations": {"deployment.kubernetes.io/revision": "1"}}
        st.put(dep)
        reconcile(st)
        # kind's local-path-provisioner takes the next address; learners' pods start at .5.
        st.pod_ipam.last = int(st.pod_ipam.net.network_address) + 4
        st.clock = clock
        return st

    def snapshot(self) -> "Store":
        clock, self.clock = self.clock, None  # type: ignore[assignment]
        # Events are never changed once recorded: the copy shares them (copying only
        # the list), so a snapshot costs what it did before they existed.
        events = self.events
        self.events = []
        try:
            copy_ = copy.deepcopy(self)
        finally:
            self.clock, self.events = clock, events
        copy_.clock = clock
        copy_.events = list(events)
        return copy_


def _system_service(st: Store, ns: str, name: str, ip: str, labels: dict, selector: Optional[dict],
                    ports: list, annotations: Optional[dict] = None) -> dict:
    spec: dict[str, Any] = {"clusterIP": ip, "clusterIPs": [ip], "ports": ports}
    if selector:
        spec["selector"] = selector
    svc = default_object({"apiVersion": "v1", "kind": "Service", "spec": spec})
    svc["metadata"] = st.new_meta("Service", name, ns, labels)
    if annotations:
        svc["metadata"]["annotations"] = annotations
    svc["status"] = {"loadBalancer": {}}
    return svc


_COREDNS = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "spec": {
        "replicas": 2, "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
        "template": {"metadata": {"labels": {"k8s-app": "kube-dns"}}, "spec": {
            "containers": [{
                "name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.1",
                "args": ["-conf", "/etc/coredns/Corefile"],
                "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                          {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                          {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
                "livenessProbe": {"httpGet": {"path": "/health", "port": 8080}, "initialDelaySeconds": 60,
                                  "timeoutSeconds": 5, "failureThreshold": 5},
                "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181}},
                "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                "volumeMounts": [{"mountPath": "/etc/coredns", "name": "config-volume", "readOnly": True}],
            }],
            "dnsPolicy": "Default", "nodeSelector": {"kubernetes.io/os": "linux"},
            "priorityClassName": "system-cluster-critical", "serviceAccountName": "coredns",
            "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                            {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}],
            "volumes": [{"name": "config-volume", "configMap": {
                "name": "coredns", "defaultMode": 420, "items": [{"key": "Corefile", "path": "Corefile"}]}}],
        }},
    },
}


# ---------------------------------------------------------------- pods

def _owner_ref(owner: dict) -> dict:
    return {"apiVersion": API_VERSIONS.get(owner["kind"], "v1"), "blockOwnerDeletion": True, "controller": True,
            "kind": owner["kind"], "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"]}


def controller_of(obj: dict) -> Optional[dict]:
    return next((r for r in obj["metadata"].get("ownerReferences", ()) if r.get("controller")), None)


def _pod_status(st: Store, pod: dict) -> dict:
    now = st.now()
    ip = st.pod_ipam.allocate(st.used_pod_ips())
    conds = [{"lastProbeTime": None, "lastTransitionTime": now, "status": "True", "type": t}
             for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")]
    statuses = [{
        "containerID": "containerd://" + st.namer.hex64("container"),
        "image": full_image(c["image"]),
        "imageID": full_image(c["image"]).rsplit(":", 1)[0].split("@")[0] + "@sha256:"
        + st.namer.hex64("digest"),
        "lastState": {}, "name": c["name"], "ready": True, "restartCount": 0, "started": True,
        "state": {"running": {"startedAt": now}},
    } for c in pod["spec"]["containers"]]
    return {"conditions": conds, "containerStatuses": statuses, "hostIP": NODE_IP, "hostIPs": [{"ip": NODE_IP}],
            "phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}], "qosClass": _qos(pod), "startTime": now}


def _qos(pod: dict) -> str:
    res = [c.get("resources") or {} for c in pod["spec"]["containers"]]
    if not any(r.get("requests") or r.get("limits") for r in res):
        return "BestEffort"
    if all(r.get("limits") and r.get("requests", r["limits"]) == r["limits"] for r in res):
        return "Guaranteed"
    return "Burstable"


def admit_pod(st: Store, pod: dict) -> dict:
    """What admission and the scheduler add to a new pod: service account, node, status."""
    spec = pod["spec"]
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("nodeName", NODE_NAME)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 2000000000 if spec.get("priorityClassName") == "system-cluster-critical" else 0)
    spec.setdefault("serviceAccountName", "default")
    spec["serviceAccount"] = spec["serviceAccountName"]
    spec["tolerations"] = list(spec.get("tolerations") or ()) + _TOLERATIONS
    vol = f"kube-api-access-{st.namer.suffix()}"
    spec["volumes"] = list(spec.get("volumes") or ()) + [{"name": vol, "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
        {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                    "path": "namespace"}]}}]}}]
    for c in spec["containers"]:
        c["volumeMounts"] = list(c.get("volumeMounts") or ()) + [
            {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": vol, "readOnly": True}]
    pod["status"] = _pod_status(st, pod)
    _pod_started_events(st, pod)
    return pod


def _new_pod(st: Store, owner: dict, template: dict, name: str, generated: bool, extra: dict) -> dict:
    ns = owner["metadata"]["namespace"]
    tmeta = template.get("metadata") or {}
    md = st.new_meta("Pod", name, ns, {**(tmeta.get("labels") or {}), **extra})
    if generated:
        md["generateName"] = name[: -5]
    if tmeta.get("annotations"):
        md["annotations"] = dict(tmeta["annotations"])
    md["ownerReferences"] = [_owner_ref(owner)]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": copy.deepcopy(template["spec"])}
    return st.put(admit_pod(st, pod))


def _owned(st: Store, owner: dict, kind: str) -> list[dict]:
    uid, ns = owner["metadata"]["uid"], owner["metadata"].get("namespace")
    if ns is None:  # cluster-scoped owners (Namespaces) own nothing through ownerReferences
        return []
    return [o for o in st.list(kind, ns) if (controller_of(o) or {}).get("uid") == uid]


def _newest_first(pods: list[dict]) -> list[dict]:
    return sorted(pods, key=lambda p: (p["metadata"]["creationTimestamp"], p["metadata"]["name"]), reverse=True)


def _release_mismatched(st: Store, owner: dict, pods: list[dict]) -> list[dict]:
    """Pods relabelled out of the owner's selector are orphaned (the owner replaces them)."""
    keep = []
    for p in pods:
        if selector_matches(owner["spec"]["selector"], p["metadata"].get("labels") or {}):
            keep.append(p)
        else:
            p["metadata"].pop("ownerReferences", None)
            st.put(p)
    return keep


# ---------------------------------------------------------------- controllers

def _adopt_orphans(st: Store, owner: dict, pods: list[dict]) -> list[dict]:
    """Pods without a controller that match the owner's selector become its own.

    The ReplicaSet controller claims them (pkg/controller/replicaset, claimPods ->
    ControllerRefManager.ClaimPods adopts orphans whose labels match), so a pod
    relabelled away and back counts again, and the surplus is then deleted.
    """
    ns = owner["metadata"]["namespace"]
    for p in st.list("Pod", ns):
        if controller_of(p) is None and selector_matches(owner["spec"]["selector"],
                                                         p["metadata"].get("labels") or {}):
            p["metadata"]["ownerReferences"] = [_owner_ref(owner)]
            st.put(p)
            pods.append(p)
    return pods


def _sync_replicaset(st: Store, rs: dict) -> None:
    pods = _adopt_orphans(st, rs, _release_mismatched(st, rs, _owned(st, rs, "Pod")))
    want = int(rs["spec"].get("replicas", 1))
    name = rs["metadata"]["name"]
    while len(pods) < want:
        pods.append(_new_pod(st, rs, rs["spec"]["template"], f"{name}-{st.namer.suffix()}", True, {}))
        record_event(st, rs, "SuccessfulCreate", f"Created pod: {pods[-1]['metadata']['name']}",
                     "replicaset-controller")
    for p in _newest_first(pods)[: max(0, len(pods) - want)]:
        st.remove("Pod", p["metadata"]["namespace"], p["metadata"]["name"])
        pod_stopped_events(st, p)
        record_event(st, rs, "SuccessfulDelete", f"Deleted pod: {p['metadata']['name']}",
                     "replicaset-controller")
    n = min(len(pods), want)
    status: dict[str, Any] = {"observedGeneration": rs["metadata"].get("generation", 1), "replicas": n}
    if n:
        status.update(availableReplicas=n, fullyLabeledReplicas=n, readyReplicas=n)
    _set_status(st, rs, status)


def _set_status(st: Store, obj: dict, status: dict) -> None:
    if obj.get("status") != status:
        obj["status"] = status
        st.put(obj)


def _sync_deployment(st: Store, dep: dict) -> None:
    ns, name = dep["metadata"]["namespace"], dep["metadata"]["name"]
    template = copy.deepcopy(dep["spec"]["template"])
    h = template_hash(template)
    rs_name = f"{name}-{h}"
    owned = _owned(st, dep, "ReplicaSet")
    revisions = [int((r["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision", "0"))
                 for r in owned]
    current = st.get("ReplicaSet", ns, rs_name)
    replicas = int(dep["spec"].get("replicas", 1))
    ann_dep = dep["metadata"].setdefault("annotations", {})
    if current is None:
        template["metadata"].setdefault("labels", {})[HASH_LABEL] = h
        sel = copy.deepcopy(dep["spec"]["selector"])
        sel.setdefault("matchLabels", {})[HASH_LABEL] = h
        rev = str(max(revisions, default=0) + 1)
        md = st.new_meta("ReplicaSet", rs_name, ns, {**(template["metadata"].get("labels") or {})})
        md["annotations"] = {"deployment.kubernetes.io/desired-replicas": str(replicas),
                             "deployment.kubernetes.io/max-replicas": str(replicas + _surge(dep, replicas)),
                             "deployment.kubernetes.io/revision": rev}
        md["ownerReferences"] = [_owner_ref(dep)]
        current = st.put({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": md,
                          "spec": {"replicas": replicas, "selector": sel, "template": template}})
        ann_dep["deployment.kubernetes.io/revision"] = rev
        st.put(dep)
        if replicas:
            # k8s.io/kubernetes pkg/controller/deployment/sync.go (1.27+): getNewReplicaSet.
            record_event(st, dep, "ScalingReplicaSet", f"Scaled up replica set {rs_name} from 0 to {replicas}",
                         "deployment-controller")
    elif current["spec"]["replicas"] != replicas:
        # sync.go scaleReplicaSet: "Scaled %s replica set %s to %d from %d".
        word = "up" if replicas > current["spec"]["replicas"] else "down"
        record_event(st, dep, "ScalingReplicaSet",
                     f"Scaled {word} replica set {rs_name} to {replicas} from {current['spec']['replicas']}",
                     "deployment-controller")
        current["spec"]["replicas"] = replicas
        current["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] = str(replicas)
        current["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] = str(
            replicas + _surge(dep, replicas))
        current["metadata"]["generation"] += 1
        st.put(current)
    # The simulator rolls out at once: old ReplicaSets go to 0 and are kept as history.
    old = [r for r in owned if r["metadata"]["name"] != rs_name]
    for r in old:
        if r["spec"]["replicas"]:
            record_event(st, dep, "ScalingReplicaSet", f"Scaled down replica set {r['metadata']['name']} "
                         f"to 0 from {r['spec']['replicas']}", "deployment-controller")
            r["spec"]["replicas"] = 0
            r["metadata"]["generation"] += 1
            st.put(r)
    limit = int(dep["spec"].get("revisionHistoryLimit", 10))
    by_rev = sorted(old, key=lambda r: int(r["metadata"]["annotations"]["deployment.kubernetes.io/revision"]))
    for r in by_rev[: max(0, len(old) - limit)]:
        _delete_tree(st, r)
    for r in [current] + old:
        if st.get("ReplicaSet", ns, r["metadata"]["name"]) is not None:
            _sync_replicaset(st, r)
    _deployment_status(st, dep, current)


def _surge(dep: dict, replicas: int) -> int:
    ru = (dep["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    s = ru.get("maxSurge", "25%")
    if isinstance(s, str) and s.endswith("%"):
        return -(-replicas * int(s[:-1]) // 100)
    return int(s)


def _condition(old: list, type_: str, reason: str, message: str, now: str) -> dict:
    prev = next((c for c in old if c["type"] == type_), None)
    if prev and prev["reason"] == reason and prev["message"] == message:
        return prev
    trans = prev["lastTransitionTime"] if prev and prev["status"] == "True" else now
    return {"lastTransitionTime": trans, "lastUpdateTime": now, "message": message, "reason": reason,
            "status": "True", "type": type_}


def _deployment_status(st: Store, dep: dict, current: dict) -> None:
    ready = (current.get("status") or {}).get("readyReplicas", 0)
    old = (dep.get("status") or {}).get("conditions", [])
    now = st.now()
    conds = [_condition(old, "Available", "MinimumReplicasAvailable", "Deployment has minimum availability.", now),
             _condition(old, "Progressing", "NewReplicaSetAvailable",
                        f'ReplicaSet "{current["metadata"]["name"]}" has successfully progressed.', now)]
    status: dict[str, Any] = {"conditions": conds, "observedGeneration": dep["metadata"].get("generation", 1)}
    if ready:
        status.update(availableReplicas=ready, readyReplicas=ready, replicas=ready, updatedReplicas=ready)
    _set_status(st, dep, status)


def _sync_statefulset(st: Store, sts: dict) -> None:
    ns, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
    template = copy.deepcopy(sts["spec"]["template"])
    revision = f"{name}-{template_hash(template)}"
    want = int(sts["spec"].get("replicas", 1))
    pods = {p["metadata"]["name"]: p for p in _release_mismatched(st, sts, _owned(st, sts, "Pod"))}
    for i in range(want):
        pname = f"{name}-{i}"
        p = pods.pop(pname, None)
        if p is not None and (p["metadata"].get("labels") or {}).get("controller-revision-hash") == revision:
            continue
        if p is not None:  # RollingUpdate: replace the pod with the new template, same name
            st.remove("Pod", ns, pname)
        tmpl = copy.deepcopy(template)
        tmpl["spec"]["hostname"] = pname
        if sts["spec"].get("serviceName"):
            tmpl["spec"]["subdomain"] = sts["spec"]["serviceName"]
        _new_pod(st, sts, tmpl, pname, False, {"apps.kubernetes.io/pod-index": str(i),
                                               "controller-revision-hash": revision,
                                               "statefulset.kubernetes.io/pod-name": pname})
    for p in pods.values():  # scaled down
        st.remove("Pod", ns, p["metadata"]["name"])
    status: dict[str, Any] = {"availableReplicas": want, "collisionCount": 0, "currentReplicas": want,
                              "currentRevision": revision, "observedGeneration": sts["metadata"]["generation"],
                              "readyReplicas": want, "replicas": want, "updateRevision": revision,
                              "updatedReplicas": want}
    _set_status(st, sts, {k: v for k, v in status.items() if v != 0 or k == "collisionCount"})


def _sync_daemonset(st: Store, ds: dict) -> None:
    name = ds["metadata"]["name"]
    template = copy.deepcopy(ds["spec"]["template"])
    h = template_hash(template)
    gen = str(ds["metadata"]["generation"])
    pods = _release_mismatched(st, ds, _owned(st, ds, "Pod"))
    for p in pods:
        if (p["metadata"].get("labels") or {}).get("controller-revision-hash") != h:
            st.remove("Pod", p["metadata"]["namespace"], p["metadata"]["name"])
    if not any((p["metadata"].get("labels") or {}).get("controller-revision-hash") == h for p in pods):
        _new_pod(st, ds, template, f"{name}-{st.namer.suffix()}", True,
                 {"controller-revision-hash": h, "pod-template-generation": gen})
    _set_status(st, ds, {"currentNumberScheduled": 1, "desiredNumberScheduled": 1, "numberAvailable": 1,
                         "numberMisscheduled": 0, "numberReady": 1,
                         "observedGeneration": ds["metadata"]["generation"], "updatedNumberScheduled": 1})


def _delete_tree(st: Store, obj: dict) -> None:
    """Delete an object and, through ownerReferences, everything it owns (foreground)."""
    for kind in ("ReplicaSet", "Pod"):
        for child in _owned(st, obj, kind):
            _delete_tree(st, child)
    st.remove(obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
    if obj["kind"] == "Pod":
        pod_stopped_events(st, obj)


def collect_garbage(st: Store) -> None:
    uids = {o["metadata"]["uid"] for kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")
            for o in st.list(kind)}
    for kind in ("ReplicaSet", "Pod"):
        for o in st.list(kind):
            ref = controller_of(o)
            if ref is not None and ref["uid"] not in uids:
                _delete_tree(st, o)


def delete_tree(st: Store, obj: dict) -> None:
    _delete_tree(st, obj)
    reconcile(st)


def reconcile(st: Store) -> None:
    """Run every controller until nothing changes (two passes settle any chain)."""
    for _ in range(3):
        before = st.rv
        collect_garbage(st)
        for dep in st.list("Deployment"):
            _sync_deployment(st, dep)
        for rs in st.list("ReplicaSet"):
            if (controller_of(rs) or {}).get("kind") != "Deployment":
                _sync_replicaset(st, rs)
        for sts in st.list("StatefulSet"):
            _sync_statefulset(st, sts)
        for ds in st.list("DaemonSet"):
            _sync_daemonset(st, ds)
        if st.rv == before:
            return


# ---------------------------------------------------------------- read-only views

def endpoints_of(st: Store, svc: dict) -> list[tuple[dict, list[dict]]]:
    """Ready pods a Service selects, each with its resolved ports [{name, port, protocol}]."""
    sel = svc["spec"].get("selector")
    if not sel:
        return []
    out = []
    ns = svc["metadata"]["namespace"]
    for pod in st.list("Pod", ns):
        labels = pod["metadata"].get("labels") or {}
        if not all(labels.get(k) == v for k, v in sel.items()) or pod["status"].get("phase") != "Running":
            continue
        ports = []
        for sp in svc["spec"].get("ports", ()):
            tp = sp.get("targetPort", sp["port"])
            if isinstance(tp, str):
                tp = next((p["containerPort"] for c in pod["spec"]["containers"] for p in c.get("ports", ())
                           if p.get("name") == tp and p.get("protocol", "TCP") == sp.get("protocol", "TCP")), None)
            if tp is not None:
                ports.append({**({"name": sp["name"]} if sp.get("name") else {}), "port": tp,
                              "protocol": sp.get("protocol", "TCP")})
        out.append((pod, ports))
    return out


def endpoints_object(st: Store, svc: dict) -> Optional[dict]:
    """The Endpoints object the endpoints controller keeps for a Service."""
    md = svc["metadata"]
    ns, name = md["namespace"], md["name"]
    if ns == "default" and name == "kubernetes":
        subsets = [{"addresses": [{"ip": NODE_IP}],
                    "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]
    elif not svc["spec"].get("selector"):
        return None
    else:
        eps = endpoints_of(st, svc)
        subsets = []
        if eps:
            addresses = [{"ip": p["status"]["podIP"], "nodeName": NODE_NAME,
                          "targetRef": {"kind": "Pod", "name": p["metadata"]["name"], "namespace": ns,
                                        "uid": p["metadata"]["uid"]}}
                         for p, _ in sorted(eps, key=lambda e: e[0]["status"]["podIP"])]
            subsets = [{"addresses": addresses, "ports": eps[0][1]}]
    labels = dict(md.get("labels") or {})
    if ns != "default" or name != "kubernetes":
        labels["endpoints.kubernetes.io/managed-by"] = "endpoint-controller"
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {
        "creationTimestamp": md["creationTimestamp"], "name": name, "namespace": ns,
        # Its own uid, derived from the Service's so that reads stay deterministic.
        "resourceVersion": md["resourceVersion"], "uid": md["uid"][:-12] + md["uid"][-12:][::-1]}}
    if labels:
        obj["metadata"]["labels"] = labels
    if subsets:
        obj["subsets"] = subsets
    return obj


#: What the node reports about its machine: a 4-CPU, 16 GiB runner (GitHub's ubuntu-latest),
#: where kind's node container sees the host's resources.
NODE_CAPACITY = {"cpu": "4", "ephemeral-storage": "76329604Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                 "memory": "16365512Ki", "pods": "110"}


def _node_conditions(created: str, now: str) -> list[dict]:
    """The kubelet's four node conditions (pkg/kubelet/nodestatus/setters.go wordings)."""
    rows = [("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            ("Ready", "True", "KubeletReady", "kubelet is posting ready status")]
    return [{"lastHeartbeatTime": now, "lastTransitionTime": created, "message": m, "reason": r, "status": st_,
             "type": t} for t, st_, r, m in rows]


def node_object(st: Store) -> dict:
    ns = st.get("Namespace", "", "default")
    created = ns["metadata"]["creationTimestamp"] if ns else st.now()
    ids = hashlib.sha256(f"{st.namer.seed}/node".encode()).hexdigest()
    return {"apiVersion": "v1", "kind": "Node", "metadata": {
        "annotations": {"kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                        "node.alpha.kubernetes.io/ttl": "0",
                        "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
        "creationTimestamp": created, "name": NODE_NAME, "resourceVersion": str(st.rv),
        "labels": {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                   "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": NODE_NAME,
                   "kubernetes.io/os": "linux", "node-role.kubernetes.io/control-plane": ""}},
        "spec": {"podCIDR": "10.244.0.0/24", "podCIDRs": ["10.244.0.0/24"],
                 "providerID": f"kind://docker/kind/{NODE_NAME}"},
        "status": {"addresses": [{"address": NODE_IP, "type": "InternalIP"},
                                 {"address": NODE_NAME, "type": "Hostname"}],
                   "allocatable": dict(NODE_CAPACITY), "capacity": dict(NODE_CAPACITY),
                   "conditions": _node_conditions(created, st.now()),
                   "nodeInfo": {"architecture": "amd64", "bootID": str(uuid.UUID(ids[:32])),
                                "machineID": ids[32:64], "systemUUID": str(uuid.UUID(ids[:32][::-1])),
                                "containerRuntimeVersion": "containerd://1.7.18",
                                "kernelVersion": "6.5.0-1025-azure", "kubeProxyVersion": "v1.31.0",
                                "kubeletVersion": "v1.31.0", "operatingSystem": "linux",
                                "osImage": "Debian GNU/Linux 12 (bookworm)"}}}


# ---------------------------------------------------------------- events and logs

def record_event(st: Store, obj: dict, reason: str, message: str, component: str,
                 type_: str = "Normal", field_path: str = "") -> dict:
    """Remember a core/v1 Event about ``obj`` (what ``kubectl get events`` and ``describe`` show).

    Its name is the object's name plus 16 hex digits, as client-go's recorder
    makes them; the digits come from a hash, not the namer (see :class:`Store`).

    >>> st = Store.bootstrap("netpol", lambda: EPOCH)
    >>> pod = st.list("Pod", "kube-system")[0]
    >>> ev = record_event(st, pod, "Killing", "Stopping container coredns", "kubelet")
    >>> ev["involvedObject"]["kind"], ev["source"], ev["count"]
    ('Pod', {'component': 'kubelet', 'host': 'kind-control-plane'}, 1)
    """
    md = obj["metadata"]
    now = st.now()
    digest = hashlib.sha256(f"{md.get('uid')}/{reason}/{len(st.events)}".encode()).hexdigest()
    involved = {"apiVersion": obj.get("apiVersion") or API_VERSIONS.get(obj["kind"], "v1"), "kind": obj["kind"],
                "name": md["name"], "namespace": md.get("namespace", ""), "uid": md.get("uid", "")}
    if field_path:
        involved["fieldPath"] = field_path
    source = {"component": component}
    if component == "kubelet":
        source["host"] = NODE_NAME
    event = {"apiVersion": "v1", "count": 1, "eventTime": None, "firstTimestamp": now,
             "involvedObject": involved, "kind": "Event", "lastTimestamp": now, "message": message,
             "metadata": {"creationTimestamp": now, "name": f"{md['name']}.{digest[:16]}",
                          "namespace": md.get("namespace") or "default",
                          "resourceVersion": str(st.rv), "uid": str(uuid.UUID(digest[16:48]))},
             "reason": reason, "reportingComponent": component,
             "reportingInstance": NODE_NAME if component == "kubelet" else "", "source": source,
             "type": type_}
    st.events.append(event)
    return event


def _pod_started_events(st: Store, pod: dict) -> None:
    """What the scheduler and the kubelet report for a new pod (kubelet 1.31 wording).

    Images count as already on the node (``kind load docker-image``), so there is
    no pull, whose duration and size a simulator could only make up.
    """
    md = pod["metadata"]
    record_event(st, pod, "Scheduled", f"Successfully assigned {md['namespace']}/{md['name']} to {NODE_NAME}",
                 "default-scheduler")
    for c in pod["spec"]["containers"]:
        where = f"spec.containers{{{c['name']}}}"
        # pkg/kubelet/images/image_manager.go and pkg/kubelet/kuberuntime/kuberuntime_container.go (v1.31).
        record_event(st, pod, "Pulled", f'Container image "{c["image"]}" already present on machine',
                     "kubelet", field_path=where)
        record_event(st, pod, "Created", f"Created container {c['name']}", "kubelet", field_path=where)
        record_event(st, pod, "Started", f"Started container {c['name']}", "kubelet", field_path=where)
        assumed = assumption_for(c["image"])
        if assumed:
            # Not an event a real cluster sends: the embedded cluster's own word (component
            # "netpol-kernel") on what it assumes of an image it does not model.
            record_event(st, pod, "Assumed", assumed[0].upper() + assumed[1:], "netpol-kernel", field_path=where)


def pod_stopped_events(st: Store, pod: dict) -> None:
    """The kubelet's ``Killing`` event for each container of a deleted pod."""
    for c in pod["spec"]["containers"]:
        record_event(st, pod, "Killing", f"Stopping container {c['name']}", "kubelet",
                     field_path=f"spec.containers{{{c['name']}}}")


def endpoint_slice_object(st: Store, svc: dict) -> Optional[dict]:
    """The discovery.k8s.io/v1 EndpointSlice the endpointslice controller keeps for a Service.

    Derived from the Endpoints: same addresses and ports, named ``<service>-<5 chars>``
    (the API server's generateName); the suffix is a hash, so reads stay deterministic.
    """
    ep = endpoints_object(st, svc)
    if ep is None:
        return None
    md = svc["metadata"]
    subsets = ep.get("subsets") or []
    ports = [dict(p) for p in (subsets[0].get("ports") if subsets else None) or []] or None
    endpoints = [{"addresses": [a["ip"]], "conditions": {"ready": True, "serving": True, "terminating": False},
                  **({"nodeName": a["nodeName"]} if a.get("nodeName") else {}),
                  **({"targetRef": a["targetRef"]} if a.get("targetRef") else {})}
                 for s in subsets for a in s.get("addresses") or []]
    digest = hashlib.sha256(f"{md['uid']}/endpointslice".encode()).digest()
    suffix = "".join("bcdfghjklmnpqrstvwxz2456789"[b % 27] for b in digest[:5])
    name = md["name"] if md["namespace"] == "default" and md["name"] == "kubernetes" else f"{md['name']}-{suffix}"
    labels = {"kubernetes.io/service-name": md["name"]}
    if name != md["name"]:
        labels["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io"
    return {"addressType": "IPv4", "apiVersion": "discovery.k8s.io/v1", "endpoints": endpoints or None,
            "kind": "EndpointSlice",
            "metadata": {"creationTimestamp": md["creationTimestamp"], "generateName": f"{md['name']}-",
                         "labels": labels, "name": name, "namespace": md["namespace"],
                         "resourceVersion": md["resourceVersion"], "uid": str(uuid.UUID(bytes=digest[:16]))},
            "ports": ports}
