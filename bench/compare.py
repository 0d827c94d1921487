"""Parse both tools' connectivity output into one form, compare pair by pair, classify.

The common form of one pair's allowed traffic is a ``Conn``: a dict mapping
``"TCP"``, ``"UDP"`` and ``"SCTP"`` to a tuple of sorted, disjoint, inclusive
``(lo, hi)`` port ranges (merged when adjacent); a protocol with nothing
allowed maps to ``()``. Only these three protocols are compared, since they are
the only ones a NetworkPolicy can name (nca's "All connections" also covers
ICMP and the rest, which netpol-kernel does not report).

* ``parse_nca_txt`` reads ``nca --connectivity ... --output_format
  txt_no_fw_rules`` (lines ``a/x[Pod] => b/y[Pod] : {protocols:TCP,dst_ports:80}``;
  pairs that are not printed have no connection).
* ``parse_ours_json`` reads ``netpol-kernel connectivity -o json``.
* ``compare`` lines the two up over every ordered pair of distinct pods.
* ``Reference`` is a small, literal evaluator of the NetworkPolicy semantics
  over the generated objects, with one switch: whether an ``ipBlock`` matches
  pods by their ``status.podIP`` (as CNIs do, and netpol-kernel) or never (as
  nca models it). ``classify`` uses it, and the rules that decide the pair, to
  sort every disagreement into a class with a reason.
"""
from __future__ import annotations

import ipaddress
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator

PROTOCOLS = ("TCP", "UDP", "SCTP")
ALL_PORTS = ((1, 65535),)
Ranges = tuple  # tuple[tuple[int, int], ...]
Conn = dict  # dict[str, Ranges]


# ------------------------------------------------------------------ port sets
def norm(ranges: Iterable[Iterable[int]]) -> Ranges:
    """Sort and merge overlapping or adjacent inclusive ranges."""
    rs = sorted((int(lo), int(hi)) for lo, hi in ranges)
    out: list[list[int]] = []
    for lo, hi in rs:
        if lo > hi:
            raise ValueError(f"bad range {lo}-{hi}")
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((a, b) for a, b in out)


def r_union(a: Ranges, b: Ranges) -> Ranges:
    return norm(list(a) + list(b))


def r_inter(a: Ranges, b: Ranges) -> Ranges:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def r_sub(a: Ranges, b: Ranges) -> Ranges:
    out = []
    for lo, hi in a:
        cur = lo
        for blo, bhi in b:
            if bhi < cur or blo > hi:
                continue
            if blo > cur:
                out.append((cur, blo - 1))
            cur = max(cur, bhi + 1)
            if cur > hi:
                break
        if cur <= hi:
            out.append((cur, hi))
    return tuple(out)


def empty_conn() -> Conn:
    return {p: () for p in PROTOCOLS}


def all_conn() -> Conn:
    return {p: ALL_PORTS for p in PROTOCOLS}


def c_union(a: Conn, b: Conn) -> Conn:
    return {p: r_union(a[p], b[p]) for p in PROTOCOLS}


def c_inter(a: Conn, b: Conn) -> Conn:
    return {p: r_inter(a[p], b[p]) for p in PROTOCOLS}


def c_sub(a: Conn, b: Conn) -> Conn:
    return {p: r_sub(a[p], b[p]) for p in PROTOCOLS}


def c_empty(a: Conn) -> bool:
    return not any(a[p] for p in PROTOCOLS)


def fmt_ranges(rs: Ranges) -> str:
    return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in rs)


def fmt_conn(c: Conn) -> str:
    """Short text in nca's spirit: 'All connections', 'TCP 80,8000-8100 UDP 53', 'none'."""
    if all(c[p] == ALL_PORTS for p in PROTOCOLS):
        return "all (TCP/UDP/SCTP)"
    parts = []
    for p in PROTOCOLS:
        if c[p] == ALL_PORTS:
            parts.append(f"{p} all")
        elif c[p]:
            parts.append(f"{p} {fmt_ranges(c[p])}")
    return " ".join(parts) or "none"


# ------------------------------------------------------------------ nca output
NCA_LINE = re.compile(r"^(?P<src>\S+) => (?P<dst>\S+) : (?P<conn>.+)$")
NCA_DIM = re.compile(r"(?:^|,)([a-z_]+):")
_PEER_KIND = re.compile(r"\[[A-Za-z-]+\]$")


class NcaParseError(ValueError):
    pass


def _nca_ports(text: str) -> Ranges:
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        out.append((int(lo), int(hi or lo)))
    return norm(out)


def _nca_protocols(text: str) -> set[str]:
    text = text.strip()
    if text == "*":
        return set(PROTOCOLS)
    neg = text.startswith("all but ")
    if neg:
        text = text[len("all but "):]
    names = {t.strip().upper() for t in text.split(",") if t.strip()}
    return set(PROTOCOLS) - names if neg else set(PROTOCOLS) & names


def _nca_cubes(text: str) -> list[str]:
    cubes, depth, start = [], 0, None
    for i, ch in enumerate(text):
        if ch == "{":
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                cubes.append(text[start:i])
            if depth < 0:
                raise NcaParseError(f"unbalanced braces in {text!r}")
        elif depth == 0 and ch not in ", ":
            raise NcaParseError(f"text outside a cube in {text!r}")
    if depth:
        raise NcaParseError(f"unbalanced braces in {text!r}")
    return cubes


def parse_nca_conn(text: str) -> Conn:
    """Parse one nca connection string into a Conn (TCP/UDP/SCTP only).

    Forms: 'All connections', 'No connections', '{protocols:TCP, UDP,dst_ports:53,80-90},{...}'
    and 'All but {...}' (the complement, which nca prints when it is shorter).
    """
    text = text.strip()
    if text == "All connections":
        return all_conn()
    if text == "No connections":
        return empty_conn()
    if text.startswith("All but "):
        return c_sub(all_conn(), parse_nca_conn(text[len("All but "):]))
    res = empty_conn()
    for body in _nca_cubes(text):
        pieces = NCA_DIM.split(body)
        if pieces[0].strip():
            raise NcaParseError(f"cannot parse cube {body!r}")
        dims = dict(zip(pieces[1::2], pieces[2::2]))
        protos = _nca_protocols(dims.pop("protocols")) if "protocols" in dims else set(PROTOCOLS)
        ports = _nca_ports(dims.pop("dst_ports")) if "dst_ports" in dims else ALL_PORTS
        if dims:
            raise NcaParseError(f"unsupported dimensions {sorted(dims)} in {text!r}")
        for p in protos:
            res[p] = r_union(res[p], ports)
    return res


def nca_peer_name(name: str) -> str | None:
    """'ns/pod[Pod]' -> 'ns/pod'; IP ranges and CIDRs (no '/'-separated namespace) -> None."""
    name = _PEER_KIND.sub("", name)
    if "/" not in name:
        return None  # e.g. 0.0.0.0-9.255.255.255
    ns, _, rest = name.partition("/")
    if re.fullmatch(r"[\d.]+", ns) and rest.isdigit():
        return None  # a CIDR such as 10.0.0.0/8
    return name


def parse_nca_txt(text: str) -> tuple[dict[tuple[str, str], Conn], dict]:
    """Parse nca txt_no_fw_rules output. Returns ({(src, dst): Conn} for pod pairs, stats)."""
    pairs: dict[tuple[str, str], Conn] = {}
    stats = {"lines": 0, "pod_pairs": 0, "ip_lines": 0, "other_lines": 0}
    for line in text.splitlines():
        m = NCA_LINE.match(line.strip())
        if not m:
            stats["other_lines"] += 1
            continue
        stats["lines"] += 1
        src, dst = nca_peer_name(m["src"]), nca_peer_name(m["dst"])
        if src is None or dst is None:
            stats["ip_lines"] += 1
            continue
        conn = parse_nca_conn(m["conn"])
        if (src, dst) in pairs:  # nca may split one pair over TCP / non-TCP sections
            conn = c_union(pairs[(src, dst)], conn)
        pairs[(src, dst)] = conn
        stats["pod_pairs"] += 1
    return pairs, stats


# ------------------------------------------------------------------ our output
def parse_ours_json(data: str | dict) -> dict[tuple[str, str], Conn]:
    """Parse `netpol-kernel connectivity -o json` ({"connections": {src: {dst: {proto: [[lo, hi]]}}}})."""
    if isinstance(data, str):
        data = json.loads(data)
    out: dict[tuple[str, str], Conn] = {}
    for src, dsts in data["connections"].items():
        for dst, protos in dsts.items():
            conn = empty_conn()
            for p, ranges in (protos or {}).items():
                p = p.upper()
                if p not in conn:
                    raise ValueError(f"unknown protocol {p!r} for {src} -> {dst}")
                conn[p] = norm(ranges)
            out[(src, dst)] = conn
    return out


# ------------------------------------------------------------------ comparison
@dataclass
class Comparison:
    pods: list[str]
    total: int = 0
    agree: int = 0
    disagreements: list[tuple[str, str, Conn, Conn]] = field(default_factory=list)  # src, dst, ours, nca
    missing_in_ours: int = 0
    allowed_ours: int = 0
    allowed_nca: int = 0


def compare(pods: list[str], ours: dict, nca: dict) -> Comparison:
    """Compare over every ordered pair of distinct pods. A pair absent from nca = no connection;
    a pair absent from ours is counted in missing_in_ours and compared as no connection."""
    res = Comparison(pods=pods)
    empty = empty_conn()
    for s in pods:
        for d in pods:
            if s == d:
                continue
            res.total += 1
            o = ours.get((s, d))
            if o is None:
                res.missing_in_ours += 1
                o = empty
            n = nca.get((s, d), empty)
            if not c_empty(o):
                res.allowed_ours += 1
            if not c_empty(n):
                res.allowed_nca += 1
            if o == n:
                res.agree += 1
            else:
                res.disagreements.append((s, d, o, n))
    return res


# ------------------------------------------------------------------ reference
def _sel_matches(sel: dict | None, labels: dict, key_ops_ok: bool = True) -> bool:
    """Label-selector semantics. key_ops_ok=False makes Exists/DoesNotExist fail (nca quirk helper)."""
    if sel is None:
        return True
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op in ("Exists", "DoesNotExist") and not key_ops_ok:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


@dataclass
class Pod:
    key: str
    ns: str
    labels: dict
    ns_labels: dict
    ip: ipaddress.IPv4Address | None
    ports: dict  # (name, protocol) -> number


@dataclass
class Rule:
    policy: str  # ns/name
    direction: str  # ingress | egress
    index: int
    peers: list | None  # None: any peer
    ports: list | None  # None: all
    policy_ns: str
    types_inferred: bool


def policy_types(spec: dict) -> tuple[list[str], bool]:
    """Effective policyTypes, and whether they were inferred (field omitted)."""
    if spec.get("policyTypes"):
        return list(spec["policyTypes"]), False
    types = ["Ingress"]
    if spec.get("egress"):
        types.append("Egress")
    return types, True


# nca's modelling differences found in its source (network-config-analyzer 2.1.0), as switches
# of the reference evaluator. Each names one class of disagreement.
QUIRK_IPBLOCK = "ipblock-ignores-pods"
QUIRK_KEY_OPS = "key-ops-policy-namespace"
QUIRKS = {
    # nca's Peer model has no pod IPs: an ipBlock only ever matches IP ranges, never a pod,
    # even when the CIDR contains the pod's status.podIP.
    QUIRK_IPBLOCK: "ipBlock peer matching a pod IP: nca ignores pod IPs",
    # K8sPolicyYamlParser.parse_label_selector_requirement: Exists/DoesNotExist in a peer's podSelector
    # are evaluated with get_peers_with_key(self.namespace, ...), i.e. only against pods of the
    # policy's own namespace, so a namespaceSelector + podSelector{Exists|DoesNotExist} peer never
    # matches pods of other namespaces (In/NotIn have no such restriction).
    QUIRK_KEY_OPS: "Exists/DoesNotExist podSelector across namespaces: nca matches only the policy's namespace",
}


class Reference:
    """Literal NetworkPolicy semantics over the objects, for classifying disagreements.

    ``quirks`` (a subset of QUIRKS) switches on nca's modelling differences, so that
    ``connection(s, d, quirks)`` predicts what nca prints.
    """

    def __init__(self, cluster_docs: list[dict], policy_docs: list[dict]):
        ns_labels = {}
        for d in cluster_docs:
            if d["kind"] == "Namespace":
                name = d["metadata"]["name"]
                ns_labels[name] = {"kubernetes.io/metadata.name": name, **(d["metadata"].get("labels") or {})}
        self.pods: dict[str, Pod] = {}
        for d in cluster_docs:
            if d["kind"] != "Pod":
                continue
            md = d["metadata"]
            ns = md.get("namespace", "default")
            ports = {}
            for c in d["spec"].get("containers", []):
                for p in c.get("ports") or []:
                    if p.get("name"):
                        ports[(p["name"], p.get("protocol", "TCP"))] = p["containerPort"]
            ip = (d.get("status") or {}).get("podIP")
            self.pods[f"{ns}/{md['name']}"] = Pod(
                f"{ns}/{md['name']}", ns, md.get("labels") or {},
                ns_labels.get(ns, {"kubernetes.io/metadata.name": ns}),
                ipaddress.ip_address(ip) if ip else None, ports)
        # policies per namespace: (name, podSelector, types, inferred, ingress rules, egress rules)
        self.policies: dict[str, list[tuple]] = defaultdict(list)
        for d in policy_docs:
            if d["kind"] != "NetworkPolicy":
                continue
            md, spec = d["metadata"], d["spec"]
            ns = md.get("namespace", "default")
            name = f"{ns}/{md['name']}"
            types, inferred = policy_types(spec)
            rules = {}
            for direction, peers_key in (("ingress", "from"), ("egress", "to")):
                rules[direction] = [
                    Rule(name, direction, i, r.get(peers_key) or None, r.get("ports") or None, ns, inferred)
                    for i, r in enumerate(spec.get(direction) or [])]
            self.policies[ns].append((name, spec.get("podSelector") or {}, types, inferred,
                                      rules["ingress"], rules["egress"]))
        self._nets: dict[str, ipaddress.IPv4Network] = {}

    def _net(self, cidr: str):
        n = self._nets.get(cidr)
        if n is None:
            n = self._nets[cidr] = ipaddress.ip_network(cidr)
        return n

    # -- matching
    def peer_matches(self, peer: dict, policy_ns: str, other: Pod, quirks: frozenset = frozenset()) -> bool:
        if "ipBlock" in peer:
            if QUIRK_IPBLOCK in quirks or other.ip is None:
                return False
            ib = peer["ipBlock"]
            if other.ip not in self._net(ib["cidr"]):
                return False
            return not any(other.ip in self._net(e) for e in ib.get("except") or [])
        if "namespaceSelector" in peer:
            if not _sel_matches(peer["namespaceSelector"], other.ns_labels):
                return False
        elif other.ns != policy_ns:
            return False
        key_ops_ok = QUIRK_KEY_OPS not in quirks or other.ns == policy_ns
        return _sel_matches(peer.get("podSelector"), other.labels, key_ops_ok)

    @staticmethod
    def rule_ports(rule: Rule, dst: Pod) -> Conn:
        if not rule.ports:
            return all_conn()
        c = empty_conn()
        for p in rule.ports:
            proto = p.get("protocol", "TCP")
            port = p.get("port")
            if port is None:
                rs: Ranges = ALL_PORTS
            elif isinstance(port, int):
                rs = ((port, p.get("endPort", port)),)
            else:
                num = dst.ports.get((port, proto))
                rs = ((num, num),) if num else ()
            c[proto] = r_union(c[proto], rs)
        return c

    def side(self, direction: str, subject: Pod, other: Pod, dst: Pod, quirks: frozenset = frozenset()
             ) -> tuple[Conn, list[tuple[Rule, Conn, bool]]]:
        """Allowed traffic on one side, and the matching rules: (rule, its ports, only via an ipBlock)."""
        ptype = "Ingress" if direction == "ingress" else "Egress"
        selecting = [p for p in self.policies.get(subject.ns, [])
                     if ptype in p[2] and _sel_matches(p[1], subject.labels)]
        if not selecting:
            return all_conn(), []
        allowed, matched = empty_conn(), []
        for _name, _sel, _types, _inf, ingress, egress in selecting:
            for rule in (ingress if direction == "ingress" else egress):
                if rule.peers is None:
                    hit, via_ip = True, False
                else:
                    hits = [pe for pe in rule.peers if self.peer_matches(pe, rule.policy_ns, other, quirks)]
                    hit = bool(hits)
                    via_ip = hit and all("ipBlock" in pe for pe in hits)
                if hit:
                    ports = self.rule_ports(rule, dst)
                    allowed = c_union(allowed, ports)
                    matched.append((rule, ports, via_ip))
        return allowed, matched

    def connection(self, src: str, dst: str, quirks: Iterable[str] = ()) -> Conn:
        quirks = frozenset(quirks)
        s, d = self.pods[src], self.pods[dst]
        ing, _ = self.side("ingress", d, s, d, quirks)
        eg, _ = self.side("egress", s, d, d, quirks)
        return c_inter(ing, eg)

    def deciding_rules(self, src: str, dst: str, quirks: Iterable[str] = ()) -> list[tuple[Rule, Conn, bool]]:
        """Rules that match the pair (on either side), with their ports and whether only via an ipBlock."""
        quirks = frozenset(quirks)
        s, d = self.pods[src], self.pods[dst]
        _, m1 = self.side("ingress", d, s, d, quirks)
        _, m2 = self.side("egress", s, d, d, quirks)
        return m1 + m2


# ------------------------------------------------------------------ classes
CLASS_OURS = "netpol-kernel differs from the reference semantics (nca agrees with it)"
CLASS_BOTH = "both tools differ from the reference semantics"
CLASS_NCA_OTHER = "nca differs from the reference semantics, no known nca quirk explains it"
CLASS_UNKNOWN = "other (pair not in the generated objects)"


def rule_features(rule: Rule) -> list[str]:
    f = []
    for pe in rule.peers or []:
        if "ipBlock" in pe:
            f.append("ipBlock")
        for k in ("podSelector", "namespaceSelector"):
            for e in (pe.get(k) or {}).get("matchExpressions") or []:
                f.append(f"{k} {e['operator']}")
        if "podSelector" in pe and "namespaceSelector" in pe:
            f.append("AND peer")
    if rule.peers is None:
        f.append("any peer")
    for p in rule.ports or []:
        if isinstance(p.get("port"), str):
            f.append("named port")
        if "endPort" in p:
            f.append("endPort")
        if p.get("protocol") in ("UDP", "SCTP"):
            f.append(p["protocol"])
    if rule.types_inferred:
        f.append("policyTypes inferred")
    return sorted(set(f))


@dataclass
class Disagreement:
    src: str
    dst: str
    ours: Conn
    nca: Conn
    reference: Conn | None
    cls: str
    detail: str
    port: tuple[str, int] | None  # one (protocol, port) where the tools differ
    rules: list[str] = field(default_factory=list)  # 'ns/policy ingress[i]' deciding the differing ports
    culprits: list[str] = field(default_factory=list)  # the rules nca does not match (quirk classes)


PREFERRED_PORTS = {"TCP": (8080, 80, 443, 5432, 6379, 9090, 53), "UDP": (53, 5060), "SCTP": (2905, 3868)}


def first_port(diff: Conn) -> tuple[str, int] | None:
    """One (protocol, port) of a non-empty Conn: a familiar port when the set has one, else its lowest."""
    for p in PROTOCOLS:
        for port in PREFERRED_PORTS[p]:
            if any(lo <= port <= hi for lo, hi in diff[p]):
                return p, port
    for p in PROTOCOLS:
        if diff[p]:
            return p, diff[p][0][0]
    return None


def _quirk_sets() -> list[frozenset]:
    names = sorted(QUIRKS)
    out = [frozenset([q]) for q in names]
    out += [frozenset([a, b]) for i, a in enumerate(names) for b in names[i + 1:]]
    out.append(frozenset(names))
    seen, res = set(), []
    for q in out:
        if q not in seen:
            seen.add(q)
            res.append(q)
    return res


def quirk_class(quirks: frozenset) -> str:
    return " + ".join(QUIRKS[q] for q in sorted(quirks))


def classify(ref: Reference | None, src: str, dst: str, ours: Conn, nca: Conn) -> Disagreement:
    """Sort one disagreeing pair into a class.

    The reference gives the plain semantics (``std``). If netpol-kernel agrees with it, the
    smallest set of known nca quirks that reproduces nca's answer names the class. Otherwise the
    class says who departs from the reference; the detail lists the rules deciding the
    differing ports and their features (named port, endPort, DoesNotExist, ...).
    """
    only_ours, only_nca = c_sub(ours, nca), c_sub(nca, ours)
    port = first_port(only_ours) or first_port(only_nca)
    if ref is None or src not in ref.pods or dst not in ref.pods:
        return Disagreement(src, dst, ours, nca, None, CLASS_UNKNOWN, "pair not in the generated objects", port)
    std = ref.connection(src, dst)
    diff = c_union(only_ours, only_nca)
    rules = [(r, p, ip) for r, p, ip in ref.deciding_rules(src, dst) if not c_empty(c_inter(p, diff))]
    names = sorted({f"{r.policy} {r.direction}[{r.index}]" for r, _, _ in rules})
    feats = sorted({f for r, _, _ in rules for f in rule_features(r)})
    detail = (f"deciding rules: {', '.join(names[:3])}{' ...' if len(names) > 3 else ''}"
              f"; features: {', '.join(feats) or '-'}")
    if ours == std:
        for quirks in _quirk_sets():
            if ref.connection(src, dst, quirks) == nca:
                # the culprits: rules that match the pair, but not once nca's quirks are applied
                still = {(r.policy, r.direction, r.index) for r, _, _ in ref.deciding_rules(src, dst, quirks)}
                culprits = sorted({f"{r.policy} {r.direction}[{r.index}]" for r, _, _ in rules
                                   if (r.policy, r.direction, r.index) not in still})
                detail = (f"{src} ({ref.pods[src].ip}) -> {dst} ({ref.pods[dst].ip}): {fmt_conn(diff)} "
                          f"is allowed only by rule(s) nca does not match here: {', '.join(culprits[:3]) or '-'}")
                return Disagreement(src, dst, ours, nca, std, quirk_class(quirks), detail, port,
                                    names, culprits)
        return Disagreement(src, dst, ours, nca, std, CLASS_NCA_OTHER, detail, port, names)
    if any(nca == ref.connection(src, dst, q) for q in [frozenset()] + _quirk_sets()):
        return Disagreement(src, dst, ours, nca, std, CLASS_OURS, detail, port, names)
    return Disagreement(src, dst, ours, nca, std, CLASS_BOTH, detail, port, names)


def group(disagreements: Iterable[Disagreement]) -> dict[str, list[Disagreement]]:
    """Classes, largest first."""
    out: dict[str, list[Disagreement]] = defaultdict(list)
    for d in disagreements:
        out[d.cls].append(d)
    return dict(sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def simplest(items: list[Disagreement]) -> Disagreement:
    """The example easiest to read: fewest culprit rules, then fewest deciding rules, then by name."""
    return min(items, key=lambda d: (len(d.culprits) or 99, len(d.rules), d.src, d.dst))


def iter_pod_keys(cluster_docs: list[dict]) -> Iterator[str]:
    for d in cluster_docs:
        if d["kind"] == "Pod":
            yield f"{d['metadata'].get('namespace', 'default')}/{d['metadata']['name']}"
