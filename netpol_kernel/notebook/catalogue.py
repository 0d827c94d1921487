"""The book's numbered exercises, easiest first (chapter 7 onwards).

Each is an :class:`~netpol_kernel.notebook.exercises.Exercise` over the cluster its
chapter applies (``book/manifests/NN-*.yaml``): a goal, a skeleton the reader
starts from, and a reference solution. ``tests/notebook/test_exercises.py``
checks that every solution passes and that typical wrong answers do not.

>>> exercise(1).title
'Only the frontend, only on 8080'
>>> [e.number for e in EXERCISES] == list(range(1, len(EXERCISES) + 1))
True
"""
from __future__ import annotations

from ..errors import NetpolError
from ..policy.goals import Flow, Goal
from .exercises import Exercise

__all__ = ["EXERCISES", "exercise"]


def _dns(src: str) -> Flow:
    """``src`` may look names up: the cluster DNS (CoreDNS pods), on UDP and TCP port 53."""
    return Flow(src, "kube-system/coredns", "53/UDP,53/TCP")


_HEAD = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\nspec:\n"

_DNS_RULE = """\
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
"""

EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        1, "Only the frontend, only on 8080",
        Goal(scope=(Flow("*/*", "backend"),), allow=(Flow("frontend", "backend", "8080"),)),
        solution=_HEAD.format(name="backend-from-frontend") + """\
  podSelector:
    matchLabels:
      app: backend
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: frontend
    ports:
    - port: 8080
""",
        skeleton=_HEAD.format(name="backend-from-frontend") + """\
  podSelector:
    matchLabels:
      app: backend
  ingress:
  - from: []    # who may come in?
    ports: []   # on which ports?
""",
    ),
    Exercise(
        2, "A client that may only ask the DNS",
        Goal(scope=(Flow("not-frontend", "*/*"),), allow=(_dns("not-frontend"),)),
        namespaces=("kube-system",),
        solution=_HEAD.format(name="not-frontend-only-dns") + """\
  podSelector:
    matchLabels:
      app: not-frontend
  policyTypes:
  - Egress
  egress:
""" + _DNS_RULE,
        skeleton=_HEAD.format(name="not-frontend-only-dns") + """\
  podSelector:
    matchLabels:
      app: not-frontend
  policyTypes: []   # which direction?
""",
    ),
    Exercise(
        3, "Both ends of one connection",
        Goal(scope=(Flow("*/*", "backend"), Flow("frontend", "*/*")),
             allow=(Flow("frontend", "backend", "8080"), _dns("frontend"))),
        namespaces=("kube-system",),
        solution=_HEAD.format(name="backend-from-frontend") + """\
  podSelector:
    matchLabels:
      app: backend
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: frontend
    ports:
    - port: 8080
---
""" + _HEAD.format(name="frontend-to-backend") + """\
  podSelector:
    matchLabels:
      app: frontend
  policyTypes:
  - Egress
  egress:
  - to:
    - podSelector:
        matchLabels:
          app: backend
    ports:
    - port: 8080
""" + _DNS_RULE,
        skeleton=_HEAD.format(name="backend-from-frontend") + """\
  podSelector:
    matchLabels:
      app: backend
  ingress: []
---
""" + _HEAD.format(name="frontend-to-backend") + """\
  podSelector:
    matchLabels:
      app: frontend
  policyTypes:
  - Egress
  egress: []
""",
    ),
    Exercise(
        4, "The frontend and the monitoring namespace",
        Goal(scope=(Flow("*/*", "backend"),),
             allow=(Flow("frontend", "backend", "8080"), Flow("{ns}-monitoring/*", "backend", "8080"))),
        namespaces=("{ns}-monitoring", "{ns}-other"),
        solution=_HEAD.format(name="backend-ingress") + """\
  podSelector:
    matchLabels:
      app: backend
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: frontend
    - namespaceSelector:
        matchLabels:
          purpose: monitoring
    ports:
    - port: 8080
""",
        skeleton=_HEAD.format(name="backend-ingress") + """\
  podSelector:
    matchLabels:
      app: backend
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: frontend
    ports:
    - port: 8080
""",
    ),
    Exercise(
        5, "Prometheus, and only the real one",
        Goal(scope=(Flow("*/*", "backend"),),
             allow=(Flow("{ns}-monitoring/prometheus", "backend", "8080"),)),
        namespaces=("{ns}-monitoring", "{ns}-other"),
        solution=_HEAD.format(name="backend-from-prometheus") + """\
  podSelector:
    matchLabels:
      app: backend
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          purpose: monitoring
      podSelector:
        matchLabels:
          app: prometheus
    ports:
    - port: 8080
""",
        skeleton=_HEAD.format(name="backend-from-prometheus") + """\
  podSelector:
    matchLabels:
      app: backend
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          purpose: monitoring
    - podSelector:
        matchLabels:
          app: prometheus
""",
    ),
    Exercise(
        6, "One name, two port numbers",
        Goal(scope=(Flow("*/*", "web-*"),), allow=(Flow("client", "web-*", "http"),)),
        solution=_HEAD.format(name="web-from-client") + """\
  podSelector:
    matchLabels:
      tier: web
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: client
    ports:
    - port: http
""",
        skeleton=_HEAD.format(name="web-from-client") + """\
  podSelector:
    matchLabels:
      tier: web
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: client
    ports:
    - port: 80    # the Service's port... is that what the pods see?
""",
    ),
    Exercise(
        7, "A game server: a UDP range and a TCP status page",
        Goal(scope=(Flow("*/*", "game"),), allow=(Flow("client", "game", "7000-7010/UDP,8080/TCP"),)),
        solution=_HEAD.format(name="game-from-client") + """\
  podSelector:
    matchLabels:
      app: game
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: client
    ports:
    - protocol: UDP
      port: 7000
      endPort: 7010
    - protocol: TCP
      port: 8080
""",
        skeleton=_HEAD.format(name="game-from-client") + """\
  podSelector:
    matchLabels:
      app: game
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: client
    ports:
    - port: 7000
""",
    ),
    Exercise(
        8, "Default-deny egress, but names still resolve",
        Goal(scope=(Flow("*", "*/*"),), allow=(_dns("*"),)),
        namespaces=("kube-system",),
        solution=_HEAD.format(name="default-deny-egress") + """\
  podSelector: {}
  policyTypes:
  - Egress
  egress:
""" + _DNS_RULE,
        skeleton=_HEAD.format(name="default-deny-egress") + """\
  podSelector: {}
  policyTypes:
  - Egress
""",
    ),
    Exercise(
        9, "One way out: the app may call the backend",
        Goal(scope=(Flow("app", "*/*"),), allow=(Flow("app", "backend", "8080"), _dns("app"))),
        namespaces=("kube-system",),
        given=_HEAD.format(name="default-deny-egress") + """\
  podSelector: {}
  policyTypes:
  - Egress
  egress:
""" + _DNS_RULE,
        solution=_HEAD.format(name="app-to-backend") + """\
  podSelector:
    matchLabels:
      app: app
  policyTypes:
  - Egress
  egress:
  - to:
    - podSelector:
        matchLabels:
          app: backend
    ports:
    - port: 8080
""",
        skeleton=_HEAD.format(name="app-to-backend") + """\
  podSelector:
    matchLabels:
      app: app
  policyTypes:
  - Egress
  egress: []
""",
    ),
    Exercise(
        10, "A namespace's baseline",
        Goal(scope=(Flow("*/*", "*"),),
             allow=(Flow("*", "*"), Flow("{ns}-ingress/*", "web", "8080"))),
        namespaces=("{ns}-ingress", "{ns}-monitoring", "{ns}-other"),
        solution=_HEAD.format(name="allow-same-namespace") + """\
  podSelector: {}
  ingress:
  - from:
    - podSelector: {}
---
""" + _HEAD.format(name="web-from-ingress") + """\
  podSelector:
    matchLabels:
      app: web
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          purpose: ingress
    ports:
    - port: 8080
""",
        skeleton=_HEAD.format(name="allow-same-namespace") + """\
  podSelector: {}
  ingress: []
""",
    ),
)


def exercise(number: int) -> Exercise:
    """Exercise ``number`` of the book (1-based)."""
    if not 1 <= number <= len(EXERCISES):
        raise NetpolError(f"the book has exercises 1 to {len(EXERCISES)}, not {number}")
    return EXERCISES[number - 1]
