"""The shell inside pods: what tutorials type after ``kubectl exec ... -- sh -c`` or into ``sh``.

Expected texts come from the shells' and tools' sources (cited per case); outcomes
that involve the network go through a real embedded cluster.
"""
from __future__ import annotations

import pytest

from netpol_kernel.api.manifests import load_documents
from netpol_kernel.errors import UnsupportedCommand
from netpol_kernel.sim.cluster import EmbeddedCluster

PODS = """
apiVersion: v1
kind: Pod
metadata: {name: bb, labels: {app: bb}}
spec: {containers: [{name: bb, image: busybox:1.36, command: [sleep, "3600"]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {containers: [{name: nginx, image: nginx:1.27, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
"""

DENY_WEB = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-web}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}
"""


@pytest.fixture()
def c() -> EmbeddedCluster:
    cluster = EmbeddedCluster()
    cluster.apply(load_documents(PODS))
    return cluster


def sh(c: EmbeddedCluster, script: str, pod: str = "bb", shell: str = "sh"):
    r = c.exec(pod, [shell, "-c", script])
    return r.stdout, r.stderr, r.exit_code


def test_lists_quotes_variables_and_substitution(c):
    assert sh(c, "echo $HOSTNAME; X='a b'; echo \"$X\" $X '$X' ${Y:-dflt}") == ("bb\na b a b $X dflt\n", "", 0)
    assert sh(c, "false && echo no || echo yes; echo $?") == ("yes\n0\n", "", 0)
    assert sh(c, "echo \"I am $(hostname) in `cat /etc/hostname`\"") == ("I am bb in bb\n", "", 0)
    assert sh(c, "A=1; export A; env | grep '^A='") == ("A=1\n", "", 0)
    assert sh(c, "for i in 1 2 3; do echo n$i; done | wc -l") == ("3\n", "", 0)
    assert sh(c, "if [ \"$(hostname)\" = bb ]; then echo same; else echo other; fi") == ("same\n", "", 0)
    assert sh(c, "exit 3; echo never") == ("", "", 3)


def test_pipes_into_the_text_tools(c):
    out, err, code = sh(c, "wget -qO- http://web | grep -o 'Welcome to nginx!' | head -n 1")
    assert (out, err, code) == ("Welcome to nginx!\n", "", 0)
    assert sh(c, "wget -qO- web | wc -c") == ("615\n", "", 0)  # nginx's index.html is 615 bytes
    assert sh(c, "printf 'b\\na\\nb\\n' | sort | uniq -c") == ("      1 a\n      2 b\n", "", 0)
    assert sh(c, "echo hello | tail -c 3") == ("lo\n", "", 0)
    assert sh(c, "ls / | head -3") == ("bin\ndev\netc\n", "", 0)


def test_redirections(c):
    assert sh(c, "echo hi > /tmp/x; echo there >> /tmp/x; cat /tmp/x") == ("hi\nthere\n", "", 0)
    # busybox cat (coreutils/cat.c, bb_perror_msg "can't open '%s'"): the error goes to stderr,
    # 2>&1 brings it to stdout, 2>/dev/null drops it.
    assert sh(c, "cat /nosuch 2>&1") == ("cat: can't open '/nosuch': No such file or directory\n", "", 1)
    assert sh(c, "cat /nosuch 2>/dev/null; echo $?") == ("1\n", "", 0)
    assert sh(c, "echo to-err >&2") == ("", "to-err\n", 0)
    assert sh(c, "wget -qO- web > /dev/null && echo reachable") == ("reachable\n", "", 0)


def test_sh_reads_its_script_from_stdin(c):
    # What `kubectl exec -i POD -- sh` (or `kubectl run -i ... -- sh`) does with typed lines.
    r = c.exec("bb", ["sh"], stdin="hostname\nwget -qO- --timeout=2 http://web | head -n 4 | tail -n 1\n")
    assert (r.stdout, r.exit_code) == ("bb\n<title>Welcome to nginx!</title>\n", 0)
    r = c.exec("bb", ["sh", "-c", "read a b; echo \"$b-$a\""], stdin="one two\n")
    assert r.stdout == "two-one\n"
    assert c.exec("bb", ["cat"], stdin="piped\n").stdout == "piped\n"


def test_missing_programs_in_each_shell(c):
    # busybox ash: "sh: NAME: not found" (shell/ash.c), status 127.
    assert sh(c, "nosuch; echo $?") == ("127\n", "sh: nosuch: not found\n", 0)
    # Debian's /bin/sh is dash: "sh: 1: NAME: not found" (dash src/exec.c + src/error.c).
    assert sh(c, "nosuch", pod="web") == ("", "sh: 1: nosuch: not found\n", 127)
    # bash: "bash: line 1: NAME: command not found" (execute_cmd.c).
    assert sh(c, "nosuch", pod="web", shell="bash") == ("", "bash: line 1: nosuch: command not found\n", 127)
    # nginx's image has curl but no wget or ping (docker-nginx mainline/debian/Dockerfile).
    assert sh(c, "wget -qO- web", pod="web")[1] == "sh: 1: wget: not found\n"


def test_timeout_and_sleep_run_on_a_simulated_clock(c):
    c.apply(load_documents(DENY_WEB))
    # busybox timeout (miscutils/timeout.c) exec()s the program in its own process: the
    # shell sees it killed by SIGTERM (128+15) and ash says so (shell/ash.c 1.36 dowait:
    # sprint_status48 -> strsignal(SIGTERM) "Terminated"); wget's own -T never fires first.
    assert sh(c, "timeout 2 wget -qO- http://web; echo $?") == ("143\n", "Terminated\n", 0)
    # Run directly by kubectl exec (no shell), nothing prints: only the status.
    r = c.exec("bb", ["timeout", "2", "wget", "-qO-", "http://web"])
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 143)
    assert sh(c, "timeout 5 sleep 1 && echo done") == ("done\n", "", 0)
    # GNU coreutils timeout (Debian images) exits 124.
    assert sh(c, "timeout 1 sleep 3; echo $?", pod="web") == ("124\n", "", 0)
    # 203.0.113.5 (TEST-NET-3) never answers: curl would wait for the kernel's 127 s.
    assert sh(c, "timeout 2 curl -s http://203.0.113.5; echo $?", pod="web") == ("124\n", "", 0)


def test_syntax_errors_and_endless_loops(c):
    out, err, code = sh(c, "if true; then echo x")
    assert (out, code) == ("", 2) and err.startswith("sh: syntax error")
    with pytest.raises(UnsupportedCommand, match="loops after 100 rounds"):
        sh(c, "while true; do sleep 1; done")


# ---------------------------------------------------------------- no traceback, whatever is typed

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from netpol_kernel.errors import NetpolError  # noqa: E402

_PIECES = st.sampled_from(
    list("abc $(){}[]'\"`\\;|&<>=!#*?-:01\n\t")
    + ["echo ", "cat ", "head -n ", "grep ", "wc -l", "timeout ", "sleep ", "wget ", "nc ", "ping -c 1 ",
       "if ", " then ", " fi", "for i in ", " do ", " done", "while ", "${", "$(", "2>&1", ">>", "<<", "/etc/hosts"])
_CLUSTER = EmbeddedCluster()
_CLUSTER.apply(load_documents(PODS))


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(_PIECES, max_size=20).map("".join))
def test_any_script_ends_in_a_status_or_a_one_line_error(script):
    try:
        r = _CLUSTER.exec("bb", ["sh", "-c", script])
    except NetpolError as e:  # "not modelled" errors: one line, no traceback
        assert "\n" not in str(e).strip()
        return
    assert isinstance(r.exit_code, int) and 0 <= r.exit_code <= 255
