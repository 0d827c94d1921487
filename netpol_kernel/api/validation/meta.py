"""The checks every kind shares: object metadata, labels, annotations, selectors.

Also the small field-level checks several kinds use (a name format, a
non-negative number, a string enum, a port number or name), and the rule for
a Namespace, which is nothing but its metadata.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterable

from ...errors import FieldError
from .fields import Errors, _c, _d, _empty, _i, _key, _l, _s
from .names import (NEGATIVE, _port_num, is_dns1123_label, is_label_value, is_port_name,
                    is_qualified_name)
from .schema import _SELECTOR, _decode


# ---------------------------------------------------------------------------
# Shared checks: metadata, labels, selectors
# ---------------------------------------------------------------------------
NameFn = Callable[[str], list[str]]


def _check_name(value: Any, path: str, fn: NameFn, errs: Errors) -> None:
    if isinstance(value, str):
        msgs = fn(value)
        if msgs:
            errs += [FieldError.invalid(path, value, m) for m in msgs]


@functools.lru_cache(maxsize=4096)
def _label_ok(key: str, value: str) -> bool:
    # Cached: a cluster uses the same few label pairs over and over.
    return not is_qualified_name(key) and not is_label_value(value)


def _labels(labels: Any, path: str, errs: Errors) -> None:
    # Upstream reports key and value problems at the map itself, not per key.
    for k, v in _d(labels).items():
        if type(k) is str and type(v) is str and _label_ok(k, v):
            continue
        key = _key(k)
        msgs = is_qualified_name(key)
        if msgs:
            errs += [FieldError.invalid(path, key, m) for m in msgs]
        if isinstance(v, str):
            msgs = is_label_value(v)
            if msgs:
                errs += [FieldError.invalid(path, v, m) for m in msgs]


def _annotations(annotations: Any, path: str, errs: Errors) -> None:
    ann = _d(annotations)
    if not ann:
        return
    for k in ann:
        # case does not matter in annotation keys
        errs += [FieldError.invalid(path, _key(k), m) for m in is_qualified_name(_key(k).lower())]
    size = sum(len(_key(k)) + len(v) for k, v in ann.items() if isinstance(v, str))
    if size > 256 * 1024:
        errs.append(FieldError.too_long(path, "", 256 * 1024))


def _nonneg(value: Any, path: str, errs: Errors) -> None:
    n = _i(value)
    if n is not None and n < 0:
        errs.append(FieldError.invalid(path, n, NEGATIVE))


def _meta(obj: dict, errs: Errors, name_fn: NameFn, namespaced: bool = True) -> None:
    """ValidateObjectMeta (create)."""
    m = _d(obj.get("metadata"))
    gen = _s(m.get("generateName")) or ""
    if gen:
        # NameIsDNS*(name, prefix=true) masks a trailing dash, oddly as upstream does.
        masked = gen[:-2] + "a" if len(gen) > 1 and gen.endswith("-") else gen
        errs += [FieldError.invalid("metadata.generateName", gen, msg) for msg in name_fn(masked)]
    if _empty(m.get("name")):
        if not gen:  # the server makes a name from generateName
            errs.append(FieldError.required("metadata.name", "name or generateName is required"))
    else:
        _check_name(m.get("name"), "metadata.name", name_fn, errs)
    if namespaced and _s(m.get("namespace")):
        _check_name(m.get("namespace"), "metadata.namespace", is_dns1123_label, errs)
    _nonneg(m.get("generation"), "metadata.generation", errs)
    _labels(m.get("labels"), "metadata.labels", errs)
    _annotations(m.get("annotations"), "metadata.annotations", errs)
    for f in _l(m.get("finalizers")):
        _check_name(f, "metadata.finalizers", is_qualified_name, errs)


def _selector(sel: Any, path: str, errs: Errors) -> None:
    """metav1 ValidateLabelSelector (strict about values, as on create)."""
    s = _d(sel)
    if s.get("matchLabels") is not None:  # absent: nothing to check, no path to build
        _labels(s["matchLabels"], _c(path, "matchLabels"), errs)
    for i, expr in enumerate(_l(s.get("matchExpressions"))):
        e, p = _d(expr), f"{path}.matchExpressions[{i}]"
        op, raw = e.get("operator"), e.get("values")
        values = raw if isinstance(raw, list) else ([] if raw is None else None)
        if op in ("In", "NotIn"):
            if values == []:
                errs.append(FieldError.required(f"{p}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(FieldError.forbidden(
                    f"{p}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        elif op is None or isinstance(op, str):
            errs.append(FieldError.invalid(f"{p}.operator", op or "", "not a valid selector operator"))
        key = e.get("key")
        if key is None or isinstance(key, str):
            msgs = is_qualified_name(key or "")
            if msgs:
                errs += [FieldError.invalid(f"{p}.key", key or "", m) for m in msgs]
        for j, v in enumerate(values or []):
            if isinstance(v, str):
                msgs = is_label_value(v)
                if msgs:
                    errs += [FieldError.invalid(f"{p}.values[{j}]", v, m) for m in msgs]


def _selector_matches(sel: Any, labels: dict) -> bool | None:
    """Does LabelSelectorAsSelector(sel) match; None when it would not convert.

    A missing selector selects nothing; an empty one selects everything.
    """
    if sel is None:
        return False
    scratch: Errors = []
    _decode(sel, _SELECTOR, "", scratch)
    _selector(sel, "", scratch)
    if scratch:  # ill-typed or invalid: would not convert
        return None
    for k, v in _d(sel.get("matchLabels")).items():
        if labels.get(_key(k)) != v:
            return False
    for expr in _l(sel.get("matchExpressions")):
        key, op, values = _key(expr.get("key") or ""), expr.get("operator"), _l(expr.get("values"))
        present = key in labels
        ok = {"In": present and labels.get(key) in values,
              "NotIn": not present or labels.get(key) not in values,
              "Exists": present, "DoesNotExist": not present}[op]
        if not ok:
            return False
    return True


def _selector_is_empty(sel: Any) -> bool:
    s = _d(sel)
    return not _d(s.get("matchLabels")) and not _l(s.get("matchExpressions"))


# ---------------------------------------------------------------------------
# Field checks several kinds share: port numbers or names, enums
# ---------------------------------------------------------------------------
def _port_num_or_name(value: Any, path: str, errs: Errors) -> None:
    """ValidatePortNumOrName; a missing IntOrString is the integer 0."""
    if isinstance(value, str):
        errs += [FieldError.invalid(path, value, m) for m in is_port_name(value)]
    elif value is None or _i(value) is not None:
        n = _i(value) or 0
        errs += [FieldError.invalid(path, n, m) for m in _port_num(n)]


def _enum(value: Any, path: str, allowed: Iterable[str], errs: Errors) -> None:
    """A string enum the server defaults when empty."""
    allowed = tuple(allowed)
    if isinstance(value, str) and value and value not in allowed:
        errs.append(FieldError.unsupported(path, value, allowed))


# ---------------------------------------------------------------------------
# v1 Namespace: its metadata is all there is to check
# ---------------------------------------------------------------------------
def _namespace(obj: dict, errs: Errors) -> None:
    _meta(obj, errs, is_dns1123_label, namespaced=False)
