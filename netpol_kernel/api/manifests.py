"""Reading manifest text the way ``kubectl apply -f`` does.

A file may hold several YAML documents (``---``), JSON, empty documents
(skipped) and ``kind: List`` wrappers (flattened).  Each object comes back as a
:class:`Document` remembering where it came from, so errors can name the file
and the object's position in it.

This is the one place where input is decoded: bytes become text as kubectl's
readers make them (:func:`decode_bytes`), the text is cut into documents at
``---`` lines as apimachinery's ``YAMLReader`` cuts it, so a syntax error's line
is counted from the start of its own document as kubectl counts it, and a
value YAML cannot convert (``!!int abc``) is go-yaml's error, never a Python
exception.  :func:`read_items` gives documents and errors in the order kubectl's
builder meets them (a document that does not decode is skipped, a syntax error
ends its file); :func:`read_documents` / :func:`read_path` split them;
:func:`load_documents` / :func:`load_path` raise the first error.

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

from ..errors import DecodeError, FieldError, ManifestError, PathNotFoundError, YAMLSyntaxError

__all__ = ["Document", "load_documents", "load_path", "read_documents", "read_items", "read_path", "read_file",
           "manifest_files", "decode_bytes", "MANIFEST_SUFFIXES"]

#: File endings ``kubectl apply -f DIR`` picks up.
MANIFEST_SUFFIXES = (".json", ".yaml", ".yml")

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_YAML = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _YAML + "str", _YAML + "seq", _YAML + "map"
#: Scalar tags the fast path converts itself (with SafeConstructor's own functions).
_PLAIN_SCALARS = {_YAML + "null", _YAML + "bool", _YAML + "int", _YAML + "float"}


class _Unusual(Exception):
    """A node the fast path leaves to PyYAML's own constructor."""


class _CannotDecode(Exception):
    """A scalar whose explicit tag its text does not fit; the message is go-yaml's."""


def _short(tag: str) -> str:
    return "!!" + tag[len(_YAML):] if tag.startswith(_YAML) else tag


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


class _KubectlLoader(_Loader):
    """The loader :func:`read_documents` uses: a scalar its tag cannot convert is go-yaml's
    error or, for a plain scalar that only looked like a number, go-yaml's string."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, _CannotDecode):
            raise
        except (ValueError, TypeError, IndexError, KeyError, ArithmeticError) as exc:
            if not isinstance(node, yaml.ScalarNode):
                raise _CannotDecode(f"cannot decode {_short(node.tag)}: {exc}") from None
            implicit = self.resolve(yaml.ScalarNode, node.value, (True, False))
            if not node.style and implicit == node.tag:  # plain: style None (PyYAML) or "" (libyaml)
                # ``0b_`` resolves as an int but is none: go-yaml's resolve() then keeps the
                # text as a string (yaml.v2 resolve.go).
                return node.value
            # An explicit tag the text does not fit (``!!int abc``, a bare ``!!int``):
            # "cannot decode !!str `abc` as a !!int" (yaml.v2 resolve.go, failf).
            raise _CannotDecode(f"cannot decode {_short(implicit)} `{node.value}` as a "
                                f"{_short(node.tag)}") from None



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
    """Parse manifest text into documents; raise the first syntax or shape error.

    Raises :class:`YAMLSyntaxError` for text that is not YAML/JSON and
    :class:`ManifestError` for a document that is not an object or lacks
    ``apiVersion``/``kind``.
    """
    docs, errors = read_documents(text, source)
    if errors:
        raise errors[0]
    return docs


def read_documents(text: str, source: str | None = None) -> tuple[list[Document], list[ManifestError]]:
    """The documents that decode, and an error for each that does not (see :func:`read_items`)."""
    items = read_items(text, source)
    return ([x for x in items if isinstance(x, Document)],
            [x for x in items if isinstance(x, ManifestError)])


def read_items(text: str, source: str | None = None) -> list[Document | ManifestError]:
    r"""Documents and errors in the order kubectl's builder meets them.

    A document that is not an object, lacks its kind, or whose metadata does not
    decode is an error of its own and the next one is read; a YAML syntax error
    ends the file, after the documents before it (cli-runtime's StreamVisitor):

    >>> items = read_items("kind: Namespace\napiVersion: v1\nmetadata: {name: a}\n---\n"
    ...                    "apiVersion: v1\nmetadata: {name: b}\n---\n"
    ...                    "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: c\n", source="f.yaml")
    >>> for item in items:
    ...     print(item.obj["metadata"]["name"] if isinstance(item, Document) else str(item))
    a
    The Object "b" is invalid: kind: Required value
    error: error parsing f.yaml: error converting YAML to JSON: yaml: line 4: found character that cannot start any token
    """
    items: list[Document | ManifestError] = []
    try:
        for raw in _parse(text, source):
            for obj in _flatten(raw, source, len(items)):
                items.append(obj if isinstance(obj, ManifestError) else Document(source, len(items), obj))
    except YAMLSyntaxError as exc:
        items.append(exc)
    return items


def load_path(path: str | os.PathLike) -> list[Document]:
    """Read a file, a directory (non-recursive, sorted) or ``-`` (stdin); raise the first error."""
    docs, errors = read_path(path)
    if errors:
        raise errors[0]
    return docs


def read_path(path: str | os.PathLike) -> tuple[list[Document], list[ManifestError]]:
    """Every document of a file, a directory (non-recursive, sorted) or ``-`` (stdin) that
    decodes, and the errors of those that do not, as ``kubectl apply -f DIR`` goes on with
    the other documents and files."""
    if os.fspath(path) == "-":
        return read_documents(_stdin_text(), source="STDIN")
    docs: list[Document] = []
    errors: list[ManifestError] = []
    for source in manifest_files(path):
        got, errs = read_documents(decode_bytes(Path(source).read_bytes()), source=source)
        docs += got
        errors += errs
    return docs, errors


def manifest_files(path: str | os.PathLike) -> list[str]:
    """The files ``-f PATH`` names: the file, or a directory's manifest files (sorted, not recursive)."""
    name = os.fspath(path)
    p = Path(name)
    if not p.exists():
        # kubectl's own wording, so the CLI can print str(exc) as is.
        raise PathNotFoundError(name)
    if p.is_dir():
        return [os.path.join(name, f.name) for f in sorted(p.iterdir())
                if f.is_file() and f.name.endswith(MANIFEST_SUFFIXES)]
    return [name]


def read_file(source: str) -> list[Document | ManifestError]:
    """:func:`read_items` on one file's bytes."""
    return read_items(decode_bytes(Path(source).read_bytes()), source=source)


def _stdin_text() -> str:
    buffer = getattr(sys.stdin, "buffer", None)
    return decode_bytes(buffer.read()) if buffer is not None else sys.stdin.read()


def decode_bytes(data: bytes) -> str:
    r"""Bytes to text as kubectl reads a manifest; never raises.

    go-yaml detects a UTF-16 byte-order mark and decodes UTF-16 (yaml.v2
    readerc.go, yaml_parser_determine_encoding); a UTF-8 one is dropped.  Bytes
    that are not UTF-8 reach the API server as U+FFFD, as Go's encoding/json
    writes them (kubectl 1.32 prints ``"x": "\ufffd"`` for a value of ``\xff``).

    >>> decode_bytes(b"\xef\xbb\xbfa: 1"), decode_bytes("a: 1".encode("utf-16")), decode_bytes(b"a: \xff")
    ('a: 1', 'a: 1', 'a: \ufffd')
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", "replace")
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
    return data.decode("utf-8", "replace")


#: A line starting with this ends a YAML document (apimachinery util/yaml, YAMLReader).
_SEPARATOR = "---"


def _chunks(text: str) -> Iterator[str]:
    """The text of each document, cut where apimachinery's YAMLReader cuts it.

    A line beginning with ``---`` ends the document before it and is dropped;
    with nothing before it, it stays as the first line of the next document.
    Only spaces and a comment may follow the dashes ("invalid Yaml document
    separator").  Each chunk is parsed on its own, so an error's line counts from
    the chunk's first line, as kubectl prints it.
    """
    buf: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith(_SEPARATOR):
            rest = line[len(_SEPARATOR):].strip()
            if rest and not rest.startswith("#"):
                raise YAMLSyntaxError(None, None, f"invalid Yaml document separator: {rest}")
            if buf:
                yield "".join(buf)
                buf = []
                continue
        buf.append(line)
    if buf:
        yield "".join(buf)


def _parse(text: str, source: str | None) -> Iterator[Any]:
    """Every non-empty top-level document, in order; raises at the first bad one."""
    if text.lstrip().startswith(("{", "[")):
        parsed = _parse_json(text)
        if parsed is not None:
            yield from parsed
            return
    tags: dict = {}
    values: dict = {}
    try:
        for chunk in _chunks(text):
            obj = _load_one(chunk, source, tags, values)
            if obj is not None:
                yield obj
    except YAMLSyntaxError as exc:
        if exc.source is None and source is not None:
            raise YAMLSyntaxError(source, exc.line, exc.problem) from None
        raise


def _load_one(chunk: str, source: str | None, tags: dict, values: dict) -> Any:
    """The first document of one chunk (sigs.k8s.io/yaml reads only the first)."""
    loader = None
    try:
        loader = _KubectlLoader(chunk)  # checks the characters first
        loader._tags, loader._values = tags, values  # shared: the same scalars recur across documents
        return loader.get_data() if loader.check_data() else None
    except yaml.MarkedYAMLError as exc:
        raise YAMLSyntaxError(source, _go_yaml_line(exc), exc.problem or str(exc)) from None
    except yaml.reader.ReaderError:
        # go-yaml's wording for a byte YAML forbids (yaml.v2 readerc.go)
        raise YAMLSyntaxError(source, None, "control characters are not allowed") from None
    except yaml.YAMLError as exc:
        raise YAMLSyntaxError(source, None, str(exc)) from None
    except _CannotDecode as exc:
        raise YAMLSyntaxError(source, None, str(exc)) from None
    except RecursionError:
        raise YAMLSyntaxError(source, None, "exceeded max depth of 10000") from None
    finally:
        if loader is not None:
            loader.dispose()


def _go_yaml_line(exc: yaml.MarkedYAMLError) -> int | None:
    """The line go-yaml prints (yaml.v2 yaml.go, parser.fail), which libyaml's marks give.

    A scanner error prints its mark's line 1-based; any other error prints the
    0-based line of its mark, or of its context mark when that is 0, and no
    line at all when both are 0 (``yaml: mapping values are not allowed...``).
    """
    problem, context = exc.problem_mark, exc.context_mark
    if problem is not None and problem.line != 0:
        return problem.line + 1 if isinstance(exc, yaml.scanner.ScannerError) else problem.line
    if context is not None and context.line != 0:
        return context.line
    return None


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


def _flatten(obj: Any, source: str | None, index: int) -> Iterator[dict | ManifestError]:
    """Yield the object, or the items of a ``kind: List`` (recursively); an error in place of
    each one that does not decode."""
    problem = _shape_error(obj, source, index)
    if problem is not None:
        yield problem
        return
    kind = obj.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and "items" in obj:
        items = obj.get("items") or []
        if not isinstance(items, list):
            what = {dict: "object", str: "string", bool: "bool"}.get(type(items), "number")
            err = FieldError("items", "Invalid", f"must be a list (got {what})")
            yield ManifestError(kind, "", [err], source=source, index=index)
            return
        # A typed list (PodList) leaves its items' kind and apiVersion out; kubectl fills
        # them in from the list when both are missing (apimachinery unstructured.go,
        # decodeToList: "For typed lists, e.g., a PodList, API server doesn't set each
        # item's APIVersion and Kind").  A plain List has no item kind to give.
        item_kind = kind[: -len("List")]
        for item in items:
            if item_kind and isinstance(item, dict) and not item.get("kind") and not item.get("apiVersion"):
                item = {"apiVersion": obj.get("apiVersion"), "kind": item_kind, **item}
            for sub in _flatten(item, source, index):
                yield sub
                index += 1
        return
    yield obj


def _go_json(value: Any) -> str:
    """The JSON type Go's decoder names in "cannot unmarshal X into ..."."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array"}.get(type(value), "string")


def _shape_error(obj: Any, source: str | None, index: int) -> ManifestError | None:
    if not isinstance(obj, dict):
        what = {list: "array", str: "string", bool: "bool"}.get(type(obj), "number")
        err = FieldError("<document>", "Invalid",
                         f"json: cannot unmarshal {what} into Go value of type map[string]interface {{}}")
        return ManifestError("", "", [err], source=source, index=index)
    # kubectl: error validating data: [apiVersion not set, kind not set]
    missing = [FieldError.required(key) for key in ("apiVersion", "kind") if not obj.get(key)]
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) else ""
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) and isinstance(meta.get("name"), str) else ""
    if missing:
        return ManifestError(kind, name, missing, source=source, index=index)
    # kubectl's builder decodes the metadata into an ObjectMeta before anything else:
    # `unable to decode "f.yaml": json: cannot unmarshal array into Go struct field
    # ObjectMeta.metadata.name of type string` (kubectl 1.32), then the next document.
    if isinstance(meta, dict):
        for key in ("name", "namespace", "generateName", "labels", "annotations"):
            value, go_type = meta.get(key), "string"
            if key in ("labels", "annotations"):
                if isinstance(value, dict):
                    value = next((v for v in value.values() if v is not None and not isinstance(v, str)), None)
                elif value is not None:
                    go_type = "map[string]string"
            if value is not None and (go_type != "string" or not isinstance(value, str)):
                detail = (f"json: cannot unmarshal {_go_json(value)} into Go struct field "
                          f"ObjectMeta.metadata.{key} of type {go_type}")
                return DecodeError(kind, name, [FieldError(f"metadata.{key}", "Invalid", detail)],
                                   source=source, index=index)
    return None
