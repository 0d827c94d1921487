"""``kubectl label`` and ``kubectl annotate``: keys set or removed on named, selected or all objects.

Both take ``TYPE NAME... | TYPE/NAME... | TYPE -l SELECTOR | TYPE --all``, then
``KEY=VALUE`` and ``KEY-`` changes, ``--overwrite`` and ``--list``.  Wordings
from k8s.io/kubectl v0.32 pkg/cmd/label/label.go and pkg/cmd/annotate/annotate.go:
``pod/web labeled|unlabeled|not labeled``, ``pod/web annotated``, ``label "x" not
found.``, ``'k' already has a value (v), and --overwrite is false`` and
``--overwrite is false but found the following declared annotation(s): 'k'
already has a value (v)``.  ``--list`` prints ``k=v`` lines (sorted here; Go's
map order is random).
"""
from __future__ import annotations

from typing import Optional

from ..api.resources import RESOURCES
from ..errors import NetpolError
from .args import Exit
from .context import Ctx, error_for, print_errors, resource_requests, sorted_objects
from .render import ErrorText

__all__ = ["run_label", "run_annotate"]


def _split(ctx: Ctx, verb: str) -> tuple[list[str], dict[str, Optional[str]]]:
    objects, changes = _resources_and_pairs(ctx.args.positional)
    what = "label" if verb == "label" else "annotation"
    if not objects:
        raise Exit("error: one or more resources must be specified as <resource> <name> or "
                   f"<resource>/<name>\nSee 'kubectl {verb} -h' for help and examples")
    if not changes and not ctx.on("list"):
        raise Exit(f"error: at least one {what} update is required\n"
                   f"See 'kubectl {verb} -h' for help and examples")
    if ctx.on("list") and ctx.flag("output"):
        raise Exit("error: --list and --output may not be specified together")
    if ctx.on("all") and ctx.flag("selector"):
        raise Exit("error: cannot set --all and --selector at the same time")
    return objects, _parse_changes(changes, verb)


def _resources_and_pairs(args: list[str]) -> tuple[list[str], list[str]]:
    """kubectl's cmdutil.GetResourcesAndPairs: resources first, then ``k=v`` / ``k-`` changes."""
    resources: list[str] = []
    pairs: list[str] = []
    for arg in args:
        if ("=" in arg and not arg.startswith("=")) or (arg.endswith("-") and arg != "-"):
            pairs.append(arg)
        elif pairs:
            raise Exit(f"error: all resources must be specified before label changes: {arg}")
        else:
            resources.append(arg)
    return resources, pairs


def _parse_changes(changes: list[str], verb: str) -> dict[str, Optional[str]]:
    """kubectl label's parseLabels / annotate's parseAnnotations (k8s.io/kubectl 1.32,
    pkg/cmd/label/label.go, pkg/cmd/annotate/annotate.go): label values are checked here,
    keys by the API server (the backend).  None marks a removal.

    >>> _parse_changes(["app=web", "tier-"], "label")
    {'app': 'web', 'tier': None}
    """
    from ..api.validation.names import is_label_value
    what = "label" if verb == "label" else "annotation"
    updates: dict[str, Optional[str]] = {}
    remove: list[str] = []
    for spec in changes:
        if "=" in spec:
            parts = spec.split("=", 1) if verb != "label" else spec.split("=")
            if len(parts) != 2 or (verb != "label" and not parts[0]):
                raise Exit(f"error: invalid {what} spec: {spec}")
            errs = is_label_value(parts[1]) if verb == "label" else []
            if errs:
                raise Exit(f'error: invalid label value: "{spec}": {";".join(errs)}')
            updates[parts[0]] = parts[1]
        elif spec.endswith("-"):
            remove.append(spec[:-1])
        else:
            raise Exit(f"error: unknown {what} spec: {spec}")
    if any(k in updates for k in remove):
        raise Exit(f"error: can not both modify and remove {'a label' if verb == 'label' else 'an annotation'} "
                   "in the same command")
    return {**updates, **{k: None for k in remove}}


def _targets(ctx: Ctx, objects: list[str], verb: str) -> list[tuple[str, str]]:
    requests = resource_requests(objects)
    wholesale = ctx.on("all") or ctx.flag("selector") is not None
    out: list[tuple[str, str]] = []
    for kind, name in requests:
        if name is not None:
            out.append((kind, name))
        elif wholesale:
            for obj in sorted_objects(ctx.backend.get(kind, namespace=ctx.namespace, selector=ctx.flag("selector"),
                                                      all_namespaces=ctx.on("all-namespaces"))):
                out.append((kind, str(obj["metadata"]["name"])))
        else:
            raise Exit("error: resource(s) were provided, but no name was specified")
    return out


def _list(ctx: Ctx, kind: str, name: str, field: str, one: bool) -> None:
    obj = ctx.backend.get(kind, namespace=ctx.namespace, name=name)[0]
    values = (obj.get("metadata") or {}).get(field) or {}
    indent = ""
    if not one:
        indent = " "
        group = RESOURCES[kind][1].partition(".")[2] if kind in RESOURCES else ""
        ctx.out.out(f"Listing {field} for {kind}.{group}/{name}:\n")
    ctx.out.out("".join(f"{indent}{k}={values[k]}\n" for k in sorted(values)))


def run_label(ctx: Ctx) -> int:
    objects, updates = _split(ctx, "label")
    targets = _targets(ctx, objects, "label")
    if any(kind == "Node" for kind, _ in targets):
        raise ctx.unsupported()
    if not targets:
        ctx.out.err(f"No resources found in {ctx.namespace} namespace.\n")
        return 0
    errors: list[ErrorText] = []
    for kind, name in targets:
        try:
            if updates:
                current = (ctx.backend.get(kind, namespace=ctx.namespace, name=name)[0].get("metadata") or {})
                for key, value in updates.items():
                    if value is None and key not in (current.get("labels") or {}):
                        ctx.out.out(f'label "{key}" not found.\n')
                line = ctx.backend.label(kind, name, updates, namespace=ctx.namespace, overwrite=ctx.on("overwrite"))
            if ctx.on("list"):
                _list(ctx, kind, name, "labels", len(targets) == 1)
            elif ctx.flag("output") == "name":
                ctx.out.out(f"{RESOURCES[kind][1]}/{name}\n")
            else:
                ctx.out.out(str(line).rstrip("\n") + "\n")
        except (NetpolError, ValueError) as exc:
            errors.append(error_for(exc))
    print_errors(ctx.out, errors)
    return 1 if errors else 0


def run_annotate(ctx: Ctx) -> int:
    objects, updates = _split(ctx, "annotate")
    targets = _targets(ctx, objects, "annotate")
    update = getattr(ctx.backend, "update", None)
    if updates and not callable(update):
        raise ctx.unsupported()
    if not targets:
        ctx.out.err(f"No resources found in {ctx.namespace} namespace.\n")
        return 0
    errors: list[ErrorText] = []
    overwrite = ctx.on("overwrite")

    def change(obj: dict) -> None:
        meta = obj.setdefault("metadata", {})
        current = dict(meta.get("annotations") or {})
        clashes = [f"'{k}' already has a value ({current[k]})" for k, v in updates.items()
                   if v is not None and k in current and current[k] != v]
        if clashes and not overwrite:
            raise NetpolError("error: --overwrite is false but found the following declared annotation(s): "
                              + "; ".join(clashes))
        for k, v in updates.items():
            if v is None:
                current.pop(k, None)
            else:
                current[k] = v
        if current:
            meta["annotations"] = current
        else:
            meta.pop("annotations", None)

    for kind, name in targets:
        try:
            if updates:
                update(kind, name, change, namespace=ctx.namespace)  # type: ignore[misc]
            if ctx.on("list"):
                _list(ctx, kind, name, "annotations", len(targets) == 1)
            elif ctx.flag("output") == "name":
                ctx.out.out(f"{RESOURCES[kind][1]}/{name}\n")
            else:
                ctx.out.out(f"{RESOURCES[kind][1]}/{name} annotated\n")
        except (NetpolError, ValueError) as exc:
            errors.append(error_for(exc))
    print_errors(ctx.out, errors)
    return 1 if errors else 0
