"""``kubectl get`` and ``kubectl describe``: fetching objects and printing them in kubectl's formats.

``get`` prints kubectl's tables (``-o wide``, ``--show-labels``, one table per
kind), ``-o yaml|json|name`` and ``-o jsonpath=...`` (client-go's dialect,
:mod:`netpol_kernel.kubectl.jsonpath`); ``describe`` covers NetworkPolicies, in words.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from .fieldselectors import matches as field_selector_matches, parse as parse_field_selector
from ..api.resources import RESOURCES
from ..errors import NotFoundError
from .jsonpath import JSONPathError
from .jsonpath import render as jsonpath_render
from .args import Exit
from .columns import custom_columns, sort_objects
from .context import (Ctx, error_for, list_objects, namespaced, print_errors, resource_requests, sorted_objects,
                      objects_with_kind)
from .render import (TABLE_KINDS, ErrorText, as_list, event_table, jsonpath_error, qualified_name,
                     strip_managed_fields, table, to_json, to_yaml)


# ---------------------------------------------------------------- get


_PRINTERS = ("custom-columns", "custom-columns-file", "go-template", "go-template-file", "json",
             "jsonpath", "jsonpath-as-json", "jsonpath-file", "name", "template", "templatefile",
             "wide", "yaml")


_TEMPLATE_PRINTERS = ("go-template", "go-template-file", "jsonpath", "jsonpath-as-json", "jsonpath-file",
                      "template", "templatefile")


def _output_format(ctx: Ctx) -> tuple[str, str]:
    """(format, template) from -o; raises for unknown or unsupported formats."""
    raw = ctx.flag("output") or ""
    fmt, _, template = raw.partition("=")
    if fmt in ("", "wide", "yaml", "json", "name") and not template:
        return fmt, ""
    if fmt in _TEMPLATE_PRINTERS and not template:
        # cli-runtime's JSONPathPrintFlags / GoTemplatePrintFlags.ToPrinter, kubectl 1.32:
        # `kubectl label --local -f pod.yaml a=1 -o jsonpath` prints this and exits 1.
        raise Exit("error: template format specified but no template given")
    if fmt == "custom-columns" and not template:
        raise Exit("error: custom-columns format specified but no custom columns given")
    if fmt in ("jsonpath", "jsonpath-as-json", "custom-columns"):
        return fmt, template
    if fmt in _PRINTERS:
        raise ctx.unsupported()
    raise Exit(f'error: unable to match a printer suitable for the output format "{raw}", allowed '
                f"formats are: {','.join(_PRINTERS)}")


def run_get(ctx: Ctx) -> int:
    if not ctx.args.positional:
        raise Exit('You must specify the type of resource to get. Use "kubectl api-resources" for a '
                    'complete list of supported resources.\n\nerror: Required resource not specified.\n'
                    'Use "kubectl explain <resource>" for a detailed description of that resource '
                    "(e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples")
    fmt, template = _output_format(ctx)
    if ctx.on("show-labels") and fmt not in ("", "wide"):
        raise Exit(f"error: --show-labels option cannot be used with {ctx.flag('output')} printer")
    requests = resource_requests(ctx.args.positional)
    selector, all_ns = ctx.flag("selector"), ctx.on("all-namespaces")
    if selector and any(n for _, n in requests):
        raise Exit("error: name cannot be provided when a selector is specified")
    if all_ns and any(n for _, n in requests):
        raise Exit("error: a resource cannot be retrieved by name across all namespaces")
    human = fmt in ("", "wide")
    if human:
        for kind, _ in requests:
            if kind not in TABLE_KINDS and kind != "Event":
                raise ctx.unsupported(f"get {RESOURCES[kind][0]}")
    objs, kinds, errors = _fetch(ctx, requests, selector, all_ns)
    if ctx.flag("sort-by"):
        objs = sort_objects(objs, str(ctx.flag("sort-by")))
    if fmt == "custom-columns":
        ctx.out.out(custom_columns(template, objs, no_headers=ctx.on("no-headers")))
        if not objs and not errors:
            ctx.out.err(f"No resources found in {ctx.namespace} namespace.\n")
        print_errors(ctx.out, errors)
        return 1 if errors else 0
    if human:
        _print_tables(ctx, objs, kinds, errors, fmt == "wide", all_ns)
    else:
        single = len(requests) == 1 and requests[0][1] is not None
        if not (single and errors):
            _print_generic(ctx, objs, fmt, template, single)
    print_errors(ctx.out, errors)
    return 1 if errors else 0


def _fetch(ctx: Ctx, requests: Sequence[tuple[str, Optional[str]]], selector: Optional[str],
           all_ns: bool) -> tuple[list[dict], list[str], list[ErrorText]]:
    """(objects, kinds answered, errors): a kind counts as answered even with no objects."""
    objs: list[dict] = []
    kinds: list[str] = []
    errors: list[ErrorText] = []
    for kind, name in requests:
        try:
            found = list_objects(ctx, kind, name=name, selector=selector, all_namespaces=all_ns)
            if ctx.flag("field-selector"):
                wanted = parse_field_selector(str(ctx.flag("field-selector")), kind, selector or "")
                found = [o for o in found if field_selector_matches(wanted, o)]
        except NotFoundError as exc:
            if not ctx.on("ignore-not-found"):
                errors.append(error_for(exc))
            continue
        kinds.append(kind)
        objs.extend(objects_with_kind(sorted_objects(found), kind))
    return objs, kinds, errors


def _print_tables(ctx: Ctx, objs: list[dict], kinds: list[str], errors: list[ErrorText], wide: bool,
                  all_ns: bool) -> None:
    # kubectl asks the server for one Table per kind (empty or not) and prefixes
    # names with their kind as soon as two kinds answered: "get all" prints
    # service/kubernetes even when nothing else exists.
    with_kind = len(set(kinds)) > 1 or ctx.on("show-kind")
    now, written = ctx.now(), False
    i = 0
    while i < len(objs):
        j = i
        while j < len(objs) and objs[j]["kind"] == objs[i]["kind"]:
            j += 1
        kind = objs[i]["kind"]
        if kind == "Event":
            text = event_table(objs[i:j], now, with_namespace=all_ns, no_headers=ctx.on("no-headers"),
                                      wide=wide)
        else:
            text = table(kind, objs[i:j], now, wide=wide, with_namespace=all_ns and namespaced(kind),
                                with_kind=with_kind, show_labels=ctx.on("show-labels"),
                                no_headers=ctx.on("no-headers"),
                                label_columns=[k for v in ctx.many("label-columns") for k in v.split(",") if k])
        if written and text and not ctx.on("no-headers"):
            ctx.out.out("\n")
        ctx.out.out(text)
        written = written or bool(text)
        i = j
    if not written and not errors and not ctx.on("ignore-not-found"):
        all_namespaced = not all_ns and all(namespaced(k) for k in kinds)
        ctx.out.err(f"No resources found in {ctx.namespace} namespace.\n" if all_namespaced
                    else "No resources found\n")


def _print_generic(ctx: Ctx, objs: list[dict], fmt: str, template: str, single: bool) -> None:
    """-o yaml|json|name|jsonpath: one object alone, several as a kind: List."""
    shown = [strip_managed_fields(o) for o in objs]
    if fmt == "name":
        ctx.out.out("".join(qualified_name(o) + "\n" for o in shown))
        return
    data: Any = shown[0] if single and len(shown) == 1 else as_list(shown)
    if fmt == "yaml":
        ctx.out.out(to_yaml(data))
    elif fmt == "json":
        ctx.out.out(to_json(data))
    else:
        ctx.out.out(_jsonpath(template, data, as_json=fmt == "jsonpath-as-json"))


def _jsonpath(template: str, data: Any, as_json: bool) -> str:
    try:
        return jsonpath_render(template, data, as_json=as_json)
    except JSONPathError as exc:
        raise Exit(jsonpath_error(template, data, exc)) from None
