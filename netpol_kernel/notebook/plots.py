"""Pictures for the book: connectivity matrices, before/after diffs and policies.

Every picture is drawn on a fresh :class:`matplotlib.figure.Figure` with an Agg
canvas (no pyplot, so nothing leaks into a notebook's own plots) and returned as
PNG bytes sized for the book's column: 7 inches at 100 dpi, about 700 CSS pixels,
stored at twice that resolution (:data:`SCALE`) so they stay sharp on high-density
screens; :func:`png_metadata` gives the size to show them at.  Labels are always
horizontal (long ones wrap), the same in every picture.

Colours are the Okabe-Ito colour-blind-safe pair (blue = allowed, vermillion =
blocked) and every coloured mark also carries a glyph or a word, so the
pictures read in greyscale too.  Words come from :mod:`netpol_kernel.policy.lint`, the
same phrases the text summaries use.

>>> from netpol_kernel.notebook.matrix import Cell, Matrix
>>> png = matrix_png(Matrix(("frontend",), ("backend:8080",), ((Cell(True),),), "TCP"))
>>> png[:8] == PNG_SIGNATURE
True
"""
from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Protocol, Sequence, Union

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch, Rectangle

from ..policy.lint import peer_parts, policy_words, port_words, selector_words
from ..policy.objects import NetworkPolicy, Rule, from_dict

__all__ = ["matrix_png", "matrix_figure", "diff_png", "diff_figure", "policy_png", "png_metadata",
           "png_size", "SCALE",
           "policy_figure", "PolicyPicture", "figure_png", "ALLOWED_COLOR", "BLOCKED_COLOR",
           "PNG_SIGNATURE"]


class Table(Protocol):
    """What a matrix picture reads; :class:`~netpol_kernel.notebook.matrix.Matrix` is one.

    A protocol rather than an import: a Matrix draws itself with this module.
    """

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    cells: tuple[tuple[Any, ...], ...]  # each cell has .allowed: Optional[bool]
    title: str
    mode: str

    def counts(self) -> tuple[int, int]: ...

    def where(self) -> str: ...


class TableDiff(Protocol):
    """What a before/after picture reads; :class:`~netpol_kernel.notebook.matrix.MatrixDiff` is one."""

    before: Table
    after: Table

    @property
    def changed(self) -> frozenset[tuple[str, str]]: ...

    @property
    def summary(self) -> str: ...

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ALLOWED_COLOR = "#0072B2"   # Okabe-Ito blue
BLOCKED_COLOR = "#D55E00"   # Okabe-Ito vermillion
SELF_COLOR = "#999999"      # grey: not a verdict (a pod and itself)
NEUTRAL_COLOR = "#8C8C8C"
INK = "#222222"
MUTED = "#555555"
ALLOWED_GLYPH, BLOCKED_GLYPH = "\u2713", "\u2717"  # ✓ ✗ (both in DejaVu Sans)

BOOK_WIDTH = 7.0  # inches; at DPI this is the width of the book's text column
DPI = 100
SCALE = 2  # pixels per CSS pixel in the stored PNG (2x: sharp on high-density screens)
_PAD = 0.2


# ---------------------------------------------------------------- figure plumbing

def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)  # a private canvas: text can be measured, pyplot is never involved
    return fig


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of a figure; no timestamp or version metadata, so equal pictures are equal bytes."""
    # Whole CSS pixels, so the 2x picture is exactly twice its natural size.
    w, h = fig.get_size_inches()
    fig.set_size_inches(round(w * DPI) / DPI + 1e-9, round(h * DPI) / DPI + 1e-9)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI * SCALE, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the PNG's header (IHDR).

    >>> png_size(figure_png(_figure(2.0, 1.0)))
    (400, 200)
    """
    if png[:8] != PNG_SIGNATURE:
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def png_metadata(png: bytes) -> dict:
    """The size to show a picture at (its natural size, half its pixels), as Jupyter
    output metadata: front ends then neither blur it nor stretch it to the panel's width.

    >>> png_metadata(figure_png(_figure(2.0, 1.0)))
    {'width': 200, 'height': 100}
    """
    w, h = png_size(png)
    return {"width": w // SCALE, "height": h // SCALE}


def _text_size(fig: Figure, text: str, size: float, weight: str = "normal") -> tuple[float, float]:
    """(width, height) in inches of ``text`` as it will be drawn."""
    if not text:
        return 0.0, 0.0
    t = fig.text(0, 0, text, fontsize=size, fontweight=weight)
    bb = t.get_window_extent(renderer=fig.canvas.get_renderer())
    t.remove()
    return bb.width / fig.dpi, bb.height / fig.dpi


class _Inches:
    """Place artists in inches from the figure's top-left corner (easier to lay out by hand)."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.w, self.h = fig.get_size_inches()

    def x(self, inches: float) -> float:
        return inches / self.w

    def y(self, inches_from_top: float) -> float:
        return 1 - inches_from_top / self.h

    def text(self, x: float, y: float, s: str, **kw: Any) -> Any:
        return self.fig.text(self.x(x), self.y(y), s, **kw)

    def axes(self, left: float, top: float, width: float, height: float) -> Any:
        ax = self.fig.add_axes((self.x(left), self.y(top + height), self.x(width),
                                height / self.h))
        ax.set_axis_off()
        return ax


def _wrap(text: str, width: int, split_words: bool = False) -> list[str]:
    # Selectors are comma+space separated (lint.selector_words), so lines break between labels.
    return textwrap.wrap(text, width, break_on_hyphens=False,
                         break_long_words=split_words) or [""]


def _fit(fig: Figure, text: str, max_w: float, size: float, weight: str = "normal") -> list[str]:
    """Wrap ``text`` into as few lines as fit ``max_w`` inches when drawn (measured, not guessed).

    Words (``app=frontend``) are kept whole unless one alone is wider than ``max_w``.
    """
    def widest(lines: list[str]) -> float:
        return max(_text_size(fig, line, size, weight)[0] for line in lines)

    for width in range(len(text), 3, -1):
        lines = _wrap(text, width)
        if widest(lines) <= max_w:
            return lines
    # A word a little too wide beats a word cut in two ("32000-32768").
    if widest(_wrap(text, 4)) <= max_w * 1.15:
        return _wrap(text, 4)
    # Then break after a hyphen, as a reader would ("32000-" over "32768"); textwrap
    # never breaks between digits, so greedily by measured width.
    lines = []
    for word in text.split():
        parts = [p + "-" for p in word.split("-")]
        parts[-1] = parts[-1][:-1]
        line_start = True
        for part in parts:
            joiner = " " if line_start and lines and lines[-1] else ""
            if lines and widest([lines[-1] + joiner + part]) <= max_w:
                lines[-1] += joiner + part
            else:
                lines.append(part)
            line_start = False
    if lines and widest(lines) <= max_w:
        return lines
    for width in range(len(text), 3, -1):
        lines = _wrap(text, width, split_words=True)
        if widest(lines) <= max_w:
            return lines
    return _wrap(text, 4, True)


# ---------------------------------------------------------------- matrices

_CORNER = "from \u2193   to \u2192"


@dataclass(frozen=True)
class _GridStyle:
    cell_w: float
    cell_h: float
    label_size: float
    labels: tuple[str, ...]  # target labels, horizontal, wrapped: "name\n:port", then at "-"
    header_h: float          # height of the target-label row
    source_w: float          # width of the source-label column (at least the corner hint)

    @property
    def fits(self) -> bool:
        """Every label fits its column in at most two lines (else the cells are too narrow)."""
        return all(label.count("\n") < 2 for label in self.labels)


def _label_size(sources: Sequence[str], targets: Sequence[str]) -> float:
    n = max(len(sources), len(targets))
    return 11.0 if n <= 4 else 10.0 if n <= 8 else 9.0


def _source_width(fig: Figure, sources: Sequence[str], size: float) -> float:
    return max([_text_size(fig, s, size)[0] for s in sources] + [_text_size(fig, _CORNER, 8.5)[0]])


def _grid_style(fig: Figure, sources: Sequence[str], targets: Sequence[str],
                cell_w: float) -> _GridStyle:
    """How to draw a grid whose cells are ``cell_w`` inches wide."""
    size = _label_size(sources, targets)
    line_h = _text_size(fig, "Ag", size)[1]
    labels = [_target_label(fig, t, cell_w - 0.1, size) for t in targets]
    n_lines = max([t.count("\n") + 1 for t in labels] + [1])
    header_h = n_lines * line_h * 1.2 + 0.12
    cell_h = max(0.34, min(0.62, cell_w))
    return _GridStyle(cell_w, cell_h, size, tuple(labels), header_h,
                      _source_width(fig, sources, size))


def _target_label(fig: Figure, target: str, width: float, size: float) -> str:
    """A target label that fits ``width`` inches, horizontal like every other label.

    "example-frontend:5000" -> "example-frontend" over ":5000"; a name still too wide
    breaks after a "-" ("a-very-long-" over "name"), the way a reader splits it.
    """
    if _text_size(fig, target, size)[0] <= width:
        return target
    name, colon, port = target.partition(":")
    words = name.replace("-", "- ").split(" ")
    lines: list[str] = []
    for w in words:
        if lines and _text_size(fig, lines[-1] + w, size)[0] <= width:
            lines[-1] += w
        else:
            lines.append(w)
    return "\n".join(lines + ([colon + port] if colon else []))


def _cell_w(fig: Figure, sources: Sequence[str], targets: Sequence[str], avail: float,
            cap: float = 1.5) -> float:
    """The widest cell that fits ``avail`` inches next to the source labels."""
    label_w = _source_width(fig, sources, _label_size(sources, targets)) + 0.15
    return max(0.3, min(cap, (avail - label_w) / max(1, len(targets))))


def _cell_text(allowed: Optional[bool], detail: str, style: _GridStyle) -> tuple[str, float]:
    if allowed is None:  # a pod and its own Service: no verdict claimed
        return ("\u2014 same pod" if style.cell_w >= 1.05 else "\u2014"), 10.0
    glyph = ALLOWED_GLYPH if allowed else BLOCKED_GLYPH
    if style.cell_w >= 1.05:
        text = f"{glyph} {'allowed' if allowed else 'blocked'}"
        # What a probe saw ("HTTP 200", "timed out"); predictions say nothing new.
        if detail and detail != "predicted" and style.cell_h >= 0.55:
            limit = int(style.cell_w * 15)
            text += "\n" + (detail if len(detail) <= limit else detail[:limit - 1] + "\u2026")
        return text, 11.0
    return glyph, min(18.0, style.cell_h * 72 * 0.5)


def _draw_grid(lay: _Inches, m: Table, left: float, top: float, style: _GridStyle, *,
               show_sources: bool = True, changed: Optional[frozenset] = None) -> None:
    """Target labels, then the cells; ``left``/``top`` is the grid's top-left corner (inches).

    With ``changed`` (a diff), unchanged cells are faded so the changed ones,
    in full colour with a dark frame, stand out even without colour vision.
    """
    rows, cols = len(m.sources), len(m.targets)
    grid_top = top + style.header_h
    ax = lay.axes(left, grid_top, max(cols, 1) * style.cell_w, max(rows, 1) * style.cell_h)
    ax.set_xlim(0, max(cols, 1))  # an empty matrix still gets a (blank) grid area
    ax.set_ylim(max(rows, 1), 0)
    gx, gy = 0.035 / style.cell_w, 0.035 / style.cell_h  # white gaps between cells
    for i, s in enumerate(m.sources):
        for j, t in enumerate(m.targets):
            cell = m.cells[i][j]
            color = (SELF_COLOR if cell.allowed is None else
                     ALLOWED_COLOR if cell.allowed else BLOCKED_COLOR)
            faded = changed is not None and (s, t) not in changed
            ax.add_patch(Rectangle((j + gx, i + gy), 1 - 2 * gx, 1 - 2 * gy, facecolor=color,
                                   edgecolor="none", alpha=0.22 if faded else 1.0))
            text, size = _cell_text(cell.allowed, cell.detail, style)
            # Faded cells keep a readable glyph: full colour on the pale tint.
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center",
                    color=color if faded else "white", fontsize=size, fontweight="bold",
                    linespacing=1.1)
            if changed is not None and not faded:
                ax.add_patch(Rectangle((j + gx, i + gy), 1 - 2 * gx, 1 - 2 * gy, facecolor="none",
                                       edgecolor=INK, linewidth=3.5, zorder=3))
    for j, label in enumerate(style.labels):
        x = left + (j + 0.5) * style.cell_w
        # One text per line from the bottom up, so every column's lines share baselines.
        step = style.label_size / 72 * 1.25
        for k, line in enumerate(reversed(label.split("\n"))):
            lay.text(x, grid_top - 0.1 - k * step, line, fontsize=style.label_size,
                     color=INK, ha="center", va="baseline")
    if show_sources:
        for i, s in enumerate(m.sources):
            lay.text(left - 0.1, grid_top + (i + 0.5) * style.cell_h, s, fontsize=style.label_size,
                     color=INK, ha="right", va="center")
        lay.text(left - 0.1, grid_top - 0.06, _CORNER, fontsize=8.5, color=MUTED, ha="right",
                 va="bottom", style="italic")


def _mode_words(m: Table) -> str:
    """Where the cells come from: which cluster probed them, or the engine's prediction."""
    if m.mode == "probed":  # "probed in the embedded cluster", "probed on kind-netpol-course"
        return f"{m.where()}: connections from inside the pods"
    return "predicted by the policy engine (no packets sent)"


def _legend(fig: Figure, y: float, extra: Sequence[Any] = (), size: float = 12.0) -> None:
    handles = [Patch(facecolor=ALLOWED_COLOR, label=f"{ALLOWED_GLYPH} allowed"),
               Patch(facecolor=BLOCKED_COLOR, label=f"{BLOCKED_GLYPH} blocked"), *extra]
    fig.legend(handles=handles, loc="center", bbox_to_anchor=(0.5, y), ncol=len(handles),
               frameon=False, fontsize=size, handlelength=1.4, columnspacing=1.6)


def matrix_figure(m: Table) -> Figure:
    """The matrix as a figure: sources down, targets across, a glyph and colour per cell.

    >>> from netpol_kernel.notebook.matrix import Cell, Matrix
    >>> fig = matrix_figure(Matrix(("a", "b"), ("c:80",), ((Cell(True),), (Cell(False),))))
    >>> bool(fig.get_figwidth() <= BOOK_WIDTH)
    True
    """
    fig = _figure(BOOK_WIDTH, 2)
    avail = BOOK_WIDTH - 2 * _PAD
    style = _grid_style(fig, m.sources, m.targets, _cell_w(fig, m.sources, m.targets, avail))
    label_w = style.source_w + 0.15
    grid_w = label_w + len(m.targets) * style.cell_w
    allowed, blocked = m.counts
    # Where the cells come from, on its own line(s) under the title, wrapped to fit.
    counts = f"{allowed} allowed, {blocked} blocked"
    subtitle = f"{_mode_words(m)} \u00b7 {counts}"
    if _text_size(fig, subtitle, 11)[0] > avail:  # the counts on a line of their own
        subtitle = "\n".join(_fit(fig, _mode_words(m), avail, 11) + [counts])
    title = "\n".join(_fit(fig, m.title or "connectivity", avail, 13, "bold"))
    title_h = _text_size(fig, title, 13, "bold")[1] + 0.06
    width = min(BOOK_WIDTH, max(4.6, grid_w + 2 * _PAD, _text_size(fig, title, 13, "bold")[0]
                                + 2 * _PAD, _text_size(fig, subtitle, 11)[0] + 2 * _PAD))
    rows_h = len(m.sources) * style.cell_h
    top = _PAD + title_h + _text_size(fig, subtitle, 11)[1] + 0.22
    height = top + style.header_h + rows_h + 0.2 + 0.35 + 0.1
    fig.set_size_inches(width, height)

    lay = _Inches(fig)
    lay.text(width / 2, _PAD, title, fontsize=13, fontweight="bold", color=INK,
             ha="center", va="top")
    lay.text(width / 2, _PAD + title_h, subtitle, fontsize=11, color=MUTED, ha="center", va="top")
    _draw_grid(lay, m, (width - grid_w) / 2 + label_w, top, style)
    _legend(fig, 1 - (top + style.header_h + rows_h + 0.37) / height)
    return fig


def matrix_png(m: Table) -> bytes:
    """PNG bytes of :func:`matrix_figure` (what ``Matrix._repr_png_`` shows)."""
    return figure_png(matrix_figure(m))


def diff_figure(d: TableDiff) -> Figure:
    """Before and after side by side (stacked when too wide), changed cells framed, the rest faded.

    >>> from netpol_kernel.notebook.matrix import Cell, Matrix
    >>> m = Matrix(("a",), ("b:80",), ((Cell(True),),))
    >>> fig = diff_figure(m.diff(Matrix(("a",), ("b:80",), ((Cell(False),),))))
    >>> bool(fig.get_figwidth() <= BOOK_WIDTH)
    True
    """
    fig = _figure(BOOK_WIDTH, 2)
    before, after = d.before, d.after
    avail = BOOK_WIDTH - 2 * _PAD
    mid = 0.6  # room for the arrow between the panels
    label_w = _source_width(fig, before.sources, _label_size(before.sources, before.targets)) + 0.15
    n = max(1, len(before.targets))
    cell_w = min(1.3, (avail - label_w - mid) / (2 * n))
    style = _grid_style(fig, before.sources, before.targets, cell_w)
    # Side by side only while the labels stay readable (two lines at most); else stacked.
    side_by_side = cell_w >= 0.4 and style.fits
    if not side_by_side:
        style = _grid_style(fig, before.sources, before.targets,
                            _cell_w(fig, before.sources, before.targets, avail))
    gap = mid
    cols_w = len(before.targets) * style.cell_w
    rows_h = len(before.sources) * style.cell_h
    panel_h = 0.32 + style.header_h + rows_h  # heading, target labels, cells
    if side_by_side:
        content_w, body_h = label_w + 2 * cols_w + gap, panel_h
    else:
        content_w, body_h = label_w + cols_w, 2 * panel_h + 0.3
    title = after.title if after.title == before.title else ""
    # Where the cells come from, as wide as the book allows, wrapped beyond that.
    mode = "\n".join(_fit(fig, _mode_words(after), avail, 11))
    mode_w, mode_h = _text_size(fig, mode, 11)
    title_h = (0.34 if title else 0.0) + mode_h + 0.14  # title, then the mode as a subtitle
    width = min(BOOK_WIDTH, max(5.0, content_w + 2 * _PAD, mode_w + 2 * _PAD))
    caption_y = _PAD + title_h + body_h + 0.25
    height = caption_y + 0.35 + 0.4 + 0.1
    fig.set_size_inches(width, height)

    lay = _Inches(fig)
    if title:
        lay.text(width / 2, _PAD, title, fontsize=13, fontweight="bold", color=INK,
                 ha="center", va="top")
    lay.text(width / 2, _PAD + title_h - mode_h - 0.14, mode, fontsize=11, color=MUTED,
             ha="center", va="top")
    x0 = (width - content_w) / 2 + label_w
    top = _PAD + title_h
    for k, (word, m) in enumerate((("before", before), ("after", after))):
        heading = word if title or not m.title else f"{word}: {m.title}"
        left, ptop = (x0 + k * (cols_w + gap), top) if side_by_side else \
            (x0, top + k * (panel_h + 0.3))
        lay.text(left + cols_w / 2, ptop, heading, fontsize=11.5, fontweight="bold", color=INK,
                 ha="center", va="top")
        _draw_grid(lay, m, left, ptop + 0.32, style, show_sources=(k == 0 or not side_by_side),
                   changed=d.changed)
    if side_by_side:
        lay.text(x0 + cols_w + gap / 2, top + 0.32 + style.header_h + rows_h / 2, "\u2192",
                 fontsize=24, color=MUTED, ha="center", va="center")
    lay.text(width / 2, caption_y, d.summary, fontsize=12.5, fontweight="bold", color=INK,
             ha="center", va="top")
    frame = Patch(facecolor="white", edgecolor=INK, linewidth=2.5, label="changed")
    _legend(fig, 1 - (caption_y + 0.6) / height, extra=[frame])
    return fig


def diff_png(d: TableDiff) -> bytes:
    """PNG bytes of :func:`diff_figure` (what ``MatrixDiff._repr_png_`` shows)."""
    return figure_png(diff_figure(d))


# ---------------------------------------------------------------- policies

# Column geometry of the policy picture, in inches across the 7-inch width.
_PEER_LEFT, _PEER_W, _ARROW_W, _CENTER_W = 0.1, 1.65, 1.0, 1.5
_CENTER_LEFT = _PEER_LEFT + _PEER_W + _ARROW_W
_CENTER_RIGHT = _CENTER_LEFT + _CENTER_W
_RIGHT_LEFT = _CENTER_RIGHT + _ARROW_W
_WALL_GAP, _WALL_W = 0.06, 0.07
_LABEL_W = _ARROW_W - _WALL_GAP - _WALL_W - 0.1  # room for a port label next to the wall
# Sizes for a picture shown 350 px wide on a phone as well as 700 px on a laptop.
_BOX_FONT, _PORT_FONT, _TAG_FONT = 10.5, 10.0, 8.5
_TITLE_FONT, _SUB_FONT, _HEAD_FONT, _STATUS_FONT, _PODS_FONT, _WHERE_FONT = \
    14.0, 10.5, 12.0, 10.0, 11.5, 10.5
_LINE_H = _BOX_FONT / 72 * 1.3
_PORT_LINE_H = _PORT_FONT / 72 * 1.2


@dataclass(frozen=True)
class _Row:
    """One flow on one side of the picture: a peer box and its arrow."""

    kind: str                 # "allow", "deny" (stopped at the wall) or "open" (not isolated)
    lines: tuple[str, ...]    # text in the peer box
    ports: tuple[str, ...]    # label above the arrow, already wrapped
    tag: str = ""             # API path of the peer, e.g. ingress[0].from[1]

    @property
    def box_h(self) -> float:
        return len(self.lines) * _LINE_H + 0.2

    @property
    def tag_h(self) -> float:
        return 0.2 if self.tag else 0.1

    @property
    def height(self) -> float:
        label = 2 * (len(self.ports) * _PORT_LINE_H + 0.08)  # the label sits above the arrow
        return max(self.box_h, label, 0.45) + self.tag_h


def _port_lines(fig: Figure, rule: Rule) -> tuple[str, ...]:
    words = [port_words(p) for p in rule.ports] or ["any port"]
    one = ", ".join(words)
    if _text_size(fig, one, _PORT_FONT, "bold")[0] <= _LABEL_W:
        return (one,)
    return tuple(line for w in words for line in _fit(fig, w, _LABEL_W, _PORT_FONT, "bold"))


def _peer_lines(fig: Figure, what: str, where: str) -> tuple[str, ...]:
    width = _PEER_W - 0.16
    return tuple(_fit(fig, what, width, _BOX_FONT) + (_fit(fig, where, width, _BOX_FONT)
                                                      if where else []))


def _side_rows(fig: Figure, policy: NetworkPolicy, direction: str) -> tuple[list[_Row], str, str]:
    """The rows of one side, plus its status line and colour."""
    anyone = "any source" if direction == "Ingress" else "any destination"
    rules = policy.rules(direction)
    d = direction.lower()
    word = "from" if direction == "Ingress" else "to"
    if not policy.isolates(direction):
        status = "not isolated (all allowed)"
        if rules:
            status += f"; its {d} rules are ignored ({direction} is not in policyTypes)"
        return [_Row("open", (anyone,), ("all allowed",))], status, MUTED
    if not rules:
        return [_Row("deny", (anyone,), ("denied",))], "default deny: nothing allowed", \
            BLOCKED_COLOR
    rows = []
    for r, rule in enumerate(rules):
        ports = _port_lines(fig, rule)
        if not rule.peers:
            rows.append(_Row("allow", ("anything",), ports, f"{d}[{r}]"))
        for j, peer in enumerate(rule.peers):
            rows.append(_Row("allow", _peer_lines(fig, *peer_parts(peer)), ports,
                             f"{d}[{r}].{word}[{j}]"))
    everything = next((r for r, rule in enumerate(rules)
                       if not rule.peers and not rule.ports), None)
    if everything is not None:  # `- {}`: isolated in name only
        return rows, f"isolated, but {d}[{everything}] allows everything", ALLOWED_COLOR
    rows.append(_Row("deny", ("everything else",), ("denied",)))
    return rows, "isolated: only blue flows allowed", ALLOWED_COLOR


def _box(ax: Any, x: float, y_top: float, w: float, h: float, *, dashed: bool = False,
         face: str = "white", edge: str = INK, lw: float = 1.2) -> None:
    ax.add_patch(FancyBboxPatch((x, y_top - h), w, h, boxstyle="round,pad=0,rounding_size=0.06",
                                facecolor=face, edgecolor=edge, linewidth=lw,
                                linestyle=(0, (4, 3)) if dashed else "-", zorder=2))


def _arrow(ax: Any, x0: float, x1: float, y: float, color: str, *, dashed: bool = False,
           width: float = 2.0) -> None:
    ax.add_patch(FancyArrowPatch((x0, y), (x1, y), arrowstyle="-|>", mutation_scale=14,
                                 color=color, linewidth=width, zorder=4, shrinkA=0, shrinkB=0,
                                 linestyle=(0, (4, 3)) if dashed else "-"))


def _draw_row(ax: Any, row: _Row, cy: float, ingress: bool, wall: bool) -> None:
    """One peer box at height ``cy`` and its arrow to (ingress) or from (egress) the centre."""
    box_x = _PEER_LEFT if ingress else _RIGHT_LEFT
    near = _CENTER_LEFT if ingress else _CENTER_RIGHT           # the centre box's edge
    far = _PEER_LEFT + _PEER_W if ingress else _RIGHT_LEFT      # the peer box's edge
    toward = 1 if ingress else -1                                # +x points at the centre
    wall_x = near - toward * (_WALL_GAP + _WALL_W / 2)
    if row.tag:
        ax.text(box_x + 0.03, cy + row.box_h / 2 + 0.04, row.tag, fontsize=_TAG_FONT,
                color=MUTED, ha="left", va="bottom", family="DejaVu Sans Mono")
    allow = row.kind == "allow"
    _box(ax, box_x, cy + row.box_h / 2, _PEER_W, row.box_h, dashed=not allow,
         edge=ALLOWED_COLOR if allow else NEUTRAL_COLOR, lw=1.6 if allow else 1.1)
    ax.text(box_x + _PEER_W / 2, cy, "\n".join(row.lines), fontsize=_BOX_FONT, color=INK,
            ha="center", va="center", linespacing=1.3, zorder=5)
    if row.kind == "deny":
        # Blocked flows: grey dashed, stopped at the wall under a cross.
        stop = wall_x - toward * 0.17
        if ingress:
            _arrow(ax, far, stop, cy, NEUTRAL_COLOR, dashed=True, width=1.4)
        else:
            _arrow(ax, stop, far, cy, NEUTRAL_COLOR, dashed=True, width=1.4)
        ax.text(wall_x, cy, BLOCKED_GLYPH, fontsize=14, fontweight="bold", color=BLOCKED_COLOR,
                ha="center", va="center", zorder=6,
                bbox=dict(boxstyle="circle,pad=0.12", facecolor="white", edgecolor=BLOCKED_COLOR,
                          linewidth=1.5))
        color = BLOCKED_COLOR
    elif row.kind == "open":
        start, end = (far, near) if ingress else (near, far)
        _arrow(ax, start, end, cy, NEUTRAL_COLOR, dashed=True, width=1.6)
        color = MUTED
    else:
        start, end = (far, near) if ingress else (near, far)
        _arrow(ax, start, end, cy, ALLOWED_COLOR, width=2.2)
        color = ALLOWED_COLOR
    # Labels sit between the peer box and the wall, clear of both.
    label_x = (far + (wall_x if wall else near)) / 2
    ax.text(label_x, cy + 0.06, "\n".join(row.ports), fontsize=_PORT_FONT, color=color,
            ha="center", va="bottom", fontweight="bold", linespacing=1.15, zorder=6)


def _draw_side(ax: Any, rows: list[_Row], direction: str, body_h: float, wall: bool) -> None:
    """Peer boxes and arrows of one side, vertically centred on the centre box."""
    ingress = direction == "Ingress"
    y = -(body_h - sum(r.height for r in rows)) / 2
    for row in rows:
        cy = y - row.tag_h - (row.height - row.tag_h) / 2
        _draw_row(ax, row, cy, ingress, wall)
        y -= row.height
    if wall:
        x = _CENTER_LEFT - _WALL_GAP - _WALL_W if ingress else _CENTER_RIGHT + _WALL_GAP
        # White hatching on vermillion: the hatch takes the edge colour (matplotlib < 3.10
        # has no hatchcolor), so the border is a second, unhatched rectangle on top.
        ax.add_patch(Rectangle((x, -body_h), _WALL_W, body_h, facecolor=BLOCKED_COLOR,
                               edgecolor="white", hatch="//", linewidth=0, zorder=3))
        ax.add_patch(Rectangle((x, -body_h), _WALL_W, body_h, facecolor="none",
                               edgecolor=BLOCKED_COLOR, linewidth=0.8, zorder=3))


def policy_figure(policy: NetworkPolicy) -> Figure:
    """A policy drawn like the Cilium editor: ingress peers left, selected pods centre, egress right.

    Arrows carry the ports; an isolated direction has a vermillion wall (default
    deny) that only the blue arrows pass; a direction outside policyTypes says
    "not isolated (all allowed)".

    >>> from netpol_kernel.policy.objects import LabelSelector, Labels
    >>> fig = policy_figure(NetworkPolicy("deny", "default", LabelSelector(Labels({"app": "db"}))))
    >>> float(fig.get_figwidth())
    7.0
    """
    fig = _figure(BOOK_WIDTH, 3)
    sides = {d: _side_rows(fig, policy, d) for d in ("Ingress", "Egress")}
    sel = policy.pod_selector
    pods = _fit(fig, "all pods" if sel.is_empty else f"pods {selector_words(sel)}",
                _CENTER_W - 0.16, _PODS_FONT, "bold")
    where = _fit(fig, f"in namespace {policy.namespace}", _CENTER_W - 0.16, _WHERE_FONT)
    column_w = _PEER_W + _ARROW_W - 0.1
    status = {d: _fit(fig, s, column_w, _STATUS_FONT, "bold") for d, (_, s, _) in sides.items()}
    title = "\n".join(_fit(fig, f"NetworkPolicy {policy.name}", BOOK_WIDTH - 2 * _PAD, _TITLE_FONT, "bold"))
    types = ", ".join(policy.policy_types)
    subtitle = "\n".join(_fit(fig, f"namespace {policy.namespace} \u00b7 policyTypes: {types}",
                               BOOK_WIDTH - 2 * _PAD, _SUB_FONT))
    title_h = _text_size(fig, title, _TITLE_FONT, "bold")[1] + 0.08
    head_h = title_h + _text_size(fig, subtitle, _SUB_FONT)[1] + 0.18
    pods_text, where_text = "\n".join(pods), "\n".join(where)
    pods_h = _text_size(fig, pods_text, _PODS_FONT, "bold")[1] * 1.1
    where_h = _text_size(fig, where_text, _WHERE_FONT)[1] * 1.1
    center_h = pods_h + where_h + 0.5
    body_h = max([center_h, 0.9] + [sum(r.height for r in rows) for rows, _, _ in sides.values()])
    status_h = max(len(lines) for lines in status.values()) * _STATUS_FONT / 72 * 1.3 + 0.15
    col_top = _PAD + head_h
    body_top = col_top + 0.32 + status_h
    height = body_top + body_h + 0.2 + 0.7 + 0.1
    fig.set_size_inches(BOOK_WIDTH, height)

    lay = _Inches(fig)
    lay.text(BOOK_WIDTH / 2, _PAD, title, fontsize=_TITLE_FONT, fontweight="bold", color=INK,
             ha="center", va="top")
    lay.text(BOOK_WIDTH / 2, _PAD + title_h, subtitle, fontsize=_SUB_FONT, color=MUTED,
             ha="center", va="top")
    for d, (rows, _, color) in sides.items():
        x = _PEER_LEFT + column_w / 2 if d == "Ingress" else _RIGHT_LEFT + _PEER_W - column_w / 2
        lay.text(x, col_top, d.upper(), fontsize=_HEAD_FONT, fontweight="bold", color=INK,
                 ha="center", va="top")
        lay.text(x, col_top + 0.27, "\n".join(status[d]), fontsize=_STATUS_FONT, color=color,
                 ha="center", va="top", fontweight="bold", linespacing=1.2)
    lay.text(_CENTER_LEFT + _CENTER_W / 2, col_top + 0.02, "SELECTED PODS", fontsize=_STATUS_FONT,
             fontweight="bold", color=INK, ha="center", va="top")

    ax = lay.axes(0, body_top, BOOK_WIDTH, body_h)
    ax.set_xlim(0, BOOK_WIDTH)
    ax.set_ylim(-body_h, 0)
    _box(ax, _CENTER_LEFT, 0, _CENTER_W, body_h, face="#EEEEEE", edge=INK, lw=1.6)
    cx = _CENTER_LEFT + _CENTER_W / 2
    text_top = -(body_h - pods_h - where_h - 0.08) / 2  # the two texts centred as one block
    ax.text(cx, text_top, pods_text, fontsize=_PODS_FONT, fontweight="bold", color=INK,
            ha="center", va="top", linespacing=1.25, zorder=5)
    ax.text(cx, text_top - pods_h - 0.08, where_text, fontsize=_WHERE_FONT, color=MUTED, ha="center",
            va="top", linespacing=1.25, zorder=5)
    for d, (rows, _, _) in sides.items():
        _draw_side(ax, rows, d, body_h, wall=policy.isolates(d))

    legend = [Line2D([], [], color=ALLOWED_COLOR, linewidth=2.2,
                     label="allowed flow (ports on the arrow)"),
              Patch(facecolor=BLOCKED_COLOR, hatch="//", label="default deny wall"),
              Line2D([], [], color=NEUTRAL_COLOR, linewidth=1.6, linestyle=(0, (4, 3)),
                     label="not isolated / denied")]
    # Large enough to read when the picture is shown 350 px wide (a phone): two rows.
    fig.legend(handles=legend, loc="center", ncol=2, frameon=False, fontsize=13,
               bbox_to_anchor=(0.5, 1 - (body_top + body_h + 0.55) / height), handlelength=2.2,
               columnspacing=1.4)
    return fig


def policy_png(policy: NetworkPolicy) -> bytes:
    """PNG bytes of :func:`policy_figure`."""
    return figure_png(policy_figure(policy))


# ---------------------------------------------------------------- notebook objects

def _as_policy(policy: Union[NetworkPolicy, Mapping]) -> NetworkPolicy:
    if isinstance(policy, NetworkPolicy):
        return policy
    from ..errors import ManifestError
    from ..api.validation import validate
    errors = validate(dict(policy))
    if errors:
        md = policy.get("metadata") or {}
        raise ManifestError(str(policy.get("kind") or ""), str(md.get("name") or ""), errors)
    obj = from_dict(policy)
    if not isinstance(obj, NetworkPolicy):
        raise TypeError(f"PolicyPicture draws NetworkPolicies, not {policy.get('kind')}")
    return obj


class PolicyPicture:
    """A policy for notebooks: the picture for the book, its words as the text form.

    Jupyter shows the PNG; nbval compares the text (``policy_words``), which is
    deterministic, so a notebook never stores a ``<Figure size ...>`` repr.

    >>> from netpol_kernel.policy.objects import LabelSelector, Labels
    >>> pic = PolicyPicture(NetworkPolicy("deny", "default", LabelSelector(Labels({"app": "db"}))))
    >>> print(pic)
    NetworkPolicy deny in namespace default
      selects: pods app=db in namespace default
      ingress: isolated, no rules: default deny (nothing allowed)
      egress: not isolated (all allowed)
    """

    def __init__(self, policy: Union[NetworkPolicy, Mapping]):
        self.policy = _as_policy(policy)

    def text(self) -> str:
        return policy_words(self.policy)

    __str__ = text

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.text())

    def _repr_png_(self) -> tuple[bytes, dict]:
        png = policy_png(self.policy)
        return png, png_metadata(png)

    @property
    def png(self) -> bytes:
        return policy_png(self.policy)

