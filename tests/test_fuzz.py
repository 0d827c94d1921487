"""The fuzzer of issue 13: no input makes this package raise, print a traceback or an
"internal error"; every refusal names a field path.

Two generators, both seeded (hypothesis with ``derandomize``, so a run is repeatable):

* ``test_any_value_at_any_field``: a valid object of every kind this package reads (the
  corpus and the book's manifests), with an arbitrary YAML-shaped value (null, booleans,
  numbers, strings, lists, maps, nested) put at one of the fields its schema knows
  (``schema.field_paths``: every field of every kind), then given to the CLI
  (``validate``, ``connectivity``) and to ``kubectl apply`` on the embedded cluster;
* ``test_damaged_text``: the same files damaged as text (tabs, bare tags, bytes that are not
  UTF-8, lost or repeated lines, separators), to the same entry points;

NetworkPolicies (generated or damaged) also go to what chapter cells call on a file or an
answer: ``preview`` (this package's error or a result) and ``Exercise.check`` (feedback).

``make test`` runs a small budget (``NETPOL_FUZZ_EXAMPLES``, 40 by default); ``make fuzz``
a larger one.
"""
from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_kernel.api.manifests import load_path
from netpol_kernel.api.validation.schema import OTHER_KINDS, OTHER_SCHEMA, SCHEMAS, field_paths
from netpol_kernel.errors import NetpolError
from netpol_kernel.notebook.chapter import preview, start_chapter
from netpol_kernel.notebook.catalogue import exercise
from netpol_kernel.cli import main
from netpol_kernel.kubectl import kubectl
from netpol_kernel.sim.cluster import EmbeddedCluster

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = int(os.environ.get("NETPOL_FUZZ_EXAMPLES", "40"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

FILES = sorted([*ROOT.glob("book/manifests/*.yaml"), *ROOT.glob("tests/corpus/valid/*")])
SEEDS: dict[tuple[str, str], list[dict]] = {}
for _f in FILES:
    for _d in load_path(_f):
        SEEDS.setdefault((_d.obj["apiVersion"], _d.obj["kind"]), []).append(_d.obj)
for _api, _kind in OTHER_KINDS:  # kinds only checked for their metadata: a bare object each
    SEEDS[_api, _kind] = [{"apiVersion": _api, "kind": _kind, "metadata": {"name": "x"}}]
TARGETS = [(kind, path) for kind in SEEDS
           for path in field_paths(SCHEMAS.get(kind, OTHER_SCHEMA))]

SCALARS = (st.none() | st.booleans() | st.integers(-(2**63), 2**64) | st.floats()
           | st.text(max_size=8) | st.sampled_from(["", "TCP", "Ingress", "10.0.0.0/8", "80", "http",
                                                    "In", "Exists", "Running", "a/b", "-", "0"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=6) | st.sampled_from(["name", "port", "a"]),
                                        inner, max_size=3), max_leaves=12)

# One error line of the CLI: "FILE: KIND[/NAME]: PATH: reason", or an unknown field.
FIELD_LINE = re.compile(r': (unknown field ".+"|.+?: (Required value|Invalid value|Unsupported value|'
                        r'Forbidden|Duplicate value|Too long)\b)')


def put(obj: Any, path: tuple, value: Any) -> Any:
    """``obj`` with ``value`` at ``path``, building containers on the way as needed."""
    if not path:
        return value
    step, rest = path[0], path[1:]
    if step == "[]":
        items = obj if isinstance(obj, list) and obj else [{}]
        return [put(items[0], rest, value)] + items[1:]
    node = dict(obj) if isinstance(obj, dict) else {}
    key = "k" if step == "*" else step
    node[key] = put(node.get(key), rest, value)
    return node


def run_cli(tmp: Path, data: bytes) -> None:
    f = tmp / "fuzz.yaml"
    f.write_bytes(data)
    for command in ("validate", "connectivity"):
        out, err = io.StringIO(), io.StringIO()
        code = main([command, "-f", str(f)], out, err)
        assert code in (0, 1), (command, code, err.getvalue())
        if code == 1:
            lines = err.getvalue().rstrip("\n").split("\n")  # not splitlines: a key may hold "\r"
            assert lines and "Traceback" not in err.getvalue()
            if not any("YAML syntax error" in line for line in lines):
                assert all(FIELD_LINE.search(line) for line in lines if not line.startswith("note: ")), lines


def run_kubectl(text: str) -> None:
    """apply, then read back what was stored and judge traffic over it; create and delete."""
    cluster = EmbeddedCluster()
    for command in ("kubectl apply -f -", "kubectl get all,netpol,cm,secret -o yaml",
                    "kubectl describe netpol", "kubectl get pods -o wide", "kubectl create -f -",
                    "kubectl delete -f -"):
        result = kubectl(command, backend=cluster, stdin=text)
        assert result.exit_code in (0, 1), (command, result.text)
        assert "internal error" not in result.text and "Traceback" not in result.text, (command, result.text)
    cluster.engine().connectivity()


LAB = EmbeddedCluster()
start_chapter("lab", [str(ROOT / "book/manifests/simple-app.yaml")], backend=LAB, load_magic=False)
GOAL = exercise(1)  # chapter 7's first: only frontend may reach backend, only on 8080 (simple-app's world)


def run_notebook(tmp: Path, text: str) -> None:
    """What chapter cells call on a file or an answer: feedback or this package's error."""
    f = tmp / "answer.yaml"
    f.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        preview(str(f), ["frontend"], ["backend:8080"], backend=LAB)
    except NetpolError:
        pass  # one line in a notebook
    GOAL.check(text, backend=LAB)  # feedback, never an exception


@SETTINGS
@given(data=st.data())
def test_any_value_at_any_field(tmp_path_factory, data):
    kind, path = data.draw(st.sampled_from(TARGETS), label="field")
    seed = data.draw(st.sampled_from(SEEDS[kind]), label="seed")
    value = data.draw(VALUES, label="value")
    obj = put(seed, path, value)
    text = yaml.safe_dump(obj, allow_unicode=True)
    tmp = tmp_path_factory.mktemp("fuzz")
    run_cli(tmp, text.encode("utf-8", "surrogatepass"))
    run_kubectl(text)
    if kind[1] == "NetworkPolicy":
        run_notebook(tmp, text)


DAMAGE = [
    lambda line: "\t" + line,
    lambda line: line + " !!int",
    lambda line: line.replace(":", ": !!int", 1),
    lambda line: line.replace(":", ": !!float abc #", 1),
    lambda line: "---" + line,
    lambda line: "- ",
    lambda line: "",
    lambda line: line + "\n" + line,
    lambda line: line.replace(" ", "", 1),
    lambda line: line + " [",
    lambda line: line + " {",
    lambda line: line + " &a",
    lambda line: line + " *a",
    lambda line: line + ": x",
]


@SETTINGS
@given(data=st.data())
def test_damaged_text(tmp_path_factory, data):
    f = data.draw(st.sampled_from(FILES), label="file")
    lines = f.read_text().splitlines()
    for _ in range(data.draw(st.integers(1, 3), label="how many")):
        i = data.draw(st.integers(0, len(lines) - 1), label="line")
        lines[i] = data.draw(st.sampled_from(DAMAGE), label="damage")(lines[i])
    raw = "\n".join(lines).encode("utf-8")
    if data.draw(st.booleans(), label="bad bytes"):
        at = data.draw(st.integers(0, len(raw)), label="at")
        raw = raw[:at] + data.draw(st.sampled_from([b"\xff", b"\xc3(", b"\x00", b"\xfe\xff"])) + raw[at:]
    tmp = tmp_path_factory.mktemp("fuzz")
    run_cli(tmp, raw)
    run_kubectl(raw.decode("utf-8", "replace"))
    run_notebook(tmp, raw.decode("utf-8", "replace"))


def test_every_kind_this_package_reads_is_fuzzed():
    # A kind without a seed file would never be fuzzed.
    assert set(SCHEMAS) | set(OTHER_KINDS) <= set(SEEDS), set(SCHEMAS) - set(SEEDS)
    assert len(TARGETS) > 300
