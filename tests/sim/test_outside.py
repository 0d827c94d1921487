"""The outside world: names beyond the cluster, egress to the internet, clients outside the cluster.

The lesson of every egress tutorial: with DNS allowed and the internet blocked, a name
resolves but the connection times out; an ``ipBlock`` lets it through.
"""
from __future__ import annotations

import pytest

from netpol_kernel.api.manifests import load_documents
from netpol_kernel.sim.cluster import EmbeddedCluster
from netpol_kernel.sim.hostclient import host_exec
from netpol_kernel.sim.outside import EXAMPLE_PAGE

CLIENTS = """
apiVersion: v1
kind: Pod
metadata: {name: bb, labels: {app: client}}
spec: {containers: [{name: c, image: busybox:1.36, command: [sleep, "3600"]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: cu, labels: {app: client}}
spec: {containers: [{name: c, image: curlimages/curl:8.11.1, command: [sleep, "3600"]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, nodePort: 30080}]}
"""

EGRESS_DNS_ONLY = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns-only}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}},
          podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
"""

EGRESS_INTERNET = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: internet}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}}]
"""


@pytest.fixture()
def c() -> EmbeddedCluster:
    cluster = EmbeddedCluster()
    cluster.apply(load_documents(CLIENTS))
    return cluster


def test_names_outside_the_cluster_resolve_through_kube_dns(c):
    r = c.exec("bb", ["nslookup", "example.com"])
    # busybox 1.36 networking/nslookup.c: a dotted name is asked as is, for A and AAAA; each
    # reply is printed, "Non-authoritative answer:" when the AA bit is clear (parse_reply),
    # then a newline. The modelled internet has no AAAA records: that reply is the header alone.
    assert r.stdout == ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nNon-authoritative answer:\n"
                        "Name:\texample.com\nAddress: 23.192.228.80\n\nNon-authoritative answer:\n\n")
    r = c.exec("bb", ["nslookup", "example.com", "8.8.8.8"])
    assert r.stdout.startswith("Server:\t\t8.8.8.8\nAddress:\t8.8.8.8:53\n\nNon-authoritative answer:\n")
    assert c.exec("bb", ["wget", "-qO-", "http://example.com"]).stdout == EXAMPLE_PAGE
    assert c.exec("cu", ["curl", "-s", "https://example.com/"]).stdout == EXAMPLE_PAGE
    r = c.exec("cu", ["curl", "-sI", "http://kubernetes.io"])
    assert r.stdout.startswith("HTTP/1.1 301 Moved Permanently\r\n") and "Location: https://kubernetes.io/\r\n" in r.stdout


def test_other_names_are_nxdomain_in_each_tools_words(c):
    # curl lib/hostip.c "Could not resolve host: %s" (6); busybox "bad address '%s'".
    r = c.exec("cu", ["curl", "-sS", "http://nosuch.example"])
    assert (r.stderr, r.exit_code) == ("curl: (6) Could not resolve host: nosuch.example\n", 6)
    assert c.exec("bb", ["wget", "http://nosuch.example"]).stderr == "wget: bad address 'nosuch.example'\n"
    assert c.exec("bb", ["nc", "-z", "nosuch.example", "80"]).stderr == "nc: bad address 'nosuch.example'\n"
    r = c.exec("bb", ["nslookup", "nosuch.example", "1.1.1.1"])
    assert (r.exit_code, r.stdout) == (1, "Server:\t\t1.1.1.1\nAddress:\t1.1.1.1:53\n\n"
                                       + "** server can't find nosuch.example: NXDOMAIN\n\n" * 2)


def test_dns_allowed_internet_blocked_then_allowed_by_ipblock(c):
    c.apply(load_documents(EGRESS_DNS_ONLY))
    assert c.exec("bb", ["nslookup", "example.com"]).exit_code == 0
    r = c.exec("bb", ["wget", "-q", "-T", "3", "-O-", "http://example.com"])
    assert (r.stderr, r.exit_code) == ("wget: download timed out\n", 1)
    r = c.exec("cu", ["curl", "-sS", "--connect-timeout", "3", "http://example.com"])
    # curl 8 lib/connect.c: "Failed to connect to H port P after N ms: Timeout was reached" (28).
    assert (r.stderr, r.exit_code) == (
        "curl: (28) Failed to connect to example.com port 80 after 3001 ms: Timeout was reached\n", 28)
    r = c.exec("bb", ["ping", "-c", "1", "-W", "1", "8.8.8.8"])
    assert r.exit_code == 1 and "100% packet loss" in r.stdout
    c.apply(load_documents(EGRESS_INTERNET))
    assert c.exec("bb", ["wget", "-qO-", "http://example.com"]).stdout == EXAMPLE_PAGE
    # The ipBlock rule lists no ports, so ICMP passes too (kube-network-policies).
    assert c.exec("bb", ["ping", "-c", "1", "8.8.8.8"]).exit_code == 0
    # The except ranges still hold for the cluster's own addresses.
    assert c.exec("bb", ["wget", "-q", "-T", "2", "-O-", "http://web"]).stderr == "wget: download timed out\n"


def test_a_client_outside_the_cluster(c):
    # From the kind host, a NodePort answers on the node's address (172.18.0.2).
    r = host_exec(c, ["curl", "-s", "http://172.18.0.2:30080"])
    assert (r.stdout, r.exit_code) == (c.exec("cu", ["curl", "-s", "web"]).stdout, 0)
    # Pod and ClusterIP addresses have no route from the host.
    ip = c.get("Pod", name="web")[0]["status"]["podIP"]
    assert host_exec(c, ["curl", "-sS", "--max-time", "2", f"http://{ip}"]).exit_code == 28
    c.apply(load_documents("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-clients}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]
"""))
    assert host_exec(c, ["curl", "-sS", "--max-time", "2", "http://172.18.0.2:30080"]).exit_code == 28
    # kube-proxy masquerades NodePort traffic (externalTrafficPolicy: Cluster): the pod sees the node.
    c.apply(load_documents("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-node}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{ipBlock: {cidr: 172.18.0.2/32}}]}]
"""))
    assert host_exec(c, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://172.18.0.2:30080"]).stdout == "200"
    assert host_exec(c, ["sh", "-c", "curl -s example.com | grep -c 'Example Domain'"]).stdout == "1\n"  # one line
