"""What each container image does on the network, and which tools it carries.

The embedded cluster knows the course's images by name (registry and tag
stripped): which ports they listen on, what they answer, and which commands
``kubectl exec`` finds inside them.  Servers are plain functions from a request
to a reply; a server that talks to another service (example-web-python asks
mariadb) does so through the *server pod's* network, so that pod's policies
apply.  The in-pod commands themselves live in :mod:`netpol_kernel.sim.commands`.

Sources for the behaviours (checked against the images' own repositories):

* ``cilium/json-mock``: json-server (Express) started by ``run.sh`` on ``$PORT``,
  **80** when unset (github.com/cilium/json-mock run.sh), serving ``/default.json``
  (``/public``, ``/private``) and json-server's index page; the lab shows that page's
  headers (Content-Length 2109, ETag ``W/"83d-7438674ba0"``).
* ``acend/example-web-python``: Flask's development server (``app.run(threaded=True)``,
  github.com/acend/awesome-apps python/app/run.py), so Werkzeug's headers and
  ``Connection: close``.  ``/`` and ``/health`` never touch the database;
  ``/hellos`` queries it through SQLAlchemy when ``MYSQL_URI`` is set, and a failed
  query makes the view return None, which Flask turns into a 500.
* ``mariadb``: sends its handshake as soon as a client connects.
* ``coredns``: DNS on 53/UDP+TCP, health 8080, ready 8181, metrics 9153.

>>> image_name("docker.io/byrnedo/alpine-curl:0.1.8"), image_name("mariadb:10.5@sha256:ab")
('byrnedo/alpine-curl', 'mariadb')
>>> toolbox("docker.io/byrnedo/alpine-curl:0.1.8").curl
'7.61.1'
>>> toolbox("busybox:1.36").libc, toolbox("busybox:1.36-musl").libc, toolbox("alpine:3.20").libc
('glibc', 'musl', 'musl')
>>> len(JSON_MOCK_INDEX.encode())
2109
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Callable, Mapping, Optional, Protocol, Union
from urllib.parse import urlsplit

__all__ = ["image_name", "image_tag", "Toolbox", "toolbox", "Resolution", "Dial", "Echo",
           "PodNetwork", "Request", "HttpReply", "RawReply", "Reply", "Server",
           "json_mock", "example_web_python", "database_check", "mariadb", "empty_reply",
           "http_date", "JSON_MOCK_INDEX", "WERKZEUG_SERVER", "KERNEL_CONNECT_TIMEOUT"]

#: Linux gives up on an unanswered SYN after 6 retries: 1+2+4+8+16+32+64 s.
KERNEL_CONNECT_TIMEOUT = 127.0


def image_name(image: str) -> str:
    """The repository path without registry, tag, digest or ``library/``."""
    name = image.split("@", 1)[0]
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if parts[-1].count(":"):
        parts[-1] = parts[-1].rsplit(":", 1)[0]
    if parts[0] == "library" and len(parts) > 1:
        parts = parts[1:]
    return "/".join(parts)


def image_tag(image: str) -> str:
    """The tag (``latest`` when none is written; a digest alone also reads as ``latest``).

    >>> image_tag("nginx"), image_tag("busybox:1.36-musl"), image_tag("localhost:5000/app")
    ('latest', '1.36-musl', 'latest')
    """
    last = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else "latest"


# ---------------------------------------------------------------- tools in the image

@dataclass(frozen=True)
class Toolbox:
    """The executables an image has, and the versions whose wording they print.

    ``curl``: the curl version (``"7.61.1"`` prints 7.x wording, ``"8.x"`` 8.x wording);
    ``nslookup``: ``"busybox-old"`` (getaddrinfo based, busybox <= 1.28),
    ``"busybox"`` (the 1.29+ rewrite) or ``"bind"``; ``libc`` decides strerror texts
    and the resolver's give-up time; ``resolver_timeout`` is when getaddrinfo gives up
    on a DNS server that never answers (musl: 5 s in total; glibc: 5 s x 2 attempts).
    """

    commands: frozenset[str]
    curl: Optional[str] = None
    nslookup: Optional[str] = None
    shell: Optional[str] = None  # the program that runs ``sh -c``: ash, bash, dash
    libc: str = "musl"
    files: tuple[tuple[str, str], ...] = ()  # files of the image a command may read (path, text)
    nc: str = "busybox"  # "openbsd" where the image installs netcat-openbsd (not modelled)

    @property
    def curl_agent(self) -> str:
        """curl's User-Agent: its exact version when known, else the 8.x the images ship."""
        v = self.curl or "8.11.1"
        return f"curl/{v if re.fullmatch(r'[0-9.]+', v) else '8.11.1'}"

    @property
    def resolver_timeout(self) -> float:
        return 5.0 if self.libc == "musl" else 10.0

    def has(self, cmd: str) -> bool:
        return cmd.rsplit("/", 1)[-1] in self.commands


#: busybox's applets in the official image's default configuration (the ones pods use).
_BUSYBOX = frozenset({"sh", "ash", "echo", "cat", "hostname", "sleep", "env", "printenv", "true", "false",
                      "nc", "wget", "nslookup", "ping", "timeout", "ls", "id", "whoami", "pwd", "head",
                      "tail", "grep", "wc", "sort", "uniq", "printf", "test", "[", "httpd", "busybox"})
#: A Debian image's essentials: dash as sh, bash, coreutils, grep.
_DEBIAN = frozenset({"sh", "bash", "dash", "echo", "cat", "hostname", "sleep", "env", "printenv",
                     "true", "false", "ls", "id", "whoami", "pwd", "head", "tail", "grep", "wc", "sort",
                     "uniq", "printf", "test", "[", "timeout"})

# byrnedo/alpine-curl 0.1.x is alpine 3.7/3.8 (github.com/byrnedo/docker-alpine-curl: the
# Dockerfile went 3.6 -> 3.7 in Jan 2018 and only reached 3.9+ in Oct 2019): curl 7.61,
# busybox 1.28 whose nslookup still goes through musl's getaddrinfo.
_TOOLBOXES: dict[str, Toolbox] = {
    "byrnedo/alpine-curl": Toolbox(_BUSYBOX | {"curl"}, "7.61.1", "busybox-old", "ash"),
    "curlimages/curl": Toolbox(_BUSYBOX | {"curl"}, "8.x", "busybox", "ash"),
    # nicolaka/netshoot: alpine with bash, curl, bind-tools (dig, nslookup), iputils... (its Dockerfile)
    "nicolaka/netshoot": Toolbox(_BUSYBOX | {"curl", "bash", "dig"}, "8.x", "bind", "bash", nc="openbsd"),
    "alpine": Toolbox(_BUSYBOX, None, "busybox", "ash"),
    "cilium/json-mock": Toolbox(_DEBIAN | {"curl", "node"}, "8.x", None, "bash", "glibc"),
    "acend/example-web-python": Toolbox(_BUSYBOX | {"python3", "python"}, None, "busybox", "ash"),
    "mariadb": Toolbox(_DEBIAN | {"mariadb", "mysql"}, None, None, "bash", "glibc"),
    "coredns/coredns": Toolbox(frozenset({"coredns"}), None, None, None, "glibc"),
    # hashicorp/http-echo: FROM scratch, the one binary (its Dockerfile); hello-app: a Go binary
    # on a distroless-like base, no shell.
    "hashicorp/http-echo": Toolbox(frozenset({"http-echo", "/http-echo"}), None, None, None, "glibc"),
    "google-samples/hello-app": Toolbox(frozenset({"hello-app", "/hello-app"}), None, None, None, "glibc"),
    # agnhost (kubernetes test/images/agnhost/Dockerfile): alpine base, `apk add bind-tools curl
    # netcat-openbsd iproute2 iperf bash`, ENTRYPOINT ["/agnhost"], CMD ["pause"].
    "e2e-test-images/agnhost": Toolbox(_BUSYBOX | {"agnhost", "/agnhost", "curl", "bash", "dig"}, "8.x",
                                       "bind", "ash", nc="openbsd"),
}


def _busybox(tag: str) -> Toolbox:
    """busybox by tag: the official image's default build is glibc (its variants: ``-glibc``,
    ``-musl``, ``-uclibc``; docker-library/busybox), so ``busybox:1.36`` says
    ``Connection timed out``; ``-musl`` tags say ``Operation timed out``.  Releases up to
    1.28 still had the getaddrinfo-based nslookup."""
    libc = "musl" if "musl" in tag else "glibc"
    m = re.match(r"1\.(\d+)", tag)
    old = m is not None and int(m.group(1)) <= 28
    return Toolbox(_BUSYBOX, None, "busybox-old" if old else "busybox", "ash", libc)


def toolbox(image: str) -> Toolbox:
    """Tools of a known image (by name, and by tag where the tag changes them); any image
    with ``curl`` in its name gets a modern curl; anything else a bare Debian-like userland
    (a shell and coreutils, no network tools)."""
    name, tag = image_name(image), image_tag(image)
    alpine = "alpine" in tag
    if name == "busybox":
        return _busybox(tag)
    if name in ("nginx", "httpd"):
        # nginx's Debian image installs curl (docker-nginx mainline/debian/Dockerfile: trixie,
        # curl 8.14.1); nginx:alpine adds curl too ("to make registering on DNS SD easier").
        if alpine:
            return Toolbox(_BUSYBOX | {name} | ({"curl"} if name == "nginx" else set()), "8.x", "busybox",
                           "ash", "musl")
        return Toolbox(_DEBIAN | {name} | ({"curl"} if name == "nginx" else set()),
                       "8.14.1" if name == "nginx" else None, None, "bash", "glibc")
    if name == "python":
        # The full python images are buildpack-deps (curl included); -slim and -alpine are not.
        if alpine:
            return Toolbox(_BUSYBOX | {"python", "python3"}, None, "busybox", "ash", "musl")
        extra = {"python", "python3"} | (set() if "slim" in tag else {"curl"})
        return Toolbox(_DEBIAN | extra, "7.88.1" if "curl" in extra else None, None, "bash", "glibc")
    if name.startswith("google-samples/") and name.endswith("/hello-app"):
        name = "google-samples/hello-app"
    if name in _TOOLBOXES:
        return _TOOLBOXES[name]
    if "curl" in name:
        return Toolbox(_BUSYBOX | {"curl"}, "8.x", "busybox", "ash")
    return Toolbox(_DEBIAN, None, None, "sh", "glibc")


# ---------------------------------------------------------------- the network as a pod sees it

@dataclass(frozen=True)
class Resolution:
    """A name looked up through kube-dns: ``ok`` (with ``ip``), ``nxdomain`` or ``timeout``."""

    status: str
    name: str
    ip: Optional[str] = None
    fqdn: Optional[str] = None
    server: str = "10.96.0.10"
    server_name: str = "kube-dns.kube-system.svc.cluster.local"
    tried: tuple[str, ...] = ()  # the search-path candidates asked, in order
    why: str = ""
    authoritative: bool = True  # False for names CoreDNS forwarded upstream (outside the cluster)


@dataclass(frozen=True)
class Dial:
    """A new connection: ``open``, ``timeout`` (dropped by policy or nobody routes it),
    ``refused`` (RST: nothing listens, or a Service without endpoints)."""

    status: str
    ip: str
    port: int
    protocol: str = "TCP"
    server: Optional["Server"] = None
    peer: Optional["PodNetwork"] = None  # the endpoint pod's own network, for servers that dial on
    endpoint: str = ""  # "ns/pod" that answered (or would have)
    why: str = ""  # the engine's explanation when policies decided


@dataclass(frozen=True)
class Echo:
    """An ICMP echo: ``open`` (a reply came) or ``timeout``; ``latency`` in ms, the reply's TTL."""

    status: str
    ip: str
    latency: float = 0.08
    ttl: int = 64
    why: str = ""


class PodNetwork(Protocol):
    """What a process inside one pod can do on the network."""

    pod: str
    namespace: str
    ip: str
    env: Mapping[str, str]

    def resolve(self, host: str) -> Resolution: ...

    def dial(self, ip: str, port: int, protocol: str = "TCP") -> Dial: ...

    def ping(self, ip: str) -> Echo: ...

    def now(self) -> datetime: ...


# ---------------------------------------------------------------- servers

@dataclass(frozen=True)
class Request:
    method: str
    path: str
    host: str
    user_agent: str = "curl/7.61.1"
    data: str = ""  # what the client sent after connecting (nc's stdin, a UDP payload)
    client_ip: str = ""  # the source address the server sees (its access log prints it)


@dataclass(frozen=True)
class HttpReply:
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    latency: float = 0.0  # seconds before the first byte (a backend timing out, ...)
    version: str = "HTTP/1.1"

    @property
    def status_line(self) -> str:
        return f"{self.version} {self.status} {self.reason}"

    def header(self, name: str) -> Optional[str]:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class RawReply:
    """A non-HTTP peer: ``data`` sent on connect, then ``end``: reset | close | empty."""

    data: bytes = b""
    end: str = "close"
    latency: float = 0.0


Reply = Union[HttpReply, RawReply]
Server = Callable[[Request, PodNetwork], Reply]


def http_date(now: datetime) -> str:
    """RFC 1123 date in GMT, as HTTP servers print it."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return format_datetime(now.astimezone(timezone.utc), usegmt=True)


# -- cilium/json-mock (json-server on Express) -----------------------------------

def _json_mock_index() -> str:
    head = ("<!DOCTYPE html>\n<html>\n<head>\n  <meta charset=\"utf-8\">\n"
            "  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "  <link rel=\"stylesheet\" href=\"style.css\">\n  <title>JSON Server</title>\n"
            "</head>\n<body>\n  <header>\n    <div class=\"container\">\n"
            "      <nav>\n        <ul>\n"
            "          <li class=\"title\">\n            JSON Server\n          </li>\n"
            "          <li>\n            <a href=\"https://github.com/users/typicode/sponsorship\">\n"
            "              <i class=\"fas fa-heart\"></i>GitHub Sponsors\n            </a>\n"
            "          </li>\n          <li>\n            <a href=\"https://my-json-server.typicode.com\">\n"
            "              <i class=\"fas fa-burn\"></i>My JSON Server\n            </a>\n"
            "          </li>\n        </ul>\n      </nav>\n    </div>\n  </header>\n"
            "  <main>\n    <div class=\"container\">\n      <h1>Congrats!</h1>\n"
            "      <p>\n        You're successfully running JSON Server\n        <br>\n"
            "        ✧*｡٩(ˊᗜˋ*)و✧*｡\n      </p>\n\n      <div id=\"resources\"></div>\n\n"
            "      <p>\n        To access and modify resources, you can use any HTTP method:\n"
            "      </p>\n      <p>\n        <code>GET</code>\n        <code>POST</code>\n"
            "        <code>PUT</code>\n        <code>PATCH</code>\n        <code>DELETE</code>\n"
            "        <code>OPTIONS</code>\n      </p>\n\n      <div id=\"custom-routes\"></div>\n\n"
            "      <h1>Documentation</h1>\n      <p>\n        <a href=\"https://github.com/typicode/json-server\">\n"
            "          README\n        </a>\n      </p>\n    </div>\n  </main>\n\n"
            "  <footer>\n    <div class=\"container\">\n      <p>\n"
            "        To replace this page, create a\n        <code>./public/index.html</code> file.\n"
            "      </p>\n    </div>\n  </footer>\n\n"
            "  <script src=\"script.js\"></script>\n</body>\n</html>\n")
    size = len(head.encode())
    # The lab's Content-Length is 2109 bytes: pad the stylesheet link block to that length.
    pad = 2109 - size - len("<!--  -->\n".encode())
    return head.replace("</head>\n", "<!-- " + "-" * max(pad, 0) + " -->\n</head>\n", 1)


JSON_MOCK_INDEX = _json_mock_index()
_JSON_MOCK_DB = {"private": [{"id": 1, "body": "secret information"}],
                 "public": [{"id": 1, "body": "public information"}]}
_EXPRESS = (("X-Powered-By", "Express"), ("Vary", "Origin, Accept-Encoding"),
            ("Access-Control-Allow-Credentials", "true"))


def _express_etag(body: bytes) -> str:
    """The ``etag`` package's weak tag: length in hex and a base64 SHA-1 prefix."""
    digest = base64.b64encode(hashlib.sha1(body).digest()).decode()[:27]
    return f'W/"{len(body):x}-{digest}"'


def json_mock(req: Request, net: PodNetwork) -> Reply:
    date = http_date(net.now())
    if req.method in ("GET", "HEAD") and req.path in ("/", "/index.html"):
        body = JSON_MOCK_INDEX.encode()
        return HttpReply(200, "OK", _EXPRESS + (
            ("Accept-Ranges", "bytes"), ("Cache-Control", "public, max-age=0"),
            ("Last-Modified", "Sat, 26 Oct 1985 08:15:00 GMT"), ("ETag", 'W/"83d-7438674ba0"'),
            ("Content-Type", "text/html; charset=UTF-8"), ("Content-Length", str(len(body))),
            ("Date", date), ("Connection", "keep-alive")), body)
    data: object = {}
    status, reason = 404, "Not Found"
    parts = [p for p in req.path.split("?")[0].split("/") if p]
    if req.method in ("GET", "HEAD") and parts:
        if parts == ["db"]:
            data, status, reason = _JSON_MOCK_DB, 200, "OK"
        elif parts[0] in _JSON_MOCK_DB and len(parts) == 1:
            data, status, reason = _JSON_MOCK_DB[parts[0]], 200, "OK"
        elif parts[0] in _JSON_MOCK_DB and len(parts) == 2:
            item = next((x for x in _JSON_MOCK_DB[parts[0]] if str(x["id"]) == parts[1]), None)
            if item is not None:
                data, status, reason = item, 200, "OK"
    body = json.dumps(data, indent=2).encode()
    return HttpReply(status, reason, _EXPRESS + (
        ("Cache-Control", "no-cache"), ("Pragma", "no-cache"), ("Expires", "-1"),
        ("X-Content-Type-Options", "nosniff"), ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Length", str(len(body))), ("ETag", _express_etag(body)),
        ("Date", date), ("Connection", "keep-alive")), body)


# -- acend/example-web-python (Flask on Werkzeug's development server) ------------

#: The image is built FROM alpine (latest) with pip's newest Flask: Python 3.12, Werkzeug 3.1.
WERKZEUG_SERVER = "Werkzeug/3.1.3 Python/3.12.8"
_WERKZEUG_ERRORS = {
    404: ("NOT FOUND", "Not Found", "The requested URL was not found on the server. If you "
          "entered the URL manually please check your spelling and try again."),
    500: ("INTERNAL SERVER ERROR", "Internal Server Error", "The server encountered an internal "
          "error and was unable to complete your request. Either the server is overloaded or "
          "there is an error in the application."),
}


def _werkzeug(status: int, reason: str, body: str, net: PodNetwork, ctype: str = "text/html; charset=utf-8",
              latency: float = 0.0) -> HttpReply:
    data = body.encode()
    return HttpReply(status, reason, (
        ("Server", WERKZEUG_SERVER), ("Date", http_date(net.now())), ("Content-Type", ctype),
        ("Content-Length", str(len(data))), ("Connection", "close")), data, latency)


def _werkzeug_error(status: int, net: PodNetwork, latency: float = 0.0) -> HttpReply:
    reason, title, text = _WERKZEUG_ERRORS[status]
    body = (f"<!doctype html>\n<html lang=en>\n<title>{status} {title}</title>\n"
            f"<h1>{title}</h1>\n<p>{text}</p>\n")
    return _werkzeug(status, reason, body, net, latency=latency)


def _index_page(net: PodNetwork) -> str:
    # The app colours its greeting with a random 6-digit hex number drawn at start-up.
    hexnum = hashlib.sha256(net.pod.encode()).hexdigest()[:6]
    hexnum = format(max(int(hexnum, 16), 0x100000), "x")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n  <head>\n    <link rel=icon href=\"favicon.png\">\n"
            "    <meta charset=\"utf-8\">\n    <title>Acend Awesome Python App</title>\n"
            "    <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\"/>\n"
            "    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
            "    <link rel=\"stylesheet\" href=\"/static/css/spectre.min.css\">\n  </head>\n  <body>\n"
            "    <div class=\"container\">\n      <div class=\"columns\">\n"
            f"        <div class=\"column col-12 text-center\"><h1 style=color:#{hexnum}>Hello "
            "<span id=\"result\"></span></h1>\n"
            f"          <h2>ID: {hexnum}</h2>\n        </div>\n      </div>\n    </div>\n"
            "    <script src=\"/static/js/jquery-3.4.1.min.js\"></script>\n  </body>\n</html>")


def database_check(net: PodNetwork) -> tuple[bool, float, str]:
    """Can this pod reach the database named in ``MYSQL_URI``?  (ok, seconds spent, why)."""
    uri = net.env.get("MYSQL_URI")
    if not uri:
        return True, 0.0, "no MYSQL_URI: the app uses its in-memory SQLite"
    parts = urlsplit(uri)
    host, port = parts.hostname or "localhost", parts.port or 3306
    res = net.resolve(host)
    if res.status == "timeout":
        return False, 5.0, f"resolving {host} timed out: {res.why}"
    if res.status != "ok" or res.ip is None:
        return False, 0.0, f"{host}: unknown MySQL server host"
    dial = net.dial(res.ip, port, "TCP")
    if dial.status == "timeout":
        # libmariadb sets no connect timeout: the kernel's SYN retries decide.
        return False, KERNEL_CONNECT_TIMEOUT, f"connecting to {host}:{port} timed out: {dial.why}"
    if dial.status != "open":
        return False, 0.0, f"connecting to {host}:{port}: connection refused"
    return True, 0.0, f"connected to {host}:{port} ({dial.endpoint})"


def example_web_python(req: Request, net: PodNetwork) -> Reply:
    path = req.path.split("?")[0]
    if req.method not in ("GET", "HEAD", "POST"):
        return _werkzeug_error(404, net)
    if path == "/" and req.method != "POST":
        return _werkzeug(200, "OK", _index_page(net), net)
    if path == "/health" and req.method != "POST":
        return _werkzeug(200, "OK", "ok", net)
    if path == "/pod/" and req.method != "POST":
        return _werkzeug(200, "OK", net.pod, net)
    if path == "/hellos" or path.startswith("/hellos/"):
        ok, spent, _why = database_check(net)
        if not ok:
            return _werkzeug_error(500, net, latency=spent)
        body = "[]\n" if path == "/hellos" else '"Hello added successfully!"\n'
        return _werkzeug(200, "OK", body, net, "application/json")
    return _werkzeug_error(404, net)


# -- non-HTTP servers ---------------------------------------------------------------

def mariadb(req: Request, net: PodNetwork) -> Reply:
    """MariaDB greets first; reading an HTTP request as a packet it answers
    ``Got packets out of order`` (error 1156) and closes with the rest unread (RST)."""
    version = b"5.5.5-10.5.27-MariaDB-ubu2004"
    salt = hashlib.sha256(net.pod.encode()).digest()
    greeting = (b"\x0a" + version + b"\x00" + b"\x03\x00\x00\x00" + salt[:8].hex()[:8].encode()
                + b"\x00\xfe\xf7\x2d\x02\x00\xff\x81\x15\x00\x00\x00\x00\x00\x00\x1d\x00\x00\x00"
                + salt[8:20].hex()[:12].encode() + b"\x00mysql_native_password\x00")
    packet = len(greeting).to_bytes(3, "little") + b"\x00" + greeting
    err = b"\xff\x84\x04#08S01Got packets out of order"
    return RawReply(packet + len(err).to_bytes(3, "little") + b"\x01" + err, "reset")


def empty_reply(req: Request, net: PodNetwork) -> Reply:
    """A TCP server that does not speak HTTP and closes without a word."""
    return RawReply(b"", "empty")
