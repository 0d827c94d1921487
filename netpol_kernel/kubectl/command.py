"""The course's kubectl subset: parse one command line, call a backend, print like kubectl.

:func:`kubectl` never raises for a user's mistake: a missing file, a YAML
error, an invalid policy, an unknown flag or verb all come back as kubectl's
own error text with a non-zero exit code, the way a terminal would show them.

>>> from netpol_kernel.sim.cluster import EmbeddedCluster
>>> r = kubectl("get netpol", backend=EmbeddedCluster())
>>> r.exit_code, r.text
(0, 'No resources found in default namespace.\\n')
>>> print(kubectl("deployment,svc", backend=EmbeddedCluster()), end="")
error: unknown command "deployment,svc" for "kubectl"

Supported: the verbs of :func:`_handlers` (``run``, ``expose``, ``create``,
``apply``, ``get``, ``describe``, ``delete``, ``label``, ``annotate``, ``scale``,
``rollout``, ``wait``, ``logs``, ``exec``, ``debug``, ``api-resources``,
``explain``, ``version``, ``cluster-info``, ``config``), each with ``-h``.  Anything
else prints one line saying so (exit 1) instead of pretending.  Reading the
command line (verb, flags, "unknown command" suggestions) is
:mod:`netpol_kernel.kubectl.args`; the verbs run in :mod:`netpol_kernel.kubectl.get`
(get, describe), :mod:`netpol_kernel.kubectl.apply` (apply, create, delete,
label) and :mod:`netpol_kernel.kubectl.exec` (exec, debug), on what
:mod:`netpol_kernel.kubectl.context` shares; this module dispatches to them and
gathers what they print.

Notebook notes:

* ``exec -ti`` / ``-it``: a notebook has no terminal.  Real kubectl would warn
  ``Unable to use a TTY - input is not a terminal or the right kind of file``
  and carry on; here ``-t`` and ``-i`` are accepted and ignored, so the lab's
  commands run as written.
* ``apply -f -`` reads the ``stdin=`` argument (the ``%%kubectl`` cell body).
"""
from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Callable, Optional

from ..errors import NetpolError, UnsupportedCommand
from .output import KubectlResult, Output

if TYPE_CHECKING:
    from ..backends.base import Backend
    from .context import Ctx

# The verb modules (and the rendering, jsonpath and apply machinery behind them)
# are imported on the first call, so `import netpol_kernel` and the
# `netpol-kernel` CLI, which never run kubectl, do not pay for them.

__all__ = ["kubectl", "KubectlResult"]


# ---------------------------------------------------------------- result


# ---------------------------------------------------------------- entry point


def _handlers() -> dict[str, Callable[["Ctx"], int]]:
    from .apply import run_apply, run_create, run_delete
    from .describe import run_describe
    from .exec import run_debug, run_exec
    from .get import run_get
    from .info import (run_api_resources, run_api_versions, run_cluster_info, run_config, run_explain,
                       run_version)
    from .logs import run_logs
    from .metadata import run_annotate, run_label
    from .run import run_expose, run_run
    from .workloads import run_rollout, run_scale, run_wait
    return {"get": run_get, "describe": run_describe, "apply": run_apply, "create": run_create, "delete": run_delete,
            "label": run_label, "annotate": run_annotate, "exec": run_exec, "debug": run_debug, "run": run_run,
            "expose": run_expose, "scale": run_scale, "logs": run_logs, "wait": run_wait, "rollout": run_rollout,
            "api-resources": run_api_resources, "api-versions": run_api_versions, "version": run_version,
            "cluster-info": run_cluster_info, "config": run_config, "explain": run_explain}

_USAGE = """kubectl controls the Kubernetes cluster manager (netpol_kernel's notebook subset).

Commands:
  run NAME --image=IMG         start a pod (--rm -i ... -- CMD runs a command and prints its output)
  expose TYPE NAME --port=P    make a Service for a deployment, pod, service or replica set
  create TYPE ... | -f FILE    create objects (deployment, service, namespace, configmap, secret)
  apply -f FILE|DIR|URL|-      create or update objects from manifests
  get TYPE[,TYPE] [NAME]       list objects (-o wide|yaml|json|name|jsonpath=...|custom-columns=...)
  describe TYPE [NAME]         show details (pods, deployments, services, namespaces, nodes, netpol)
  delete -f FILE | TYPE NAME   delete objects
  label, annotate TYPE NAME k=v k-   set or remove labels and annotations
  scale --replicas=N TYPE NAME change a workload's size
  rollout status|restart TYPE NAME   follow or restart a rollout
  wait --for=condition=C TYPE/NAME   wait for a condition
  logs POD                     print a container's log
  exec POD -- CMD...           run a command in a pod
  debug POD -i --image=IMG -- CMD...   run a command in an ephemeral container
  api-resources, api-versions, explain TYPE[.FIELD], version, cluster-info, config current-context

Use "kubectl <command> --help" for what each command supports here.
"""


def kubectl(command: str, *, backend: Optional["Backend"] = None, namespace: Optional[str] = None,
            stdin: Optional[str] = None) -> KubectlResult:
    """Run one kubectl command line against ``backend`` and return what kubectl prints.

    ``command`` may start with the word ``kubectl``; it is split like a shell
    would (quotes work, as in ``-o jsonpath='{.items[0].metadata.name}'``).
    ``backend`` defaults to :func:`netpol_kernel.backends.current`; ``namespace``
    is the default namespace (``-n`` overrides it); ``stdin`` feeds ``-f -``.

    >>> from netpol_kernel.sim.cluster import EmbeddedCluster
    >>> kubectl("get pods -o wide --bogus", backend=EmbeddedCluster()).text
    "error: unknown flag: --bogus\\nSee 'kubectl get --help' for usage.\\n"
    """
    from .args import Exit
    from .context import error_for, ErrorsExit, print_errors
    out = Output()
    try:
        tokens = shlex.split(command)
    except ValueError as exc:
        out.err(f"error: cannot split the command line: {exc}\n")
        return out.result(command, 1)
    if tokens and tokens[0] == "kubectl":
        tokens = tokens[1:]
    shown = " ".join(tokens)
    try:
        code = _run(tokens, shown, backend, namespace, stdin, out)
    except Exit as exc:
        out.err(exc.message)
        code = exc.code
    except ErrorsExit as exc:
        print_errors(out, exc.errors)
        code = 1
    except UnsupportedCommand as exc:
        out.err(str(exc).rstrip("\n") + "\n")
        code = 1
    except (NetpolError, OSError, ValueError, LookupError) as exc:
        print_errors(out, [error_for(exc)])
        code = 1
    except Exception as exc:  # noqa: BLE001 - a notebook must never show a traceback
        out.err(f"error: internal error in netpol_kernel's kubectl ({type(exc).__name__}: {exc}); "
                "please report it\n")
        code = 1
    return out.result(command, code)


def _run(tokens: list[str], shown: str, backend: Optional["Backend"], namespace: Optional[str],
         stdin: Optional[str], out: Output) -> int:
    from .args import (CREATE_SUBCOMMANDS, GLOBAL_FLAGS, KUBECTL_COMMANDS, VERB_FLAGS, Args,
                               parse_flags, split_verb, unknown_command)
    from .context import Ctx
    handlers = _handlers()
    verb, rest = split_verb(tokens)
    if verb is None:
        if not tokens:
            out.out(_USAGE)
            return 0
        parse_flags("kubectl", rest)  # reports unknown flags; otherwise it is help
        out.out(_USAGE)
        return 0
    if verb not in handlers and verb not in KUBECTL_COMMANDS:
        raise unknown_command(verb)
    if backend is None:
        from ..backends import current  # lazy: the process-wide backend is made on first use
        backend = current()
    default_ns = namespace or getattr(backend, "default_namespace", None) or "default"
    from .create import SUBCOMMANDS
    from .help import help_text
    ours = set(SUBCOMMANDS) | {"deploy", "svc", "ns", "cm"}
    if verb not in handlers or (verb == "create" and rest and rest[0] in CREATE_SUBCOMMANDS
                                and rest[0] not in ours):
        raise Ctx(backend, verb, Args(), default_ns, False, stdin, out, shown).unsupported()
    args = parse_flags(verb, rest)
    if args.values.get("help"):
        out.out(help_text(verb) or _USAGE)
        return 0
    explicit = args.values.get("namespace", [None])[-1]
    ctx = Ctx(backend=backend, verb=verb, args=args, namespace=explicit or default_ns,
               explicit_ns=explicit is not None, stdin=stdin, out=out, command=shown)
    specs = {f.name: f for f in GLOBAL_FLAGS + VERB_FLAGS.get(verb, [])}
    if any(not specs[n].supported for n in args.values):
        raise ctx.unsupported()
    return handlers[verb](ctx)
