"""kubectl on the files people actually have (issue 13): partial applies over multi-document
files, directories and -f lists; label changes checked as kubectl and the API server check
them; namespaces with invalid names; -o jsonpath without a template.

Every expected text is what /usr/bin/kubectl 1.32 printed for the same file (run with
``kubectl label --local -f FILE z=1 -o name`` or ``kubectl create --dry-run=client``
against a kubeconfig whose server is a dead 127.0.0.1 port), with the embedded cluster's
success lines in place of the local ones; ``test_kubectl_oracle_agrees`` re-runs the
oracle where it is installed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from netpol_kernel.api.manifests import load_documents
from netpol_kernel.kubectl import kubectl
from netpol_kernel.sim.cluster import EmbeddedCluster
from labfiles import lab_manifest

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n"
TAB_SECOND = CM.format("a") + "---\n" + CM.format("b") + "data:\n\tx: y\n"


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EmbeddedCluster:
    monkeypatch.chdir(tmp_path)
    return EmbeddedCluster()


def configmaps(c: EmbeddedCluster) -> list[str]:
    return [o["metadata"]["name"] for o in c.get("cm") if o["metadata"]["name"] != "kube-root-ca.crt"]


def test_a_tab_in_the_second_document_applies_the_first(cluster):
    # Before issue 13: nothing applied, and the line counted over the whole file (11).
    Path("tab.yaml").write_text(TAB_SECOND)
    r = kubectl("kubectl apply -f tab.yaml", backend=cluster)
    # kubectl 1.32: the first document is acted on, then
    # "error: error parsing tab.yaml: error converting YAML to JSON: yaml: line 6: found character
    # that cannot start any token" (the line counts from the document's own first line).
    assert r.exit_code == 1
    assert r.stdout == "configmap/a created\n"
    assert r.stderr == ("error: error parsing tab.yaml: error converting YAML to JSON: yaml: line 6: "
                        "found character that cannot start any token\n")
    assert configmaps(cluster) == ["a"]


def test_a_directory_with_one_bad_file_applies_the_others(cluster):
    # Before issue 13: nothing applied.  kubectl 1.32 on dir/{a,b,c}.yaml (b = the file above)
    # acts on a.yaml, b.yaml's first document and c.yaml, and reports b.yaml's error.
    Path("dir").mkdir()
    Path("dir/a.yaml").write_text(CM.format("a0"))
    Path("dir/b.yaml").write_text(TAB_SECOND)
    Path("dir/c.yaml").write_text(CM.format("c"))
    r = kubectl("kubectl apply -f dir", backend=cluster)
    assert r.exit_code == 1
    assert r.stdout == "configmap/a0 created\nconfigmap/a created\nconfigmap/c created\n"
    assert r.stderr == ("error: error parsing dir/b.yaml: error converting YAML to JSON: yaml: line 6: "
                        "found character that cannot start any token\n")
    assert configmaps(cluster) == ["a", "a0", "c"]


def test_a_list_of_files_keeps_going_and_reports_errors_in_order(cluster):
    Path("one.yaml").write_text(CM.format("one").replace("name: one", "name: One"))
    Path("two.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\ndata:\n  x: !!int abc\n")
    Path("three.yaml").write_text(CM.format("three"))
    r = kubectl("kubectl apply -f one.yaml -f two.yaml -f three.yaml", backend=cluster)
    assert r.exit_code == 1
    assert r.stdout == "configmap/three created\n"
    lines = r.stderr.splitlines()
    # Several errors: kubectl prints each without "error: " (cmdutil.CheckErr on an aggregate).
    # The API server's refusal, with the file (kubectl's AddSourceToErr)
    assert lines[0].startswith('Error from server (Invalid): error when creating "one.yaml": ConfigMap "One" '
                               'is invalid: metadata.name: Invalid value: "One"')
    # kubectl 1.32: "yaml: cannot decode !!str `abc` as a !!int" (go-yaml resolve.go)
    assert lines[1] == ("error parsing two.yaml: error converting YAML to JSON: yaml: cannot decode "
                        "!!str `abc` as a !!int")
    assert configmaps(cluster) == ["three"]


def test_a_document_that_does_not_decode_is_skipped_and_the_next_one_applied(cluster):
    # kubectl 1.32 on this file acts on c and d, then prints one line per error (no "error: "
    # before each: several errors) in document order; delete -f once crashed here (TypeError).
    Path("multi.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [b]\n---\n" + CM.format("c")
        + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: [null]\n---\n"
        + CM.format("d"))
    r = kubectl("kubectl apply -f multi.yaml", backend=cluster)
    assert r.exit_code == 1 and r.stdout == "configmap/c created\nconfigmap/d created\n"
    assert r.stderr == (
        'unable to decode "multi.yaml": json: cannot unmarshal array into Go struct field '
        "ObjectMeta.metadata.name of type string\n"
        'unable to decode "multi.yaml": json: cannot unmarshal array into Go struct field '
        "ObjectMeta.metadata.namespace of type string\n")
    r = kubectl("kubectl delete -f multi.yaml", backend=cluster)
    assert r.exit_code == 1 and r.stdout == 'configmap "c" deleted\nconfigmap "d" deleted\n'
    assert configmaps(cluster) == []


def test_a_missing_path_stops_everything(cluster):
    Path("a.yaml").write_text(CM.format("a"))
    r = kubectl("kubectl apply -f a.yaml -f nope.yaml", backend=cluster)
    # kubectl 1.32: 'error: the path "nope.yaml" does not exist', nothing else done
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", 'error: the path "nope.yaml" does not exist\n')
    assert configmaps(cluster) == []


def test_null_items_take_go_zero_values_not_an_internal_error(cluster):
    # Before issue 13: "internal error in netpol_kernel's kubectl (TypeError ...)".
    Path("p.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\n"
        "spec:\n  podSelector: {}\n  egress:\n  - ports:\n    -\n")
    r = kubectl("kubectl apply -f p.yaml", backend=cluster)
    assert (r.exit_code, r.text) == (0, "networkpolicy.networking.k8s.io/p created\n")
    # The empty item took its defaults (the API server's SetDefaults_NetworkPolicyPort: TCP).
    assert cluster.get("netpol", name="p")[0]["spec"]["egress"] == [{"ports": [{"protocol": "TCP"}]}]
    Path("q.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: q}\n"
        "spec:\n  podSelector: {}\n  policyTypes: [null]\n")
    r = kubectl("kubectl apply -f q.yaml", backend=cluster)
    # networking/validation ValidateNetworkPolicySpec: field.NotSupported on each policyType
    assert r.text == ('The NetworkPolicy "q" is invalid: spec.policyTypes[0]: Unsupported value: "": '
                      'supported values: "Ingress", "Egress"\n')


def test_status_of_the_wrong_shape_is_a_decoding_error(cluster):
    Path("s.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: s}\nspec: {containers: [{name: c, image: nginx}]}\n"
        "status: Running\n")
    r = kubectl("kubectl apply -f s.yaml", backend=cluster)
    assert r.exit_code == 1 and "internal error" not in r.text
    assert 'status: Invalid value: "Running": must be an object (got string "Running")' in r.text


# ---------------------------------------------------------------- label


@pytest.fixture
def app() -> tuple[EmbeddedCluster, str]:
    c = EmbeddedCluster()
    c.apply(load_documents(lab_manifest("simple-app.yaml")))
    return c, c.get("pods", selector="app=frontend")[0]["metadata"]["name"]


def test_label_rejects_what_kubectl_rejects_and_stores_nothing(app):
    c, pod = app
    before = c.get("pods", name=pod)[0]["metadata"]["labels"]
    long = "x=" + "a" * 70
    # Before issue 13 all four were stored.  kubectl 1.32 (GetResourcesAndPairs): "=v" is not a
    # change, and it comes after one.
    r = kubectl(f"kubectl label pod {pod} 'bad key=1' UPPER/x=1 =v {long}", backend=c)
    assert r.text == "error: all resources must be specified before label changes: =v\n"
    # kubectl 1.32 label.go parseLabels checks values
    r = kubectl(f"kubectl label pod {pod} {long}", backend=c)
    assert r.text == f'error: invalid label value: "{long}": must be no more than 63 characters\n'
    r = kubectl(f"kubectl label pod {pod} a=b=c", backend=c)
    assert r.text == "error: invalid label spec: a=b=c\n"
    r = kubectl(f"kubectl label pod {pod} a=1 a-", backend=c)
    assert r.text == "error: can not both modify and remove a label in the same command\n"
    # ... and the API server the keys (ValidateLabels: metadata.labels, IsQualifiedName)
    r = kubectl(f"kubectl label pod {pod} 'bad key=1'", backend=c)
    assert r.exit_code == 1
    assert r.text.startswith(f'The Pod "{pod}" is invalid: metadata.labels: Invalid value: "bad key": '
                             "name part must consist of alphanumeric characters")
    r = kubectl(f"kubectl label pod {pod} UPPER/x=1", backend=c)
    assert r.text.startswith(f'The Pod "{pod}" is invalid: metadata.labels: Invalid value: "UPPER/x": '
                             "prefix part a lowercase RFC 1123 subdomain")
    assert c.get("pods", name=pod)[0]["metadata"]["labels"] == before


def test_create_namespace_checks_the_name():
    c = EmbeddedCluster()
    r = kubectl("kubectl create namespace Bad_Name", backend=c)
    # core/validation ValidateNamespace -> ValidateObjectMeta(ValidateNamespaceName: a DNS-1123 label)
    assert r.exit_code == 1
    assert r.text == ('The Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a '
                      "lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                      "and must start and end with an alphanumeric character (e.g. 'my-name',  or "
                      "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\n")
    assert "Bad_Name" not in [n["metadata"]["name"] for n in c.get("ns")]


@pytest.mark.parametrize("fmt", ["jsonpath", "jsonpath=", "jsonpath-as-json", "go-template"])
def test_a_template_format_without_a_template(fmt):
    # Before issue 13 `-o jsonpath` printed nothing and exited 0.  kubectl 1.32:
    r = kubectl(f"kubectl get pods -o {fmt}", backend=EmbeddedCluster())
    assert (r.exit_code, r.text) == (1, "error: template format specified but no template given\n")


# ---------------------------------------------------------------- the oracle itself

KUBECTL = shutil.which("kubectl")
DEAD_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{cluster: {server: "https://127.0.0.1:1"}, name: dead}]
contexts: [{context: {cluster: dead, user: u}, name: dead}]
current-context: dead
users: [{name: u, user: {token: x}}]
"""


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.parametrize("text, expected", [
    (TAB_SECOND, "yaml: line 6: found character that cannot start any token"),
    (CM.format("a") + "data:\n  x: !!int abc\n", "yaml: cannot decode !!str `abc` as a !!int"),
    (CM.format("a") + "---\nkind: [\n", "yaml: line 1: did not find expected node content"),
    ("spec:\n  podSelector: {}\n ingress: []\n", "yaml: line 2: did not find expected key"),
])
def test_kubectl_oracle_agrees(tmp_path, cluster, text, expected):
    f = tmp_path / "f.yaml"
    f.write_text(text)
    (tmp_path / "kc").write_text(DEAD_KUBECONFIG)
    real = subprocess.run([KUBECTL, "label", "--local", "-f", str(f), "z=1", "-o", "name"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "KUBECONFIG": str(tmp_path / "kc")})
    assert expected in real.stderr
    ours = kubectl(f"kubectl apply -f {f}", backend=cluster)
    assert expected in ours.stderr
