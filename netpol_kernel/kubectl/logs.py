"""``kubectl logs``: what a container wrote, from the backend's ``logs``.

On the embedded cluster a container's log holds what its image writes for the
traffic it served (nginx's access log lines, written by the image models through
:meth:`EmbeddedCluster.append_log`) and the output of commands started by
``kubectl run``.  ``POD``, ``TYPE/NAME`` (the first pod, with kubectl's
``Found N pods, using pod/NAME`` note) and ``-l SELECTOR`` (every pod, last 10
lines each, as kubectl defaults ``--tail`` with a selector) name the pods;
``-c``, ``--all-containers``, ``--prefix``, ``--tail``.  Wordings from
k8s.io/kubectl v0.32 pkg/cmd/logs/logs.go and pkg/polymorphichelpers/logsforobject.go.
``-f`` prints what is there and returns: a notebook cell cannot follow.
"""
from __future__ import annotations

from typing import Optional

from ..errors import NetpolError
from .args import Exit
from .context import Ctx, error_for, print_errors, sorted_objects
from .exec import pod_for

__all__ = ["run_logs"]


def run_logs(ctx: Ctx) -> int:
    pos = ctx.args.positional
    selector = ctx.flag("selector")
    if ctx.on("previous"):
        raise ctx.unsupported()
    if not pos and not selector:
        raise Exit("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
                   "POD or TYPE/NAME is a required argument for the logs command\n"
                   "See 'kubectl logs -h' for help and examples")
    if selector and pos:
        raise Exit("error: only a selector (-l) or a POD name is allowed\n"
                   "See 'kubectl logs -h' for help and examples")
    tail = _tail(ctx, default=10 if selector else -1)
    if selector:
        pods = sorted_objects(ctx.backend.get("Pod", namespace=ctx.namespace, selector=selector))
        if not pods:
            ctx.out.err(f"No resources found in {ctx.namespace} namespace.\n")
            return 0
    else:
        ref = pos[0] if len(pos) == 1 or "/" in pos[0] else pos[0]
        if "/" in ref and not ref.startswith(("pod/", "pods/", "po/")):
            owner = ref
            pods = [pod_for(ctx, owner)]
            count = _count_pods(ctx, owner)
            if count > 1:
                ctx.out.err(f"Found {count} pods, using pod/{pods[0]['metadata']['name']}\n")
        else:
            pods = [pod_for(ctx, ref)]
    errors = []
    for pod in pods:
        containers = [str(c["name"]) for c in (pod.get("spec") or {}).get("containers") or []]
        chosen = ctx.flag("container") or (len(pos) > 1 and pos[1]) or None
        if ctx.on("all-containers"):
            names = containers
        elif chosen:
            names = [str(chosen)]
        else:
            if len(containers) > 1:
                ctx.out.err(f'Defaulted container "{containers[0]}" out of: {", ".join(containers)}\n')
            names = containers[:1]
        for cname in names:
            try:
                text = ctx.backend.container_logs(pod["metadata"]["name"], namespace=ctx.namespace, container=cname)
            except (NetpolError, ValueError) as exc:
                errors.append(error_for(exc))
                continue
            lines = text.splitlines(keepends=True)
            if tail >= 0:
                lines = lines[-tail:] if tail else []
            prefix = f"[pod/{pod['metadata']['name']}/{cname}] " if ctx.on("prefix") else ""
            ctx.out.out("".join(prefix + line for line in lines))
    print_errors(ctx.out, errors)
    return 1 if errors else 0


def _tail(ctx: Ctx, default: int) -> int:
    text: Optional[str] = ctx.flag("tail")
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise Exit(f'error: invalid argument "{text}" for "--tail" flag: strconv.ParseInt: parsing '
                   f'"{text}": invalid syntax\nSee \'kubectl logs --help\' for usage.') from None


def _count_pods(ctx: Ctx, ref: str) -> int:
    from .render import selector_text
    from .context import resource_kind
    word, _, name = ref.partition("/")
    kind = resource_kind(word)
    owner = ctx.backend.get(kind, namespace=ctx.namespace, name=name)[0]
    spec = owner.get("spec") or {}
    sel = spec.get("selector") or {}
    text = ",".join(f"{k}={v}" for k, v in sorted(sel.items())) if kind == "Service" else \
        selector_text(sel, empty="")
    return len(ctx.backend.get("Pod", namespace=ctx.namespace, selector=text or None)) if text else 0
