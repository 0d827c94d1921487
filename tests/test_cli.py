"""The command line: exit codes, output formats, errors without tracebacks."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from netpol_kernel.cli import main

DATA = os.path.join(os.path.dirname(__file__), "data")
LAB = os.path.join(DATA, "lab-deny.yaml")


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_validate_ok():
    assert run("validate", "-f", LAB) == (0, "4 objects valid\n", "")


def test_validate_reports_each_error_with_file_object_and_path(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad}
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/33}
    ports:
    - port: 70000
""")
    code, out, err = run("validate", "-f", str(bad))
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert any(l.startswith(f"{bad}: NetworkPolicy/bad: spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\"")
               for l in lines), err
    assert any("spec.ingress[0].ports[0].port: Invalid value: 70000" in l for l in lines), err


def test_yaml_syntax_error_names_the_line(tmp_path):
    bad = tmp_path / "indent.yaml"
    bad.write_text("kind: Pod\napiVersion: v1\nmetadata:\n  name: x\n labels: {}\n")
    code, _, err = run("validate", "-f", str(bad))
    # kubectl 1.32 on this file: "yaml: line 4: did not find expected key" (go-yaml prints a
    # parser error's 0-based line)
    assert code == 1 and f"{bad}:4" in err


def test_missing_file_is_kubectls_wording():
    code, _, err = run("validate", "-f", "/nonexistent.yaml")
    assert (code, err) == (1, 'error: the path "/nonexistent.yaml" does not exist\n')


def test_matrix_text_and_json():
    code, out, _ = run("matrix", "-f", LAB, "--port", "8080")
    assert code == 0
    assert out.splitlines() == [
        "TCP/8080            default/frontend  default/backend",
        "default/frontend    .                 X",
        "default/backend     .                 X",
    ]
    code, out, _ = run("matrix", "-f", LAB, "--port", "8080", "-o", "json")
    doc = json.loads(out)
    assert doc["port"] == 8080 and doc["protocol"] == "TCP"
    assert doc["pods"] == ["default/frontend", "default/backend"]
    assert doc["allowed"]["default/frontend"]["default/backend"] is False
    assert doc["allowed"]["default/backend"]["default/frontend"] is True


def test_connectivity_json_is_every_distinct_pair_with_ranges():
    code, out, _ = run("connectivity", "-f", LAB, "-o", "json")
    doc = json.loads(out)["connections"]
    assert doc == {
        "default/frontend": {"default/backend": {"TCP": [], "UDP": [], "SCTP": []}},
        "default/backend": {"default/frontend": {"TCP": [[1, 65535]], "UDP": [[1, 65535]], "SCTP": [[1, 65535]]}},
    }


def test_explain_names_the_isolating_policy():
    code, out, _ = run("explain", "-f", LAB, "--from", "default/frontend", "--to", "default/backend", "--port", "8080")
    assert code == 0
    assert out.splitlines()[0] == "default/frontend -> default/backend on TCP/8080: BLOCKED"
    assert "backend-ingress-deny: has no ingress rules (denies all)" in out


def test_explain_icmp_needs_no_port_and_says_how_ping_is_judged():
    code, out, _ = run("explain", "-f", LAB, "--from", "default/frontend", "--to", "default/backend",
                       "--protocol", "ICMP")
    assert code == 0
    assert out.splitlines()[0] == "default/frontend -> default/backend on ICMP: BLOCKED"
    assert out.splitlines()[-1].startswith("  note: ICMP has no port")
    code, _, err = run("explain", "-f", LAB, "--from", "default/frontend", "--to", "default/backend")
    assert code == 1 and err == "error: --port is required (except with --protocol ICMP)\n"


def test_explain_unknown_pod_is_an_error_not_a_traceback():
    code, _, err = run("explain", "-f", LAB, "--from", "default/nope", "--to", "default/backend", "--port", "80")
    assert code == 1 and err == 'Error from server (NotFound): pods "nope" not found\n'


def test_console_script_and_module_entry_point():
    r = subprocess.run([sys.executable, "-m", "netpol_kernel", "validate", "-f", LAB],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout == "4 objects valid\n"


def test_json_writers_on_no_pods_and_one_pod(tmp_path):
    """The JSON is written row by row, by hand: the edges must still parse."""
    empty, one = tmp_path / "empty.yaml", tmp_path / "one.yaml"
    empty.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    one.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx}]}\n")
    assert json.loads(run("connectivity", "-f", str(empty), "-o", "json")[1]) == {"connections": {}}
    assert json.loads(run("connectivity", "-f", str(one), "-o", "json")[1]) == {"connections": {"default/p": {}}}
    assert run("connectivity", "-f", str(one))[1] == ""
    assert json.loads(run("matrix", "-f", str(empty), "--port", "80", "-o", "json")[1]) == {
        "port": 80, "protocol": "TCP", "pods": [], "allowed": {}}
    assert json.loads(run("matrix", "-f", str(one), "--port", "http", "-o", "json")[1]) == {
        "port": "http", "protocol": "TCP", "pods": ["default/p"], "allowed": {"default/p": {"default/p": False}}}
