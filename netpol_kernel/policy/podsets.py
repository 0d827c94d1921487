"""Sets of pods as the bits of a Python int (bit i: the i-th pod).

A selector, a namespace, a peer or a policy's selected pods is one integer, so
AND, OR and NOT of pod sets are single machine-speed operations however many
pods there are.

>>> t = LabelTable([{"app": "db"}, {"app": "web"}, {}])
>>> members(t.match(LabelSelector.from_dict({"matchLabels": {"app": "web"}})))
[1]
"""
from __future__ import annotations

import bisect
import ipaddress
from typing import Iterable, Mapping, Sequence

from .objects import LabelSelector, Pod

__all__ = ["LabelTable", "AddressIndex", "members", "union"]


class LabelTable:
    """Label maps of many objects, indexed so one selector matches all rows at once.

    Rows are bits of a Python int (bit i = row i): for each label key, the rows
    carrying each value.  A requirement is tested once per distinct value.

    >>> t = LabelTable([{"app": "a"}, {"app": "b"}, {}])
    >>> bin(t.match(LabelSelector.from_dict({"matchExpressions": [
    ...     {"key": "app", "operator": "NotIn", "values": ["a"]}]})))
    '0b110'
    """

    def __init__(self, label_maps: Sequence[Mapping[str, str]]):
        self.all = (1 << len(label_maps)) - 1
        self._rows: dict[str, dict[str, int]] = {}  # key -> value -> rows with key=value
        for i, labels in enumerate(label_maps):
            bit = 1 << i
            for k, v in labels.items():
                by_value = self._rows.setdefault(k, {})
                by_value[v] = by_value.get(v, 0) | bit

    def match(self, selector: LabelSelector) -> int:
        out = self.all
        for req in selector.requirements:
            by_value = self._rows.get(req.key, {})
            rows = 0
            for value, bits in by_value.items():
                if req.test(value):
                    rows |= bits
            if req.test(None):  # rows without the key
                rows |= self.all & ~union(by_value.values())
            out &= rows
        return out


def members(bits: int) -> list[int]:
    """Indices of the set bits, ascending.

    >>> members(0b10110)
    [1, 2, 4]
    """
    # str.find skips runs of zeros at C speed; peeling bits off a wide int costs per bit.
    digits = bin(bits)[:1:-1]
    out, i = [], digits.find("1")
    while i >= 0:
        out.append(i)
        i = digits.find("1", i + 1)
    return out


def union(sets: Iterable[int]) -> int:
    """The union of pod sets.

    >>> bin(union([0b001, 0b100]))
    '0b101'
    """
    out = 0
    for s in sets:
        out |= s
    return out


class AddressIndex:
    """Pods sorted by IP, so the pods in an address range are two bisections away."""

    def __init__(self, pods: Sequence[Pod]):
        by_version: dict[int, list[tuple[int, int]]] = {}
        for i, p in enumerate(pods):
            if p.ip:
                a = ipaddress.ip_address(p.ip)
                by_version.setdefault(a.version, []).append((int(a), i))
        self._keys: dict[int, list[int]] = {}
        self._prefix: dict[int, list[int]] = {}  # pods among the first k addresses
        for version, entries in by_version.items():
            entries.sort()
            acc, prefix = 0, [0]
            for _, i in entries:
                acc |= 1 << i
                prefix.append(acc)
            self._keys[version] = [ip for ip, _ in entries]
            self._prefix[version] = prefix

    def between(self, version: int, lo: int, hi: int) -> int:
        keys, prefix = self._keys.get(version, ()), self._prefix.get(version, [0])
        return prefix[bisect.bisect_right(keys, hi)] & ~prefix[bisect.bisect_left(keys, lo)]
