"""A cluster read from manifest files, for offline analysis (the CLI, tests, benchmarks).

Every document is validated first; nothing invalid is ever evaluated.  A
workload (Deployment, ReplicaSet, StatefulSet, DaemonSet) stands for its pods
with one endpoint named after the workload: its replicas share labels and ports,
so they share every verdict.  A workload that shares its name with a Pod (or
with a workload of another kind) in one namespace is named ``kind/name``
(``default/deployment/web``), so endpoints are unique per (kind, namespace, name).

What the analysis does not use is kept and said in :attr:`World.notes`: objects
of other built-in kinds (ServiceAccount, Role, Ingress...), and an object given
twice, of which the last is used, as ``kubectl apply`` would leave it.

>>> w = World.from_texts(['''
... apiVersion: v1
... kind: Pod
... metadata: {name: web, labels: {app: web}}
... spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80, name: http}]}]}
... '''])
>>> [p.key for p in w.pods], w.engine().evaluate("default/web", "default/web", "http").allowed
(['default/web'], True)
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Sequence, Union

from .engine import Engine
from ..errors import ManifestError
from ..api.manifests import Document, read_documents, read_path
from .objects import DEFAULT_NAMESPACE, Namespace, NetworkPolicy, Pod, Service, Workload, from_dict
from ..api.validation import OTHER_KINDS, check, is_modelled

__all__ = ["World", "InvalidManifests"]

#: Kinds without a namespace (besides Namespace itself).
_CLUSTER_KINDS = {kind for (_, kind), namespaced in OTHER_KINDS.items() if not namespaced}


class InvalidManifests(ManifestError):
    """Several documents failed validation; ``problems`` holds each one's error."""

    def __init__(self, problems: Sequence[ManifestError]):
        self.problems = tuple(problems)
        errs = [e for p in self.problems for e in p.errors]
        first = self.problems[0]
        super().__init__(first.kind, first.name, errs, source=first.source, index=first.index)

    def message(self) -> str:
        return "\n".join(p.message() for p in self.problems)

    def lines(self) -> list[str]:
        return [line for p in self.problems for line in p.lines()]


@dataclass(frozen=True)
class World:
    namespaces: tuple[Namespace, ...]
    pods: tuple[Pod, ...]
    services: tuple[Service, ...]
    policies: tuple[NetworkPolicy, ...]
    documents: int = 0  # how many objects were read (Secrets and ConfigMaps included)
    notes: tuple[str, ...] = ()  # what the analysis left out, and why

    @classmethod
    def from_documents(cls, docs: Iterable[Document], unread: Sequence[ManifestError] = ()) -> "World":
        """Validate and build; ``unread`` are the errors of documents that did not decode,
        reported with the invalid ones (every problem of the input at once)."""
        problems: list[ManifestError] = list(unread)
        latest: dict[tuple[str, str, str], Document] = {}  # (kind, namespace, name) -> last document
        twice: dict[tuple[str, str, str], list[str]] = {}
        ignored: dict[str, list[str]] = {}
        count = 0
        for doc in docs:
            try:
                check(doc)
            except ManifestError as e:
                problems.append(e)
                continue
            count += 1
            kind, ns, name = _identity(doc.obj)
            if not is_modelled(doc.obj):
                ignored.setdefault(kind, []).append(f"{ns}/{name}" if ns else name)
                continue
            # Objects named by generateName are distinct objects: never "the same one twice".
            key = (kind, ns, name) if _meta(doc.obj).get("name") else (kind, ns, f"{name}#{len(latest)}")
            if key in latest:
                twice.setdefault(key, [_where(latest[key])]).append(_where(doc))
            latest[key] = doc
        if problems:
            raise InvalidManifests(problems)
        objs = [from_dict(_named(d.obj, i)) for i, d in enumerate(latest.values(), 1)]
        notes = [f"{kind}/{name} in namespace {ns or '-'} is given {len(srcs)} times ({', '.join(srcs)}); "
                 "the last one is used, as kubectl apply leaves it" for (kind, ns, name), srcs in twice.items()]
        notes += [f"not part of the analysis (kind {kind}): {', '.join(names)}"
                  for kind, names in sorted(ignored.items())]
        pods = [o for o in objs if isinstance(o, Pod)]
        workloads = [w for w in objs if isinstance(w, Workload)]
        taken: dict[tuple[str, str], int] = {}
        for o in pods + workloads:
            taken[o.namespace, o.name] = taken.get((o.namespace, o.name), 0) + 1
        for w in workloads:
            clash = taken[w.namespace, w.name] > 1
            endpoint = f"{w.kind.lower()}/{w.name}" if clash else w.name
            pods.append(Pod(endpoint, w.namespace, w.template_labels, w.containers, None,
                            f"{w.kind}/{w.name}", w.host_network))
        return cls(tuple(o for o in objs if isinstance(o, Namespace)), tuple(pods),
                   tuple(o for o in objs if isinstance(o, Service)),
                   tuple(o for o in objs if isinstance(o, NetworkPolicy)), count, tuple(notes))

    @classmethod
    def from_paths(cls, paths: Iterable[Union[str, os.PathLike]]) -> "World":
        docs: list[Document] = []
        unread: list[ManifestError] = []
        for p in paths:
            got, errors = read_path(p)
            docs += got
            unread += errors
        return cls.from_documents(docs, unread)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> "World":
        docs: list[Document] = []
        unread: list[ManifestError] = []
        for i, t in enumerate(texts):
            got, errors = read_documents(t, source=f"<text {i}>")
            docs += got
            unread += errors
        return cls.from_documents(docs, unread)

    def engine(self) -> Engine:
        return Engine(self.namespaces, self.pods, self.policies, self.services)


def _named(obj: dict, n: int) -> dict:
    """An object named by generateName gets a name, as the API server gives one (its
    random suffix here a counter: ``web-3``), so that each is an endpoint of its own."""
    md = _meta(obj)
    if md.get("name") or not md.get("generateName"):
        return obj
    return {**obj, "metadata": {**md, "name": f"{md['generateName']}{n}"}}


def _meta(obj: dict) -> dict:
    md = obj.get("metadata")
    return md if isinstance(md, dict) else {}


def _identity(obj: dict) -> tuple[str, str, str]:
    """(kind, namespace, name) of a validated object; cluster-scoped kinds have no namespace."""
    md = _meta(obj)
    kind = str(obj.get("kind"))
    scoped = kind != "Namespace" and kind not in _CLUSTER_KINDS
    ns = str(md.get("namespace") or DEFAULT_NAMESPACE) if scoped else ""
    return kind, ns, str(md.get("name") or md.get("generateName") or "")


def _where(doc: Document) -> str:
    return f"{doc.source or '<input>'} #{doc.index + 1}"
