"""netpol_kernel.api.manifests: turning manifest text into documents, as kubectl reads it."""
from __future__ import annotations

import dataclasses
import io
import json

import pytest

from netpol_kernel.errors import FieldError, ManifestError, YAMLSyntaxError
from netpol_kernel.api.manifests import Document, load_documents, load_path

NS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {}\n"


def names(docs: list[Document]) -> list[str]:
    return [d.obj["metadata"]["name"] for d in docs]


# --- documents, lists, indices ------------------------------------------------------------

def test_multi_document_yaml_keeps_order_and_source():
    docs = load_documents(NS.format("a") + "---\n" + NS.format("b"), source="ns.yaml")
    assert names(docs) == ["a", "b"]
    assert [(d.source, d.index) for d in docs] == [("ns.yaml", 0), ("ns.yaml", 1)]


def test_empty_documents_are_skipped_and_not_counted():
    text = "---\n---\n# only a comment\n---\n" + NS.format("a") + "---\n\n---\n" + NS.format("b") + "---\n"
    docs = load_documents(text)
    assert names(docs) == ["a", "b"]
    assert [d.index for d in docs] == [0, 1]


def test_empty_text_gives_no_documents():
    assert load_documents("") == []
    assert load_documents("   \n# nothing\n") == []


def test_kind_list_is_flattened_in_order_and_indices_count_items():
    text = NS.format("first") + """---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: one}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: two}}
---
""" + NS.format("last")
    docs = load_documents(text)
    assert names(docs) == ["first", "one", "two", "last"]
    assert [d.index for d in docs] == [0, 1, 2, 3]
    assert docs[1].obj["kind"] == "ConfigMap"


def test_typed_list_kinds_are_flattened_too():
    text = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicyList
metadata: {resourceVersion: "1"}
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: a}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: b}
"""
    assert names(load_documents(text)) == ["a", "b"]


def test_nested_and_empty_lists():
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "inner"}}]},
        {"apiVersion": "v1", "kind": "List", "items": []},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "outer"}}]})
    docs = load_documents(text)
    assert names(docs) == ["inner", "outer"]
    assert [d.index for d in docs] == [0, 1]


def test_list_items_must_be_a_list():
    with pytest.raises(ManifestError) as exc:
        load_documents("apiVersion: v1\nkind: List\nitems: {a: 1}\n", source="l.yaml")
    assert [str(e) for e in exc.value.errors] == ["items: Invalid value: must be a list (got object)"]


def test_document_is_frozen():
    doc = load_documents(NS.format("a"))[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.index = 3  # type: ignore[misc]


# --- JSON -------------------------------------------------------------------------------

def test_json_object():
    docs = load_documents('{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "j"}}')
    assert names(docs) == ["j"]


def test_json_with_tab_indentation_which_pyyaml_rejects():
    text = '{\n\t"apiVersion": "v1",\n\t"kind": "Namespace",\n\t"metadata": {\n\t\t"name": "tabs"\n\t}\n}\n'
    assert names(load_documents(text)) == ["tabs"]


def test_concatenated_json_objects():
    one = json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}})
    two = json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}})
    assert names(load_documents(one + "\n" + two)) == ["a", "b"]


def test_invalid_json_falls_back_to_yaml_flow_syntax():
    # Not JSON (unquoted keys) but fine YAML flow mapping, as kubectl accepts.
    assert names(load_documents('{apiVersion: v1, kind: Namespace, metadata: {name: flow}}')) == ["flow"]


# --- syntax errors ----------------------------------------------------------------------

def test_indentation_slip_reports_line_and_go_yaml_problem():
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n   labels:\n    app: web\n"
    with pytest.raises(YAMLSyntaxError) as exc:
        load_documents(text, source="pod.yaml")
    err = exc.value
    assert (err.source, err.line, err.problem) == ("pod.yaml", 5, "mapping values are not allowed in this context")
    assert str(err) == ("error: error parsing pod.yaml: error converting YAML to JSON: "
                        "yaml: line 5: mapping values are not allowed in this context")
    assert err.lines() == ["pod.yaml:5: YAML syntax error: mapping values are not allowed in this context"]


def test_dedent_slip_did_not_find_expected_key():
    text = "spec:\n  podSelector: {}\n ingress: []\n"
    with pytest.raises(YAMLSyntaxError) as exc:
        load_documents(text)
    # kubectl 1.32 (`kubectl label --local -f`) prints "yaml: line 2: did not find expected key":
    # go-yaml prints a parser error's 0-based line (yaml.v2 yaml.go, parser.fail).
    assert exc.value.line == 2
    assert exc.value.problem == "did not find expected key"


def test_tab_indentation_in_yaml():
    with pytest.raises(YAMLSyntaxError) as exc:
        load_documents("metadata:\n\tname: x\n")
    assert exc.value.line == 2
    assert exc.value.problem == "found character that cannot start any token"


def test_unclosed_flow_sequence():
    with pytest.raises(YAMLSyntaxError) as exc:
        load_documents("apiVersion: v1\nkind: Pod\nitems: [1, 2\n")
    assert exc.value.problem == "did not find expected ',' or ']'"


def test_syntax_error_in_a_later_document_still_raises():
    with pytest.raises(YAMLSyntaxError) as exc:
        load_documents(NS.format("ok") + "---\nkind: [\n")
    # kubectl 1.32 on this file: "namespace/ok", then "yaml: line 1: did not find expected node
    # content": the line counts from the document's own start (apimachinery YAMLReader chunks).
    assert exc.value.line == 1


def test_yaml_syntax_error_is_a_manifest_error_and_value_error():
    with pytest.raises(ValueError):
        load_documents("a: b: c\n")


# --- shape errors -------------------------------------------------------------------------

def test_missing_api_version_and_kind():
    with pytest.raises(ManifestError) as exc:
        load_documents("metadata:\n  name: x\n", source="x.yaml")
    err = exc.value
    assert err.errors == (FieldError.required("apiVersion"), FieldError.required("kind"))
    assert [str(e) for e in err.errors] == ["apiVersion: Required value", "kind: Required value"]
    assert (err.source, err.index, err.name) == ("x.yaml", 0, "x")


def test_missing_kind_only_and_index_of_the_bad_document():
    with pytest.raises(ManifestError) as exc:
        load_documents(NS.format("a") + "---\napiVersion: v1\nmetadata: {name: b}\n")
    assert [e.path for e in exc.value.errors] == ["kind"]
    assert exc.value.errors[0].type == "Required"
    assert exc.value.index == 1


def test_list_item_without_kind():
    with pytest.raises(ManifestError) as exc:
        load_documents("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, metadata: {name: q}}\n")
    assert [str(e) for e in exc.value.errors] == ["kind: Required value"]


@pytest.mark.parametrize("text, what", [("- a\n- b\n", "array"), ("just text\n", "string"),
                                         ("42\n", "number"), ("true\n", "bool")])
def test_document_that_is_not_a_mapping(text, what):
    with pytest.raises(ManifestError) as exc:
        load_documents(text)
    assert [str(e) for e in exc.value.errors] == [
        f"<document>: Invalid value: json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"]


# --- scalars as kubectl's YAML reader sees them ----------------------------------------------

def scalars(body: str) -> dict:
    return load_documents("apiVersion: v1\nkind: ConfigMap\ndata:\n" + body)[0].obj["data"]


def test_timestamps_stay_strings():
    assert scalars("  day: 2024-01-31\n  at: 2024-01-31T10:00:00Z\n") == {"day": "2024-01-31",
                                                                         "at": "2024-01-31T10:00:00Z"}


def test_no_base_60_numbers():
    assert scalars("  open: 08:00\n  t: 1:30:00\n") == {"open": "08:00", "t": "1:30:00"}


def test_numbers_and_yaml_1_1_booleans_like_go_yaml():
    got = scalars("  a: 1_000\n  b: 0x10\n  c: 010\n  d: 1.0\n  e: on\n  f: yes\n  g: .inf\n  h: '80'\n")
    assert got == {"a": 1000, "b": 16, "c": 8, "d": 1.0, "e": True, "f": True, "g": float("inf"), "h": "80"}
    assert isinstance(got["a"], int) and isinstance(got["d"], float)


# --- load_path ----------------------------------------------------------------------------

def test_load_file(tmp_path):
    f = tmp_path / "ns.yaml"
    f.write_text(NS.format("a") + "---\n" + NS.format("b"))
    docs = load_path(f)
    assert names(docs) == ["a", "b"]
    assert docs[0].source == str(f)


def test_load_file_with_byte_order_mark(tmp_path):
    f = tmp_path / "bom.yaml"
    f.write_bytes(b"\xef\xbb\xbf" + NS.format("bom").encode())
    assert names(load_path(str(f))) == ["bom"]


def test_load_directory_sorted_non_recursive_manifest_suffixes_only(tmp_path):
    (tmp_path / "b.yml").write_text(NS.format("b"))
    (tmp_path / "a.yaml").write_text(NS.format("a1") + "---\n" + NS.format("a2"))
    (tmp_path / "c.json").write_text(json.dumps({"apiVersion": "v1", "kind": "Namespace",
                                                 "metadata": {"name": "c"}}))
    (tmp_path / "notes.txt").write_text(NS.format("ignored"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.yaml").write_text(NS.format("deep"))
    docs = load_path(tmp_path)
    assert names(docs) == ["a1", "a2", "b", "c"]
    assert [(d.source.rsplit("/", 1)[-1], d.index) for d in docs] == [
        ("a.yaml", 0), ("a.yaml", 1), ("b.yml", 0), ("c.json", 0)]


def test_load_empty_directory(tmp_path):
    assert load_path(tmp_path) == []


def test_load_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(NS.format("piped")))
    docs = load_path("-")
    assert names(docs) == ["piped"]
    assert docs[0].source == "STDIN"


def test_missing_path_uses_kubectl_wording():
    with pytest.raises(FileNotFoundError) as exc:
        load_path("x.yaml")
    assert str(exc.value) == 'error: the path "x.yaml" does not exist'


def test_syntax_error_names_the_file(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("a:\n  b: 1\n c: 2\n")
    with pytest.raises(YAMLSyntaxError) as exc:
        load_path(f)
    assert exc.value.source == str(f)
    assert f"error parsing {f}" in str(exc.value)
