"""The CLI on the inputs issue 13 found tracebacks with (a mutation fuzzer over the book's
manifests: 4,736 runs, 8 distinct places), and on manifests real repositories hold.
Each case: exit 0 or 1, the lines named below, never a traceback."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from netpol_kernel.cli import main

POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec: {{containers: [{c}]}}\n{extra}"
GOOD_C = "{name: c, image: nginx}"
NP = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: n}}\n"
      "spec:\n  podSelector: {{}}\n{rest}")


def run(tmp_path: Path, data: bytes, *args: str) -> tuple[int, str, str]:
    f = tmp_path / "in.yaml"
    f.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    code = main([*(args or ("connectivity",)), "-f", str(f)], out, err)
    return code, out.getvalue(), err.getvalue().replace(str(f), "in.yaml")


def test_a_file_that_is_not_utf8(tmp_path):
    # Before: UnicodeDecodeError.  kubectl 1.32 takes such bytes as U+FFFD.
    data = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: \"\xff\"}\n"
    assert run(tmp_path, data, "validate") == (0, "1 objects valid\n", "")


@pytest.mark.parametrize("tag, problem", [
    ("!!int", "cannot decode !!null `` as a !!int"),       # before: IndexError
    ("!!int abc", "cannot decode !!str `abc` as a !!int"),  # before: ValueError
])
def test_a_bare_or_misfitting_tag(tmp_path, tag, problem):
    data = f"apiVersion: v1\nkind: Service\nmetadata: {{name: s}}\nspec:\n  ports:\n  - port: {tag}\n"
    assert run(tmp_path, data.encode()) == (1, "", f"in.yaml: YAML syntax error: {problem}\n")


def test_an_empty_policy_port_item_takes_its_defaults(tmp_path):
    # Before: AttributeError.  The API server accepts `ports:` then a bare `-`: every TCP port.
    data = POD.format(c="{name: c, image: nginx, ports: [{containerPort: 80}]}", extra="---\n")
    data += NP.format(rest="  ingress:\n  - ports:\n    -\n")
    code, out, err = run(tmp_path, data.encode(), "explain", "--from", "default/p", "--to", "default/p",
                         "--port", "80")
    assert (code, err) == (0, "")
    assert "ALLOWED" in out


@pytest.mark.parametrize("data, line", [
    # before: AttributeError ('NoneType' object has no attribute 'get')
    (POD.format(c="null", extra=""),
     "in.yaml: Pod/p: spec.containers[0].name: Required value"),
    # before: validated, then TypeError in the engine
    (NP.format(rest="  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [null]}}]}]\n"),
     'in.yaml: NetworkPolicy/n: spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "": must be a valid '
     "CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"),
    # before: AttributeError ('str' object has no attribute 'get')
    (POD.format(c=GOOD_C, extra="status: Running\n"),
     'in.yaml: Pod/p: status: Invalid value: "Running": must be an object (got string "Running")'),
    # before: TypeError in the address index
    (POD.format(c=GOOD_C, extra="status: {podIP: {a: b}}\n"),
     'in.yaml: Pod/p: status.podIP: Invalid value: {"a": "b"}: must be a string (got object)'),
])
def test_values_of_the_wrong_shape_are_field_errors(tmp_path, data, line):
    code, out, err = run(tmp_path, data.encode())
    assert code == 1 and out == "" and line in err.splitlines()


def test_other_kinds_and_duplicates_are_notes(tmp_path):
    data = (POD.format(c=GOOD_C, extra="") + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n"
            + "---\n" + NP.format(rest="") + "---\n" + NP.format(rest="  policyTypes: [Egress]\n"))
    code, out, err = run(tmp_path, data.encode(), "validate")
    assert (code, out) == (0, "4 objects valid\n")
    assert err.splitlines() == [
        "note: NetworkPolicy/n in namespace default is given 2 times (in.yaml #3, in.yaml #4); "
        "the last one is used, as kubectl apply leaves it",
        "note: not part of the analysis (kind ServiceAccount): default/sa"]


def test_a_pod_and_a_deployment_with_one_name(tmp_path):
    # Before: ValueError("duplicate pod names") from the engine, as a traceback.
    dep = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: p}\nspec:\n"
           "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
           f"    spec: {{containers: [{GOOD_C}]}}\n")
    code, out, err = run(tmp_path, (POD.format(c=GOOD_C, extra="") + "---\n" + dep).encode())
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith("default/p => default/deployment/p : ")


@pytest.mark.parametrize("port, message", [
    ("99999", "error: --port: Invalid value: 99999: must be between 1 and 65535, inclusive"),
    ("Bad_Name", 'error: --port: Invalid value: "Bad_Name": must contain only alpha-numeric characters '
                 "(a-z, 0-9), and hyphens (-)"),
])
def test_a_port_that_cannot_be(tmp_path, port, message):
    # NetworkPolicyPort.port's rules (core validation ValidatePortNumOrName)
    data = POD.format(c=GOOD_C, extra="").encode()
    assert run(tmp_path, data, "matrix", "--port", port) == (1, "", message + "\n")
