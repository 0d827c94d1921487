"""``-o custom-columns=HEADER:JSONPATH,...`` and ``--sort-by=JSONPATH``.

Ports of k8s.io/cli-runtime v0.32 pkg/printers/customcolumn.go (a column per
``HEADER:PATH``, paths relaxed to ``{.path}``, ``<none>`` for a missing value,
several values joined by ``,``, the table through the usual tabwriter) and
kubectl's pkg/cmd/get/sorter.go (a stable sort on the value at the path: numbers
as numbers, everything else as text, a missing value first).

>>> objs = [{"metadata": {"name": "b"}, "status": {"podIP": "10.244.0.6"}}, {"metadata": {"name": "a"}}]
>>> print(custom_columns("NAME:.metadata.name,IP:.status.podIP", sort_objects(objs, ".metadata.name")), end="")
NAME   IP
a      <none>
b      10.244.0.6
"""
from __future__ import annotations

from typing import Any, Sequence

from .args import Exit
from .jsonpath import JSONPathError, find_results, go_text
from .render import tabwrite

__all__ = ["relaxed", "custom_columns", "sort_objects"]


def relaxed(path: str) -> str:
    """RelaxedJSONPathExpression: ``.a.b``, ``a.b`` or ``{.a.b}`` -> ``{.a.b}``."""
    text = path.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    if not text.startswith("."):
        text = "." + text
    return "{" + text + "}"


def _specs(spec: str) -> list[tuple[str, str]]:
    out = []
    for part in spec.split(","):
        header, colon, path = part.partition(":")
        if not colon or not header or not path:
            raise Exit(f'error: unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>')
        out.append((header, relaxed(path)))
    return out


def custom_columns(spec: str, objs: Sequence[Any], no_headers: bool = False) -> str:
    columns = _specs(spec)
    rows = [] if no_headers else [[h for h, _ in columns]]
    for obj in objs:
        row = []
        for _, path in columns:
            try:
                groups = find_results(path, obj)
            except JSONPathError:
                groups = []
            values = [go_text(v) for group in groups for v in group]
            row.append(",".join(values) if values else "<none>")
        rows.append(row)
    return tabwrite("".join("\t".join(r) + "\n" for r in rows), minwidth=6, padding=3)


def sort_objects(objs: Sequence[Any], path: str) -> list[Any]:
    """Stable sort on the (first) value at ``path``; missing values first."""
    template = relaxed(path)

    def key(obj: Any) -> tuple:
        try:
            groups = find_results(template, obj)
        except JSONPathError:
            groups = []
        values = [v for g in groups for v in g]
        if not values:
            return (0, 0, "")
        value = values[0]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (1, value, "")
        return (2, 0, go_text(value))

    try:
        return sorted(objs, key=key)
    except TypeError:
        return list(objs)
