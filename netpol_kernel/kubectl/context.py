"""What every kubectl verb handler shares: the command's context, kubectl's errors, resource words.

:class:`Ctx` is one command being run (backend, verb, parsed flags, the
namespace in effect, where the output goes); :func:`error_for` and
:func:`print_errors` word failures as kubectl does; :func:`resource_requests` reads
``TYPE[,TYPE] [NAME...]`` / ``TYPE/NAME`` arguments into (kind, name) pairs.
Events and EndpointSlices, which :mod:`netpol_kernel.api.resources` does not
list, are read-only kinds here (:data:`READ_ONLY_KINDS`, :func:`list_objects`).
The verbs themselves are in :mod:`.get`, :mod:`.describe`, :mod:`.apply` (apply,
create -f, delete), :mod:`.create` (create's generators), :mod:`.run` (run,
expose), :mod:`.metadata` (label, annotate), :mod:`.workloads` (scale, rollout,
wait), :mod:`.logs`, :mod:`.exec` (exec, debug) and :mod:`.info` (version,
cluster-info, config, api-resources, explain); :func:`netpol_kernel.kubectl.kubectl`
dispatches to them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional, Sequence
from ..api.resources import RESOURCES, kind_of
from ..backends.base import Backend
from ..errors import UnsupportedCommand
from .args import Args, Exit
from .output import Output
from .render import ErrorText, error_text, errors_text


# ---------------------------------------------------------------- context


@dataclass
class Ctx:
    backend: Backend
    verb: str
    args: Args
    namespace: str          # the namespace in effect
    explicit_ns: bool       # given with -n/--namespace (kubectl then enforces it)
    stdin: Optional[str]
    out: Output
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


def error_for(exc: BaseException, *, verb: str = "creating", source: Optional[str] = None,
           obj: Optional[dict] = None) -> ErrorText:
    if isinstance(exc, Exit):
        return ErrorText(exc.message.rstrip("\n"), exc.message.rstrip("\n"))
    return error_text(exc, verb=verb, source=source, obj=obj)


def print_errors(out: Output, errors: Sequence[ErrorText]) -> None:
    out.err(errors_text(errors))


class ErrorsExit(Exception):
    def __init__(self, errors: list[ErrorText]):
        super().__init__("; ".join(e.single for e in errors))
        self.errors = errors


# ---------------------------------------------------------------- resources


#: Read-only kinds outside api.resources: their words, as kubectl accepts them.
READ_ONLY_KINDS = {"events": "Event", "event": "Event", "ev": "Event", "events.events.k8s.io": "Event",
                   "endpointslices": "EndpointSlice", "endpointslice": "EndpointSlice",
                   "endpointslices.discovery.k8s.io": "EndpointSlice"}


def resource_kind(word: str) -> str:
    if word.lower() in READ_ONLY_KINDS:
        return READ_ONLY_KINDS[word.lower()]
    try:
        return kind_of(word)
    except UnsupportedCommand as e:
        raise Exit(str(e)) from None


def resource_requests(words: Sequence[str]) -> list[tuple[str, Optional[str]]]:
    """ResourceTypeOrNameArgs: ``TYPE[,TYPE] [NAME...]`` or ``TYPE/NAME...``."""
    if not words:
        return []
    if any("/" in w for w in words):
        out = []
        for w in words:
            if "/" not in w:
                raise Exit("error: there is no need to specify a resource type as a separate argument "
                            "when passing arguments in resource/name form (e.g. 'kubectl get "
                            "resource/<resource_name>' instead of 'kubectl get resource "
                            "resource/<resource_name>'")
            kind_word, _, name = w.partition("/")
            out.append((resource_kind(kind_word), name))
        return out
    kinds: list[str] = []
    for word in words[0].split(","):
        if word == "all":
            # kubectl's "all" category, in its order (less the kinds outside the course).
            kinds += ["Pod", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"]
        elif word:
            kinds.append(resource_kind(word))
    names: list[Optional[str]] = list(words[1:]) or [None]
    return [(k, n) for k in kinds for n in names]


def sorted_objects(objs: Sequence[dict]) -> list[dict]:
    # The API server lists in key order: namespace, then name.
    return sorted(objs, key=lambda o: ((o.get("metadata") or {}).get("namespace") or "",
                                       (o.get("metadata") or {}).get("name") or ""))


def objects_with_kind(objs: Sequence[dict], kind: str) -> list[dict]:
    return [o if o.get("kind") else {**o, "kind": kind} for o in objs]


def list_objects(ctx: Ctx, kind: str, name: Optional[str] = None, selector: Optional[str] = None,
                 all_namespaces: bool = False) -> list[dict]:
    """``backend.get``, plus Events and EndpointSlices, which backends list through their own methods."""
    if kind not in ("Event", "EndpointSlice"):
        return ctx.backend.get(kind, namespace=ctx.namespace, name=name, selector=selector,
                               all_namespaces=all_namespaces)
    lister = getattr(ctx.backend, "events" if kind == "Event" else "endpoint_slices", None)
    if not callable(lister):
        raise ctx.unsupported()
    items = lister(namespace=ctx.namespace, all_namespaces=all_namespaces)
    if selector:
        from ..policy.selectors import parse_selector
        sel = parse_selector(selector)
        items = [o for o in items if sel.matches((o.get("metadata") or {}).get("labels") or {})]
    if name is not None:
        items = [o for o in items if (o.get("metadata") or {}).get("name") == name]
        if not items:
            from ..errors import NotFoundError
            plural = "events" if kind == "Event" else "endpointslices.discovery.k8s.io"
            raise NotFoundError(plural, name, ctx.namespace)
    return items


def namespaced(kind: str) -> bool:
    return RESOURCES[kind][3] if kind in RESOURCES else kind != "Node"
