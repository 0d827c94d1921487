"""Validation's shortcuts change nothing: same errors, same paths, same order.

Validation answers the common, valid case early: a path-free pre-check before
strict decoding walks a subtree (``schema._Obj.clean`` ...), precompiled
patterns before the name rules word their messages (``names._plain_*``) and a
cache of valid label pairs (``meta._label_ok``).  These tests run
:func:`validate` with every shortcut switched off and compare, and pin the
edges the shortcuts must not cross.
"""
from __future__ import annotations

import contextlib
import copy
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_kernel.api.manifests import load_path
from netpol_kernel.api.validation import SUPPORTED_KINDS, meta, names, schema, validate

from junk import SEEDS, paths


@contextlib.contextmanager
def shortcuts_off():
    with contextlib.ExitStack() as stack:
        for cls in (schema._Obj, schema._List, schema._Map):
            stack.enter_context(mock.patch.object(cls, "clean", lambda self, value: False))
        for name in ("_plain_dns_label", "_plain_subdomain", "_plain_qualified_name", "_plain_label_value",
                     "_plain_port_name"):
            stack.enter_context(mock.patch.object(names, name, lambda value: None))
        stack.enter_context(mock.patch.object(meta, "_label_ok", lambda key, value: False))
        yield


def rendered(obj) -> list[tuple[str, str, str]]:
    return [(e.path, e.type, str(e)) for e in validate(obj)]


def assert_same_as_slow(obj) -> None:
    fast = rendered(obj)
    with shortcuts_off():
        slow = rendered(obj)
    assert fast == slow


# --- generated objects: valid ones with junk swapped in -----------------------------------------

CORPUS = Path(__file__).parent.parent / "corpus"
SCALARS = st.sampled_from([None, "", 0, 1, -1, 80, 80.0, 80.5, 70000, True, False, "x", "X", "a-", "a--b", "1-2",
                           "http", "abcdefghijklmno", "abcdefghijklmnop", "a" * 63, "a" * 64, "Bad_Name", "a/b",
                           "a/b/c", "example.com/x", "Example.com/x", "TCP", "tcp", "In", "Exists", "Ingress",
                           "10.0.0.1", "300.1.1.1", "::1", "10.0.0.0/8", "10.0.0.0/33", "None"])
KEYS = st.sampled_from(["name", "port", "protocol", "endPort", "labels", "matchLabels", "containerPort", "hostPort",
                        "ports", "podSelector", "ipBlock", "cidr", "except", "values", "key", "operator", "nme",
                        "selector", "template", "image", "data", 0, True])
JUNK = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
                    max_leaves=12)


@st.composite
def damaged(draw) -> dict:
    obj = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([p for p in paths(obj) if p and p[0] not in ("apiVersion", "kind")]))
        node = obj
        for step in path[:-1]:
            node = node[step]
        if isinstance(node[path[-1]], dict) and draw(st.booleans()):
            node[path[-1]][draw(KEYS)] = draw(JUNK)  # an extra (maybe unknown, maybe non-string) key
        else:
            node[path[-1]] = draw(JUNK)
    return obj


@st.composite
def typed_junk(draw) -> dict:
    api, kind = draw(st.sampled_from(SUPPORTED_KINDS))
    obj = draw(st.dictionaries(st.sampled_from(["metadata", "spec", "status", "data"]), JUNK, max_size=3))
    obj.update(apiVersion=api, kind=kind)
    return obj


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged() | typed_junk())
def test_shortcuts_change_no_error(obj):
    assert_same_as_slow(obj)


def test_shortcuts_change_nothing_on_the_corpus():
    for path in sorted((CORPUS / "invalid").iterdir()) + sorted((CORPUS / "valid").iterdir()):
        try:
            docs = load_path(path)
        except ValueError:
            continue  # not YAML, or no kind: rejected before validation
        for doc in docs:
            assert_same_as_slow(doc.obj)


# --- the edges of each shortcut ---------------------------------------------------------------------

def check_pod(labels=None, ports=None) -> dict:
    container = {"name": "c", "image": "nginx", **({"ports": ports} if ports is not None else {})}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", **({"labels": labels} if labels else {})},
            "spec": {"containers": [container]}}


def test_integral_float_passes_and_bool_fails_an_integer_field():
    # Neither is an int by type: both go the long way, where 80.0 is an integer and true is not.
    assert rendered(check_pod(ports=[{"containerPort": 80.0}])) == []
    assert [s for *_, s in rendered(check_pod(ports=[{"containerPort": True}]))] == [
        "spec.containers[0].ports[0].containerPort: Invalid value: true: must be an integer (got bool true)"]


def test_unknown_field_deep_in_an_otherwise_clean_object():
    assert [s for *_, s in rendered(check_pod(ports=[{"containerPort": 80, "nme": "x"}]))] == [
        'unknown field "spec.containers[0].ports[0].nme"']


def test_port_name_edges():
    ports = [{"containerPort": i + 1, "name": n}
             for i, n in enumerate(["a-b", "ab-", "1-2", "abcdefghijklmno", "abcdefghijklmnop", "a-b"])]
    assert [s for *_, s in rendered(check_pod(ports=ports))] == [
        'spec.containers[0].ports[1].name: Invalid value: "ab-": must not begin or end with a hyphen',
        'spec.containers[0].ports[2].name: Invalid value: "1-2": must contain at least one letter (a-z)',
        'spec.containers[0].ports[4].name: Invalid value: "abcdefghijklmnop": must be no more than 15 characters',
        'spec.containers[0].ports[5].name: Duplicate value: "a-b"']


def test_label_edges():
    labels = {True: "x", 0: "y", "a" * 63: "v", "b" * 64: "v", "ok": "c" * 64, "k": 7, "example.com/x": "v"}
    assert [s for *_, s in rendered(check_pod(labels=labels))] == [
        "metadata.labels.k: Invalid value: 7: must be a string (got number 7)",
        f'metadata.labels: Invalid value: "{"b" * 64}": name part must be no more than 63 characters',
        f'metadata.labels: Invalid value: "{"c" * 64}": must be no more than 63 characters']
    # the same pair again, now answered from the cache, still reports
    first = rendered(check_pod(labels={"b" * 64: "v"}))
    assert first and rendered(check_pod(labels={"b" * 64: "v"})) == first
