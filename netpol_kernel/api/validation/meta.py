"""The checks every kind shares: object metadata, labels, annotations, selectors.

Also the small field-level checks several kinds use (a name format, a
non-negative number, a string enum, a port number or name), and the rule for
a Namespace, which is nothing but its metadata.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterable

from ...errors import FieldError
from .fields import Errors, child, as_dict, is_empty, as_int, key_text, as_list, as_str
from .names import (NEGATIVE, port_num_errors, is_dns1123_label, is_label_value, is_port_name,
                    is_qualified_name)
from .schema import SELECTOR_SCHEMA, decode


# ---------------------------------------------------------------------------
# Shared checks: metadata, labels, selectors
# ---------------------------------------------------------------------------
NameFn = Callable[[str], list[str]]


def check_name(value: Any, path: str, fn: NameFn, errs: Errors) -> None:
    if isinstance(value, str):
        msgs = fn(value)
        if msgs:
            errs += [FieldError.invalid(path, value, m) for m in msgs]


@functools.lru_cache(maxsize=4096)
def _label_ok(key: str, value: str) -> bool:
    # Cached: a cluster uses the same few label pairs over and over.
    return not is_qualified_name(key) and not is_label_value(value)


def check_labels(labels: Any, path: str, errs: Errors) -> None:
    # Upstream reports key and value problems at the map itself, not per key.
    for k, v in as_dict(labels).items():
        if type(k) is str and type(v) is str and _label_ok(k, v):
            continue
        key = key_text(k)
        msgs = is_qualified_name(key)
        if msgs:
            errs += [FieldError.invalid(path, key, m) for m in msgs]
        if isinstance(v, str):
            msgs = is_label_value(v)
            if msgs:
                errs += [FieldError.invalid(path, v, m) for m in msgs]


def check_annotations(annotations: Any, path: str, errs: Errors) -> None:
    ann = as_dict(annotations)
    if not ann:
        return
    for k in ann:
        # case does not matter in annotation keys
        errs += [FieldError.invalid(path, key_text(k), m) for m in is_qualified_name(key_text(k).lower())]
    size = sum(len(key_text(k)) + len(v) for k, v in ann.items() if isinstance(v, str))
    if size > 256 * 1024:
        errs.append(FieldError.too_long(path, "", 256 * 1024))


def check_nonneg(value: Any, path: str, errs: Errors) -> None:
    n = as_int(value)
    if n is not None and n < 0:
        errs.append(FieldError.invalid(path, n, NEGATIVE))


def check_meta(obj: dict, errs: Errors, name_fn: NameFn, namespaced: bool = True) -> None:
    """ValidateObjectMeta (create)."""
    m = as_dict(obj.get("metadata"))
    gen = as_str(m.get("generateName")) or ""
    if gen:
        # NameIsDNS*(name, prefix=true) masks a trailing dash, oddly as upstream does.
        masked = gen[:-2] + "a" if len(gen) > 1 and gen.endswith("-") else gen
        errs += [FieldError.invalid("metadata.generateName", gen, msg) for msg in name_fn(masked)]
    if is_empty(m.get("name")):
        if not gen:  # the server makes a name from generateName
            errs.append(FieldError.required("metadata.name", "name or generateName is required"))
    else:
        check_name(m.get("name"), "metadata.name", name_fn, errs)
    if namespaced and as_str(m.get("namespace")):
        check_name(m.get("namespace"), "metadata.namespace", is_dns1123_label, errs)
    check_nonneg(m.get("generation"), "metadata.generation", errs)
    check_labels(m.get("labels"), "metadata.labels", errs)
    check_annotations(m.get("annotations"), "metadata.annotations", errs)
    for f in as_list(m.get("finalizers")):
        check_name(f, "metadata.finalizers", is_qualified_name, errs)
    check_owner_references(m.get("ownerReferences"), "metadata.ownerReferences", errs)


def check_owner_references(refs: Any, path: str, errs: Errors) -> None:
    """apimachinery pkg/api/validation/objectmeta.go, ValidateOwnerReferences: every reference
    names its owner fully; one controller at most.  Upstream's paths carry no index."""
    controller = ""
    for ref in as_list(refs):
        r = as_dict(ref)
        api = as_str(r.get("apiVersion")) or ""
        version = api.rpartition("/")[2]  # schema.FromAPIVersionAndKind: the version part
        for key, empty, detail in (("apiVersion", not version, "version must not be empty"),
                                   ("kind", is_empty(r.get("kind")), "kind must not be empty"),
                                   ("name", is_empty(r.get("name")), "name must not be empty"),
                                   ("uid", is_empty(r.get("uid")), "uid must not be empty")):
            if empty:
                errs.append(FieldError.invalid(f"{path}.{key}", as_str(r.get(key)) or "", detail))
        if r.get("controller") is True:
            name = f"{as_str(r.get('kind')) or ''}/{as_str(r.get('name')) or ''}"
            if controller:
                errs.append(FieldError.invalid(path, refs, "Only one reference can have Controller set to "
                                               f'true. Found "true" in references for {controller} and {name}'))
            else:
                controller = name


def check_selector(sel: Any, path: str, errs: Errors) -> None:
    """metav1 ValidateLabelSelector (strict about values, as on create)."""
    s = as_dict(sel)
    if s.get("matchLabels") is not None:  # absent: nothing to check, no path to build
        check_labels(s["matchLabels"], child(path, "matchLabels"), errs)
    for i, expr in enumerate(as_list(s.get("matchExpressions"))):
        e, p = as_dict(expr), f"{path}.matchExpressions[{i}]"
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


def selector_matches(sel: Any, labels: dict) -> bool | None:
    """Does LabelSelectorAsSelector(sel) match; None when it would not convert.

    A missing selector selects nothing; an empty one selects everything.
    """
    if sel is None:
        return False
    scratch: Errors = []
    decode(sel, SELECTOR_SCHEMA, "", scratch)
    check_selector(sel, "", scratch)
    if scratch:  # ill-typed or invalid: would not convert
        return None
    for k, v in as_dict(sel.get("matchLabels")).items():
        if labels.get(key_text(k)) != v:
            return False
    for expr in as_list(sel.get("matchExpressions")):
        key, op, values = key_text(expr.get("key") or ""), expr.get("operator"), as_list(expr.get("values"))
        present = key in labels
        ok = {"In": present and labels.get(key) in values,
              "NotIn": not present or labels.get(key) not in values,
              "Exists": present, "DoesNotExist": not present}[op]
        if not ok:
            return False
    return True


def selector_is_empty(sel: Any) -> bool:
    s = as_dict(sel)
    return not as_dict(s.get("matchLabels")) and not as_list(s.get("matchExpressions"))


# ---------------------------------------------------------------------------
# Field checks several kinds share: port numbers or names, enums
# ---------------------------------------------------------------------------
def check_port_num_or_name(value: Any, path: str, errs: Errors) -> None:
    """ValidatePortNumOrName; a missing IntOrString is the integer 0."""
    if isinstance(value, str):
        errs += [FieldError.invalid(path, value, m) for m in is_port_name(value)]
    elif value is None or as_int(value) is not None:
        n = as_int(value) or 0
        errs += [FieldError.invalid(path, n, m) for m in port_num_errors(n)]


def check_enum(value: Any, path: str, allowed: Iterable[str], errs: Errors) -> None:
    """A string enum the server defaults when empty."""
    allowed = tuple(allowed)
    if isinstance(value, str) and value and value not in allowed:
        errs.append(FieldError.unsupported(path, value, allowed))


# ---------------------------------------------------------------------------
# v1 Namespace: its metadata is all there is to check
# ---------------------------------------------------------------------------
def check_namespace(obj: dict, errs: Errors) -> None:
    check_meta(obj, errs, is_dns1123_label, namespaced=False)
