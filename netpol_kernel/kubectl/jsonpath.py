r"""kubectl's JSONPath template dialect (``-o jsonpath=...``), on plain JSON values.

A port of the semantics of k8s.io/client-go/util/jsonpath, which is *not* the
JSONPath of RFC 9535 (jsonpath-ng and friends): text outside ``{...}`` is
printed as is, ``{range ...}{end}`` loops, several results of one action are
joined by a space, maps and lists print as compact JSON, and kubectl runs it
with missing keys allowed (a missing field prints nothing).  No maintained
Python package implements this dialect, hence this module.

>>> data = {"items": [{"metadata": {"name": "a", "labels": {"app": "web"}}},
...                   {"metadata": {"name": "b"}}]}
>>> render("{.items[0].metadata.name}", data)
'a'
>>> render("{.items[*].metadata.name}", data)
'a b'
>>> render('{range .items[*]}{.metadata.name}{"\\n"}{end}', data)
'a\nb\n'
>>> render("{.items[0].metadata.labels}", data)
'{"app":"web"}'
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

__all__ = ["JSONPathError", "JSONPathParseError", "parse", "render", "go_value", "go_quote", "find_results"]


class JSONPathError(ValueError):
    """A template that cannot be executed on the given data (client-go's wording)."""


class JSONPathParseError(JSONPathError):
    """A template that does not parse (client-go's wording)."""


# ---------------------------------------------------------------- nodes

@dataclass
class _Text:
    text: str


@dataclass
class _Field:
    name: str


@dataclass
class _Wildcard:
    pass


@dataclass
class _Recursive:
    pass


@dataclass
class _Ident:
    name: str  # range | end (anything else is an execution error, as upstream)


@dataclass
class _Int:
    value: int


@dataclass
class _Float:
    value: float


@dataclass
class _Bool:
    value: bool


@dataclass
class _Param:
    value: int = 0
    known: bool = False
    derived: bool = False


@dataclass
class _Array:
    params: tuple[_Param, _Param, _Param]


@dataclass
class _List:
    nodes: list = field(default_factory=list)


@dataclass
class _Union:
    lists: list[_List]


@dataclass
class _Filter:
    left: _List
    right: _List
    op: str


_Node = Union[_Text, _Field, _Wildcard, _Recursive, _Ident, _Int, _Float, _Bool, _Array, _List,
              _Union, _Filter]

# ---------------------------------------------------------------- parser

_DICT_KEY = re.compile(r"^'([^']*)'$")
_SLICE = re.compile(r"^(-?\d*)(:-?\d*)?(:-?\d*)?$")
_FILTER = re.compile(r"^([^!<>=]+)([!<>=~]+)(.+?)$")
_TERMINATORS = set(" \t\r\n.,[]$@{}")


def _unicode_name(ch: str) -> str:
    """Go's %#U: ``U+0021 '!'``."""
    return f"U+{ord(ch):04X} '{ch}'"


class _Parser:
    """A recursive-descent reading of client-go's parser.go, same errors."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.start = 0

    def parse(self) -> _List:
        root = _List()
        self._text(root)
        return root

    # -- cursor helpers
    def _next(self) -> str:
        if self.pos >= len(self.text):
            return ""
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _consume(self) -> str:
        value = self.text[self.start:self.pos]
        self.start = self.pos
        return value

    # -- grammar
    def _text(self, root: _List) -> None:
        while True:
            brace = self.text.find("{", self.pos)
            if brace < 0:
                self.pos = len(self.text)
                if self.pos > self.start:
                    root.nodes.append(_Text(self._consume()))
                return
            self.pos = brace
            if self.pos > self.start:
                root.nodes.append(_Text(self._consume()))
            self.pos += 1
            self._consume()
            action = _List()
            root.nodes.append(action)
            self._inside(action)  # returns at the closing brace

    def _inside(self, cur: _List) -> None:
        while True:
            rest = self.text[self.pos:]
            if rest.startswith("}"):
                self.pos += 1
                self._consume()
                return
            if rest.startswith("[?("):
                self._filter(cur)
                continue
            if rest.startswith(".."):
                if cur.nodes and isinstance(cur.nodes[-1], _Recursive):
                    raise JSONPathParseError("invalid multiple recursive descent")
                self.pos += 2
                self._consume()
                cur.nodes.append(_Recursive())
                if _is_alnum(self._peek()):
                    self._field(cur)
                continue
            ch = self._next()
            if ch == "" or ch in "\r\n":
                raise JSONPathParseError("unclosed action")
            if ch in " @$":
                self._consume()
            elif ch == "[":
                self._array(cur)
            elif ch in "\"'":
                self._quote(cur, ch)
            elif ch == ".":
                self._field(cur)
            elif ch in "+-" or ch.isdigit():
                self.pos -= 1
                self._number(cur)
            elif _is_alnum(ch):
                self.pos -= 1
                self._identifier(cur)
            else:
                raise JSONPathParseError(f"unrecognized character in action: {_unicode_name(ch)}")

    def _identifier(self, cur: _List) -> None:
        while self._peek() not in _TERMINATORS and self._peek() != "":
            self.pos += 1
        value = self._consume()
        cur.nodes.append(_Bool(value == "true") if value in ("true", "false") else _Ident(value))

    def _number(self, cur: _List) -> None:
        if self._peek() in "+-" and self._peek():
            self.pos += 1
        while self._peek() and (self._peek() == "." or self._peek().isdigit()):
            self.pos += 1
        value = self._consume()
        try:
            cur.nodes.append(_Int(int(value)))
            return
        except ValueError:
            pass
        try:
            cur.nodes.append(_Float(float(value)))
        except ValueError:
            raise JSONPathParseError(f"cannot parse number {value}") from None

    def _field(self, cur: _List) -> None:
        self._consume()  # drop the dot
        while True:
            ch = self._peek()
            if ch == "\\":
                self.pos += 2
                continue
            if ch == "" or ch in _TERMINATORS:
                break
            self.pos += 1
        value = self._consume()
        cur.nodes.append(_Wildcard() if value == "*" else _Field(value.replace("\\", "")))

    def _quote(self, cur: _List, end: str) -> None:
        while True:
            ch = self._next()
            if ch == "" or ch == "\n":
                raise JSONPathParseError("unterminated quoted string")
            if ch == end and self.text[self.pos - 2] != "\\":
                break
        raw = self._consume()
        try:
            cur.nodes.append(_Text(_unquote(raw)))
        except ValueError as exc:
            raise JSONPathParseError(f"unquote string {raw} error {exc}") from None

    def _array(self, cur: _List) -> None:
        while True:
            ch = self._next()
            if ch == "" or ch == "\n":
                raise JSONPathParseError("unterminated array")
            if ch == "]":
                break
        text = self._consume()[1:-1]
        if text == "*":
            text = ":"
        parts = text.split(",")
        if len(parts) > 1:
            cur.nodes.append(_Union([_action(f"[{p.strip(' ')}]") for p in parts]))
            return
        key = _DICT_KEY.match(text)
        if key:
            cur.nodes.extend(_action("." + key.group(1)).nodes)
            return
        m = _SLICE.match(text)
        if m is None:
            raise JSONPathParseError(f"invalid array index {text}")
        cur.nodes.append(_Array(_slice_params(list(m.groups()))))

    def _filter(self, cur: _List) -> None:
        self.pos += 3
        self._consume()
        begin = end = False
        pair = ""
        while True:
            ch = self._next()
            if ch == "" or ch == "\n":
                raise JSONPathParseError("unterminated filter")
            if ch in "\"'":
                if not begin:
                    begin, pair = True, ch
                    continue
                if self.text[self.pos - 2] != "\\" and ch == pair:
                    end = True
            elif ch == ")" and begin == end:
                break
        if self._next() != "]":
            raise JSONPathParseError("unclosed array expect ]")
        text = self._consume()[:-2]
        m = _FILTER.match(text)
        if m is None:
            cur.nodes.append(_Filter(_action(text), _List(), "exists"))
        else:
            cur.nodes.append(_Filter(_action(m.group(1)), _action(m.group(3)), m.group(2)))


def _slice_params(groups: list[Optional[str]]) -> tuple[_Param, _Param, _Param]:
    params = [_Param(), _Param(), _Param()]
    first = groups[0] or ""
    if first:
        params[0] = _Param(int(first), True)
    for i in (1, 2):
        g = groups[i]
        if g:
            g = g[1:]
            if g == "":
                params[i] = _Param(0, False)
            else:
                params[i] = _Param(int(g), True)
        elif i == 1:
            # "[3]" means the slice 3:4 (derived), so one element comes back.
            params[i] = _Param(params[0].value + 1, True, True)
    return params[0], params[1], params[2]


def _action(text: str) -> _List:
    """Parse ``text`` as the inside of one ``{...}`` action."""
    root = _Parser("{" + text + "}").parse()
    return root.nodes[0]


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalnum()


def _unquote(raw: str) -> str:
    """strconv.Unquote, extended to single quotes (client-go's UnquoteExtend)."""
    if len(raw) < 2 or raw[0] != raw[-1] or raw[0] not in "\"'":
        raise ValueError("invalid syntax")
    body, out, i = raw[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1:i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt in ("x", "u", "U"):
            size = {"x": 2, "u": 4, "U": 8}[nxt]
            digits = body[i + 2:i + 2 + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError("invalid syntax")
            out.append(chr(int(digits, 16)))
            i += 2 + size
        elif nxt.isdigit():
            digits = body[i + 1:i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits):
                raise ValueError("invalid syntax")
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise ValueError("invalid syntax")
    return "".join(out)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
            "\\": "\\", "'": "'", '"': '"'}


# ---------------------------------------------------------------- program

@dataclass
class _Range:
    expr: _List
    body: list


def parse(template: str) -> list:
    """Parse a template into a program (text, actions and range blocks).

    >>> parse("{.a}")  # doctest: +ELLIPSIS
    [_List(nodes=[_Field(name='a')])]
    """
    nodes = _Parser(template).parse().nodes
    program, _ = _blocks(nodes, 0, nested=False)
    return program


def _blocks(nodes: list, i: int, nested: bool) -> tuple[list, int]:
    """Group ``{range X}...{end}`` into _Range blocks; returns (program, next index)."""
    out: list = []
    while i < len(nodes):
        node = nodes[i]
        head = node.nodes[0] if isinstance(node, _List) and node.nodes else None
        if isinstance(head, _Ident) and head.name == "range":
            body, i = _blocks(nodes, i + 1, nested=True)
            out.append(_Range(_List(node.nodes[1:]), body))
            continue
        if isinstance(head, _Ident) and head.name == "end":
            if nested:
                return out, i + 1
            raise JSONPathError("not in range, nothing to end")
        out.append(node)
        i += 1
    # A range without {end} runs to the end of the template, as upstream.
    return out, i


_MISSING = object()


class _Evaluator:
    def __init__(self, allow_missing_keys: bool):
        self.allow_missing = allow_missing_keys

    def run(self, program: list, data: Any) -> list[list[Any]]:
        groups: list[list[Any]] = []
        for node in program:
            if isinstance(node, _Range):
                for value in self.walk([data], node.expr):
                    groups.extend(self.run(node.body, value))
            else:
                groups.append(self.walk([data], node))
        return groups

    def walk(self, values: list, node: Any) -> list:
        method: Callable[[list, Any], list] = getattr(self, "_" + type(node).__name__.lstrip("_").lower())
        return method(values, node)

    def _list(self, values: list, node: _List) -> list:
        for sub in node.nodes:
            values = self.walk(values, sub)
        return values

    def _text(self, values: list, node: _Text) -> list:
        return [node.text]

    def _int(self, values: list, node: _Int) -> list:
        return [node.value for _ in values]

    def _float(self, values: list, node: _Float) -> list:
        return [node.value for _ in values]

    def _bool(self, values: list, node: _Bool) -> list:
        return [node.value for _ in values]

    def _ident(self, values: list, node: _Ident) -> list:
        if node.name == "range":
            return values
        if node.name == "end":
            raise JSONPathError("not in range, nothing to end")
        raise JSONPathError(f"unrecognized identifier {node.name}")

    def _field(self, values: list, node: _Field) -> list:
        if not values:
            return []
        found = [v[node.name] for v in values if isinstance(v, dict) and node.name in v]
        if not found and not self.allow_missing:
            raise JSONPathError(f"{node.name} is not found")
        return found

    def _wildcard(self, values: list, node: _Wildcard) -> list:
        out: list = []
        for v in values:
            if isinstance(v, dict):
                out.extend(v.values())
            elif isinstance(v, list):
                out.extend(v)
            elif isinstance(v, str):
                out.extend(ord(c) for c in v)  # Go yields the bytes of a string
        return out

    def _recursive(self, values: list, node: _Recursive) -> list:
        out: list = []
        for v in values:
            # A Go string indexes into bytes, which have no children: use code points.
            children = (list(v.values()) if isinstance(v, dict) else list(v) if isinstance(v, list)
                        else [ord(c) for c in v] if isinstance(v, str) else [])
            if children:
                out.append(v)
                out.extend(self._recursive(children, node))
        return out

    def _union(self, values: list, node: _Union) -> list:
        out: list = []
        for lst in node.lists:
            out.extend(self._list(values, lst))
        return out

    def _array(self, values: list, node: _Array) -> list:
        out: list = []
        for v in values:
            if v is None:
                continue
            if not isinstance(v, list):
                raise JSONPathError(f"{go_type(v)} is not array or slice")
            out.extend(_slice(v, node.params))
        return out

    def _filter(self, values: list, node: _Filter) -> list:
        out: list = []
        for v in values:
            if not isinstance(v, list):
                raise JSONPathError(f"{go_value(v)} is not array or slice and cannot be filtered")
            for item in v:
                if node.op == "exists":
                    try:
                        lefts = self._list([item], node.left)
                    except JSONPathError:
                        lefts = []
                    if lefts:
                        out.append(item)
                    continue
                lefts = self._list([item], node.left)
                if not lefts:
                    continue
                if len(lefts) > 1:
                    raise JSONPathError("can only compare one element at a time")
                rights = self._list([item], node.right)
                if not rights:
                    continue
                if len(rights) > 1:
                    raise JSONPathError("can only compare one element at a time")
                if _compare(lefts[0], rights[0], node.op):
                    out.append(item)
        return out


def _slice(value: list, params: tuple[_Param, _Param, _Param]) -> list:
    start, stop, step = (_Param(p.value, p.known, p.derived) for p in params)
    n = len(value)
    if not start.known:
        start.value = 0
    if start.value < 0:
        start.value += n
    if not stop.known:
        stop.value = n
    if stop.value < 0 or (stop.value == 0 and stop.derived):
        stop.value += n
    if stop.value == start.value:
        return []  # asking for zero elements is allowed
    if start.value >= n or start.value < 0:
        raise JSONPathError(f"array index out of bounds: index {start.value}, length {n}")
    if stop.value > n or stop.value < 0:
        raise JSONPathError(f"array index out of bounds: index {stop.value - 1}, length {n}")
    if start.value > stop.value:
        raise JSONPathError(f"starting index {start.value} is greater than ending index {stop.value}")
    every = 1
    if step.known:
        if step.value <= 0:
            raise JSONPathError("step must be > 0")
        every = step.value
    return value[start.value:stop.value][::every]


def _compare(left: Any, right: Any, op: str) -> bool:
    numbers = (int, float)
    same = (isinstance(left, numbers) and isinstance(right, numbers) and not isinstance(left, bool)
            and not isinstance(right, bool)) or type(left) is type(right)
    if op == "=~":
        if not (isinstance(left, str) and isinstance(right, str)):
            raise JSONPathError("regexp search only support string now")
        return re.search(right, left) is not None
    if op in ("==", "!="):
        if not same:
            raise JSONPathError("incompatible types for comparison")
        return (left == right) == (op == "==")
    if not same or isinstance(left, (bool, dict, list)) or left is None:
        raise JSONPathError("invalid type for comparison")
    table = {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}
    if op not in table:
        raise JSONPathError(f"unrecognized filter operator {op}")
    return table[op]


# ---------------------------------------------------------------- printing

def go_json(value: Any) -> str:
    """encoding/json.Marshal: compact, keys sorted, HTML characters escaped."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return html_escape(text)


def html_escape(text: str) -> str:
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def go_text(value: Any) -> str:
    """fmt.Fprint of a scalar as it comes out of an unstructured object."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, (dict, list)):
        return go_json(value)
    return str(value)


def _go_float(f: float) -> str:
    # Go's %v uses the shortest representation, with an exponent from 1e21 up.
    if f.is_integer() and abs(f) < 1e21:
        return str(int(f))
    text = repr(f)
    return text.replace("e+0", "e+").replace("e-0", "e-")


def go_type(value: Any) -> str:
    """The Go type name of an unstructured value (for error messages)."""
    return {dict: "map[string]interface {}", list: "[]interface {}", str: "string",
            bool: "bool", int: "int64", float: "float64"}.get(type(value), "interface {}")


def go_quote(s: str) -> str:
    """strconv.Quote (what %q prints)."""
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_value(value: Any) -> str:
    """fmt's %#v of an unstructured value, as kubectl's jsonpath error shows it.

    >>> go_value({"items": [], "kind": "List", "n": 1})
    'map[string]interface {}{"items":[]interface {}{}, "kind":"List", "n":1}'
    """
    if isinstance(value, dict):
        inner = ", ".join(f"{go_quote(str(k))}:{go_value(v)}" for k, v in sorted(value.items()))
        return "map[string]interface {}{" + inner + "}"
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(go_value(v) for v in value) + "}"
    if isinstance(value, str):
        return go_quote(value)
    if value is None:
        return "interface {}(nil)"
    return go_text(value)


def render(template: str, data: Any, *, allow_missing_keys: bool = True,
           as_json: bool = False) -> str:
    """Execute ``template`` on ``data`` and return what kubectl prints.

    ``as_json`` is ``-o jsonpath-as-json``: every result group as an indented
    JSON array.  Raises :class:`JSONPathParseError` or :class:`JSONPathError`.
    """
    program = parse(template)
    groups = _Evaluator(allow_missing_keys).run(program, data)
    out: list[str] = []
    for results in groups:
        if as_json:
            text = json.dumps(results, indent=4, sort_keys=True, ensure_ascii=False)
            out.append(html_escape(text) + "\n")
            continue
        out.append(" ".join(go_json(r) if isinstance(r, (dict, list)) else go_text(r) for r in results))
    return "".join(out)


def find_results(template: str, data: Any) -> list[list[Any]]:
    """The raw result groups of ``template`` on ``data`` (client-go's ``FindResults``),
    for printers that format values themselves (custom-columns, --sort-by).

    >>> find_results("{.metadata.name}", {"metadata": {"name": "web"}})
    [['web']]
    """
    return _Evaluator(True).run(parse(template), data)
