"""Sets of ports per protocol, as sorted disjoint inclusive ranges.

>>> a = PortSet.of("TCP", (80, 80), (8080, 8090))
>>> b = PortSet.of("TCP", (81, 8085))
>>> str(a & b), str(a | b)
('TCP 8080-8085', 'TCP 80-8090')
>>> PortSet.all().contains("UDP", 53)
True
>>> str(PortSet.union([a, b, PortSet.of("UDP", (53, 53))]))
'TCP 80-8090; UDP 53'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .objects import PROTOCOLS

__all__ = ["PortSet", "Ranges"]

Ranges = tuple[tuple[int, int], ...]


def _normalise(ranges: Iterable[tuple[int, int]]) -> Ranges:
    out: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


def _intersect(a: Ranges, b: Ranges) -> Ranges:
    i = j = 0
    out = []
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


@dataclass(frozen=True)
class PortSet:
    """Immutable ports per protocol (TCP, UDP, SCTP)."""

    tcp: Ranges = ()
    udp: Ranges = ()
    sctp: Ranges = ()

    @classmethod
    def of(cls, protocol: str, *ranges: tuple[int, int]) -> "PortSet":
        return cls(**{protocol.lower(): _normalise(ranges)})

    @classmethod
    def all(cls) -> "PortSet":
        full = ((1, 65535),)
        return cls(full, full, full)

    @classmethod
    def union(cls, sets: Iterable["PortSet"]) -> "PortSet":
        """The union of many sets, normalised once (cheaper than folding ``|``)."""
        sets = list(sets)
        if len(sets) == 1:
            return sets[0]
        return cls(*(_normalise([r for s in sets for r in s.ranges(p)]) for p in PROTOCOLS))

    def ranges(self, protocol: str) -> Ranges:
        return getattr(self, protocol.lower())

    def contains(self, protocol: str, port: int) -> bool:
        return any(lo <= port <= hi for lo, hi in self.ranges(protocol))

    def __or__(self, other: "PortSet") -> "PortSet":
        return PortSet(*(_normalise(self.ranges(p) + other.ranges(p)) for p in PROTOCOLS))

    def __and__(self, other: "PortSet") -> "PortSet":
        # Fast paths: most pairs have one side not isolated (all ports).
        if other == _ALL or not self:
            return self
        if self == _ALL or not other:
            return other
        return PortSet(*(_intersect(self.ranges(p), other.ranges(p)) for p in PROTOCOLS))

    def __bool__(self) -> bool:
        return bool(self.tcp or self.udp or self.sctp)

    @property
    def is_all(self) -> bool:
        return self == PortSet.all()

    def to_json(self) -> dict:
        return {p: [list(r) for r in self.ranges(p)] for p in PROTOCOLS}

    def __str__(self) -> str:
        if self.is_all:
            return "All connections"
        if not self:
            return "No connections"
        parts = []
        for p in PROTOCOLS:
            rs = self.ranges(p)
            if rs:
                parts.append(p + " " + ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in rs))
        return "; ".join(parts)


_ALL = PortSet.all()
