"""The embedded cluster, driven through its Backend API the way the lab drives kubectl."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from netpol_kernel.backends.base import Backend, ExecResult
from netpol_kernel.backends.base import ApplyErrors
from netpol_kernel.errors import AlreadyExistsError, ManifestError, NamespaceMismatchError, NetpolError, NotFoundError
from netpol_kernel.policy.selectors import SelectorError, parse_selector
from netpol_kernel.sim.cluster import EmbeddedCluster
from netpol_kernel.api.manifests import load_documents
from labfiles import lab_manifest

# ---------------------------------------------------------------- the lab's manifests (verbatim)

SIMPLE_APP = lab_manifest("simple-app.yaml")

BACKEND_INGRESS_DENY = lab_manifest("backend-ingress-deny.yaml")

BACKEND_ALLOW_FRONTEND = lab_manifest("backend-allow-ingress-frontend.yaml")

DENY_NETPOL = lab_manifest("deny-netpol.yaml")

FRONTEND_TO_BACKEND = lab_manifest("lab-frontend-to-backend.yaml")

# The example app of the training's earlier labs (see notes/reference.md), plus a client pod.
EXAMPLE_APP = """
apiVersion: v1
kind: Secret
metadata: {name: mariadb}
data:
  database-name: YWNlbmRfZXhhbXBsZWRi
  database-password: bXlzcWxwYXNzd29yZA==
  database-root-password: bXlzcWxyb290cGFzc3dvcmQ=
  database-user: YWNlbmRfdXNlcg==
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: mariadb, labels: {app: mariadb}}
spec:
  selector: {matchLabels: {app: mariadb}}
  strategy: {type: Recreate}
  template:
    metadata: {labels: {app: mariadb}}
    spec:
      containers:
      - name: mariadb
        image: mariadb:10.5
        env:
        - {name: MYSQL_USER, valueFrom: {secretKeyRef: {key: database-user, name: mariadb}}}
        - {name: MYSQL_PASSWORD, valueFrom: {secretKeyRef: {key: database-password, name: mariadb}}}
        - {name: MYSQL_ROOT_PASSWORD, valueFrom: {secretKeyRef: {key: database-root-password, name: mariadb}}}
        - {name: MYSQL_DATABASE, valueFrom: {secretKeyRef: {key: database-name, name: mariadb}}}
        livenessProbe: {tcpSocket: {port: 3306}}
        ports: [{containerPort: 3306, name: mariadb}]
---
apiVersion: v1
kind: Service
metadata: {name: mariadb, labels: {app: mariadb}}
spec: {ports: [{port: 3306}], selector: {app: mariadb}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: example-frontend, labels: {app: example-frontend}}
spec:
  replicas: 2
  selector: {matchLabels: {app: example-frontend}}
  template:
    metadata: {labels: {app: example-frontend}}
    spec:
      containers:
      - name: example-frontend
        image: quay.io/acend/example-web-python:latest
        env:
        - {name: MYSQL_DATABASE_NAME, valueFrom: {secretKeyRef: {key: database-name, name: mariadb}}}
        - {name: MYSQL_DATABASE_PASSWORD, valueFrom: {secretKeyRef: {key: database-password, name: mariadb}}}
        - {name: MYSQL_DATABASE_USER, valueFrom: {secretKeyRef: {key: database-user, name: mariadb}}}
        - name: MYSQL_URI
          value: mysql://$(MYSQL_DATABASE_USER):$(MYSQL_DATABASE_PASSWORD)@mariadb/$(MYSQL_DATABASE_NAME)
        ports: [{containerPort: 5000}]
        readinessProbe: {httpGet: {path: /health, port: 5000, scheme: HTTP}}
---
apiVersion: v1
kind: Service
metadata: {name: example-frontend, labels: {app: example-frontend}}
spec: {ports: [{port: 5000, targetPort: 5000}], selector: {app: example-frontend}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, labels: {app: client}}
spec:
  containers: [{name: client, image: "docker.io/byrnedo/alpine-curl:0.1.8", command: [/bin/ash, -c, sleep 1000000000]}]
"""

LAB_HEADERS = ("HTTP/1.1 200 OK\r\nX-Powered-By: Express\r\nVary: Origin, Accept-Encoding\r\n"
               "Access-Control-Allow-Credentials: true\r\nAccept-Ranges: bytes\r\n"
               "Cache-Control: public, max-age=0\r\nLast-Modified: Sat, 26 Oct 1985 08:15:00 GMT\r\n"
               "ETag: W/\"83d-7438674ba0\"\r\nContent-Type: text/html; charset=UTF-8\r\n"
               "Content-Length: 2109\r\nDate: <DATE>\r\nConnection: keep-alive\r\n\r\n")
TIMEOUT = "curl: (28) Connection timed out after 5001 milliseconds\n"
LAB_CURL = ["curl", "-I", "--connect-timeout", "5", "backend:8080"]
HASH = "[bcdf456789]{6,10}"
SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]{5}"


def docs(text: str, source: str = "test.yaml"):
    return load_documents(text, source)


def pod_of(c: EmbeddedCluster, app: str, ns: str = "default") -> str:
    return c.get("pods", namespace=ns, selector=f"app={app}")[0]["metadata"]["name"]


def no_date(text: str) -> str:
    return re.sub(r"Date: [^\r\n]+", "Date: <DATE>", text)


@pytest.fixture
def lab() -> EmbeddedCluster:
    c = EmbeddedCluster()
    c.apply(docs(SIMPLE_APP, "simple-app.yaml"))
    return c


def curl_both(c: EmbeddedCluster) -> tuple[ExecResult, ExecResult]:
    return (c.exec(pod_of(c, "frontend"), LAB_CURL), c.exec(pod_of(c, "not-frontend"), LAB_CURL))


# ---------------------------------------------------------------- the lab, step by step

def test_is_a_backend():
    c = EmbeddedCluster()
    assert isinstance(c, Backend) and c.name == "sim" and c.default_namespace == "default"


def test_lab_simple_app_creates_named_pods():
    c = EmbeddedCluster()
    lines = [str(r) for r in c.apply(docs(SIMPLE_APP, "simple-app.yaml"))]
    assert lines == ["deployment.apps/frontend created", "deployment.apps/not-frontend created",
                     "deployment.apps/backend created", "service/backend created"]
    pods = c.get("pods")
    assert [p["metadata"]["name"].rsplit("-", 2)[0] for p in pods] == ["backend", "frontend", "not-frontend"]
    for p in pods:
        app = p["metadata"]["labels"]["app"]
        assert re.fullmatch(f"{app}-{HASH}-{SUFFIX}", p["metadata"]["name"]), p["metadata"]["name"]
        rs = p["metadata"]["ownerReferences"][0]
        assert rs["kind"] == "ReplicaSet" and p["metadata"]["name"].startswith(rs["name"] + "-")
        assert p["metadata"]["labels"]["pod-template-hash"] == rs["name"].rsplit("-", 1)[1]
    ips = {p["metadata"]["labels"]["app"]: p["status"]["podIP"] for p in pods}
    assert ips == {"frontend": "10.244.0.5", "not-frontend": "10.244.0.6", "backend": "10.244.0.7"}
    assert sorted(p["status"]["podIP"] for p in c.get("pods", namespace="kube-system")) == \
        ["10.244.0.2", "10.244.0.3"]
    assert [str(r) for r in c.apply(docs(SIMPLE_APP))][0] == "deployment.apps/frontend unchanged"


def test_lab_connectivity_deny_and_allow(lab):
    fe, nfe = curl_both(lab)
    for r in (fe, nfe):
        assert (r.exit_code, no_date(r.stdout)) == (0, LAB_HEADERS)
    assert fe.stdout.split("Date: ")[1].startswith("Tue, 23 Nov 2021 12:50:")

    assert [str(r) for r in lab.apply(docs(BACKEND_INGRESS_DENY))] == \
        ["networkpolicy.networking.k8s.io/backend-ingress-deny created"]
    for r in curl_both(lab):
        assert (r.exit_code, r.stdout) == (28, "")
        assert r.stderr.endswith(TIMEOUT)
        assert r.output.endswith(TIMEOUT + "command terminated with exit code 28\n")

    lab.apply(docs(BACKEND_ALLOW_FRONTEND))
    fe, nfe = curl_both(lab)
    assert (fe.exit_code, no_date(fe.stdout)) == (0, LAB_HEADERS)
    assert nfe.exit_code == 28 and nfe.stderr.endswith(TIMEOUT)
    assert [p["metadata"]["name"] for p in lab.get("netpol")] == \
        ["backend-allow-ingress-frontend", "backend-ingress-deny"]

    # The lab's own command has a stray comma: the first name is not found.
    with pytest.raises(NotFoundError) as err:
        lab.delete("netpol", "backend-allow-ingress-frontend,")
    assert str(err.value) == ('Error from server (NotFound): networkpolicies.networking.k8s.io '
                              '"backend-allow-ingress-frontend," not found')
    for name in ("backend-allow-ingress-frontend", "backend-ingress-deny"):
        r = lab.delete("netpol", name)
        assert (r.kind, r.name, r.action) == ("NetworkPolicy", name, "deleted")
    assert all(r.exit_code == 0 for r in curl_both(lab))
    assert lab.get("netpol") == []


def test_verdicts_explain_the_block(lab):
    lab.apply(docs(BACKEND_ALLOW_FRONTEND))
    eng = lab.engine()
    be = f"default/{pod_of(lab, 'backend')}"
    assert eng.evaluate(f"default/{pod_of(lab, 'frontend')}", be, 8080).allowed
    v = eng.evaluate(f"default/{pod_of(lab, 'not-frontend')}", be, 8080)
    assert not v.allowed and "backend-allow-ingress-frontend" in v.explain()
    assert lab.engine() is eng  # cached until the state changes
    lab.label("pod", pod_of(lab, "not-frontend"), {"role": "x"})
    assert lab.engine() is not eng


# ---------------------------------------------------------------- DNS

BUSYBOX_POD = """
apiVersion: v1
kind: Pod
metadata: {name: bb, labels: {app: bb}}
spec: {containers: [{name: bb, image: busybox:1.36, command: [sleep, "3600"]}]}
"""


def test_default_deny_without_allow_dns_breaks_name_lookup(lab):
    lab.apply(docs(BUSYBOX_POD))
    lab.apply(docs(DENY_NETPOL.split("---")[0]))
    fe = pod_of(lab, "frontend")
    r = lab.exec(fe, ["curl", "-sS", "--connect-timeout", "5", "backend:8080"])
    assert (r.exit_code, r.stderr) == (28, "curl: (28) Resolving timed out after 5000 milliseconds\n")
    r = lab.exec(fe, ["curl", "-sS", "backend:8080"])
    assert (r.exit_code, r.stderr) == (6, "curl: (6) Could not resolve host: backend\n")
    r = lab.exec("bb", ["nslookup", "backend"])
    assert (r.exit_code, r.stdout) == (1, ";; connection timed out; no servers could be reached\n\n")

    lab.apply(docs(DENY_NETPOL))  # now with allow-dns
    r = lab.exec("bb", ["nslookup", "backend"])
    svc_ip = lab.get("svc", name="backend")[0]["spec"]["clusterIP"]
    # busybox 1.36 networking/nslookup.c: one A and one AAAA query per search domain, every
    # reply printed (errors as "** server can't find"), status 1 if any reply was an error.
    nx = "** server can't find backend.{}: NXDOMAIN\n\n"
    assert (r.exit_code, r.stdout) == (1, "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
                                          f"Name:\tbackend.default.svc.cluster.local\nAddress: {svc_ip}\n\n"
                                          + nx.format("svc.cluster.local") + nx.format("cluster.local")
                                          + "\n" + nx.format("svc.cluster.local") + nx.format("cluster.local"))
    r = lab.exec("bb", ["nslookup", "backend.default.svc.cluster.local"])
    assert (r.exit_code, r.stdout) == (0, "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
                                          f"Name:\tbackend.default.svc.cluster.local\nAddress: {svc_ip}\n\n\n")
    # busybox 1.36 networking/nslookup.c add_query_with_search: a name with a dot is asked as
    # is, without the search list, so "backend.default" is NXDOMAIN (A and AAAA replies) ...
    r = lab.exec("bb", ["nslookup", "backend.default"])
    assert (r.exit_code, r.stdout.count("** server can't find backend.default: NXDOMAIN\n")) == (1, 2)
    # ... while programs resolving through getaddrinfo apply ndots:5 and find it.
    assert lab.exec("bb", ["wget", "-q", "-T", "1", "-O-", "backend.default:8080"]).stderr != (
        "wget: bad address 'backend.default:8080'\n")
    # The lookup works; the connection itself is judged (and default-deny blocks it).
    r = lab.exec(fe, ["curl", "-sS", "--connect-timeout", "5", "backend:8080"])
    assert (r.exit_code, r.stderr) == (28, TIMEOUT)
    r = lab.exec(fe, ["curl", "-sS", "--connect-timeout", "5", "nosuch:8080"])
    assert (r.exit_code, r.stderr) == (6, "curl: (6) Could not resolve host: nosuch\n")


def test_dns_blocked_on_the_coredns_side():
    c = EmbeddedCluster()
    c.apply(docs(BUSYBOX_POD))
    c.apply(docs("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: lock-dns, namespace: kube-system}
spec: {podSelector: {matchLabels: {k8s-app: kube-dns}}}
"""))
    assert c.exec("bb", ["nslookup", "kubernetes"]).exit_code == 1


# ---------------------------------------------------------------- the example app

ALLOW_CLIENT = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {app: example-frontend}}}], ports: [{port: 5000}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: frontend-ingress}
spec:
  podSelector: {matchLabels: {app: example-frontend}}
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 5000}]}]
"""
FRONTEND_EGRESS = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: frontend-egress}
spec:
  podSelector: {matchLabels: {app: example-frontend}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {app: mariadb}}}], ports: [{protocol: TCP, port: 3306}]}]
"""


def test_example_app_breaks_and_recovers():
    c = EmbeddedCluster()
    c.apply(docs(EXAMPLE_APP, "example.yaml"))
    env = c.exec("deploy/example-frontend", ["printenv", "MYSQL_URI"])
    assert env.stdout == "mysql://acend_user:mysqlpassword@mariadb/acend_exampledb\n"
    get = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-m", "10", "example-frontend:5000/hellos"]
    assert c.exec("client", get).stdout == "200"
    assert c.exec("client", ["curl", "-sS", "-m", "10", "example-frontend:5000/"]).stdout.startswith("<!DOCTYPE html>")

    # The lab's isolation policies: default-deny + allow-dns, and frontend-to-backend
    # whose hard-coded namespace does not exist (mistake 4 in the notes).
    c.apply(docs(DENY_NETPOL))
    with pytest.raises(ApplyErrors) as err:
        c.apply(docs(FRONTEND_TO_BACKEND, "frontend-to-backend.yaml"))
    assert str(err.value) == 'Error from server (NotFound): namespaces "your-namespace" not found'
    with pytest.raises(ApplyErrors) as err:
        c.apply(docs(FRONTEND_TO_BACKEND), namespace="default")
    assert isinstance(err.value.errors[0][1], NamespaceMismatchError)
    fixed = FRONTEND_TO_BACKEND.replace("  namespace: your-namespace\n", "")
    c.apply(docs(fixed))
    r = c.exec("client", get)  # the client may not even reach the frontend
    assert (r.exit_code, r.stdout, r.stderr) == (28, "000", "curl: (28) Connection timed out after 10001 milliseconds\n")

    # Let the client in: the page renders, but the app cannot reach its database.
    c.apply(docs(ALLOW_CLIENT))
    assert c.exec("client", ["curl", "-sS", "-m", "10", "example-frontend:5000/health"]).stdout == "ok"
    r = c.exec("client", ["curl", "-sS", "-m", "10", "example-frontend:5000/hellos"])
    assert (r.exit_code, r.stderr) == (28, "curl: (28) Operation timed out after 10001 milliseconds with 0 bytes received\n")
    r = c.exec("client", ["curl", "-si", "example-frontend:5000/hellos"])  # after the kernel gives up: 500
    assert r.stdout.startswith("HTTP/1.1 500 INTERNAL SERVER ERROR\r\n")
    web = f"default/{pod_of(c, 'example-frontend')}"
    db = f"default/{pod_of(c, 'mariadb')}"
    assert "default-deny" in c.engine().evaluate(web, db, 3306).explain()

    c.apply(docs(FRONTEND_EGRESS))
    assert c.exec("client", get).stdout == "200"


def test_debug_runs_in_the_pods_network_identity():
    c = EmbeddedCluster()
    c.apply(docs(EXAMPLE_APP))
    web = pod_of(c, "example-frontend")
    r = c.exec(web, ["curl", "-s", "mariadb:3306"])
    assert r.exit_code == 1 and '"curl": executable file not found' in r.output
    cmd = ["curl", "-sS", "--connect-timeout", "5", "mariadb:3306"]
    r = c.debug(web, "docker.io/byrnedo/alpine-curl:0.1.8", cmd, target="example-frontend")
    assert r.exit_code == 56 and "MariaDB" in r.stdout  # reached, and mariadb does not speak HTTP
    c.apply(docs(DENY_NETPOL))
    r = c.debug(web, "docker.io/byrnedo/alpine-curl:0.1.8", cmd)
    assert (r.exit_code, r.stderr) == (28, TIMEOUT)
    eph = c.get("pods", name=web)[0]["spec"]["ephemeralContainers"]
    assert len(eph) == 2 and eph[0]["name"].startswith("debugger-")


# ---------------------------------------------------------------- determinism and atomicity

def run_script(c: EmbeddedCluster) -> list:
    out = [str(r) for r in c.apply(docs(SIMPLE_APP))]
    out.append(c.exec(pod_of(c, "frontend"), LAB_CURL).output)
    c.apply(docs(BACKEND_ALLOW_FRONTEND))
    out.append(c.exec(pod_of(c, "not-frontend"), LAB_CURL).output)
    out.append(c.exec("deploy/frontend", ["ps"]).output)
    return out + [c.get("pods", all_namespaces=True), c.get("svc", all_namespaces=True)]


def test_two_clusters_agree_byte_for_byte():
    assert run_script(EmbeddedCluster()) == run_script(EmbeddedCluster())
    assert run_script(EmbeddedCluster(seed="other"))[-2] != run_script(EmbeddedCluster())[-2]


def everything(c: EmbeddedCluster) -> list:
    return [c.get(k, all_namespaces=True) for k in ("ns", "pods", "deploy", "rs", "svc", "netpol", "secret")] + [c.now()]


def test_apply_reports_each_object_like_kubectl(lab):
    bad = """
apiVersion: v1
kind: ConfigMap
metadata: {name: one}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: two, namespace: nowhere}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: three}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad}
spec: {podSelector: {}, ingress: [{ports: [{port: 70000}]}]}
"""
    with pytest.raises(ApplyErrors) as err:
        lab.apply(docs(bad))
    assert [str(r) for r in err.value.results] == ["configmap/one created", "configmap/three created"]
    assert [type(e) for _, e in err.value.errors] == [NotFoundError, ManifestError]
    assert [d.index for d, _ in err.value.errors] == [1, 3]
    assert [m["metadata"]["name"] for m in lab.get("cm")] == ["one", "three"]


def test_an_internal_failure_rolls_the_command_back(lab, monkeypatch):
    before = everything(lab)
    import netpol_kernel.sim.cluster as cluster_mod
    calls = {"n": 0, "fail_at": 2}  # fail after the 2nd document has been applied
    real = cluster_mod.reconcile

    def flaky(st):
        calls["n"] += 1
        real(st)
        if calls["n"] == calls["fail_at"]:
            raise RuntimeError("injected")
    monkeypatch.setattr(cluster_mod, "reconcile", flaky)
    three = SIMPLE_APP.replace("frontend", "web")  # three new deployments and a service
    with pytest.raises(RuntimeError):
        lab.apply(docs(three))
    assert everything(lab) == before
    calls.update(n=0, fail_at=1)
    with pytest.raises(RuntimeError):
        lab.label("pod", pod_of(lab, "frontend"), {"x": "y"})
    assert everything(lab) == before


def test_failed_commands_change_nothing(lab):
    before = everything(lab)
    with pytest.raises(NotFoundError):
        lab.delete("deploy", "nope")
    with pytest.raises(NetpolError):
        lab.label("pod", pod_of(lab, "frontend"), {"app": "other"})
    with pytest.raises(AlreadyExistsError):
        lab.create_namespace("default")
    assert everything(lab)[:-1] == before[:-1]


# ---------------------------------------------------------------- exec details

def test_exec_errors_and_targets(lab):
    with pytest.raises(NotFoundError) as err:
        lab.exec("nope", ["curl", "backend:8080"])
    assert str(err.value) == 'Error from server (NotFound): pods "nope" not found'
    with pytest.raises(NotFoundError) as err:
        lab.exec("deploy/nope", ["ls"])
    assert str(err.value) == 'Error from server (NotFound): deployments.apps "nope" not found'
    # A port the Service does not have is not routed anywhere: the SYN goes unanswered.
    r = lab.exec("deploy/frontend", ["curl", "-sS", "--connect-timeout", "5", "backend:9999"])
    assert (r.exit_code, r.stderr) == (28, TIMEOUT)
    be_ip = lab.get("pods", selector="app=backend")[0]["status"]["podIP"]
    r = lab.exec("deployment/frontend", ["curl", "-sS", f"{be_ip}:9999"])
    assert (r.exit_code, r.stderr) == (7, f"curl: (7) Failed to connect to {be_ip} port 9999: Connection refused\n")
    r = lab.exec("deploy/frontend", ["curl", "-sI", f"http://{be_ip}:8080/"])
    assert r.exit_code == 0
    r = lab.exec("deploy/frontend", ["xyz"])
    assert r.exit_code == 1 and r.output.startswith("error: Internal error occurred:")
    assert "command terminated" not in r.output
    r = lab.exec("deploy/frontend", ["hostname"], container="nope")
    assert r.exit_code == 1 and 'container not found ("nope")' in r.output
    assert lab.exec("deploy/frontend", ["hostname"]).stdout == pod_of(lab, "frontend") + "\n"


def test_service_without_endpoints_refuses(lab):
    lab.scale("deploy", "backend", 0)
    r = lab.exec("deploy/frontend", ["curl", "-sS", "--connect-timeout", "5", "backend:8080"])
    assert (r.exit_code, r.stderr) == (7, "curl: (7) Failed to connect to backend port 8080: Connection refused\n")
    ep = lab.get("endpoints", name="backend")[0]
    assert "subsets" not in ep


# ---------------------------------------------------------------- API objects

def test_objects_look_like_the_api_servers(lab):
    dep = lab.get("deploy", name="frontend")[0]
    md, spec, status = dep["metadata"], dep["spec"], dep["status"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", md["uid"])
    assert md["generation"] == 1 and md["resourceVersion"].isdigit()
    assert md["creationTimestamp"] == "2021-11-23T12:50:45Z"
    assert md["annotations"]["deployment.kubernetes.io/revision"] == "1"
    applied = md["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    assert applied.startswith('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},'
                              '"labels":{"app":"frontend"},"name":"frontend","namespace":"default"}')
    assert applied.endswith("\n")
    assert spec["strategy"] == {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"}
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (10, 600)
    c0 = spec["template"]["spec"]["containers"][0]
    assert (c0["terminationMessagePath"], c0["imagePullPolicy"]) == ("/dev/termination-log", "IfNotPresent")
    assert spec["template"]["spec"]["dnsPolicy"] == "ClusterFirst"
    assert {k: status[k] for k in ("replicas", "readyReplicas", "availableReplicas", "updatedReplicas")} == \
        {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1, "updatedReplicas": 1}
    assert [c["type"] for c in status["conditions"]] == ["Available", "Progressing"]

    pod = lab.get("pods", selector="app=frontend")[0]
    assert pod["status"]["phase"] == "Running" and pod["status"]["hostIP"] == "172.18.0.2"
    assert pod["status"]["podIPs"] == [{"ip": pod["status"]["podIP"]}]
    cs = pod["status"]["containerStatuses"][0]
    assert (cs["ready"], cs["restartCount"], cs["image"]) == (True, 0, "docker.io/byrnedo/alpine-curl:0.1.8")
    assert pod["spec"]["nodeName"] == "kind-control-plane" and pod["spec"]["restartPolicy"] == "Always"

    svc = lab.get("svc", name="backend")[0]
    assert svc["spec"]["clusterIPs"] == [svc["spec"]["clusterIP"]]
    assert svc["spec"]["clusterIP"].startswith("10.96.") and not svc["spec"]["clusterIP"].startswith("10.96.0.")
    assert svc["spec"]["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP", "targetPort": 8080}]
    assert (svc["spec"]["sessionAffinity"], svc["spec"]["ipFamilies"]) == ("None", ["IPv4"])
    ep = lab.get("endpoints", name="backend")[0]
    assert ep["subsets"][0]["addresses"][0]["ip"] == "10.244.0.7"

    lab.apply(docs(BACKEND_INGRESS_DENY))
    pol = lab.get("netpol", name="backend-ingress-deny")[0]
    assert pol["spec"]["policyTypes"] == ["Ingress"] and pol["metadata"]["generation"] == 1

    kube = lab.get("svc", namespace="kube-system", name="kube-dns")[0]
    assert kube["spec"]["clusterIP"] == "10.96.0.10"
    coredns = lab.get("pods", namespace="kube-system", selector="k8s-app=kube-dns")
    assert len(coredns) == 2 and all(p["metadata"]["name"].startswith("coredns-") for p in coredns)
    assert lab.get("ns", name="kube-system")[0]["metadata"]["labels"] == {"kubernetes.io/metadata.name": "kube-system"}
    assert lab.get("svc", name="kubernetes")[0]["spec"]["clusterIP"] == "10.96.0.1"
    assert lab.get("nodes")[0]["status"]["addresses"][0] == {"address": "172.18.0.2", "type": "InternalIP"}


def test_not_found_wordings(lab):
    for kind, word in (("pods", "pods"), ("netpol", "networkpolicies.networking.k8s.io"),
                       ("deploy", "deployments.apps"), ("svc", "services")):
        with pytest.raises(NotFoundError) as err:
            lab.get(kind, name="x")
        assert str(err.value) == f'Error from server (NotFound): {word} "x" not found'


def test_reapply_rollout_scale_and_delete(lab):
    old_pod = pod_of(lab, "backend")
    changed = SIMPLE_APP.replace('value: "8080"', 'value: "8081"')
    lines = [str(r) for r in lab.apply(docs(changed))]
    assert lines == ["deployment.apps/frontend unchanged", "deployment.apps/not-frontend unchanged",
                     "deployment.apps/backend configured", "service/backend unchanged"]
    new_pod = pod_of(lab, "backend")
    assert new_pod != old_pod and len(lab.get("pods", selector="app=backend")) == 1
    rss = lab.get("rs", selector="app=backend")
    assert sorted(r["spec"]["replicas"] for r in rss) == [0, 1]
    assert lab.get("deploy", name="backend")[0]["metadata"]["generation"] == 2
    # json-mock now listens on 8081 while the Service still targets 8080: refused.
    r = lab.exec("deploy/frontend", ["curl", "-sS", "backend:8080"])
    assert r.exit_code == 7

    assert lab.scale("deploy", "frontend", 3) == "deployment.apps/frontend scaled"
    assert len(lab.get("pods", selector="app=frontend")) == 3
    victim = pod_of(lab, "frontend")
    lab.delete("pod", victim)
    names = [p["metadata"]["name"] for p in lab.get("pods", selector="app=frontend")]
    assert len(names) == 3 and victim not in names  # the ReplicaSet replaced it

    assert lab.delete("deploy", "frontend").action == "deleted"
    assert lab.get("pods", selector="app=frontend") == [] and lab.get("rs", selector="app=frontend") == []


def test_labels_change_verdicts_at_once(lab):
    lab.apply(docs(BACKEND_ALLOW_FRONTEND))
    nfe = pod_of(lab, "not-frontend")
    with pytest.raises(NetpolError) as err:
        lab.label("pod", nfe, {"app": "frontend"})
    assert str(err.value) == "error: 'app' already has a value (not-frontend), and --overwrite is false"
    assert lab.label("pod", nfe, {"app": "frontend"}, overwrite=True) == f"pod/{nfe} labeled"
    assert lab.exec(nfe, LAB_CURL).exit_code == 0
    # The relabelled pod left its ReplicaSet, which made a replacement.
    assert len(lab.get("pods", selector="app=not-frontend")) == 1
    assert lab.label("pod", nfe, {"app": None}) == f"pod/{nfe} unlabeled"

    cross = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-team, namespace: default}
spec:
  podSelector: {matchLabels: {app: backend}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: blue}}}]}]
"""
    lab.delete("netpol", "backend-allow-ingress-frontend")
    lab.apply(docs(cross))
    assert lab.create_namespace("other") == "namespace/other created"
    lab.apply(docs(BUSYBOX_POD), namespace="other")
    wget = ["wget", "-qO-", "-T", "2", "backend.default:8080/public/1"]
    assert lab.exec("bb", wget, namespace="other").exit_code == 1
    assert lab.label("ns", "other", {"team": "blue"}) == "namespace/other labeled"
    assert lab.exec("bb", wget, namespace="other").exit_code == 0
    assert lab.get("ns", name="other")[0]["metadata"]["labels"] == \
        {"kubernetes.io/metadata.name": "other", "team": "blue"}


def test_statefulset_daemonset_and_bare_pods():
    c = EmbeddedCluster()
    c.apply(docs("""
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: mariadb:10.5}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: a, image: busybox:1.36}]}
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 3306}]}
"""))
    assert [p["metadata"]["name"] for p in c.get("pods", selector="app=db")] == ["db-0", "db-1"]
    agents = c.get("pods", selector="app=agent")
    assert len(agents) == 1 and re.fullmatch(f"agent-{SUFFIX}", agents[0]["metadata"]["name"])
    r = c.exec(agents[0]["metadata"]["name"], ["nslookup", "db-1.db.default.svc.cluster.local"])
    assert r.exit_code == 0 and c.get("pods", name="db-1")[0]["status"]["podIP"] in r.stdout
    assert c.get("svc", name="db")[0]["spec"]["clusterIP"] == "None"
    c.scale("sts", "db", 1)
    assert [p["metadata"]["name"] for p in c.get("pods", selector="app=db")] == ["db-0"]


def test_label_selectors():
    assert parse_selector("app=frontend").matches({"app": "frontend"})
    assert parse_selector("app!=x").matches({}) and not parse_selector("app!=x").matches({"app": "x"})
    assert parse_selector("app in (a, b),tier").matches({"app": "b", "tier": "1"})
    assert not parse_selector("!app").matches({"app": "a"}) and parse_selector("app").matches({"app": ""})
    assert parse_selector("app notin (a)").matches({"app": "b"})
    with pytest.raises(SelectorError):
        parse_selector("app in a")


def test_clock_injection_and_default_clock():
    t = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    c = EmbeddedCluster(clock=lambda: t)
    c.apply(docs(BUSYBOX_POD))
    assert c.get("pods", name="bb")[0]["metadata"]["creationTimestamp"] == "2030-01-02T03:04:05Z"
    d = EmbeddedCluster()
    start = d.now()
    d.create_namespace("a")
    coredns = d.get("pods", namespace="kube-system")[0]["metadata"]["name"]
    assert d.exec(coredns, ["sh"], namespace="kube-system").exit_code == 1  # distroless: no shell
    assert d.get("ns", name="a")[0]["metadata"]["creationTimestamp"] == "2021-11-23T12:50:45Z"
    assert (d.now() - start).total_seconds() == 1


def test_namespace_and_its_objects_in_one_file_and_pod_updates():
    c = EmbeddedCluster()
    text = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
""" + BUSYBOX_POD.replace("metadata: {name: bb,", "metadata: {name: bb, namespace: shop,")
    assert [str(r) for r in c.apply(docs(text))] == ["namespace/shop created", "pod/bb created"]
    assert c.get("pods", namespace="shop")[0]["metadata"]["namespace"] == "shop"
    changed = text.replace('command: [sleep, "3600"]', 'command: [sleep, "60"]')
    with pytest.raises(ApplyErrors) as err:
        c.apply(docs(changed))
    assert str(err.value).startswith('The Pod "bb" is invalid: spec: Forbidden: pod updates may not change')
    assert [str(r) for r in err.value.results] == ["namespace/shop unchanged"]
    with pytest.raises(NetpolError, match="may not be deleted"):
        c.delete("ns", "default")
    c.delete("ns", "shop")
    assert c.get("pods", namespace="shop") == []


def test_addresses_outside_the_pods():
    c = EmbeddedCluster()
    c.apply(docs(BUSYBOX_POD))
    assert c.exec("bb", ["nc", "-z", "-w", "2", "10.96.0.1", "443"]).exit_code == 0  # the API server
    assert c.exec("bb", ["nc", "-z", "-w", "2", "8.8.8.8", "53"]).exit_code == 0  # the modelled internet
    assert c.exec("bb", ["nc", "-z", "-w", "2", "203.0.113.5", "80"]).exit_code == 1  # nobody there
    c.apply(docs(DENY_NETPOL))
    assert c.exec("bb", ["nc", "-z", "-w", "2", "10.96.0.1", "443"]).exit_code == 1
    c.apply(docs("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: to-apiserver}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 172.18.0.2/32}}], ports: [{port: 6443}]}]
"""))
    assert c.exec("bb", ["nc", "-z", "-w", "2", "10.96.0.1", "443"]).exit_code == 0


def test_reapplying_a_bare_pod_is_unchanged_and_may_change_its_image():
    c = EmbeddedCluster()
    c.apply(docs(BUSYBOX_POD))
    assert [str(r) for r in c.apply(docs(BUSYBOX_POD))] == ["pod/bb unchanged"]
    assert [str(r) for r in c.apply(docs(BUSYBOX_POD.replace("busybox:1.36", "busybox:1.37")))] == \
        ["pod/bb configured"]
    assert c.get("pods", name="bb")[0]["spec"]["containers"][0]["image"] == "busybox:1.37"


def test_a_host_network_pod_is_defaulted_reachable_and_policed_like_the_engine_says(lab):
    lab.apply(docs("""apiVersion: v1
kind: Pod
metadata: {name: agent, labels: {app: agent}}
spec:
  hostNetwork: true
  containers: [{name: web, image: docker.io/cilium/json-mock:1.2, ports: [{containerPort: 80}]}]
"""))
    agent = lab.get("pods", namespace="default", name="agent")[0]
    # SetDefaults_Pod: a hostNetwork Pod's unset hostPort becomes its containerPort
    assert agent["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "hostPort": 80, "protocol": "TCP"}]
    curl = ["curl", "-sSI", "--connect-timeout", "2", f"http://{agent['status']['podIP']}"]
    assert lab.exec(pod_of(lab, "frontend"), curl).exit_code == 0
    lab.apply(docs("""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""))
    assert lab.exec(pod_of(lab, "frontend"), curl).exit_code == 28  # the engine polices it: blocked
    assert lab.engine().evaluate(f"default/{pod_of(lab, 'frontend')}", "default/agent", 80).host_network == (
        "default/agent",)
