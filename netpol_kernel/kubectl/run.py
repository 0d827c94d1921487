"""``kubectl run`` and ``kubectl expose``: a pod (and its Service) from flags, or a Service for an object.

Server form: ``kubectl run web --image=nginx --labels=app=web --port=80 --expose``
creates the Service first, then the pod, and prints ``service/web created`` and
``pod/web created`` (k8s.io/kubectl v0.32 pkg/cmd/run/run.go: ``generateService``
prints as it creates; the pod is printed last).

Client form: ``kubectl run test --rm -i [-t] --image=busybox [--restart=Never] -- CMD``
creates the pod, runs CMD in it with the ``stdin=`` text (the ``%%kubectl`` cell
body) as its input, prints what it printed, then ``pod "test" deleted``.  What
kubectl prints around it, from the same sources:

* attach.go: ``If you don't see a command prompt, try pressing enter.`` on
  stderr before the output (unless ``-q``);
* exec.go StreamOptions.SetupTTY: with ``-t`` and no terminal (a notebook),
  ``Unable to use a TTY - input is not a terminal or the right kind of file``;
* run.go: with ``--restart=Never`` kubectl waits for the pod to finish and
  exits with the command's code, after ``pod default/test terminated (Error)``;
  with the default policy it returns 0 whatever the command did.

The embedded cluster runs the command in the new pod, under the pod's labels
(``run=test`` unless ``--labels``), so NetworkPolicies judge it as they would the
real pod.  Without ``-i`` but with ``--restart=Never`` (or ``OnFailure``) and a
command, the command runs as the pod starts and ``kubectl logs NAME`` shows its
output, the tutorials' other way to probe.  A real cluster's attach needs a terminal: there, use kubectl itself.
"""
from __future__ import annotations

import re

from .generators import parse_labels, run_pod, service_object
from ..backends.base import KubectlExecError
from ..errors import NotFoundError
from .args import Exit
from .context import Ctx, resource_kind
from .create import create_generated, dry_run

__all__ = ["run_run", "run_expose"]

_PROMPT = "If you don't see a command prompt, try pressing enter.\n"
_NO_TTY = "Unable to use a TTY - input is not a terminal or the right kind of file\n"
# distribution/reference's ReferenceRegexp, reduced to what matters for an error: no spaces,
# no upper case in the repository part, a sane tag.
_IMAGE = re.compile(r"^[a-z0-9]+([._-]+[a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*"
                    r"(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$")


def _usage(msg: str) -> Exit:
    return Exit(f"error: {msg}\nSee 'kubectl run -h' for help and examples")


def run_run(ctx: Ctx) -> int:
    pos, after = ctx.args.positional, ctx.args.after_dash
    if not pos:
        raise _usage("NAME is required for run")
    name, args = pos[0], pos[1:] + list(after or [])
    image = ctx.flag("image") or ""
    if not image:
        raise Exit("error: --image is required")
    if not _IMAGE.match(image):
        raise Exit(f'error: Invalid image name "{image}": invalid reference format')
    interactive, tty = ctx.on("stdin"), ctx.on("tty")
    if tty and not interactive:
        raise _usage("-i/--stdin is required for containers with -t/--tty=true")
    port = ctx.flag("port") or ""
    if ctx.on("expose") and not port:
        raise _usage("--port must be set when exposing a service")
    restart = ctx.flag("restart") or ("OnFailure" if interactive else "Always")
    if restart not in ("Always", "OnFailure", "Never"):
        raise _usage(f"invalid restart policy: {restart}")
    attach = ctx.flag("attach") == "true" or (interactive and ctx.flag("attach") != "false")
    if ctx.on("rm") and not attach:
        raise _usage("--rm should only be used for attached containers")
    dry = dry_run(ctx)
    if attach and dry:
        raise _usage("--dry-run=[server|client] can't be used with attached containers options "
                     "(--attach, --stdin, or --tty)")
    if port and not port.isdigit():
        raise _usage("--port must be a number")
    pod = run_pod(name, image, labels=ctx.flag("labels") or "", port=port, env=ctx.many("env"),
                      args=args, command=ctx.on("command"), restart=restart, stdin=interactive, tty=tty,
                      annotations=ctx.many("annotations"),
                      image_pull_policy=ctx.flag("image-pull-policy") or "", privileged=ctx.on("privileged"))
    if attach and getattr(ctx.backend, "name", "") != "sim":
        raise ctx.unsupported()  # attaching to a real pod's main process needs kubectl itself
    if not attach:
        # kubectl run.go: the pod is created first, the Service printed as it is created, the pod last.
        if dry:
            pod_out = _capture(ctx, pod)
            if ctx.on("expose"):
                create_generated(ctx, _service_for_run(name, pod, port))
                if (ctx.flag("output") or "") == "yaml":
                    ctx.out.out("---\n")
            ctx.out.out(pod_out)
            return 0
        _create_quietly(ctx, pod)
        if ctx.on("expose"):
            create_generated(ctx, _service_for_run(name, pod, port))
        ctx.out.out(f"pod/{name}\n" if ctx.flag("output") == "name" else f"pod/{name} created\n")
        _run_detached(ctx, name, args, restart)
        return 0
    return _attached(ctx, pod, name, args, restart, tty)


def _capture(ctx: Ctx, obj: dict) -> str:
    before = len(ctx.out.parts)
    create_generated(ctx, obj)
    parts = ctx.out.parts[before:]
    del ctx.out.parts[before:]
    return "".join(t for _, t in parts)


def _create_quietly(ctx: Ctx, obj: dict) -> None:
    _capture(ctx, obj)


def _service_for_run(name: str, pod: dict, port: str) -> dict:
    labels = pod["metadata"]["labels"]
    return service_object(name, labels, [port], target_port="", labels=None)


def _attached(ctx: Ctx, pod: dict, name: str, args: list[str], restart: str, tty: bool) -> int:
    """Create the pod, run its command with stdin, print the output, honour --rm."""
    _create_quietly(ctx, pod)
    if ctx.on("expose"):
        create_generated(ctx, _service_for_run(name, pod, ctx.flag("port") or ""))
    argv = args or _image_default_command(pod)
    try:
        result = ctx.backend.exec(name, argv, namespace=ctx.namespace, stdin=ctx.stdin)
    except BaseException:
        if ctx.on("rm"):  # kubectl's deferred removal runs whatever happened
            _remove(ctx, name)
        raise
    missing = _START_ERROR.search(result.stderr) if isinstance(result, KubectlExecError) else None
    if missing:
        return _cannot_start(ctx, name, restart, missing.group(1))
    if tty and not ctx.on("quiet"):
        ctx.out.err(_NO_TTY)
    if not ctx.on("quiet"):
        ctx.out.err(_PROMPT)
    ctx.out.out(result.stdout)
    ctx.out.err(result.stderr)
    append_log = getattr(ctx.backend, "append_log", None)
    if callable(append_log):
        for line in (result.stdout + result.stderr).splitlines():
            append_log(ctx.namespace, name, name, line)
    code = result.exit_code
    if ctx.on("rm"):
        _remove(ctx, name)
    else:
        _mark_finished(ctx, name, code, restart)
    if restart == "Always":
        return 0  # run.go: not waiting for an exit code
    if code == 0:
        return 0
    if restart == "OnFailure":
        return 0  # the kubelet restarts it; kubectl waits for a success a notebook would never see
    ctx.out.err(f"pod {ctx.namespace}/{name} terminated (Error)\n")
    return code


# The part of an exec failure that names the missing program (see sim/process.py oci_not_found).
_START_ERROR = re.compile(r'unable to start container process: (exec: "[^"]*": [^:]+(?:: [^:]+)?): unknown')


def _cannot_start(ctx: Ctx, name: str, restart: str, why: str) -> int:
    """The command is the container's main process: when the image lacks it, the container
    never starts (containerd 1.7's StartError, exit code 128).  With --restart=Never the pod
    fails and run.go reports it; otherwise the kubelet retries (CrashLoopBackOff) and kubectl
    gives up waiting for a running pod."""
    if ctx.on("rm"):
        _remove(ctx, name)
    if restart != "Never":
        ctx.out.err("error: timed out waiting for the condition\n")
        return 1
    ctx.out.err(f"pod {ctx.namespace}/{name} terminated (StartError)\n"
                "failed to create containerd task: failed to create shim task: OCI runtime create failed: "
                f"runc create failed: unable to start container process: {why}: unknown\n")
    return 128


def _remove(ctx: Ctx, name: str) -> None:
    """run.go removeCreatedObjects: the pod (and the --expose Service), with delete's line each."""
    targets = [("Pod", "pod")] + ([("Service", "service")] if ctx.on("expose") else [])
    for kind, word in targets:
        try:
            ctx.backend.delete(kind, name, namespace=ctx.namespace)
            ctx.out.out(f'{word} "{name}" deleted\n')
        except NotFoundError:
            pass


def _run_detached(ctx: Ctx, name: str, args: list[str], restart: str) -> None:
    """``kubectl run NAME --restart=Never|OnFailure --image=IMG -- CMD``: the command runs as the
    pod starts; its output becomes the container's log (``kubectl logs NAME``) and the pod ends
    Completed or Error.  A command that sleeps is left running, as it would be for a while."""
    append_log = getattr(ctx.backend, "append_log", None)
    if restart == "Always" or not args or not callable(append_log) or any("sleep" in a for a in args):
        return
    result = ctx.backend.exec(name, args, namespace=ctx.namespace)
    if isinstance(result, KubectlExecError):
        return  # the image lacks the program: left as created (a real pod would not start)
    for line in (result.stdout + result.stderr).splitlines():
        append_log(ctx.namespace, name, name, line)
    _mark_finished(ctx, name, result.exit_code, restart)


def _image_default_command(pod: dict) -> list[str]:
    """With no command, the image's entrypoint: a shell for the images tutorials attach to."""
    return ["sh"]


def _mark_finished(ctx: Ctx, name: str, code: int, restart: str) -> None:
    """A pod whose command ended: Succeeded/Failed with restartPolicy Never (what get pods shows)."""
    update = getattr(ctx.backend, "update", None)
    if not callable(update) or restart == "Always" or (restart == "OnFailure" and code != 0):
        return

    def finish(pod: dict) -> None:
        status = pod.get("status") or {}
        status["phase"] = "Succeeded" if code == 0 else "Failed"
        for cs in status.get("containerStatuses") or []:
            started = ((cs.get("state") or {}).get("running") or {}).get("startedAt")
            cs["ready"], cs["started"] = False, False
            cs["state"] = {"terminated": {"containerID": cs.get("containerID"), "exitCode": code,
                                          "finishedAt": started, "reason": "Completed" if code == 0 else "Error",
                                          "startedAt": started}}
        for cond in status.get("conditions") or []:
            if cond.get("type") in ("Ready", "ContainersReady"):
                cond["status"], cond["reason"] = "False", "PodCompleted"
        pod["status"] = status

    update("Pod", name, finish, namespace=ctx.namespace)


# ---------------------------------------------------------------- expose

_EXPOSABLE = ("Pod", "Service", "ReplicaSet", "Deployment")


def run_expose(ctx: Ctx) -> int:
    pos = ctx.args.positional
    if not pos:
        raise Exit("error: You must provide one or more resources by argument or filename.\n"
                   "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                   "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    if "/" in pos[0]:
        word, _, name = pos[0].partition("/")
    elif len(pos) >= 2:
        word, name = pos[0], pos[1]
    else:
        raise Exit("error: resource(s) were provided, but no name was specified")
    kind = resource_kind(word)
    if kind not in _EXPOSABLE:
        from ..api.resources import RESOURCES
        group = RESOURCES[kind][1].partition(".")[2]
        raise Exit(f"error: cannot expose a {kind}" + (f".{group}" if group else ""))
    obj = ctx.backend.get(kind, namespace=ctx.namespace, name=name)[0]
    selector = _selector_for(ctx, obj, kind)
    ports, protocols = _ports_for(obj, kind)
    port = ctx.flag("port")
    if port:
        ports = port.split(",") if "," in port else [port]
    if not ports and ctx.flag("cluster-ip") != "None":
        raise Exit("error: couldn't find port via --port flag or introspection\n"
                   "See 'kubectl expose -h' for help and examples")
    labels = parse_labels(ctx.flag("labels")) if ctx.flag("labels") else \
        dict((obj.get("metadata") or {}).get("labels") or {})
    svc_type = ctx.flag("type") or ""
    if svc_type and svc_type not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
        raise Exit(f"error: invalid service type: {svc_type}")
    svc = service_object((ctx.flag("name") or name)[:63], selector, ports, labels=labels,
                             protocol=ctx.flag("protocol") or "", protocols=protocols,
                             target_port=ctx.flag("target-port") or "", type_=svc_type,
                             cluster_ip=ctx.flag("cluster-ip") or "",
                             session_affinity=ctx.flag("session-affinity") or "")
    return create_generated(ctx, svc, action="exposed")


def _selector_for(ctx: Ctx, obj: dict, kind: str) -> dict:
    """polymorphichelpers.MapBasedSelectorForObject, or --selector."""
    if ctx.flag("selector"):
        return parse_labels(str(ctx.flag("selector")), what="selector")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if not labels:
            raise Exit("error: couldn't retrieve selectors via --selector flag or introspection: "
                       "the pod has no labels and cannot be exposed\nSee 'kubectl expose -h' for help and examples")
        return dict(labels)
    if kind == "Service":
        if not spec.get("selector"):
            raise Exit("error: couldn't retrieve selectors via --selector flag or introspection: "
                       "the service has no pod selector set\nSee 'kubectl expose -h' for help and examples")
        return dict(spec["selector"])
    sel = spec.get("selector") or {}
    if sel.get("matchExpressions"):
        raise Exit("error: couldn't retrieve selectors via --selector flag or introspection: "
                   f"{kind.lower()}s.apps without selectors or with match expressions cannot be exposed"
                   "\nSee 'kubectl expose -h' for help and examples")
    return dict(sel.get("matchLabels") or {})


def _ports_for(obj: dict, kind: str) -> tuple[list[str], dict[str, str]]:
    """polymorphichelpers PortsForObject / ProtocolsForObject: the containers' (or service's) ports."""
    if kind == "Service":
        ports = (obj.get("spec") or {}).get("ports") or []
        return ([str(p.get("port")) for p in ports],
                {str(p.get("port")): p.get("protocol") or "TCP" for p in ports})
    spec = obj.get("spec") or {}
    pod_spec = spec if kind == "Pod" else ((spec.get("template") or {}).get("spec") or {})
    ports: list[str] = []
    protocols: dict[str, str] = {}
    for c in pod_spec.get("containers") or []:
        for p in c.get("ports") or []:
            ports.append(str(p.get("containerPort")))
            protocols[str(p.get("containerPort"))] = p.get("protocol") or "TCP"
    return ports, protocols

