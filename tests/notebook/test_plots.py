"""netpol_kernel.notebook.plots: real PNGs, book-width, not blank, in both colours, deterministic."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from netpol_kernel.notebook import plots
from netpol_kernel.errors import ManifestError
from netpol_kernel.policy.lint import policy_words
from netpol_kernel.api.manifests import load_documents
from netpol_kernel.notebook.matrix import Cell, Matrix
from netpol_kernel.policy.objects import NetworkPolicy, from_dict

MANIFESTS = Path(__file__).resolve().parents[2] / "book" / "manifests"
BLUE, VERMILLION = (0, 114, 178), (213, 94, 0)


def rgb(png: bytes) -> Image.Image:
    assert png[:8] == plots.PNG_SIGNATURE
    return Image.open(io.BytesIO(png)).convert("RGB")


def check_png(png: bytes, *, width: tuple[int, int], height: tuple[int, int]) -> Image.Image:
    """Signature, size in bounds (in CSS pixels: the book's column is 700) and clearly not blank.

    The PNG holds twice as many pixels (plots.SCALE), so it stays sharp on 2x screens, and
    its metadata says to show it at its natural size.
    """
    img = rgb(png)
    w, h = img.size
    meta = plots.png_metadata(png)
    assert (meta["width"] * plots.SCALE, meta["height"] * plots.SCALE) == (w, h)
    w, h = meta["width"], meta["height"]
    assert width[0] <= w <= width[1] and height[0] <= h <= height[1], img.size
    pixels = np.asarray(img).reshape(-1, 3)
    non_white = float((pixels != 255).any(axis=1).mean())
    assert non_white > 0.03, non_white
    codes = (pixels[:, 0].astype(np.int32) << 16) | (pixels[:, 1].astype(np.int32) << 8) | pixels[:, 2]
    assert len(np.unique(codes)) > 20  # text, fills, antialiasing: a real picture
    return img


def count(img: Image.Image, color: tuple[int, int, int]) -> int:
    return int((np.asarray(img).reshape(-1, 3) == color).all(axis=1).sum())


def matrix(n_src: int, n_tgt: int, *, title: str = "TCP", mode: str = "predicted") -> Matrix:
    sources = tuple(f"pod-{i}" for i in range(n_src))
    targets = tuple(f"svc-{j}:80" for j in range(n_tgt))
    cells = tuple(tuple(Cell((i + j) % 3 != 0) for j in range(n_tgt)) for i in range(n_src))
    return Matrix(sources, targets, cells, title, mode)


LAB = Matrix(("frontend", "not-frontend"), ("backend:8080",),
             ((Cell(True, "HTTP 200"),), (Cell(False, "timed out"),)), "TCP", "probed")


# ---------------------------------------------------------------- matrices

def test_lab_matrix_png() -> None:
    img = check_png(plots.matrix_png(LAB), width=(400, 700), height=(200, 450))
    assert count(img, BLUE) > 500 and count(img, VERMILLION) > 500


@pytest.mark.parametrize("n", [4, 12])
def test_square_matrices_stay_book_width(n: int) -> None:
    img = check_png(plots.matrix_png(matrix(n, n)), width=(600, 700), height=(300, 900))
    assert count(img, BLUE) > 100 and count(img, VERMILLION) > 100


def test_long_target_labels_are_handled() -> None:
    m = Matrix(("a",), tuple(f"a-very-long-service-name-{j}:8080" for j in range(6)),
               ((tuple(Cell(True) for _ in range(6))),), "long labels")
    check_png(plots.matrix_png(m), width=(500, 700), height=(200, 700))


def test_matrix_repr_png_and_determinism() -> None:
    png, meta = LAB._repr_png_()  # Jupyter output metadata: shown at its natural size
    assert png == plots.matrix_png(LAB) and meta == plots.png_metadata(png)
    assert plots.matrix_png(LAB) == plots.matrix_png(LAB)  # no timestamps in the bytes


# ---------------------------------------------------------------- diffs

def test_lab_diff_png() -> None:
    before = Matrix(LAB.sources, LAB.targets, ((Cell(True),), (Cell(True),)), "TCP")
    after = Matrix(LAB.sources, LAB.targets, ((Cell(True),), (Cell(False),)), "TCP")
    d = before.diff(after)
    img = check_png(d._repr_png_()[0], width=(450, 700), height=(250, 500))
    assert count(img, BLUE) > 500 and count(img, VERMILLION) > 500


@pytest.mark.parametrize("n, height", [(4, (300, 800)), (12, (800, 1700))])
def test_bigger_diffs(n: int, height: tuple[int, int]) -> None:
    before = matrix(n, n)
    after = Matrix(before.sources, before.targets,
                   tuple(tuple(Cell(False if i == 1 else c.allowed) for c in row)
                         for i, row in enumerate(before.cells)), before.title)
    check_png(plots.diff_png(before.diff(after)), width=(600, 700), height=height)


# ---------------------------------------------------------------- policies

def lab_policy(name: str, index: int = 0) -> NetworkPolicy:
    pol = from_dict(load_documents((MANIFESTS / name).read_text(), name)[index].obj)
    assert isinstance(pol, NetworkPolicy)
    return pol


COMPLEX = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: web, tier: frontend}
    matchExpressions: [{key: env, operator: NotIn, values: [dev, test]}]
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - podSelector: {matchLabels: {app: gateway}}
    - namespaceSelector: {matchLabels: {team: ops}}
      podSelector: {matchLabels: {app: prometheus-with-a-very-long-name}}
    ports: [{port: 8080}, {port: 9090}]
  - from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.1.0/24]}}]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}}]
    ports: [{port: 443}, {protocol: UDP, port: 53}, {port: 32000, endPort: 32768}]
  - {}
"""


@pytest.mark.parametrize("pol, height", [
    (lab_policy("backend-ingress-deny.yaml"), (250, 450)),
    (lab_policy("backend-allow-ingress-frontend.yaml"), (250, 500)),
    (lab_policy("deny-netpol.yaml"), (250, 450)),
    (lab_policy("deny-netpol.yaml", 1), (250, 500)),
    (from_dict(load_documents(COMPLEX)[0].obj), (450, 950)),
], ids=["ingress-deny", "allow-frontend", "default-deny", "allow-dns", "complex"])
def test_policy_png(pol: NetworkPolicy, height: tuple[int, int]) -> None:
    img = check_png(plots.policy_png(pol), width=(700, 700), height=height)
    if pol.isolates("Ingress") and not pol.ingress:
        assert count(img, VERMILLION) > 300  # the default-deny wall


def test_policy_picture_text_and_png() -> None:
    pol = lab_policy("backend-allow-ingress-frontend.yaml")
    pic = plots.PolicyPicture(pol)
    assert repr(pic) == str(pic) == policy_words(pol)
    assert pic._repr_png_()[0][:8] == plots.PNG_SIGNATURE
    from IPython.lib.pretty import pretty
    assert pretty(pic) == policy_words(pol)


def test_policy_picture_from_a_manifest_dict() -> None:
    obj = load_documents((MANIFESTS / "backend-ingress-deny.yaml").read_text())[0].obj
    assert plots.PolicyPicture(obj).policy.name == "backend-ingress-deny"
    with pytest.raises(ManifestError, match=r"spec.policyTypes\[0\]: Unsupported value"):
        plots.PolicyPicture({**obj, "spec": {**obj["spec"], "policyTypes": ["Ingres"]}})


def test_no_pyplot_state() -> None:
    # Drawing must not import pyplot (whose global figures would leak into the reader's plots).
    code = ("import sys; from netpol_kernel.notebook import plots; from netpol_kernel.notebook.matrix import Cell, "
            "Matrix; plots.matrix_png(Matrix(('a',), ('b:1',), ((Cell(True),),))); "
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- what a reader sees (issue 15)

CH06 = ("client", "example-frontend"), ("example-frontend:5000", "mariadb:3306")


def _texts(fig) -> list:
    return [t for t in fig.findobj(lambda a: hasattr(a, "get_rotation") and hasattr(a, "get_text"))
            if t.get_text()]


def test_labels_are_horizontal_in_every_picture() -> None:
    # Chapter 6's diff used to slant its column labels by 45 degrees while every other
    # picture kept them level; long labels now wrap instead (and the panels stack).
    src, tgt = CH06
    before = Matrix(src, tgt, ((Cell(False), Cell(False)), (Cell(None), Cell(False))), "TCP")
    after = Matrix(src, tgt, ((Cell(True), Cell(False)), (Cell(None), Cell(True))), "TCP")
    long = Matrix(("a",), tuple(f"a-very-long-service-name-{j}:8080" for j in range(6)),
                  ((tuple(Cell(True) for _ in range(6))),), "long labels")
    ch06 = plots.diff_figure(before.diff(after))
    for fig in (ch06, plots.matrix_figure(long), plots.diff_figure(long.diff(long))):
        texts = _texts(fig)
        assert texts and all(t.get_rotation() == 0 for t in texts)
    # The chapter's labels are drawn level: whole, or split at the colon.
    shown = {t.get_text() for t in _texts(ch06)}
    assert "mariadb:3306" in shown and ("example-frontend:5000" in shown or
                                        {"example-frontend", ":5000"} <= shown), shown


def test_probed_matrices_say_which_cluster() -> None:
    for cluster, words in (("the embedded cluster", "probed in the embedded cluster"),
                           ("kind-netpol-course", "probed on kind-netpol-course")):
        m = Matrix(LAB.sources, LAB.targets, LAB.cells, "TCP", "probed", cluster)
        assert m.where() == words
        shown = " ".join(t.get_text() for t in _texts(plots.matrix_figure(m)))
        assert words in shown, shown
        assert words in " ".join(t.get_text() for t in _texts(plots.diff_figure(m.diff(m))))
    predicted = Matrix(LAB.sources, LAB.targets, LAB.cells, "TCP")
    assert "predicted by the policy engine" in " ".join(
        t.get_text() for t in _texts(plots.matrix_figure(predicted)))


def test_legends_legible_on_a_phone() -> None:
    # At 390 px the article column is about 350 px wide: a 700 px picture is shown at half
    # size. Legend text must then still be 8 px or more (13 pt at 100 dpi is 18 px, so 9 px).
    for fig in (plots.policy_figure(lab_policy("backend-allow-ingress-frontend.yaml")),
                plots.matrix_figure(LAB)):
        for legend in fig.legends:
            for text in legend.get_texts():
                px = text.get_fontsize() / 72 * plots.DPI * 350 / (fig.get_figwidth() * plots.DPI)
                assert px >= 8, (text.get_text(), px)


def test_subtitles_fit_inside_the_picture() -> None:
    # Chapter 4's diff once cut its subtitle at both edges ("robed in the embedded ... the poc").
    m = Matrix(LAB.sources, LAB.targets, LAB.cells, "TCP connections", "probed", "the embedded cluster")
    long = Matrix(LAB.sources, LAB.targets, LAB.cells, "TCP", "probed",
                  "kind-a-very-long-context-name-of-a-cluster-somewhere-far-away")
    for fig in (plots.diff_figure(m.diff(m)), plots.matrix_figure(m), plots.diff_figure(long.diff(long)),
                plots.matrix_figure(long)):
        renderer = fig.canvas.get_renderer()
        for t in _texts(fig):
            box = t.get_window_extent(renderer=renderer)
            assert box.x0 >= 0 and box.x1 <= fig.bbox.width + 0.5, (t.get_text(), box, fig.bbox.width)
