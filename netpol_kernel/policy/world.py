"""A cluster read from manifest files, for offline analysis (the CLI, tests, benchmarks).

Every document is validated first; nothing invalid is ever evaluated.  A
workload (Deployment, ReplicaSet, StatefulSet, DaemonSet) stands for its pods
with one endpoint named after the workload: its replicas share labels and ports,
so they share every verdict.

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
from ..api.manifests import Document, load_documents, load_path
from .objects import Namespace, NetworkPolicy, Pod, Service, Workload, from_dict
from ..api.validation import check

__all__ = ["World", "InvalidManifests"]


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

    @classmethod
    def from_documents(cls, docs: Iterable[Document]) -> "World":
        problems, objs = [], []
        for doc in docs:
            try:
                check(doc)
            except ManifestError as e:
                problems.append(e)
                continue
            objs.append(from_dict(doc.obj))
        if problems:
            raise InvalidManifests(problems)
        pods = [o for o in objs if isinstance(o, Pod)]
        pods += [Pod(w.name, w.namespace, w.template_labels, w.containers, None,
                     f"{w.kind}/{w.name}", w.host_network) for w in objs if isinstance(w, Workload)]
        return cls(tuple(o for o in objs if isinstance(o, Namespace)), tuple(pods),
                   tuple(o for o in objs if isinstance(o, Service)),
                   tuple(o for o in objs if isinstance(o, NetworkPolicy)), len(objs))

    @classmethod
    def from_paths(cls, paths: Iterable[Union[str, os.PathLike]]) -> "World":
        docs: list[Document] = []
        for p in paths:
            docs += load_path(p)
        return cls.from_documents(docs)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> "World":
        docs: list[Document] = []
        for i, t in enumerate(texts):
            docs += load_documents(t, source=f"<text {i}>")
        return cls.from_documents(docs)

    def engine(self) -> Engine:
        return Engine(self.namespaces, self.pods, self.policies, self.services)
