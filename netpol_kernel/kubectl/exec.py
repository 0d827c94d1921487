"""``kubectl exec`` and ``kubectl debug``: running a command in a pod and printing what it printed.

``POD``, ``pod/NAME`` or ``deploy/NAME`` (its first running pod, as kubectl
picks) name the pod.  ``exec -ti`` / ``-it``: a notebook has no terminal.  Real
kubectl would warn ``Unable to use a TTY - input is not a terminal or the right
kind of file`` and carry on; here ``-t`` is accepted and ignored, so the lab's
commands run as written, and ``-i`` passes the ``stdin=`` text (the ``%%kubectl``
cell body) to the command: ``%%kubectl exec -i POD -- sh`` runs the body.
"""
from __future__ import annotations

from typing import Optional

from .render import selector_text
from ..backends.base import ExecResult
from .args import Exit
from .context import Ctx, resource_kind


# ---------------------------------------------------------------- exec / debug


def pod_for(ctx: Ctx, ref: str) -> dict:
    """``POD``, ``pod/NAME`` or ``deploy/NAME`` (the first running pod, as kubectl picks)."""
    kind_word, slash, name = ref.partition("/")
    if not slash:
        kind_word, name = "pod", ref
    kind = resource_kind(kind_word)
    found = ctx.backend.get(kind, namespace=ctx.namespace, name=name)
    if kind == "Pod":
        return found[0]
    selector = selector_text((found[0].get("spec") or {}).get("selector"), empty="")
    pods = ctx.backend.get("Pod", namespace=ctx.namespace, selector=selector or None)

    def rank(p: dict) -> tuple:
        running = (p.get("status") or {}).get("phase") == "Running"
        meta = p.get("metadata") or {}
        return (not running, str(meta.get("creationTimestamp") or ""), str(meta.get("name") or ""))

    if not pods:
        raise Exit("error: timed out waiting for the condition")
    return sorted(pods, key=rank)[0]


def _container(ctx: Ctx, pod: dict) -> Optional[str]:
    """-c, or kubectl's default (and its note when the pod has several containers)."""
    chosen = ctx.flag("container")
    containers = [str(c.get("name")) for c in (pod.get("spec") or {}).get("containers") or []]
    if chosen or len(containers) < 2:
        return chosen
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    default = annotations.get("kubectl.kubernetes.io/default-container") or containers[0]
    ctx.out.err(f'Defaulted container "{default}" out of: {", ".join(containers)}\n')
    return default


def run_exec(ctx: Ctx) -> int:
    pos, command = ctx.args.positional, ctx.args.after_dash
    if not pos:
        raise Exit("error: pod, type/name or --filename must be specified")
    if command is None and len(pos) > 1:
        raise Exit("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- "
                    "[COMMAND] instead\nSee 'kubectl exec -h' for help and examples")
    if not command:
        raise Exit("error: you must specify at least one command for the container")
    pod = pod_for(ctx, pos[0])
    container = _container(ctx, pod)
    # -t is accepted and ignored: a notebook has no terminal (see the module docstring).
    # -i sends the stdin= text (the %%kubectl cell body), when there is one.
    extra = {"stdin": ctx.stdin} if ctx.on("stdin") and ctx.stdin is not None else {}
    result = ctx.backend.exec(str(pod["metadata"]["name"]), list(command), namespace=ctx.namespace,
                              container=container, **extra)
    return _print_exec(ctx, result, trailer=True)


def _print_exec(ctx: Ctx, result: ExecResult, trailer: bool) -> int:
    """The command's output; ``output`` adds kubectl's ``command terminated`` line, except
    for kubectl's own failures (the embedded cluster's KubectlExecError)."""
    ctx.out.out(result.stdout)
    rest = result.output[len(result.stdout):] if trailer else result.stderr
    ctx.out.err(rest)
    return result.exit_code


def run_debug(ctx: Ctx) -> int:
    pos, command = ctx.args.positional, ctx.args.after_dash or []
    debug = getattr(ctx.backend, "debug", None)
    if not callable(debug) or ctx.flag("copy-to"):
        raise ctx.unsupported()
    if not pos:
        raise Exit("error: expected POD, TYPE/NAME, or --filename\n"
                    "See 'kubectl debug -h' for help and examples")
    image = ctx.flag("image")
    if not image:
        raise ctx.unsupported()  # debugging by copying a pod or a node is outside the subset
    pod = pod_for(ctx, pos[0])
    result = debug(str(pod["metadata"]["name"]), image, list(command), namespace=ctx.namespace,
                   target=ctx.flag("target"))
    if not ctx.on("stdin") and not ctx.on("attach"):
        return 0  # not attached: kubectl starts the container and returns
    return _print_exec(ctx, result, trailer=False)
