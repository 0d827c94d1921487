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
    """Signature, size in bounds (book width is 700 px) and clearly not blank."""
    img = rgb(png)
    w, h = img.size
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
    assert LAB._repr_png_() == plots.matrix_png(LAB)  # Matrix draws itself through plots
    assert plots.matrix_png(LAB) == plots.matrix_png(LAB)  # no timestamps in the bytes


# ---------------------------------------------------------------- diffs

def test_lab_diff_png() -> None:
    before = Matrix(LAB.sources, LAB.targets, ((Cell(True),), (Cell(True),)), "TCP")
    after = Matrix(LAB.sources, LAB.targets, ((Cell(True),), (Cell(False),)), "TCP")
    d = before.diff(after)
    img = check_png(d._repr_png_(), width=(450, 700), height=(250, 500))
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
    (lab_policy("backend-ingress-deny.yaml"), (250, 400)),
    (lab_policy("backend-allow-ingress-frontend.yaml"), (250, 450)),
    (lab_policy("deny-netpol.yaml"), (250, 400)),
    (lab_policy("deny-netpol.yaml", 1), (250, 450)),
    (from_dict(load_documents(COMPLEX)[0].obj), (450, 900)),
], ids=["ingress-deny", "allow-frontend", "default-deny", "allow-dns", "complex"])
def test_policy_png(pol: NetworkPolicy, height: tuple[int, int]) -> None:
    img = check_png(plots.policy_png(pol), width=(700, 700), height=height)
    if pol.isolates("Ingress") and not pol.ingress:
        assert count(img, VERMILLION) > 300  # the default-deny wall


def test_policy_picture_text_and_png() -> None:
    pol = lab_policy("backend-allow-ingress-frontend.yaml")
    pic = plots.PolicyPicture(pol)
    assert repr(pic) == str(pic) == policy_words(pol)
    assert pic._repr_png_()[:8] == plots.PNG_SIGNATURE
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
