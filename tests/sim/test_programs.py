"""The images tutorials use, run in the embedded cluster: what they serve, log and print.

Each expected text names its source: the image's Dockerfile, the server's or the
client's source file and release.
"""
from __future__ import annotations

import pytest

from netpol_kernel.api.manifests import load_documents
from netpol_kernel.sim.cluster import EmbeddedCluster
from netpol_kernel.sim.programs import assumption_for, container_argv, listeners
from netpol_kernel.sim.webservers import NGINX_INDEX, nginx_version


def pod(name: str, image: str, labels: str = "", extra: str = "") -> str:
    return (f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {{app: {labels or name}}}}}\n"
            f"spec: {{containers: [{{name: c, image: '{image}'{extra}}}]}}\n---\n")


def svc(name: str, port: int, target: int = 0) -> str:
    t = f", targetPort: {target}" if target else ""
    return (f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\n"
            f"spec: {{selector: {{app: {name}}}, ports: [{{port: {port}{t}}}]}}\n---\n")


DENY_ALL = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
"""

ALLOW_DNS = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
"""


@pytest.fixture()
def c() -> EmbeddedCluster:
    cluster = EmbeddedCluster()
    cluster.apply(load_documents(
        pod("web", "nginx", extra=", ports: [{containerPort: 8080}]") + svc("web", 80, 80)
        + pod("bb", "busybox:1.36", extra=", command: [sleep, '3600']")
        + pod("bbm", "busybox:1.36-musl", extra=", command: [sleep, '3600']")
        + pod("al", "alpine:3.20", extra=", command: [sleep, '3600']")
        + pod("cu", "curlimages/curl:8.11.1", extra=", command: [sleep, '3600']")))
    return cluster


# ---------------------------------------------------------------- nginx

def test_nginx_serves_its_welcome_page_on_80_whatever_the_manifest_declares(c):
    r = c.exec("cu", ["curl", "-s", "web"])
    assert (r.stdout, r.exit_code) == (NGINX_INDEX, 0)
    assert len(NGINX_INDEX.encode()) == 615  # nginx's package index.html
    # The manifest declares 8080; nothing listens there: a RST, "Connection refused".
    ip = c.get("Pod", name="web")[0]["status"]["podIP"]
    r = c.exec("cu", ["curl", "-sS", f"{ip}:8080"])
    assert r.exit_code == 7 and r.stderr.endswith(f"Failed to connect to {ip} port 8080 after 0 ms: "
                                                  "Connection refused\n")


def test_nginx_headers_and_404_follow_the_tag(c):
    # docker-nginx 0d7f438: latest is mainline 1.29.8; "1.25-alpine" is that line's last, 1.25.5.
    head = c.exec("cu", ["curl", "-sI", "web"]).stdout
    assert head.startswith("HTTP/1.1 200 OK\r\nServer: nginx/1.29.8\r\n")
    assert "Content-Type: text/html\r\nContent-Length: 615\r\n" in head and "Accept-Ranges: bytes\r\n" in head
    assert nginx_version("nginx:1.25-alpine") == "1.25.5" and nginx_version("nginx:stable") == "1.30.0"
    # src/http/ngx_http_special_response.c: the 404 page, CRLF line ends, "nginx/VERSION" tail.
    r = c.exec("cu", ["curl", "-s", "web/nosuch"])
    assert r.stdout == ("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
                        "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.29.8</center>\r\n"
                        "</body>\r\n</html>\r\n")


def test_nginx_writes_its_access_log(c):
    c.exec("cu", ["curl", "-s", "web"])
    c.exec("bb", ["wget", "-qO-", "web/x"])
    lines = c.container_logs("web", namespace="default", container="c").splitlines()
    cu = c.get("Pod", name="cu")[0]["status"]["podIP"]
    bb = c.get("Pod", name="bb")[0]["status"]["podIP"]
    # docker-nginx nginx.conf log_format main (to stdout through /var/log/nginx/access.log).
    assert lines[0].startswith(f"{cu} - - [") and lines[0].endswith('] "GET / HTTP/1.1" 200 615 "-" '
                                                                      '"curl/8.11.1" "-"')
    assert lines[1].startswith(f"{bb} - - [") and lines[1].endswith('"GET /x HTTP/1.1" 404 153 "-" "Wget" "-"')


# ---------------------------------------------------------------- busybox by tag and variant

def test_busybox_wget_wordings(c):
    c.apply(load_documents(DENY_ALL + "---" + ALLOW_DNS))
    # networking/wget.c (1.36): -T arms an alarm whose handler says "download timed out".
    r = c.exec("bb", ["wget", "-q", "-T", "2", "-O-", "http://web"])
    assert (r.stderr, r.exit_code) == ("wget: download timed out\n", 1)
    # Without -T the kernel gives up first (127 s < 900 s): glibc's strerror(ETIMEDOUT).
    ip = c.get("Service", name="web")[0]["spec"]["clusterIP"]
    r = c.exec("bb", ["wget", "-qO-", "http://web"])
    assert r.stderr == f"wget: can't connect to remote host ({ip}): Connection timed out\n"
    r = c.exec("al", ["wget", "-qO-", "http://web"])  # alpine: musl
    assert r.stderr == f"wget: can't connect to remote host ({ip}): Operation timed out\n"
    c.delete("NetworkPolicy", "allow-dns")
    # The URL's host part, port included, goes whole to xhost2sockaddr: "bad address 'web:80'".
    assert c.exec("bb", ["wget", "-T", "2", "http://web:80"]).stderr == "wget: bad address 'web:80'\n"
    assert c.exec("bb", ["wget", "-T", "2", "http://web"]).stderr == "wget: bad address 'web'\n"
    assert c.exec("bb", ["wget", "-T", "abc", "web"]).stderr == "wget: invalid number 'abc'\n"


def test_busybox_nc_glibc_and_musl(c):
    # Chapter 6's probe, `nc -zv -w 5 mariadb 3306` from busybox:1.36 (glibc build, the
    # official image's default variant): networking/nc_bloaty.c bb_perror_msg "%s (%s)".
    c.apply(load_documents(DENY_ALL + "---" + ALLOW_DNS))
    ip = c.get("Service", name="web")[0]["spec"]["clusterIP"]
    r = c.exec("bb", ["nc", "-zv", "-w", "5", "web", "80"])
    assert (r.stderr, r.exit_code) == (f"nc: web ({ip}:80): Connection timed out\n", 1)
    r = c.exec("bbm", ["nc", "-zv", "-w", "5", "web", "80"])
    assert r.stderr == f"nc: web ({ip}:80): Operation timed out\n"
    # getopt32 "w+" -> xatoi_positive: libbb/xatonum_template.c "invalid number '%s'".
    assert (c.exec("bb", ["nc", "-w", "abc", "web", "80"]).stderr) == "nc: invalid number 'abc'\n"


def test_ping_is_judged_as_kube_network_policies_does(c):
    web = c.get("Pod", name="web")[0]["status"]["podIP"]
    r = c.exec("bb", ["ping", "-c", "1", web])
    # networking/ping.c (1.36): header, one line per reply, statistics.
    assert r.exit_code == 0 and r.stdout.startswith(f"PING {web} ({web}): 56 data bytes\n64 bytes from {web}: seq=0 ")
    assert "1 packets transmitted, 1 packets received, 0% packet loss\n" in r.stdout
    c.apply(load_documents("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-http-only}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: 80}]}]
"""))
    # ICMP has no port: a rule with ports never matches it (kube-network-policies evaluatePorts).
    r = c.exec("bb", ["ping", "-c", "2", "-W", "1", web])
    assert r.exit_code == 1 and "2 packets transmitted, 0 packets received, 100% packet loss\n" in r.stdout
    assert c.exec("bb", ["wget", "-qO-", "web"]).exit_code == 0
    c.apply(load_documents("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-bb}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: bb}}}]}]
"""))
    assert c.exec("bb", ["ping", "-c", "1", web]).exit_code == 0  # a rule without ports does
    ip = c.get("Service", name="web")[0]["spec"]["clusterIP"]
    assert c.exec("bb", ["ping", "-c", "1", ip]).exit_code == 1  # a ClusterIP answers no ping
    assert c.exec("bb", ["ping", "-c", "1", "nosuch"]).stderr == "ping: bad address 'nosuch'\n"


# ---------------------------------------------------------------- curl's argument parsing (issue 13)

def test_curl_arguments_as_curl_parses_them(c):
    # Combined short flags (src/tool_getparam.c reads one letter at a time).
    assert c.exec("cu", ["curl", "-sSk", "web"]).stdout == NGINX_INDEX
    assert c.exec("cu", ["curl", "-sL", "web"]).exit_code == 0
    # tool_getparam.c: PARAM_BAD_NUMERIC -> "expected a proper numerical parameter", status 2.
    r = c.exec("cu", ["curl", "--max-time", "abc", "web"])
    assert (r.stderr.splitlines()[0], r.exit_code) == (
        "curl: option --max-time: expected a proper numerical parameter", 2)
    assert c.exec("cu", ["curl", "-m", "x1", "web"]).stderr.startswith(
        "curl: option -m: expected a proper numerical parameter\n")
    # PARAM_NEGATIVE_NUMERIC (src/tool_helpers.c param2text).
    assert c.exec("cu", ["curl", "-m", "-1", "web"]).stderr.startswith(
        "curl: option -m: expected a positive numerical parameter\n")
    # lib/urlapi.c CURLUE_BAD_PORT_NUMBER ("URL rejected: " from lib/url.c), CURLE_URL_MALFORMAT = 3.
    r = c.exec("cu", ["curl", "-sS", "web:99999"])
    assert (r.stderr, r.exit_code) == (
        "curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535\n", 3)
    # An IPv6 literal in brackets is the host (curl's glob.c leaves [::1] alone): local delivery.
    r = c.exec("web", ["curl", "-s", "[::1]:80"])
    assert (r.stdout, r.exit_code) == (NGINX_INDEX, 0)
    r = c.exec("web", ["curl", "-sS", "[::1]:8080"])
    assert r.exit_code == 7 and "Failed to connect to ::1 port 8080" in r.stderr


# ---------------------------------------------------------------- other servers

SERVERS = (
    pod("httpd", "httpd:2.4")
    + pod("echo", "hashicorp/http-echo:1.0", extra=", args: ['-text=hello world']")
    + pod("hello", "us-docker.pkg.dev/google-samples/containers/gke/hello-app:2.0")
    + pod("py", "python:3.12", extra=", command: [python, -m, http.server, '8080']")
    + pod("bbhttpd", "busybox:1.36", extra=", command: [httpd, -f, -p, '8000']")
    + pod("mystery", "example.com/team/app:1", extra=", ports: [{containerPort: 9000}]")
    + pod("cu", "curlimages/curl:8.11.1", extra=", command: [sleep, '3600']")
)


def test_other_servers():
    c = EmbeddedCluster()
    c.apply(load_documents(SERVERS))
    ip = {p["metadata"]["name"]: p["status"]["podIP"] for p in c.get("Pod")}
    # httpd: htdocs/index.html "It works!" (45 bytes); docker-library/httpd 2.4.68.
    r = c.exec("cu", ["curl", "-si", ip["httpd"]])
    assert r.stdout.endswith("\r\n\r\n<html><body><h1>It works!</h1></body></html>\n")
    assert "Server: Apache/2.4.68 (Unix)\r\n" in r.stdout
    assert c.container_logs("httpd", namespace="default", container="c").splitlines()[0].endswith('"GET / HTTP/1.1" 200 45')
    # http-echo: -listen default :5678, the text and a newline.
    r = c.exec("cu", ["curl", "-si", f"{ip['echo']}:5678"])
    assert r.stdout.endswith("hello world\n") and "X-App-Name: http-echo\r\n" in r.stdout
    # hello-app (quickstarts/hello-app/main.go): $PORT or 8080.
    r = c.exec("cu", ["curl", "-s", f"{ip['hello']}:8080"])
    assert r.stdout == "Hello, world!\nVersion: 2.0.0\nHostname: hello\n"
    # Lib/http/server.py: HTTP/1.0, Server: SimpleHTTP/0.6 Python/3.12.x.
    r = c.exec("cu", ["curl", "-sI", f"{ip['py']}:8080"])
    assert r.stdout.startswith("HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.12.11\r\n")
    assert "<title>Directory listing for /</title>" in c.exec("cu", ["curl", "-s", f"{ip['py']}:8080"]).stdout
    # busybox httpd on an empty directory: its 404 page (networking/httpd.c).
    r = c.exec("cu", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"{ip['bbhttpd']}:8000"])
    assert r.stdout == "404"
    # An unknown image: accepted on its declared port, nothing sent back.
    r = c.exec("cu", ["curl", "-sS", f"{ip['mystery']}:9000"])
    assert (r.stderr, r.exit_code) == ("curl: (52) Empty reply from server\n", 52)
    assert assumption_for("example.com/team/app:1") == (
        "image example.com/team/app:1 is not modelled: assumed to accept connections on its declared "
        "containerPorts and to send nothing back")


def test_container_command_decides_what_runs():
    # The kubelet: command replaces ENTRYPOINT, args replaces CMD.
    assert container_argv("nginx") == ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]
    assert container_argv("nginx", args=["sleep", "3600"]) == ["/docker-entrypoint.sh", "sleep", "3600"]
    assert listeners("nginx", {}, (), command=["sleep", "3600"]) == {}
    assert set(listeners("busybox", {}, (), command=["sh", "-c", "httpd -f -p 8080; sleep 1"])) == {(8080, "TCP")}
    assert listeners("hashicorp/http-echo", {}, ()) == {}  # no -text: http-echo exits


def test_an_unknown_image_runs_and_describe_says_what_is_assumed() -> None:
    """Issue 12: an image the cluster does not model still runs, and `describe pod` says what the
    cluster assumes of it (an event of the simulator's own, component netpol-kernel)."""
    import netpol_kernel as nk
    from netpol_kernel.sim.cluster import EmbeddedCluster
    c = EmbeddedCluster()
    assert nk.kubectl("run mystery --image=example.org/acme/widget:2 --port=9000", backend=c).exit_code == 0
    assert nk.kubectl("run web --image=nginx", backend=c).exit_code == 0
    mystery = nk.kubectl("describe pod mystery", backend=c).text
    event = next(line.split() for line in mystery.splitlines() if " Assumed " in line)
    assert event[:2] == ["Normal", "Assumed"] and event[3] == "netpol-kernel"
    assert " ".join(event[4:]) == ("Image example.org/acme/widget:2 is not modelled: assumed to accept "
                                   "connections on its declared containerPorts and to send nothing back")
    assert "Assumed" not in nk.kubectl("describe pod web", backend=c).text
