"""The book's exercises grade right: every solution and another correct answer pass,
typical wrong answers fail (nothing, allow-all, no port rule, the wrong direction, a
selector that is too wide), with the first counter-example and the engine's reason."""
from __future__ import annotations

import os

import pytest
import yaml

import netpol_kernel as nk
from netpol_kernel.notebook.catalogue import EXERCISES, exercise
from netpol_kernel.sim.cluster import EmbeddedCluster

BOOK = os.path.join(os.path.dirname(__file__), "..", "..", "book")
M = lambda name: os.path.abspath(os.path.join(BOOK, "manifests", name))  # noqa: E731

# exercise number -> (the chapter's namespace, the manifest its first cell applies)
CHAPTER = {1: ("netpol-ch07", "simple-app.yaml"), 2: ("netpol-ch07", "simple-app.yaml"),
           3: ("netpol-ch07", "simple-app.yaml"), 4: ("netpol-ch08", "08-namespaces.yaml"),
           5: ("netpol-ch08", "08-namespaces.yaml"), 6: ("netpol-ch09", "09-ports.yaml"),
           7: ("netpol-ch09", "09-ports.yaml"), 8: ("netpol-ch10", "10-egress.yaml"),
           9: ("netpol-ch10", "10-egress.yaml"), 10: ("netpol-ch11", "11-shop.yaml")}

_CLUSTERS: dict[str, EmbeddedCluster] = {}


def cluster(number: int) -> EmbeddedCluster:
    ns, manifest = CHAPTER[number]
    if ns not in _CLUSTERS:
        be = EmbeddedCluster()
        nk.start_chapter(ns, apply=[M(manifest)], backend=be, load_magic=False)
        _CLUSTERS[ns] = be
    return _CLUSTERS[ns]


def check(number: int, answer: str):
    return exercise(number).check(answer, backend=cluster(number))


# Different correct answers, one per exercise: other selectors, other port forms, other splits.
HEAD = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
ALTERNATIVES = {
    1: HEAD + """metadata: {name: alt}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [backend]}]}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchExpressions: [{key: app, operator: In, values: [frontend]}]}}]
    ports: [{protocol: TCP, port: 8080, endPort: 8080}]
""",
    2: HEAD + """metadata: {name: alt}
spec:
  podSelector: {matchLabels: {app: not-frontend}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}},
          podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{protocol: UDP, port: 53}]
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}},
          podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{protocol: TCP, port: 53}]
""",
    3: HEAD + """metadata: {name: a}
spec:
  podSelector: {matchLabels: {app: backend}}
  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{port: 8080}]}]
---
""" + HEAD + """metadata: {name: b}
spec:
  podSelector: {matchLabels: {app: frontend}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {app: backend}}}], ports: [{port: 8080}]}]
---
""" + HEAD + """metadata: {name: c}
spec:
  podSelector: {matchLabels: {app: frontend}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
""",
    4: HEAD + """metadata: {name: alt}
spec:
  podSelector: {matchLabels: {app: backend}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: frontend}}}]
    ports: [{port: 8080}]
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: netpol-ch08-monitoring}}}]
    ports: [{port: 8080}]
""",
    5: HEAD + """metadata: {name: alt}
spec:
  podSelector: {matchLabels: {app: backend}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: netpol-ch08-monitoring}}
      podSelector: {matchExpressions: [{key: app, operator: In, values: [prometheus]}]}
    ports: [{port: 8080}]
""",
    6: HEAD + """metadata: {name: a}
spec:
  podSelector: {matchLabels: {app: web-a}}
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 8080}]}]
---
""" + HEAD + """metadata: {name: b}
spec:
  podSelector: {matchLabels: {app: web-b}}
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 9090}]}]
""",
    7: HEAD + """metadata: {name: alt}
spec:
  podSelector: {matchLabels: {app: game}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{protocol: UDP, port: 7000, endPort: 7005}, {protocol: UDP, port: 7006, endPort: 7010},
            {port: status}]
""",
    8: HEAD + """metadata: {name: deny}
spec: {podSelector: {}, policyTypes: [Egress]}
---
""" + HEAD + """metadata: {name: dns}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}},
          podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
""",
    9: HEAD + """metadata: {name: alt}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [app]}]}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {app: backend}}}], ports: [{port: 8080, endPort: 8080}]}]
""",
    10: HEAD + """metadata: {name: a}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: netpol-ch11}}}]}]
---
""" + HEAD + """metadata: {name: b}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: netpol-ch11-ingress}}}]
    ports: [{port: 8080}]
""",
}


# ---------------------------------------------------------------- mutations of the solution

def _docs(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if d]


def _dump(docs: list[dict]) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False)


def _rules(doc: dict):
    for key in ("ingress", "egress"):
        for rule in doc["spec"].get(key) or []:
            yield rule


def without_ports(text: str) -> str:
    docs = _docs(text)
    for d in docs:
        for rule in _rules(d):
            rule.pop("ports", None)
    return _dump(docs)


def allow_all(text: str) -> str:
    """Every rule of the solution replaced by the rule that allows everything: ``{}``."""
    docs = _docs(text)
    for d in docs:
        for key in ("ingress", "egress"):
            if key in d["spec"]:
                d["spec"][key] = [{}]
    return _dump(docs)


def wrong_direction(text: str) -> str:
    """Ingress written where egress was meant, and the other way round."""
    docs = _docs(text)
    for d in docs:
        spec = d["spec"]
        types = spec.get("policyTypes") or ["Ingress"]
        spec["policyTypes"] = ["Egress" if t == "Ingress" else "Ingress" for t in types]
        ing, eg = spec.pop("ingress", None), spec.pop("egress", None)
        if ing is not None:
            spec["egress"] = [{("to" if k == "from" else k): v for k, v in r.items()} for r in ing]
        if eg is not None:
            spec["ingress"] = [{("from" if k == "to" else k): v for k, v in r.items()} for r in eg]
    return _dump(docs)


def too_wide(text: str) -> str:
    """Every selector (the policy's, its peers' pod and namespace selectors) widened to ``{}``."""
    docs = _docs(text)
    for d in docs:
        d["spec"]["podSelector"] = {}
        for rule in _rules(d):
            for peer in rule.get("from", []) + rule.get("to", []):
                for key in ("podSelector", "namespaceSelector"):
                    if key in peer:
                        peer[key] = {}
    return _dump(docs)


WRONG = {"nothing at all": lambda s: "", "allow-all": allow_all, "no port rule": without_ports,
         "the wrong direction": wrong_direction, "too wide a selector": too_wide}
NUMBERS = [e.number for e in EXERCISES]


def test_there_are_ten_numbered_exercises_each_an_nk_exercise():
    assert NUMBERS == list(range(1, 11))
    assert all(isinstance(e, nk.Exercise) and isinstance(e.solution, str) for e in EXERCISES)
    assert nk.exercise(3) is EXERCISES[2]
    with pytest.raises(nk.NetpolError, match="exercises 1 to 10, not 11"):
        exercise(11)


@pytest.mark.parametrize("number", NUMBERS)
def test_the_solution_is_correct(number):
    fb = check(number, exercise(number).solution)
    assert fb.correct, fb.text()
    assert fb.text().startswith("Correct: all ")


@pytest.mark.parametrize("number", NUMBERS)
def test_a_different_correct_answer_is_accepted(number):
    assert ALTERNATIVES[number] != exercise(number).solution
    fb = check(number, ALTERNATIVES[number])
    assert fb.correct, fb.text()


@pytest.mark.parametrize("number", NUMBERS)
def test_the_skeleton_is_not_yet_correct(number):
    ex = exercise(number)
    assert ex.skeleton and not check(number, ex.skeleton).correct


@pytest.mark.parametrize("mistake", sorted(WRONG))
@pytest.mark.parametrize("number", NUMBERS)
def test_typical_wrong_answers_are_rejected(number, mistake):
    ex = exercise(number)
    answer = WRONG[mistake](ex.solution)
    if mistake == "no port rule" and answer == _dump(_docs(ex.solution)):
        pytest.skip("the solution has no port rule to drop")
    fb = check(number, answer)
    assert not fb.correct, f"exercise {number} accepted {mistake}:\n{answer}"
    assert fb.text().startswith("Not yet: ")
    assert "Why, according to the engine:" in fb.text() or "not a valid" in fb.text()


def test_issue_14_cases_ingress_without_port_rule_and_egress_goal():
    """The two wrong answers the old grader accepted (issue 14): chapter 5's policy has no port
    rule; exercise 1's ingress policy does nothing for exercise 2's egress goal."""
    chapter5 = open(M("backend-allow-ingress-frontend.yaml")).read()
    fb = check(1, chapter5)
    assert not fb.correct
    # the first differing port is the lowest one the goal blocks: TCP/1 (goals.grade)
    assert fb.text().splitlines()[1] == "  frontend -> backend on TCP/1 is allowed, but the goal blocks it."
    assert "ingress to backend: isolated by backend-allow-ingress-frontend: allowed" in fb.text()
    fb2 = check(2, exercise(1).solution)
    assert not fb2.correct
    assert "not-frontend -> " in fb2.text().splitlines()[1] and "is allowed, but the goal blocks it" in fb2.text()


def test_the_or_trap_names_the_lookalike_or_the_other_monitoring_pod():
    fb = check(5, exercise(5).skeleton)  # two `from` entries: OR
    line = fb.text().splitlines()[1]
    assert line.startswith("  netpol-ch08-monitoring/grafana -> backend on TCP/8080 is allowed"), line


def test_named_ports_resolve_per_destination():
    numbers = exercise(6).solution.replace("port: http", "port: 8080")
    fb = check(6, numbers)
    assert fb.text().splitlines()[1] == "  client -> web-b on TCP/9090 is blocked, but the goal allows it."
    fb80 = check(6, exercise(6).skeleton)  # the Service's port 80 is not a pod port
    assert "client -> web-a on TCP/8080 is blocked, but the goal allows it." in fb80.text()


def test_udp_is_its_own_protocol():
    fb = check(7, exercise(7).solution.replace("protocol: UDP", "protocol: TCP"))
    assert fb.text().splitlines()[1] == "  client -> game on UDP/7000 is blocked, but the goal allows it."


def test_invalid_yaml_and_other_kinds_get_the_api_servers_words():
    fb = check(1, "kind: [")
    assert not fb.correct and fb.errors and "line" in fb.errors[0]
    fb = check(1, open(M("simple-app.yaml")).read())
    assert fb.errors[0] == "the answer should hold NetworkPolicies, not a Deployment"
    bad = exercise(1).solution.replace("ingress:", "ingres:")
    # strict decoding: kubectl's "unknown field" wording (api.validation.schema)
    assert check(1, bad).errors == ('unknown field "spec.ingres"',)
