"""The error values of netpol_kernel, written out once.

Validation problems are *values* (:class:`FieldError`) carrying the API server's
field path and reason; they are gathered into a :class:`ManifestError` for one
object.  Every exception here subclasses the builtin it resembles, so callers
can catch ``ValueError``/``LookupError`` without knowing this package.

>>> e = FieldError.invalid("spec.ingress[0].ports[0].port", 70000,
...                        "must be between 1 and 65535, inclusive")
>>> str(e)
'spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive'
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence

__all__ = [
    "FieldError",
    "NetpolError",
    "ManifestError",
    "YAMLSyntaxError",
    "DecodeError",
    "NotFoundError",
    "AlreadyExistsError",
    "UnsupportedCommand",
    "ClusterError",
    "NamespaceMismatchError",
    "PathNotFoundError",
    "UsageError",
]

_MISSING = object()


def _show(value: Any) -> str:
    """Format a value the way apimachinery's field.Error does (%#v-ish)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except TypeError:  # YAML allows keys of mixed types ({0: .., name: ..}), which cannot be sorted
        return json.dumps(value, default=str)


@dataclass(frozen=True)
class FieldError:
    """One problem at one field, in k8s.io/apimachinery's field.Error shape.

    ``type`` is one of: Required, Invalid, Unsupported, Forbidden, Duplicate,
    TooLong, Unknown (strict decoding: a field the schema does not have).
    """

    path: str
    type: str
    detail: str = ""
    value: Any = field(default=_MISSING, compare=False)

    # Constructors named after apimachinery's field.Required/Invalid/... helpers.
    @classmethod
    def required(cls, path: str, detail: str = "") -> "FieldError":
        return cls(path, "Required", detail)

    @classmethod
    def invalid(cls, path: str, value: Any, detail: str) -> "FieldError":
        return cls(path, "Invalid", detail, value)

    @classmethod
    def unsupported(cls, path: str, value: Any, supported: Sequence[str]) -> "FieldError":
        detail = "supported values: " + ", ".join(json.dumps(s) for s in supported)
        return cls(path, "Unsupported", detail, value)

    @classmethod
    def forbidden(cls, path: str, detail: str) -> "FieldError":
        return cls(path, "Forbidden", detail)

    @classmethod
    def duplicate(cls, path: str, value: Any) -> "FieldError":
        return cls(path, "Duplicate", "", value)

    @classmethod
    def too_long(cls, path: str, value: Any, limit: int) -> "FieldError":
        return cls(path, "TooLong", f"must have at most {limit} bytes", value)

    @classmethod
    def unknown(cls, path: str) -> "FieldError":
        return cls(path, "Unknown", "")

    @property
    def body(self) -> str:
        """The part after ``path: ``, worded as the API server words it."""
        if self.type == "Unknown":
            return "unknown field"
        label = {
            "Required": "Required value",
            "Invalid": "Invalid value",
            "Unsupported": "Unsupported value",
            "Forbidden": "Forbidden",
            "Duplicate": "Duplicate value",
            "TooLong": "Too long",
        }[self.type]
        out = label
        if self.type in ("Invalid", "Unsupported", "Duplicate") and self.value is not _MISSING:
            out += ": " + _show(self.value)
        if self.detail:
            out += ": " + self.detail
        return out

    def __str__(self) -> str:
        if self.type == "Unknown":
            # the strict decoder's %q: a key holding a newline stays on one line
            return f"unknown field {json.dumps(self.path, ensure_ascii=False)}"
        return f"{self.path}: {self.body}"

    def to_dict(self) -> dict:
        d = {"path": self.path, "type": self.type, "reason": self.body}
        if self.value is not _MISSING:
            d["value"] = self.value
        return d


class NetpolError(Exception):
    """Base class of every error this package raises on purpose."""


class ManifestError(NetpolError, ValueError):
    """One object (or one file) that cannot be used, with every field error found.

    ``str()`` reads like the API server / kubectl:

    >>> err = ManifestError("NetworkPolicy", "deny", [FieldError.required("spec.ingress[0].from[0]",
    ...     "must specify a peer")], source="deny.yaml")
    >>> print(err)
    The NetworkPolicy "deny" is invalid: spec.ingress[0].from[0]: Required value: must specify a peer
    """

    def __init__(self, kind: str, name: str, errors: Sequence[FieldError], *,
                 source: str | None = None, index: int | None = None):
        self.kind = kind or "Object"
        self.name = name or ""
        self.errors = tuple(errors)
        self.source = source
        self.index = index  # position of the document inside its file
        super().__init__(self.message())

    @property
    def unknown_fields(self) -> tuple[FieldError, ...]:
        return tuple(e for e in self.errors if e.type == "Unknown")

    def message(self) -> str:
        unknown = self.unknown_fields
        others = [e for e in self.errors if e.type != "Unknown"]
        if unknown and not others:
            # kubectl --validate=strict (the default) rejects unknown fields this way.
            fields = ", ".join(str(e) for e in unknown)
            where = f' when creating "{self.source}"' if self.source else ""
            return (f"Error from server (BadRequest): error{where}: {self.kind} in version "
                    f'"v1" cannot be handled as a {self.kind}: strict decoding error: {fields}')
        errs = others + list(unknown)
        head = f'The {self.kind} "{self.name}" is invalid: '
        if len(errs) == 1:
            return head + str(errs[0])
        return head + "\n" + "\n".join(f"* {e}" for e in errs)

    def lines(self) -> list[str]:
        """One line per error, prefixed with file and object (the CLI's format)."""
        where = f"{self.source}: " if self.source else ""
        obj = f"{self.kind}/{self.name}" if self.name else self.kind
        # One line each, whatever keys the YAML held.
        return [f"{where}{obj}: {e}".replace("\r", "\\r").replace("\n", "\\n") for e in self.errors]


class YAMLSyntaxError(ManifestError):
    """A file that is not valid YAML/JSON; ``line`` is 1-based."""

    def __init__(self, source: str | None, line: int | None, problem: str):
        self.line = line
        self.problem = problem
        loc = f"line {line}: " if line else ""
        super().__init__("", "", [FieldError("", "Invalid", f"{loc}{problem}")], source=source)

    def message(self) -> str:
        src = self.source or "<input>"
        loc = f"line {self.line}: " if self.line else ""  # go-yaml leaves the line out when it has none
        return f'error: error parsing {src}: error converting YAML to JSON: yaml: {loc}{self.problem}'

    def lines(self) -> list[str]:
        src = self.source or "<input>"
        loc = f":{self.line}" if self.line else ""
        return [f"{src}{loc}: YAML syntax error: {self.problem}"]


class DecodeError(ManifestError):
    """A document kubectl cannot decode (its metadata has the wrong types), before any request.

    >>> print(DecodeError("Pod", "", [FieldError("metadata.name", "Invalid", "json: cannot unmarshal "
    ...     "array into Go struct field ObjectMeta.metadata.name of type string")], source="p.yaml"))
    error: unable to decode "p.yaml": json: cannot unmarshal array into Go struct field ObjectMeta.metadata.name of type string
    """

    def message(self) -> str:
        return f'error: unable to decode "{self.source or "STDIN"}": {self.errors[0].detail}'


class NotFoundError(NetpolError, LookupError):
    """A named object that does not exist; str() is kubectl's wording.

    >>> str(NotFoundError("pods", "x"))
    'Error from server (NotFound): pods "x" not found'
    """

    def __init__(self, resource: str, name: str, namespace: str | None = None):
        self.resource, self.name, self.namespace = resource, name, namespace
        super().__init__(f'Error from server (NotFound): {resource} "{name}" not found')


class AlreadyExistsError(NetpolError, ValueError):
    def __init__(self, resource: str, name: str):
        self.resource, self.name = resource, name
        super().__init__(f'Error from server (AlreadyExists): {resource} "{name}" already exists')


class NamespaceMismatchError(NetpolError, ValueError):
    def __init__(self, obj_ns: str, flag_ns: str):
        self.obj_ns, self.flag_ns = obj_ns, flag_ns
        super().__init__(f'error: the namespace from the provided object "{obj_ns}" does not match the '
                         f"namespace \"{flag_ns}\". You must pass '--namespace={obj_ns}' to perform this operation.")


class UnsupportedCommand(NetpolError, NotImplementedError):
    """A kubectl command or flag outside the embedded cluster's subset."""


class ClusterError(NetpolError, RuntimeError):
    """A real cluster could not be reached or refused us; the message names the context."""


class PathNotFoundError(NetpolError, FileNotFoundError):
    """A file or directory that is not there; str() is kubectl's wording.

    >>> str(PathNotFoundError("app.yaml"))
    'error: the path "app.yaml" does not exist'
    """

    def __init__(self, path: str):
        self.message = f'error: the path "{path}" does not exist'
        super().__init__(self.message)
        self.filename = path

    def __str__(self) -> str:  # OSError's own would print "[Errno None] None: ..."
        return self.message


class UsageError(NetpolError, ValueError):
    """A Python call given an argument it cannot use (``explain("a", "b")`` without a port)."""
