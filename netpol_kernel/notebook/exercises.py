"""Exercises: the learner writes a policy, the check grades what it allows.

An :class:`Exercise` holds a goal (:class:`~netpol_kernel.policy.goals.Goal`: the
intended connectivity), a skeleton to start from and a reference solution. Its
:meth:`Exercise.check` never applies the answer: it validates the YAML as the
API server would, then grades it with :func:`~netpol_kernel.policy.goals.grade`
over every pod of the exercise's namespaces on the current cluster, every port
of TCP, UDP and SCTP, both directions of every pair, and answers with the first
counter-example and the engine's explanation of it.

>>> from netpol_kernel.sim.cluster import EmbeddedCluster
>>> from netpol_kernel.api.manifests import load_documents
>>> be = EmbeddedCluster()
>>> _ = be.apply(load_documents(SAMPLE_APP))
>>> ex = Exercise(0, "only frontend, only 8080",
...               Goal(scope=(Flow("*", "backend"),), allow=(Flow("frontend", "backend", "8080"),)),
...               solution=SAMPLE_SOLUTION)
>>> print(ex.check("", backend=be))
Not yet: 2 of 6 pairs of pods differ from the goal. The first one:
  frontend -> backend on TCP/1 is allowed, but the goal blocks it.
<BLANKLINE>
Why, according to the engine:
  frontend -> backend on TCP/1: ALLOWED
    egress from frontend: not isolated (no NetworkPolicy selects it for Egress): allowed
    ingress to backend: not isolated (no NetworkPolicy selects it for Ingress): allowed
>>> ex.check(ex.solution, backend=be).correct
True
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Optional

from ..backends.base import Backend
from ..errors import ManifestError, NetpolError
from ..policy.goals import Flow, Goal, Grade, grade
from ..policy.lint import LintWarning, lint
from ..api.manifests import load_documents
from ..policy.objects import NetworkPolicy, from_dict
from ..api.validation import check as validate_doc

__all__ = ["Exercise", "Feedback", "Flow", "Goal", "policies_in"]

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
"""

SAMPLE_SOLUTION = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: backend}
spec:
  podSelector: {matchLabels: {app: backend}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: frontend}}}]
    ports: [{port: 8080}]
"""


@dataclass(frozen=True)
class Feedback:
    """What the check found: problems in the YAML, or how far the answer is from the goal."""

    errors: tuple[str, ...] = ()
    grade: Optional[Grade] = None
    warnings: tuple[str, ...] = ()
    home: str = "default"
    explanation: str = field(default="", compare=False)

    @property
    def correct(self) -> bool:
        return not self.errors and self.grade is not None and self.grade.correct

    passed = correct  # the name chapter 7 used before goals

    def text(self) -> str:
        g = self.grade
        if self.errors:
            lines = ["Not yet: the answer is not a valid NetworkPolicy."] + [f"  {e}" for e in self.errors]
        elif g is not None and g.counterexample is not None:
            lines = [f"Not yet: {g.wrong} of {g.total} pairs of pods differ from the goal. The first one:",
                     f"  {g.counterexample.sentence(self.home)}", "", "Why, according to the engine:"]
            lines += ["  " + line for line in self.explanation.splitlines()]
        else:
            total = g.total if g else 0
            lines = [f"Correct: all {total} pairs of pods match the goal, on every port of TCP, UDP and SCTP."]
        # Hints are sentences: wrap them to the width of a book page.
        lines += [textwrap.fill(w, 92, initial_indent="  hint: ", subsequent_indent="        ")
                  for w in self.warnings]
        return "\n".join(lines)

    __str__ = text

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(self.text())


def policies_in(answer: str, namespace: str) -> tuple[list[dict], list[str]]:
    """The NetworkPolicies of ``answer`` (placed in ``namespace`` unless they say otherwise),
    and the API server's errors for whatever is not a valid one."""
    try:  # str(): a str subclass such as show_file's FileText is text too (libyaml wants a str)
        docs = load_documents(str(answer), source="answer")
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


@dataclass(frozen=True)
class Exercise:
    """One numbered exercise: a goal, a skeleton to start from, a reference solution.

    ``namespaces`` are the namespaces besides the chapter's own whose pods the check
    considers (``{ns}`` stands for the chapter's namespace); ``given`` holds policies
    that are already in place (YAML), part of "before" and of every answer.
    """

    number: int
    title: str
    goal: Goal
    solution: str
    skeleton: str = ""
    namespaces: tuple[str, ...] = ()
    given: str = ""

    def world_namespaces(self, home: str) -> tuple[str, ...]:
        return (home,) + tuple(n.replace("{ns}", home) for n in self.namespaces)

    def check(self, answer: str, backend: Optional[Backend] = None) -> Feedback:
        """Grade ``answer`` (YAML text of one or more NetworkPolicies) without applying it."""
        from ..backends import current

        be = backend or current()
        home = be.default_namespace
        dicts, errors = policies_in(answer, home)
        given, given_errors = policies_in(self.given, home) if self.given else ([], [])
        if errors or given_errors:
            return Feedback(errors=tuple(errors + given_errors), home=home)
        eng = be.engine()
        names = set(self.world_namespaces(home))
        pods = [p for p in eng.pods if p.namespace in names]
        nss = [n for n in eng.namespaces if n.name in names]
        svcs = [s for s in eng.services if s.namespace in names]
        pols = [p for p in (from_dict(d) for d in dicts) if isinstance(p, NetworkPolicy)]
        gpols = [p for p in (from_dict(d) for d in given) if isinstance(p, NetworkPolicy)]
        if not pods:
            raise NetpolError(f"exercise {self.number}: no pods in {', '.join(sorted(names))}; "
                              "run the chapter's first cell")
        g = grade(self.goal, pods, nss, svcs, pols, home, gpols)
        why = g.counterexample.verdict.explain(home) if g.counterexample else ""
        if g.counterexample:  # name pods as the reader knows them, not by their generated names
            c = g.counterexample
            for key, short in ((c.verdict.src, c.src_name), (c.verdict.dst, c.dst_name)):
                why = why.replace(key.rpartition("/")[2] if key.startswith(home + "/") else key, short)
        hints = tuple(w.message for w in lint(pols, pods, nss) if isinstance(w, LintWarning))
        return Feedback(grade=g, warnings=hints, home=home, explanation=why)

    def text(self, home: Optional[str] = None) -> str:
        """The exercise's number, title and goal; ``{ns}`` reads as the current namespace."""
        if home is None:
            from ..backends import current
            home = current().default_namespace
        return f"Exercise {self.number}: {self.title}\n{self.goal.text(home)}"

    __str__ = text

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(self.text())
