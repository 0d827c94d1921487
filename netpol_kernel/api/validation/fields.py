"""Field paths, tolerant accessors and Go-style renderings: what every rule reads with.

The rules run on whatever YAML produced, so nothing here raises on a value of
the wrong type (strict decoding, in :mod:`.schema`, reports those): ``as_dict``,
``as_list``, ``as_str`` and ``as_int`` read a dict, list, string or integer or give an empty
one.  ``_go_*`` print the few values the API server shows in Go syntax (%#v).
"""
from __future__ import annotations

import json
from typing import Any

from ...errors import FieldError

#: The list every check appends its FieldErrors to.
Errors = list[FieldError]


# ---------------------------------------------------------------------------
# Field paths and small accessors that never raise on wrongly typed input
# ---------------------------------------------------------------------------
def child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def key_text(k: Any) -> str:
    if type(k) is str:  # nearly always; answered first
        return k
    # YAML lets keys be booleans/numbers; JSON (and so Go) sees their text.
    if isinstance(k, bool):
        return "true" if k else "false"
    return k if isinstance(k, str) else str(k)


def as_dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def as_list(v: Any) -> list:
    return v if isinstance(v, list) else []


def as_str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def as_int(v: Any) -> int | None:
    """An integer, also from an integral float (YAML ``80.0`` is JSON ``80``)."""
    if type(v) is int:  # the usual case, answered first
        return v
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def is_empty(v: Any) -> bool:
    """Go's zero value: what "Required" means after JSON decoding."""
    if type(v) is str:  # the usual case: no need for the other comparisons
        return not v
    return v is None or v == "" or v == [] or v == {} or (as_int(v) == 0)


# ---------------------------------------------------------------------------
# Go-syntax renderings (%#v) for the few errors whose value is a struct or map
# ---------------------------------------------------------------------------
def quoted(s: Any) -> str:
    return json.dumps(key_text(s), ensure_ascii=False)


def go_map(m: Any) -> str:
    if not isinstance(m, dict):
        return "map[string]string(nil)"
    items = ", ".join(f"{quoted(k)}:{quoted(v)}" for k, v in sorted((key_text(k), v) for k, v in m.items()))
    return f"map[string]string{{{items}}}"


def go_strings(v: Any, typ: str = "[]string") -> str:
    if not isinstance(v, list):
        return f"{typ}(nil)"
    return f"{typ}{{{', '.join(quoted(x) for x in v)}}}"


def go_selector(sel: dict) -> str:
    exprs = sel.get("matchExpressions")
    if isinstance(exprs, list):
        reqs = ", ".join(
            f"v1.LabelSelectorRequirement{{Key:{quoted(as_dict(e).get('key') or '')}, "
            f"Operator:{quoted(as_dict(e).get('operator') or '')}, Values:{go_strings(as_dict(e).get('values'))}}}"
            for e in exprs)
        exprs_text = f"[]v1.LabelSelectorRequirement{{{reqs}}}"
    else:
        exprs_text = "[]v1.LabelSelectorRequirement(nil)"
    return f"v1.LabelSelector{{MatchLabels:{go_map(sel.get('matchLabels'))}, MatchExpressions:{exprs_text}}}"


def invalid_go(path: str, rendered: str, detail: str) -> FieldError:
    """Invalid with a value already printed Go-style (errors.py would JSON it)."""
    return FieldError(path, "Invalid", f"{rendered}: {detail}" if detail else rendered)
