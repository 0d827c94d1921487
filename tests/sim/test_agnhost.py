"""agnhost, the image of Kubernetes' own NetworkPolicy e2e tests, in the embedded cluster.

The set-up is the e2e suite's model, written here from its description (not its code):
namespaces x, y, z with pods a, b, c; each pod serves ports 80 and 81 over TCP and
SCTP with ``agnhost porter`` and over UDP with ``agnhost serve-hostname --udp``; one
Service per pod; probes are ``agnhost connect s-NS-POD.NS.svc.cluster.local:PORT
--timeout=1s --protocol=P``.  Expected verdicts follow the NetworkPolicy specification
(kubernetes.io/docs/concepts/services-networking/network-policies); expected texts
follow test/images/agnhost/connect/connect.go (``TIMEOUT``, ``REFUSED``, ``DNS: ...``)
and status 1 on any failure.
"""
from __future__ import annotations

import itertools

import pytest

from netpol_kernel.api.manifests import load_documents
from netpol_kernel.sim.cluster import EmbeddedCluster

AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.53"
NAMESPACES, PODS, PORTS, PROTOCOLS = ("x", "y", "z"), ("a", "b", "c"), (80, 81), ("TCP", "UDP", "SCTP")


def _pod_yaml(ns: str, name: str) -> str:
    containers = []
    for port, proto in itertools.product(PORTS, PROTOCOLS):
        cname = f"cont-{port}-{proto.lower()}"
        if proto == "UDP":
            args = f"[serve-hostname, --udp, --http=false, --port, '{port}']"
            env = "[]"
        else:
            args = "[porter]"
            key = "SERVE_PORT" if proto == "TCP" else "SERVE_SCTP_PORT"
            env = f"[{{name: {key}_{port}, value: foo}}]"
        containers.append(f"{{name: {cname}, image: '{AGNHOST}', args: {args}, env: {env}, "
                          f"ports: [{{containerPort: {port}, protocol: {proto}, name: serve-{port}-{proto.lower()}}}]}}")
    return (f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}, labels: {{pod: {name}}}}}\n"
            f"spec: {{containers: [{', '.join(containers)}]}}\n---\n"
            f"apiVersion: v1\nkind: Service\nmetadata: {{name: s-{ns}-{name}, namespace: {ns}}}\n"
            f"spec: {{selector: {{pod: {name}}}, ports: ["
            + ", ".join(f"{{name: service-port-{proto.lower()}-{port}, port: {port}, protocol: {proto}}}"
                        for port, proto in itertools.product(PORTS, PROTOCOLS))
            + "]}\n---\n")


@pytest.fixture(scope="module")
def world() -> str:
    text = "".join(f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}, labels: {{ns: {ns}}}}}\n---\n"
                   for ns in NAMESPACES)
    return text + "".join(_pod_yaml(ns, p) for ns in NAMESPACES for p in PODS)


def cluster(world: str, *policies: str) -> EmbeddedCluster:
    c = EmbeddedCluster()
    c.apply(load_documents(world))
    for p in policies:
        c.apply(load_documents(p))
    return c


def probe(c: EmbeddedCluster, src: str, dst: str, port: int, proto: str):
    sns, spod = src.split("/")
    dns, dpod = dst.split("/")
    r = c.exec(spod, ["/agnhost", "connect", f"s-{dns}-{dpod}.{dns}.svc.cluster.local:{port}",
                      "--timeout=1s", f"--protocol={proto.lower()}"], namespace=sns, container="cont-80-tcp")
    return r


def reachable(c: EmbeddedCluster, src: str, dst: str, port: int, proto: str) -> bool:
    r = probe(c, src, dst, port, proto)
    assert r.exit_code in (0, 1), r
    return r.exit_code == 0


def test_without_policies_everything_answers(world):
    c = cluster(world)
    for proto in PROTOCOLS:
        assert reachable(c, "x/a", "y/b", 80, proto)
        assert reachable(c, "z/c", "x/a", 81, proto)
    r = probe(c, "x/a", "y/b", 80, "UDP")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)  # connect.go: silent success


def test_default_deny_ingress_blocks_every_protocol_into_the_namespace(world):
    c = cluster(world, """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress]}
""")
    for proto, port in itertools.product(PROTOCOLS, PORTS):
        assert not reachable(c, "y/a", "x/b", port, proto)
        assert reachable(c, "x/b", "y/a", port, proto)  # egress from x is not isolated
    # connect.go: TCP and SCTP print "TIMEOUT"; UDP "TIMEOUT: <the read error>".
    assert probe(c, "y/a", "x/b", 80, "TCP").stderr == "TIMEOUT\n"
    assert probe(c, "y/a", "x/b", 80, "SCTP").stderr == "TIMEOUT\n"
    udp = probe(c, "y/a", "x/b", 80, "UDP").stderr
    assert udp.startswith("TIMEOUT: read udp ") and udp.endswith(": i/o timeout\n")


def test_a_port_rule_admits_only_its_protocol(world):
    c = cluster(world, """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-b-tcp-80, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {pod: b}}}]
    ports: [{port: 80}]
""")
    # A port without protocol is TCP (the API server's default).
    assert reachable(c, "y/b", "x/a", 80, "TCP")
    for port, proto in ((80, "UDP"), (80, "SCTP"), (81, "TCP"), (81, "UDP"), (81, "SCTP")):
        assert not reachable(c, "y/b", "x/a", port, proto)
    assert not reachable(c, "y/c", "x/a", 80, "TCP")
    assert reachable(c, "y/c", "x/b", 81, "UDP")  # x/b is not selected


def test_udp_and_sctp_rules_and_named_ports(world):
    c = cluster(world, """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: udp-and-sctp, namespace: y}
spec:
  podSelector: {}
  ingress:
  - ports: [{protocol: UDP, port: 81}, {protocol: SCTP, port: serve-80-sctp}]
""")
    assert reachable(c, "x/a", "y/c", 81, "UDP")
    assert reachable(c, "x/a", "y/c", 80, "SCTP")  # the named port resolves on the pod
    assert not reachable(c, "x/a", "y/c", 80, "UDP")
    assert not reachable(c, "x/a", "y/c", 81, "SCTP")
    assert not reachable(c, "x/a", "y/c", 80, "TCP")


def test_egress_deny_breaks_dns_then_probes_say_dns(world):
    c = cluster(world, """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: z}
spec: {podSelector: {}, policyTypes: [Egress]}
""")
    r = probe(c, "z/a", "x/a", 80, "TCP")
    # connect.go resolves first: "DNS: " and Go's resolver error, status 1.
    assert r.exit_code == 1 and r.stderr.startswith("DNS: lookup s-x-a.x.svc.cluster.local on 10.96.0.10:53: ")
    assert r.stderr.endswith(": i/o timeout\n")
    r = probe(c, "x/a", "x/b", 80, "TCP")
    assert r.exit_code == 0


def test_refusals_and_bad_arguments(world):
    c = cluster(world)
    ip = c.get("Pod", namespace="y", name="b")[0]["status"]["podIP"]
    r = c.exec("a", ["/agnhost", "connect", f"{ip}:82", "--timeout=1s"], namespace="x", container="cont-80-tcp")
    assert (r.stderr, r.exit_code) == ("REFUSED\n", 1)
    r = c.exec("a", ["/agnhost", "connect", f"{ip}:82", "--timeout=1s", "--protocol=udp"], namespace="x",
               container="cont-80-tcp")
    assert r.stderr.startswith("REFUSED: read udp ") and r.stderr.endswith(": read: connection refused\n")
    r = c.exec("a", ["/agnhost", "connect", "nosuch:80", "--timeout=1s"], namespace="x", container="cont-80-tcp")
    assert r.stderr == "DNS: lookup nosuch on 10.96.0.10:53: no such host\n"
