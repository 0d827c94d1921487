"""Pod sets as int bits: selectors over all pods at once, pods in an address range."""
from __future__ import annotations

import ipaddress

from netpol_kernel.policy.objects import Labels, LabelSelector, Pod, Requirement
from netpol_kernel.policy.podsets import AddressIndex, LabelTable, members, union

ROWS = [{"app": "db", "tier": "back"}, {"app": "web"}, {}, {"tier": ""}]


def selector(**labels: str) -> LabelSelector:
    return LabelSelector(Labels(labels))


def expr(key: str, op: str, *values: str) -> LabelSelector:
    return LabelSelector(Labels(), (Requirement(key, op, frozenset(values)),))


def matched(sel: LabelSelector) -> list[int]:
    return members(LabelTable(ROWS).match(sel))


def test_each_operator_matches_the_rows_requirement_test_accepts():
    assert matched(selector()) == [0, 1, 2, 3]  # the empty selector: everything
    assert matched(selector(app="db")) == [0]
    assert matched(expr("app", "In", "db", "web")) == [0, 1]
    assert matched(expr("app", "NotIn", "db")) == [1, 2, 3]  # an absent key satisfies NotIn
    assert matched(expr("tier", "Exists")) == [0, 3]  # an empty value still exists
    assert matched(expr("tier", "DoesNotExist")) == [1, 2]
    assert matched(expr("nokey", "DoesNotExist")) == [0, 1, 2, 3]
    assert matched(expr("nokey", "In", "x")) == []
    assert matched(LabelSelector(Labels({"app": "db"}), (Requirement("tier", "In", frozenset({"back"})),))) == [0]


def test_table_and_per_row_matching_agree_on_every_selector_here():
    sels = [selector(), selector(app="db"), expr("tier", "Exists"), expr("tier", "NotIn", ""),
            expr("app", "DoesNotExist"), expr("x", "NotIn", "y")]
    for sel in sels:
        assert matched(sel) == [i for i, row in enumerate(ROWS) if sel.matches(row)], str(sel)


def test_no_rows():
    assert LabelTable([]).match(selector()) == 0


def test_members_and_union():
    assert members(0) == []
    wide = 1 << 4999 | 1 << 64 | 1
    assert members(wide) == [0, 64, 4999]
    assert members((1 << 200) - 1) == list(range(200))
    assert union([]) == 0 and union([0b1, 0b100, 0b1]) == 0b101


def _pod(name: str, ip: str | None) -> Pod:
    return Pod(name, "default", Labels(), ip=ip)


def _range(cidr: str) -> tuple[int, int, int]:
    net = ipaddress.ip_network(cidr)
    return net.version, int(net.network_address), int(net.broadcast_address)


def test_address_ranges_include_both_ends_and_pods_sharing_an_address():
    pods = [_pod("a", "10.0.0.0"), _pod("b", "10.0.0.255"), _pod("c", "10.0.1.0"), _pod("d", None),
            _pod("e", "10.0.0.255"), _pod("f", "fd00::1"), _pod("g", "9.255.255.255")]
    idx = AddressIndex(pods)
    assert members(idx.between(*_range("10.0.0.0/24"))) == [0, 1, 4]
    assert members(idx.between(*_range("10.0.0.255/32"))) == [1, 4]
    assert members(idx.between(*_range("0.0.0.0/0"))) == [0, 1, 2, 4, 6]  # IPv4 only; d has no address
    assert members(idx.between(*_range("fd00::/64"))) == [5]
    assert idx.between(*_range("192.168.0.0/16")) == 0


def test_address_index_without_pods_of_a_version():
    assert AddressIndex([_pod("a", "10.0.0.1")]).between(*_range("fd00::/8")) == 0
    assert AddressIndex([]).between(*_range("0.0.0.0/0")) == 0
