"""%kubectl / %%kubectl in a real IPython InteractiveShell."""
from __future__ import annotations

import pytest

pytest.importorskip("IPython")

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from fakes import FakeBackend, pod  # noqa: E402
from netpol_kernel import backends  # noqa: E402
from netpol_kernel.backends.base import ExecResult  # noqa: E402
from netpol_kernel.notebook.magic import KubectlValue, expand, register  # noqa: E402
from conftest import lab_manifest

FRONTEND = "frontend-5f7d4b8b7d-abcde"
DENY = lab_manifest("backend-ingress-deny.yaml")


@pytest.fixture
def cluster():
    backend = FakeBackend([pod(FRONTEND, labels={"app": "frontend"})])
    backend.exec_answers[FRONTEND] = ExecResult("HTTP/1.1 200 OK\n", "", 0)
    previous = backends._current
    backends.use(backend)
    yield backend
    backends._current = previous


@pytest.fixture
def ip(cluster):
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "netpol_kernel.notebook.magic")
    # A plain InteractiveShell writes an "Out[n]: " prompt before formatting a
    # value; a notebook kernel (ipykernel's displayhook) writes nothing when
    # there is nothing to show.  Test what the notebook shows.
    prompt = shell.displayhook.write_output_prompt
    shell.displayhook.write_output_prompt = lambda: None
    yield shell
    shell.displayhook.write_output_prompt = prompt
    for name in ("FRONTEND", "port", "r"):
        shell.user_ns.pop(name, None)


def cell(ip: InteractiveShell, source: str):
    result = ip.run_cell(source, store_history=True)
    assert result.error_in_exec is None and result.error_before_exec is None
    return result


def test_load_ext_registers_line_and_cell_magic(ip: InteractiveShell) -> None:
    magics = ip.magics_manager.magics
    assert "kubectl" in magics["line"] and "kubectl" in magics["cell"]


def test_package_entry_point_registers_too(cluster) -> None:
    shell = InteractiveShell.instance()
    assert register() is True
    assert "kubectl" in shell.magics_manager.magics["line"]


def test_assignment_from_jsonpath_then_shell_style_variables(ip: InteractiveShell, cluster, capsys) -> None:
    cell(ip, "FRONTEND = %kubectl get pods -l app=frontend -o jsonpath='{.items[0].metadata.name}'")
    assert ip.user_ns["FRONTEND"] == FRONTEND
    assert isinstance(ip.user_ns["FRONTEND"], str)
    # Shown once, ended like a terminal line (the prompt would start the next one), so
    # two values printed by one cell stay on their own lines (issue 15).
    assert capsys.readouterr().out == FRONTEND + "\n"
    cell(ip, "A = %kubectl get pods -l app=frontend -o jsonpath='{.items[0].metadata.name}'\n"
             "B = %kubectl get pods -l app=frontend -o jsonpath='{.items[0].metadata.name}'")
    assert capsys.readouterr().out.splitlines() == [FRONTEND, FRONTEND]
    for form in ("${FRONTEND}", "$FRONTEND", "{FRONTEND}"):
        cell(ip, f"%kubectl exec -ti {form} -- curl -I --connect-timeout 5 backend:8080")
        assert cluster.calls[-1][:3] == ("exec", FRONTEND,
                                         ["curl", "-I", "--connect-timeout", "5", "backend:8080"])
        assert capsys.readouterr().out.startswith("HTTP/1.1 200 OK\n")


def test_jsonpath_braces_survive(ip: InteractiveShell, capsys) -> None:
    for line in ("get pods -o jsonpath='{.items[0].metadata.name}'",
                 'get pods -o jsonpath="{.items[0].metadata.name}"',
                 "get pods -o jsonpath={.items[0].metadata.name}",
                 "get pods -o jsonpath='{range .items[*]}{.metadata.name}{\"\\n\"}{end}'"):
        cell(ip, "%kubectl " + line)
        assert capsys.readouterr().out.startswith(FRONTEND), line


def test_ipython_own_expansion_would_break_the_lab(ip: InteractiveShell) -> None:
    # Why the magic opts out of IPython's var_expand: ${X} keeps a stray "$",
    # while a line whose braces do not all evaluate is left alone.
    ip.user_ns["FRONTEND"] = FRONTEND
    assert ip.var_expand("exec ${FRONTEND} -- ls") == f"exec ${FRONTEND} -- ls"
    line = "get pods -o jsonpath='{.items[0].metadata.name}'"
    assert ip.var_expand(line) == line


def test_errors_print_like_a_terminal_without_traceback(ip: InteractiveShell, capsys) -> None:
    cell(ip, "%kubectl deployment,svc")
    assert capsys.readouterr().out == 'error: unknown command "deployment,svc" for "kubectl"\n'
    cell(ip, "r = %kubectl get pods nope")
    assert capsys.readouterr().out == 'Error from server (NotFound): pods "nope" not found\n'
    assert ip.user_ns["r"].result.exit_code == 1


def test_value_is_not_echoed_again_in_its_own_cell(ip: InteractiveShell, capsys) -> None:
    result = cell(ip, "%kubectl get pods -o name")
    assert isinstance(result.result, KubectlValue)
    assert capsys.readouterr().out.count(f"pod/{FRONTEND}") == 1
    # Same cell: nothing to format.  A later cell: an ordinary string.
    assert ip.display_formatter.format(result.result) == ({}, {})
    cell(ip, "pass")
    data, _ = ip.display_formatter.format(result.result)
    assert data["text/plain"] == repr(f"pod/{FRONTEND}")


def test_cell_magic_runs_each_line(ip: InteractiveShell, cluster, capsys) -> None:
    cell(ip, "%%kubectl\n# the lab's check\nget pods -o name\n\nkubectl get netpol\n$ get pods \\\n  -o name\n")
    assert capsys.readouterr().out == (
        f"pod/{FRONTEND}\nNo resources found in default namespace.\npod/{FRONTEND}\n")


def test_cell_magic_body_is_stdin(ip: InteractiveShell, cluster, capsys) -> None:
    cell(ip, "%%kubectl apply -f -\n" + DENY)
    assert capsys.readouterr().out == "networkpolicy.networking.k8s.io/backend-ingress-deny created\n"
    cell(ip, "%%kubectl\nget netpol -o name")
    assert capsys.readouterr().out == "networkpolicy.networking.k8s.io/backend-ingress-deny\n"


def test_expand_rules() -> None:
    ns = {"FRONTEND": "fe-1", "port": 8080, "pods": ["a", "b"], "end": "x"}
    assert expand("exec ${FRONTEND} $FRONTEND {FRONTEND} -- curl b:{port}", ns) == \
        "exec fe-1 fe-1 fe-1 -- curl b:8080"
    assert expand("exec '${FRONTEND}' \"$FRONTEND\"", ns) == "exec '${FRONTEND}' \"fe-1\""
    assert expand("exec {pods[1]} -- ls", ns) == "exec b -- ls"
    assert expand("x ${NOPE} $NOPE {nope} {1+1} {'\\n'} ${ FRONTEND }", ns) == \
        "x ${NOPE} $NOPE {nope} {1+1} {'\\n'} ${ FRONTEND }"
    # A variable called "end" must not eat kubectl's {end}.
    assert expand('get -o "jsonpath={range .items[*]}{.name}{end}" {end}', ns) == \
        'get -o "jsonpath={range .items[*]}{.name}{end}" x'
    assert expand("get -o jsonpath={.items[0].metadata.name}{end}", ns) == \
        "get -o jsonpath={.items[0].metadata.name}{end}"


def test_lab_cells_on_the_embedded_cluster(capsys) -> None:
    from netpol_kernel.sim.cluster import EmbeddedCluster
    previous = backends._current
    backends.use(EmbeddedCluster())
    shell = InteractiveShell.instance()
    try:
        cell(shell, "%load_ext netpol_kernel")
        cell(shell, "%%kubectl apply -f -\n" + DENY.replace("backend-ingress-deny", "deny"))
        cell(shell, "%%kubectl\nkubectl get netpol -o name\nkubectl deployment,svc\n")
        assert capsys.readouterr().out == (
            "networkpolicy.networking.k8s.io/deny created\n"
            "networkpolicy.networking.k8s.io/deny\n"
            'error: unknown command "deployment,svc" for "kubectl"\n')
        cell(shell, "r = %kubectl get pods -o jsonpath='{.items[0].metadata.name}'")
        assert "array index out of bounds: index 0, length 0" in capsys.readouterr().out
    finally:
        backends._current = previous
        shell.user_ns.pop("r", None)


def test_package_errors_show_as_one_line_not_a_traceback(monkeypatch) -> None:
    """In a notebook, nk.reachability with an unknown pod reads like kubectl, without a stack."""
    from IPython.core.interactiveshell import InteractiveShell

    from netpol_kernel.notebook.magic import load_ipython_extension
    shell = InteractiveShell.instance()
    load_ipython_extension(shell)
    shown: list = []  # what the front end is sent (ipykernel turns it into the error output)
    monkeypatch.setattr(shell, "_showtraceback", lambda etype, value, stb: shown.append(stb))
    result = shell.run_cell("import netpol_kernel as nk\n"
                            "nk.Engine([], [], []).evaluate('default/nope', 'default/x', 80)")
    assert isinstance(result.error_in_exec, Exception)
    assert shown == [['NotFoundError: Error from server (NotFound): pods "nope" not found']]
    shell.run_cell("1/0")  # other errors keep their ordinary traceback
    assert len(shown) == 2 and any("ZeroDivisionError" in line for line in shown[1])
