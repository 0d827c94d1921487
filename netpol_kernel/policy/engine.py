"""The NetworkPolicy engine: is a connection allowed, and why?

Policies are compiled once into sets of pods, held as the bits of Python ints
(which pods each policy selects, which pods each peer of each rule matches).  A
single verdict (:meth:`Engine.evaluate`) reads those sets for one pair and
records the evidence; the full connectivity (:meth:`Engine.connectivity`)
combines the very same sets for all pairs at once.  Selector semantics live only in
``objects.Requirement.test``; port semantics only in ``objects.PolicyPort``.

>>> from netpol_kernel.policy.objects import Pod, Labels, NetworkPolicy, LabelSelector, Rule, Peer
>>> pods = [Pod("fe", "default", Labels({"app": "frontend"})),
...         Pod("nfe", "default", Labels({"app": "not-frontend"})),
...         Pod("be", "default", Labels({"app": "backend"}))]
>>> allow = NetworkPolicy("allow-fe", "default", LabelSelector(Labels({"app": "backend"})),
...     ("Ingress",), (Rule((Peer(LabelSelector(Labels({"app": "frontend"}))),)),))
>>> eng = Engine([], pods, [allow])
>>> eng.evaluate("default/fe", "default/be", 8080).allowed
True
>>> print(eng.evaluate("default/nfe", "default/be", 8080).explain())
default/nfe -> default/be on TCP/8080: BLOCKED
  egress from default/nfe: not isolated (no NetworkPolicy selects it for Egress): allowed
  ingress to default/be: isolated by allow-fe: blocked
    allow-fe spec.ingress[0]: from[0] (PodSelector: app=frontend) does not match default/nfe
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Union

from .connectivity import Connectivity, connectivity, matrix_allowed
from ..errors import NotFoundError
from .objects import (IPBlock, LabelSelector, Namespace, NetworkPolicy, Peer, Pod, PolicyPort, Rule,
                      Service)
from .podsets import AddressIndex, LabelTable, members, union

__all__ = ["ICMP_NOTE", "Engine", "Verdict", "SideVerdict", "RuleCheck", "ServiceVerdict", "Connectivity",
           "LabelTable", "DIRECTIONS"]

DIRECTIONS = ("Ingress", "Egress")
ALL = -1  # a RuleCheck index meaning "the rule has no peers / no ports: everything"


# ---------------------------------------------------------------- verdicts

def _short(key: str, namespace: Optional[str]) -> str:
    """``ns/name`` as ``name`` when ``ns`` is the namespace the reader works in."""
    ns, _, name = key.rpartition("/")
    return name if namespace is not None and ns == namespace else key


@dataclass(frozen=True)
class RuleCheck:
    """How one rule of one policy fared for a connection.

    ``peer``/``port`` are the index of the first matching entry, ``ALL`` (-1) when
    the rule has no peers/ports (so it matches everything), or None when nothing matched.
    """

    policy: str
    direction: str
    rule: int
    peer: Optional[int]
    port: Optional[int]
    peer_text: str
    port_text: str

    @property
    def matched(self) -> bool:
        return self.peer is not None and self.port is not None

    @property
    def path(self) -> str:
        return f"spec.{self.direction.lower()}[{self.rule}]"

    def describe(self, other_pod: str, port: str) -> str:
        word = "from" if self.direction == "Ingress" else "to"
        who = (f"{word}[{self.peer}] ({self.peer_text})" if self.peer not in (None, ALL)
               else f"{word} <any> (no {word} list: all peers)")
        if self.peer is None:
            return f"{self.path}: {self.peer_text} does not match {other_pod}"
        if self.port is None:
            return f"{self.path}: {who} matches {other_pod}, but its ports ({self.port_text}) do not include {port}"
        ports = "all ports" if self.port == ALL else f"ports[{self.port}] {self.port_text}"
        return f"{self.path}: allows it: {who}, {ports}"


@dataclass(frozen=True)
class SideVerdict:
    """One direction of a connection: the source's egress or the destination's ingress."""

    direction: str
    pod: str
    policies: tuple[str, ...]  # names of policies selecting ``pod`` for this direction
    checks: tuple[RuleCheck, ...]
    rule_counts: tuple[int, ...]  # rules of each selecting policy in this direction

    @property
    def isolated(self) -> bool:
        return bool(self.policies)

    @property
    def allowed(self) -> bool:
        return not self.isolated or any(c.matched for c in self.checks)

    @property
    def allowing(self) -> tuple[RuleCheck, ...]:
        return tuple(c for c in self.checks if c.matched)

    def lines(self, other_pod: str, port: str, namespace: Optional[str] = None) -> list[str]:
        word = "egress from" if self.direction == "Egress" else "ingress to"
        pod = _short(self.pod, namespace)
        if not self.isolated:
            return [f"  {word} {pod}: not isolated (no NetworkPolicy selects it for "
                    f"{self.direction}): allowed"]
        out = [f"  {word} {pod}: isolated by {', '.join(self.policies)}: "
               f"{'allowed' if self.allowed else 'blocked'}"]
        for name, count in zip(self.policies, self.rule_counts):
            checks = [c for c in self.checks if c.policy == name]
            if count == 0 and not self.allowed:  # once allowed, only the allowing rules matter
                out.append(f"    {name}: has no {self.direction.lower()} rules (denies all)")
            for c in checks:
                if self.allowed and not c.matched:
                    continue  # once allowed, only the rules that allow are the reason
                out.append(f"    {name} {c.describe(other_pod, port)}")
        return out


#: Why ICMP (ping) is judged as it is: a rule's ``ports`` name TCP, UDP or SCTP ports, so a rule
#: that lists any never matches ICMP and a rule without ports matches it.  This is what kind's
#: enforcer, kube-network-policies (pkg/networkpolicy, evaluatePorts), does; the NetworkPolicy
#: API itself says nothing about ICMP, so other plugins may differ.
ICMP_NOTE = ("ICMP has no port: a rule that lists ports never matches it, a rule without ports does "
             "(as kind's network-policy enforcer, kube-network-policies, decides)")


@dataclass(frozen=True)
class Verdict:
    """The answer for one connection, with the evidence that decided it."""

    src: str
    dst: str
    port: Union[int, str]
    protocol: str
    resolved_port: Optional[int]
    egress: SideVerdict
    ingress: SideVerdict
    host_network: tuple[str, ...] = ()  # the pods of this pair that use hostNetwork

    @property
    def allowed(self) -> bool:
        return self.resolved_port is not None and self.egress.allowed and self.ingress.allowed

    @property
    def port_text(self) -> str:
        if self.protocol == "ICMP":
            return "ICMP"
        if isinstance(self.port, str):
            return f"{self.protocol}/{self.port}" + (f" ({self.resolved_port})" if self.resolved_port else "")
        return f"{self.protocol}/{self.port}"

    def explain(self, namespace: Optional[str] = None) -> str:
        """The verdict and its evidence; pods in ``namespace`` are named without it."""
        src, dst = _short(self.src, namespace), _short(self.dst, namespace)
        head = f"{src} -> {dst} on {self.port_text}: {'ALLOWED' if self.allowed else 'BLOCKED'}"
        lines = [head]
        if self.resolved_port is None:
            lines.append(f"  {dst} has no container port named {self.port!r} for {self.protocol}")
            return "\n".join(lines)
        lines += self.egress.lines(dst, self.port_text, namespace)
        lines += self.ingress.lines(src, self.port_text, namespace)
        for pod in self.host_network:
            lines.append(f"  note: {_short(pod, namespace)} uses hostNetwork: this verdict polices it like any "
                         f"pod, but NetworkPolicy leaves such pods to the plugin, and most treat their "
                         f"traffic as the node's")
        if self.protocol == "ICMP":
            lines.append(f"  note: {ICMP_NOTE}")
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(self.explain())

    __str__ = explain


@dataclass(frozen=True)
class ServiceVerdict:
    """A connection to a Service port, judged on each endpoint as kube-proxy would deliver it."""

    src: str
    service: str
    port: Union[int, str]
    protocol: str
    endpoints: tuple[Verdict, ...]

    @property
    def allowed(self) -> bool:
        """True when every endpoint would accept (kube-proxy may pick any of them)."""
        return bool(self.endpoints) and all(v.allowed for v in self.endpoints)

    def explain(self, namespace: Optional[str] = None) -> str:
        src, svc = _short(self.src, namespace), _short(self.service, namespace)
        if not self.endpoints:
            return f"{src} -> service {svc} port {self.port}: no ready endpoints (connection refused)"
        head = f"{src} -> service {svc} port {self.port}: " + (
            "ALLOWED" if self.allowed else "BLOCKED" if not any(v.allowed for v in self.endpoints)
            else "DEPENDS ON THE ENDPOINT")
        return "\n".join([head] + ["  " + v.explain(namespace).replace("\n", "\n  ") for v in self.endpoints])

    __str__ = explain


# ---------------------------------------------------------------- the engine

class Engine:
    """Compiled policies over a fixed set of namespaces, pods and services."""

    def __init__(self, namespaces: Iterable[Namespace], pods: Iterable[Pod],
                 policies: Iterable[NetworkPolicy], services: Iterable[Service] = ()):
        self.pods: tuple[Pod, ...] = tuple(pods)
        self.policies: tuple[NetworkPolicy, ...] = tuple(policies)
        self.services: tuple[Service, ...] = tuple(services)
        ns = {n.name: n for n in namespaces}
        for name in [p.namespace for p in self.pods] + [p.namespace for p in self.policies]:
            ns.setdefault(name, Namespace(name))  # implied namespaces carry only the automatic label
        self.namespaces: tuple[Namespace, ...] = tuple(ns[k] for k in sorted(ns))
        self._index = {p.key: i for i, p in enumerate(self.pods)}
        if len(self._index) != len(self.pods):
            raise ValueError("duplicate pod names")
        self._all = (1 << len(self.pods)) - 1
        self._ns_pods: dict[str, int] = {}  # namespace -> its pods
        for i, p in enumerate(self.pods):
            self._ns_pods[p.namespace] = self._ns_pods.get(p.namespace, 0) | 1 << i
        self._pod_labels = LabelTable([p.labels for p in self.pods])
        self._ns_labels = LabelTable([n.effective_labels for n in self.namespaces])
        self._addresses = AddressIndex(self.pods)
        self._pod_sel_cache: dict[LabelSelector, int] = {}
        self._ns_sel_cache: dict[LabelSelector, int] = {}
        self._compile()

    # -- compilation: every selector and peer becomes a set of pods (an int's bits) --
    def _in_namespace(self, ns: str) -> int:
        return self._ns_pods.get(ns, 0)

    def _pods_matching(self, sel: LabelSelector) -> int:
        v = self._pod_sel_cache.get(sel)
        if v is None:
            v = self._pod_sel_cache[sel] = self._pod_labels.match(sel)
        return v

    def _pods_in_namespaces_matching(self, sel: LabelSelector) -> int:
        v = self._ns_sel_cache.get(sel)
        if v is None:
            v = 0
            for k in members(self._ns_labels.match(sel)):
                v |= self._in_namespace(self.namespaces[k].name)
            self._ns_sel_cache[sel] = v
        return v

    def _peer_pods(self, policy: NetworkPolicy, peer: Peer) -> int:
        """Which pods a peer matches (see the case table on objects.Peer)."""
        if peer.ip_block is not None:
            # ipBlock matches pod IPs too, as the upstream conformance suite and kind expect.
            return self._pods_in_block(peer.ip_block)
        if peer.namespace_selector is not None:
            v = self._pods_in_namespaces_matching(peer.namespace_selector)
        else:
            v = self._in_namespace(policy.namespace)
        if peer.pod_selector is not None:
            v &= self._pods_matching(peer.pod_selector)
        return v

    def _pods_in_block(self, block: IPBlock) -> int:
        version, (lo, hi), excepts = block.intervals
        v = self._addresses.between(version, lo, hi)
        for a, b in excepts:
            v &= ~self._addresses.between(version, a, b)
        return v

    def _compile(self) -> None:
        self._selected: list[int] = []
        # _peers[k][direction][r] = one pod set per peer (empty list: the rule matches all peers)
        self._peers: list[dict[str, list[list[int]]]] = []
        self._rule_peers: list[dict[str, list[int]]] = []  # the union of a rule's peers
        for pol in self.policies:
            self._selected.append(self._in_namespace(pol.namespace) & self._pods_matching(pol.pod_selector))
            peers: dict[str, list[list[int]]] = {}
            rvec: dict[str, list[int]] = {}
            for d in DIRECTIONS:
                peers[d] = [[self._peer_pods(pol, p) for p in r.peers] for r in pol.rules(d)]
                rvec[d] = [union(pv) if pv else self._all for pv in peers[d]]
            self._peers.append(peers)
            self._rule_peers.append(rvec)
        self._isolating = {d: [k for k, p in enumerate(self.policies) if p.isolates(d)] for d in DIRECTIONS}

    # -- lookups -----------------------------------------------------------------
    def pod(self, key: Union[str, Pod]) -> Pod:
        return self.pods[self._pod_index(key)]

    def _pod_index(self, key: Union[str, Pod]) -> int:
        k = key.key if isinstance(key, Pod) else key
        if k not in self._index:
            raise NotFoundError("pods", k.rpartition("/")[2], k.rpartition("/")[0] or None)
        return self._index[k]

    def selected_pods(self, policy: NetworkPolicy) -> tuple[Pod, ...]:
        k = self.policies.index(policy)
        return tuple(self.pods[i] for i in members(self._selected[k]))

    def peer_pods(self, policy: NetworkPolicy, direction: str, rule: int, peer: int) -> tuple[Pod, ...]:
        """The pods that peer ``peer`` of rule ``rule`` of ``direction`` matches."""
        k = self.policies.index(policy)
        return tuple(self.pods[i] for i in members(self._peers[k][direction][rule][peer]))

    # -- one connection --------------------------------------------------------------
    def _side(self, direction: str, subject: int, other: int, dst: Pod, port: int,
              protocol: str) -> SideVerdict:
        names, checks, counts = [], [], []
        for k in self._isolating[direction]:
            if not self._selected[k] >> subject & 1:
                continue
            pol = self.policies[k]
            rules = pol.rules(direction)
            names.append(pol.name)
            counts.append(len(rules))
            for r, rule in enumerate(rules):
                checks.append(self._check(pol, k, direction, r, rule, other, dst, port, protocol))
        return SideVerdict(direction, self.pods[subject].key, tuple(names), tuple(checks), tuple(counts))

    def _check(self, pol: NetworkPolicy, k: int, direction: str, r: int, rule: Rule, other: int,
               dst: Pod, port: int, protocol: str) -> RuleCheck:
        peer_hit: Optional[int] = ALL
        if rule.peers:
            peer_hit = next((j for j, v in enumerate(self._peers[k][direction][r]) if v >> other & 1), None)
        port_hit: Optional[int] = ALL
        if rule.ports:
            port_hit = next((j for j, pp in enumerate(rule.ports) if pp.admits(port, protocol, dst)), None)
        peer_text = (" OR ".join(f"{'from' if direction == 'Ingress' else 'to'}[{j}] ({p})"
                                 for j, p in enumerate(rule.peers)) if peer_hit is None
                     else str(rule.peers[peer_hit]) if peer_hit != ALL else "<any>")
        port_text = ", ".join(str(p) for p in rule.ports) if port_hit is None else (
            str(rule.ports[port_hit]) if port_hit != ALL else "<any>")
        return RuleCheck(pol.name, direction, r, peer_hit, port_hit, peer_text, port_text)

    def evaluate(self, src: Union[str, Pod], dst: Union[str, Pod], port: Union[int, str],
                 protocol: str = "TCP") -> Verdict:
        """Is a new ``protocol`` connection from pod ``src`` to pod ``dst`` on ``port`` allowed?

        ``port`` may be a container port name, resolved on the destination pod.
        """
        s, d = self._pod_index(src), self._pod_index(dst)
        dst_pod = self.pods[d]
        resolved = dst_pod.named_port(port, protocol) if isinstance(port, str) else int(port)
        eff = resolved if resolved is not None else 0
        egress = self._side("Egress", s, d, dst_pod, eff, protocol)
        ingress = self._side("Ingress", d, s, dst_pod, eff, protocol)
        host = tuple(dict.fromkeys(p.key for p in (self.pods[s], dst_pod) if p.host_network))
        return Verdict(self.pods[s].key, dst_pod.key, port, protocol, resolved, egress, ingress, host)

    def evaluate_address(self, pod: Union[str, Pod], address: str, port: int, protocol: str = "TCP",
                         direction: str = "Egress") -> tuple[bool, str]:
        """A connection between ``pod`` and an address that is no pod (the internet, a client on
        the host network): egress from the pod to it, or ingress to the pod from it.

        Only ``ipBlock`` peers, and rules without peers, can match an address; on ingress the
        ports are the pod's own (named ports resolve on it).  Returns (allowed, why blocked).

        >>> from netpol_kernel.policy.objects import from_dict
        >>> pod = from_dict({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "a", "namespace": "d"},
        ...                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
        >>> deny = from_dict({"kind": "NetworkPolicy", "apiVersion": "networking.k8s.io/v1",
        ...                   "metadata": {"name": "deny", "namespace": "d"},
        ...                   "spec": {"podSelector": {}, "policyTypes": ["Egress"]}})
        >>> print(Engine([], [pod], [deny]).evaluate_address("d/a", "23.192.228.80", 80)[1])
        d/a -> 23.192.228.80:80/TCP: BLOCKED
          egress from d/a: isolated by deny, and no egress rule allows 23.192.228.80 on TCP/80
        """
        me = self.pods[self._pod_index(pod)]
        verdict = self.evaluate(me, me, port, protocol)
        side = verdict.egress if direction == "Egress" else verdict.ingress
        if not side.isolated:
            return True, ""
        receiver = me if direction == "Ingress" else None
        for pol in self.policies:
            if pol.namespace != me.namespace or pol.name not in side.policies:
                continue
            for rule in (pol.egress if direction == "Egress" else pol.ingress):
                peers = not rule.peers or any(p.ip_block is not None and p.ip_block.contains(address)
                                              for p in rule.peers)
                ports = not rule.ports or any(pp.admits(port, protocol, receiver) for pp in rule.ports)
                if peers and ports:
                    return True, ""
        arrow = (f"{me.key} -> {address}:{port}" if direction == "Egress" else f"{address} -> {me.key}:{port}")
        side_words = "egress from" if direction == "Egress" else "ingress to"
        return False, (f"{arrow}/{protocol}: BLOCKED\n  {side_words} {me.key}: isolated by "
                       f"{', '.join(side.policies)}, and no {direction.lower()} rule allows {address} "
                       f"on {protocol}/{port}")

    def endpoints(self, service: Union[str, Service]) -> tuple[Pod, ...]:
        svc = self.service(service) if isinstance(service, str) else service
        return tuple(p for p in self.pods if svc.selects(p))

    def service(self, key: str) -> Service:
        for s in self.services:
            if s.key == key:
                return s
        raise NotFoundError("services", key.rpartition("/")[2])

    def evaluate_service(self, src: Union[str, Pod], service: Union[str, Service],
                         port: Union[int, str], protocol: Optional[str] = None) -> ServiceVerdict:
        """A connection to a Service port, judged on each endpoint pod and its target port."""
        svc = self.service(service) if isinstance(service, str) else service
        sp = svc.port_named(port, protocol)
        if sp is None:
            return ServiceVerdict(self.pod(src).key, svc.key, port, protocol or "TCP", ())
        verdicts = []
        for ep in self.endpoints(svc):
            tp = svc.target_port_on(sp, ep)
            if tp is not None:  # a named targetPort the pod lacks: not an endpoint for this port
                verdicts.append(self.evaluate(src, ep, tp, sp.protocol))
        return ServiceVerdict(self.pod(src).key, svc.key, sp.port, sp.protocol, tuple(verdicts))

    # -- every connection ------------------------------------------------------------
    def compiled_rules(self, direction: str) -> tuple[int, list[tuple[int, int, tuple[PolicyPort, ...]]]]:
        """The pods isolated for ``direction`` and, for every rule of every policy
        isolating it, (the pods the rule applies to, the peers it admits, its ports)."""
        isolated, rules = 0, []
        for k in self._isolating[direction]:
            isolated |= self._selected[k]
            for r, rule in enumerate(self.policies[k].rules(direction)):
                rules.append((self._selected[k], self._rule_peers[k][direction][r], rule.ports))
        return isolated, rules

    def connectivity(self) -> Connectivity:
        """Allowed ports, per protocol, for every ordered pair of pods (see :mod:`.connectivity`)."""
        return connectivity(self)

    def matrix_allowed(self, port: Union[int, str], protocol: str = "TCP",
                       conn: Optional[Connectivity] = None) -> list[list[bool]]:
        """N x N reachability on one port, as ``m[src][dst]`` (names resolved on each destination)."""
        return matrix_allowed(self, port, protocol, conn)
