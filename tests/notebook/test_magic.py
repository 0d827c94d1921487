"""%kubectl / %%kubectl in a real IPython InteractiveShell."""
from __future__ import annotations

import pytest

pytest.importorskip("IPython")

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from fakes import FakeBackend, pod  # noqa: E402
from netpol_kernel import backends  # noqa: E402
from netpol_kernel.backends.base import ExecResult  # noqa: E402
from netpol_kernel.notebook.magic import KubectlValue, expand, register  # noqa: E402
from labfiles import lab_manifest

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


# ---------------------------------------------------------------- tutorials' shapes (issue 12, point 2)


@pytest.fixture
def sim_shell():
    from netpol_kernel.sim.cluster import EmbeddedCluster
    previous = backends._current
    cluster = EmbeddedCluster()
    backends.use(cluster)
    shell = InteractiveShell.instance()
    cell(shell, "%load_ext netpol_kernel")
    prompt = shell.displayhook.write_output_prompt  # as in the ip fixture: no "Out[n]: " prompt
    shell.displayhook.write_output_prompt = lambda: None
    yield shell, cluster
    shell.displayhook.write_output_prompt = prompt
    backends._current = previous


def test_here_document_and_several_kubectl_lines(sim_shell, capsys) -> None:
    shell, cluster = sim_shell
    # As kubernetes.io's NetworkPolicy walkthrough and most blog posts print it.
    cell(shell, "%%kubectl\n"
                "kubectl create deployment web --image=nginx --port=80\n"
                "kubectl apply -f - <<EOF\n"
                "apiVersion: networking.k8s.io/v1\n"
                "kind: NetworkPolicy\n"
                "metadata:\n"
                "  name: web-deny-all\n"
                "spec:\n"
                "  podSelector: {matchLabels: {app: web}}\n"
                "  ingress: []\n"
                "EOF\n"
                "cat <<'EOF' | kubectl apply -f -\n"
                "apiVersion: v1\n"
                "kind: Namespace\n"
                "metadata: {name: other}\n"
                "EOF\n"
                "kubectl get netpol -o name\n")
    assert capsys.readouterr().out == (
        "deployment.apps/web created\n"
        "networkpolicy.networking.k8s.io/web-deny-all created\n"
        "namespace/other created\n"
        "networkpolicy.networking.k8s.io/web-deny-all\n")
    assert cluster.get("NetworkPolicy", name="web-deny-all")[0]["spec"]["podSelector"] == \
        {"matchLabels": {"app": "web"}}


def test_run_rm_i_with_the_cell_body_as_the_shells_input(sim_shell, capsys) -> None:
    shell, _ = sim_shell
    cell(shell, "%kubectl run web --image=nginx --labels=app=web --expose --port=80")
    capsys.readouterr()
    # `kubectl run test --rm -i --image=alpine -- sh`, then typing: one cell.
    cell(shell, "%%kubectl run test --rm -i --image=alpine -- sh\nwget -qO- -T 2 web | grep title && echo reached\n")
    out = capsys.readouterr().out
    # attach.go's prompt line first, delete.go's line last (k8s.io/kubectl v0.32).
    assert out.startswith("If you don't see a command prompt, try pressing enter.\n")
    assert "<title>Welcome to nginx!</title>\nreached\n" in out
    assert out.endswith('pod "test" deleted\n')


def test_apply_from_a_url(sim_shell, capsys, tmp_path) -> None:
    """A local http.server on 127.0.0.1 stands for the tutorial's https URL."""
    import functools
    import http.server
    import threading

    (tmp_path / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fetched\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    shell, _ = sim_shell
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        cell(shell, f"%kubectl apply -f {base}/ns.yaml")
        cell(shell, f"%kubectl apply -f {base}/missing.yaml")
    finally:
        server.shutdown()
        server.server_close()
    cell(shell, f"%kubectl apply -f {base}/ns.yaml")  # the server is gone: refused
    # cli-runtime v0.32 pkg/resource/visitor.go readHttpWithRetries, and Go's *url.Error for a dial failure.
    assert capsys.readouterr().out == (
        "namespace/fetched created\n"
        f'error: unable to read URL "{base}/missing.yaml", server reported 404 File not found, status code=404\n'
        f'error: Get "{base}/ns.yaml": dial tcp 127.0.0.1:{server.server_address[1]}: connect: connection refused\n')


def test_and_or_semicolon_chain_commands_as_a_shell_does(sim_shell, capsys) -> None:
    shell, _ = sim_shell
    cell(shell, "%%kubectl\n"
                "kubectl create deployment web --image=nginx --port=80 && kubectl expose deployment web\n"
                "kubectl get deploy nope && echo never; kubectl get deploy nope || kubectl get svc web -o name\n")
    # `echo` is no kubectl verb: skipped after a failure, as `&&` does in a shell.
    assert capsys.readouterr().out == (
        "deployment.apps/web created\nservice/web exposed\n"
        'Error from server (NotFound): deployments.apps "nope" not found\n'
        'Error from server (NotFound): deployments.apps "nope" not found\n'
        "service/web\n")


def test_pipes_and_redirections_between_kubectl_commands(sim_shell, capsys, tmp_path, monkeypatch) -> None:
    shell, cluster = sim_shell
    monkeypatch.chdir(tmp_path)
    cell(shell, "%%kubectl\n"
                "kubectl create deployment web --image=nginx --dry-run=client -o yaml | kubectl apply -f -\n"
                "kubectl get deploy web -o name > names.txt\n"
                "kubectl get deploy web -o name >> names.txt\n"
                "kubectl get deploy nope 2>/dev/null\n"
                "kubectl get deploy nope -o name 2>&1\n")
    # As a shell would: the first stdout feeds apply (its "created" line shows), the
    # redirected outputs land in the file, 2>/dev/null hides kubectl's error.
    assert capsys.readouterr().out == (
        "deployment.apps/web created\n"
        'Error from server (NotFound): deployments.apps "nope" not found\n')
    assert (tmp_path / "names.txt").read_text() == "deployment.apps/web\ndeployment.apps/web\n"
    assert cluster.get("Deployment", name="web")[0]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"
