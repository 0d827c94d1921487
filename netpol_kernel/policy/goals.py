"""Intended connectivity (a goal), and the first flow where policies depart from it.

A goal says which pairs of pods it speaks about (its *scope*: "everything into
backend", "everything out of not-frontend") and, within that scope, which
flows are allowed, on which ports and protocols; every other flow in scope is
meant to be blocked, and every pair outside the scope is meant to stay as it
was before the answer. :func:`grade` compares the allowed port sets of every
ordered pair of pods (all 65,535 ports of TCP, UDP and SCTP, so a port nobody
mentions counts too) with the goal's, through the engine's all-pairs
connectivity, and returns the first counter-example with the engine's verdict
for it, so the explanation and the grade never disagree.

>>> from netpol_kernel.policy.objects import Pod, Labels, NetworkPolicy, LabelSelector, Rule, Peer
>>> pods = [Pod("fe", "default", Labels({"app": "fe"})), Pod("be", "default", Labels({"app": "be"}))]
>>> goal = Goal(scope=(Flow("*", "be"),), allow=(Flow("fe", "be", "8080"),))
>>> g = grade(goal, pods, [], [], [], "default")
>>> g.correct, g.wrong, g.total
(False, 1, 2)
>>> print(g.counterexample.sentence("default"))
fe -> be on TCP/1 is allowed, but the goal blocks it.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Optional, Sequence

from .engine import Engine, Verdict
from .objects import Namespace, NetworkPolicy, Pod, Service, PROTOCOLS
from .portset import PortSet

__all__ = ["Flow", "Goal", "Grade", "Mismatch", "grade", "short_name", "ports_on"]

_HASH_LABEL = "pod-template-hash"  # set by the Deployment controller on its pods
_PORT_SPEC = re.compile(r"^(?:(\d+)(?:-(\d+))?|([a-z0-9-]+))(?:/(TCP|UDP|SCTP))?$")


def short_name(pod: Pod) -> str:
    """The name a reader knows a pod by: a Deployment's pod is named after the Deployment.

    >>> from netpol_kernel.policy.objects import Labels
    >>> short_name(Pod("backend-6c9b8f7d4-x2k9p", "ns", Labels({"pod-template-hash": "6c9b8f7d4"})))
    'backend'
    """
    h = pod.labels.get(_HASH_LABEL)
    if h and f"-{h}-" in pod.name:
        return pod.name.rsplit(f"-{h}-", 1)[0]
    return pod.name


def ports_on(spec: str, dst: Pod) -> PortSet:
    """The ports a spec names on ``dst``: ``*``, ``8080``, ``53/UDP``, ``30000-30010``, or a
    container port name (``http``), resolved on the destination as NetworkPolicy does.

    >>> str(ports_on("53/UDP", Pod("x", "ns"))), str(ports_on("*", Pod("x", "ns")))
    ('UDP 53', 'All connections')
    """
    if spec == "*":
        return PortSet.all()
    out = []
    for part in spec.split(","):
        m = _PORT_SPEC.match(part.strip())
        if not m:
            raise ValueError(f"not a port spec: {part!r} (like 8080, 53/UDP, 30000-30010, http)")
        lo, hi, name, proto = m.groups()
        proto = proto or "TCP"
        if name is not None:
            n = dst.named_port(name, proto)
            if n is not None:
                out.append(PortSet.of(proto, (n, n)))
        else:
            out.append(PortSet.of(proto, (int(lo), int(hi or lo))))
    return PortSet.union(out) if out else PortSet()


@dataclass(frozen=True)
class Flow:
    """Pods matching ``src`` to pods matching ``dst`` on ``ports``.

    Patterns are shell globs over ``namespace/name`` (a pod of a Deployment is
    named after it); a pattern without ``/`` means the exercise's own namespace.
    """

    src: str
    dst: str
    ports: str = "*"

    @staticmethod
    def _match(pattern: str, pod: Pod, home: str) -> bool:
        full = (pattern if "/" in pattern else f"{home}/{pattern}").replace("{ns}", home)
        return fnmatch.fnmatchcase(f"{pod.namespace}/{short_name(pod)}", full)

    def covers(self, src: Pod, dst: Pod, home: str) -> bool:
        return self._match(self.src, src, home) and self._match(self.dst, dst, home)

    def text(self, home: str = "{ns}") -> str:
        ports = "any port" if self.ports == "*" else self.ports.replace(",", ", ")
        return f"{_words(self.src, home)} -> {_words(self.dst, home)} on {ports}"


def _words(pattern: str, home: str) -> str:
    """A pattern as a reader says it: ``*/*`` is any pod, ``ns/*`` any pod in ns."""
    pattern = pattern.replace("{ns}", home)
    if pattern == "*/*":
        return "any pod"
    if pattern == "*":
        return "any pod of this namespace"
    if pattern.endswith("/*"):
        return f"any pod in {pattern[:-2]}"
    return pattern


@dataclass(frozen=True)
class Goal:
    """Within ``scope``, exactly the ``allow`` flows; outside it, what was there before."""

    scope: tuple[Flow, ...]
    allow: tuple[Flow, ...] = ()

    def in_scope(self, src: Pod, dst: Pod, home: str) -> bool:
        return any(f.covers(src, dst, home) for f in self.scope)

    def expected(self, src: Pod, dst: Pod, home: str, before: PortSet) -> PortSet:
        if not self.in_scope(src, dst, home):
            return before
        return PortSet.union([ports_on(f.ports, dst) for f in self.allow if f.covers(src, dst, home)]
                             or [PortSet()])

    def text(self, home: str = "{ns}") -> str:
        lines = ["Goal:"]
        lines += [f"  allowed: {f.text(home)}" for f in self.allow]
        lines += [f"  everything else from {_words(f.src, home)} to {_words(f.dst, home)}: blocked"
                  for f in self.scope]
        lines.append("  all other traffic: as it was")
        return "\n".join(lines)


@dataclass(frozen=True)
class Mismatch:
    """One flow where the answer and the goal disagree, with the engine's verdict for it."""

    verdict: Verdict
    src_name: str
    dst_name: str
    in_scope: bool = True  # False: a flow the goal leaves as it was, and the answer changed

    def sentence(self, home: Optional[str] = None) -> str:
        v = self.verdict
        if not self.in_scope:
            was = "blocked" if v.allowed else "allowed"
            return (f"{self.src_name} -> {self.dst_name} on {v.port_text} is "
                    f"{'allowed' if v.allowed else 'blocked'}, but it was {was} before "
                    f"and the goal leaves it alone.")
        if v.allowed:
            return f"{self.src_name} -> {self.dst_name} on {v.port_text} is allowed, but the goal blocks it."
        return f"{self.src_name} -> {self.dst_name} on {v.port_text} is blocked, but the goal allows it."


@dataclass(frozen=True)
class Grade:
    total: int  # ordered pairs of pods compared
    wrong: int  # pairs whose allowed ports differ from the goal's
    counterexample: Optional[Mismatch] = None

    @property
    def correct(self) -> bool:
        return self.wrong == 0


def _display(pod: Pod, home: str) -> str:
    name = short_name(pod)
    return name if pod.namespace == home else f"{pod.namespace}/{name}"


def _first_port(diff_a: PortSet, diff_b: PortSet, preferred: Sequence[tuple[str, int]]) -> tuple[str, int]:
    """A port in the symmetric difference of two port sets: a preferred one (a port the
    destination serves, or one the goal names) when there is one, else the lowest."""
    for proto, port in preferred:
        if diff_a.contains(proto, port) != diff_b.contains(proto, port):
            return proto, port
    for proto in PROTOCOLS:
        a, b = diff_a.ranges(proto), diff_b.ranges(proto)
        edges = sorted({lo for lo, _ in a + b} | {hi + 1 for _, hi in a + b} | {1})
        for port in edges:
            if 1 <= port <= 65535 and diff_a.contains(proto, port) != diff_b.contains(proto, port):
                return proto, port
    raise ValueError("the port sets are equal")


def grade(goal: Goal, pods: Sequence[Pod], namespaces: Sequence[Namespace], services: Sequence[Service],
          answer: Sequence[NetworkPolicy], home: str, given: Sequence[NetworkPolicy] = ()) -> Grade:
    """Compare ``given`` + ``answer`` with ``goal`` over every ordered pair of ``pods``.

    "Before" is what ``given`` alone allows. The counter-example is the first pair (in pod
    order) that differs inside the goal's scope, else the first one outside it.
    """
    before = Engine(namespaces, pods, given, services)
    after = Engine(namespaces, pods, list(given) + list(answer), services)
    conn_before, conn_after = before.connectivity(), after.connectivity()
    by_key = {p.key: p for p in after.pods}
    total = wrong = 0
    first: dict[bool, Mismatch] = {}  # in scope? -> the first mismatch of that kind
    for s, d, got in conn_after.pairs():
        src, dst = by_key[s], by_key[d]
        want = goal.expected(src, dst, home, conn_before.ports(s, d))
        total += 1
        if want == got:
            continue
        wrong += 1
        scoped = goal.in_scope(src, dst, home)
        if scoped not in first:
            preferred = [(p.protocol, p.container_port) for p in dst.ports]
            preferred += [(proto, lo) for f in goal.allow for proto in PROTOCOLS
                          for lo, _ in ports_on(f.ports, dst).ranges(proto) if not f.ports == "*"]
            proto, port = _first_port(want, got, preferred)
            first[scoped] = Mismatch(after.evaluate(s, d, port, proto), _display(src, home),
                                     _display(dst, home), scoped)
    # What the goal is about comes first; a side effect elsewhere is reported only alone.
    return Grade(total, wrong, first.get(True) or first.get(False))
