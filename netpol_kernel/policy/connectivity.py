"""Every pair at once: the ports allowed for all ordered pairs of pods.

Per direction, the pods a policy rule applies to (destinations for ingress,
sources for egress) are grouped by the exact set of rules that apply to them.
Each group splits the other pods into parts by which of those rules' peers hold
them; a part is summed up as a mask of the rules' port lists (-1: not isolated,
all ports).  A pair's ports are then one lookup on (ingress part, egress part),
computed once per distinct key from interned per-side port sets.  It reads the
very pod sets :class:`~netpol_kernel.policy.engine.Engine` compiled for single verdicts,
and ``tests/test_engine.py`` checks both against an independent oracle.

>>> from netpol_kernel.policy.objects import Pod, Labels, NetworkPolicy, LabelSelector, Rule, Peer, PolicyPort
>>> from netpol_kernel.policy.engine import Engine
>>> pods = [Pod("fe", "default", Labels({"app": "fe"})), Pod("be", "default", Labels({"app": "be"}))]
>>> allow = NetworkPolicy("be", "default", LabelSelector(Labels({"app": "be"})), ("Ingress",),
...     (Rule((Peer(LabelSelector(Labels({"app": "fe"}))),), (PolicyPort("TCP", 8080),)),))
>>> [(s, d, str(ps)) for s, d, ps in connectivity(Engine([], pods, [allow])).pairs()]
[('default/fe', 'default/be', 'TCP 8080'), ('default/be', 'default/fe', 'All connections')]
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Iterable, Optional, Protocol, Sequence, Union

from .objects import Pod, PolicyPort
from .podsets import members, union
from .portset import PortSet

__all__ = ["Connectivity", "CompiledPolicies", "connectivity", "matrix_allowed"]


class CompiledPolicies(Protocol):
    """What all-pairs needs from :class:`~netpol_kernel.policy.engine.Engine`: its pods and,
    per direction, the isolated pods and each rule's (subjects, peers, ports) as pod sets.

    A protocol, so this module needs nothing from the engine module that calls it.
    """

    @property
    def pods(self) -> Sequence[Pod]: ...

    def compiled_rules(self, direction: str) -> tuple[int, list[tuple[int, int, tuple[PolicyPort, ...]]]]: ...


@dataclass(frozen=True)
class Connectivity:
    """Allowed ports for every ordered pair (see the module docstring).

    ``rows[i][j]`` indexes ``combos`` for pods ``i -> j``; identical rows are shared.
    """

    pods: tuple[str, ...]
    rows: tuple[tuple[int, ...], ...]
    combos: tuple[PortSet, ...]

    def ports(self, src: str, dst: str) -> PortSet:
        i, j = self.pods.index(src), self.pods.index(dst)
        return self.combos[self.rows[i][j]]

    def pairs(self) -> Iterable[tuple[str, str, PortSet]]:
        for i, s in enumerate(self.pods):
            row = self.rows[i]
            for j, d in enumerate(self.pods):
                if i != j:
                    yield s, d, self.combos[row[j]]


def connectivity(engine: CompiledPolicies) -> Connectivity:
    """Allowed ports, per protocol, for every ordered pair of ``engine``'s pods (see above)."""
    n = len(engine.pods)
    everyone = (1 << n) - 1
    specs: dict[tuple[PolicyPort, ...], int] = {}  # a rule's ports -> its bit in a mask
    named: dict[tuple, int] = {}  # a pod's named ports -> id: ports resolve on the destination
    npk = [named.setdefault(p.named_ports, len(named)) for p in engine.pods]
    rep: dict[int, Pod] = {}  # one pod per named-port profile
    by_npk: dict[int, int] = {}  # profile -> its pods
    for j, k in enumerate(npk):
        rep.setdefault(k, engine.pods[j])
        by_npk[k] = by_npk.get(k, 0) | 1 << j

    def split(direction: str, start: dict) -> tuple[list[int], list[dict]]:
        """Group the subjects of ``direction``; per group, the other pods' parts."""
        isolated, compiled = engine.compiled_rules(direction)
        rules = [(subjects, peers, 1 << specs.setdefault(ports, len(specs)))  # the port list as a mask bit
                 for subjects, peers, ports in compiled]
        applies = [0] * n  # subject -> mask of the rules that select it
        for r, (subjects, _, _) in enumerate(rules):
            for j in members(subjects):
                applies[j] |= 1 << r
        groups: dict[int, int] = {}
        group_of = [groups.setdefault(applies[j] if isolated >> j & 1 else -1, len(groups))
                    for j in range(n)]
        parts_of = []
        for rule_mask in groups:
            if rule_mask == -1:
                parts_of.append({(-1, key[1]): pods for key, pods in start.items()})
                continue
            parts = dict(start)  # (spec mask, tag) -> pods
            for r in members(rule_mask):
                _, peers, bit = rules[r]
                new: dict = {}
                for (mask, tag), pods in parts.items():
                    inside = pods & peers
                    if inside:
                        new[mask | bit, tag] = new.get((mask | bit, tag), 0) | inside
                    if pods ^ inside:
                        new[mask, tag] = new.get((mask, tag), 0) | (pods ^ inside)
                parts = new
            parts_of.append(parts)
        return group_of, parts_of

    def labels(parts_of: list[dict], ids: dict, scale: int = 1) -> list[list[int]]:
        """Per group, a list over the other pods: the id (times ``scale``) of their part."""
        out = []
        for parts in parts_of:
            keyed = sorted(parts.items(), key=lambda kv: -kv[1].bit_count())
            lab = [ids.setdefault(keyed[0][0], len(ids)) * scale] * n  # biggest part first
            for key, pods in keyed[1:]:
                v = ids.setdefault(key, len(ids)) * scale
                for i in members(pods):
                    lab[i] = v
            out.append(lab)
        return out

    # Egress parts are over destinations, so they also carry the destination's
    # named-port profile; ingress parts (over sources) do not need it.
    eg_group, eg_parts = split("Egress", {(0, k): pods for k, pods in by_npk.items()} if n else {})
    eg_ids: dict[tuple[int, int], int] = {}
    eg_lab = labels(eg_parts, eg_ids)
    width = len(eg_ids) or 1
    in_group, in_parts = split("Ingress", {(0, 0): everyone} if n else {})
    in_ids: dict[tuple[int, int], int] = {}
    in_by_source = list(zip(*labels(in_parts, in_ids, width))) or [()] * n
    table = _PairTable(specs, rep, [k for k, _ in in_ids], list(eg_ids), width)

    # For the sources of one egress group, destinations with the same (ingress group,
    # egress part) are alike: work out one value per such column class, then spread it.
    columns: dict[int, tuple[list[int], tuple[int, ...], tuple[int, ...]]] = {}
    rows: list[tuple[int, ...]] = []
    seen: dict[tuple, tuple[int, ...]] = {}
    for s in range(n):
        ins, eg = in_by_source[s], eg_group[s]
        row = seen.get((eg, ins))
        if row is None:
            if eg not in columns:
                kinds = dict.fromkeys(zip(in_group, eg_lab[eg]))  # (ingress group, egress part)
                index = {k: i for i, k in enumerate(kinds)}
                column_class = list(map(index.__getitem__, zip(in_group, eg_lab[eg])))
                columns[eg] = (column_class, *zip(*kinds)) if kinds else ([], (), ())
            column_class, in_groups, eg_parts_ = columns[eg]
            # pair key = ingress part id * width + egress part id, one per column class
            keys = map(operator.add, map(ins.__getitem__, in_groups), eg_parts_)
            values = list(map(table.__getitem__, keys))
            row = seen[eg, ins] = tuple(map(values.__getitem__, column_class))
        rows.append(row)
    return Connectivity(tuple(p.key for p in engine.pods), tuple(rows), tuple(table.combos.values))


def matrix_allowed(engine: CompiledPolicies, port: Union[int, str], protocol: str = "TCP",
                   conn: Optional[Connectivity] = None) -> list[list[bool]]:
    """N x N reachability on one port, as ``m[src][dst]`` (names resolved on each destination)."""
    conn = conn or connectivity(engine)
    if isinstance(port, str):
        dst_port = [p.named_port(port, protocol) or 0 for p in engine.pods]
    else:
        dst_port = [int(port)] * len(engine.pods)
    ok = {pt: [pt != 0 and ps.contains(protocol, pt) for ps in conn.combos] for pt in set(dst_port)}
    if len(ok) == 1:
        only = next(iter(ok.values()))
        return [list(map(only.__getitem__, row)) for row in conn.rows]
    return [[ok[pt][c] for c, pt in zip(row, dst_port)] for row in conn.rows]


class _PairTable(dict):
    """pair key -> index into ``combos``; a missing key computes its ports once.

    Thousands of (ingress mask, egress mask) pairs come down to a few dozen
    distinct port sets per side, so sides are interned and each pair of distinct
    sides is intersected once.
    """

    def __init__(self, specs: dict, rep: dict, in_masks: list, eg_keys: list, width: int):
        super().__init__()
        self.spec_list = list(specs)
        self.rep, self.in_masks, self.eg_keys, self.width = rep, in_masks, eg_keys, width
        # Specs naming a port depend on the destination; masks without one do not.
        self.named = union(1 << q for q, ports in enumerate(self.spec_list)
                            if any(isinstance(pp.port, str) for pp in ports))
        self.specs: dict[tuple[int, Optional[int]], PortSet] = {}
        self.side_ids: dict[tuple[int, Optional[int]], int] = {}  # (mask, profile) -> side id
        self.sides = _Interned()
        self.by_sides: dict[tuple[int, int], int] = {}  # (ingress side, egress side) -> combo id
        self.combos = _Interned()

    def side(self, mask: int, profile: Optional[int]) -> int:
        """The ports a mask of rules allows towards a destination with this named-port
        profile (-1: not isolated, all ports), as an interned id."""
        if mask == -1 or not mask & self.named:
            profile = None
        sid = self.side_ids.get((mask, profile))
        if sid is None:
            ps = PortSet.all() if mask == -1 else PortSet.union(self.spec(q, profile) for q in members(mask))
            sid = self.side_ids[mask, profile] = self.sides.id(ps)
        return sid

    def spec(self, q: int, profile: Optional[int]) -> PortSet:
        """One rule's port list, resolved on a destination with this named-port profile."""
        got = self.specs.get((q, profile))
        if got is None:
            ports, dst = self.spec_list[q], self.rep.get(profile)
            got = self.specs[q, profile] = PortSet.union(
                PortSet.of(pp.protocol, *pp.ranges_on(dst)) for pp in ports) if ports else PortSet.all()
        return got

    def __missing__(self, key: int) -> int:
        in_id, eg_id = divmod(key, self.width)
        eg_mask, profile = self.eg_keys[eg_id]
        sides = (self.side(self.in_masks[in_id], profile), self.side(eg_mask, profile))
        cid = self.by_sides.get(sides)
        if cid is None:
            ps = self.sides.values[sides[0]] & self.sides.values[sides[1]]
            cid = self.by_sides[sides] = self.combos.id(ps)
        self[key] = cid
        return cid


class _Interned(dict):
    """value -> id, numbered in order of first sight; ``values[id]`` gives it back."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list = []

    def id(self, value) -> int:
        got = self.get(value)
        if got is None:
            got = self[value] = len(self.values)
            self.values.append(value)
        return got
