"""What every kubectl verb handler shares: the command's context, kubectl's errors, resource words.

:class:`_Ctx` is one command being run (backend, verb, parsed flags, the
namespace in effect, where the output goes); :func:`_error` and
:func:`_print_errors` word failures as kubectl does; :func:`_requests` reads
``TYPE[,TYPE] [NAME...]`` / ``TYPE/NAME`` arguments into (kind, name) pairs.
The verbs themselves are in :mod:`netpol_kernel.kubectl.get` (get, describe),
:mod:`netpol_kernel.kubectl.apply` (apply, create, delete, label) and
:mod:`netpol_kernel.kubectl.exec` (exec, debug); :func:`netpol_kernel.kubectl.kubectl`
dispatches to them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Optional, Sequence

from . import render
from ..backends.base import RESOURCES, Backend, kind_of
from ..errors import UnsupportedCommand
from .args import _Args, _Exit
from .render import ErrorText

if TYPE_CHECKING:  # pragma: no cover
    from .command import _Output


# ---------------------------------------------------------------- context


@dataclass
class _Ctx:
    backend: Backend
    verb: str
    args: _Args
    namespace: str          # the namespace in effect
    explicit_ns: bool       # given with -n/--namespace (kubectl then enforces it)
    stdin: Optional[str]
    out: _Output
    command: str

    def flag(self, name: str, default: Optional[str] = None) -> Optional[str]:
        values = self.args.values.get(name)
        return values[-1] if values else default

    def on(self, name: str) -> bool:
        return self.flag(name) == "true"

    def many(self, name: str) -> list[str]:
        return list(self.args.values.get(name, []))

    def now(self) -> datetime:
        clock = getattr(self.backend, "now", None)
        now = clock() if callable(clock) else datetime.now(timezone.utc)
        return now if now.tzinfo else now.replace(tzinfo=timezone.utc)

    def unsupported(self, what: Optional[str] = None) -> UnsupportedCommand:
        shown = what or self.command
        if getattr(self.backend, "name", "") == "sim":
            return UnsupportedCommand(
                f'error: the embedded cluster does not support "kubectl {shown}"; run this chapter '
                f"against a real cluster (NETPOL_BACKEND=kube, see the README)")
        return UnsupportedCommand(
            f'error: netpol_kernel\'s kubectl does not support "kubectl {shown}"; '
            f"run it with the real kubectl in a terminal")


# ---------------------------------------------------------------- errors


def _error(exc: BaseException, *, verb: str = "creating", source: Optional[str] = None,
           obj: Optional[dict] = None) -> ErrorText:
    if isinstance(exc, _Exit):
        return ErrorText(exc.message.rstrip("\n"), exc.message.rstrip("\n"))
    return render.error_text(exc, verb=verb, source=source, obj=obj)


def _print_errors(out: _Output, errors: Sequence[ErrorText]) -> None:
    out.err(render.errors_text(errors))


class _ErrorsExit(Exception):
    def __init__(self, errors: list[ErrorText]):
        super().__init__("; ".join(e.single for e in errors))
        self.errors = errors


# ---------------------------------------------------------------- resources


def _kind(word: str) -> str:
    try:
        return kind_of(word)
    except UnsupportedCommand as e:
        raise _Exit(str(e)) from None


def _requests(words: Sequence[str]) -> list[tuple[str, Optional[str]]]:
    """ResourceTypeOrNameArgs: ``TYPE[,TYPE] [NAME...]`` or ``TYPE/NAME...``."""
    if not words:
        return []
    if any("/" in w for w in words):
        out = []
        for w in words:
            if "/" not in w:
                raise _Exit("error: there is no need to specify a resource type as a separate argument "
                            "when passing arguments in resource/name form (e.g. 'kubectl get "
                            "resource/<resource_name>' instead of 'kubectl get resource "
                            "resource/<resource_name>'")
            kind_word, _, name = w.partition("/")
            out.append((_kind(kind_word), name))
        return out
    kinds: list[str] = []
    for word in words[0].split(","):
        if word == "all":
            # kubectl's "all" category, in its order (less the kinds outside the course).
            kinds += ["Pod", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"]
        elif word:
            kinds.append(_kind(word))
    names: list[Optional[str]] = list(words[1:]) or [None]
    return [(k, n) for k in kinds for n in names]


def _sorted(objs: Sequence[dict]) -> list[dict]:
    # The API server lists in key order: namespace, then name.
    return sorted(objs, key=lambda o: ((o.get("metadata") or {}).get("namespace") or "",
                                       (o.get("metadata") or {}).get("name") or ""))


def _with_kind(objs: Sequence[dict], kind: str) -> list[dict]:
    return [o if o.get("kind") else {**o, "kind": kind} for o in objs]


def _namespaced(kind: str) -> bool:
    return RESOURCES[kind][3] if kind in RESOURCES else kind != "Node"
