"""netpol_kernel.policy.lint: each check's exact warning, and silence on the lab's correct policies."""
from __future__ import annotations

from pathlib import Path

import pytest

from netpol_kernel.policy.lint import CODES, LintWarning, lint, peer_words, policy_words, ports_words
from netpol_kernel.api.manifests import load_documents
from netpol_kernel.policy.objects import Labels, NetworkPolicy, Pod, Rule, from_dict
from netpol_kernel.policy.world import World

MANIFESTS = Path(__file__).resolve().parents[2] / "book" / "manifests"


def policy(yaml_text: str) -> NetworkPolicy:
    pol = from_dict(load_documents(yaml_text, "<test>")[0].obj)
    assert isinstance(pol, NetworkPolicy)
    return pol


def raw(yaml_text: str) -> dict:
    return load_documents(yaml_text, "<test>")[0].obj


def world(*names: str) -> World:
    return World.from_paths([MANIFESTS / n for n in names])


@pytest.fixture(scope="module")
def simple_pods() -> tuple[Pod, ...]:
    return world("simple-app.yaml").pods


HEAD = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"


# ---------------------------------------------------------------- words

@pytest.mark.parametrize("peer_yaml, words", [
    ("{podSelector: {matchLabels: {app: frontend}}}", "pods app=frontend in this namespace"),
    ("{namespaceSelector: {matchLabels: {team: web}}}", "all pods in namespaces team=web"),
    ("{namespaceSelector: {matchLabels: {team: web}}, podSelector: {matchLabels: {app: x}}}",
     "pods app=x in namespaces team=web"),
    ("{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.1.0/24]}}", "10.0.0.0/16 except 10.0.1.0/24"),
    ("{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}",
     "all pods in namespace kube-system"),
    ("{podSelector: {}}", "all pods in this namespace"),
    ("{namespaceSelector: {}}", "all pods in all namespaces"),
])
def test_peer_words(peer_yaml: str, words: str) -> None:
    pol = policy(HEAD + f"metadata: {{name: p}}\nspec:\n  podSelector: {{}}\n  ingress:\n"
                        f"  - from: [{peer_yaml}]\n")
    assert peer_words(pol.ingress[0].peers[0]) == words


def test_ports_words() -> None:
    pol = policy(HEAD + """metadata: {name: p}
spec:
  podSelector: {}
  ingress:
  - ports: [{port: 8080}, {protocol: UDP, port: 53}, {port: 32000, endPort: 32768}, {port: http},
            {protocol: SCTP}]
""")
    assert ports_words(pol.ingress[0].ports) == \
        'TCP 8080, UDP 53, TCP 32000-32768, TCP "http", any SCTP port'
    assert ports_words(Rule().ports) == "any port"


def test_policy_words_empty_rule_is_anything() -> None:
    pol = policy(HEAD + "metadata: {name: all}\nspec: {podSelector: {}, ingress: [{}]}\n")
    assert "ingress[0]: from anything, on any port" in policy_words(pol)


# ---------------------------------------------------------------- each check

def test_or_instead_of_and() -> None:
    pol = policy(HEAD + """metadata: {name: web}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: web}}
    - podSelector: {matchLabels: {app: x}}
""")
    assert lint([pol]) == [LintWarning(
        "or-instead-of-and", "spec.ingress[0].from[1]",
        "from[0] (all pods in namespaces team=web) and from[1] (pods app=x in this namespace) are "
        "two peers, so either one is allowed (OR). If you meant pods app=x in namespaces team=web "
        '(AND), delete the "-" before podSelector so both selectors are in one peer.', "web")]


def test_or_instead_of_and_reverse_order_and_egress() -> None:
    pol = policy(HEAD + """metadata: {name: out}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {cidr: 10.0.0.0/8}
    - podSelector: {matchLabels: {app: db}}
    - namespaceSelector: {matchLabels: {team: data}}
    ports: [{port: 5432}]
""")
    found = [w for w in lint([pol]) if w.code == "or-instead-of-and"]
    assert [(w.path, w.message.endswith('delete the "-" before namespaceSelector so both selectors '
                                        'are in one peer.')) for w in found] == \
        [("spec.egress[0].to[2]", True)]


def test_and_peer_is_fine() -> None:
    pol = policy(HEAD + """metadata: {name: web}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: web}}
      podSelector: {matchLabels: {app: x}}
""")
    assert [w for w in lint([pol]) if w.code == "or-instead-of-and"] == []


def test_dns_blocked_by_default_deny(simple_pods: tuple[Pod, ...]) -> None:
    deny, _ = world("deny-netpol.yaml").policies
    assert lint([deny], simple_pods) == [LintWarning(
        "dns-blocked", "spec.policyTypes[1]",
        "this policy isolates egress of pods backend, frontend and not-frontend, and no "
        "NetworkPolicy selecting them allows UDP port 53 to kube-dns (pods k8s-app=kube-dns in "
        'namespace kube-system), so name lookups such as "backend" fail. Add an egress rule to '
        "that peer on UDP 53 and TCP 53, like the lab's allow-dns policy.", "default-deny")]


def test_dns_without_pods_uses_the_selector() -> None:
    pol = policy(HEAD + """metadata: {name: fe-out}
spec:
  podSelector: {matchLabels: {app: frontend}}
  egress:
  - to: [{podSelector: {matchLabels: {app: backend}}}]
    ports: [{port: 8080}]
""")
    (w,) = lint([pol])
    assert (w.code, w.path) == ("dns-blocked", "spec.egress")
    assert w.message.startswith("this policy isolates egress of the pods it selects, and no "
                                "NetworkPolicy selecting them allows UDP port 53")


def test_dns_allowed_by_allow_dns_or_open_internet(simple_pods: tuple[Pod, ...]) -> None:
    assert lint(world("deny-netpol.yaml").policies, simple_pods) == []
    internet = policy(HEAD + """metadata: {name: out}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]
""")
    assert lint([internet], simple_pods) == []


def test_hardcoded_namespace() -> None:
    text = (MANIFESTS / "frontend-to-backend.yaml").read_text()
    lab = text.replace("name: frontend-to-backend", "name: frontend-to-backend\n  namespace: your-namespace")
    pol = policy(lab)
    assert lint([pol], raw=raw(lab)) == [LintWarning(
        "hardcoded-namespace", "metadata.namespace",
        'metadata.namespace is hard-coded to "your-namespace": applying the file with -n OTHER '
        'fails with a namespace mismatch, and without -n it lands in "your-namespace" (or fails '
        "if that namespace does not exist). Delete the line and choose the namespace with -n or "
        "your current context.", "frontend-to-backend")]


def test_hardcoded_namespace_in_other_kinds() -> None:
    dep = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "namespace": "shop"}}
    assert [(w.code, w.policy) for w in lint([], raw=[dep])] == [("hardcoded-namespace", "web")]


def test_selects_no_pods(simple_pods: tuple[Pod, ...]) -> None:
    pol = policy(HEAD + """metadata: {name: typo}
spec:
  podSelector: {matchLabels: {app: backnd}}
  policyTypes: [Ingress]
""")
    assert lint([pol], simple_pods) == [LintWarning(
        "selects-no-pods", "spec.podSelector",
        "spec.podSelector (app=backnd) selects no pod in namespace default, so this policy has no "
        "effect yet; pods there have app=backend, app=frontend, app=not-frontend. Compare it with "
        "the pods' labels (kubectl get pods --show-labels) and check the namespace.", "typo")]


def test_allow_all_rule() -> None:
    pol = policy(HEAD + "metadata: {name: oops}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n"
                        "  egress: [{}]\n")
    assert lint([pol]) == [LintWarning(
        "allow-all-rule", "spec.egress[0]",
        "spec.egress[0] is an empty rule ({}): it allows all egress to anywhere on every port, the "
        "opposite of a default deny. To deny all egress, keep Egress in policyTypes and remove the "
        "rule (egress: [] or no egress key).", "oops")]


def test_rules_ignored() -> None:
    pol = policy(HEAD + """metadata: {name: half}
spec:
  podSelector: {matchLabels: {app: backend}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}]}]
  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]
""")
    assert lint([pol]) == [LintWarning(
        "rules-ignored", "spec.egress",
        "spec.egress has 1 rule, but policyTypes does not list Egress, so egress stays "
        "unrestricted and the rules are ignored. Add Egress to policyTypes (or delete the rules).",
        "half")]


def test_unknown_named_port(simple_pods: tuple[Pod, ...]) -> None:
    # The lab's Service port is named "http"; the backend's container port has no name.
    pol = policy(HEAD + """metadata: {name: named}
spec:
  podSelector: {matchLabels: {app: backend}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: frontend}}}]
    ports: [{port: 8080}, {port: http}]
""")
    assert lint([pol], simple_pods) == [LintWarning(
        "unknown-named-port", "spec.ingress[0].ports[1].port",
        'port "http" is a container port name, but no pod selected by this policy has a TCP '
        'container port named "http", so this entry matches no traffic. Name the container port '
        "(ports[].name in the pod template; Service port names do not count) or use the port "
        "number.", "named")]


def test_named_port_that_exists_is_fine() -> None:
    w = world("example-app.yaml")
    pol = policy(HEAD + """metadata: {name: db}
spec:
  podSelector: {matchLabels: {app: mariadb}}
  ingress: [{ports: [{port: mariadb}]}]
""")
    assert lint([pol], w.pods) == []


# ---------------------------------------------------------------- no false positives

def test_lab_policies_are_clean() -> None:
    simple = world("simple-app.yaml", "backend-ingress-deny.yaml",
                   "backend-allow-ingress-frontend.yaml")
    assert lint(simple.policies, simple.pods) == []
    example = world("example-app.yaml", "deny-netpol.yaml", "frontend-to-backend.yaml",
                    "frontend-egress-to-mariadb.yaml", "frontend-ingress-from-client.yaml")
    raws = [d.obj for f in ("deny-netpol.yaml", "frontend-to-backend.yaml")
            for d in load_documents((MANIFESTS / f).read_text(), f)]
    assert lint(example.policies, example.pods, example.namespaces, raw=raws) == []


def test_host_network_pods_selected_or_named_as_peers() -> None:
    pods = [Pod("agent", "default", Labels({"app": "agent"}), host_network=True),
            Pod("web", "default", Labels({"app": "web"}))]
    pol = policy(HEAD + """metadata: {name: agents}
spec:
  podSelector: {}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: agent}}
    - ipBlock: {cidr: 0.0.0.0/0}
""")
    why = ("use hostNetwork: true. NetworkPolicy leaves such pods to the network plugin, and most plugins "
           "neither select them nor recognise their traffic, which comes from the node's address")
    assert lint([pol], pods) == [
        LintWarning("host-network-pod", "spec.podSelector",
                    f"spec.podSelector selects pod agent, which {why}: this policy may not protect them. "
                    "Check with a probe on your cluster.", "agents"),
        LintWarning("host-network-pod", "spec.ingress[0].from[0]",
                    f"spec.ingress[0].from[0] matches pod agent, which {why}: this peer may not match their "
                    "traffic. An ipBlock with the node's address is what most plugins match instead.", "agents")]
    assert lint([pol], pods[1:]) == []  # no hostNetwork pod: nothing to say


def test_every_code_is_documented_and_messages_are_short() -> None:
    pol = policy(HEAD + """metadata: {name: everything, namespace: x}
spec:
  podSelector: {matchLabels: {app: none}}
  policyTypes: [Egress]
  ingress: [{}]
  egress:
  - {}
  - to:
    - namespaceSelector: {matchLabels: {team: web}}
    - podSelector: {matchLabels: {app: x}}
    ports: [{port: web}]
""")
    pods = [Pod("p", "x", from_dict({"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": "p", "namespace": "x", "labels": {"app": "other"}}}).labels)]
    found = lint([pol], pods, raw={"kind": "NetworkPolicy", "metadata": {"name": "everything",
                                                                          "namespace": "x"}})
    assert {w.code for w in found} <= set(CODES)
    assert {w.code for w in found} >= {"hardcoded-namespace", "selects-no-pods", "allow-all-rule",
                                       "rules-ignored", "or-instead-of-and", "unknown-named-port"}
    for w in found:
        assert 1 <= w.message.count(". ") + 1 <= 3, w.message  # one or two sentences (+ a hint)
        assert "\n" not in w.message
