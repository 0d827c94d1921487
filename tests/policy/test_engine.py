"""The engine against the NetworkPolicy specification, case by case.

Objects are written as manifests (the way users write them) and turned into
typed objects with objects.from_dict; reference.py is an independent oracle.
"""
from __future__ import annotations

import textwrap

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference
from netpol_kernel.policy.engine import Engine
from netpol_kernel.policy.objects import (Container, ContainerPort, IPBlock, LabelSelector, Labels,
                                   Namespace, NetworkPolicy, Peer, Pod, PolicyPort, Requirement,
                                   Rule, from_dict)
from netpol_kernel.policy.portset import PortSet


def objs(text: str):
    return [from_dict(d) for d in yaml.safe_load_all(textwrap.dedent(text)) if d]


def pod(name, ns="default", ip=None, ports=(), **labels):
    cps = tuple(ContainerPort(n, nm, pr) for nm, n, pr in ports)
    return Pod(name, ns, Labels(labels), (Container("c", "img", cps),), ip)


def policy(yml: str):
    (p,) = objs(yml)
    return p


def engine(pods, policies, namespaces=()):
    return Engine(namespaces, pods, policies)


FE, NFE, BE = pod("fe", app="frontend"), pod("nfe", app="not-frontend"), pod("be", app="backend",
                                                                               ports=[("http", 8080, "TCP")])
DENY = policy("""
    kind: NetworkPolicy
    apiVersion: networking.k8s.io/v1
    metadata: {name: backend-ingress-deny}
    spec:
      podSelector: {matchLabels: {app: backend}}
      policyTypes: [Ingress]
""")
ALLOW_FE = policy("""
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: backend-allow-ingress-frontend}
    spec:
      podSelector: {matchLabels: {app: backend}}
      policyTypes: [Ingress]
      ingress:
      - from:
        - podSelector: {matchLabels: {app: frontend}}
""")


def test_no_policy_everything_allowed():
    e = engine([FE, NFE, BE], [])
    v = e.evaluate("default/fe", "default/be", 8080)
    assert v.allowed and not v.ingress.isolated and not v.egress.isolated


def test_lab_deny_then_allow_is_additive():
    e = engine([FE, NFE, BE], [DENY])
    assert not e.evaluate("default/fe", "default/be", 8080).allowed
    assert not e.evaluate("default/nfe", "default/be", 8080).allowed
    e = engine([FE, NFE, BE], [DENY, ALLOW_FE])
    v = e.evaluate("default/fe", "default/be", 8080)
    assert v.allowed
    assert v.ingress.policies == ("backend-ingress-deny", "backend-allow-ingress-frontend")
    assert [c.policy for c in v.ingress.allowing] == ["backend-allow-ingress-frontend"]
    assert not e.evaluate("default/nfe", "default/be", 8080).allowed
    # the policy does not isolate the clients: frontends still talk to each other
    assert e.evaluate("default/be", "default/fe", 1234).allowed


def test_explanation_names_rule_peer_and_isolation():
    e = engine([FE, NFE, BE], [DENY, ALLOW_FE])
    text = e.evaluate("default/fe", "default/be", 8080).explain()
    assert "ALLOWED" in text
    assert "isolated by backend-ingress-deny, backend-allow-ingress-frontend: allowed" in text
    assert "backend-allow-ingress-frontend spec.ingress[0]: allows it: from[0] (PodSelector: app=frontend), all ports" in text
    blocked = e.evaluate("default/nfe", "default/be", 8080).explain()
    assert "BLOCKED" in blocked and "does not match default/nfe" in blocked
    assert "backend-ingress-deny: has no ingress rules (denies all)" in blocked


def test_policy_types_default_egress_only_when_egress_rules_present():
    p = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p}
        spec:
          podSelector: {}
          egress: [{}]
    """)
    assert p.policy_types == ("Ingress", "Egress")
    p2 = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p}
        spec: {podSelector: {}, egress: []}
    """)
    assert p2.policy_types == ("Ingress",)


def test_rules_of_a_direction_not_in_policy_types_are_ignored():
    p = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p}
        spec:
          podSelector: {matchLabels: {app: backend}}
          policyTypes: [Egress]
          ingress: [{from: [{podSelector: {matchLabels: {app: nobody}}}]}]
    """)
    e = engine([FE, BE], [p])
    assert e.evaluate("default/fe", "default/be", 80).allowed      # ingress not isolated
    assert not e.evaluate("default/be", "default/fe", 80).allowed  # egress isolated, no rules


def test_egress_only_isolation_and_both_directions_needed():
    eg = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: fe-egress}
        spec:
          podSelector: {matchLabels: {app: frontend}}
          policyTypes: [Egress]
          egress: [{to: [{podSelector: {matchLabels: {app: backend}}}], ports: [{port: 8080}]}]
    """)
    e = engine([FE, NFE, BE], [eg])
    assert e.evaluate("default/fe", "default/be", 8080).allowed
    assert not e.evaluate("default/fe", "default/be", 9090).allowed
    assert not e.evaluate("default/fe", "default/nfe", 8080).allowed
    assert e.evaluate("default/nfe", "default/fe", 8080).allowed  # ingress of fe not isolated
    e2 = engine([FE, NFE, BE], [eg, DENY])
    assert not e2.evaluate("default/fe", "default/be", 8080).allowed  # egress ok, ingress denied


AND_OR = """
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: p, namespace: db}
    spec:
      podSelector: {}
      ingress:
      - from:
        - namespaceSelector: {matchLabels: {team: web}}
        %spodSelector: {matchLabels: {app: frontend}}
"""


def test_and_vs_or_peers_the_stray_dash():
    web = Namespace("web", Labels({"team": "web"}))
    other = Namespace("other")
    fe_web, be_web = pod("fe", "web", app="frontend"), pod("x", "web", app="x")
    fe_other, db = pod("fe", "other", app="frontend"), pod("db", "db")
    pods, nss = [fe_web, be_web, fe_other, db], [web, other, Namespace("db")]
    and_ = engine(pods, [policy(AND_OR % "  ")], nss)
    or_ = engine(pods, [policy(AND_OR % "- ")], nss)
    assert and_.evaluate("web/fe", "db/db", 1).allowed
    assert not and_.evaluate("web/x", "db/db", 1).allowed
    assert not and_.evaluate("other/fe", "db/db", 1).allowed
    # with the dash: any pod in team=web namespaces OR frontend pods of the policy's namespace (db)
    assert or_.evaluate("web/x", "db/db", 1).allowed
    assert not or_.evaluate("other/fe", "db/db", 1).allowed


def test_namespace_selector_empty_means_all_namespaces_pod_selector_empty_means_namespace():
    a, b = pod("a", "ns1"), pod("b", "ns2")
    t = pod("t", "ns1", app="t")
    all_ns = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: ns1}
        spec: {podSelector: {matchLabels: {app: t}}, ingress: [{from: [{namespaceSelector: {}}]}]}
    """)
    same_ns = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: ns1}
        spec: {podSelector: {matchLabels: {app: t}}, ingress: [{from: [{podSelector: {}}]}]}
    """)
    e1, e2 = engine([a, b, t], [all_ns]), engine([a, b, t], [same_ns])
    assert e1.evaluate("ns2/b", "ns1/t", 1).allowed and e1.evaluate("ns1/a", "ns1/t", 1).allowed
    assert not e2.evaluate("ns2/b", "ns1/t", 1).allowed and e2.evaluate("ns1/a", "ns1/t", 1).allowed


def test_empty_from_list_is_everything_and_empty_rules_is_nothing():
    allow_all = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p}
        spec: {podSelector: {}, ingress: [{}]}
    """)
    deny_all = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p}
        spec: {podSelector: {}, ingress: []}
    """)
    other = pod("o", "elsewhere")
    assert engine([FE, other], [allow_all]).evaluate("elsewhere/o", "default/fe", 9).allowed
    assert not engine([FE, other], [deny_all]).evaluate("elsewhere/o", "default/fe", 9).allowed


def test_ip_block_with_except_matches_pod_ips():
    src_in, src_ex = pod("in", ip="10.0.1.5"), pod("ex", ip="10.0.2.5")
    no_ip = pod("noip")
    p = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p}
        spec:
          podSelector: {matchLabels: {app: backend}}
          ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]}]
    """)
    e = engine([src_in, src_ex, no_ip, BE], [p])
    assert e.evaluate("default/in", "default/be", 80).allowed
    assert not e.evaluate("default/ex", "default/be", 80).allowed
    assert not e.evaluate("default/noip", "default/be", 80).allowed


def test_named_ports_resolve_on_the_destination_for_ingress_and_egress():
    be2 = pod("be2", app="backend", ports=[("http", 9000, "TCP")])
    be3 = pod("be3", app="backend")  # no port named http
    ing = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p}
        spec: {podSelector: {matchLabels: {app: backend}}, ingress: [{ports: [{port: http}]}]}
    """)
    e = engine([FE, BE, be2, be3], [ing])
    assert e.evaluate("default/fe", "default/be", 8080).allowed
    assert not e.evaluate("default/fe", "default/be", 9000).allowed
    assert e.evaluate("default/fe", "default/be2", 9000).allowed
    assert not e.evaluate("default/fe", "default/be3", 8080).allowed
    assert e.evaluate("default/fe", "default/be2", "http").resolved_port == 9000
    egr = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: e}
        spec: {podSelector: {matchLabels: {app: frontend}}, policyTypes: [Egress], egress: [{ports: [{port: http}]}]}
    """)
    e = engine([FE, BE, be2, be3], [egr])
    assert e.evaluate("default/fe", "default/be", 8080).allowed
    assert e.evaluate("default/fe", "default/be2", 9000).allowed
    assert not e.evaluate("default/fe", "default/be2", 8080).allowed
    assert not e.evaluate("default/fe", "default/be3", 8080).allowed


def test_named_port_with_other_protocol_does_not_match():
    dns = pod("dns", ports=[("dns", 53, "UDP")], app="dns")
    p = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p}
        spec: {podSelector: {matchLabels: {app: dns}}, ingress: [{ports: [{port: dns, protocol: TCP}]}]}
    """)
    e = engine([FE, dns], [p])
    assert not e.evaluate("default/fe", "default/dns", 53, "TCP").allowed
    assert not e.evaluate("default/fe", "default/dns", 53, "UDP").allowed


def test_end_port_ranges_and_protocols():
    p = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p}
        spec:
          podSelector: {matchLabels: {app: backend}}
          ingress: [{ports: [{port: 32000, endPort: 32768}, {protocol: UDP, port: 53}, {protocol: SCTP}]}]
    """)
    e = engine([FE, BE], [p])
    ok = lambda port, proto="TCP": e.evaluate("default/fe", "default/be", port, proto).allowed
    assert ok(32000) and ok(32768) and ok(32400) and not ok(31999) and not ok(32769)
    assert ok(53, "UDP") and not ok(53, "TCP") and not ok(54, "UDP")
    assert ok(1, "SCTP") and ok(65535, "SCTP")
    assert e.connectivity().ports("default/fe", "default/be") == PortSet(
        ((32000, 32768),), ((53, 53),), ((1, 65535),))


def test_pod_selected_by_several_policies_union_of_rules():
    p1 = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p1}
        spec: {podSelector: {matchLabels: {app: backend}}, ingress: [{ports: [{port: 80}]}]}
    """)
    p2 = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p2}
        spec: {podSelector: {}, ingress: [{ports: [{port: 443}]}]}
    """)
    e = engine([FE, BE], [p1, p2])
    assert e.connectivity().ports("default/fe", "default/be") == PortSet.of("TCP", (80, 80), (443, 443))
    assert e.connectivity().ports("default/be", "default/fe") == PortSet.of("TCP", (443, 443))


def test_namespace_relabelled_changes_the_verdict():
    p = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: db}
        spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {access: db}}}]}]}
    """)
    pods = [pod("c", "client"), pod("d", "db")]
    before = engine(pods, [p], [Namespace("client"), Namespace("db")])
    after = engine(pods, [p], [Namespace("client", Labels({"access": "db"})), Namespace("db")])
    assert not before.evaluate("client/c", "db/d", 1).allowed
    assert after.evaluate("client/c", "db/d", 1).allowed


def test_match_expressions_operators_and_does_not_exist_across_namespaces():
    p = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: t}
        spec:
          podSelector: {}
          ingress:
          - from:
            - namespaceSelector: {}
              podSelector: {matchExpressions: [{key: role, operator: DoesNotExist}]}
    """)
    pods = [pod("a", "x"), pod("b", "y", role="admin"), pod("t", "t")]
    e = engine(pods, [p])
    assert e.evaluate("x/a", "t/t", 1).allowed
    assert not e.evaluate("y/b", "t/t", 1).allowed


def test_kube_system_automatic_namespace_label_allows_dns():
    dns = Pod("coredns-1", "kube-system", Labels({"k8s-app": "kube-dns"}),
              (Container("c", "coredns", (ContainerPort(53, "dns", "UDP"),)),))
    deny, allow_dns = objs("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny}
        spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: allow-dns}
        spec:
          podSelector: {}
          policyTypes: [Egress]
          egress:
          - to:
            - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
              podSelector: {matchLabels: {k8s-app: kube-dns}}
            ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
    """)
    assert not engine([FE, dns], [deny]).evaluate("default/fe", "kube-system/coredns-1", 53, "UDP").allowed
    e = engine([FE, dns], [deny, allow_dns])
    assert e.evaluate("default/fe", "kube-system/coredns-1", 53, "UDP").allowed
    assert not e.evaluate("default/fe", "kube-system/coredns-1", 80).allowed


def test_service_is_judged_on_endpoint_and_target_port():
    svc, = objs("""
        apiVersion: v1
        kind: Service
        metadata: {name: backend}
        spec: {selector: {app: backend}, ports: [{name: web, port: 80, targetPort: http}]}
    """)
    p = policy("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p}
        spec: {podSelector: {matchLabels: {app: backend}}, ingress: [{ports: [{port: 8080}]}]}
    """)
    e = Engine([], [FE, BE], [p], [svc])
    v = e.evaluate_service("default/fe", "default/backend", 80)
    assert v.allowed and v.endpoints[0].resolved_port == 8080 and v.endpoints[0].dst == "default/be"
    assert e.evaluate_service("default/fe", "default/backend", "web").allowed


def test_unknown_pod_is_not_found():
    from netpol_kernel.errors import NotFoundError
    with pytest.raises(NotFoundError, match='pods "nope" not found'):
        engine([FE], []).evaluate("default/fe", "default/nope", 80)


# ------------------------------------------------------------- property tests

KEYS, VALS = ["app", "tier", "env"], ["a", "b", "c"]
labels_st = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALS), max_size=3)
req_st = st.one_of(
    st.builds(Requirement, st.sampled_from(KEYS), st.sampled_from(["In", "NotIn"]),
              st.frozensets(st.sampled_from(VALS), min_size=1, max_size=2)),
    st.builds(Requirement, st.sampled_from(KEYS), st.sampled_from(["Exists", "DoesNotExist"])))
selector_st = st.builds(LabelSelector, labels_st.map(Labels), st.lists(req_st, max_size=2).map(tuple))
NSS = ["n1", "n2", "n3"]
NAMED = [("http", 80, "TCP"), ("http", 8080, "TCP"), ("dns", 53, "UDP"), ("web", 81, "TCP")]
# Addresses on the edges of the blocks below (and IPv6, and pods sharing an address):
# the engine finds a block's pods by bisecting the pods sorted by address.
ip_st = st.sampled_from([None, "10.0.0.1", "10.0.0.130", "10.0.1.7", "10.0.0.0", "10.0.0.127",
                         "10.0.0.128", "10.0.0.255", "10.0.255.255", "10.1.0.0", "fd00::1", "fd00::ffff"])
pport_st = st.one_of(
    st.builds(PolicyPort, st.sampled_from(["TCP", "UDP"]), st.sampled_from([None, 80, 53, 81, 8080])),
    st.builds(PolicyPort, st.just("TCP"), st.just(79), st.sampled_from([80, 81, 8080])),
    st.builds(PolicyPort, st.sampled_from(["TCP", "UDP"]), st.sampled_from(["http", "dns", "web"])))
peer_st = st.one_of(
    st.builds(Peer, st.none() | selector_st, selector_st),
    st.builds(Peer, selector_st, st.none()),
    st.builds(Peer, st.none(), st.none(),
              st.builds(IPBlock, st.sampled_from(["10.0.0.0/24", "10.0.0.0/16", "10.0.0.128/25", "0.0.0.0/0",
                                                  "fd00::/64"]),
                        st.sampled_from([(), ("10.0.0.128/25",), ("10.0.0.0/25", "10.0.0.255/32"),
                                         ("fd00::ff00/120",)]))))
rule_st = st.builds(Rule, st.lists(peer_st, max_size=2).map(tuple), st.lists(pport_st, max_size=2).map(tuple))


@st.composite
def worlds(draw):
    pods = []
    for i in range(draw(st.integers(1, 6))):
        ports = draw(st.lists(st.sampled_from(NAMED), max_size=2, unique_by=lambda t: (t[0], t[2])))
        pods.append(pod(f"p{i}", draw(st.sampled_from(NSS)), draw(ip_st), ports, **draw(labels_st)))
    nss = [Namespace(n, Labels(draw(labels_st))) for n in NSS]
    pols = []
    for i in range(draw(st.integers(0, 4))):
        types = draw(st.sampled_from([("Ingress",), ("Egress",), ("Ingress", "Egress")]))
        pols.append(NetworkPolicy(f"np{i}", draw(st.sampled_from(NSS)), draw(selector_st), types,
                                  tuple(draw(st.lists(rule_st, max_size=2))),
                                  tuple(draw(st.lists(rule_st, max_size=2)))))
    return nss, pods, pols


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.sampled_from([(80, "TCP"), (81, "TCP"), (8080, "TCP"), (53, "UDP"), (79, "TCP"), (53, "TCP")]))
def test_engine_agrees_with_reference_oracle(world, port_proto):
    nss, pods, pols = world
    port, proto = port_proto
    e = Engine(nss, pods, pols)
    conn = e.connectivity()
    matrix = e.matrix_allowed(port, proto, conn)
    for i, s in enumerate(pods):
        for j, d in enumerate(pods):
            want = reference.allowed(nss, pods, pols, s, d, port, proto)
            v = e.evaluate(s.key, d.key, port, proto)
            assert v.allowed == want, v.explain()
            assert matrix[i][j] == want
            if i != j:
                assert conn.ports(s.key, d.key).contains(proto, port) == want
            # the explanation always states the decision it explains
            assert ("ALLOWED" if want else "BLOCKED") in v.explain().splitlines()[0]


@settings(max_examples=50, deadline=None)
@given(worlds())
def test_evaluation_is_deterministic(world):
    nss, pods, pols = world
    a = Engine(nss, pods, pols).connectivity()
    b = Engine(nss, pods, pols).connectivity()
    assert list(a.pairs()) == list(b.pairs())


def test_connectivity_with_more_port_specs_than_one_key_word_holds():
    """Over 63 distinct port lists: rule masks wider than a machine word."""
    pods = [pod(f"p{i}", "n1", app=f"a{i % 3}") for i in range(6)]
    pols = [NetworkPolicy(f"np{k}", "n1", LabelSelector(Labels({"app": f"a{k % 3}"})), ("Ingress", "Egress"),
                          (Rule((Peer(LabelSelector(Labels({"app": f"a{(k + 1) % 3}"}))),),
                                (PolicyPort("TCP", 1000 + k),)),),
                          (Rule((), (PolicyPort("TCP", 1000 + k),)),))
            for k in range(150)]
    e = Engine([], pods, pols)
    conn = e.connectivity()
    for s in pods:
        for d in pods:
            if s is d:
                continue
            got = conn.ports(s.key, d.key)
            for port in (999, 1000, 1001, 1075, 1149, 1150):
                assert got.contains("TCP", port) == e.evaluate(s.key, d.key, port).allowed, (s.key, d.key, port)


def test_a_host_network_pod_is_policed_like_any_pod_and_the_verdict_says_so():
    agent = Pod("agent", "default", Labels({"app": "agent"}), host_network=True)
    deny = NetworkPolicy("deny", "default", LabelSelector(), ("Ingress",))
    e = Engine([], [FE, agent], [deny])
    v = e.evaluate("default/fe", "default/agent", 80)
    assert not v.allowed and v.host_network == ("default/agent",)
    assert v.explain("default").splitlines()[-1] == (
        "  note: agent uses hostNetwork: this verdict polices it like any pod, but NetworkPolicy leaves "
        "such pods to the plugin, and most treat their traffic as the node's")
    assert e.evaluate("default/agent", "default/agent", 80).host_network == ("default/agent",)
    assert "note:" not in Engine([], [FE, BE], [deny]).evaluate("default/fe", "default/be", 80).explain()


def test_icmp_is_judged_without_a_port_and_explained_so() -> None:
    """kube-network-policies (kind's enforcer, pkg/networkpolicy evaluatePorts): a packet that is
    not TCP, UDP or SCTP has no port, so only rules without `ports` allow it."""
    from netpol_kernel.policy.engine import ICMP_NOTE

    rule = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {{name: {name}, namespace: d}}
        spec:
          podSelector: {{matchLabels: {{app: b}}}}
          ingress: [{{from: [{{podSelector: {{matchLabels: {{app: a}}}}}}]{ports}}}]
    """
    pods = [pod("a", ns="d", app="a"), pod("bb", ns="d", app="b")]
    with_ports = engine(pods, [policy(rule.format(name="tcp-80", ports=", ports: [{port: 80}]"))])
    without = engine(pods, [policy(rule.format(name="any", ports=""))])
    assert not with_ports.evaluate("d/a", "d/bb", 0, "ICMP").allowed
    assert with_ports.evaluate("d/a", "d/bb", 80, "TCP").allowed
    verdict = without.evaluate("d/a", "d/bb", 0, "ICMP")
    assert verdict.allowed
    text = verdict.explain()
    assert text.splitlines()[0] == "d/a -> d/bb on ICMP: ALLOWED"
    assert text.splitlines()[-1] == f"  note: {ICMP_NOTE}"
