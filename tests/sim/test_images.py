"""Image behaviours and in-pod commands, against a scripted network (no cluster).

The network double answers each lookup and connection from a table, so every
curl/wget/nc/nslookup wording can be checked for every outcome.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest

from netpol_kernel.backends.base import KubectlExecError
from netpol_kernel.sim.commands import run
from netpol_kernel.sim.process import ExecContext
from netpol_kernel.sim.images import (JSON_MOCK_INDEX, Dial, HttpReply, Request, Resolution,
                                     database_check, example_web_python, http_date, image_name,
                                     json_mock, mariadb, toolbox)
from netpol_kernel.sim.programs import listeners

NOW = datetime(2021, 11, 23, 12, 50, 44, tzinfo=timezone.utc)
LAB_HEADERS = ("HTTP/1.1 200 OK\r\nX-Powered-By: Express\r\nVary: Origin, Accept-Encoding\r\n"
               "Access-Control-Allow-Credentials: true\r\nAccept-Ranges: bytes\r\n"
               "Cache-Control: public, max-age=0\r\nLast-Modified: Sat, 26 Oct 1985 08:15:00 GMT\r\n"
               "ETag: W/\"83d-7438674ba0\"\r\nContent-Type: text/html; charset=UTF-8\r\n"
               "Content-Length: 2109\r\nDate: Tue, 23 Nov 2021 12:50:44 GMT\r\nConnection: keep-alive\r\n\r\n")
METER_HEAD = ("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
              "                                 Dload  Upload   Total   Spent    Left  Speed\n")


@dataclass
class FakeNet:
    """A PodNetwork whose lookups and connections are looked up in tables."""

    names: dict = field(default_factory=dict)       # host -> ip | "timeout" (missing: NXDOMAIN)
    conns: dict = field(default_factory=dict)       # (ip, port) -> "open" | "timeout" | "refused"
    servers: dict = field(default_factory=dict)     # (ip, port) -> server function
    env: dict = field(default_factory=dict)
    pod: str = "client"
    namespace: str = "default"
    ip: str = "10.244.0.9"

    def now(self) -> datetime:
        return NOW

    def resolve(self, host: str) -> Resolution:
        v = self.names.get(host)
        if v == "timeout":
            return Resolution("timeout", host)
        if v is None:
            return Resolution("nxdomain", host, tried=(f"{host}.default.svc.cluster.local",))
        return Resolution("ok", host, v, f"{host}.default.svc.cluster.local")

    def dial(self, ip: str, port: int, protocol: str = "TCP") -> Dial:
        status = self.conns.get((ip, port), "timeout")
        server = self.servers.get((ip, port))
        return Dial(status, ip, port, protocol, server, self if server else None, "default/x", "why")


def ctx_for(image: str, net: FakeNet, tty: bool = False) -> ExecContext:
    return ExecContext(toolbox(image), net, net.env or {"HOSTNAME": net.pod}, net.pod, net.namespace,
                       "f" * 64, tty)


LAB = "docker.io/byrnedo/alpine-curl:0.1.8"
MODERN = "curlimages/curl:8.11.1"


def backend_net(status: str = "open") -> FakeNet:
    return FakeNet({"backend": "10.96.100.209"}, {("10.96.100.209", 8080): status},
                   {("10.96.100.209", 8080): json_mock} if status == "open" else {})


# ---------------------------------------------------------------- images

def test_image_names_and_toolboxes():
    assert image_name("registry.k8s.io/coredns/coredns:v1.11.1") == "coredns/coredns"
    assert image_name("localhost:5000/team/app") == "team/app"
    assert image_name("docker.io/library/busybox:1.36") == "busybox"
    assert toolbox(LAB).curl == "7.61.1" and toolbox(LAB).nslookup == "busybox-old"
    assert toolbox("quay.io/acend/example-web-python:latest").has("python3")
    assert not toolbox("quay.io/acend/example-web-python:latest").has("curl")
    assert toolbox("example.com/my-curl-tool:1").curl == "8.x"
    # docker-nginx 4370fa1 (2020-11) installs curl in the Debian image: nginx has curl.
    assert toolbox("nginx:1.25").has("curl") and not toolbox("nginx:1.25").has("wget")


def test_listeners_follow_the_program_not_the_manifest():
    assert set(listeners("cilium/json-mock:1.2", {}, [(8080, "TCP")])) == {(80, "TCP")}  # run.sh default
    assert set(listeners("cilium/json-mock:1.2", {"PORT": "8080"}, ())) == {(8080, "TCP")}
    assert set(listeners("mariadb:10.5", {}, ())) == {(3306, "TCP")}
    assert set(listeners("nginx", {}, [(80, "TCP"), (53, "UDP")])) == {(80, "TCP")}
    assert listeners(LAB, {}, [(80, "TCP")]) == {}


def test_json_mock_index_is_the_labs_page():
    assert len(JSON_MOCK_INDEX.encode()) == 2109
    r = json_mock(Request("HEAD", "/", "backend:8080"), FakeNet())
    assert isinstance(r, HttpReply) and r.header("Content-Length") == "2109"
    assert http_date(NOW) == "Tue, 23 Nov 2021 12:50:44 GMT"


def test_json_mock_routes_and_404():
    net = FakeNet()
    r = json_mock(Request("GET", "/public/1", "b"), net)
    assert r.status == 200 and r.body == b'{\n  "id": 1,\n  "body": "public information"\n}'
    missing = json_mock(Request("GET", "/nope", "b"), net)
    assert (missing.status, missing.body, missing.header("ETag")) == (404, b"{}", 'W/"2-vyGp6PvFo4RvsFtPoIWeCReyIC8"')


def test_example_web_python_needs_its_database_only_for_hellos():
    uri = {"MYSQL_URI": "mysql://u:p@mariadb/db"}
    broken = FakeNet({"mariadb": "10.96.1.1"}, {("10.96.1.1", 3306): "timeout"}, env=uri)
    assert example_web_python(Request("GET", "/", "x"), broken).status == 200
    assert example_web_python(Request("GET", "/health", "x"), broken).body == b"ok"
    r = example_web_python(Request("GET", "/hellos", "x"), broken)
    assert (r.status, r.reason, r.latency) == (500, "INTERNAL SERVER ERROR", 127.0)
    assert r.header("Content-Length") == "265" and r.header("Connection") == "close"
    ok = FakeNet({"mariadb": "10.96.1.1"}, {("10.96.1.1", 3306): "open"}, env=uri)
    assert example_web_python(Request("GET", "/hellos", "x"), ok).body == b"[]\n"
    assert database_check(FakeNet(env=uri))[0] is False  # NXDOMAIN
    assert database_check(FakeNet())[0] is True  # no MYSQL_URI: SQLite


# ---------------------------------------------------------------- curl, as the lab's image prints it

def test_curl_head_prints_crlf_headers_and_a_meter_without_a_tty():
    r = run(["curl", "-I", "--connect-timeout", "5", "backend:8080"], ctx_for(LAB, backend_net()))
    assert r.exit_code == 0 and r.stdout == LAB_HEADERS
    assert r.stderr == METER_HEAD + "  0  2109    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0\n"
    quiet = run(["curl", "-I", "--connect-timeout", "5", "backend:8080"], ctx_for(LAB, backend_net(), tty=True))
    assert quiet.stderr == ""


def test_curl_get_meter_shows_the_transfer():
    r = run(["curl", "backend:8080"], ctx_for(LAB, backend_net()))
    assert r.stdout == JSON_MOCK_INDEX
    assert r.stderr.splitlines()[-1] == "100  2109  100  2109    0     0   686k      0 --:--:-- --:--:-- --:--:--  686k"


@pytest.mark.parametrize("image,argv,code,line", [
    (LAB, ["--connect-timeout", "5"], 28, "curl: (28) Connection timed out after 5001 milliseconds"),
    (LAB, ["-m", "3"], 28, "curl: (28) Connection timed out after 3001 milliseconds"),
    (LAB, [], 7, "curl: (7) Failed to connect to backend port 8080: Operation timed out"),
    (MODERN, ["--connect-timeout", "5"], 28,
     "curl: (28) Failed to connect to backend port 8080 after 5001 ms: Timeout was reached"),
])
def test_curl_blocked(image, argv, code, line):
    r = run(["curl", "-sS", *argv, "backend:8080"], ctx_for(image, backend_net("timeout")))
    assert (r.exit_code, r.stdout, r.stderr) == (code, "", line + "\n")
    assert r.output.endswith(f"command terminated with exit code {code}\n")


def test_curl_refused_and_silent():
    net = FakeNet({"backend": "10.96.100.209"}, {("10.96.100.209", 9999): "refused"})
    r = run(["curl", "-sS", "backend:9999"], ctx_for(LAB, net))
    assert (r.exit_code, r.stderr) == (7, "curl: (7) Failed to connect to backend port 9999: Connection refused\n")
    assert run(["curl", "-s", "backend:9999"], ctx_for(LAB, net)).stderr == ""
    modern = run(["curl", "-sS", "backend:9999"], ctx_for(MODERN, net))
    assert modern.stderr == "curl: (7) Failed to connect to backend port 9999 after 2 ms: Connection refused\n"


def test_curl_dns_wordings():
    blocked = FakeNet({"backend": "timeout"})
    r = run(["curl", "-sS", "--connect-timeout", "5", "backend:8080"], ctx_for(LAB, blocked))
    assert (r.exit_code, r.stderr) == (28, "curl: (28) Resolving timed out after 5000 milliseconds\n")
    r = run(["curl", "-sS", "backend:8080"], ctx_for(LAB, blocked))  # musl gives up first
    assert (r.exit_code, r.stderr) == (6, "curl: (6) Could not resolve host: backend\n")
    r = run(["curl", "-sS", "--connect-timeout", "5", "nosuch:8080"], ctx_for(LAB, FakeNet()))
    assert (r.exit_code, r.stderr) == (6, "curl: (6) Could not resolve host: nosuch\n")


def test_curl_write_out_output_and_fail():
    r = run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "backend:8080"], ctx_for(LAB, backend_net()))
    assert (r.stdout, r.exit_code) == ("200", 0)
    r = run(["curl", "-sS", "-w", "%{http_code}\\n", "-o", "/dev/null", "backend:8080/nope"],
            ctx_for(LAB, backend_net()))
    assert r.stdout == "404\n"
    r = run(["curl", "-sSf", "backend:8080/nope"], ctx_for(LAB, backend_net()))
    assert (r.exit_code, r.stdout, r.stderr) == (22, "", "curl: (22) The requested URL returned error: 404 Not Found\n")


def test_curl_against_mariadb_and_an_unknown_server():
    net = FakeNet({"mariadb": "10.96.1.1"}, {("10.96.1.1", 3306): "open"}, {("10.96.1.1", 3306): mariadb})
    r = run(["curl", "-s", "mariadb:3306"], ctx_for(LAB, net))  # curl 7.61 still speaks HTTP/0.9
    assert r.exit_code == 56 and "MariaDB" in r.stdout and "Got packets out of order" in r.stdout
    assert run(["curl", "-sSI", "mariadb:3306"], ctx_for(LAB, net)).stderr == "curl: (8) Weird server reply\n"
    assert run(["curl", "-sS", "mariadb:3306"], ctx_for(MODERN, net)).stderr == \
        "curl: (1) Received HTTP/0.9 when not allowed\n"
    from netpol_kernel.sim.images import empty_reply
    net2 = FakeNet({"web": "10.96.1.2"}, {("10.96.1.2", 80): "open"}, {("10.96.1.2", 80): empty_reply})
    assert run(["curl", "-sS", "web"], ctx_for(LAB, net2)).stderr == "curl: (52) Empty reply from server\n"


def test_curl_max_time_cuts_a_slow_backend():
    uri = {"MYSQL_URI": "mysql://u:p@mariadb/db"}
    backend = FakeNet({"mariadb": "10.96.1.1"}, {("10.96.1.1", 3306): "timeout"}, env=uri)
    net = FakeNet({"web": "10.96.1.2"}, {("10.96.1.2", 5000): "open"},
                  {("10.96.1.2", 5000): lambda req, _: example_web_python(req, backend)})
    r = run(["curl", "-sS", "-m", "10", "web:5000/hellos"], ctx_for(LAB, net))
    assert (r.exit_code, r.stderr) == (28, "curl: (28) Operation timed out after 10001 milliseconds with 0 bytes received\n")
    r = run(["curl", "-si", "web:5000/hellos"], ctx_for(LAB, net))
    assert r.exit_code == 0 and r.stdout.startswith("HTTP/1.1 500 INTERNAL SERVER ERROR\r\nServer: Werkzeug/")


def test_curl_usage_errors():
    r = run(["curl"], ctx_for(LAB, FakeNet()))
    assert (r.exit_code, r.stderr.splitlines()[0]) == (2, "curl: no URL specified!")
    r = run(["curl", "--bogus", "x"], ctx_for(LAB, FakeNet()))
    assert (r.exit_code, r.stderr.splitlines()[0]) == (2, "curl: option --bogus: is unknown")


def test_curl_verbose():
    r = run(["curl", "-v", "-I", "backend:8080"], ctx_for(LAB, backend_net()))
    lines = r.stderr.split("\n")
    assert lines[:3] == ["*   Trying 10.96.100.209...", "* TCP_NODELAY set",
                         "* Connected to backend (10.96.100.209) port 8080 (#0)"]
    assert "> HEAD / HTTP/1.1\r" in lines and "< HTTP/1.1 200 OK\r" in lines


# ---------------------------------------------------------------- other tools

def test_nslookup_dialects():
    ok = FakeNet({"backend": "10.96.100.209"})
    old = run(["nslookup", "backend"], ctx_for(LAB, ok))
    assert old.stdout == "\nName:      backend\nAddress 1: 10.96.100.209 backend.default.svc.cluster.local\n"
    assert old.stderr == "nslookup: can't resolve '(null)': Name does not resolve\n" and old.exit_code == 0
    new = run(["nslookup", "backend"], ctx_for("busybox:1.36", ok))
    # busybox 1.36 networking/nslookup.c: A then AAAA for each search domain, each reply printed.
    assert new.stdout.startswith("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
                                 "Name:\tbackend.default.svc.cluster.local\nAddress: 10.96.100.209\n\n"
                                 "** server can't find backend.svc.cluster.local: NXDOMAIN\n\n")
    assert new.exit_code == 1
    blocked = FakeNet({"backend": "timeout"})
    r = run(["nslookup", "backend"], ctx_for("busybox:1.36", blocked))
    assert (r.stdout, r.exit_code) == (";; connection timed out; no servers could be reached\n\n", 1)
    r = run(["nslookup", "backend"], ctx_for(LAB, blocked))
    assert r.exit_code == 1 and r.stderr.endswith("nslookup: can't resolve 'backend': Try again\n")


def test_wget_and_nc():
    r = run(["wget", "-qO-", "backend:8080/public/1"], ctx_for(LAB, backend_net()))
    assert r.exit_code == 0 and '"public information"' in r.stdout
    r = run(["wget", "-q", "-O-", "backend:8080"], ctx_for(LAB, backend_net("timeout")))
    assert (r.exit_code, r.stderr) == (1, "wget: can't connect to remote host (10.96.100.209): Operation timed out\n")
    assert run(["wget", "-qO-", "nosuch"], ctx_for(LAB, FakeNet())).stderr == "wget: bad address 'nosuch'\n"
    r = run(["nc", "-zv", "-w", "2", "backend", "8080"], ctx_for(LAB, backend_net()))
    assert (r.exit_code, r.stderr) == (0, "backend (10.96.100.209:8080) open\n")
    r = run(["nc", "-zv", "-w2", "backend", "8080"], ctx_for(LAB, backend_net("timeout")))
    assert (r.exit_code, r.stderr) == (1, "nc: backend (10.96.100.209:8080): Operation timed out\n")
    # busybox 1.36 networking/nc_bloaty.c nc_main: errors are printed only with -v ...
    r = run(["nc", "-z", "-w2", "backend", "8080"], ctx_for(LAB, backend_net("timeout")))
    assert (r.exit_code, r.stderr) == (1, "")
    # ... and one -v stays silent on ECONNREFUSED; -vv prints it.
    r = run(["nc", "-zv", "backend", "8080"], ctx_for(LAB, backend_net("refused")))
    assert (r.exit_code, r.stderr) == (1, "")
    r = run(["nc", "-zvv", "backend", "8080"], ctx_for(LAB, backend_net("refused")))
    assert (r.exit_code, r.stderr) == (1, "nc: backend (10.96.100.209:8080): Connection refused\n")


def test_shell_builtins_and_unknown_commands():
    net = FakeNet(env={"HOSTNAME": "fe-1"})
    r = run(["/bin/ash", "-c", "echo $HOSTNAME && cat /etc/resolv.conf"], ctx_for(LAB, net))
    assert r.stdout == ("fe-1\nsearch default.svc.cluster.local svc.cluster.local cluster.local\n"
                        "nameserver 10.96.0.10\noptions ndots:5\n")
    r = run(["sh", "-c", "xyz; echo after"], ctx_for(LAB, net))
    assert (r.stdout, r.stderr, r.exit_code) == ("after\n", "sh: xyz: not found\n", 0)
    r = run(["ps", "aux"], ctx_for(LAB, net))
    assert isinstance(r, KubectlExecError) and r.exit_code == 1
    assert r.output == ('error: Internal error occurred: error executing command in container: failed to exec '
                        f'in container: failed to start exec "{"f" * 64}": OCI runtime exec failed: exec failed: '
                        'unable to start container process: exec: "ps": executable file not found in $PATH: '
                        'unknown\n')
    assert "stat /bin/bash: no such file or directory" in run(["/bin/bash"], ctx_for(LAB, net)).stderr
    assert run(["sleep", "1000000000"], ctx_for(LAB, net)).exit_code == 0
    r = run(["sh", "-c", "curl -s backend:8080/public | grep -c body"], ctx_for(LAB, backend_net()))
    assert (r.stdout, r.exit_code) == ("1\n", 0)


def test_curl_761_port_errors():
    # curl 7.61 lib/url.c parse_remote_port: strtol, then the range and the rest are checked.
    r = run(["curl", "-sS", "backend:99999"], ctx_for(LAB, backend_net()))
    assert (r.stderr, r.exit_code) == ("curl: (3) Port number out of range\n", 3)
    r = run(["curl", "-sS", "backend:80x"], ctx_for(LAB, backend_net()))
    assert (r.stderr, r.exit_code) == ("curl: (3) Port number ended with 'x'\n", 3)
