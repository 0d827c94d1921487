"""Connectivity matrices: who can talk to whom, and what changed.

A :class:`Matrix` is the one object behind the book's pictures and truth tables.
It is produced by the policy engine (predicted) or by live probes (probed); both
fill the same cells, so pictures and tables look the same in either mode.
Its plain-text form is a truth table (what nbval compares); Jupyter shows it as
a picture (drawn by :mod:`netpol_kernel.notebook.plots`, imported only when displayed).

>>> m = Matrix(("frontend", "not-frontend"), ("backend:8080",),
...            ((Cell(True),), (Cell(False),)), title="TCP/8080")
>>> print(m.to_text())
TCP/8080        backend:8080
frontend        .
not-frontend    X
>>> after = Matrix(m.sources, m.targets, ((Cell(False),), (Cell(False),)))
>>> m.diff(after).summary
'1 flow blocked, 0 opened'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

__all__ = ["Cell", "Matrix", "MatrixDiff"]

ALLOWED_MARK, BLOCKED_MARK, SELF_MARK = ".", "X", "-"


@dataclass(frozen=True)
class Cell:
    """One source->target outcome.

    ``detail`` is what a probe saw ("HTTP/1.1 200 OK", "timed out", "refused");
    ``why`` is the engine's explanation of the verdict, when one is known.
    ``allowed`` is None for a cell that is not a connection between two pods
    (a pod calling its own Service): CNIs differ there, so no verdict is claimed.
    """

    allowed: Optional[bool]
    detail: str = ""
    why: Optional[str] = field(default=None, compare=False)

    @property
    def mark(self) -> str:
        if self.allowed is None:
            return SELF_MARK
        return ALLOWED_MARK if self.allowed else BLOCKED_MARK


@dataclass(frozen=True)
class Matrix:
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]  # cells[i][j]: sources[i] -> targets[j]
    title: str = ""
    mode: str = "predicted"  # "predicted" (engine) or "probed" (curl inside the pods)
    #: Which cluster the probes ran in ("the embedded cluster", "kind-netpol-course"):
    #: a reader must always know where a probed picture comes from.
    cluster: str = ""

    def __post_init__(self) -> None:
        if len(self.cells) != len(self.sources) or any(len(r) != len(self.targets) for r in self.cells):
            raise ValueError("matrix cells do not match its sources x targets")

    def cell(self, source: str, target: str) -> Cell:
        return self.cells[self.sources.index(source)][self.targets.index(target)]

    def allowed(self, source: str, target: str) -> Optional[bool]:
        return self.cell(source, target).allowed

    @property
    def counts(self) -> tuple[int, int]:
        """(allowed, blocked) cell counts; not-applicable cells count as neither."""
        flat = [c.allowed for row in self.cells for c in row]
        return flat.count(True), flat.count(False)

    def to_text(self) -> str:
        """A truth table: rows are sources, columns targets, ``.`` allowed, ``X`` blocked,
        ``-`` not applicable (a pod and itself)."""
        corner = self.title or ""
        w0 = max([len(corner)] + [len(s) for s in self.sources]) + 4
        widths = [max(len(t), 1) + 2 for t in self.targets]
        head = corner.ljust(w0) + "".join(t.ljust(w) for t, w in zip(self.targets, widths))
        lines = [head.rstrip()]
        for s, row in zip(self.sources, self.cells):
            line = s.ljust(w0) + "".join(c.mark.ljust(w) for c, w in zip(row, widths))
            lines.append(line.rstrip())
        return "\n".join(lines)

    __str__ = to_text

    def _repr_pretty_(self, p, cycle) -> None:  # IPython's text/plain
        p.text(self.to_text())

    def _repr_png_(self) -> tuple[bytes, dict]:
        from .plots import matrix_png, png_metadata  # matplotlib only when a front end asks
        png = matrix_png(self)
        return png, png_metadata(png)  # drawn at 2x: shown at half its pixel size

    def where(self) -> str:
        """Where the cells come from, in words: ``probed in the embedded cluster``,
        ``probed on kind-netpol-course`` or ``predicted by the policy engine``."""
        if self.mode != "probed":
            return "predicted by the policy engine"
        cluster = self.cluster or "a cluster"
        return "probed " + ("in the embedded cluster" if cluster == "the embedded cluster"
                            else f"on {cluster}")

    def alt_text(self) -> str:
        """What the picture shows, for readers who cannot see it (an image's alt text).

        >>> m = Matrix(("frontend", "not-frontend"), ("backend:8080",),
        ...            ((Cell(True),), (Cell(False),)), mode="probed", cluster="the embedded cluster")
        >>> m.alt_text()
        'Connectivity matrix, probed in the embedded cluster: frontend to backend:8080 allowed; not-frontend to backend:8080 blocked.'
        """
        words = {True: "allowed", False: "blocked", None: "no verdict (same pod)"}
        pairs = [f"{s} to {t} {words[c.allowed]}" for s, row in zip(self.sources, self.cells)
                 for t, c in zip(self.targets, row)]
        return f"Connectivity matrix, {self.where()}: " + "; ".join(pairs) + "."

    def to_dict(self) -> dict:
        return {"title": self.title, "mode": self.mode, "cluster": self.cluster,
                "sources": list(self.sources),
                "targets": list(self.targets),
                "allowed": {s: {t: c.allowed for t, c in zip(self.targets, row)}
                            for s, row in zip(self.sources, self.cells)}}

    def diff(self, after: "Matrix") -> "MatrixDiff":
        """Compare with a later matrix over the same sources and targets."""
        if (self.sources, self.targets) != (after.sources, after.targets):
            raise ValueError("matrices compare only over the same sources and targets")
        opened, blocked = [], []
        for i, s in enumerate(self.sources):
            for j, t in enumerate(self.targets):
                b, a = self.cells[i][j].allowed, after.cells[i][j].allowed
                if a is None or b is None:
                    continue
                if a and not b:
                    opened.append((s, t))
                elif b and not a:
                    blocked.append((s, t))
        return MatrixDiff(self, after, tuple(opened), tuple(blocked))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class MatrixDiff:
    before: Matrix
    after: Matrix
    opened: tuple[tuple[str, str], ...]
    blocked: tuple[tuple[str, str], ...]

    @property
    def changed(self) -> frozenset[tuple[str, str]]:
        return frozenset(self.opened) | frozenset(self.blocked)

    @property
    def summary(self) -> str:
        return f"{_plural(len(self.blocked), 'flow')} blocked, {len(self.opened)} opened"

    def to_text(self) -> str:
        lines = ["before:", self.before.to_text(), "", "after:", self.after.to_text(), "",
                 self.summary]
        lines += [f"  blocked: {s} -> {t}" for s, t in self.blocked]
        lines += [f"  opened:  {s} -> {t}" for s, t in self.opened]
        return "\n".join(lines)

    __str__ = to_text

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(self.to_text())

    def _repr_png_(self) -> tuple[bytes, dict]:
        from .plots import diff_png, png_metadata
        png = diff_png(self)
        return png, png_metadata(png)
