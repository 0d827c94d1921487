"""Reading manifest text the way ``kubectl apply -f`` does.

A file may hold several YAML documents (``---``), JSON, empty documents
(skipped) and ``kind: List`` wrappers (flattened).  Each object comes back as a
:class:`Document` remembering where it came from, so errors can name the file
and the object's position in it.

>>> docs = load_documents('''
... apiVersion: v1
... kind: Namespace
... metadata: {name: shop}
... ---
... apiVersion: v1
... kind: List
... items:
... - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
... ''', source="shop.yaml")
>>> [(d.index, d.obj["kind"], d.obj["metadata"]["name"]) for d in docs]
[(0, 'Namespace', 'shop'), (1, 'ConfigMap', 'a')]
"""
from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

from ..errors import FieldError, ManifestError, YAMLSyntaxError

__all__ = ["Document", "load_documents", "load_path", "MANIFEST_SUFFIXES"]

#: File endings ``kubectl apply -f DIR`` picks up.
MANIFEST_SUFFIXES = (".json", ".yaml", ".yml")

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_YAML = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _YAML + "str", _YAML + "seq", _YAML + "map"
#: Scalar tags the fast path converts itself (with SafeConstructor's own functions).
_PLAIN_SCALARS = {_YAML + "null", _YAML + "bool", _YAML + "int", _YAML + "float"}


class _Unusual(Exception):
    """A node the fast path leaves to PyYAML's own constructor."""


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader, with scalars resolved as kubectl's go-yaml does.

    go-yaml (YAML 1.1 like PyYAML) still differs in two ways that matter for
    manifests: timestamps stay strings (``date: 2024-01-01`` is a valid label
    value), and base-60 numbers do not exist (``08:00`` is a string, not 480).

    It is also about twice as fast as PyYAML's loader on big manifests, for
    the very same result: tags are memoised, and plain documents are built
    directly instead of through SafeConstructor's generic machinery.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._tags: dict = {}     # resolve()'s arguments -> tag
        self._values: dict = {}   # (tag, value) -> Python value of a scalar

    # This class has no path resolvers, so a node's tag depends only on these
    # arguments, and manifests repeat the same few scalars a lot.
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        key = (kind, value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = super().resolve(kind, value, implicit)
        return tag

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # only path resolvers need to track the path

    def ascend_resolver(self) -> None:
        pass

    def construct_document(self, node: yaml.Node) -> Any:
        try:
            return self._build(node, {})
        except Exception:
            pass  # not plain, or an error: PyYAML says what it makes of it
        return super().construct_document(node)

    def _build(self, node: yaml.Node, built: dict) -> Any:
        """Node to dict/list/scalar, or raise for anything unusual.

        ``built`` maps container nodes to their objects, so that an alias
        gives the same object (PyYAML's ``constructed_objects``).
        """
        cls = node.__class__
        if cls is yaml.ScalarNode:
            tag = node.tag
            if tag == _STR:
                return node.value
            key = (tag, node.value)
            if key in self._values:
                return self._values[key]
            if tag not in _PLAIN_SCALARS:
                raise _Unusual  # !!binary, !!timestamp, merge key `<<`, ...
            value = self._values[key] = self.yaml_constructors[tag](self, node)
            return value
        obj = built.get(node)
        if obj is not None:
            return obj
        if cls is yaml.MappingNode and node.tag == _MAP:
            obj = built[node] = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is not yaml.ScalarNode:
                    raise _Unusual  # a complex key: PyYAML may reject it
                key = self._build(key_node, built)
                obj[key] = self._build(value_node, built)
        elif cls is yaml.SequenceNode and node.tag == _SEQ:
            obj = built[node] = []
            for child in node.value:
                obj.append(self._build(child, built))
        else:
            raise _Unusual  # !!set, !!omap, a tag on the wrong kind of node, ...
        return obj


_INT = re.compile(r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+)$""", re.X)
_FLOAT = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""", re.X)
_DROP = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}

_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROP]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


@dataclass(frozen=True)
class Document:
    """One API object read from a manifest.

    ``index`` is the object's position among the objects read from ``source``
    (0-based; empty documents are not counted, ``kind: List`` items are).
    """

    source: str | None
    index: int
    obj: dict


def load_documents(text: str, source: str | None = None) -> list[Document]:
    """Parse manifest text into documents; raise on syntax or shape errors.

    Raises :class:`YAMLSyntaxError` for text that is not YAML/JSON and
    :class:`ManifestError` for a document that is not an object or lacks
    ``apiVersion``/``kind``.
    """
    docs: list[Document] = []
    for raw in _parse(text, source):
        for obj in _flatten(raw, source, len(docs)):
            docs.append(Document(source, len(docs), obj))
    return docs


def load_path(path: str | os.PathLike) -> list[Document]:
    """Read a file, a directory (non-recursive, sorted) or ``-`` (stdin)."""
    name = os.fspath(path)
    if name == "-":
        return load_documents(sys.stdin.read(), source="STDIN")
    p = Path(name)
    if not p.exists():
        # kubectl's own wording, so the CLI can print str(exc) as is.
        raise FileNotFoundError(f'error: the path "{name}" does not exist')
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.is_file() and f.name.endswith(MANIFEST_SUFFIXES))
        return [d for f in files for d in load_documents(_read(f), source=os.path.join(name, f.name))]
    return load_documents(_read(p), source=name)


def _read(path: Path) -> str:
    # utf-8-sig: editors on Windows like to prepend a BOM, which YAML rejects.
    return path.read_text(encoding="utf-8-sig")


def _parse(text: str, source: str | None) -> list[Any]:
    """Every non-empty top-level document, in order."""
    if text.lstrip().startswith(("{", "[")):
        parsed = _parse_json(text)
        if parsed is not None:
            return parsed
    try:
        return [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YAMLSyntaxError(source, line, exc.problem or str(exc)) from None
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        raise YAMLSyntaxError(source, None, str(exc)) from None


def _parse_json(text: str) -> list[Any] | None:
    """JSON objects one after another, or None to let YAML have a go.

    Tried first because PyYAML refuses tab indentation, which is legal JSON.
    """
    decoder = json.JSONDecoder()
    out, pos = [], 0
    try:
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos == len(text):
                return out
            value, pos = decoder.raw_decode(text, pos)
            out.append(value)
    except json.JSONDecodeError:
        return None


def _flatten(obj: Any, source: str | None, index: int) -> Iterator[dict]:
    """Yield the object, or the items of a ``kind: List`` (recursively)."""
    _check_shape(obj, source, index)
    kind = obj.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and "items" in obj:
        items = obj.get("items") or []
        if not isinstance(items, list):
            what = {dict: "object", str: "string", bool: "bool"}.get(type(items), "number")
            err = FieldError("items", "Invalid", f"must be a list (got {what})")
            raise ManifestError(kind, "", [err], source=source, index=index)
        for item in items:
            for sub in _flatten(item, source, index):
                yield sub
                index += 1
        return
    yield obj


def _check_shape(obj: Any, source: str | None, index: int) -> None:
    if not isinstance(obj, dict):
        what = {list: "array", str: "string", bool: "bool"}.get(type(obj), "number")
        err = FieldError("<document>", "Invalid",
                         f"json: cannot unmarshal {what} into Go value of type map[string]interface {{}}")
        raise ManifestError("", "", [err], source=source, index=index)
    # kubectl: error validating data: [apiVersion not set, kind not set]
    missing = [FieldError.required(key) for key in ("apiVersion", "kind") if not obj.get(key)]
    if missing:
        kind = obj.get("kind") if isinstance(obj.get("kind"), str) else ""
        meta = obj.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) and isinstance(meta.get("name"), str) else ""
        raise ManifestError(kind, name, missing, source=source, index=index)
