"""Manifests students actually write: each invalid one must produce the error it names.

Every file in corpus/invalid/ starts with ``# expect: <text>`` where the text is
the exact ``str()`` of one error it must produce: a :class:`FieldError` from
loading or validating, or the :class:`YAMLSyntaxError` message.  Files in
corpus/valid/ must load and validate without any error.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from netpol_kernel.errors import ManifestError, YAMLSyntaxError
from netpol_kernel.api.manifests import load_documents, load_path
from netpol_kernel.api.validation import validate

CORPUS = Path(__file__).parent.parent / "corpus"
INVALID = sorted((CORPUS / "invalid").glob("*.yaml"))
VALID = sorted((CORPUS / "valid").iterdir())
PREFIX = "# expect: "


def all_errors(path: Path) -> set[str]:
    """Every error text kubectl-in-a-box would print for this file."""
    try:
        docs = load_documents(path.read_text(), source=path.name)
    except YAMLSyntaxError as exc:
        return {str(exc)}
    except ManifestError as exc:
        return {str(e) for e in exc.errors}
    return {str(e) for d in docs for e in validate(d.obj)}


def test_corpus_is_big_enough():
    assert len(INVALID) >= 25
    assert len(VALID) >= 3


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_manifest_produces_expected_error(path: Path):
    first = path.read_text().splitlines()[0]
    assert first.startswith(PREFIX), f"{path.name} must start with '{PREFIX}'"
    expected = first[len(PREFIX):]
    got = all_errors(path)
    assert expected in got, "\n".join(sorted(got))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_manifest_has_no_errors(path: Path):
    docs = load_path(path)
    assert docs
    problems = [f"{d.obj['kind']}/{d.obj['metadata']['name']}: {e}" for d in docs for e in validate(d.obj)]
    assert problems == []


def test_valid_directory_loads_in_name_order():
    docs = load_path(CORPUS / "valid")
    files = [Path(d.source).name for d in docs]
    assert files == sorted(files)
    assert {d.obj["kind"] for d in docs} >= {"Namespace", "Deployment", "Service", "NetworkPolicy", "Pod",
                                             "ConfigMap", "Secret", "StatefulSet", "DaemonSet", "ReplicaSet"}


def test_simple_app_shape():
    docs = load_path(CORPUS / "valid" / "simple-app.yaml")
    deployments = [d.obj["metadata"]["name"] for d in docs if d.obj["kind"] == "Deployment"]
    assert deployments == ["frontend", "backend", "database"]
    assert any(d.obj["kind"] == "Service" for d in docs)
