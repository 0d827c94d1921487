"""Deterministic generator of realistic clusters and NetworkPolicies for benchmarking.

``generate(namespaces, pods_per_ns, policies, seed)`` returns ``(cluster_docs,
policy_docs)``: Namespaces and Pods (with labels, named container ports and
``status.podIP`` from 10.244.0.0/16), and NetworkPolicies that exercise the
whole API: ingress-only, egress-only and both; matchLabels and matchExpressions
(In / NotIn / Exists / DoesNotExist); podSelector-only, namespaceSelector-only,
both in one peer (AND) and separate peers (OR); ipBlocks with ``except`` (some
covering pod IPs, some external); numeric ports, named ports, ``endPort``
ranges, UDP and SCTP; empty rules ``{}``; default-deny policies.

Everything comes from one seeded ``random.Random``, so a seed always yields the
same documents. Every object is valid for the Kubernetes API (RFC 1123 names,
label syntax, IANA service names of at most 15 characters for ports).

CLI::

    python bench/generate.py --namespaces 20 --pods-per-ns 25 --policies 200 \\
        --seed 1 --out bench/out
    # writes bench/out/cluster.yaml and bench/out/policies.yaml
"""
from __future__ import annotations

import argparse
import ipaddress
import random
import re
import sys
from pathlib import Path

import yaml

POD_CIDR = ipaddress.ip_network("10.244.0.0/16")
PODS_PER_NODE = 30  # average; each node owns one /24 of the pod CIDR

NAMESPACE_BASES = [
    "frontend", "checkout", "payments", "catalog", "inventory", "shipping",
    "auth", "search", "recommend", "analytics", "logging", "monitoring",
    "ingress-nginx", "orders", "users", "notifications", "billing",
    "reporting", "kube-dns", "telecom",
]
TEAMS = ["storefront", "platform", "data", "identity", "sre", "growth"]
ENVS = ["prod", "staging", "dev"]

# app -> (tier, [(port name, containerPort, protocol)])
APPS: dict[str, tuple[str, list[tuple[str, int, str]]]] = {
    "web": ("frontend", [("http", 8080, "TCP"), ("metrics", 9090, "TCP")]),
    "gateway": ("frontend", [("http", 80, "TCP"), ("https", 443, "TCP"), ("admin", 8443, "TCP")]),
    "api": ("backend", [("http", 8000, "TCP"), ("grpc", 50051, "TCP"), ("metrics", 9090, "TCP")]),
    "worker": ("backend", [("metrics", 9100, "TCP")]),
    "queue": ("backend", [("amqp", 5672, "TCP"), ("management", 15672, "TCP"), ("metrics", 15692, "TCP")]),
    "db": ("data", [("postgres", 5432, "TCP"), ("metrics", 9187, "TCP")]),
    "cache": ("data", [("redis", 6379, "TCP"), ("metrics", 9121, "TCP")]),
    "coredns": ("platform", [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")]),
    "prometheus": ("platform", [("http", 9090, "TCP")]),
    "sip": ("backend", [("sigtran", 2905, "SCTP"), ("diameter", 3868, "SCTP"), ("sip", 5060, "UDP"),
                        ("http", 8080, "TCP")]),
    "batch": ("backend", []),
}
# apps preferred per namespace base, so that namespaces look like real workloads
NS_APPS = {
    "kube-dns": ["coredns"], "monitoring": ["prometheus", "web"], "telecom": ["sip", "api", "db"],
    "ingress-nginx": ["gateway"], "logging": ["worker", "queue", "web"],
}
GENERIC_APPS = ["web", "api", "worker", "queue", "db", "cache", "batch", "gateway", "sip"]

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
IANA_SVC_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


# ---------------------------------------------------------------- validation
def valid_dns_label(name: str) -> bool:
    return len(name) <= 63 and bool(DNS1123_LABEL.match(name))


def valid_dns_subdomain(name: str) -> bool:
    return len(name) <= 253 and bool(DNS1123_SUBDOMAIN.match(name))


def valid_label_key(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    if prefix and not valid_dns_subdomain(prefix):
        return False
    return 0 < len(name) <= 63 and bool(LABEL_NAME.match(name))


def valid_label_value(value: str) -> bool:
    return isinstance(value, str) and (value == "" or (len(value) <= 63 and bool(LABEL_NAME.match(value))))


def valid_port_name(name: str) -> bool:
    """IANA_SVC_NAME: <= 15 chars, [a-z0-9-], at least one letter, no '--', no edge hyphen."""
    return (0 < len(name) <= 15 and bool(IANA_SVC_NAME.match(name)) and "--" not in name
            and any(c.isalpha() for c in name))


def validate(cluster_docs: list[dict], policy_docs: list[dict]) -> list[str]:
    """Return a list of problems (empty when every object looks valid for the API)."""
    problems: list[str] = []

    def labels_ok(where: str, labels: dict) -> None:
        for k, v in (labels or {}).items():
            if not valid_label_key(k):
                problems.append(f"{where}: bad label key {k!r}")
            if not valid_label_value(v):
                problems.append(f"{where}: bad label value {v!r}")

    def selector_ok(where: str, sel: dict) -> None:
        labels_ok(where, sel.get("matchLabels", {}))
        for expr in sel.get("matchExpressions", []):
            op = expr.get("operator")
            if not valid_label_key(expr.get("key", "")):
                problems.append(f"{where}: bad key in expression {expr}")
            if op in ("In", "NotIn") and not expr.get("values"):
                problems.append(f"{where}: {op} needs values")
            elif op in ("Exists", "DoesNotExist") and expr.get("values"):
                problems.append(f"{where}: {op} must not have values")
            elif op not in ("In", "NotIn", "Exists", "DoesNotExist"):
                problems.append(f"{where}: bad operator {op}")
            for v in expr.get("values", []) or []:
                if not valid_label_value(v):
                    problems.append(f"{where}: bad value {v!r}")

    seen: set[tuple[str, str, str]] = set()
    for doc in cluster_docs + policy_docs:
        kind = doc["kind"]
        md = doc["metadata"]
        key = (kind, md.get("namespace", ""), md["name"])
        if key in seen:
            problems.append(f"duplicate {key}")
        seen.add(key)
        where = f"{kind} {md.get('namespace', '')}/{md['name']}"
        if kind in ("Namespace", "Pod") and not valid_dns_label(md["name"]):
            problems.append(f"{where}: bad name")
        if kind == "NetworkPolicy" and not valid_dns_subdomain(md["name"]):
            problems.append(f"{where}: bad name")
        labels_ok(where, md.get("labels", {}))
        if kind == "Pod":
            names = set()
            for c in doc["spec"]["containers"]:
                for p in c.get("ports", []):
                    if not valid_port_name(p["name"]):
                        problems.append(f"{where}: bad port name {p['name']!r}")
                    if p["name"] in names:
                        problems.append(f"{where}: duplicate port name {p['name']!r}")
                    names.add(p["name"])
                    if not 1 <= p["containerPort"] <= 65535:
                        problems.append(f"{where}: bad containerPort")
            ipaddress.ip_address(doc["status"]["podIP"])
        if kind == "NetworkPolicy":
            spec = doc["spec"]
            selector_ok(where, spec["podSelector"])
            for direction, peers_key in (("ingress", "from"), ("egress", "to")):
                for rule in spec.get(direction, []) or []:
                    for peer in rule.get(peers_key, []) or []:
                        if "ipBlock" in peer:
                            if len(peer) != 1:
                                problems.append(f"{where}: ipBlock mixed with selectors")
                            net = ipaddress.ip_network(peer["ipBlock"]["cidr"])
                            for ex in peer["ipBlock"].get("except", []):
                                exn = ipaddress.ip_network(ex)
                                if not exn.subnet_of(net) or exn == net:
                                    problems.append(f"{where}: except {ex} not strictly inside {net}")
                        for sk in ("podSelector", "namespaceSelector"):
                            if sk in peer:
                                selector_ok(where, peer[sk])
                    for port in rule.get("ports", []) or []:
                        p = port.get("port")
                        if isinstance(p, str) and not valid_port_name(p):
                            problems.append(f"{where}: bad named port {p!r}")
                        if "endPort" in port and (not isinstance(p, int) or port["endPort"] < p):
                            problems.append(f"{where}: bad endPort {port}")
                        if port.get("protocol", "TCP") not in ("TCP", "UDP", "SCTP"):
                            problems.append(f"{where}: bad protocol")
    return problems


# ---------------------------------------------------------------- generator
class _Gen:
    def __init__(self, namespaces: int, pods_per_ns: int, policies: int, seed: int):
        self.rng = random.Random(seed)
        self.n_ns = namespaces
        self.pods_per_ns = pods_per_ns
        self.n_pol = policies
        self.namespaces: list[dict] = []
        self.pods: list[dict] = []
        self.pods_by_ns: dict[str, list[dict]] = {}
        self.node_subnets: list[ipaddress.IPv4Network] = []

    # ---- cluster
    def make_namespaces(self) -> None:
        rng = self.rng
        for i in range(self.n_ns):
            base = NAMESPACE_BASES[i % len(NAMESPACE_BASES)]
            round_ = i // len(NAMESPACE_BASES)
            name = base if round_ == 0 else f"{base}-{round_ + 1}"
            labels = {"kubernetes.io/metadata.name": name, "team": rng.choice(TEAMS)}
            if rng.random() < 0.8:  # some namespaces lack env: exercises NotIn / DoesNotExist
                labels["env"] = rng.choices(ENVS, weights=[5, 3, 2])[0]
            if base in ("monitoring", "logging") or rng.random() < 0.15:
                labels["monitoring"] = "enabled"
            if rng.random() < 0.3:
                labels["istio-injection"] = rng.choice(["enabled", "disabled"])
            self.namespaces.append({"apiVersion": "v1", "kind": "Namespace",
                                    "metadata": {"name": name, "labels": labels}})

    def make_pods(self) -> None:
        rng = self.rng
        total = self.n_ns * self.pods_per_ns
        n_nodes = max(2, min(250, -(-total // PODS_PER_NODE)))
        self.node_subnets = list(POD_CIDR.subnets(new_prefix=24))[:n_nodes]
        next_host = [2] * n_nodes  # .0 network, .1 gateway
        for ns in self.namespaces:
            nsname = ns["metadata"]["name"]
            base = nsname.rsplit("-", 1)[0] if nsname[-1].isdigit() else nsname
            preferred = NS_APPS.get(base)
            pods: list[dict] = []
            used_names: set[str] = set()
            for j in range(self.pods_per_ns):
                app = (preferred[j % len(preferred)] if preferred and rng.random() < 0.8
                       else rng.choice(GENERIC_APPS))
                tier, ports = APPS[app]
                while True:
                    name = f"{app}-{rng.getrandbits(20):05x}"
                    if name not in used_names:
                        used_names.add(name)
                        break
                labels = {"app": app, "tier": tier, "version": rng.choice(["v1", "v1", "v2"])}
                if rng.random() < 0.15:
                    labels["canary"] = "true"
                if app in ("db", "cache", "queue"):
                    labels["role"] = rng.choice(["primary", "replica"])
                if rng.random() < 0.2:
                    labels["app.kubernetes.io/part-of"] = rng.choice(["shop", "platform", "billing-suite"])
                # free choice of nodes, but no node /24 overflows
                node = rng.randrange(n_nodes)
                while next_host[node] > 254:
                    node = (node + 1) % n_nodes
                ip = self.node_subnets[node].network_address + next_host[node]
                next_host[node] += 1
                container_ports = []
                for pname, pnum, proto in ports:
                    # a few pods serve a named port on a non-default number: named ports
                    # must be resolved per destination pod
                    if pname == "http" and rng.random() < 0.15:
                        pnum = rng.choice([8081, 3000, 5000])
                    cp = {"name": pname, "containerPort": pnum}
                    if proto != "TCP" or rng.random() < 0.5:
                        cp["protocol"] = proto
                    container_ports.append(cp)
                container = {"name": app, "image": f"registry.example.com/{app}:1.{rng.randrange(20)}"}
                if container_ports:
                    container["ports"] = container_ports
                pod = {
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": name, "namespace": nsname, "labels": labels},
                    "spec": {"nodeName": f"node-{node}", "containers": [container]},
                    "status": {"phase": "Running", "podIP": str(ip), "podIPs": [{"ip": str(ip)}]},
                }
                pods.append(pod)
            self.pods_by_ns[nsname] = pods
            self.pods.extend(pods)

    # ---- selectors
    def _ns_apps(self, nsname: str) -> list[str]:
        return sorted({p["metadata"]["labels"]["app"] for p in self.pods_by_ns[nsname]}) or ["web"]

    def target_selector(self, nsname: str) -> dict:
        """podSelector in spec: which pods in the policy's namespace the policy isolates."""
        rng = self.rng
        apps = self._ns_apps(nsname)
        r = rng.random()
        if r < 0.45:
            return {"matchLabels": {"app": rng.choice(apps)}}
        if r < 0.55:
            return {"matchLabels": {"app": rng.choice(apps), "version": rng.choice(["v1", "v2"])}}
        if r < 0.65:
            return {"matchExpressions": [{"key": "app", "operator": "In",
                                          "values": sorted(rng.sample(apps, min(2, len(apps))))}]}
        if r < 0.72:
            return {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["data"]}]}
        if r < 0.78:
            return {"matchLabels": {"tier": rng.choice(["frontend", "backend", "data"])},
                    "matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]}
        if r < 0.82:
            return {"matchExpressions": [{"key": "canary", "operator": "Exists"}]}
        return {}

    def pod_selector(self) -> dict:
        """podSelector inside a peer."""
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            return {"matchLabels": {"app": rng.choice(GENERIC_APPS + ["prometheus", "coredns"])}}
        if r < 0.5:
            return {"matchLabels": {"tier": rng.choice(["frontend", "backend", "data", "platform"])}}
        if r < 0.6:
            return {"matchExpressions": [{"key": "app", "operator": "In",
                                          "values": sorted(rng.sample(GENERIC_APPS, 2))}]}
        if r < 0.68:
            return {"matchExpressions": [{"key": "app", "operator": "NotIn",
                                          "values": sorted(rng.sample(GENERIC_APPS, 2))}]}
        if r < 0.75:
            return {"matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]}
        if r < 0.8:
            return {"matchExpressions": [{"key": "role", "operator": "Exists"}]}
        if r < 0.86:
            return {"matchLabels": {"app": rng.choice(GENERIC_APPS)},
                    "matchExpressions": [{"key": "version", "operator": "In", "values": ["v2"]}]}
        return {}

    def namespace_selector(self) -> dict:
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            ns = rng.choice(self.namespaces)["metadata"]["name"]
            return {"matchLabels": {"kubernetes.io/metadata.name": ns}}
        if r < 0.45:
            return {"matchLabels": {"team": rng.choice(TEAMS)}}
        if r < 0.57:
            return {"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "staging"]}]}
        if r < 0.67:
            return {"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}]}
        if r < 0.75:
            return {"matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]}
        if r < 0.85:
            return {"matchExpressions": [{"key": "monitoring", "operator": "Exists"}]}
        return {}

    def ip_block(self, covering_pods: bool) -> dict:
        rng = self.rng
        if covering_pods:
            r = rng.random()
            subnets = self.node_subnets
            if r < 0.4:
                k = min(len(subnets), rng.randint(1, 3))
                return {"cidr": str(POD_CIDR), "except": sorted(str(s) for s in rng.sample(subnets, k))}
            if r < 0.7:
                s = rng.choice(subnets)
                half = list(s.subnets(new_prefix=25))
                return {"cidr": str(s), "except": [str(rng.choice(half))]}
            if r < 0.85:
                pod = rng.choice(self.pods)
                return {"cidr": pod["status"]["podIP"] + "/32"}
            return {"cidr": "10.0.0.0/8", "except": ["10.96.0.0/12"]}
        r = rng.random()
        if r < 0.4:
            return {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}
        if r < 0.7:
            return {"cidr": "203.0.113.0/24"}
        return {"cidr": "198.51.100.0/24", "except": ["198.51.100.128/25"]}

    def peers(self) -> list[dict]:
        """A 'from'/'to' list: one peer, or several ORed peers."""
        rng = self.rng
        n = 1 if rng.random() < 0.7 else rng.randint(2, 3)
        out = []
        for _ in range(n):
            r = rng.random()
            if r < 0.33:
                out.append({"podSelector": self.pod_selector()})
            elif r < 0.53:
                out.append({"namespaceSelector": self.namespace_selector()})
            elif r < 0.78:  # AND: both selectors in one peer
                out.append({"namespaceSelector": self.namespace_selector(),
                            "podSelector": self.pod_selector()})
            elif r < 0.9:
                out.append({"ipBlock": self.ip_block(covering_pods=True)})
            else:
                out.append({"ipBlock": self.ip_block(covering_pods=False)})
        return out

    def ports(self) -> list[dict] | None:
        rng = self.rng
        r = rng.random()
        if r < 0.2:
            return None  # all ports, all protocols
        if r < 0.35:
            return [{"port": rng.choice([80, 443, 8080, 8000, 5432, 6379])}]
        if r < 0.5:
            return [{"protocol": "TCP", "port": rng.choice(["http", "metrics", "grpc", "postgres", "redis"])}]
        if r < 0.58:
            lo = rng.choice([8000, 9000, 30000, 5000])
            return [{"protocol": "TCP", "port": lo, "endPort": lo + rng.choice([10, 100, 2767])}]
        if r < 0.66:
            return [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
        if r < 0.72:
            return [{"protocol": "SCTP", "port": rng.choice([2905, "sigtran", "diameter"])}]
        if r < 0.78:
            return [{"protocol": "UDP", "port": rng.choice(["dns", "sip", 5060])}]
        if r < 0.83:
            return [{"protocol": rng.choice(["TCP", "UDP"])}]  # protocol only: all its ports
        if r < 0.88:
            return [{"port": "dns"}]  # named port whose container port is UDP while the rule is TCP
        return [{"port": "http"}, {"port": "metrics"}, {"protocol": "TCP", "port": 9000, "endPort": 9100}]

    def rule(self, peers_key: str) -> dict:
        rng = self.rng
        r = rng.random()
        if r < 0.06:
            return {}  # empty rule: everything
        rule: dict = {}
        if r < 0.14:
            pass  # ports only, any peer
        else:
            rule[peers_key] = self.peers()
        ports = self.ports()
        if ports is not None:
            rule["ports"] = ports
        if not rule:
            rule = {peers_key: self.peers()}
        return rule

    def make_policies(self) -> list[dict]:
        rng = self.rng
        policies = []
        ns_names = [n["metadata"]["name"] for n in self.namespaces]
        for i in range(self.n_pol):
            nsname = ns_names[i % len(ns_names)] if i < len(ns_names) else rng.choice(ns_names)
            r = rng.random()
            spec: dict
            if r < 0.05:
                kind, spec = "default-deny-ingress", {"podSelector": {}, "policyTypes": ["Ingress"]}
            elif r < 0.08:
                kind, spec = "default-deny-egress", {"podSelector": {}, "policyTypes": ["Egress"]}
            elif r < 0.10:
                kind, spec = "default-deny-all", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
            elif r < 0.13:
                kind, spec = "allow-same-namespace", {"podSelector": {},
                                                      "ingress": [{"from": [{"podSelector": {}}]}]}
            elif r < 0.17:
                kind, spec = "allow-dns", {
                    "podSelector": {}, "policyTypes": ["Egress"],
                    "egress": [{"to": [{"namespaceSelector": {"matchLabels": {
                        "kubernetes.io/metadata.name": "kube-dns"}},
                        "podSelector": {"matchLabels": {"app": "coredns"}}}],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]}
            else:
                direction = rng.choices(["ingress", "egress", "both"], weights=[55, 20, 25])[0]
                spec = {"podSelector": self.target_selector(nsname)}
                types = []
                if direction in ("ingress", "both"):
                    spec["ingress"] = [self.rule("from") for _ in range(rng.choice([1, 1, 1, 2, 3]))]
                    types.append("Ingress")
                if direction in ("egress", "both"):
                    spec["egress"] = [self.rule("to") for _ in range(rng.choice([1, 1, 2]))]
                    types.append("Egress")
                # policyTypes is optional; when omitted it is inferred (Ingress always, Egress if rules)
                if direction == "egress" or rng.random() < 0.6:
                    spec["policyTypes"] = types
                # an explicitly empty rule list: isolates without allowing anything
                if direction == "both" and rng.random() < 0.1:
                    spec["egress"] = []
                kind = {"ingress": "allow-in", "egress": "allow-out", "both": "allow"}[direction]
                sel = spec["podSelector"].get("matchLabels", {}).get("app")
                if sel:
                    kind += f"-{sel}"
            name = f"{kind}-{i:04d}"
            policies.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                             "metadata": {"name": name, "namespace": nsname}, "spec": spec})
        return policies


def generate(namespaces: int, pods_per_ns: int, policies: int, seed: int) -> tuple[list[dict], list[dict]]:
    """Return (cluster_docs, policy_docs): Namespaces then Pods, and NetworkPolicies."""
    if namespaces < 1 or pods_per_ns < 0 or policies < 0:
        raise ValueError("namespaces >= 1, pods_per_ns >= 0, policies >= 0")
    if namespaces * pods_per_ns > 250 * 253:
        raise ValueError("too many pods for 10.244.0.0/16 with /24 per node")
    g = _Gen(namespaces, pods_per_ns, policies, seed)
    g.make_namespaces()
    g.make_pods()
    policy_docs = g.make_policies()
    return g.namespaces + g.pods, policy_docs


def dump(docs: list[dict]) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False, default_flow_style=False, width=120)


def write(out_dir: Path, cluster_docs: list[dict], policy_docs: list[dict]) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    cluster, pols = out_dir / "cluster.yaml", out_dir / "policies.yaml"
    cluster.write_text(dump(cluster_docs))
    pols.write_text(dump(policy_docs))
    return cluster, pols


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--namespaces", type=int, default=20)
    ap.add_argument("--pods-per-ns", type=int, default=25)
    ap.add_argument("--policies", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    ap.add_argument("--check", action="store_true", help="validate the objects and fail on problems")
    args = ap.parse_args(argv)
    cluster_docs, policy_docs = generate(args.namespaces, args.pods_per_ns, args.policies, args.seed)
    if args.check:
        problems = validate(cluster_docs, policy_docs)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            return 1
    c, p = write(args.out, cluster_docs, policy_docs)
    print(f"wrote {c} ({len(cluster_docs)} objects) and {p} ({len(policy_docs)} policies)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
