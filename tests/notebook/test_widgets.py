"""netpol_kernel.notebook.widgets: panels wired to kubectl/probes, one-line errors, stable text/plain."""
from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.formatters import DisplayFormatter

from fakes import FakeBackend, pod, service
from netpol_kernel.backends.base import ExecResult
from netpol_kernel.notebook.widgets import (STATIC_NOTE, ActionFailed, ManifestPanel, MatrixPanel,
                                   ProbePanel, before_after, check_manifest, error_line)

MANIFESTS = Path(__file__).resolve().parents[2] / "book" / "manifests"
DENY = MANIFESTS / "backend-ingress-deny.yaml"
TIMED_OUT = ExecResult("000", "curl: (28) Connection timed out after 5001 milliseconds\n", 28)


def fake() -> FakeBackend:
    b = FakeBackend([pod("frontend", labels={"app": "frontend"}, ip="10.244.0.5"),
                     pod("backend", labels={"app": "backend"}, ip="10.244.0.6"),
                     service("backend", ports=(8080,))])
    b.exec_answers["frontend"] = TIMED_OUT
    return b


@pytest.fixture(scope="module")
def cluster():
    from netpol_kernel.sim.cluster import EmbeddedCluster
    from netpol_kernel.kubectl import kubectl
    b = EmbeddedCluster()
    assert kubectl("apply -f " + str(MANIFESTS / "simple-app.yaml"), backend=b).ok
    return b


def one_line(panel) -> str:
    text = panel.output_text()
    assert text.endswith("\n") and text.count("\n") == 1, text
    return text.strip()


# ---------------------------------------------------------------- ManifestPanel

def test_manifest_panel_apply_and_delete() -> None:
    b = fake()
    panel = ManifestPanel(DENY, backend=b)
    assert panel.text() == ("ManifestPanel: backend-ingress-deny.yaml "
                            "(NetworkPolicy/backend-ingress-deny)\nvalid; no warnings\n[Apply] [Delete]")
    assert len(panel.images.children) == 1  # the policy's picture
    panel.apply_button.click()
    assert panel.output_text() == "networkpolicy.networking.k8s.io/backend-ingress-deny created\n"
    assert ("NetworkPolicy", "default", "backend-ingress-deny") in b.store
    panel.delete_button.click()
    assert panel.output_text() == 'networkpolicy.networking.k8s.io "backend-ingress-deny" deleted\n'
    assert ("NetworkPolicy", "default", "backend-ingress-deny") not in b.store


def test_manifest_panel_validates_on_edit_before_applying() -> None:
    b = fake()
    panel = ManifestPanel(DENY, backend=b)
    panel.editor.value = panel.editor.value.replace("- Ingress", "- Ingres")
    assert panel.check_result is not None and not panel.check_result.ok
    assert panel.check_result.errors == (
        'NetworkPolicy/backend-ingress-deny: spec.policyTypes[0]: Unsupported value: "Ingres": '
        'supported values: "Ingress", "Egress"',)
    assert "spec.policyTypes[0]" in panel.problems.value
    assert not [c for c in b.calls if c[0] == "apply"]  # nothing applied by editing
    panel.apply_button.click()  # kubectl refuses with the API server's words
    assert 'spec.policyTypes[0]: Unsupported value: "Ingres"' in panel.output_text()

    panel.editor.value = "kind: [\n"
    # kubectl 1.32 on this text: "yaml: line 1: did not find expected node content" (go-yaml
    # prints a parser error's 0-based line)
    assert panel.check_result.errors == ("backend-ingress-deny.yaml:1: YAML syntax error: "
                                         "did not find expected node content",)


def test_manifest_panel_shows_lint_warnings() -> None:
    text = (MANIFESTS / "frontend-to-backend.yaml").read_text().replace(
        "name: frontend-to-backend", "name: frontend-to-backend\n  namespace: your-namespace")
    panel = ManifestPanel(text, backend=fake())
    codes = [w.code for w in panel.check_result.warnings]
    assert codes == ["hardcoded-namespace", "selects-no-pods"]
    assert "metadata.namespace" in panel.problems.value
    assert "1 warning" not in panel.text() and "2 warnings:" in panel.text()


def test_manifest_panel_errors_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    k = importlib.import_module("netpol_kernel.kubectl.command")  # the module, not the re-exported function

    def boom(*_a, **_k):
        raise RuntimeError("boom\nsecond line")

    panel = ManifestPanel(DENY, backend=fake())
    monkeypatch.setattr(k, "kubectl", boom)
    panel.apply_button.click()
    assert one_line(panel) == "error: RuntimeError: boom"


def test_manifest_panel_missing_file() -> None:
    with pytest.raises(FileNotFoundError, match='error: the path "nope.yaml" does not exist'):
        ManifestPanel("nope.yaml", backend=fake())


def test_check_manifest_multi_document() -> None:
    result = check_manifest((MANIFESTS / "deny-netpol.yaml").read_text(), "deny-netpol.yaml")
    assert result.objects == ("NetworkPolicy/default-deny", "NetworkPolicy/allow-dns")
    assert result.ok and result.warnings == () and len(result.policies) == 2


# ---------------------------------------------------------------- ProbePanel

def test_probe_panel_runs_a_probe() -> None:
    b = fake()
    panel = ProbePanel(backend=b, target="backend:8080")
    assert list(panel.source.options) == ["backend", "frontend"]
    assert [v for _, v in panel.target.options] == ["backend:8080"]
    assert panel.source.value == "frontend"  # a client first: no Service is named frontend
    panel.run_button.click()
    assert panel.output_text() == (
        "frontend -> backend:8080\n"
        "stdout: 000\n"
        "stderr: curl: (28) Connection timed out after 5001 milliseconds\n"
        "exit code 28: no connection (timed out)\n")
    exec_call = [c for c in b.calls if c[0] == "exec"][-1]
    assert exec_call[1] == "frontend" and "backend:8080" in exec_call[2][-1]


def test_probe_panel_error_is_one_line() -> None:
    b = fake()
    panel = ProbePanel(backend=b)
    panel.source.value = "frontend"
    del b.store[("Pod", "default", "frontend")]  # the pod went away after the list was made
    panel.run_button.click()
    assert one_line(panel) == 'Error from server (NotFound): pods "frontend" not found'


def test_probe_panel_without_pods() -> None:
    panel = ProbePanel(backend=FakeBackend())
    panel.run_button.click()
    assert one_line(panel).startswith("nothing to probe: no pods or services yet")
    assert panel.text().startswith("ProbePanel: from - to - [Run probe]")


# ---------------------------------------------------------------- MatrixPanel, before_after

def test_matrix_panel_and_why(cluster) -> None:
    panel = MatrixPanel(["frontend", "not-frontend"], ["backend:8080"], backend=cluster)
    assert panel.image.value[:4] == b"\x89PNG"
    assert panel.text().startswith("MatrixPanel: frontend, not-frontend -> backend:8080 [Refresh]\n"
                                   "TCP connections    backend:8080\nfrontend           .\n"
                                   "not-frontend       .\nfrontend -> backend:8080: allowed (HTTP 200)\n")
    panel.why_source.value = "not-frontend"
    assert panel.output_text().startswith("not-frontend -> backend:8080: allowed (HTTP 200)\n")
    assert "not isolated" in panel.output_text()


def test_matrix_panel_error_is_one_line() -> None:
    panel = MatrixPanel(["frontend"], ["backend:8080"], backend=fake())
    # The fake has no policy engine, so the prediction beside the probe fails.
    assert one_line(panel) == "error: NotImplementedError: the fake backend has no policy engine"
    assert panel.matrix is None and panel.pictures() == []


def test_before_after(cluster) -> None:
    from netpol_kernel.kubectl import kubectl
    apply = lambda: kubectl(f"apply -f {DENY}", backend=cluster)  # noqa: E731
    d = before_after(cluster, apply, ["frontend", "not-frontend"], ["backend:8080"])
    try:
        assert d.summary == "2 flows blocked, 0 opened"
        assert d.after.mode == "probed"
        with pytest.raises(ActionFailed, match='networkpolicies.networking.k8s.io "nope" not found'):
            before_after(cluster, lambda: kubectl("delete netpol nope", backend=cluster),
                         ["frontend"], ["backend:8080"], predicted=True)
    finally:
        kubectl("delete netpol backend-ingress-deny", backend=cluster)


# ---------------------------------------------------------------- display

def test_mimebundle_static_fallback_and_deterministic_text(cluster) -> None:
    panels = [lambda: ManifestPanel(DENY, backend=cluster),
              lambda: ProbePanel(backend=cluster),
              lambda: MatrixPanel(["frontend"], ["backend:8080"], backend=cluster, predicted=True)]
    for make in panels:
        first, second = make(), make()
        data, _ = DisplayFormatter().format(first)
        assert "application/vnd.jupyter.widget-view+json" in data  # the live widget
        assert data["text/plain"] == first.text() == second.text() == repr(second)
        assert "VBox" not in data["text/plain"] and "model_id" not in data["text/plain"]
        assert STATIC_NOTE in data["text/html"]
    matrix_html = MatrixPanel(["frontend"], ["backend:8080"], backend=cluster)._repr_mimebundle_()
    assert '<img src="data:image/png;base64,' in matrix_html["text/html"]


def test_error_line() -> None:
    assert error_line(ValueError("")) == "error: ValueError"
    assert error_line(FileNotFoundError('error: the path "x" does not exist')) == \
        'error: the path "x" does not exist'


# ---------------------------------------------------------------- what a reader sees (issue 15)

def test_static_fallback_shows_only_what_the_page_does_not() -> None:
    # Chapter 5 shows the file (nk.show_file) and its picture (nk.picture) right above the
    # panel; the fallback adds the check result, not the same YAML and picture again.
    html_ = ManifestPanel(DENY, backend=fake())._repr_mimebundle_()["text/html"]
    assert STATIC_NOTE in html_ and "valid; no warnings" in html_
    assert "<img" not in html_ and "podSelector" not in html_
    # Text typed into the panel appears nowhere else: the fallback shows it.
    inline = ManifestPanel(DENY.read_text(), backend=fake())._repr_mimebundle_()["text/html"]
    assert "podSelector" in inline


def test_panel_pictures_keep_their_natural_size(cluster) -> None:
    from netpol_kernel.notebook.plots import png_metadata
    panel = MatrixPanel(["frontend"], ["backend:8080"], backend=cluster, predicted=True)
    natural = png_metadata(panel.image.value)["width"]
    assert panel.image.width == str(natural) and panel.image.layout.max_width == "100%"
    html_ = panel._repr_mimebundle_()["text/html"]
    assert f'width="{natural}"' in html_
    assert 'alt="Connectivity matrix, predicted by the policy engine: frontend to backend:8080 ' \
           'allowed."' in html_  # the alt text says what the picture shows
    images = ManifestPanel(DENY, backend=fake()).images.children
    assert images and images[0].width == str(png_metadata(images[0].value)["width"])


def test_warnings_follow_the_cluster() -> None:
    # The "selects no pod ... that namespace has no pods" warning (policy/lint.py) must go
    # once the pods exist: after Apply, and after any cell that changed the cluster.
    from netpol_kernel.kubectl import kubectl
    from netpol_kernel.notebook.widgets import recheck_panels
    from netpol_kernel.sim.cluster import EmbeddedCluster
    b = EmbeddedCluster()
    panel = ManifestPanel(DENY, backend=b)
    assert "that namespace has no pods" in panel.text()
    assert kubectl("apply -f " + str(MANIFESTS / "simple-app.yaml"), backend=b).ok
    recheck_panels()  # what IPython's post_run_cell event calls
    assert "valid; no warnings" in panel.text()
    assert kubectl("delete -f " + str(MANIFESTS / "simple-app.yaml"), backend=b).ok
    panel.apply_button.click()  # Apply changes the cluster too: it re-checks
    assert "that namespace has no pods" in panel.text()
