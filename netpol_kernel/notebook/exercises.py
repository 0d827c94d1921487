"""Self-check exercises: the learner writes a policy, the check grades it by the matrix it yields.

The answer is never applied: its effect is predicted by the engine over the
chapter's cluster (what :func:`netpol_kernel.notebook.probes.what_if` does), and every
wrong cell is explained by the same engine, so the feedback says *why*.

>>> from netpol_kernel.sim.cluster import EmbeddedCluster
>>> from netpol_kernel.api.manifests import load_documents
>>> be = EmbeddedCluster()
>>> _ = be.apply(load_documents(SAMPLE_APP))
>>> ex = Exercise("allow frontend", ["frontend", "other"], ["backend:8080"],
...               {("frontend", "backend:8080"): True, ("other", "backend:8080"): False})
>>> print(ex.check("", backend=be))
Not yet: 1 of 2 connections differ from the goal.
  other -> backend:8080 should be blocked, but it is allowed.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

from ..backends.base import Backend
from ..errors import ManifestError, NetpolError
from ..policy.lint import LintWarning, lint
from ..api.manifests import load_documents
from ..policy.objects import NetworkPolicy, from_dict
from ..api.validation import check as validate_doc

__all__ = ["Exercise", "Feedback"]

SAMPLE_APP = """
apiVersion: v1
kind: Pod
metadata: {name: frontend, labels: {app: frontend}}
spec: {containers: [{name: c, image: docker.io/byrnedo/alpine-curl:0.1.8}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, labels: {app: other}}
spec: {containers: [{name: c, image: docker.io/byrnedo/alpine-curl:0.1.8}]}
---
apiVersion: v1
kind: Pod
metadata: {name: backend, labels: {app: backend}}
spec: {containers: [{name: c, image: docker.io/cilium/json-mock:1.2, env: [{name: PORT, value: "8080"}],
       ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec: {selector: {app: backend}, ports: [{port: 8080}]}
"""


@dataclass(frozen=True)
class Feedback:
    """What the check found: problems in the YAML, or the cells that differ from the goal."""

    errors: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    total: int = 0
    explanations: tuple[str, ...] = field(default=(), compare=False)

    @property
    def passed(self) -> bool:
        return not self.errors and not self.wrong

    def text(self, why: bool = False) -> str:
        if self.errors:
            lines = ["Not yet: the answer is not a valid NetworkPolicy."] + [f"  {e}" for e in self.errors]
        elif self.wrong:
            lines = [f"Not yet: {len(self.wrong)} of {self.total} connections differ from the goal."]
            lines += [f"  {w}" for w in self.wrong]
            if why:
                lines += ["", "Why, according to the engine:"] + list(self.explanations)
        elif self.warnings:
            lines = [f"All {self.total} connections match the goal, but read the hint:"]
        else:
            lines = [f"Correct: all {self.total} connections match the goal."]
        # Hints are sentences: wrap them to the width of a book page.
        lines += [textwrap.fill(w, 92, initial_indent="  hint: ", subsequent_indent="        ")
                  for w in self.warnings]
        return "\n".join(lines)

    __str__ = text

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(self.text())


@dataclass(frozen=True)
class Exercise:
    """A goal stated as a matrix: ``expected[(source, "service:port")]`` is allowed or not."""

    title: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    expected: Mapping[tuple[str, str], bool]

    def __init__(self, title: str, sources: Sequence[str], targets: Sequence[str],
                 expected: Mapping[tuple[str, str], bool]):
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "sources", tuple(sources))
        object.__setattr__(self, "targets", tuple(targets))
        object.__setattr__(self, "expected", dict(expected))

    def _policies(self, answer: str, namespace: str) -> tuple[list[dict], list[str]]:
        try:
            docs = load_documents(answer, source="answer")
        except ManifestError as e:
            return [], [str(e)]
        errors, dicts = [], []
        for doc in docs:
            if doc.obj.get("kind") != "NetworkPolicy":
                errors.append(f"the answer should hold NetworkPolicies, not a {doc.obj.get('kind')}")
                continue
            try:  # checked first, so that nothing below meets a value of the wrong type
                validate_doc(doc)
            except ManifestError as e:
                errors += [str(fe) for fe in e.errors]
                continue
            obj = dict(doc.obj)
            obj["metadata"] = {**(obj.get("metadata") or {})}
            obj["metadata"].setdefault("namespace", namespace)
            dicts.append(obj)
        return dicts, errors

    def check(self, answer: str, backend: Optional[Backend] = None, why: bool = False) -> Feedback:
        """Grade ``answer`` (YAML text of one or more NetworkPolicies) without applying it."""
        from ..backends import current
        from .probes import what_if

        be = backend or current()
        ns = be.default_namespace
        dicts, errors = self._policies(answer, ns)
        if errors:
            return Feedback(errors=tuple(errors), total=len(self.expected))
        try:
            diff = what_if(be, self.sources, self.targets, add=dicts, namespace=ns)
        except NetpolError as e:
            return Feedback(errors=(str(e),), total=len(self.expected))
        after = diff.after
        wrong, whys = [], []
        for (src, tgt), want in self.expected.items():
            cell = after.cell(src, tgt)
            if cell.allowed != want:
                wrong.append(f"{src} -> {tgt} should be {'allowed' if want else 'blocked'}, "
                             f"but it is {'allowed' if cell.allowed else 'blocked'}.")
                whys.append(cell.why or "")
        eng = be.engine()
        pols = [p for p in (from_dict(d) for d in dicts) if isinstance(p, NetworkPolicy)]
        hints = tuple(w.message for w in lint(pols, eng.pods, eng.namespaces)
                      if isinstance(w, LintWarning))
        return Feedback(wrong=tuple(wrong), warnings=hints, total=len(self.expected),
                        explanations=tuple(whys))
