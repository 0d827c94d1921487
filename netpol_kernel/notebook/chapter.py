"""A chapter's own namespace: each notebook works in one, on either cluster.

The first cell of every chapter calls :func:`start_chapter`; it creates the
namespace, points ``kubectl`` and ``%kubectl`` at it (like
``kubectl config set-context --current --namespace``), applies what earlier
chapters left behind, and prints exactly the same text on the embedded
cluster and on kind, so nbval compares one set of outputs.

Cleaning up is the learner's choice, never the last cell: ``chapter.cleanup()``
deletes the namespace when they are done, and :func:`start_chapter` deletes
whatever an earlier run left in it before starting afresh.  So *Run All* leaves
every panel of a chapter working.

>>> from netpol_kernel.sim.cluster import EmbeddedCluster
>>> ch = start_chapter("netpol-demo", backend=EmbeddedCluster(), load_magic=False)
>>> print(ch)
namespace/netpol-demo created
kubectl commands in this notebook now use the namespace netpol-demo.
>>> print(ch.cleanup())
namespace "netpol-demo" deleted
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from ..backends import current
from ..backends.base import Backend
from ..errors import ManifestError, NetpolError, NotFoundError, PathNotFoundError
from ..kubectl.command import kubectl

__all__ = ["Chapter", "start_chapter", "show_file", "picture", "preview", "FileText"]

_GONE_TIMEOUT = 180.0  # a real namespace takes a while to finish Terminating


class Printed(str):
    """A str that notebooks show as plain text, without quotes."""

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


@dataclass
class Chapter:
    namespace: str
    backend: Backend
    lines: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(self.lines)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def kubectl(self, command: str, stdin: Optional[str] = None):
        return kubectl(command, backend=self.backend, namespace=self.namespace, stdin=stdin)

    def cleanup(self) -> "Printed":
        """Delete the chapter's namespace and its companions (``NAMESPACE-*``, which a
        chapter's manifests may create, such as ``netpol-ch08-monitoring``), only ever ours."""
        names = [self.namespace] + companions(self.backend, self.namespace)
        for name in names:
            _delete_namespace(self.backend, name)
        return Printed("\n".join(f'namespace "{n}" deleted' for n in names))


def companions(backend: Backend, namespace: str) -> list[str]:
    """The namespaces named ``NAMESPACE-*`` that exist: a chapter's own extra namespaces."""
    try:
        listed = backend.get("Namespace")
    except NetpolError:
        return []
    return sorted(str(n["metadata"]["name"]) for n in listed
                  if str(n["metadata"]["name"]).startswith(namespace + "-"))


def _delete_namespace(backend: Backend, name: str) -> None:
    cleanup = getattr(backend, "cleanup", None)
    try:
        if callable(cleanup):  # the real cluster checks the namespace is one we created
            cleanup(name)
        else:
            backend.delete("Namespace", name)
    except NotFoundError:
        pass  # already gone: cleaning up twice is fine


def _exists(backend: Backend, name: str) -> bool:
    try:
        return bool(backend.get("Namespace", name=name))
    except NotFoundError:
        return False


def _wait_gone(backend: Backend, name: str, sleep: Callable[[float], None], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _exists(backend, name):
        if time.monotonic() > deadline:
            raise NetpolError(f'namespace "{name}" is still terminating after {int(timeout)}s; '
                              "try again in a minute")
        sleep(1.0)


def start_chapter(namespace: str, apply: Sequence[str] = (), *, backend: Optional[Backend] = None,
                  load_magic: bool = True, sleep: Callable[[float], None] = time.sleep) -> Chapter:
    """Create ``namespace`` afresh, make it kubectl's default and apply ``apply`` files.

    A namespace left over from an earlier run, and its companions ``NAMESPACE-*``
    that a chapter's manifests create, are removed first (on a real cluster only
    if netpol-kernel created them), so a chapter always starts clean.
    """
    be = backend or current()
    from ..api.validation import validate
    problems = validate({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    if problems:  # before anything is deleted or created (ValidateNamespaceName: a DNS-1123 label)
        raise ManifestError("Namespace", str(namespace), problems)
    # Leftovers of an earlier run: the namespace and its companions (NAMESPACE-*), ours only.
    leftovers = ([namespace] if _exists(be, namespace) else []) + companions(be, namespace)
    for name in leftovers:
        _delete_namespace(be, name)  # a Terminating one is left to finish
        waiter = getattr(be, "wait_namespace_gone", None)  # a real cluster: bounded, with progress
        if callable(waiter):
            waiter(name, _GONE_TIMEOUT)
        else:
            _wait_gone(be, name, sleep, _GONE_TIMEOUT)
    create = getattr(be, "create_namespace")
    lines = [create(namespace)]
    be.default_namespace = namespace
    for path in apply:
        result = kubectl(f"apply -f {path}", backend=be, namespace=namespace)
        lines += result.text.rstrip("\n").splitlines()
        if result.exit_code:
            raise NetpolError("\n".join(lines))
    lines.append(f"kubectl commands in this notebook now use the namespace {namespace}.")
    if load_magic:
        _load_magic()
    return Chapter(namespace, be, lines)


def _load_magic() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: the kubectl() function is all there is
        return
    ip = get_ipython()
    if ip is not None:
        from .magic import load_ipython_extension
        load_ipython_extension(ip)


# ---------------------------------------------------------------- what chapter cells call

class FileText(Printed):
    """A manifest file's text: Jupyter renders it as highlighted YAML, nbval compares the text."""

    def _repr_markdown_(self) -> str:
        return f"```yaml\n{self}```"


def show_file(path: str) -> FileText:
    """The text of a manifest, to read before applying it.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
    ...     _ = f.write("kind: Namespace\\n")
    >>> print(show_file(f.name), end=""); os.unlink(f.name)
    kind: Namespace
    """
    from ..api.manifests import decode_bytes
    try:
        with open(path, "rb") as f:
            return FileText(decode_bytes(f.read()))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise PathNotFoundError(str(path)) from None


def _policy_docs(path: str, namespace: Optional[str]) -> list[dict]:
    """The file's objects, each checked as the API server would (never half-typed input)."""
    from ..api.manifests import load_path
    from ..api.validation import check
    docs = []
    for d in load_path(path):
        check(d)
        obj = dict(d.obj)
        md = dict(obj.get("metadata") or {})
        md.setdefault("namespace", namespace or "default")  # where `kubectl apply -f` would put it
        obj["metadata"] = md
        docs.append(obj)
    return docs


def picture(path: str, name: Optional[str] = None, backend: Optional[Backend] = None):
    """The policy in ``path`` (or the one called ``name``) drawn like the Cilium editor draws it."""
    from .plots import PolicyPicture
    be = backend or current()
    docs = [d for d in _policy_docs(path, be.default_namespace) if d.get("kind") == "NetworkPolicy"]
    if name is not None:
        docs = [d for d in docs if (d.get("metadata") or {}).get("name") == name]
    if len(docs) != 1:
        found = ", ".join(str((d.get("metadata") or {}).get("name")) for d in docs) or "none"
        raise NetpolError(f"{path}: name one NetworkPolicy to draw (found: {found})")
    return PolicyPicture(docs[0])


def preview(path: str, sources: Sequence[str], targets: Sequence[str], *,
            backend: Optional[Backend] = None):
    """What would ``kubectl apply -f path`` change? Predicted, nothing is applied."""
    from .probes import what_if
    be = backend or current()
    docs = [d for d in _policy_docs(path, be.default_namespace) if d.get("kind") == "NetworkPolicy"]
    return what_if(be, sources, targets, add=docs)
