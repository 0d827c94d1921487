"""The built book in headless Chromium, as a reader sees it: on a laptop (1280 px) and a phone (390 px).

Builds the book (``jupyter-book build ... -W``) into a temporary folder, opens every
page of the table of contents at both widths and checks, in the browser:

* no block in the article (code, output, figure, table, heading, panel fallback) has
  content wider than its box, and no element sticks out of the article's column;
  the page itself never scrolls sideways;
* every picture in the article is a numbered figure with a caption, its alt text says
  what it shows (not a hash file name), and it is shown no larger than its natural
  size (the PNGs are drawn at 2x);
* the console stays clean (no ``SyntaxError: Identifier 'THEBE_JS_URL' ...``);
* one search box, not two.

It saves a screenshot of every page at both widths in ``_build/page-check/`` (to be
looked at; the phone ones at 2x, as a phone shows them).

Slow and needs Chromium, so it runs only with ``NETPOL_PAGE_CHECK=1``:
``make check-pages`` installs Chromium with apt-get when it is missing and sets it.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from chromium import Browser, chromium_path

pytestmark = pytest.mark.pages

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "_build" / "page-check"
WIDTHS = (1280, 390)

if os.environ.get("NETPOL_PAGE_CHECK") != "1":
    pytest.skip("page checks run with NETPOL_PAGE_CHECK=1 (make check-pages)", allow_module_level=True)


def toc_pages() -> list[str]:
    """Every page of book/_toc.yml, in reading order (root first)."""
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for e in entries or ():
            if "file" in e:
                pages.append(e["file"])
            walk(e.get("sections"))
    for part in toc.get("parts") or [{"chapters": toc.get("chapters")}]:
        walk(part.get("chapters"))
    return pages


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    build = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT / "book"), "--config",
         str(ROOT / "_config.yml"), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, cwd=ROOT)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return out / "_build" / "html"


@pytest.fixture(scope="module")
def browser():
    assert chromium_path(), "chromium is not installed (make check-pages installs it)"
    with Browser() as b:
        yield b


# Everything in the article that holds text or a picture and could be too wide for it.
BLOCKS = ("pre, div.highlight, div.cell_output, div.output, figure, table, img, h1, h2, h3, p, li, "
          "div.netpol-text, .admonition, details")

MEASURE = """
(() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const box = article.getBoundingClientRect();
  const problems = [];
  const name = e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
                      ? '.' + e.className.trim().split(/\\s+/).slice(0, 2).join('.') : '');
  const text = e => (e.innerText || e.alt || '').trim().slice(0, 70).replace(/\\s+/g, ' ');
  for (const e of article.querySelectorAll(%s)) {
    if (e.offsetParent === null && getComputedStyle(e).position !== 'fixed') continue;  // hidden
    const r = e.getBoundingClientRect();
    if (r.width === 0) continue;
    // Content wider than its box, whether the box scrolls, clips or lets it spill out.
    if (e.scrollWidth > e.clientWidth + 1)
      problems.push(`${name(e)} content ${e.scrollWidth}px in a ${e.clientWidth}px box: ${text(e)}`);
    if (r.right > box.right + 1 || r.left < box.left - 1)
      problems.push(`${name(e)} sticks out of the article by ${Math.round(Math.max(r.right - box.right, box.left - r.left))}px: ${text(e)}`);
  }
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1)
    problems.push(`the page scrolls sideways: ${doc.scrollWidth}px in a ${window.innerWidth}px window`);
  return problems;
})()
""" % repr(BLOCKS)

PICTURES = """
[...document.querySelectorAll('article.bd-article img')].map(img => ({
  src: img.getAttribute('src').slice(0, 60),
  alt: img.getAttribute('alt') || '',
  figure: !!img.closest('figure'),
  caption: (img.closest('figure')?.querySelector('figcaption')?.innerText || '').trim(),
  shown: img.getBoundingClientRect().width,
  natural: img.naturalWidth,
  complete: img.complete,
}))
"""

SEARCH_BOXES = """
[...document.querySelectorAll('.search-button-field, form.bd-search')]
  .filter(e => e.getBoundingClientRect().width > 0).length
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_its_column(site: Path, browser: Browser, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for page in toc_pages():
        browser.console.clear()
        browser.open((site / f"{page}.html").as_uri(), width=width)
        problems += [f"{page} at {width}px: {p}" for p in browser.evaluate(MEASURE)]
        problems += [f"{page} at {width}px: {c}" for c in browser.console]
        browser.screenshot(SHOTS / f"{page}-{width}.png")
        boxes = browser.evaluate(SEARCH_BOXES)
        if boxes > 1:
            problems.append(f"{page} at {width}px: {boxes} search boxes")
    assert not problems, "\n".join(problems)


HASH_NAME = re.compile(r"^[0-9a-f]{32,}(\.\w+)?$")


def test_every_picture_is_a_captioned_figure(site: Path, browser: Browser) -> None:
    problems, seen = [], 0
    for page in toc_pages():
        browser.open((site / f"{page}.html").as_uri(), width=1280)
        for pic in browser.evaluate(PICTURES):
            seen += 1
            where = f"{page}: {pic['src']}"
            if not pic["alt"] or HASH_NAME.match(pic["alt"]) or len(pic["alt"]) < 25:
                problems.append(f"{where}: alt text does not say what it shows: {pic['alt']!r}")
            if pic["src"].startswith("data:"):
                continue  # a panel's fallback picture: alt text from the matrix, no figure
            if not pic["figure"] or not re.match(r"Fig\. \d+", pic["caption"]):
                problems.append(f"{where}: not a numbered figure with a caption: {pic['caption']!r}")
            # Drawn at 2x: shown at most at half its pixel width, so it stays sharp.
            if pic["complete"] and pic["shown"] > pic["natural"] / 2 + 1:
                problems.append(f"{where}: shown {pic['shown']}px wide from {pic['natural']} pixels")
    assert seen >= 13, f"only {seen} pictures found: is the book built from executed notebooks?"
    assert not problems, "\n".join(problems)
