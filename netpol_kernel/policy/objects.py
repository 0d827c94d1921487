"""Typed, immutable views of the Kubernetes objects the course uses.

Objects are built from already-validated manifest dicts by :func:`from_dict`;
they never hold a mutable dict, so a snapshot of a cluster can be shared freely.

>>> pol = from_dict({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
...     "metadata": {"name": "deny"}, "spec": {"podSelector": {"matchLabels": {"app": "backend"}}}})
>>> pol.policy_types, str(pol.pod_selector), pol.namespace
(('Ingress',), 'app=backend', 'default')
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator, Mapping, Optional, Union

__all__ = [
    "Labels", "Requirement", "LabelSelector", "Namespace", "ContainerPort", "EnvVar",
    "Container", "Pod", "Workload", "ServicePort", "Service", "IPBlock", "Peer",
    "PolicyPort", "Rule", "NetworkPolicy", "Secret", "ConfigMap", "KubeObject",
    "from_dict", "PROTOCOLS", "WORKLOAD_KINDS", "DEFAULT_NAMESPACE",
]

PROTOCOLS = ("TCP", "UDP", "SCTP")
WORKLOAD_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")
DEFAULT_NAMESPACE = "default"
NS_NAME_LABEL = "kubernetes.io/metadata.name"


class Labels(Mapping[str, str]):
    """A hashable, read-only label map (sorted, so equal maps hash equally).

    >>> Labels({"b": "2", "a": "1"})
    Labels({'a': '1', 'b': '2'})
    >>> str(Labels({"app": "web", "tier": "fe"}))
    'app=web,tier=fe'
    """

    __slots__ = ("_items", "_dict")

    def __init__(self, data: Mapping[str, Any] | None = None):
        items = tuple(sorted((str(k), str(v)) for k, v in (data or {}).items()))
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_dict", dict(items))

    def __setattr__(self, *_: Any) -> None:
        raise AttributeError("Labels are immutable")

    def __getitem__(self, key: str) -> str:
        return self._dict[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Labels):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._dict == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Labels({self._dict!r})"

    def __str__(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self._items)

    def with_(self, **extra: str) -> "Labels":
        return Labels({**self._dict, **extra})

    def merged(self, other: Mapping[str, str]) -> "Labels":
        return Labels({**self._dict, **dict(other)})


# ---------------------------------------------------------------- selectors

@dataclass(frozen=True)
class Requirement:
    """One label requirement; ``test`` is the only place operator semantics live.

    >>> Requirement("tier", "NotIn", frozenset({"db"})).test(None)
    True
    """

    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist
    values: frozenset = frozenset()

    def test(self, value: Optional[str]) -> bool:
        """Does a label value (None = label absent) satisfy this requirement?"""
        op = self.operator
        if op == "In":
            return value is not None and value in self.values
        if op == "NotIn":
            # As in k8s.io/apimachinery/pkg/labels: an absent key satisfies NotIn.
            return value is None or value not in self.values
        if op == "Exists":
            return value is not None
        if op == "DoesNotExist":
            return value is None
        raise ValueError(f"unknown selector operator {op!r}")

    def __str__(self) -> str:
        vals = ",".join(sorted(self.values))
        return {"In": f"{self.key} in ({vals})", "NotIn": f"{self.key} notin ({vals})",
                "Exists": self.key, "DoesNotExist": f"!{self.key}"}[self.operator]


@dataclass(frozen=True)
class LabelSelector:
    """A metav1.LabelSelector; the empty selector matches everything.

    >>> s = LabelSelector.from_dict({"matchLabels": {"app": "db"},
    ...     "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}]})
    >>> s.matches({"app": "db"}), s.matches({"app": "db", "env": "dev"}), str(s)
    (True, False, 'app=db,env notin (dev)')
    """

    match_labels: Labels = field(default_factory=Labels)
    match_expressions: tuple[Requirement, ...] = ()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> "LabelSelector":
        d = d or {}
        exprs = tuple(
            Requirement(str(e["key"]), str(e["operator"]), frozenset(map(str, e.get("values") or ())))
            for e in (d.get("matchExpressions") or ())
        )
        return cls(Labels(d.get("matchLabels") or {}), exprs)

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        """matchLabels as In-requirements followed by matchExpressions, all ANDed."""
        ml = tuple(Requirement(k, "In", frozenset((v,))) for k, v in self.match_labels.items())
        return ml + self.match_expressions

    @property
    def is_empty(self) -> bool:
        return not self.match_labels and not self.match_expressions

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(r.test(labels.get(r.key)) for r in self.requirements)

    def __str__(self) -> str:
        # metav1.FormatLabelSelector: requirements sorted by key, "<none>" when empty.
        if self.is_empty:
            return "<none>"
        reqs = sorted(self.requirements, key=lambda r: r.key)
        return ",".join(f"{r.key}={next(iter(r.values))}" if r.operator == "In" and
                        len(r.values) == 1 and r.key in self.match_labels and
                        self.match_labels[r.key] in r.values else str(r) for r in reqs)

    def to_dict(self) -> dict:
        out: dict = {}
        if self.match_labels:
            out["matchLabels"] = dict(self.match_labels)
        if self.match_expressions:
            out["matchExpressions"] = [
                {"key": r.key, "operator": r.operator, **({"values": sorted(r.values)}
                                                           if r.values else {})}
                for r in self.match_expressions]
        return out


# ---------------------------------------------------------------- core objects

@dataclass(frozen=True)
class Namespace:
    name: str
    labels: Labels = field(default_factory=Labels)
    kind = "Namespace"

    @property
    def namespace(self) -> None:
        return None

    @property
    def effective_labels(self) -> Labels:
        """Labels including the immutable kubernetes.io/metadata.name the API server adds."""
        return self.labels.with_(**{NS_NAME_LABEL: self.name})


@dataclass(frozen=True)
class ContainerPort:
    container_port: int
    name: Optional[str] = None
    protocol: str = "TCP"


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: Optional[str] = None
    secret_ref: Optional[tuple[str, str]] = None  # (secret name, key)


@dataclass(frozen=True)
class Container:
    name: str
    image: str
    ports: tuple[ContainerPort, ...] = ()
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    env: tuple[EnvVar, ...] = ()

    def env_value(self, name: str) -> Optional[str]:
        for e in self.env:
            if e.name == name:
                return e.value
        return None


@dataclass(frozen=True)
class Pod:
    """A pod (or, offline, a workload's pod template standing for its replicas)."""

    name: str
    namespace: str
    labels: Labels = field(default_factory=Labels)
    containers: tuple[Container, ...] = ()
    ip: Optional[str] = None
    owner: Optional[str] = None  # "Deployment/frontend" when it stands for a workload
    host_network: bool = False
    kind = "Pod"

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def ports(self) -> tuple[ContainerPort, ...]:
        return tuple(p for c in self.containers for p in c.ports)

    def named_port(self, name: str, protocol: str = "TCP") -> Optional[int]:
        """The container port a NetworkPolicy or Service port *name* resolves to here."""
        for p in self.ports:
            if p.name == name and p.protocol == protocol:
                return p.container_port
        return None

    @property
    def named_ports(self) -> tuple[tuple[str, str, int], ...]:
        return tuple(sorted((p.name, p.protocol, p.container_port) for p in self.ports if p.name))


@dataclass(frozen=True)
class Workload:
    kind: str  # Deployment, ReplicaSet, StatefulSet, DaemonSet
    name: str
    namespace: str
    labels: Labels
    selector: LabelSelector
    template_labels: Labels
    containers: tuple[Container, ...]
    replicas: int = 1
    host_network: bool = False

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class ServicePort:
    port: int
    target_port: Union[int, str]
    protocol: str = "TCP"
    name: Optional[str] = None
    node_port: Optional[int] = None


@dataclass(frozen=True)
class Service:
    name: str
    namespace: str
    labels: Labels = field(default_factory=Labels)
    selector: Optional[Labels] = None  # None: no selector, endpoints managed by hand
    ports: tuple[ServicePort, ...] = ()
    cluster_ip: Optional[str] = None
    type: str = "ClusterIP"
    kind = "Service"

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def port_named(self, port: Union[int, str], protocol: Optional[str] = None) -> Optional[ServicePort]:
        for sp in self.ports:
            if (sp.port == port or (sp.name is not None and sp.name == port)) and \
                    (protocol is None or sp.protocol == protocol):
                return sp
        return None

    def selects(self, pod: Pod) -> bool:
        # A Service selector is a plain equality map; an empty one selects nothing.
        return bool(self.selector) and pod.namespace == self.namespace and \
            all(pod.labels.get(k) == v for k, v in self.selector.items())

    def target_port_on(self, sp: ServicePort, pod: Pod) -> Optional[int]:
        """Where kube-proxy delivers ``sp`` on endpoint ``pod`` (None: a name the pod lacks)."""
        if isinstance(sp.target_port, int):
            return sp.target_port
        return pod.named_port(sp.target_port, sp.protocol)


@dataclass(frozen=True)
class Secret:
    name: str
    namespace: str
    data: Labels = field(default_factory=Labels)  # decoded values
    kind = "Secret"


@dataclass(frozen=True)
class ConfigMap:
    name: str
    namespace: str
    data: Labels = field(default_factory=Labels)
    kind = "ConfigMap"


# ---------------------------------------------------------------- network policy

@dataclass(frozen=True)
class IPBlock:
    """``cidr`` minus each ``except``; matches an address, not a selector.

    >>> IPBlock("10.0.0.0/16", ("10.0.1.0/24",)).contains("10.0.1.7")
    False
    """

    cidr: str
    except_: tuple[str, ...] = ()

    @cached_property
    def intervals(self) -> tuple[int, tuple[int, int], tuple[tuple[int, int], ...]]:
        """(IP version, cidr as an inclusive integer range, except ranges): the one
        definition of what the block contains, used per address and over all pods at once."""
        def span(text: str) -> tuple[int, int]:
            net = ipaddress.ip_network(text, strict=False)
            return int(net.network_address), int(net.broadcast_address)
        version = ipaddress.ip_network(self.cidr, strict=False).version
        excepts = tuple(span(e) for e in self.except_
                        if ipaddress.ip_network(e, strict=False).version == version)
        return version, span(self.cidr), excepts

    def contains(self, ip: Optional[str]) -> bool:
        if not ip:
            return False
        addr = ipaddress.ip_address(ip)
        version, (lo, hi), excepts = self.intervals
        n = int(addr)
        return addr.version == version and lo <= n <= hi and not any(a <= n <= b for a, b in excepts)

    def __str__(self) -> str:
        return self.cidr + (f" except {', '.join(self.except_)}" if self.except_ else "")


@dataclass(frozen=True)
class Peer:
    """One entry of ``from``/``to``.  The case table (networking/v1 NetworkPolicyPeer):

    ============ ================= =========================================
    podSelector  namespaceSelector  selects
    ============ ================= =========================================
    set          absent             matching pods in the policy's namespace
    absent       set                all pods in matching namespaces
    set          set                matching pods in matching namespaces (AND)
    ipBlock      (alone)            addresses in cidr minus except
    ============ ================= =========================================
    An empty selector ``{}`` is *set* and matches everything.
    """

    pod_selector: Optional[LabelSelector] = None
    namespace_selector: Optional[LabelSelector] = None
    ip_block: Optional[IPBlock] = None

    def __str__(self) -> str:
        if self.ip_block is not None:
            return f"IPBlock: {self.ip_block}"
        parts = []
        if self.namespace_selector is not None:
            parts.append(f"NamespaceSelector: {self.namespace_selector}")
        if self.pod_selector is not None:
            parts.append(f"PodSelector: {self.pod_selector}")
        return " AND ".join(parts)


@dataclass(frozen=True)
class PolicyPort:
    """A port entry; ``port`` None means every port of ``protocol``.

    >>> PolicyPort("TCP", 32000, 32768).ranges_on(None)
    ((32000, 32768),)
    """

    protocol: str = "TCP"
    port: Union[int, str, None] = None
    end_port: Optional[int] = None

    def ranges_on(self, dst: Optional[Pod]) -> tuple[tuple[int, int], ...]:
        """The inclusive port ranges of ``protocol`` this entry admits towards ``dst``.

        A named port resolves against the destination pod's container ports (for
        ingress and egress alike); a pod without that name admits nothing.
        """
        if self.port is None:
            return ((1, 65535),)
        if isinstance(self.port, str):
            n = dst.named_port(self.port, self.protocol) if dst is not None else None
            return ((n, n),) if n is not None else ()
        return ((self.port, self.end_port if self.end_port is not None else self.port),)

    def admits(self, port: int, protocol: str, dst: Optional[Pod]) -> bool:
        return protocol == self.protocol and any(lo <= port <= hi for lo, hi in self.ranges_on(dst))

    def __str__(self) -> str:
        if self.port is None:
            return f"<any>/{self.protocol}"
        if self.end_port is not None:
            return f"{self.port}-{self.end_port}/{self.protocol}"
        return f"{self.port}/{self.protocol}"


@dataclass(frozen=True)
class Rule:
    """An ingress or egress rule: peers OR-ed, ports OR-ed, peers AND ports.

    An empty ``peers`` tuple means every source/destination; empty ``ports`` every port.
    """

    peers: tuple[Peer, ...] = ()
    ports: tuple[PolicyPort, ...] = ()


@dataclass(frozen=True)
class NetworkPolicy:
    name: str
    namespace: str
    pod_selector: LabelSelector = field(default_factory=LabelSelector)
    policy_types: tuple[str, ...] = ("Ingress",)
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()
    labels: Labels = field(default_factory=Labels)
    kind = "NetworkPolicy"

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def isolates(self, direction: str) -> bool:
        return direction in self.policy_types

    def rules(self, direction: str) -> tuple[Rule, ...]:
        return self.ingress if direction == "Ingress" else self.egress


KubeObject = Union[Namespace, Pod, Workload, Service, NetworkPolicy, Secret, ConfigMap]


# ---------------------------------------------------------------- from manifests

def _meta(obj: Mapping[str, Any]) -> tuple[str, str, Labels]:
    md = obj.get("metadata") or {}
    return (str(md.get("name") or ""), str(md.get("namespace") or DEFAULT_NAMESPACE),
            Labels(md.get("labels") or {}))


def _containers(spec: Mapping[str, Any]) -> tuple[Container, ...]:
    out = []
    for c in spec.get("containers") or ():
        ports = tuple([ContainerPort(int(p["containerPort"]), p.get("name"), p.get("protocol") or "TCP")
                       for p in c.get("ports") or ()])
        env = []
        for e in c.get("env") or ():
            ref = ((e.get("valueFrom") or {}).get("secretKeyRef") or None)
            env.append(EnvVar(str(e["name"]), None if e.get("value") is None else str(e["value"]),
                              (ref["name"], ref["key"]) if ref else None))
        out.append(Container(str(c.get("name") or ""), str(c.get("image") or ""), ports,
                             tuple(map(str, c.get("command") or ())),
                             tuple(map(str, c.get("args") or ())), tuple(env)))
    return tuple(out)


def _peer(d: Mapping[str, Any]) -> Peer:
    ipb = d.get("ipBlock")
    return Peer(
        LabelSelector.from_dict(d["podSelector"]) if d.get("podSelector") is not None else None,
        LabelSelector.from_dict(d["namespaceSelector"]) if d.get("namespaceSelector") is not None else None,
        IPBlock(str(ipb["cidr"]), tuple(map(str, ipb.get("except") or ()))) if ipb else None,
    )


def _rule(d: Mapping[str, Any], peers_key: str) -> Rule:
    ports = []
    for p in (d or {}).get("ports") or ():
        port = p.get("port")
        if port is not None and not isinstance(port, int):
            port = int(port) if str(port).isdigit() else str(port)
        ports.append(PolicyPort(p.get("protocol") or "TCP", port, p.get("endPort")))
    return Rule(tuple(_peer(x) for x in (d or {}).get(peers_key) or ()), tuple(ports))


def _network_policy(obj: Mapping[str, Any]) -> NetworkPolicy:
    name, ns, labels = _meta(obj)
    spec = obj.get("spec") or {}
    ingress = tuple(_rule(r, "from") for r in spec.get("ingress") or ())
    egress = tuple(_rule(r, "to") for r in spec.get("egress") or ())
    types = spec.get("policyTypes")
    if not types:
        # API defaulting: Ingress always; Egress only when egress rules are present.
        types = ["Ingress"] + (["Egress"] if egress else [])
    return NetworkPolicy(name, ns, LabelSelector.from_dict(spec.get("podSelector")),
                         tuple(types), ingress, egress, labels)


def _service(obj: Mapping[str, Any]) -> Service:
    name, ns, labels = _meta(obj)
    spec = obj.get("spec") or {}
    ports = []
    for p in spec.get("ports") or ():
        tp = p.get("targetPort", p.get("port"))
        if isinstance(tp, str) and tp.isdigit():
            tp = int(tp)
        ports.append(ServicePort(int(p["port"]), tp, p.get("protocol") or "TCP", p.get("name"),
                                 p.get("nodePort")))
    sel = spec.get("selector")
    return Service(name, ns, labels, Labels(sel) if sel is not None else None, tuple(ports),
                   spec.get("clusterIP") or None, spec.get("type") or "ClusterIP")


def _decode_secret(obj: Mapping[str, Any]) -> Labels:
    import base64
    data = {k: base64.b64decode(str(v)).decode("utf-8", "replace") for k, v in (obj.get("data") or {}).items()}
    data.update({k: str(v) for k, v in (obj.get("stringData") or {}).items()})
    return Labels(data)


def from_dict(obj: Mapping[str, Any]) -> KubeObject:
    """Build the typed object for a *validated* manifest dict."""
    kind = obj.get("kind")
    # These two read the metadata themselves: don't build the labels twice.
    if kind == "NetworkPolicy":
        return _network_policy(obj)
    if kind == "Service":
        return _service(obj)
    name, ns, labels = _meta(obj)
    if kind == "Namespace":
        return Namespace(name, labels)
    if kind == "Pod":
        spec = obj.get("spec") or {}
        status = obj.get("status") or {}
        ip = status.get("podIP") or next((p.get("ip") for p in status.get("podIPs") or ()), None)
        return Pod(name, ns, labels, _containers(spec), ip, None, bool(spec.get("hostNetwork")))
    if kind in WORKLOAD_KINDS:
        spec = obj.get("spec") or {}
        tmpl = spec.get("template") or {}
        pspec = tmpl.get("spec") or {}
        replicas = 1 if kind != "DaemonSet" else 1
        if spec.get("replicas") is not None:
            replicas = int(spec["replicas"])
        return Workload(kind, name, ns, labels, LabelSelector.from_dict(spec.get("selector")),
                        Labels((tmpl.get("metadata") or {}).get("labels") or {}),
                        _containers(pspec), replicas, bool(pspec.get("hostNetwork")))
    if kind == "Secret":
        return Secret(name, ns, _decode_secret(obj))
    if kind == "ConfigMap":
        return ConfigMap(name, ns, Labels(obj.get("data") or {}))
    raise ValueError(f"unsupported kind {kind!r}")
