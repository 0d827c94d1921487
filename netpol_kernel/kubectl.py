"""The course's kubectl subset: parse one command line, call a backend, print like kubectl.

:func:`kubectl` never raises for a user's mistake: a missing file, a YAML
error, an invalid policy, an unknown flag or verb all come back as kubectl's
own error text with a non-zero exit code, the way a terminal would show them.

>>> from netpol_kernel.cluster import EmbeddedCluster
>>> r = kubectl("get netpol", backend=EmbeddedCluster())
>>> r.exit_code, r.text
(0, 'No resources found in default namespace.\\n')
>>> print(kubectl("deployment,svc", backend=EmbeddedCluster()), end="")
error: unknown command "deployment,svc" for "kubectl"

Supported: ``apply``, ``create namespace``, ``create -f``, ``delete``,
``describe networkpolicy``, ``exec``, ``debug``, ``get``, ``label``.  Anything
else prints one line saying so (exit 1) instead of pretending.  Reading the
command line (verb, flags, "unknown command" suggestions) is
:mod:`netpol_kernel.kubectl_args`; this module runs the verbs and prints.

Notebook notes:

* ``exec -ti`` / ``-it``: a notebook has no terminal.  Real kubectl would warn
  ``Unable to use a TTY - input is not a terminal or the right kind of file``
  and carry on; here ``-t`` and ``-i`` are accepted and ignored, so the lab's
  commands run as written.
* ``apply -f -`` reads the ``stdin=`` argument (the ``%%kubectl`` cell body).
"""
from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Optional, Sequence

from . import render
from .backends.base import RESOURCES, Backend, ExecResult, kind_of
from .errors import AlreadyExistsError, ManifestError, NetpolError, NotFoundError, UnsupportedCommand
from .jsonpath import JSONPathError
from .jsonpath import render as jsonpath_render
from .kubectl_args import (_CREATE_SUBCOMMANDS, _GLOBAL, _KUBECTL_COMMANDS, _VERB_FLAGS, _Args, _Exit,
                           _parse_flags, _split_verb, _unknown_command)
from .render import ErrorText

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


# ---------------------------------------------------------------- get


_PRINTERS = ("custom-columns", "custom-columns-file", "go-template", "go-template-file", "json",
             "jsonpath", "jsonpath-as-json", "jsonpath-file", "name", "template", "templatefile",
             "wide", "yaml")


def _output_format(ctx: _Ctx) -> tuple[str, str]:
    """(format, template) from -o; raises for unknown or unsupported formats."""
    raw = ctx.flag("output") or ""
    fmt, _, template = raw.partition("=")
    if fmt in ("", "wide", "yaml", "json", "name") and not template:
        return fmt, ""
    if fmt in ("jsonpath", "jsonpath-as-json"):
        return fmt, template
    if fmt in _PRINTERS:
        raise ctx.unsupported()
    raise _Exit(f'error: unable to match a printer suitable for the output format "{raw}", allowed '
                f"formats are: {','.join(_PRINTERS)}")


def _get(ctx: _Ctx) -> int:
    if not ctx.args.positional:
        raise _Exit('You must specify the type of resource to get. Use "kubectl api-resources" for a '
                    'complete list of supported resources.\n\nerror: Required resource not specified.\n'
                    'Use "kubectl explain <resource>" for a detailed description of that resource '
                    "(e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples")
    fmt, template = _output_format(ctx)
    if ctx.on("show-labels") and fmt not in ("", "wide"):
        raise _Exit(f"error: --show-labels option cannot be used with {ctx.flag('output')} printer")
    requests = _requests(ctx.args.positional)
    selector, all_ns = ctx.flag("selector"), ctx.on("all-namespaces")
    if selector and any(n for _, n in requests):
        raise _Exit("error: name cannot be provided when a selector is specified")
    if all_ns and any(n for _, n in requests):
        raise _Exit("error: a resource cannot be retrieved by name across all namespaces")
    human = fmt in ("", "wide")
    if human:
        for kind, _ in requests:
            if kind not in render.TABLE_KINDS:
                raise ctx.unsupported(f"get {RESOURCES[kind][0]}")
    objs, kinds, errors = _fetch(ctx, requests, selector, all_ns)
    if human:
        _print_tables(ctx, objs, kinds, errors, fmt == "wide", all_ns)
    else:
        single = len(requests) == 1 and requests[0][1] is not None
        if not (single and errors):
            _print_generic(ctx, objs, fmt, template, single)
    _print_errors(ctx.out, errors)
    return 1 if errors else 0


def _fetch(ctx: _Ctx, requests: Sequence[tuple[str, Optional[str]]], selector: Optional[str],
           all_ns: bool) -> tuple[list[dict], list[str], list[ErrorText]]:
    """(objects, kinds answered, errors): a kind counts as answered even with no objects."""
    objs: list[dict] = []
    kinds: list[str] = []
    errors: list[ErrorText] = []
    for kind, name in requests:
        try:
            found = ctx.backend.get(kind, namespace=ctx.namespace, name=name, selector=selector,
                                    all_namespaces=all_ns)
        except NotFoundError as exc:
            if not ctx.on("ignore-not-found"):
                errors.append(_error(exc))
            continue
        kinds.append(kind)
        objs.extend(_with_kind(_sorted(found), kind))
    return objs, kinds, errors


def _print_tables(ctx: _Ctx, objs: list[dict], kinds: list[str], errors: list[ErrorText], wide: bool,
                  all_ns: bool) -> None:
    # kubectl asks the server for one Table per kind (empty or not) and prefixes
    # names with their kind as soon as two kinds answered: "get all" prints
    # service/kubernetes even when nothing else exists.
    with_kind = len(set(kinds)) > 1 or ctx.on("show-kind")
    now, written = ctx.now(), False
    i = 0
    while i < len(objs):
        j = i
        while j < len(objs) and objs[j]["kind"] == objs[i]["kind"]:
            j += 1
        kind = objs[i]["kind"]
        text = render.table(kind, objs[i:j], now, wide=wide, with_namespace=all_ns and _namespaced(kind),
                            with_kind=with_kind, show_labels=ctx.on("show-labels"),
                            no_headers=ctx.on("no-headers"))
        if written and text and not ctx.on("no-headers"):
            ctx.out.out("\n")
        ctx.out.out(text)
        written = written or bool(text)
        i = j
    if not written and not errors and not ctx.on("ignore-not-found"):
        all_namespaced = not all_ns and all(_namespaced(k) for k in kinds)
        ctx.out.err(f"No resources found in {ctx.namespace} namespace.\n" if all_namespaced
                    else "No resources found\n")


def _print_generic(ctx: _Ctx, objs: list[dict], fmt: str, template: str, single: bool) -> None:
    """-o yaml|json|name|jsonpath: one object alone, several as a kind: List."""
    shown = [render.strip_managed_fields(o) for o in objs]
    if fmt == "name":
        ctx.out.out("".join(render.qualified_name(o) + "\n" for o in shown))
        return
    data: Any = shown[0] if single and len(shown) == 1 else render.as_list(shown)
    if fmt == "yaml":
        ctx.out.out(render.to_yaml(data))
    elif fmt == "json":
        ctx.out.out(render.to_json(data))
    else:
        ctx.out.out(_jsonpath(template, data, as_json=fmt == "jsonpath-as-json"))


def _jsonpath(template: str, data: Any, as_json: bool) -> str:
    try:
        return jsonpath_render(template, data, as_json=as_json)
    except JSONPathError as exc:
        raise _Exit(render.jsonpath_error(template, data, exc)) from None


# ---------------------------------------------------------------- describe


def _describe(ctx: _Ctx) -> int:
    if not ctx.args.positional:
        raise _Exit('You must specify the type of resource to describe. Use "kubectl api-resources" '
                    "for a complete list of supported resources.\n")
    requests = _requests(ctx.args.positional)
    if any(kind != "NetworkPolicy" for kind, _ in requests):
        raise ctx.unsupported()
    selector, all_ns = ctx.flag("selector"), ctx.on("all-namespaces")
    objs: list[dict] = []
    errors: list[ErrorText] = []
    for kind, name in requests:
        try:
            objs += _sorted(ctx.backend.get(kind, namespace=ctx.namespace, name=name,
                                            selector=selector, all_namespaces=all_ns))
        except NotFoundError as exc:
            # kubectl describe falls back to the objects whose names start with NAME.
            every = ctx.backend.get(kind, namespace=ctx.namespace)
            matches = [o for o in every
                       if str((o.get("metadata") or {}).get("name", "")).startswith(name or "")]
            if matches:
                objs += _sorted(matches)
            else:
                errors.append(_error(exc))
    ctx.out.out("\n\n".join(render.describe_network_policy(o) for o in objs))
    if not objs and not errors:
        ctx.out.err("No resources found\n" if all_ns
                    else f"No resources found in {ctx.namespace} namespace.\n")
    _print_errors(ctx.out, errors)
    return 1 if errors else 0


# ---------------------------------------------------------------- apply / create / delete


def _load(ctx: _Ctx, paths: Sequence[str]) -> tuple[list[Any], list[ErrorText]]:
    """Read every -f; a missing path stops everything (kubectl's builder does the same)."""
    from .manifests import load_documents, load_path

    missing = [p for p in paths if p != "-" and not os.path.exists(p)]
    if missing:
        raise _ErrorsExit([render.plain_error(f'error: the path "{p}" does not exist') for p in missing])
    docs: list[Any] = []
    errors: list[ErrorText] = []
    for path in paths:
        try:
            docs += (load_documents(ctx.stdin or "", source="STDIN") if path == "-" else load_path(path))
        except (ManifestError, OSError, UnicodeDecodeError) as exc:
            errors.append(_error(exc, source="STDIN" if path == "-" else path))
    return docs, errors


class _ErrorsExit(Exception):
    def __init__(self, errors: list[ErrorText]):
        super().__init__("; ".join(e.single for e in errors))
        self.errors = errors


def _doc_namespace(ctx: _Ctx, doc: Any) -> Optional[ErrorText]:
    """kubectl refuses an object whose namespace differs from an explicit -n."""
    ns = (doc.obj.get("metadata") or {}).get("namespace")
    if ctx.explicit_ns and ns and ns != ctx.namespace and _namespaced(str(doc.obj.get("kind"))):
        return render.plain_error(
            f'error: the namespace from the provided object "{ns}" does not match the namespace '
            f"\"{ctx.namespace}\". You must pass '--namespace={ns}' to perform this operation.")
    return None


def _apply_docs(ctx: _Ctx, docs: Sequence[Any], namespace: Optional[str]) -> tuple[list[Any], list[ErrorText]]:
    """Apply documents in one backend call: (result lines, errors).

    One call, so objects of one file share a creation time and a real cluster
    waits for its Deployments once.  The backend validates, as the API server does.
    """
    try:
        return list(ctx.backend.apply(list(docs), namespace=namespace)), []
    except NetpolError as exc:
        pairs = getattr(exc, "errors", None) if hasattr(exc, "results") else None
        if pairs is None:  # one error, not attributable to a document: blame the first
            return [], [_error(exc, source=docs[0].source, obj=docs[0].obj)]
        # ApplyErrors: what was applied, and (document, error) pairs for the rest.
        return list(exc.results), [_error(e, source=(d or docs[0]).source, obj=(d or docs[0]).obj)
                                   for d, e in pairs]
    except ValueError as exc:
        return [], [_error(exc, source=docs[0].source, obj=docs[0].obj)]


def _apply(ctx: _Ctx) -> int:
    paths = ctx.many("filename")
    if not paths:
        raise _Exit("error: must specify one of -f and -k")
    if ctx.args.positional:
        raise _Exit(f"error: Unexpected args: {ctx.args.positional}\n"
                    "See 'kubectl apply -h' for help and examples")
    docs, errors = _load(ctx, paths)
    if not docs and not errors:
        raise _Exit("error: no objects passed to apply")
    # Like kubectl: successes are printed as they happen, errors gathered at the end.
    groups: list[tuple[Optional[str], list[Any]]] = []
    for doc in docs:
        problem = _doc_namespace(ctx, doc)
        if problem:
            errors.append(problem)
            continue
        # An object's own namespace wins unless -n was given (then kubectl insists they agree).
        has_ns = bool((doc.obj.get("metadata") or {}).get("namespace"))
        namespace = ctx.namespace if ctx.explicit_ns or not has_ns else None
        if groups and groups[-1][0] == namespace:
            groups[-1][1].append(doc)
        else:
            groups.append((namespace, [doc]))
    for namespace, group in groups:
        results, errs = _apply_docs(ctx, group, namespace)
        ctx.out.out("".join(f"{r}\n" for r in results))
        errors += errs
    _print_errors(ctx.out, errors)
    return 1 if errors else 0


def _create(ctx: _Ctx) -> int:
    pos = ctx.args.positional
    if ctx.many("filename"):
        return _create_from_files(ctx)
    if pos and pos[0] in ("namespace", "ns"):
        if len(pos) != 2:
            raise _Exit("error: exactly one NAME is required, got " + str(len(pos) - 1) +
                        "\nSee 'kubectl create namespace -h' for help and examples")
        return _create_namespace(ctx, pos[1])
    if not pos:
        raise _Exit("error: must specify one of -f and -k")
    raise ctx.unsupported()


def _create_namespace(ctx: _Ctx, name: str) -> int:
    create = getattr(ctx.backend, "create_namespace", None)
    if callable(create):
        create(name)
    else:
        from .manifests import Document
        if _present(ctx, "Namespace", name, ctx.namespace):
            raise AlreadyExistsError("namespaces", name)
        obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        ctx.backend.apply([Document(None, 0, obj)])
    ctx.out.out(f"namespace/{name} created\n")
    return 0


def _create_from_files(ctx: _Ctx) -> int:
    docs, errors = _load(ctx, ctx.many("filename"))
    for doc in docs:
        kind = str(doc.obj.get("kind"))
        name = str((doc.obj.get("metadata") or {}).get("name", ""))
        ns = (doc.obj.get("metadata") or {}).get("namespace") or ctx.namespace
        if kind in RESOURCES and name and _present(ctx, kind, name, ns):
            plural, qualified = RESOURCES[kind][0], RESOURCES[kind][1]
            group = qualified.partition(".")[2]
            exists = AlreadyExistsError(f"{plural}.{group}" if group else plural, name)
            errors.append(_error(exists, source=doc.source))
            continue
        results, errs = _apply_docs(ctx, [doc], ctx.namespace if ctx.explicit_ns or not (doc.obj.get("metadata") or {}).get("namespace") else None)
        ctx.out.out("".join(f"{RESOURCES.get(r.kind, ('', r.kind.lower()))[1]}/{r.name} created\n"
                            for r in results))
        errors += errs
    _print_errors(ctx.out, errors)
    return 1 if errors else 0


def _present(ctx: _Ctx, kind: str, name: str, namespace: str) -> bool:
    try:
        return bool(ctx.backend.get(kind, namespace=namespace, name=name))
    except NotFoundError:
        return False


def _deleted_line(kind: str, name: str) -> str:
    prefix = RESOURCES[kind][1] if kind in RESOURCES else kind.lower()
    return f'{prefix} "{name}" deleted\n'


def _delete(ctx: _Ctx) -> int:
    errors: list[ErrorText] = []
    targets: list[tuple[str, str, Optional[str], Optional[str]]] = []  # kind, name, ns, source
    paths = ctx.many("filename")
    if paths:
        docs, errors = _load(ctx, paths)
        for doc in docs:
            meta = doc.obj.get("metadata") or {}
            targets.append((str(doc.obj.get("kind")), str(meta.get("name", "")),
                            meta.get("namespace") or ctx.namespace, doc.source))
    elif not ctx.args.positional:
        raise _Exit("error: You must provide one or more resources by argument or filename.\n"
                    "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                    "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    else:
        requests = _requests(ctx.args.positional)
        if any(kind == "Node" for kind, _ in requests):
            raise ctx.unsupported()
        wholesale = ctx.on("all") or ctx.flag("selector") is not None
        if any(n is None for _, n in requests) and not wholesale:
            raise _Exit("error: resource(s) were provided, but no name was specified")
        for kind, name in requests:
            if name is None:
                for obj in _sorted(ctx.backend.get(kind, namespace=ctx.namespace,
                                                   selector=ctx.flag("selector"))):
                    targets.append((kind, str(obj["metadata"]["name"]), ctx.namespace, None))
            else:
                targets.append((kind, name, ctx.namespace, None))
        if not targets and wholesale:
            ctx.out.out("No resources found\n")
            return 0
    for kind, name, ns, source in targets:
        try:
            ctx.backend.delete(kind, name, namespace=ns)
            ctx.out.out(_deleted_line(kind, name))
        except NotFoundError as exc:
            if not ctx.on("ignore-not-found"):
                errors.append(_error(exc, verb="deleting", source=source))
        except (NetpolError, ValueError) as exc:
            errors.append(_error(exc, verb="deleting", source=source))
    _print_errors(ctx.out, errors)
    return 1 if errors else 0


# ---------------------------------------------------------------- label


def _label(ctx: _Ctx) -> int:
    pos = ctx.args.positional
    if not pos:
        raise _Exit("error: one or more resources must be specified as <resource> <name> or "
                    "<resource>/<name>\nSee 'kubectl label -h' for help and examples")
    is_change = [("=" in p or p.endswith("-")) for p in pos]
    first_change = is_change.index(True) if True in is_change else len(pos)
    objects, changes = pos[:first_change], pos[first_change:]
    if not changes:
        raise _Exit("error: at least one label update is required\n"
                    "See 'kubectl label -h' for help and examples")
    labels: dict[str, Optional[str]] = {}
    for change in changes:
        if "=" in change:
            key, _, value = change.partition("=")
            labels[key] = value
        else:
            labels[change[:-1]] = None
    requests = _requests(objects)
    if any(kind == "Node" for kind, _ in requests):
        raise ctx.unsupported()
    if not requests or any(n is None for _, n in requests):
        raise _Exit("error: one or more resources must be specified as <resource> <name> or "
                    "<resource>/<name>\nSee 'kubectl label -h' for help and examples")
    errors: list[ErrorText] = []
    for kind, name in requests:
        try:
            line = ctx.backend.label(kind, str(name), labels, namespace=ctx.namespace,
                                     overwrite=ctx.on("overwrite"))
            ctx.out.out(str(line).rstrip("\n") + "\n")
        except (NetpolError, ValueError) as exc:
            errors.append(_error(exc))
    _print_errors(ctx.out, errors)
    return 1 if errors else 0


# ---------------------------------------------------------------- exec / debug


def _pod_for(ctx: _Ctx, ref: str) -> dict:
    """``POD``, ``pod/NAME`` or ``deploy/NAME`` (the first running pod, as kubectl picks)."""
    kind_word, slash, name = ref.partition("/")
    if not slash:
        kind_word, name = "pod", ref
    kind = _kind(kind_word)
    found = ctx.backend.get(kind, namespace=ctx.namespace, name=name)
    if kind == "Pod":
        return found[0]
    selector = render._selector((found[0].get("spec") or {}).get("selector"), empty="")
    pods = ctx.backend.get("Pod", namespace=ctx.namespace, selector=selector or None)

    def rank(p: dict) -> tuple:
        running = (p.get("status") or {}).get("phase") == "Running"
        meta = p.get("metadata") or {}
        return (not running, str(meta.get("creationTimestamp") or ""), str(meta.get("name") or ""))

    if not pods:
        raise _Exit("error: timed out waiting for the condition")
    return sorted(pods, key=rank)[0]


def _container(ctx: _Ctx, pod: dict) -> Optional[str]:
    """-c, or kubectl's default (and its note when the pod has several containers)."""
    chosen = ctx.flag("container")
    containers = [str(c.get("name")) for c in (pod.get("spec") or {}).get("containers") or []]
    if chosen or len(containers) < 2:
        return chosen
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    default = annotations.get("kubectl.kubernetes.io/default-container") or containers[0]
    ctx.out.err(f'Defaulted container "{default}" out of: {", ".join(containers)}\n')
    return default


def _exec(ctx: _Ctx) -> int:
    pos, command = ctx.args.positional, ctx.args.after_dash
    if not pos:
        raise _Exit("error: pod, type/name or --filename must be specified")
    if command is None and len(pos) > 1:
        raise _Exit("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- "
                    "[COMMAND] instead\nSee 'kubectl exec -h' for help and examples")
    if not command:
        raise _Exit("error: you must specify at least one command for the container")
    pod = _pod_for(ctx, pos[0])
    container = _container(ctx, pod)
    # -t/-i are accepted and ignored: a notebook has no terminal (see the module docstring).
    result = ctx.backend.exec(str(pod["metadata"]["name"]), list(command), namespace=ctx.namespace,
                              container=container)
    return _print_exec(ctx, result, trailer=True)


def _print_exec(ctx: _Ctx, result: ExecResult, trailer: bool) -> int:
    """The command's output; ``output`` adds kubectl's ``command terminated`` line, except
    for kubectl's own failures (the embedded cluster's KubectlExecError)."""
    ctx.out.out(result.stdout)
    rest = result.output[len(result.stdout):] if trailer else result.stderr
    ctx.out.err(rest)
    return result.exit_code


def _debug(ctx: _Ctx) -> int:
    pos, command = ctx.args.positional, ctx.args.after_dash or []
    debug = getattr(ctx.backend, "debug", None)
    if not callable(debug) or ctx.flag("copy-to"):
        raise ctx.unsupported()
    if not pos:
        raise _Exit("error: expected POD, TYPE/NAME, or --filename\n"
                    "See 'kubectl debug -h' for help and examples")
    image = ctx.flag("image")
    if not image:
        raise ctx.unsupported()  # debugging by copying a pod or a node is outside the subset
    pod = _pod_for(ctx, pos[0])
    result = debug(str(pod["metadata"]["name"]), image, list(command), namespace=ctx.namespace,
                   target=ctx.flag("target"))
    if not ctx.on("stdin") and not ctx.on("attach"):
        return 0  # not attached: kubectl starts the container and returns
    return _print_exec(ctx, result, trailer=False)


# ---------------------------------------------------------------- entry point


_HANDLERS: dict[str, Callable[[_Ctx], int]] = {
    "get": _get, "describe": _describe, "apply": _apply, "create": _create, "delete": _delete,
    "label": _label, "exec": _exec, "debug": _debug,
}

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


def kubectl(command: str, *, backend: Optional[Backend] = None, namespace: Optional[str] = None,
            stdin: Optional[str] = None) -> KubectlResult:
    """Run one kubectl command line against ``backend`` and return what kubectl prints.

    ``command`` may start with the word ``kubectl``; it is split like a shell
    would (quotes work, as in ``-o jsonpath='{.items[0].metadata.name}'``).
    ``backend`` defaults to :func:`netpol_kernel.backends.current`; ``namespace``
    is the default namespace (``-n`` overrides it); ``stdin`` feeds ``-f -``.

    >>> from netpol_kernel.cluster import EmbeddedCluster
    >>> kubectl("get pods -o wide --bogus", backend=EmbeddedCluster()).text
    "error: unknown flag: --bogus\\nSee 'kubectl get --help' for usage.\\n"
    """
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


def _run(tokens: list[str], shown: str, backend: Optional[Backend], namespace: Optional[str],
         stdin: Optional[str], out: _Output) -> int:
    verb, rest = _split_verb(tokens)
    if verb is None:
        if not tokens:
            out.out(_USAGE)
            return 0
        _parse_flags("kubectl", rest)  # reports unknown flags; otherwise it is help
        out.out(_USAGE)
        return 0
    if verb not in _HANDLERS and verb not in _KUBECTL_COMMANDS:
        raise _unknown_command(verb)
    if backend is None:
        from .backends import current  # lazy: the process-wide backend is made on first use
        backend = current()
    default_ns = namespace or getattr(backend, "default_namespace", None) or "default"
    if verb not in _HANDLERS or (verb == "create" and rest and rest[0] in _CREATE_SUBCOMMANDS):
        raise _Ctx(backend, verb, _Args(), default_ns, False, stdin, out, shown).unsupported()
    args = _parse_flags(verb, rest)
    explicit = args.values.get("namespace", [None])[-1]
    ctx = _Ctx(backend=backend, verb=verb, args=args, namespace=explicit or default_ns,
               explicit_ns=explicit is not None, stdin=stdin, out=out, command=shown)
    specs = {f.name: f for f in _GLOBAL + _VERB_FLAGS.get(verb, [])}
    if any(not specs[n].supported for n in args.values):
        raise ctx.unsupported()
    return _HANDLERS[verb](ctx)
