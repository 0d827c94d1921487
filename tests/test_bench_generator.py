"""Fast tests of the benchmark tooling in bench/: generator, nca/netpol-kernel output parsers,
pair-by-pair comparison and disagreement classification (no nca or CLI run needed)."""
from __future__ import annotations

import importlib.util
import ipaddress
import json
import re
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load(name: str, file: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / file)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses need the module registered
    spec.loader.exec_module(mod)
    return mod


gen = _load("bench_generate", "generate.py")
cmp = _load("bench_compare", "compare.py")

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


# ------------------------------------------------------------------ generator
def test_deterministic_for_a_seed():
    a = gen.generate(3, 6, 12, seed=7)
    b = gen.generate(3, 6, 12, seed=7)
    c = gen.generate(3, 6, 12, seed=8)
    assert a == b
    assert gen.dump(a[0]) == gen.dump(b[0]) and gen.dump(a[1]) == gen.dump(b[1])
    assert a != c


@pytest.mark.parametrize("ns,ppn,pol", [(1, 1, 0), (2, 5, 3), (4, 25, 40), (25, 7, 60)])
def test_requested_counts(ns, ppn, pol):
    cluster, policies = gen.generate(ns, ppn, pol, seed=1)
    kinds = [d["kind"] for d in cluster]
    assert kinds.count("Namespace") == ns
    assert kinds.count("Pod") == ns * ppn
    assert len(policies) == pol and all(p["kind"] == "NetworkPolicy" for p in policies)
    assert kinds == sorted(kinds, key=lambda k: k != "Namespace")  # namespaces first


def test_objects_are_valid_for_the_api():
    for seed in (1, 2, 3):
        cluster, policies = gen.generate(20, 25, 200, seed=seed)
        assert gen.validate(cluster, policies) == []
        ips = [d["status"]["podIP"] for d in cluster if d["kind"] == "Pod"]
        assert len(set(ips)) == len(ips)
        assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("10.244.0.0/16") for ip in ips)
        for d in cluster + policies:
            name = d["metadata"]["name"]
            assert DNS_LABEL.match(name) and len(name) <= 63, name
            for p in (d.get("spec", {}).get("containers") or [{}])[0].get("ports", []):
                assert len(p["name"]) <= 15 and DNS_LABEL.match(p["name"]), p


def test_validate_catches_bad_objects():
    cluster, policies = gen.generate(1, 1, 1, seed=1)
    cluster[1]["spec"]["containers"][0]["ports"] = [{"name": "much-too-long-port", "containerPort": 1}]
    cluster[0]["metadata"]["name"] = "Bad_Name"
    policies[0]["spec"]["ingress"] = [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/8"]}}],
                                       "ports": [{"port": "http", "endPort": 90}]}]
    problems = "\n".join(gen.validate(cluster, policies))
    assert "bad port name" in problems and "bad name" in problems
    assert "not strictly inside" in problems and "bad endPort" in problems
    assert not gen.valid_port_name("a--b") and not gen.valid_port_name("8080") and gen.valid_port_name("dns-tcp")


def _walk(obj):
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v)


def test_policies_cover_the_api():
    cluster, policies = gen.generate(20, 25, 200, seed=1)
    nodes = list(_walk(policies))
    ops = {n["operator"] for n in nodes if "operator" in n}
    assert ops == {"In", "NotIn", "Exists", "DoesNotExist"}
    peers = [p for n in nodes for k in ("from", "to") for p in (n.get(k) or [])]
    assert any("podSelector" in p and "namespaceSelector" in p for p in peers)  # AND
    assert any(set(p) == {"namespaceSelector"} for p in peers)
    assert any(set(p) == {"podSelector"} for p in peers)
    rules = [r for p in policies for d in ("ingress", "egress") for r in p["spec"].get(d) or []]
    assert any(len(r.get("from") or r.get("to") or []) > 1 for r in rules)  # OR
    assert {} in rules  # empty rule
    blocks = [p["ipBlock"] for p in peers if "ipBlock" in p]
    assert any(b.get("except") for b in blocks)
    pod_ips = [ipaddress.ip_address(d["status"]["podIP"]) for d in cluster if d["kind"] == "Pod"]
    covers = [any(ip in ipaddress.ip_network(b["cidr"]) for ip in pod_ips) for b in blocks]
    assert any(covers) and not all(covers)  # some cover pod IPs, some are external
    ports = [p for r in rules for p in r.get("ports") or []]
    assert any(isinstance(p.get("port"), str) for p in ports)
    assert any("endPort" in p for p in ports)
    assert {"UDP", "SCTP"} <= {p.get("protocol") for p in ports}
    specs = [p["spec"] for p in policies]
    assert any(s["podSelector"] == {} and not s.get("ingress") and not s.get("egress") for s in specs)
    assert any("ingress" in s and "egress" not in s for s in specs)
    assert any("egress" in s and "ingress" not in s for s in specs)
    assert any("egress" in s and "ingress" in s for s in specs)
    assert any("policyTypes" not in s for s in specs)
    protos = {p.get("protocol", "TCP") for d in cluster if d["kind"] == "Pod"
              for c in d["spec"]["containers"] for p in c.get("ports", [])}
    assert protos == {"TCP", "UDP", "SCTP"}


def test_cli_writes_files(tmp_path):
    assert gen.main(["--namespaces", "2", "--pods-per-ns", "3", "--policies", "4", "--out", str(tmp_path),
                     "--check"]) == 0
    import yaml

    docs = list(yaml.safe_load_all((tmp_path / "cluster.yaml").read_text()))
    assert [d["kind"] for d in docs].count("Pod") == 6
    assert len(list(yaml.safe_load_all((tmp_path / "policies.yaml").read_text()))) == 4


# ------------------------------------------------------------------ port sets and parsers
def test_range_algebra():
    assert cmp.norm([[4, 6], [1, 2], [3, 3], [10, 12]]) == ((1, 6), (10, 12))
    assert cmp.norm([[5, 6], [1, 3]]) == ((1, 3), (5, 6))
    assert cmp.r_inter(((1, 10), (20, 30)), ((5, 25),)) == ((5, 10), (20, 25))
    assert cmp.r_sub(((1, 65535),), ((80, 80), (443, 443))) == ((1, 79), (81, 442), (444, 65535))
    assert cmp.r_sub(((1, 5),), ((1, 5),)) == ()


def test_parse_nca_connection_strings():
    P = cmp.parse_nca_conn
    assert P("All connections") == cmp.all_conn()
    assert P("No connections") == cmp.empty_conn()
    c = P("{protocols:TCP, UDP,dst_ports:53,8000-8100}")
    assert c == {"TCP": ((53, 53), (8000, 8100)), "UDP": ((53, 53), (8000, 8100)), "SCTP": ()}
    c = P("{protocols:TCP,dst_ports:8080},{protocols:SCTP,dst_ports:9000}")
    assert c == {"TCP": ((8080, 8080),), "UDP": (), "SCTP": ((9000, 9000),)}
    assert P("{protocols:UDP}") == {"TCP": (), "UDP": ((1, 65535),), "SCTP": ()}
    c = P("All but {protocols:TCP,dst_ports:80}")
    assert c == {"TCP": ((1, 79), (81, 65535)), "UDP": ((1, 65535),), "SCTP": ((1, 65535),)}
    assert P("{protocols:all but TCP}") == {"TCP": (), "UDP": ((1, 65535),), "SCTP": ((1, 65535),)}
    with pytest.raises(cmp.NcaParseError):
        P("{protocols:TCP,src_ports:80}")


NCA_SAMPLE = """\
Warning: Missing named port http in the pod b/api-1. Ignoring the pod
global: cluster has 3 unique endpoints, 2 namespaces
0.0.0.0-10.243.255.255 => a/web-1[Pod] : All connections
a/web-1[Pod] => 0.0.0.0-9.255.255.255 : All connections
b/db-1[Pod] => 10.0.0.0/8 : All connections
a/web-1[Pod] => b/api-1[Pod] : {protocols:SCTP,dst_ports:9000}
b/db-1[Pod] => a/web-1[Pod] : All connections
b/api-1[Pod] => a/web-1[Pod] : {protocols:TCP, UDP,dst_ports:53}
Total run time:   0.01 seconds
"""


def test_parse_nca_txt():
    pairs, stats = cmp.parse_nca_txt(NCA_SAMPLE)
    assert set(pairs) == {("a/web-1", "b/api-1"), ("b/db-1", "a/web-1"), ("b/api-1", "a/web-1")}
    assert pairs[("a/web-1", "b/api-1")]["SCTP"] == ((9000, 9000),)
    assert pairs[("b/api-1", "a/web-1")]["UDP"] == ((53, 53),)
    assert stats["ip_lines"] == 3 and stats["pod_pairs"] == 3
    assert cmp.nca_peer_name("ns/pod-1[Pod]") == "ns/pod-1"
    assert cmp.nca_peer_name("ns/pod-1") == "ns/pod-1"
    assert cmp.nca_peer_name("10.0.0.0/8") is None


def test_parse_ours_and_compare():
    ours = cmp.parse_ours_json(json.dumps({"connections": {
        "a/web-1": {"b/api-1": {"TCP": [], "UDP": [], "SCTP": [[9000, 9000]]},
                    "b/db-1": {"TCP": [[1, 65535]], "UDP": [[1, 65535]], "SCTP": [[1, 65535]]}},
        "b/db-1": {"a/web-1": {"TCP": [[1, 65535]], "UDP": [[1, 65535]], "SCTP": [[1, 65535]]},
                   "b/api-1": {"TCP": [[80, 80], [81, 90]]}},
        "b/api-1": {"a/web-1": {"TCP": [[53, 53]], "UDP": [[53, 53]], "SCTP": []}},
    }}))
    assert ours[("b/db-1", "b/api-1")] == {"TCP": ((80, 90),), "UDP": (), "SCTP": ()}
    nca, _ = cmp.parse_nca_txt(NCA_SAMPLE)
    res = cmp.compare(["a/web-1", "b/db-1", "b/api-1"], ours, nca)
    assert res.total == 6
    assert res.missing_in_ours == 1  # b/api-1 -> b/db-1
    diffs = {(s, d) for s, d, _, _ in res.disagreements}
    assert diffs == {("a/web-1", "b/db-1"), ("b/db-1", "b/api-1")}
    assert res.agree == 4
    assert res.allowed_ours == 5 and res.allowed_nca == 3


# ------------------------------------------------------------------ reference and classes
def _ns(name, **labels):
    return {"kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def _pod(ns, name, ip, labels, ports=()):
    return {"kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"containers": [{"name": "c", "ports": [
                {"name": n, "containerPort": p, "protocol": pr} for n, p, pr in ports]}]},
            "status": {"podIP": ip}}


def _np(ns, name, spec):
    return {"kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec}


CLUSTER = [
    _ns("a", env="prod"), _ns("b"),
    _pod("a", "web", "10.244.0.2", {"app": "web"}, [("http", 8080, "TCP"), ("dns", 53, "UDP")]),
    _pod("a", "api", "10.244.0.3", {"app": "api", "role": "x"}, [("http", 8000, "TCP")]),
    _pod("b", "db", "10.244.1.2", {"app": "db", "role": "primary"}),
    _pod("b", "job", "10.244.1.3", {"app": "job"}),
]
POLICIES = [
    # a/web: from pods in 10.244.1.0/24 except .3/32 on TCP 8080, and named port http from a/*
    _np("a", "web-in", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"from": [{"ipBlock": {"cidr": "10.244.1.0/24", "except": ["10.244.1.3/32"]}}], "ports": [{"port": 8080}]},
        {"from": [{"podSelector": {}}], "ports": [{"port": "http"}, {"protocol": "UDP", "port": "dns"}]},
    ]}),
    # b/*: ingress from any namespace, pods with role Exists (nca: only pods of namespace b)
    _np("b", "b-in", {"podSelector": {}, "ingress": [
        {"from": [{"namespaceSelector": {}, "podSelector": {"matchExpressions": [
            {"key": "role", "operator": "Exists"}]}}], "ports": [{"protocol": "TCP", "port": 5000, "endPort": 5010}]},
        {"from": [{"namespaceSelector": {"matchExpressions": [{"key": "env", "operator": "NotIn",
                                                               "values": ["prod"]}]}}],
         "ports": [{"protocol": "SCTP", "port": 2905}]},
    ]}),
    # b/job egress: policyTypes inferred from egress rules
    _np("b", "job-out", {"podSelector": {"matchLabels": {"app": "job"}}, "egress": [{"ports": [{"port": 443}]}]}),
]


def test_reference_semantics():
    ref = cmp.Reference(CLUSTER, POLICIES)
    tcp = lambda *r: {"TCP": tuple(r), "UDP": (), "SCTP": ()}  # noqa: E731
    # ipBlock covers b/db by pod IP; named ports resolve on the destination pod
    assert ref.connection("b/db", "a/web") == tcp((8080, 8080))
    assert ref.connection("b/db", "a/web", [cmp.QUIRK_IPBLOCK]) == cmp.empty_conn()
    assert ref.connection("a/api", "a/web") == {"TCP": ((8080, 8080),), "UDP": ((53, 53),), "SCTP": ()}
    # except carves b/job out; and b/job's egress only allows 443
    assert ref.connection("b/job", "a/web") == cmp.empty_conn()
    assert ref.connection("b/job", "b/db") == cmp.empty_conn()
    # Exists across namespaces; NotIn matches the namespace without the label (b)
    assert ref.connection("a/api", "b/db") == tcp((5000, 5010))
    assert ref.connection("a/api", "b/db", [cmp.QUIRK_KEY_OPS]) == cmp.empty_conn()
    assert ref.connection("a/web", "b/db") == cmp.empty_conn()
    assert ref.connection("b/db", "b/job")["SCTP"] == ((2905, 2905),)
    # unisolated destination and source: everything
    assert ref.connection("a/web", "a/api") == cmp.all_conn()


def test_classify_disagreements():
    ref = cmp.Reference(CLUSTER, POLICIES)
    std = ref.connection("b/db", "a/web")
    d = cmp.classify(ref, "b/db", "a/web", std, cmp.empty_conn())
    assert d.cls == cmp.QUIRKS[cmp.QUIRK_IPBLOCK]
    assert d.port == ("TCP", 8080) and d.culprits == ["a/web-in ingress[0]"]
    d = cmp.classify(ref, "a/api", "b/db", ref.connection("a/api", "b/db"), cmp.empty_conn())
    assert d.cls == cmp.QUIRKS[cmp.QUIRK_KEY_OPS] and d.culprits == ["b/b-in ingress[0]"]
    # netpol-kernel wrong, nca right
    d = cmp.classify(ref, "a/api", "b/db", cmp.all_conn(), ref.connection("a/api", "b/db"))
    assert d.cls == cmp.CLASS_OURS
    # nca says something no quirk explains
    d = cmp.classify(ref, "a/api", "b/db", ref.connection("a/api", "b/db"), cmp.all_conn())
    assert d.cls == cmp.CLASS_NCA_OTHER
    d = cmp.classify(ref, "x/y", "a/web", cmp.all_conn(), cmp.empty_conn())
    assert d.cls == cmp.CLASS_UNKNOWN
    groups = cmp.group([cmp.classify(ref, "b/db", "a/web", std, cmp.empty_conn())] * 2 +
                       [cmp.classify(ref, "a/api", "b/db", cmp.all_conn(), cmp.empty_conn())])
    assert list(groups.values())[0][0].cls == cmp.QUIRKS[cmp.QUIRK_IPBLOCK]
    assert "TCP 8080" in cmp.fmt_conn(std)


def test_first_port_prefers_familiar_ports():
    assert cmp.first_port(cmp.all_conn()) == ("TCP", 8080)
    assert cmp.first_port({"TCP": (), "UDP": ((1, 100),), "SCTP": ()}) == ("UDP", 53)
    assert cmp.first_port({"TCP": ((7, 9),), "UDP": (), "SCTP": ()}) == ("TCP", 7)
    assert cmp.first_port(cmp.empty_conn()) is None


# ------------------------------------------------------------------ the engine at scale
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_connectivity_agrees_with_the_reference_on_generated_clusters(tmp_path, seed):
    """The all-pairs grouping against bench/compare.py's literal evaluator, pair by pair,
    on clusters big enough for many groups, parts and named-port profiles."""
    from netpol_kernel.cli import main

    cluster, policies = gen.generate(6, 12, 40, seed)
    gen.write(tmp_path, cluster, policies)
    out = tmp_path / "ours.json"
    with out.open("w") as f:
        assert main(["connectivity", "-f", str(tmp_path / "cluster.yaml"), "-f", str(tmp_path / "policies.yaml"),
                     "-o", "json"], out=f) == 0
    ours = cmp.parse_ours_json(out.read_text())
    ref = cmp.Reference(cluster, policies)
    pods = sorted(ref.pods)
    assert len(ours) == len(pods) * (len(pods) - 1) == 72 * 71
    wrong = [(s, d) for s in pods for d in pods if s != d and ours[(s, d)] != ref.connection(s, d)]
    assert wrong == []
