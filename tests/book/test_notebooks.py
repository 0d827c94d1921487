"""The lab chapters' conventions, read from the notebooks themselves (fast: no build, no browser).

* Run All leaves a chapter usable: no code cell calls ``cleanup()`` (the learner runs it when
  done; ``start_chapter`` clears leftovers of an earlier run).
* Setup cells are collapsed in the book (tag ``hide-cell`` or ``hide-input``, which
  Jupyter Book's myst-nb reads) from chapter 3 on; chapters 1 and 2 introduce them.
* Every picture is a figure: cell metadata ``mystnb.figure`` with a name and a caption and
  ``mystnb.image.alt`` saying what it shows (myst-nb's documented cell metadata keys).
* Pictures are stored at 2x with their natural size in the output metadata.
* No stored output carries the old frozen lab date (2021): the embedded cluster runs on the
  real clock.

Every chapter, 1 to 11, is held to them.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[2] / "book"
CHAPTERS = sorted(BOOK.glob("[01][0-9]_*.ipynb"))
COLLAPSED = {"hide-cell", "hide-input"}


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def test_every_chapter_is_checked() -> None:
    # the six lab chapters, the exercises and the four chapters of "Beyond the lab"
    assert [p.stem[:2] for p in CHAPTERS] == [f"{n:02d}" for n in range(1, 12)]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_run_all_leaves_the_chapter_usable(path: Path) -> None:
    code = [source(c) for c in cells(path) if c["cell_type"] == "code"]
    assert not [c for c in code if "cleanup()" in c], "a code cell cleans up: Run All would end with it"
    assert "chapter.cleanup()" in source(cells(path)[-1])  # the closing note tells how


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_setup_cells_are_collapsed(path: Path) -> None:
    setup = [c for c in cells(path) if c["cell_type"] == "code" and "start_chapter(" in source(c)]
    assert len(setup) == 1
    if path.stem >= "03":
        assert COLLAPSED & set(setup[0]["metadata"].get("tags", ())), "setup cell not collapsed"


def _png_outputs(cell: dict) -> list[dict]:
    return [o for o in cell.get("outputs", ()) if "image/png" in o.get("data", {})]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_picture_is_a_figure_with_alt_text(path: Path) -> None:
    for cell in cells(path):
        for out in _png_outputs(cell):
            meta = cell["metadata"].get("mystnb") or {}
            figure, alt = meta.get("figure") or {}, (meta.get("image") or {}).get("alt", "")
            where = f"{path.stem}: {source(cell)[:60]!r}"
            assert figure.get("name", "").startswith("fig-"), where
            assert len(figure.get("caption", "")) > 30, where
            assert len(alt) > 40 and alt != figure.get("caption"), where
            png = base64.b64decode("".join(out["data"]["image/png"]))
            width = int.from_bytes(png[16:20], "big")
            assert out["metadata"]["image/png"]["width"] * 2 == width, where  # 2x, natural size


def test_pictures_counted() -> None:
    # The 13 pictures the issue counted across chapters 3-6 are all still drawn.
    assert sum(len(_png_outputs(c)) for p in CHAPTERS if p.stem < "07" for c in cells(p)) == 13


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_frozen_2021_dates(path: Path) -> None:
    for cell in cells(path):
        for out in cell.get("outputs", ()):
            text = "".join(out.get("text", "")) + "".join(
                "".join(v) if isinstance(v, list) else str(v)
                for k, v in out.get("data", {}).items() if k.startswith("text/"))
            assert "2021" not in text, f"{path.stem}: {text[:200]}"
