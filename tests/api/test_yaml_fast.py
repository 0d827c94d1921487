"""netpol_kernel.api.manifests._Loader: the fast path builds exactly what PyYAML builds.

The reference is PyYAML's own safe loader with the same (go-yaml-like) implicit
resolvers and none of the speedups; results must match in value, type, key
order and sharing (aliases), and errors in type and message (with marks).
"""
from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_kernel.api import manifests
from netpol_kernel.errors import YAMLSyntaxError
from netpol_kernel.api.manifests import MANIFEST_SUFFIXES, load_documents

ROOT = Path(__file__).resolve().parents[2]


class _Reference(manifests._BaseLoader):  # type: ignore[misc, valid-type]
    """The loader as it was before the speedups."""

    yaml_implicit_resolvers = manifests._Loader.yaml_implicit_resolvers


def load(text: str, loader: type) -> object:
    """All documents, or the exception as (type, message)."""
    try:
        return list(yaml.load_all(text, Loader=loader))
    except Exception as exc:  # noqa: BLE001 - errors must match too, whatever they are
        return ("raised", type(exc), str(exc))


def assert_same(fast: object, ref: object) -> None:
    """Equal values of the same types, keys in the same order, same sharing."""
    pairs: dict[int, object] = {}   # id of a fast container -> its reference twin
    back: dict[int, object] = {}

    def walk(a: object, b: object) -> None:
        assert type(a) is type(b), (a, b)
        if isinstance(a, (dict, list)):
            if id(a) in pairs or id(b) in back:  # an alias (or a cycle)
                assert pairs.get(id(a)) is b and back.get(id(b)) is a
                return
            pairs[id(a)], back[id(b)] = b, a
            assert len(a) == len(b)
            if isinstance(a, dict):
                for (ka, va), (kb, vb) in zip(a.items(), b.items()):  # type: ignore[union-attr]
                    walk(ka, kb)
                    walk(va, vb)
            else:
                for x, y in zip(a, b):  # type: ignore[call-overload]
                    walk(x, y)
        elif isinstance(a, float):
            assert repr(a) == repr(b) or (math.isnan(a) and math.isnan(b))  # -0.0, nan
        elif isinstance(a, tuple):  # an error, or a !!pairs item
            assert len(a) == len(b)  # type: ignore[arg-type]
            for x, y in zip(a, b):  # type: ignore[call-overload]
                walk(x, y)
        else:
            assert a == b, (a, b)

    walk(fast, ref)


def check(text: str) -> object:
    fast = load(text, manifests._Loader)
    assert_same(fast, load(text, _Reference))
    return fast


# --- real manifests ----------------------------------------------------------------------

FILES = sorted(p for d in ("book/manifests", "tests/corpus", "tests/data") if (ROOT / d).is_dir()
               for p in (ROOT / d).rglob("*") if p.is_file() and p.name.endswith(MANIFEST_SUFFIXES))


def test_there_are_files_to_compare():
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_manifests(path):
    check(path.read_text(encoding="utf-8-sig"))


def _bench_generator():
    if "bench_generate" in sys.modules:  # test_bench_generator loaded it already
        return sys.modules["bench_generate"]
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = mod  # dataclasses need the module registered
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("size,seed", [((4, 25, 40), 1), ((20, 25, 200), 1), ((8, 7, 60), 5)])
def test_bench_inputs(size, seed):
    gen = _bench_generator()
    for docs in gen.generate(*size, seed=seed):
        loaded = check(gen.dump(docs))
        assert loaded == docs


# --- generated YAML ------------------------------------------------------------------------

TRICKY = ["yes", "Yes", "NO", "on", "Off", "y", "n", "true", "False", "TRUE", "null", "Null", "~", "",
          "0x1F", "0X1F", "0x_", "1_000", "1__2", "08:00", "1:30", "190:20:30.15", "2024-01-01",
          "2024-01-01T10:00:00Z", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "0755", "0o755", "08", "09.5",
          "+1", "-1", "+0", "-0", "00", "0", "-0b11", "0b_", "0b102", "1e3", "1.5e+3", "1.0e-2", "1.0",
          "-0.0", ".5", "1.", "1_000.5", "=", "<<", "!", "&a", "*a", "- x", "a: b", "#", "'", '"', "é",
          "\t", " lead", "trail ", "a\nb", "\x85"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                    st.sampled_from(TRICKY))
keys = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=8), st.sampled_from(TRICKY))
trees = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(keys, inner, max_size=4)),
                     max_leaves=25)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(trees, min_size=1, max_size=3), st.sampled_from([None, False, True]), st.booleans())
def test_dumped_trees(docs, flow, unicode):
    check(yaml.safe_dump_all(docs, default_flow_style=flow, allow_unicode=unicode))


plain = st.one_of(st.sampled_from(TRICKY), st.from_regex(r"\A[-+.0-9a-fA-Fxob_:~<=]{1,8}\Z"))


@SETTINGS
@given(st.lists(st.tuples(plain, plain), min_size=1, max_size=6), st.booleans())
def test_plain_scalars_written_by_hand(items, as_list):
    # Unquoted, so the implicit resolvers (and sometimes the parser) really see them.
    if as_list:
        text = "".join(f"- [{k}, {v}]\n" for k, v in items)
    else:
        text = "".join(f"{k}: {v}\n" for k, v in items)
    check(text)


# --- hand-written documents ----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    # anchors and aliases, also across keys and documents
    "a: &x [1, {b: 2}]\nc: *x\nd: *x\n---\na: &x {k: v}\nb: [*x, *x]\n",
    "- &s hello\n- *s\n- &n 12\n- {*n : *s}\n",
    "&top [1, *top]\n",
    "&top {self: *top}\n",
    # merge keys
    "base: &b {x: 1, y: 2}\nobj:\n  <<: *b\n  y: 3\n",
    "a: &a {x: 1}\nb: &b {x: 2, z: 3}\nc: {<<: [*a, *b], w: 0}\n",
    "a: {<<: 1}\n",
    "a: {<<: [1]}\n",
    # explicit tags, good and bad
    "bin: !!binary aGVsbG8=\nset: !!set {a, b}\nomap: !!omap [{a: 1}, {b: 2}]\npairs: !!pairs [{a: 1}, {a: 2}]\n",
    "ts: !!timestamp 2024-01-01\nts2: !!timestamp 2024-01-01 10:00:00.5 +02:00\n",
    "s: !!str 123\ni: !!int '12'\nf: !!float '1'\nb: !!bool 'yes'\nn: !!null ''\nm: !!map {a: 1}\nq: !!seq [1]\n",
    "i: !!int 0x_\n",
    "i: !!int abc\n",
    "b: !!bool maybe\n",
    "x: !local 1\n",
    "x: !!str [1]\n",
    "x: !!map [1]\n",
    "x: !!python/object:os.system {}\n",
    "x: ! 12\ny: ! [1]\n",
    "a: =\n",
    "=: a\n",
    # duplicate and colliding keys
    "a: 1\nb: 2\na: 3\n",
    "1: int\ntrue: bool\n1.0: float\n",
    ".nan: 1\n.nan: 2\n",
    # complex keys
    "? [a, b]\n: 1\n",
    "? {a: 1}\n: 1\n",
    "? !!binary aGVsbG8=\n: 1\n",
    "{[1]: 2}\n",
    # implicit ints that int() refuses, as PyYAML does
    "a: 0b_\n",
    # syntax and composer errors
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n   labels:\n    app: web\n",
    "a: *nope\n",
    "a: &x 1\nb: &x 2\n",
    "a: 1\n---\nb: [\n",
    "x: \x07\n",
    # empty and odd documents
    "", "---\n", "--- ~\n--- 0\n--- []\n--- {}\n", "- - - []\n",
    "k: " + "[" * 300 + "]" * 300 + "\n",
])
def test_hand_written(text):
    check(text)


def test_aliases_share_objects():
    doc = check("a: &x [1, {b: 2}]\nc: *x\n")[0]  # type: ignore[index]
    assert doc["c"] is doc["a"]
    loop = check("&top [1, *top]\n")[0]  # type: ignore[index]
    assert loop[1] is loop


def test_merge_and_types():
    doc = check("base: &b {x: 1, y: 2}\nobj:\n  <<: *b\n  y: yes\n  z: '0755'\n  w: 0755\n")[0]  # type: ignore[index]
    assert doc["obj"] == {"x": 1, "y": True, "z": "0755", "w": 493}
    assert type(doc["obj"]["y"]) is bool


def test_syntax_error_line_is_unchanged():
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n   labels:\n    app: web\n"
    with pytest.raises(yaml.MarkedYAMLError) as ref:
        list(yaml.load_all(text, Loader=_Reference))
    with pytest.raises(YAMLSyntaxError) as exc:
        load_documents(text, source="pod.yaml")
    assert exc.value.line == ref.value.problem_mark.line + 1 == 5
    assert exc.value.problem == ref.value.problem
