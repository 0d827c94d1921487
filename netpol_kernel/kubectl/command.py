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

Supported: ``apply``, ``create namespace``, ``create -f``, ``delete``,
``describe networkpolicy``, ``exec``, ``debug``, ``get``, ``label``.  Anything
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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

from ..errors import NetpolError, UnsupportedCommand

if TYPE_CHECKING:
    from ..backends.base import Backend
    from .context import _Ctx

# The verb modules (and the rendering, jsonpath and apply machinery behind them)
# are imported on the first call, so `import netpol_kernel` and the
# `netpol-kernel` CLI, which never run kubectl, do not pay for them.

__all__ = ["kubectl", "KubectlResult"]


# ---------------------------------------------------------------- result


@dataclass(frozen=True)
class KubectlResult:
    """What one kubectl command printed.

    ``text`` is stdout and stderr interleaved as a terminal shows them;
    ``str(result)`` is ``text``, and IPython displays it without quotes.

    >>> r = KubectlResult("get pods", "frontend-abc\\n", "", 0, "frontend-abc\\n")
    >>> r.value, r.ok
    ('frontend-abc', True)
    """

    command: str
    stdout: str
    stderr: str
    exit_code: int
    text: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def value(self) -> str:
        """The output stripped, for assignments (``FRONTEND = kubectl(...).value``).

        On success this is stdout only, like the shell's ``$(kubectl ...)``
        (a "No resources found" note on stderr is not a value).  On failure it
        is the whole text, so a bad value carries the error rather than "".
        """
        return (self.stdout if self.ok else self.text).strip()

    def __str__(self) -> str:
        return self.text

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        # The display adds its own final newline.
        p.text(self.text[:-1] if self.text.endswith("\n") else self.text)


class _Output:
    """stdout and stderr, kept apart and interleaved at the same time."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []

    def out(self, text: str) -> None:
        if text:
            self.parts.append(("out", text))

    def err(self, text: str) -> None:
        if text:
            self.parts.append(("err", text))

    def result(self, command: str, exit_code: int) -> KubectlResult:
        out = "".join(t for s, t in self.parts if s == "out")
        err = "".join(t for s, t in self.parts if s == "err")
        return KubectlResult(command, out, err, exit_code, "".join(t for _, t in self.parts))


# ---------------------------------------------------------------- entry point


def _handlers() -> dict[str, Callable[["_Ctx"], int]]:
    from .apply import _apply, _create, _delete, _label
    from .exec import _debug, _exec
    from .get import _describe, _get
    return {"get": _get, "describe": _describe, "apply": _apply, "create": _create, "delete": _delete,
            "label": _label, "exec": _exec, "debug": _debug}

_USAGE = """kubectl controls the Kubernetes cluster manager (netpol_kernel's notebook subset).

Commands:
  apply -f FILE|DIR|-          create or update objects from manifests
  create namespace NAME        create a namespace
  delete -f FILE | KIND NAME   delete objects
  describe networkpolicy NAME  show a policy in words
  exec POD -- CMD...           run a command in a pod
  debug POD -i --image=IMG -- CMD...   run a command in an ephemeral container
  get KIND[,KIND] [NAME]       list objects (-o wide|yaml|json|name|jsonpath=...)
  label KIND NAME k=v k-       set or remove labels
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
    from .args import _Exit
    from .context import _error, _ErrorsExit, _print_errors
    out = _Output()
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
    except _Exit as exc:
        out.err(exc.message)
        code = exc.code
    except _ErrorsExit as exc:
        _print_errors(out, exc.errors)
        code = 1
    except UnsupportedCommand as exc:
        out.err(str(exc).rstrip("\n") + "\n")
        code = 1
    except (NetpolError, OSError, ValueError, LookupError) as exc:
        _print_errors(out, [_error(exc)])
        code = 1
    except Exception as exc:  # noqa: BLE001 - a notebook must never show a traceback
        out.err(f"error: internal error in netpol_kernel's kubectl ({type(exc).__name__}: {exc}); "
                "please report it\n")
        code = 1
    return out.result(command, code)


def _run(tokens: list[str], shown: str, backend: Optional["Backend"], namespace: Optional[str],
         stdin: Optional[str], out: _Output) -> int:
    from .args import (_CREATE_SUBCOMMANDS, _GLOBAL, _KUBECTL_COMMANDS, _VERB_FLAGS, _Args,
                               _parse_flags, _split_verb, _unknown_command)
    from .context import _Ctx
    handlers = _handlers()
    verb, rest = _split_verb(tokens)
    if verb is None:
        if not tokens:
            out.out(_USAGE)
            return 0
        _parse_flags("kubectl", rest)  # reports unknown flags; otherwise it is help
        out.out(_USAGE)
        return 0
    if verb not in handlers and verb not in _KUBECTL_COMMANDS:
        raise _unknown_command(verb)
    if backend is None:
        from ..backends import current  # lazy: the process-wide backend is made on first use
        backend = current()
    default_ns = namespace or getattr(backend, "default_namespace", None) or "default"
    if verb not in handlers or (verb == "create" and rest and rest[0] in _CREATE_SUBCOMMANDS):
        raise _Ctx(backend, verb, _Args(), default_ns, False, stdin, out, shown).unsupported()
    args = _parse_flags(verb, rest)
    explicit = args.values.get("namespace", [None])[-1]
    ctx = _Ctx(backend=backend, verb=verb, args=args, namespace=explicit or default_ns,
               explicit_ns=explicit is not None, stdin=stdin, out=out, command=shown)
    specs = {f.name: f for f in _GLOBAL + _VERB_FLAGS.get(verb, [])}
    if any(not specs[n].supported for n in args.values):
        raise ctx.unsupported()
    return handlers[verb](ctx)
