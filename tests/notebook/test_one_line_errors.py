"""Notebook helpers answer typos and malformed files with this package's errors, which a
notebook shows as one line (magic.show_netpol_error), never a Python traceback (issue 13)."""
from __future__ import annotations

import os

import pytest

import netpol_kernel as nk
from netpol_kernel.errors import ManifestError, NetpolError, NotFoundError
from netpol_kernel.notebook.magic import show_netpol_error
from netpol_kernel.sim.cluster import EmbeddedCluster

BOOK = os.path.join(os.path.dirname(__file__), "..", "..", "book")
M = lambda name: os.path.join(BOOK, "manifests", name)  # noqa: E731

# A NetworkPolicy whose except list holds a null: before issue 13 it validated and
# nk.picture / nk.preview crashed inside matplotlib code with a TypeError.
NULL_EXCEPT = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: odd}
spec:
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [null]}}]}]
"""


@pytest.fixture()
def lab():
    be = EmbeddedCluster()
    nk.start_chapter("lab", [M("simple-app.yaml")], backend=be, load_magic=False)
    return be


def one_line(exc: BaseException) -> str:
    """What a notebook shows for the error once %load_ext netpol_kernel is active."""
    assert isinstance(exc, NetpolError)
    (line,) = show_netpol_error(None, type(exc), exc, None)
    return line


def test_show_file_with_a_wrong_path():
    with pytest.raises(FileNotFoundError) as exc:  # still the builtin it resembles
        nk.show_file("nope.yaml")
    # kubectl's words for a missing -f path (kubectl 1.32)
    assert one_line(exc.value) == 'PathNotFoundError: error: the path "nope.yaml" does not exist'


def test_picture_and_preview_check_the_file_first(lab, tmp_path):
    for wrong in (lambda: nk.picture("nope.yaml", backend=lab),
                  lambda: nk.preview("nope.yaml", ["frontend"], ["backend:8080"], backend=lab)):
        with pytest.raises(NetpolError) as exc:
            wrong()
        assert one_line(exc.value).endswith('error: the path "nope.yaml" does not exist')
    f = tmp_path / "odd.yaml"
    f.write_text(NULL_EXCEPT)
    for bad in (lambda: nk.picture(str(f), backend=lab),
                lambda: nk.preview(str(f), ["frontend"], ["backend:8080"], backend=lab)):
        with pytest.raises(ManifestError) as exc:
            bad()
        # networking/validation ValidateIPBlock: each except entry must parse as a CIDR
        assert one_line(exc.value) == (
            'ManifestError: The NetworkPolicy "odd" is invalid: spec.ingress[0].from[0].ipBlock.except[0]: '
            'Invalid value: "": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')


def test_explain_without_a_port(lab):
    with pytest.raises(ValueError) as exc:
        nk.explain("frontend", "backend", backend=lab)
    assert one_line(exc.value) == 'UsageError: a target is NAME:PORT, like "backend:8080", not \'backend\''


def test_probe_panel_with_an_unknown_source(lab):
    with pytest.raises(NotFoundError) as exc:
        nk.ProbePanel(backend=lab, source="typo")
    assert one_line(exc.value) == 'NotFoundError: Error from server (NotFound): pods "typo" not found'
    with pytest.raises(NotFoundError) as exc:
        nk.ProbePanel(backend=lab, target="nothing:80")
    assert one_line(exc.value) == 'NotFoundError: Error from server (NotFound): services "nothing" not found'


def test_manifest_panel_with_a_wrong_path(lab):
    with pytest.raises(NetpolError) as exc:
        nk.ManifestPanel("missing.yaml", backend=lab)
    assert one_line(exc.value) == 'PathNotFoundError: error: the path "missing.yaml" does not exist'


@pytest.mark.parametrize("answer", [
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: [1]\nspec: {podSelector: {}}\n",
    NULL_EXCEPT,
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: {podSelector: !!int}\n",
    b"\xff\xfe\x00".decode("latin-1"),
])
def test_exercise_check_on_bad_yaml_gives_feedback(lab, answer):
    ex = nk.exercise(1)  # a goal over simple-app's pods, the world `lab` holds
    feedback = ex.check(answer, backend=lab)
    assert feedback.errors and not feedback.correct and feedback.grade is None


def test_start_chapter_checks_the_namespace_name():
    be = EmbeddedCluster()
    with pytest.raises(ManifestError) as exc:
        nk.start_chapter("Bad_Name", backend=be, load_magic=False)
    # core/validation ValidateNamespaceName: a DNS-1123 label
    assert one_line(exc.value).startswith(
        'ManifestError: The Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": '
        "a lowercase RFC 1123 label must consist of")
    assert "Bad_Name" not in [n["metadata"]["name"] for n in be.get("ns")]
