"""``kubectl create deployment|service|namespace|configmap|secret``, and creating generated objects.

:func:`create_generated` is what ``create``, ``run`` and ``expose`` share: with
``--dry-run=client`` it prints the object (``-o yaml|name``, or kubectl's
``deployment.apps/web created (dry run)``, ``-o json`` in the Go structs' field order), otherwise it creates it on the
backend and prints kubectl's line (``service/web created``, ``... exposed``).
Objects are created, not applied: no last-applied annotation, and an existing
name is kubectl's ``AlreadyExists`` error.
"""
from __future__ import annotations

import copy
from typing import Optional

from ..api.resources import RESOURCES
from ..errors import AlreadyExistsError, NotFoundError
from .args import Exit
from .context import Ctx
from .generators import (configmap_object, create_service_object, deployment_object, namespace_object,
                         secret_object, typed_json)
from .render import to_yaml

__all__ = ["create_generated", "run_create_subcommand", "dry_run", "SUBCOMMANDS"]

#: create's generators here, with the flags each accepts (create_*.go).
SUBCOMMANDS: dict[str, tuple[str, ...]] = {
    "deployment": ("image", "replicas", "port", "dry-run", "output"),
    "service": ("tcp", "node-port", "dry-run", "output"),
    "namespace": ("dry-run", "output"),
    "configmap": ("from-literal", "dry-run", "output"),
    "secret": ("from-literal", "type", "dry-run", "output"),
}
_ALIASES = {"deploy": "deployment", "svc": "service", "ns": "namespace", "cm": "configmap"}
_SERVICE_TYPES = {"clusterip": "ClusterIP", "nodeport": "NodePort", "loadbalancer": "LoadBalancer"}


def dry_run(ctx: Ctx) -> bool:
    """``--dry-run=client`` (also the deprecated bare ``--dry-run``); server dry runs are not modelled."""
    value = ctx.flag("dry-run")
    if value in (None, "none"):
        return False
    if value in ("client", "true"):
        return True
    if value == "server":
        raise ctx.unsupported()
    raise Exit(f'error: Invalid dry-run value ({value}). Must be "none", "server", or "client".')


def create_generated(ctx: Ctx, obj: dict, action: str = "created") -> int:
    """Create ``obj`` (or print it, with --dry-run=client) and print kubectl's line for it."""
    kind, name = obj["kind"], obj["metadata"]["name"]
    prefix = RESOURCES[kind][1]
    fmt = ctx.flag("output") or ""
    if dry_run(ctx):
        shown = copy.deepcopy(obj)
        if ctx.explicit_ns and RESOURCES[kind][3]:
            shown["metadata"]["namespace"] = ctx.namespace
        if fmt == "yaml":
            ctx.out.out(to_yaml(shown))
        elif fmt == "json":
            ctx.out.out(_go_json(typed_json(shown)))
        elif fmt == "name":
            ctx.out.out(f"{prefix}/{name}\n")
        elif fmt == "":
            ctx.out.out(f"{prefix}/{name} {action} (dry run)\n")
        else:
            raise ctx.unsupported()
        return 0
    if fmt not in ("", "name"):
        raise ctx.unsupported()
    body = _for_server(obj)
    if RESOURCES[kind][3]:
        body["metadata"]["namespace"] = ctx.namespace
    from ..api.manifests import Document
    doc = Document(None, 0, body)
    create = getattr(ctx.backend, "create", None)
    if callable(create):
        create([doc], namespace=ctx.namespace)
    else:
        if _present(ctx, kind, name):
            plural, qualified = RESOURCES[kind][0], RESOURCES[kind][1]
            group = qualified.partition(".")[2]
            raise AlreadyExistsError(f"{plural}.{group}" if group else plural, name)
        ctx.backend.apply([doc], namespace=ctx.namespace)
    ctx.out.out(f"{prefix}/{name}\n" if fmt == "name" else f"{prefix}/{name} {action}\n")
    return 0


def _go_json(obj: dict) -> str:
    """encoding/json.MarshalIndent with 4 spaces, keys in the given (struct) order, HTML-escaped."""
    import json
    from .jsonpath import html_escape
    return html_escape(json.dumps(obj, indent=4, ensure_ascii=False)) + "\n"


def _for_server(obj: dict) -> dict:
    """What the API server receives: no null timestamps, no empty status."""
    body = copy.deepcopy(obj)
    body.pop("status", None)
    body["metadata"].pop("creationTimestamp", None)
    tmpl = (body.get("spec") or {}).get("template")
    if isinstance(tmpl, dict):
        tmpl.get("metadata", {}).pop("creationTimestamp", None)
    if body.get("spec") == {} and body["kind"] == "Namespace":
        body.pop("spec")
    return body


def _present(ctx: Ctx, kind: str, name: str) -> bool:
    try:
        return bool(ctx.backend.get(kind, namespace=ctx.namespace, name=name))
    except NotFoundError:
        return False


def _one_name(ctx: Ctx, words: list[str], sub: str) -> str:
    if len(words) != 1:
        raise Exit(f"error: exactly one NAME is required, got {len(words)}\n"
                   f"See 'kubectl create {sub} -h' for help and examples")
    return words[0]


def run_create_subcommand(ctx: Ctx) -> int:
    """``kubectl create SUB ...`` for the generators above."""
    pos = ctx.args.positional
    sub = _ALIASES.get(pos[0], pos[0])
    allowed = set(SUBCOMMANDS[sub]) | {"namespace", "help"}
    for flag in ctx.args.values:
        if flag not in allowed:
            raise Exit(f"error: unknown flag: --{flag}\nSee 'kubectl create {sub} --help' for usage.")
    if sub == "service":
        if len(pos) < 2 or pos[1] not in _SERVICE_TYPES:
            if len(pos) >= 2 and pos[1] == "externalname":
                raise ctx.unsupported()
            raise Exit("error: Unexpected args: " + str(pos[1:]) if len(pos) > 1 else
                       "error: must specify one of: clusterip, externalname, loadbalancer, nodeport")
        name = _one_name(ctx, pos[2:], f"service {pos[1]}")
        tcp = ctx.many("tcp")
        if not tcp:
            raise Exit("error: at least one tcp port specifier must be provided")
        obj = create_service_object(_SERVICE_TYPES[pos[1]], name, tcp, ctx.flag("node-port") or "")
        return create_generated(ctx, obj)
    if sub == "secret":
        if len(pos) < 2 or pos[1] != "generic":
            raise ctx.unsupported()
        name = _one_name(ctx, pos[2:], "secret generic")
        return create_generated(ctx, secret_object(name, ctx.many("from-literal"), ctx.flag("type") or ""))
    name = _one_name(ctx, pos[1:], sub)
    if sub == "deployment":
        images = ctx.many("image")
        if not images:
            raise Exit("error: required flag(s) \"image\" not set")
        replicas = _int_flag(ctx, "replicas", "1")
        return create_generated(ctx, deployment_object(name, images, replicas, ctx.flag("port") or ""))
    if sub == "namespace":
        return create_generated(ctx, namespace_object(name))
    return create_generated(ctx, configmap_object(name, ctx.many("from-literal")))


def _int_flag(ctx: Ctx, name: str, default: str) -> int:
    text: Optional[str] = ctx.flag(name, default)
    try:
        return int(text or default)
    except ValueError:
        raise Exit(f'error: invalid argument "{text}" for "--{name}" flag: strconv.ParseInt: parsing '
                   f'"{text}": invalid syntax\nSee \'kubectl create --help\' for usage.') from None
