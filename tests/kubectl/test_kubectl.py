"""kubectl(): exact text for each command of the course's subset, against a fake backend.

Expected outputs are kubectl's own (see the notes in netpol_kernel/kubectl/command.py
and render.py); the lab's printed outputs are reproduced where the lab shows one.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from fakes import FakeBackend, deployment, namespace, netpol, pod, service
from netpol_kernel.backends.base import ExecResult
from netpol_kernel.kubectl import KubectlResult, kubectl
from netpol_kernel.kubectl.render import human_duration
from labfiles import lab_manifest

FRONTEND = "frontend-5f7d4b8b7d-abcde"
NOT_FRONTEND = "not-frontend-7d9f8c6b5-fghij"
BACKEND = "backend-6c9d8f7b5-xyz12"

SIMPLE_APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
  labels:
    app: frontend
spec:
  replicas: 1
  selector:
    matchLabels:
      app: frontend
  template:
    metadata:
      labels:
        app: frontend
    spec:
      containers:
      - name: frontend-container
        image: docker.io/byrnedo/alpine-curl:0.1.8
        imagePullPolicy: IfNotPresent
        command: [ "/bin/ash", "-c", "sleep 1000000000" ]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  labels:
    app: backend
spec:
  replicas: 1
  selector:
    matchLabels:
      app: backend
  template:
    metadata:
      labels:
        app: backend
    spec:
      containers:
      - name: backend-container
        env:
        - name: PORT
          value: "8080"
        ports:
        - containerPort: 8080
        image: docker.io/cilium/json-mock:1.2
        imagePullPolicy: IfNotPresent
---
apiVersion: v1
kind: Service
metadata:
  name: backend
  labels:
    app: backend
spec:
  type: ClusterIP
  selector:
    app: backend
  ports:
  - name: http
    port: 8080
"""

DENY = lab_manifest("backend-ingress-deny.yaml")

DENY_NETPOL = lab_manifest("deny-netpol.yaml")


@pytest.fixture
def lab() -> FakeBackend:
    """The lab's simple app, running for a minute."""
    return FakeBackend([
        deployment("frontend", image="docker.io/byrnedo/alpine-curl:0.1.8"),
        deployment("not-frontend", image="docker.io/byrnedo/alpine-curl:0.1.8"),
        deployment("backend", image="docker.io/cilium/json-mock:1.2"),
        pod(FRONTEND, labels={"app": "frontend"}, ip="10.244.0.5"),
        pod(NOT_FRONTEND, labels={"app": "not-frontend"}, ip="10.244.0.6"),
        pod(BACKEND, labels={"app": "backend"}, ip="10.244.0.7"),
        service("backend", cluster_ip="10.96.45.12"),
        service("kubernetes", ports=(443,), cluster_ip="10.96.0.1", selector={}, age=7200),
        service("kube-dns", ports=((53, "UDP"), (53, "TCP"), (9153, "TCP")), cluster_ip="10.96.0.10",
                selector={"k8s-app": "kube-dns"}, age=7200, namespace="kube-system"),
    ])


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory holding the lab's files, made the current directory."""
    (tmp_path / "simple-app.yaml").write_text(SIMPLE_APP)
    (tmp_path / "backend-ingress-deny.yaml").write_text(DENY)
    (tmp_path / "deny-netpol.yaml").write_text(DENY_NETPOL)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch):
    """describe prints local time, as kubectl does: pin the zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def run(cmd: str, backend: FakeBackend, **kw) -> KubectlResult:
    result = kubectl(cmd, backend=backend, **kw)
    assert result.text == "".join(result.stdout + result.stderr) or result.text  # interleaved
    return result


# ---------------------------------------------------------------- AGE


@pytest.mark.parametrize("seconds, expected", [
    (-5, "<invalid>"), (-0.5, "0s"), (0, "0s"), (2, "2s"), (59, "59s"), (119, "119s"), (120, "2m"),
    (127, "2m7s"), (599, "9m59s"), (600, "10m"), (720, "12m"), (10799, "179m"), (3 * 3600, "3h"),
    (3 * 3600 + 240, "3h4m"), (8 * 3600, "8h"), (47 * 3600 + 3599, "47h"), (2 * 86400, "2d"),
    (2 * 86400 + 3 * 3600, "2d3h"), (5 * 86400, "5d"), (8 * 86400, "8d"), (400 * 86400, "400d"),
    (730 * 86400, "2y"), (731 * 86400, "2y1d"), (9 * 365 * 86400, "9y"),
])
def test_age_follows_human_duration(seconds: float, expected: str) -> None:
    assert human_duration(seconds) == expected


def test_age_column_uses_the_backend_clock(lab: FakeBackend) -> None:
    lab.add(netpol("backend-ingress-deny", {"podSelector": {"matchLabels": {"app": "backend"}}}, age=720))
    lab.add(netpol("backend-allow-ingress-frontend", {"podSelector": {"matchLabels": {"app": "backend"}}},
                   age=127))
    # The lab's own output, to the space.
    assert run("get netpol", lab).text == (
        "NAME                             POD-SELECTOR   AGE\n"
        "backend-allow-ingress-frontend   app=backend    2m7s\n"
        "backend-ingress-deny             app=backend    12m\n")


# ---------------------------------------------------------------- get


def test_get_netpol_after_apply_matches_the_lab(lab: FakeBackend, workdir: Path) -> None:
    assert run("kubectl apply -f backend-ingress-deny.yaml", lab).text == \
        "networkpolicy.networking.k8s.io/backend-ingress-deny created\n"
    lab._now = lab._now.replace(second=2)
    assert run("kubectl get netpol", lab).text == (
        "NAME                   POD-SELECTOR   AGE\n"
        "backend-ingress-deny   app=backend    2s\n")


def test_get_several_kinds_prints_one_table_each_with_kind_names(lab: FakeBackend) -> None:
    result = run("get deployment,svc", lab)
    assert result.exit_code == 0 and result.stderr == ""
    assert result.text == (
        "NAME                           READY   UP-TO-DATE   AVAILABLE   AGE\n"
        "deployment.apps/backend        1/1     1            1           60s\n"
        "deployment.apps/frontend       1/1     1            1           60s\n"
        "deployment.apps/not-frontend   1/1     1            1           60s\n"
        "\n"
        "NAME                 TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)    AGE\n"
        "service/backend      ClusterIP   10.96.45.12   <none>        8080/TCP   60s\n"
        "service/kubernetes   ClusterIP   10.96.0.1     <none>        443/TCP    120m\n")


def test_kind_prefix_as_soon_as_several_kinds_are_listed(lab: FakeBackend) -> None:
    # kubectl gets one server-side Table per kind, empty or not.
    assert run("get netpol,svc", lab).text.splitlines()[1].startswith("service/backend ")
    assert run("get svc backend kubernetes", lab).text.splitlines()[1].startswith("backend ")
    assert run("get netpol,ns -A", lab).text.startswith("NAME ")


def test_get_service_ports_list(lab: FakeBackend) -> None:
    assert run("get svc -n kube-system", lab).text == (
        "NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE\n"
        "kube-dns   ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   120m\n")


def test_get_service_wide_adds_selector(lab: FakeBackend) -> None:
    assert run("get svc backend -o wide", lab).text == (
        "NAME      TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)    AGE   SELECTOR\n"
        "backend   ClusterIP   10.96.45.12   <none>        8080/TCP   60s   app=backend\n")


def test_get_pods_and_wide(lab: FakeBackend) -> None:
    assert run("get pods", lab).text == (
        "NAME                           READY   STATUS    RESTARTS   AGE\n"
        "backend-6c9d8f7b5-xyz12        1/1     Running   0          60s\n"
        "frontend-5f7d4b8b7d-abcde      1/1     Running   0          60s\n"
        "not-frontend-7d9f8c6b5-fghij   1/1     Running   0          60s\n")
    assert run("get po -l app=frontend -o wide", lab).text == (
        "NAME                        READY   STATUS    RESTARTS   AGE   IP           NODE"
        "                 NOMINATED NODE   READINESS GATES\n"
        "frontend-5f7d4b8b7d-abcde   1/1     Running   0          60s   10.244.0.5   kind-control-plane"
        "   <none>           <none>\n")


def test_pod_status_and_restarts(lab: FakeBackend) -> None:
    lab.add(pod("starting", ready=False, age=3))
    crashing = pod("crashing", restarts=4, age=600)
    crashing["status"]["containerStatuses"][0]["lastState"] = {
        "terminated": {"finishedAt": "2024-07-28T11:58:00Z", "exitCode": 1}}
    crashing["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
    crashing["status"]["containerStatuses"][0]["ready"] = False
    lab.add(crashing)
    text = run("get pods crashing starting", lab).text
    assert text == (
        "NAME       READY   STATUS              RESTARTS     AGE\n"
        "crashing   0/1     CrashLoopBackOff    4 (2m ago)   10m\n"
        "starting   0/1     ContainerCreating   0            3s\n")


def test_get_deployments_wide(lab: FakeBackend) -> None:
    assert run("get deploy frontend -o wide", lab).text == (
        "NAME       READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS           IMAGES"
        "                                SELECTOR\n"
        "frontend   1/1     1            1           60s   frontend-container   "
        "docker.io/byrnedo/alpine-curl:0.1.8   app=frontend\n")


def test_all_namespaces_adds_namespace_column_and_show_labels(lab: FakeBackend) -> None:
    assert run("get svc -A --show-labels", lab).text == (
        "NAMESPACE     NAME         TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)"
        "                  AGE    LABELS\n"
        "default       backend      ClusterIP   10.96.45.12   <none>        8080/TCP"
        "                 60s    app=backend\n"
        "default       kubernetes   ClusterIP   10.96.0.1     <none>        443/TCP"
        "                  120m   app=kubernetes\n"
        "kube-system   kube-dns     ClusterIP   10.96.0.10    <none>        53/UDP,53/TCP,9153/TCP"
        "   120m   app=kube-dns\n")


def test_get_namespaces_and_short_columns_keep_kubectl_minimum_width(lab: FakeBackend) -> None:
    assert run("get ns", lab).text == (
        "NAME          STATUS   AGE\n"
        "default       Active   60m\n"
        "kube-system   Active   60m\n")


def test_get_secrets_endpoints_replicasets(lab: FakeBackend) -> None:
    lab.add({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
             "metadata": {"name": "mariadb", "namespace": "default", "creationTimestamp": "2024-07-28T11:59:00Z"},
             "data": {"a": "eA==", "b": "eQ==", "c": "eg==", "d": "dw=="}})
    assert run("get secrets", lab).text == ("NAME      TYPE     DATA   AGE\n"
                                           "mariadb   Opaque   4      60s\n")
    lab.add({"apiVersion": "v1", "kind": "Endpoints",
             "metadata": {"name": "backend", "namespace": "default", "creationTimestamp": "2024-07-28T11:59:00Z"},
             "subsets": [{"addresses": [{"ip": "10.244.0.7"}], "ports": [{"port": 8080, "name": "http"}]}]})
    assert run("get ep", lab).text == ("NAME      ENDPOINTS         AGE\n"
                                      "backend   10.244.0.7:8080   60s\n")
    lab.add({"apiVersion": "apps/v1", "kind": "ReplicaSet",
             "metadata": {"name": "frontend-5f7d4b8b7d", "namespace": "default",
                          "creationTimestamp": "2024-07-28T11:59:00Z"},
             "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "frontend"}}},
             "status": {"replicas": 1, "readyReplicas": 1}})
    assert run("get rs", lab).text == ("NAME                  DESIRED   CURRENT   READY   AGE\n"
                                      "frontend-5f7d4b8b7d   1         1         1       60s\n")


def test_empty_pod_selector_prints_none(lab: FakeBackend) -> None:
    lab.add(netpol("default-deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, age=5))
    assert run("get networkpolicies", lab).text == ("NAME           POD-SELECTOR   AGE\n"
                                                   "default-deny   <none>         5s\n")


def test_no_resources_found_goes_to_stderr_with_exit_0(lab: FakeBackend) -> None:
    result = run("get netpol", lab)
    assert (result.exit_code, result.stdout, result.stderr) == \
        (0, "", "No resources found in default namespace.\n")
    assert run("get netpol -n kube-system", lab).text == "No resources found in kube-system namespace.\n"
    assert run("get netpol -A", lab).text == "No resources found\n"


def test_get_missing_name_is_not_found(lab: FakeBackend) -> None:
    result = run("get pod nope", lab)
    assert (result.exit_code, result.stderr) == (1, 'Error from server (NotFound): pods "nope" not found\n')
    result = run("get pods nope " + FRONTEND, lab)
    assert result.stdout.startswith("NAME ") and result.exit_code == 1
    assert run("get netpol nope", lab).text == \
        'Error from server (NotFound): networkpolicies.networking.k8s.io "nope" not found\n'
    assert run("get pod nope --ignore-not-found", lab).text == ""


def test_get_all_lists_workloads_with_kind_names(lab: FakeBackend) -> None:
    text = run("get all", lab).text
    heads = [block.splitlines()[1].split()[0] for block in text.split("\n\n")]
    assert heads == [f"pod/{BACKEND}", "service/backend", "deployment.apps/backend"]
    lab.add({"apiVersion": "apps/v1", "kind": "StatefulSet",
             "metadata": {"name": "db", "namespace": "default", "creationTimestamp": "2024-07-28T11:59:00Z"},
             "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "m", "image": "mariadb"}]}}},
             "status": {"readyReplicas": 1}})
    assert run("get sts", lab).text == "NAME   READY   AGE\ndb     1/1     60s\n"


def test_get_type_slash_name_and_unknown_types(lab: FakeBackend) -> None:
    assert run("get deploy/backend svc/backend -o name", lab).text == \
        "deployment.apps/backend\nservice/backend\n"
    assert run("get pods,foo", lab).text == 'error: the server doesn\'t have a resource type "foo"\n'
    assert run("get", lab).text.endswith("See 'kubectl get -h' for help and examples\n")


# ---------------------------------------------------------------- -o formats


@pytest.mark.parametrize("cmd", [
    "get pods -l app=frontend -o jsonpath='{.items[0].metadata.name}'",
    'get pods -l app=frontend -o jsonpath="{.items[0].metadata.name}"',
    "get pods -l app=frontend -o=jsonpath='{.items[0].metadata.name}'",
    "get pods -l app=frontend --output=jsonpath={.items[0].metadata.name}",
    "get pods -l app=frontend -ojsonpath='{.items[0].metadata.name}'",
    "get pods --selector app=frontend -o jsonpath='{.items[*].metadata.name}'",
])
def test_jsonpath_forms_of_the_lab(lab: FakeBackend, cmd: str) -> None:
    result = run(cmd, lab)
    assert (result.text, result.value, result.exit_code) == (FRONTEND, FRONTEND, 0)


def test_jsonpath_templates(lab: FakeBackend) -> None:
    assert run("get pods -o jsonpath='{.items[*].metadata.name}'", lab).text == \
        f"{BACKEND} {FRONTEND} {NOT_FRONTEND}"
    assert run("get pod " + FRONTEND + " -o jsonpath='{.metadata.labels}'", lab).text == '{"app":"frontend"}'
    assert run("get pod " + FRONTEND + " -o jsonpath='{.status.podIP}'", lab).text == "10.244.0.5"
    assert run("get pods -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.podIP}{\"\\n\"}{end}'",
               lab).text == (f"{BACKEND}\t10.244.0.7\n{FRONTEND}\t10.244.0.5\n{NOT_FRONTEND}\t10.244.0.6\n")
    assert run("get pods -o jsonpath='{.items[?(@.status.podIP==\"10.244.0.6\")].metadata.name}'",
               lab).text == NOT_FRONTEND
    assert run("get svc backend -o jsonpath='{.spec.ports[0].port}'", lab).text == "8080"
    assert run("get svc backend -o jsonpath='{.spec.missing}'", lab).text == ""  # missing keys allowed
    assert run("get svc backend -o jsonpath-as-json='{.spec.ports[*].port}'", lab).text == \
        "[\n    8080\n]\n"


def test_jsonpath_on_no_pods_is_kubectls_long_error(lab: FakeBackend) -> None:
    result = run("get pods -l app=nothing -o jsonpath='{.items[0].metadata.name}'", lab)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        'error: error executing jsonpath "{.items[0].metadata.name}": Error executing template: '
        "array index out of bounds: index 0, length 0. Printing more information for debugging "
        "the template:\n\ttemplate was:\n\t\t{.items[0].metadata.name}\n\tobject given to jsonpath "
        'engine was:\n\t\tmap[string]interface {}{"apiVersion":"v1", "items":[]interface {}{}, '
        '"kind":"List", "metadata":map[string]interface {}{"resourceVersion":""}}\n\n')


def test_jsonpath_syntax_error(lab: FakeBackend) -> None:
    assert run("get pods -o jsonpath='{.items[0}'", lab).text == \
        "error: error parsing jsonpath {.items[0}, unterminated array\n"


def test_output_yaml_of_a_list_and_of_one_object(lab: FakeBackend) -> None:
    lab.add(netpol("deny", {"podSelector": {}, "policyTypes": ["Ingress"]}, age=1))
    assert run("get netpol -o yaml", lab).text == (
        "apiVersion: v1\n"
        "items:\n"
        "- apiVersion: networking.k8s.io/v1\n"
        "  kind: NetworkPolicy\n"
        "  metadata:\n"
        '    creationTimestamp: "2024-07-28T11:59:59Z"\n'
        "    name: deny\n"
        "    namespace: default\n"
        "  spec:\n"
        "    podSelector: {}\n"
        "    policyTypes:\n"
        "    - Ingress\n"
        "kind: List\n"
        "metadata:\n"
        '  resourceVersion: ""\n')
    one = run("get netpol deny -o yaml", lab).text
    assert one.startswith("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n")
    assert run("get netpol nope -o yaml", lab).text == \
        'Error from server (NotFound): networkpolicies.networking.k8s.io "nope" not found\n'


def test_output_json_of_an_empty_list(lab: FakeBackend) -> None:
    assert run("get netpol -o json", lab).text == (
        '{\n    "apiVersion": "v1",\n    "items": [],\n    "kind": "List",\n'
        '    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')


def test_output_json_escapes_like_go(lab: FakeBackend) -> None:
    obj = netpol("deny", {"podSelector": {}}, age=1)
    obj["metadata"]["annotations"] = {"note": "a<b & c>d"}
    lab.add(obj)
    assert '"note": "a\\u003cb \\u0026 c\\u003ed"' in run("get netpol deny -o json", lab).text


def test_managed_fields_are_hidden(lab: FakeBackend) -> None:
    obj = netpol("deny", {"podSelector": {}}, age=1)
    obj["metadata"]["managedFields"] = [{"manager": "kubectl"}]
    lab.add(obj)
    assert "managedFields" not in run("get netpol deny -o yaml", lab).text


def test_unknown_output_format(lab: FakeBackend) -> None:
    assert run("get pods -o table", lab).text == (
        'error: unable to match a printer suitable for the output format "table", allowed formats are: '
        "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,"
        "jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n")


# ---------------------------------------------------------------- apply


def test_apply_creates_then_leaves_unchanged_then_configures(lab: FakeBackend, workdir: Path) -> None:
    fresh = FakeBackend()
    assert run("apply -f simple-app.yaml", fresh).text == (
        "deployment.apps/frontend created\n"
        "deployment.apps/backend created\n"
        "service/backend created\n")
    assert run("kubectl apply -f simple-app.yaml", fresh).text == (
        "deployment.apps/frontend unchanged\n"
        "deployment.apps/backend unchanged\n"
        "service/backend unchanged\n")
    (workdir / "simple-app.yaml").write_text(SIMPLE_APP.replace("replicas: 1", "replicas: 2", 1))
    assert run("apply -f simple-app.yaml", fresh).text.startswith("deployment.apps/frontend configured\n")


def test_apply_stdin_and_directories(workdir: Path) -> None:
    backend = FakeBackend()
    assert run("apply -f -", backend, stdin=DENY).text == \
        "networkpolicy.networking.k8s.io/backend-ingress-deny created\n"
    (workdir / "policies").mkdir()
    (workdir / "policies" / "deny.yaml").write_text(DENY_NETPOL)
    (workdir / "policies" / "notes.txt").write_text("not a manifest")
    assert run("apply -f policies", backend).text == (
        "networkpolicy.networking.k8s.io/default-deny created\n"
        "networkpolicy.networking.k8s.io/allow-dns created\n")
    result = run("apply -f backend-ingress-deny.yaml -f deny-netpol.yaml", backend)
    assert result.text.count("unchanged") == 3


def test_apply_invalid_object_reports_it_and_applies_the_rest(workdir: Path) -> None:
    (workdir / "mixed.yaml").write_text(DENY.replace("backend-ingress-deny", "typo")
                                        .replace("policyTypes", "policyType") + "---\n" + DENY)
    backend = FakeBackend()
    result = run("apply -f mixed.yaml", backend)
    assert result.exit_code == 1
    assert result.stdout == "networkpolicy.networking.k8s.io/backend-ingress-deny created\n"
    assert result.stderr == (
        'Error from server (BadRequest): error when creating "mixed.yaml": NetworkPolicy in version "v1" '
        'cannot be handled as a NetworkPolicy: strict decoding error: unknown field "spec.policyType"\n')


def test_apply_one_invalid_value_uses_the_api_servers_wording(workdir: Path) -> None:
    (workdir / "port.yaml").write_text(DENY + "  ingress:\n  - ports:\n    - port: 70000\n")
    result = run("apply -f port.yaml", FakeBackend())
    assert result.text == (
        'The NetworkPolicy "backend-ingress-deny" is invalid: spec.ingress[0].ports[0].port: '
        "Invalid value: 70000: must be between 1 and 65535, inclusive\n")


def test_apply_several_errors_are_listed_as_kubectl_aggregates_them(workdir: Path) -> None:
    (workdir / "two.yaml").write_text(
        DENY + "  ingress:\n  - ports:\n    - port: 70000\n---\n" + DENY.replace("spec:", "spec:\n  bogus: 1"))
    result = run("apply -f two.yaml", FakeBackend())
    assert result.text == (
        'Error from server (Invalid): error when creating "two.yaml": NetworkPolicy.networking.k8s.io '
        '"backend-ingress-deny" is invalid: spec.ingress[0].ports[0].port: Invalid value: 70000: must be '
        "between 1 and 65535, inclusive\n"
        'Error from server (BadRequest): error when creating "two.yaml": NetworkPolicy in version "v1" '
        'cannot be handled as a NetworkPolicy: strict decoding error: unknown field "spec.bogus"\n')


def test_apply_yaml_syntax_error(workdir: Path) -> None:
    (workdir / "broken.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n   bad: 1\n")
    result = run("apply -f broken.yaml", FakeBackend())
    assert (result.exit_code, result.text) == (1, (
        "error: error parsing broken.yaml: error converting YAML to JSON: yaml: line 5: "
        "mapping values are not allowed in this context\n"))


def test_apply_missing_file_and_no_file(workdir: Path) -> None:
    backend = FakeBackend()
    assert run("apply -f nope.yaml", backend).text == 'error: the path "nope.yaml" does not exist\n'
    # A missing path stops everything, even the files that exist.
    assert run("apply -f simple-app.yaml -f nope.yaml", backend).text == \
        'error: the path "nope.yaml" does not exist\n'
    assert not [c for c in backend.calls if c[0] == "apply"]
    assert run("apply", backend).text == "error: must specify one of -f and -k\n"
    (workdir / "empty.yaml").write_text("# nothing\n")
    assert run("apply -f empty.yaml", backend).text == "error: no objects passed to apply\n"


def test_apply_missing_kind_and_unknown_kind(workdir: Path) -> None:
    (workdir / "nokind.yaml").write_text("metadata:\n  name: x\n")
    assert run("apply -f nokind.yaml", FakeBackend()).text == (
        'error: error validating "nokind.yaml": error validating data: [apiVersion not set, kind not set]; '
        "if you choose to ignore these errors, turn validation off with --validate=false\n")
    (workdir / "cnp.yaml").write_text("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"
                                      "metadata:\n  name: x\n")
    assert run("apply -f cnp.yaml", FakeBackend()).text == (
        'error: resource mapping not found for name: "x" namespace: "" from "cnp.yaml": no matches for '
        'kind "CiliumNetworkPolicy" in version "cilium.io/v2"\nensure CRDs are installed first\n')


def test_apply_hard_coded_namespace_of_the_lab(workdir: Path) -> None:
    (workdir / "frontend-to-backend.yaml").write_text(
        DENY.replace("  name: backend-ingress-deny\n", "  name: frontend-to-backend\n  namespace: your-namespace\n"))
    assert run("apply -f frontend-to-backend.yaml", FakeBackend()).text == (
        'Error from server (NotFound): error when creating "frontend-to-backend.yaml": '
        'namespaces "your-namespace" not found\n')
    assert run("apply -f frontend-to-backend.yaml -n default", FakeBackend()).text == (
        'error: the namespace from the provided object "your-namespace" does not match the namespace '
        "\"default\". You must pass '--namespace=your-namespace' to perform this operation.\n")


def test_apply_into_another_namespace(workdir: Path) -> None:
    backend = FakeBackend([namespace("shop")])
    assert run("apply -f backend-ingress-deny.yaml -n shop", backend).text.endswith(" created\n")
    assert run("get netpol -n shop -o name", backend).text == \
        "networkpolicy.networking.k8s.io/backend-ingress-deny\n"
    assert run("get netpol --namespace=shop -o name", backend).text.startswith("networkpolicy")


# ---------------------------------------------------------------- delete / create / label


def test_lab_comma_mistake_deletes_the_second_and_reports_the_first(lab: FakeBackend) -> None:
    lab.add(netpol("backend-ingress-deny", {"podSelector": {}}))
    lab.add(netpol("backend-allow-ingress-frontend", {"podSelector": {}}))
    result = run("kubectl delete netpol backend-allow-ingress-frontend, backend-ingress-deny ", lab)
    assert result.exit_code == 1
    assert result.text == (
        'networkpolicy.networking.k8s.io "backend-ingress-deny" deleted\n'
        'Error from server (NotFound): networkpolicies.networking.k8s.io "backend-allow-ingress-frontend," '
        "not found\n")
    assert run("get netpol -o name", lab).text == \
        "networkpolicy.networking.k8s.io/backend-allow-ingress-frontend\n"


def test_delete_forms(lab: FakeBackend) -> None:
    for name in ("a", "b", "c"):
        lab.add(netpol(name, {"podSelector": {}}))
    assert run("delete netpol/a", lab).text == 'networkpolicy.networking.k8s.io "a" deleted\n'
    assert run("delete networkpolicy b c", lab).text == (
        'networkpolicy.networking.k8s.io "b" deleted\nnetworkpolicy.networking.k8s.io "c" deleted\n')
    lab.add(netpol("d", {"podSelector": {}}))
    assert run("delete netpol --all", lab).text == 'networkpolicy.networking.k8s.io "d" deleted\n'
    assert run("delete netpol --all", lab).text == "No resources found\n"
    assert run("delete netpol", lab).text == "error: resource(s) were provided, but no name was specified\n"
    assert run("delete netpol nope --ignore-not-found", lab).text == ""
    assert run("delete pods -l app=frontend", lab).text == f'pod "{FRONTEND}" deleted\n'


def test_delete_from_file(lab: FakeBackend, workdir: Path) -> None:
    fresh = FakeBackend()
    run("apply -f simple-app.yaml", fresh)
    assert run("delete -f simple-app.yaml", fresh).text == (
        'deployment.apps "frontend" deleted\ndeployment.apps "backend" deleted\nservice "backend" deleted\n')
    result = run("delete -f simple-app.yaml", fresh)
    assert result.exit_code == 1
    assert result.text == (
        'Error from server (NotFound): error when deleting "simple-app.yaml": deployments.apps "frontend" '
        "not found\n"
        'Error from server (NotFound): error when deleting "simple-app.yaml": deployments.apps "backend" '
        "not found\n"
        'Error from server (NotFound): error when deleting "simple-app.yaml": services "backend" not found\n')


def test_create_namespace(lab: FakeBackend) -> None:
    assert run("create namespace shop", lab).text == "namespace/shop created\n"
    assert run("create ns shop", lab).text == \
        'Error from server (AlreadyExists): namespaces "shop" already exists\n'
    assert run("get ns shop -o name", lab).text == "namespace/shop\n"


def test_create_from_file(workdir: Path) -> None:
    backend = FakeBackend()
    assert run("create -f backend-ingress-deny.yaml", backend).text == \
        "networkpolicy.networking.k8s.io/backend-ingress-deny created\n"
    assert run("create -f backend-ingress-deny.yaml", backend).text == (
        'Error from server (AlreadyExists): error when creating "backend-ingress-deny.yaml": '
        'networkpolicies.networking.k8s.io "backend-ingress-deny" already exists\n')


def test_label(lab: FakeBackend) -> None:
    assert run("label ns default team=blue", lab).text == "namespace/default labeled\n"
    assert run(f"label pod {FRONTEND} app=other", lab).text == \
        "error: 'app' already has a value (frontend), and --overwrite is false\n"
    assert run(f"label pod {FRONTEND} app=other --overwrite", lab).text == f"pod/{FRONTEND} labeled\n"
    assert run("label ns default team-", lab).text == "namespace/default labeled\n"
    assert run("label ns default", lab).text.startswith("error: at least one label update is required\n")


# ---------------------------------------------------------------- describe


@pytest.mark.usefixtures("utc")
def test_describe_networkpolicies_of_the_lab(lab: FakeBackend, workdir: Path) -> None:
    run("apply -f deny-netpol.yaml", lab)
    assert run("describe netpol allow-dns", lab).text == (
        "Name:         allow-dns\n"
        "Namespace:    default\n"
        "Created on:   2024-07-28 12:00:00 +0000 UTC\n"
        "Labels:       <none>\n"
        "Annotations:  <none>\n"
        "Spec:\n"
        "  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)\n"
        "  Not affecting ingress traffic\n"
        "  Allowing egress traffic:\n"
        "    To Port: 53/UDP\n"
        "    To Port: 53/TCP\n"
        "    To:\n"
        "      NamespaceSelector: kubernetes.io/metadata.name=kube-system\n"
        "      PodSelector: k8s-app=kube-dns\n"
        "  Policy Types: Egress\n")
    both = run("describe networkpolicy", lab).text
    assert both.startswith("Name:         allow-dns\n") and "\n\n\nName:         default-deny\n" in both
    assert both.endswith(
        "  Allowing ingress traffic:\n"
        "    <none> (Selected pods are isolated for ingress connectivity)\n"
        "  Allowing egress traffic:\n"
        "    <none> (Selected pods are isolated for egress connectivity)\n"
        "  Policy Types: Ingress, Egress\n")


@pytest.mark.usefixtures("utc")
def test_describe_rules_ports_and_peers(lab: FakeBackend) -> None:
    spec = {"podSelector": {"matchLabels": {"app": "backend"}}, "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}},
                                  {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16", "10.2.0.0/16"]}}],
                         "ports": [{"protocol": "TCP", "port": 8080}, {"port": 32000, "endPort": 32768}]},
                        {}]}
    obj = netpol("backend-allow-ingress-frontend", spec)
    obj["metadata"]["labels"] = {"tier": "db", "app": "x"}
    obj["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": "{}\n",
                                      "owner": "team-a"}
    lab.add(obj)
    assert run("describe netpol backend-allow-ingress-frontend", lab).text == (
        "Name:         backend-allow-ingress-frontend\n"
        "Namespace:    default\n"
        "Created on:   2024-07-28 11:59:00 +0000 UTC\n"
        "Labels:       app=x\n"
        "              tier=db\n"
        "Annotations:  owner: team-a\n"
        "Spec:\n"
        "  PodSelector:     app=backend\n"
        "  Allowing ingress traffic:\n"
        "    To Port: 8080/TCP\n"
        "    To Port Range: 32000-32768/TCP\n"
        "    From:\n"
        "      PodSelector: app=frontend\n"
        "    From:\n"
        "      IPBlock:\n"
        "        CIDR: 10.0.0.0/8\n"
        "        Except: 10.1.0.0/16, 10.2.0.0/16\n"
        "    ----------\n"
        "    To Port: <any> (traffic allowed to all ports)\n"
        "    From: <any> (traffic not restricted by source)\n"
        "  Not affecting egress traffic\n"
        "  Policy Types: Ingress\n")
    # kubectl describe falls back to a name prefix.
    assert run("describe netpol backend-allow", lab).text.startswith("Name:         backend-allow-ingress")


def test_describe_errors(lab: FakeBackend) -> None:
    assert run("describe netpol nope", lab).text == \
        'Error from server (NotFound): networkpolicies.networking.k8s.io "nope" not found\n'
    assert run("describe netpol", lab).text == "No resources found in default namespace.\n"
    result = run("describe rs frontend", lab)  # replica sets are not described yet
    assert result.exit_code == 1 and result.text.count("\n") == 1
    assert result.text.startswith('error: the embedded cluster does not support "kubectl describe rs ')


# ---------------------------------------------------------------- exec / debug


def test_exec_ti_is_accepted_and_output_is_the_commands(lab: FakeBackend) -> None:
    lab.exec_answers[FRONTEND] = ExecResult("HTTP/1.1 200 OK\nX-Powered-By: Express\n", "", 0)
    result = run(f"kubectl exec -ti {FRONTEND} -- curl -I --connect-timeout 5 backend:8080", lab)
    assert (result.text, result.exit_code) == ("HTTP/1.1 200 OK\nX-Powered-By: Express\n", 0)
    assert lab.calls[-1] == ("exec", FRONTEND, ["curl", "-I", "--connect-timeout", "5", "backend:8080"],
                             "default", None)
    for flags in ("-it", "-i -t", "--stdin --tty", "-t", "-i"):
        assert run(f"exec {flags} {FRONTEND} -- true", lab).exit_code == 0


def test_exec_failure_prints_kubectls_trailer_and_returns_the_code(lab: FakeBackend) -> None:
    lab.exec_answers[NOT_FRONTEND] = ExecResult("", "curl: (28) Connection timed out after 5001 milliseconds\n", 28)
    result = run(f"exec -ti {NOT_FRONTEND} -- curl -I --connect-timeout 5 backend:8080", lab)
    assert result.exit_code == 28 and result.stdout == ""
    assert result.text == ("curl: (28) Connection timed out after 5001 milliseconds\n"
                           "command terminated with exit code 28\n")


def test_exec_workload_reference_and_containers(lab: FakeBackend) -> None:
    run("exec deploy/frontend -- hostname", lab)
    assert lab.calls[-1][:2] == ("exec", FRONTEND)
    lab.add(pod("two", containers=("app", "sidecar")))
    result = run("exec two -- true", lab)
    assert result.text == 'Defaulted container "app" out of: app, sidecar\n'
    assert lab.calls[-1][-1] == "app"
    run("exec two -c sidecar -- true", lab)
    assert lab.calls[-1][-1] == "sidecar"


def test_exec_mistakes(lab: FakeBackend) -> None:
    assert run("exec nope -- true", lab).text == 'Error from server (NotFound): pods "nope" not found\n'
    assert run(f"exec {FRONTEND} ls", lab).text == (
        "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\n"
        "See 'kubectl exec -h' for help and examples\n")
    assert run(f"exec {FRONTEND}", lab).text == "error: you must specify at least one command for the container\n"
    assert run("exec", lab).text == "error: pod, type/name or --filename must be specified\n"


def test_debug_runs_an_ephemeral_container(lab: FakeBackend) -> None:
    lab.exec_answers[BACKEND] = ExecResult("HTTP/1.1 200 OK\n", "", 0)
    result = run(f"debug {BACKEND} -q -i --image=curlimages/curl --target=backend-container -- "
                 "curl -sI localhost:8080", lab)
    assert (result.text, result.exit_code) == ("HTTP/1.1 200 OK\n", 0)
    assert lab.calls[-1] == ("debug", BACKEND, "curlimages/curl", ["curl", "-sI", "localhost:8080"],
                             "default", "backend-container")


# ---------------------------------------------------------------- mistakes and limits


def test_missing_verb_of_the_lab(lab: FakeBackend) -> None:
    result = run("kubectl deployment,svc", lab)
    assert (result.exit_code, result.stdout, result.stderr) == \
        (1, "", 'error: unknown command "deployment,svc" for "kubectl"\n')


def test_unknown_command_suggestions(lab: FakeBackend) -> None:
    assert run("gte pods", lab).text == \
        'error: unknown command "gte" for "kubectl"\n\nDid you mean this?\n\tget\n'
    assert run("descibe netpol", lab).text.endswith("Did you mean this?\n\tdescribe\n")


def test_flag_errors(lab: FakeBackend) -> None:
    assert run("get pods --bogus", lab).text == \
        "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n"
    assert run("get pods -a", lab).text == \
        "error: unknown shorthand flag: 'a' in -a\nSee 'kubectl get --help' for usage.\n"
    assert run("get pods -wide", lab).text.startswith("error: ")  # -w is known, then 'i'
    assert run("get pods -n", lab).text == \
        "error: flag needs an argument: 'n' in -n\nSee 'kubectl get --help' for usage.\n"
    assert run("get pods --namespace", lab).text == \
        "error: flag needs an argument: --namespace\nSee 'kubectl get --help' for usage.\n"


def test_namespace_flag_positions(lab: FakeBackend) -> None:
    expected = run("get svc -n kube-system", lab).text
    for cmd in ("-n kube-system get svc", "get -n kube-system svc", "get svc --namespace kube-system",
                "get svc --namespace=kube-system", "get svc -nkube-system", "get svc -n=kube-system"):
        assert run(cmd, lab).text == expected, cmd
    assert kubectl("get svc", backend=lab, namespace="kube-system").text == expected


@pytest.mark.parametrize("cmd, shown", [
    ("rollout undo deploy/frontend", "rollout undo deploy/frontend"),
    ("get pods --watch", "get pods --watch"),
    ("get pods -o go-template={{.kind}}", "get pods -o go-template={{.kind}}"),
    ("logs frontend --previous", "logs frontend --previous"),
    ("create job x --image=nginx", "create job x --image=nginx"),
    ("get pods --chunk-size=0 --watch-only", "get pods --chunk-size=0 --watch-only"),
    ("delete node kind-control-plane", "delete node kind-control-plane"),
    ("describe statefulset web", "describe statefulset web"),
])
def test_unsupported_commands_say_so_in_one_line(lab: FakeBackend, cmd: str, shown: str) -> None:
    result = run(cmd, lab)
    assert result.exit_code == 1
    assert result.text == (f'error: the embedded cluster does not support "kubectl {shown}"; run this '
                           "chapter against a real cluster (NETPOL_BACKEND=kube, see the README)\n")


def test_unsupported_on_a_real_cluster_points_to_the_terminal(lab: FakeBackend) -> None:
    lab.name = "kube"
    assert run("top pods", lab).text == (
        "error: netpol_kernel's kubectl does not support \"kubectl top pods\"; "
        "run it with the real kubectl in a terminal\n")


def test_empty_command_prints_usage_and_quotes_are_checked(lab: FakeBackend) -> None:
    assert run("", lab).text.startswith("kubectl controls the Kubernetes cluster manager")
    result = run("get pods -o jsonpath='{.items", lab)
    assert result.exit_code == 1 and result.text.startswith("error: ")


@pytest.mark.parametrize("cmd", [
    "", "kubectl", "get", "get ''", "get pods/", "get /x", "delete", "delete -f", "apply -f", "apply -f -",
    "exec -- ls", "exec '' -- ls", "label", "label pod", "label pod x=y", "describe", "create",
    "create ns", "create ns a b", "get pods -o jsonpath=", "get pods -o jsonpath='{'",
    "get pods -o jsonpath='{range .items[*]}'", "get pods -o jsonpath='{end}'", "get pods -l '!!'",
    "debug", "debug x", "exec deploy/none -- ls", "get -A", "get pods -A x", "--", "-n", "get --",
    "get pods -o", "get pods -o=", "get pods --show-labels=maybe", "get all", "get all -o wide",
    "get pods -- x", "delete pods --all -l app=x", "apply -f /dev/null", "get pods -o name -A",
])
def test_kubectl_never_raises(lab: FakeBackend, cmd: str, workdir: Path) -> None:
    result = kubectl(cmd, backend=lab)
    assert isinstance(result, KubectlResult)
    assert result.exit_code == 0 or result.stderr
    assert "internal error" not in result.text


# ---------------------------------------------------------------- the result object


def test_result_prints_as_text() -> None:
    result = KubectlResult("get pods", "a\n", "b\n", 0, "a\nb\n")
    assert str(result) == "a\nb\n"

    class Printer:
        def __init__(self) -> None:
            self.out = ""

        def text(self, s: str) -> None:
            self.out += s

    p = Printer()
    result._repr_pretty_(p, False)
    assert p.out == "a\nb"
    assert result.value == "a" and result.ok
    failed = KubectlResult("x", "", "error: x\n", 1, "error: x\n")
    assert (failed.value, failed.ok) == ("error: x", False)


def test_default_backend_is_the_current_one(lab: FakeBackend) -> None:
    from netpol_kernel import backends
    previous = backends._current
    backends.use(lab)
    try:
        assert kubectl("get pods -o name -l app=backend").text == f"pod/{BACKEND}\n"
    finally:
        backends._current = previous


# ---------------------------------------------------------------- end to end: the embedded cluster


NOT_FRONTEND_DEPLOYMENT = SIMPLE_APP.split("---\n")[0].replace("frontend", "not-frontend")
ALLOW = lab_manifest("backend-allow-ingress-frontend.yaml")
CURL = "-- curl -I --connect-timeout 5 backend:8080"
TIMED_OUT = "curl: (28) Connection timed out after 5001 milliseconds\ncommand terminated with exit code 28\n"


@pytest.mark.usefixtures("utc")
def test_the_lab_end_to_end_on_the_embedded_cluster(workdir: Path) -> None:
    from netpol_kernel.sim.cluster import EmbeddedCluster

    docs = SIMPLE_APP.split("---\n")
    (workdir / "simple-app.yaml").write_text("---\n".join([docs[0], NOT_FRONTEND_DEPLOYMENT, *docs[1:]]))
    (workdir / "backend-allow-ingress-frontend.yaml").write_text(ALLOW)
    cluster = EmbeddedCluster()

    def k(cmd: str) -> KubectlResult:
        result = kubectl(cmd, backend=cluster)
        assert result.text == result.stdout + result.stderr or result.exit_code
        return result

    assert k("kubectl apply -f simple-app.yaml").text == (
        "deployment.apps/frontend created\ndeployment.apps/not-frontend created\n"
        "deployment.apps/backend created\nservice/backend created\n")
    assert k("kubectl deployment,svc").text == 'error: unknown command "deployment,svc" for "kubectl"\n'
    tables = k("kubectl get deployment,svc").text.split("\n\n")
    assert tables[0].splitlines()[0] == "NAME                           READY   UP-TO-DATE   AVAILABLE   AGE"
    assert [line.split()[0] for line in tables[0].splitlines()[1:]] == \
        ["deployment.apps/backend", "deployment.apps/frontend", "deployment.apps/not-frontend"]
    assert [line.split()[0] for line in tables[1].splitlines()] == ["NAME", "service/backend", "service/kubernetes"]

    frontend = k("get pods -l app=frontend -o jsonpath='{.items[0].metadata.name}'").value
    not_frontend = k("get pods -l app=not-frontend -o jsonpath='{.items[0].metadata.name}'").value
    assert frontend.startswith("frontend-") and not_frontend.startswith("not-frontend-")
    for pod_name in (frontend, not_frontend):
        ok = k(f"exec -ti {pod_name} {CURL}")
        assert ok.exit_code == 0 and ok.stdout.startswith("HTTP/1.1 200 OK\r\nX-Powered-By: Express\r\n")

    assert k("apply -f backend-ingress-deny.yaml").text == \
        "networkpolicy.networking.k8s.io/backend-ingress-deny created\n"
    lines = k("get netpol").text.splitlines()
    assert lines[0] == "NAME                   POD-SELECTOR   AGE"
    assert re.fullmatch(r"backend-ingress-deny   app=backend    \d+s", lines[1])
    for pod_name in (frontend, not_frontend):
        blocked = k(f"exec -ti {pod_name} {CURL}")
        assert blocked.exit_code == 28 and blocked.text.endswith(TIMED_OUT)

    k("apply -f backend-allow-ingress-frontend.yaml")
    assert k(f"exec -ti {frontend} {CURL}").exit_code == 0
    assert k(f"exec -ti {not_frontend} {CURL}").text.endswith(TIMED_OUT)
    described = k("describe netpol backend-allow-ingress-frontend").text.splitlines()
    assert described[:2] == ["Name:         backend-allow-ingress-frontend", "Namespace:    default"]
    assert described[3:] == [
        "Labels:       <none>", "Annotations:  <none>", "Spec:", "  PodSelector:     app=backend",
        "  Allowing ingress traffic:", "    To Port: <any> (traffic allowed to all ports)", "    From:",
        "      PodSelector: app=frontend", "  Not affecting egress traffic", "  Policy Types: Ingress"]

    mistake = k("kubectl delete netpol backend-allow-ingress-frontend, backend-ingress-deny ")
    assert (mistake.exit_code, mistake.text) == (1, (
        'networkpolicy.networking.k8s.io "backend-ingress-deny" deleted\n'
        'Error from server (NotFound): networkpolicies.networking.k8s.io "backend-allow-ingress-frontend," '
        "not found\n"))
    assert k("delete netpol backend-allow-ingress-frontend").exit_code == 0
    assert k("delete -f simple-app.yaml").text == (
        'deployment.apps "frontend" deleted\ndeployment.apps "not-frontend" deleted\n'
        'deployment.apps "backend" deleted\nservice "backend" deleted\n')
    assert k("apply -f deny-netpol.yaml").text == (
        "networkpolicy.networking.k8s.io/default-deny created\nnetworkpolicy.networking.k8s.io/allow-dns created\n")
    assert k("get netpol -o name").text == (
        "networkpolicy.networking.k8s.io/allow-dns\nnetworkpolicy.networking.k8s.io/default-deny\n")
    assert "53/UDP,53/TCP,9153/TCP" in k("get svc -n kube-system").text
    nodes = k("get nodes").text.splitlines()
    assert nodes[0] == "NAME                 STATUS   ROLES           AGE     VERSION"
    # the cluster came up minutes before the first command, as kind's would
    assert re.fullmatch(r"kind-control-plane   Ready    control-plane   4m\d+s +v1\.\d+\.\d+", nodes[1])
    assert k("get all").text.splitlines()[1].startswith("service/kubernetes ")  # the only object left


def test_embedded_cluster_errors_come_through_in_kubectls_words(workdir: Path) -> None:
    from netpol_kernel.sim.cluster import EmbeddedCluster
    cluster = EmbeddedCluster()
    (workdir / "frontend-to-backend.yaml").write_text(
        DENY.replace("  name: backend-ingress-deny\n", "  name: frontend-to-backend\n  namespace: your-namespace\n"))
    assert kubectl("apply -f frontend-to-backend.yaml", backend=cluster).text == (
        'Error from server (NotFound): error when creating "frontend-to-backend.yaml": '
        'namespaces "your-namespace" not found\n')
    (workdir / "typo.yaml").write_text(DENY.replace("policyTypes", "policyType") + "---\n" + DENY_NETPOL)
    result = kubectl("apply -f typo.yaml", backend=cluster)
    assert result.stdout == ("networkpolicy.networking.k8s.io/default-deny created\n"
                             "networkpolicy.networking.k8s.io/allow-dns created\n")
    assert result.stderr == (
        'Error from server (BadRequest): error when creating "typo.yaml": NetworkPolicy in version "v1" '
        'cannot be handled as a NetworkPolicy: strict decoding error: unknown field "spec.policyType"\n')
    assert kubectl("create ns default", backend=cluster).text == \
        'Error from server (AlreadyExists): namespaces "default" already exists\n'
    assert kubectl("get pods -l 'app in (a'", backend=cluster).exit_code == 1


def test_docstring_examples_run() -> None:
    import doctest

    import importlib

    for name in ("kubectl.jsonpath", "kubectl.render", "kubectl.command", "notebook.magic"):
        # importlib: the attribute `netpol_kernel.kubectl` is the function, not the package
        module = importlib.import_module(f"netpol_kernel.{name}")
        failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert failures == 0, module.__name__
