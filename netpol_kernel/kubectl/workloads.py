"""``kubectl scale``, ``rollout status|restart`` and ``wait``: workloads changing size, template or state.

Wordings from k8s.io/kubectl v0.32: pkg/cmd/scale/scale.go (``deployment.apps/web
scaled``), pkg/polymorphichelpers/rollout_status.go (``deployment "web" successfully
rolled out``, ``daemon set "x" successfully rolled out``, ``statefulset rolling
update complete N pods at revision R...``), pkg/cmd/rollout/rollout_restart.go
(``deployment.apps/web restarted``: the pod template gets the
``kubectl.kubernetes.io/restartedAt`` annotation), pkg/cmd/wait/wait.go and
condition.go (``pod/web condition met``; ``error: timed out waiting for the
condition on pods/web``).  The embedded cluster settles at once, so a wait
either holds now or would time out.
"""
from __future__ import annotations

from typing import Any, Optional

from ..api.resources import RESOURCES
from ..errors import NetpolError, NotFoundError
from .args import Exit
from .context import Ctx, error_for, print_errors, resource_requests, sorted_objects
from .jsonpath import JSONPathError
from .jsonpath import render as jsonpath_render
from .render import ErrorText

__all__ = ["run_scale", "run_rollout", "run_wait"]


def _objects(ctx: Ctx, words: list[str], verb: str) -> list[tuple[str, str]]:
    """(kind, name) for NAMEs, TYPE/NAMEs, -l or --all."""
    if not words:
        raise Exit("error: You must provide one or more resources by argument or filename.\n"
                   "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                   "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    out: list[tuple[str, str]] = []
    for kind, name in resource_requests(words):
        if name is not None:
            out.append((kind, name))
        elif ctx.on("all") or ctx.flag("selector") is not None:
            out += [(kind, str(o["metadata"]["name"])) for o in sorted_objects(
                ctx.backend.get(kind, namespace=ctx.namespace, selector=ctx.flag("selector"),
                                all_namespaces=ctx.on("all-namespaces")))]
        else:
            raise Exit("error: resource(s) were provided, but no name was specified")
    return out


# ---------------------------------------------------------------- scale


def run_scale(ctx: Ctx) -> int:
    replicas_text = ctx.flag("replicas")
    if replicas_text is None:
        raise Exit('error: required flag(s) "replicas" not set')
    try:
        replicas = int(replicas_text)
    except ValueError:
        raise Exit(f'error: invalid argument "{replicas_text}" for "--replicas" flag: strconv.ParseInt: '
                   f'parsing "{replicas_text}": invalid syntax\nSee \'kubectl scale --help\' for usage.') from None
    if replicas < 0:
        raise Exit("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    scale = getattr(ctx.backend, "scale", None)
    if not callable(scale):
        raise ctx.unsupported()
    errors: list[ErrorText] = []
    for kind, name in _objects(ctx, ctx.args.positional, "scale"):
        try:
            line = scale(kind, name, replicas, namespace=ctx.namespace)
            ctx.out.out(f"{RESOURCES[kind][1]}/{name}\n" if ctx.flag("output") == "name" else f"{line}\n")
        except (NetpolError, ValueError) as exc:
            errors.append(error_for(exc))
    print_errors(ctx.out, errors)
    return 1 if errors else 0


# ---------------------------------------------------------------- rollout


def run_rollout(ctx: Ctx) -> int:
    pos = ctx.args.positional
    if not pos:
        raise Exit("error: Required resource not specified.\nSee 'kubectl rollout -h' for help and examples")
    sub, words = pos[0], pos[1:]
    if sub not in ("status", "restart"):
        raise ctx.unsupported()
    if not words:
        raise Exit("error: required resource not specified")
    targets = _objects(ctx, words, "rollout")
    errors: list[ErrorText] = []
    for kind, name in targets:
        try:
            obj = ctx.backend.get(kind, namespace=ctx.namespace, name=name)[0]  # NotFound first, as kubectl
            if kind not in ("Deployment", "DaemonSet", "StatefulSet"):
                # rollout_status.go: "no status viewer has been implemented for %v" (a GroupKind);
                # rollout_restart.go: "error: %s %q %v" with objectrestarter's "restarting is not supported".
                group = RESOURCES[kind][1].partition(".")[2]
                gk = f"{kind}.{group}" if group else kind
                raise NetpolError(f"error: no status viewer has been implemented for {gk}" if sub == "status"
                                  else f'error: {RESOURCES[kind][0]} "{name}" restarting is not supported')
            if sub == "status":
                ctx.out.out(_status_line(obj))
            else:
                _restart(ctx, kind, name)
                ctx.out.out(f"{RESOURCES[kind][1]}/{name} restarted\n")
        except (NetpolError, ValueError) as exc:
            errors.append(error_for(exc))
    print_errors(ctx.out, errors)
    return 1 if errors else 0


def _status_line(obj: dict) -> str:
    name, kind = obj["metadata"]["name"], obj["kind"]
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if kind == "Deployment":
        want = spec.get("replicas", 1)
        if (status.get("updatedReplicas") or 0) < want:
            return (f'Waiting for deployment "{name}" rollout to finish: {status.get("updatedReplicas") or 0} '
                    f"out of {want} new replicas have been updated...\n")
        return f'deployment "{name}" successfully rolled out\n'
    if kind == "DaemonSet":
        return f'daemon set "{name}" successfully rolled out\n'
    return (f"statefulset rolling update complete {status.get('currentReplicas') or 0} pods at revision "
            f"{status.get('currentRevision', '')}...\n")


def _restart(ctx: Ctx, kind: str, name: str) -> None:
    update = getattr(ctx.backend, "update", None)
    if not callable(update):
        raise ctx.unsupported()
    stamp = ctx.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def change(obj: dict) -> None:
        tmeta = obj["spec"]["template"].setdefault("metadata", {})
        tmeta.setdefault("annotations", {})["kubectl.kubernetes.io/restartedAt"] = stamp

    update(kind, name, change, namespace=ctx.namespace)


# ---------------------------------------------------------------- wait


def run_wait(ctx: Ctx) -> int:
    cond = ctx.flag("for")
    if not cond:
        raise Exit("error: --for must be specified")
    kind_of_wait, _, arg = cond.partition("=")
    if kind_of_wait not in ("condition", "delete", "jsonpath", "create"):
        raise Exit(f'error: unrecognized condition: "{cond}"')
    words = ctx.args.positional
    if not words:
        raise Exit("error: resource(s) were provided, but no name was specified")
    errors: list[ErrorText] = []
    try:
        requests = resource_requests(words)
        if kind_of_wait == "delete":
            return _wait_delete(ctx, requests)
        targets = _objects(ctx, words, "wait")
    except NotFoundError as exc:
        print_errors(ctx.out, [error_for(exc)])
        return 1
    if not targets:
        raise Exit("error: no matching resources found")
    for kind, name in targets:
        try:
            obj = ctx.backend.get(kind, namespace=ctx.namespace, name=name)[0]
        except NotFoundError as exc:
            errors.append(error_for(exc))
            continue
        if kind_of_wait == "create" or _holds(kind_of_wait, arg, obj):
            ctx.out.out(f"{RESOURCES.get(kind, ('', kind.lower()))[1] if kind in RESOURCES else kind.lower()}/"
                        f"{name} condition met\n")
        else:
            errors.append(error_for(NetpolError(
                f"error: timed out waiting for the condition on {RESOURCES[kind][0]}/{name}")))
    print_errors(ctx.out, errors)
    return 1 if errors else 0


def _holds(how: str, arg: str, obj: dict) -> bool:
    if how == "condition":
        name, eq, value = arg.partition("=")
        want = value if eq else "True"
        conds = (obj.get("status") or {}).get("conditions") or []
        return any(str(c.get("type", "")).lower() == name.lower() and str(c.get("status")) == want for c in conds)
    path, eq, value = arg.partition("=")
    path = path.strip("'\"")
    template = path if path.startswith("{") else "{" + path + "}"
    try:
        got = jsonpath_render(template, obj, as_json=False)
    except JSONPathError:
        return False
    return got == value if eq else bool(got)


def _wait_delete(ctx: Ctx, requests: list[tuple[str, Optional[str]]]) -> int:
    errors: list[ErrorText] = []
    for kind, name in requests:
        objs: list[Any]
        try:
            objs = ctx.backend.get(kind, namespace=ctx.namespace, name=name, selector=ctx.flag("selector"))
        except NotFoundError:
            objs = []
        if name is None and not objs:
            continue
        for obj in objs:
            errors.append(error_for(NetpolError(
                f"error: timed out waiting for the condition on {RESOURCES[kind][0]}/{obj['metadata']['name']}")))
    print_errors(ctx.out, errors)
    return 1 if errors else 0
