"""Probes, matrices, what-if, explanations and chapters on the embedded cluster."""
from __future__ import annotations

import os

import pytest

import netpol_kernel as nk
from netpol_kernel.backends.base import ExecResult
from netpol_kernel.sim.cluster import EmbeddedCluster
from netpol_kernel.api.manifests import load_path
from netpol_kernel.notebook.probes import outcome, parse_target, probe, probe_command

BOOK = os.path.join(os.path.dirname(__file__), "..", "..", "book")
M = lambda name: os.path.join(BOOK, "manifests", name)  # noqa: E731
SRC, DST = ["frontend", "not-frontend"], ["backend:8080"]


@pytest.fixture()
def lab():
    be = EmbeddedCluster()
    ch = nk.start_chapter("lab", [M("simple-app.yaml")], backend=be, load_magic=False)
    return ch


def cells(m):
    return [[c.allowed for c in row] for row in m.cells]


def test_probe_command_uses_what_the_image_has():
    assert probe_command("docker.io/byrnedo/alpine-curl:0.1.8", "b", 80)[0] == "curl"
    assert probe_command("quay.io/acend/example-web-python:latest", "b", 80)[:2] == ["python", "-c"]


@pytest.mark.parametrize("result,expected", [
    (ExecResult("200", "", 0), (True, "HTTP 200")),
    (ExecResult("", "curl: (28) Connection timed out after 5001 milliseconds\n", 28), (False, "timed out")),
    (ExecResult("", "curl: (7) Failed to connect", 7), (False, "refused")),
    (ExecResult("", "curl: (6) Could not resolve host: x", 6), (False, "could not resolve")),
    (ExecResult("", "curl: (56) Recv failure", 56), (True, "connected")),
    (ExecResult("connected\n", "", 0), (True, "connected")),
])
def test_outcome_from_exit_codes(result, expected):
    assert outcome(result) == expected


def test_parse_target_errors_are_clear():
    assert parse_target("backend:8080").label == "backend:8080"
    with pytest.raises(ValueError, match='a target is NAME:PORT, like "backend:8080"'):
        parse_target("backend")


def test_lab_matrices_probed_and_predicted_agree(lab):
    be = lab.backend
    probed = nk.reachability(SRC, DST, backend=be)
    assert cells(probed) == [[True], [True]] and probed.mode == "probed"
    assert probed.cell("frontend", "backend:8080").detail == "HTTP 200"
    nk.kubectl(f"apply -f {M('backend-ingress-deny.yaml')}", backend=be)
    assert cells(nk.reachability(SRC, DST, backend=be)) == [[False], [False]]
    nk.kubectl(f"apply -f {M('backend-allow-ingress-frontend.yaml')}", backend=be)
    after = nk.reachability(SRC, DST, backend=be)
    predicted = nk.reachability(SRC, DST, backend=be, predicted=True)
    assert cells(after) == cells(predicted) == [[True], [False]]
    assert after.cell("not-frontend", "backend:8080").detail == "timed out"
    assert "BLOCKED" in after.cell("not-frontend", "backend:8080").why
    assert probed.diff(after).summary == "1 flow blocked, 0 opened"


def test_preview_predicts_without_applying(lab):
    be = lab.backend
    nk.kubectl(f"apply -f {M('backend-ingress-deny.yaml')}", backend=be)
    diff = nk.preview(M("backend-allow-ingress-frontend.yaml"), SRC, DST, backend=be)
    assert diff.opened == (("frontend", "backend:8080"),) and diff.blocked == ()
    assert [p["metadata"]["name"] for p in be.get("NetworkPolicy", namespace="lab")] == ["backend-ingress-deny"]


def test_explain_is_the_engines_evidence(lab):
    be = lab.backend
    nk.kubectl(f"apply -f {M('backend-ingress-deny.yaml')}", backend=be)
    text = nk.explain("frontend", "backend:8080", backend=be)
    assert text.startswith("frontend-") and text.splitlines()[0].endswith("-> service backend port 8080: BLOCKED")
    assert "backend-ingress-deny: has no ingress rules (denies all)" in text


def test_explain_icmp_matches_what_ping_does(lab):
    be = lab.backend
    nk.kubectl(f"apply -f {M('backend-allow-ingress-frontend.yaml')}", backend=be)  # a rule without ports
    text = nk.explain("frontend", "backend", backend=be, protocol="ICMP")
    assert text.splitlines()[0].endswith(": ALLOWED") and " on ICMP: " in text.splitlines()[0]
    assert "note: ICMP has no port" in text
    assert "BLOCKED" in nk.explain("not-frontend", "backend", backend=be, protocol="ICMP").splitlines()[0]
    ip = be.get("Pod", namespace="lab", selector="app=backend")[0]["status"]["podIP"]
    # busybox ping (networking/ping.c): a reply line when allowed, none when dropped
    assert f"64 bytes from {ip}" in nk.kubectl(f"exec deploy/frontend -- ping -c 1 -W 1 {ip}", backend=be).text
    assert "64 bytes" not in nk.kubectl(f"exec deploy/not-frontend -- ping -c 1 -W 1 {ip}", backend=be).text


def test_a_pod_and_its_own_service_is_not_applicable():
    be = EmbeddedCluster()
    nk.start_chapter("app", [M("example-app.yaml")], backend=be, load_magic=False)
    m = nk.reachability(["client", "example-frontend"], ["example-frontend:5000", "mariadb:3306"], backend=be)
    assert cells(m) == [[True, True], [None, True]]
    assert m.to_text().splitlines()[2].split()[1] == "-"
    assert m.counts == (3, 0)


def test_example_app_breaks_and_is_fixed_as_the_chapter_says():
    be = EmbeddedCluster()
    nk.start_chapter("app", [M("example-app.yaml"), M("deny-netpol.yaml"), M("frontend-to-backend.yaml")],
                     backend=be, load_magic=False)
    src, dst = ["client", "example-frontend"], ["example-frontend:5000", "mariadb:3306"]
    assert cells(nk.reachability(src, dst, backend=be)) == [[False, False], [None, False]]
    why = nk.explain("example-frontend", "mariadb:3306", backend=be)
    assert "egress from example-frontend-" in why and "default-deny: has no egress rules" in why
    nk.kubectl(f"apply -f {M('frontend-egress-to-mariadb.yaml')} -f {M('frontend-ingress-from-client.yaml')}",
               backend=be)
    assert cells(nk.reachability(src, dst, backend=be)) == [[True, False], [None, True]]
    assert nk.kubectl("exec deploy/client -- curl -sS -m 10 example-frontend:5000/hellos", backend=be).text == "[]\n"


def test_unknown_source_is_kubectls_not_found(lab):
    with pytest.raises(nk.NotFoundError, match='pods "nope" not found'):
        probe(lab.backend, "nope", "backend:8080")


def test_chapter_starts_clean_even_after_an_interrupted_run():
    be = EmbeddedCluster()
    first = nk.start_chapter("again", [M("simple-app.yaml")], backend=be, load_magic=False)
    assert be.default_namespace == "again"
    second = nk.start_chapter("again", [], backend=be, load_magic=False)  # no cleanup in between
    assert str(second).splitlines()[0] == "namespace/again created"
    assert be.get("Pod", namespace="again") == []
    assert str(first.cleanup()) == 'namespace "again" deleted' and str(first.cleanup()) == 'namespace "again" deleted'


def test_chapter_reports_a_failing_prerequisite(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: Bad}\nspec: {containers: [{name: c, image: x}]}\n")
    with pytest.raises(nk.NetpolError, match='The Pod "Bad" is invalid: metadata.name'):
        nk.start_chapter("broken", [str(bad)], backend=EmbeddedCluster(), load_magic=False)


def test_picture_needs_one_policy(lab):
    with pytest.raises(nk.NetpolError, match="name one NetworkPolicy to draw"):
        nk.picture(M("deny-netpol.yaml"), backend=lab.backend)
    pic = nk.picture(M("deny-netpol.yaml"), name="allow-dns", backend=lab.backend)
    assert str(pic).splitlines()[0] == "NetworkPolicy allow-dns in namespace lab"
    assert pic._repr_png_()[0][:4] == b"\x89PNG"


def test_book_manifests_are_valid():
    docs = load_path(os.path.join(BOOK, "manifests"))
    # the lab's files; chapters 8 onwards add files named NN-*.yaml (tests/notebook/test_exercises.py)
    assert len([d for d in docs if not os.path.basename(d.source)[:1].isdigit()]) == 19


def test_probe_matrix_uses_the_backends_bounded_parallel_exec(lab):
    """A real cluster's matrix goes through exec_many (bounded workers, CNI settle time)."""
    be = lab.backend
    calls = []

    def exec_many(requests, workers=None):
        calls.append((len(requests), workers))
        return [be.exec(pod, argv, namespace=ns) for pod, argv, ns in requests]

    be.exec_many = exec_many
    m = nk.reachability(SRC, DST, backend=be)
    assert calls == [(2, 4)] and cells(m) == [[True], [True]]
