"""The kubectl verbs that change objects from manifests: ``apply``, ``create``, ``delete``.

Manifests are read from every ``-f`` (a file, a directory, an http(s) URL, or
``-`` for the ``stdin=`` argument, the ``%%kubectl`` cell body) and applied in one backend
call per namespace; successes print as they happen, errors are gathered and
printed at the end, as kubectl does.
"""
from __future__ import annotations

import os
from typing import Any, Optional, Sequence
from ..api.manifests import Document
from ..api.resources import RESOURCES
from ..errors import AlreadyExistsError, NetpolError, NotFoundError
from .args import Exit
from .context import Ctx, error_for, ErrorsExit, namespaced, print_errors, resource_requests, sorted_objects
from .render import ErrorText, plain_error


# ---------------------------------------------------------------- apply / create / delete


def _load(ctx: Ctx, paths: Sequence[str]) -> list[Any]:
    """Read every -f, in kubectl's order: documents, and errors where they are met.

    A missing path stops everything (kubectl's builder checks paths first).  A
    document that does not decode (no kind, metadata of the wrong types) is an
    error and the next one is read; a YAML syntax error ends its file, after the
    documents before it; the other files of a directory or of the -f list are
    still read, as kubectl's builder (ContinueOnError) does.
    """
    from ..api.manifests import manifest_files, read_file, read_items
    from .urls import fetch, is_url

    missing = [p for p in paths if p != "-" and not is_url(p) and not os.path.exists(p)]
    if missing:
        raise ErrorsExit([plain_error(f'error: the path "{p}" does not exist') for p in missing])
    items: list[Any] = []
    for path in paths:
        try:
            sources = [path] if path == "-" or is_url(path) else manifest_files(path)
        except OSError as exc:
            items.append(error_for(exc, source=path))
            continue
        for source in sources:
            try:
                if is_url(source):  # kubectl's own error (raised) when the URL cannot be read
                    got = read_items(fetch(source), source=source)
                else:
                    got = read_items(ctx.stdin or "", source="STDIN") if source == "-" else read_file(source)
            except OSError as exc:  # unreadable: Go's words ("open F: permission denied"), and on
                items.append(plain_error(f"error: open {source}: {(exc.strerror or str(exc)).lower()}"))
                continue
            items += [x if isinstance(x, Document) else error_for(x, source=x.source or source)
                      for x in got]
    return items


def _doc_namespace(ctx: Ctx, doc: Any) -> Optional[ErrorText]:
    """kubectl refuses an object whose namespace differs from an explicit -n."""
    ns = _meta(doc.obj).get("namespace")
    if ctx.explicit_ns and ns and ns != ctx.namespace and namespaced(str(doc.obj.get("kind"))):
        return plain_error(
            f'error: the namespace from the provided object "{ns}" does not match the namespace '
            f"\"{ctx.namespace}\". You must pass '--namespace={ns}' to perform this operation.")
    return None


def _apply_docs(ctx: Ctx, docs: Sequence[Any], namespace: Optional[str]) -> tuple[list[Any], list[ErrorText]]:
    """Apply documents in one backend call: (result lines, errors).

    One call, so objects of one file share a creation time and a real cluster
    waits for its Deployments once.  The backend validates, as the API server does.
    """
    try:
        return list(ctx.backend.apply(list(docs), namespace=namespace)), []
    except NetpolError as exc:
        pairs = getattr(exc, "errors", None) if hasattr(exc, "results") else None
        if pairs is None:  # one error, not attributable to a document: blame the first
            return [], [error_for(exc, source=docs[0].source, obj=docs[0].obj)]
        # ApplyErrors: what was applied, and (document, error) pairs for the rest.
        return list(exc.results), [error_for(e, source=(d or docs[0]).source, obj=(d or docs[0]).obj)
                                   for d, e in pairs]
    except ValueError as exc:
        return [], [error_for(exc, source=docs[0].source, obj=docs[0].obj)]


def run_apply(ctx: Ctx) -> int:
    paths = ctx.many("filename")
    if not paths:
        raise Exit("error: must specify one of -f and -k")
    if ctx.args.positional:
        raise Exit(f"error: Unexpected args: {ctx.args.positional}\n"
                    "See 'kubectl apply -h' for help and examples")
    items = _load(ctx, paths)
    if not items:
        raise Exit("error: no objects passed to apply")
    # Like kubectl: successes are printed as they happen, errors gathered at the end in
    # the order they happened.  Neighbouring documents for one namespace go in one call.
    errors: list[ErrorText] = []
    group: list[Any] = []
    group_ns: Optional[str] = None

    def flush() -> None:
        if group:
            results, errs = _apply_docs(ctx, group, group_ns)
            ctx.out.out("".join(f"{r}\n" for r in results))
            errors.extend(errs)
            group.clear()

    for item in items:
        if isinstance(item, ErrorText):
            flush()
            errors.append(item)
            continue
        problem = _doc_namespace(ctx, item)
        if problem:
            flush()
            errors.append(problem)
            continue
        # An object's own namespace wins unless -n was given (then kubectl insists they agree).
        has_ns = bool(_meta(item.obj).get("namespace"))
        namespace = ctx.namespace if ctx.explicit_ns or not has_ns else None
        if group and namespace != group_ns:
            flush()
        group_ns = namespace
        group.append(item)
    flush()
    print_errors(ctx.out, errors)
    return 1 if errors else 0


def _meta(obj: Any) -> dict:
    """An object's metadata, or {} when it is not a map (validation reports that)."""
    md = obj.get("metadata") if isinstance(obj, dict) else None
    return md if isinstance(md, dict) else {}


def run_create(ctx: Ctx) -> int:
    pos = ctx.args.positional
    if ctx.many("filename"):
        return _create_from_files(ctx)
    from .create import SUBCOMMANDS, dry_run, run_create_subcommand
    if pos and pos[0] in ("namespace", "ns") and not dry_run(ctx) and not ctx.flag("output"):
        if len(pos) != 2:
            raise Exit("error: exactly one NAME is required, got " + str(len(pos) - 1) +
                        "\nSee 'kubectl create namespace -h' for help and examples")
        return _create_namespace(ctx, pos[1])
    if not pos:
        raise Exit("error: must specify one of -f and -k")
    if pos[0] in SUBCOMMANDS or pos[0] in ("deploy", "svc", "ns", "cm"):
        return run_create_subcommand(ctx)
    raise ctx.unsupported()


def _create_namespace(ctx: Ctx, name: str) -> int:
    create = getattr(ctx.backend, "create_namespace", None)
    if callable(create):
        create(name)
    else:
        from ..api.manifests import Document
        if _present(ctx, "Namespace", name, ctx.namespace):
            raise AlreadyExistsError("namespaces", name)
        obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        ctx.backend.apply([Document(None, 0, obj)])
    ctx.out.out(f"namespace/{name} created\n")
    return 0


def _create_from_files(ctx: Ctx) -> int:
    errors: list[ErrorText] = []
    for doc in _load(ctx, ctx.many("filename")):
        if isinstance(doc, ErrorText):
            errors.append(doc)
            continue
        kind = str(doc.obj.get("kind"))
        name = str(_meta(doc.obj).get("name", ""))
        ns = _meta(doc.obj).get("namespace") or ctx.namespace
        if not isinstance(ns, str):
            ns = ctx.namespace
        if kind in RESOURCES and name and _present(ctx, kind, name, ns):
            plural, qualified = RESOURCES[kind][0], RESOURCES[kind][1]
            group = qualified.partition(".")[2]
            exists = AlreadyExistsError(f"{plural}.{group}" if group else plural, name)
            errors.append(error_for(exists, source=doc.source))
            continue
        results, errs = _apply_docs(ctx, [doc], ctx.namespace if ctx.explicit_ns or not _meta(doc.obj).get("namespace") else None)
        ctx.out.out("".join(f"{RESOURCES.get(r.kind, ('', r.kind.lower()))[1]}/{r.name} created\n"
                            for r in results))
        errors += errs
    print_errors(ctx.out, errors)
    return 1 if errors else 0


def _present(ctx: Ctx, kind: str, name: str, namespace: str) -> bool:
    try:
        return bool(ctx.backend.get(kind, namespace=namespace, name=name))
    except NotFoundError:
        return False


def _deleted_line(kind: str, name: str) -> str:
    prefix = RESOURCES[kind][1] if kind in RESOURCES else kind.lower()
    return f'{prefix} "{name}" deleted\n'


def run_delete(ctx: Ctx) -> int:
    errors: list[ErrorText] = []
    targets: list[tuple[str, str, Optional[str], Optional[str]]] = []  # kind, name, ns, source
    paths = ctx.many("filename")
    if paths:
        for doc in _load(ctx, paths):
            if isinstance(doc, ErrorText):
                errors.append(doc)
                continue
            meta = _meta(doc.obj)
            targets.append((str(doc.obj.get("kind")), str(meta.get("name", "")),
                            meta.get("namespace") or ctx.namespace, doc.source))
    elif not ctx.args.positional:
        raise Exit("error: You must provide one or more resources by argument or filename.\n"
                    "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                    "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    else:
        requests = resource_requests(ctx.args.positional)
        if any(kind == "Node" for kind, _ in requests):
            raise ctx.unsupported()
        wholesale = ctx.on("all") or ctx.flag("selector") is not None
        if any(n is None for _, n in requests) and not wholesale:
            raise Exit("error: resource(s) were provided, but no name was specified")
        for kind, name in requests:
            if name is None:
                for obj in sorted_objects(ctx.backend.get(kind, namespace=ctx.namespace,
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
                errors.append(error_for(exc, verb="deleting", source=source))
        except (NetpolError, ValueError) as exc:
            errors.append(error_for(exc, verb="deleting", source=source))
    print_errors(ctx.out, errors)
    return 1 if errors else 0
