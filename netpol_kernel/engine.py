"""The NetworkPolicy engine: is a connection allowed, and why?

Policies are compiled once into boolean vectors over pods (which pods each
policy selects, which pods each peer of each rule matches).  A single verdict
(:meth:`Engine.evaluate`) reads those vectors for one pair and records the
evidence; the full connectivity (:meth:`Engine.connectivity`) combines the very
same vectors for all pairs at once.  Selector semantics live only in
``objects.Requirement.test``; port semantics only in ``objects.PolicyPort``.

>>> from netpol_kernel.objects import Pod, Labels, NetworkPolicy, LabelSelector, Rule, Peer
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

import ipaddress
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence, Union

import numpy as np

from .errors import NotFoundError
from .objects import (IPBlock, LabelSelector, Namespace, NetworkPolicy, Peer, Pod, PolicyPort, Rule,
                      Service)
from .portset import PortSet

__all__ = ["Engine", "Verdict", "SideVerdict", "RuleCheck", "ServiceVerdict", "Connectivity",
           "LabelTable", "DIRECTIONS"]

DIRECTIONS = ("Ingress", "Egress")
ALL = -1  # a RuleCheck index meaning "the rule has no peers / no ports: everything"


class LabelTable:
    """Label maps of many objects stored column-wise, so one selector matches all rows at once.

    >>> t = LabelTable([{"app": "a"}, {"app": "b"}, {}])
    >>> t.match(LabelSelector.from_dict({"matchExpressions": [
    ...     {"key": "app", "operator": "NotIn", "values": ["a"]}]})).tolist()
    [False, True, True]
    """

    def __init__(self, label_maps: Sequence[Mapping[str, str]]):
        self.n = len(label_maps)
        values: dict[str, dict[str, int]] = {}
        codes: dict[str, np.ndarray] = {}
        for i, labels in enumerate(label_maps):
            for k, v in labels.items():
                vals = values.setdefault(k, {})
                col = codes.get(k)
                if col is None:
                    col = codes[k] = np.full(self.n, -1, dtype=np.int32)
                col[i] = vals.setdefault(v, len(vals))
        self._values = {k: list(v) for k, v in values.items()}
        self._codes = codes

    def match(self, selector: LabelSelector) -> np.ndarray:
        out = np.ones(self.n, dtype=bool)
        for req in selector.requirements:
            col = self._codes.get(req.key)
            if col is None:
                if not req.test(None):
                    out[:] = False
                continue
            # Truth of the requirement for each distinct value, then for None (code -1 -> last).
            lut = np.array([req.test(v) for v in self._values[req.key]] + [req.test(None)])
            out &= lut[col]
        return out


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

    @property
    def allowed(self) -> bool:
        return self.resolved_port is not None and self.egress.allowed and self.ingress.allowed

    @property
    def port_text(self) -> str:
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
        self._ns_index = {n.name: i for i, n in enumerate(self.namespaces)}
        self._index = {p.key: i for i, p in enumerate(self.pods)}
        if len(self._index) != len(self.pods):
            raise ValueError("duplicate pod names")
        self._pod_ns = np.array([self._ns_index[p.namespace] for p in self.pods], dtype=np.int32)
        self._pod_labels = LabelTable([p.labels for p in self.pods])
        self._ns_labels = LabelTable([n.effective_labels for n in self.namespaces])
        addrs = [ipaddress.ip_address(p.ip) if p.ip else None for p in self.pods]
        self._has_ipv4 = np.array([a is not None and a.version == 4 for a in addrs], dtype=bool)
        self._ipv4 = np.array([int(a) if a is not None and a.version == 4 else 0 for a in addrs], dtype=np.int64)
        self._pod_sel_cache: dict[LabelSelector, np.ndarray] = {}
        self._ns_sel_cache: dict[LabelSelector, np.ndarray] = {}
        self._in_ns_cache: dict[str, np.ndarray] = {}
        self._compile()

    # -- compilation ------------------------------------------------------------
    def _in_namespace(self, ns: str) -> np.ndarray:
        v = self._in_ns_cache.get(ns)
        if v is None:
            idx = self._ns_index.get(ns, -1)
            v = self._in_ns_cache[ns] = self._pod_ns == idx
        return v

    def _pods_matching(self, sel: LabelSelector) -> np.ndarray:
        v = self._pod_sel_cache.get(sel)
        if v is None:
            v = self._pod_sel_cache[sel] = self._pod_labels.match(sel)
        return v

    def _pods_in_namespaces_matching(self, sel: LabelSelector) -> np.ndarray:
        v = self._ns_sel_cache.get(sel)
        if v is None:
            v = self._ns_sel_cache[sel] = self._ns_labels.match(sel)[self._pod_ns] if len(self.pods) \
                else np.zeros(0, dtype=bool)
        return v

    def _peer_vector(self, policy: NetworkPolicy, peer: Peer) -> np.ndarray:
        """Which pods a peer matches (see the case table on objects.Peer)."""
        if peer.ip_block is not None:
            # ipBlock matches pod IPs too, as the upstream conformance suite and kind expect.
            return self._pods_in_block(peer.ip_block)
        if peer.namespace_selector is not None:
            v = self._pods_in_namespaces_matching(peer.namespace_selector)
        else:
            v = self._in_namespace(policy.namespace)
        if peer.pod_selector is not None:
            v = v & self._pods_matching(peer.pod_selector)
        return v

    def _pods_in_block(self, block: IPBlock) -> np.ndarray:
        version, (lo, hi), excepts = block.intervals
        if version != 4:  # IPv6 pods are rare here: ask the block address by address
            return np.array([block.contains(p.ip) for p in self.pods], dtype=bool)
        ip = self._ipv4
        v = self._has_ipv4 & (ip >= lo) & (ip <= hi)
        for a, b in excepts:
            v &= ~((ip >= a) & (ip <= b))
        return v

    def _compile(self) -> None:
        n = len(self.pods)
        self._selected: list[np.ndarray] = []
        # _peers[k][direction][r] = list of peer vectors (empty list: the rule matches all peers)
        self._peers: list[dict[str, list[list[np.ndarray]]]] = []
        self._rule_vec: list[dict[str, list[np.ndarray]]] = []
        ones = np.ones(n, dtype=bool)
        for pol in self.policies:
            self._selected.append(self._in_namespace(pol.namespace) & self._pods_matching(pol.pod_selector))
            peers: dict[str, list[list[np.ndarray]]] = {}
            rvec: dict[str, list[np.ndarray]] = {}
            for d in DIRECTIONS:
                peers[d] = [[self._peer_vector(pol, p) for p in r.peers] for r in pol.rules(d)]
                rvec[d] = [np.logical_or.reduce(pv) if pv else ones for pv in peers[d]]
            self._peers.append(peers)
            self._rule_vec.append(rvec)
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
        return tuple(p for p, s in zip(self.pods, self._selected[k]) if s)

    # -- one connection --------------------------------------------------------------
    def _side(self, direction: str, subject: int, other: int, dst: Pod, port: int,
              protocol: str) -> SideVerdict:
        names, checks, counts = [], [], []
        for k in self._isolating[direction]:
            if not self._selected[k][subject]:
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
            peer_hit = next((j for j, v in enumerate(self._peers[k][direction][r]) if v[other]), None)
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
        return Verdict(self.pods[s].key, dst_pod.key, port, protocol, resolved, egress, ingress)

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
    def connectivity(self, block: int = 512) -> "Connectivity":
        """Allowed ports, per protocol, for every ordered pair of pods.

        Pods that no selector or peer tells apart (same bits everywhere, same named
        ports) form a class; pairs of classes are computed with matrix products over
        the compiled vectors, and identical outcomes share one PortSet.
        """
        n = len(self.pods)
        feats = list(self._selected) + [v for rv in self._rule_vec for d in DIRECTIONS for v in rv[d]]
        bits = np.packbits(np.stack(feats, axis=1), axis=1) if feats and n else np.zeros((n, 0), np.uint8)
        named = {}
        npk = np.array([named.setdefault(p.named_ports, len(named)) for p in self.pods], dtype=np.int64)
        rows = np.concatenate([bits, npk[:, None].astype(">u8").view(np.uint8)], axis=1) if n else bits
        keys: dict[bytes, int] = {}
        cls = np.array([keys.setdefault(rows[i].tobytes(), len(keys)) for i in range(n)], dtype=np.int64)
        c = len(keys)
        rep = np.zeros(c, dtype=np.int64)
        rep[cls[::-1]] = np.arange(n)[::-1]  # first pod of each class
        rep_npk = npk[rep]

        # Distinct port specs (a rule's ports tuple; () means all ports) and their rules.
        specs: dict[tuple[PolicyPort, ...], int] = {}
        by_spec: dict[str, dict[int, list[tuple[np.ndarray, np.ndarray]]]] = {d: {} for d in DIRECTIONS}
        for k, pol in enumerate(self.policies):
            for d in DIRECTIONS:
                if not pol.isolates(d):
                    continue  # rules of a direction the policy does not isolate are ignored
                for r, rule in enumerate(pol.rules(d)):
                    q = specs.setdefault(rule.ports, len(specs))
                    by_spec[d].setdefault(q, []).append((self._selected[k][rep], self._rule_vec[k][d][r][rep]))
        nq = len(specs)
        iso = {d: (np.logical_or.reduce([self._selected[k][rep] for k in self._isolating[d]])
                   if self._isolating[d] else np.zeros(c, dtype=bool)) for d in DIRECTIONS}
        stacked = {d: {q: (np.stack([s for s, _ in lst], 1).astype(np.float32),
                           np.stack([p for _, p in lst], 1).astype(np.float32))
                       for q, lst in by_spec[d].items()} for d in DIRECTIONS}

        combo_of = np.zeros((c, c), dtype=np.int32)
        combos: list[PortSet] = []
        combo_ids: dict[tuple[int, int], int] = {}
        spec_list = list(specs)
        nnpk = len(named) or 1
        resolved_cache: dict[tuple[int, int], PortSet] = {}
        nwords = nq // 64 + 1
        side_cache: dict[tuple[int, int], int] = {}  # (key bits, npk) -> index into side_sets
        side_sets: list[PortSet] = []

        def spec_ports(q: int, npk_id: int) -> PortSet:
            got = resolved_cache.get((q, npk_id))
            if got is None:
                dst = self.pods[int(rep[np.argmax(rep_npk == npk_id)])]
                ports = spec_list[q]
                got = PortSet.all() if not ports else PortSet()
                for pp in ports:
                    got = got | PortSet.of(pp.protocol, *pp.ranges_on(dst))
                resolved_cache[(q, npk_id)] = got
            return got

        def side(bits: int, npk_id: int) -> int:
            """Ports one direction allows: everything when not isolated (bit nq), else
            the union of the specs of the rules that matched (the other set bits)."""
            sid = side_cache.get((bits, npk_id))
            if sid is None:
                if bits >> nq & 1:
                    ps = PortSet.all()
                else:
                    parts, rest = [], bits
                    while rest:
                        low = rest & -rest
                        parts.append(spec_ports(low.bit_length() - 1, npk_id))
                        rest ^= low
                    ps = PortSet.union(parts)
                sid = side_cache[(bits, npk_id)] = len(side_sets)
                side_sets.append(ps)
            return sid

        def as_ints(uniq: np.ndarray) -> list[int]:
            if nwords == 1:
                return uniq.tolist()
            return [int.from_bytes(b.tobytes(), "little") for b in uniq]  # word k holds bits 64k..

        for a0 in range(0, c, block):
            a1 = min(c, a0 + block)
            keys_dir = []
            for d in DIRECTIONS:
                # Bit q of a pair's key says "a rule with port spec q matched"; bit nq says
                # "not isolated". Keys are uint64 words, so grouping is an integer sort.
                words = np.zeros((nwords, a1 - a0, c), dtype=np.uint64)
                for q, (sel, peer) in stacked[d].items():
                    hit = (peer[a0:a1] @ sel.T) if d == "Ingress" else (sel[a0:a1] @ peer.T)
                    words[q // 64] |= (hit > 0).astype(np.uint64) << np.uint64(q % 64)
                free = np.uint64(1) << np.uint64(nq % 64)
                if d == "Ingress":   # ingress isolation is the destination's (columns)
                    words[nq // 64][:, ~iso[d]] |= free
                else:                # egress isolation is the source's (rows)
                    words[nq // 64][~iso[d][a0:a1], :] |= free
                if nwords == 1:
                    flat = words[0].reshape(-1)
                else:
                    flat = np.ascontiguousarray(words.reshape(nwords, -1).T).view(
                        np.dtype((np.void, 8 * nwords))).reshape(-1)
                uniq, inv = np.unique(flat, return_inverse=True)
                keys_dir.append((as_ints(uniq), inv.reshape(a1 - a0, c)))
            (u_in, i_in), (u_eg, i_eg) = keys_dir
            comb = (i_in.astype(np.int64) * len(u_eg) + i_eg) * nnpk + rep_npk[None, :]
            ucomb, cinv = np.unique(comb.reshape(-1), return_inverse=True)
            local = np.empty(len(ucomb), dtype=np.int32)
            for t, code in enumerate(ucomb.tolist()):
                rest, npk_id = divmod(code, nnpk)
                bin_, beg = divmod(rest, len(u_eg))
                key = (side(u_in[bin_], npk_id), side(u_eg[beg], npk_id))
                cid = combo_ids.get(key)
                if cid is None:
                    cid = combo_ids[key] = len(combos)
                    combos.append(side_sets[key[0]] & side_sets[key[1]])
                local[t] = cid
            combo_of[a0:a1] = local[cinv].reshape(a1 - a0, c)
        return Connectivity(tuple(p.key for p in self.pods), cls, combo_of, tuple(combos))

    def matrix_allowed(self, port: Union[int, str], protocol: str = "TCP",
                       conn: Optional["Connectivity"] = None) -> np.ndarray:
        """Boolean N x N reachability on one port (names resolved on each destination)."""
        conn = conn or self.connectivity()
        if isinstance(port, str):
            dst_port = np.array([p.named_port(port, protocol) or 0 for p in self.pods])
        else:
            dst_port = np.full(len(self.pods), int(port))
        uniq_ports = sorted(set(dst_port.tolist()))
        table = np.array([[pt != 0 and ps.contains(protocol, pt) for pt in uniq_ports] for ps in conn.combos],
                         dtype=bool).reshape(len(conn.combos), len(uniq_ports))
        col = np.searchsorted(uniq_ports, dst_port)
        combo = conn.combo_of[conn.pod_class[:, None], conn.pod_class[None, :]]
        return table[combo, col[None, :]] if len(self.pods) else np.zeros((0, 0), bool)


@dataclass(frozen=True)
class Connectivity:
    """Allowed ports for every ordered pair, stored by pod class (see Engine.connectivity)."""

    pods: tuple[str, ...]
    pod_class: np.ndarray
    combo_of: np.ndarray
    combos: tuple[PortSet, ...]

    def ports(self, src: str, dst: str) -> PortSet:
        i, j = self.pods.index(src), self.pods.index(dst)
        return self.combos[self.combo_of[self.pod_class[i], self.pod_class[j]]]

    def pairs(self) -> Iterable[tuple[str, str, PortSet]]:
        for i, s in enumerate(self.pods):
            row = self.combo_of[self.pod_class[i]]
            for j, d in enumerate(self.pods):
                if i != j:
                    yield s, d, self.combos[row[self.pod_class[j]]]
