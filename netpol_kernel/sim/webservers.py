"""The web servers tutorials start: nginx, Apache httpd, hashicorp/http-echo, hello-app,
``python -m http.server`` and busybox's httpd.  Each is a :data:`~.images.Server`
(request -> reply) and writes the access-log line its image writes to stdout.

Sources:

* nginx: the official image (github.com/nginx/docker-nginx at 0d7f438, 2026-04-14):
  ``latest``/``mainline``/``1``/``1.29`` are 1.29.8, ``stable``/``1.30`` 1.30.0
  (generate-stackbrew-library.sh's aliases); older ``1.N`` tags are the last release
  of that line the repository built (1.27.5, 1.26.3, 1.25.5 ...).  The page is the
  package's ``/usr/share/nginx/html/index.html`` (615 bytes, the "Welcome to nginx!"
  page with ``color-scheme``), served by ``/etc/nginx/conf.d/default.conf`` on port 80
  whatever the manifest declares; errors are nginx's built-in pages
  (src/http/ngx_http_special_response.c, CRLF line ends, ``nginx/VERSION`` tail); the
  ETag is ``"<mtime hex>-<length hex>"`` (ngx_http_core_module.c ngx_http_set_etag).
  The access log goes to stdout (``ln -sf /dev/stdout /var/log/nginx/access.log``) in
  the image's ``main`` format: ``$remote_addr - $remote_user [$time_local] "$request"
  $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"``.
* httpd: docker-library/httpd (9b63b37, 2026-06-10): 2.4.68, ``It works!`` page
  (htdocs/index.html, 45 bytes), ``Server: Apache/2.4.68 (Unix)``, CustomLog to
  stdout in the ``common`` format (``%h %l %u %t "%r" %>s %b``).
* hashicorp/http-echo: ``-listen`` (default ``:5678``), ``-text``; the reply is the
  text and a newline, with ``X-App-Name: http-echo`` and ``X-App-Version``.
* gcr.io/google-samples/hello-app (GoogleCloudPlatform/kubernetes-engine-samples
  quickstarts/hello-app/main.go): ``$PORT`` or 8080, ``Hello, world!\\nVersion:
  1.0.0\\nHostname: POD\\n``; logs ``YYYY/MM/DD HH:MM:SS Serving request: /`` (Go's log).
* ``python -m http.server [PORT]`` (Lib/http/server.py): port 8000, HTTP/1.0 replies,
  ``Server: SimpleHTTP/0.6 Python/3.x``, a directory listing of ``/``, the log line
  ``IP - - [dd/Mon/YYYY HH:MM:SS] "GET / HTTP/1.1" 200 -`` on stderr.
* busybox ``httpd -f -p PORT`` (networking/httpd.c): its 404 page for a missing file.

>>> nginx_version("nginx:1.25-alpine"), nginx_version("nginx"), nginx_version("nginx:1.27.3")
('1.25.5', '1.29.8', '1.27.3')
>>> len(NGINX_INDEX.encode())
615
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from .images import HttpReply, PodNetwork, Reply, Request, Server, http_date, image_name, image_tag

__all__ = ["NGINX_INDEX", "HTTPD_INDEX", "nginx_version", "nginx", "httpd", "http_echo", "hello_app",
           "python_http_server", "busybox_httpd", "access_log_line", "image_files"]

NGINX_INDEX = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""

HTTPD_INDEX = "<html><body><h1>It works!</h1></body></html>\n"
HTTPD_VERSION = "2.4.68"

#: The last release each nginx line had in docker-nginx's history (mainline odd, stable even).
_NGINX_LINES = {"1.19": "1.19.10", "1.20": "1.20.2", "1.21": "1.21.6", "1.22": "1.22.1", "1.23": "1.23.4",
                "1.24": "1.24.0", "1.25": "1.25.5", "1.26": "1.26.3", "1.27": "1.27.5", "1.28": "1.28.3",
                "1.29": "1.29.8", "1.30": "1.30.0"}
_NGINX_MAINLINE, _NGINX_STABLE = "1.29.8", "1.30.0"


def nginx_version(image: str) -> str:
    """The nginx release an ``nginx`` tag runs (what its ``Server:`` header says)."""
    tag = image_tag(image)
    base = re.sub(r"-(alpine|perl|slim|otel|bookworm|trixie|bullseye).*$", "", tag)
    if re.fullmatch(r"\d+\.\d+\.\d+", base):
        return base
    if base in _NGINX_LINES:
        return _NGINX_LINES[base]
    if base in ("stable",):
        return _NGINX_STABLE
    return _NGINX_MAINLINE


# ---------------------------------------------------------------- access logs

def _log(net: PodNetwork, line: str) -> None:
    """Write a line to the serving container's log (the cluster keeps it for ``kubectl logs``)."""
    log = getattr(net, "log", None)
    if log is not None:
        log(line)


def _clf_time(now: datetime) -> str:
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")


def access_log_line(server: str, req: Request, reply: HttpReply, now: datetime) -> str:
    """The line a server's access log gets for one request it served.

    >>> from datetime import datetime, timezone
    >>> r = HttpReply(200, "OK", (("Content-Length", "615"),), b"x" * 615)
    >>> access_log_line("nginx", Request("GET", "/", "web", "curl/8.11.1", client_ip="10.244.0.7"), r,
    ...                 datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc))
    '10.244.0.7 - - [01/Dec/2026:12:00:00 +0000] "GET / HTTP/1.1" 200 615 "-" "curl/8.11.1" "-"'
    """
    ip = req.client_ip or "-"
    request = f"{req.method} {req.path} HTTP/1.1"
    sent = 0 if req.method == "HEAD" else len(reply.body)
    if server == "nginx":
        agent = req.user_agent or "-"
        return f'{ip} - - [{_clf_time(now)}] "{request}" {reply.status} {sent} "-" "{agent}" "-"'
    if server == "httpd":
        return f'{ip} - - [{_clf_time(now)}] "{request}" {reply.status} {sent if sent else "-"}'
    if server == "python":
        stamp = now.astimezone(timezone.utc).strftime("%d/%b/%Y %H:%M:%S")
        return f'{ip} - - [{stamp}] "{request}" {reply.status} -'
    raise ValueError(f"no access log format for {server!r}")


# ---------------------------------------------------------------- nginx

def _nginx_error(status: int, reason: str, version: str) -> bytes:
    crlf = "\r\n"
    return (f"<html>{crlf}<head><title>{status} {reason}</title></head>{crlf}<body>{crlf}"
            f"<center><h1>{status} {reason}</h1></center>{crlf}"
            f"<hr><center>nginx/{version}</center>{crlf}</body>{crlf}</html>{crlf}").encode()


#: index.html's mtime comes from the package build and differs per release; one fixed
#: instant (2025-04-03) keeps Last-Modified and ETag stable across runs.
_NGINX_MTIME = 0x67EE6E2C


def nginx(image: str) -> Server:
    version = nginx_version(image)

    def serve(req: Request, net: PodNetwork) -> Reply:
        date = http_date(net.now())
        path = req.path.split("?", 1)[0]
        if req.method not in ("GET", "HEAD"):
            body = _nginx_error(405, "Not Allowed", version)
            reply = HttpReply(405, "Not Allowed", (
                ("Server", f"nginx/{version}"), ("Date", date), ("Content-Type", "text/html"),
                ("Content-Length", str(len(body))), ("Connection", "keep-alive")), body)
        elif path in ("/", "/index.html"):
            body = NGINX_INDEX.encode()
            modified = http_date(datetime.fromtimestamp(_NGINX_MTIME, timezone.utc))
            reply = HttpReply(200, "OK", (
                ("Server", f"nginx/{version}"), ("Date", date), ("Content-Type", "text/html"),
                ("Content-Length", str(len(body))), ("Last-Modified", modified), ("Connection", "keep-alive"),
                ("ETag", f'"{_NGINX_MTIME:x}-{len(body):x}"'), ("Accept-Ranges", "bytes")), body)
        else:
            body = _nginx_error(404, "Not Found", version)
            reply = HttpReply(404, "Not Found", (
                ("Server", f"nginx/{version}"), ("Date", date), ("Content-Type", "text/html"),
                ("Content-Length", str(len(body))), ("Connection", "keep-alive")), body)
        _log(net, access_log_line("nginx", req, reply, net.now()))
        return reply
    return serve


# ---------------------------------------------------------------- Apache httpd

def httpd(req: Request, net: PodNetwork) -> Reply:
    date = http_date(net.now())
    server = ("Server", f"Apache/{HTTPD_VERSION} (Unix)")
    if req.path.split("?", 1)[0] in ("/", "/index.html"):
        body = HTTPD_INDEX.encode()
        reply = HttpReply(200, "OK", (
            ("Date", date), server, ("Last-Modified", "Mon, 11 Jun 2007 18:53:14 GMT"),
            ("ETag", '"2d-432a5e4a73a80"'), ("Accept-Ranges", "bytes"), ("Content-Length", str(len(body))),
            ("Content-Type", "text/html")), body)
    else:
        body = (b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
                b"<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n"
                b"<p>The requested URL was not found on this server.</p>\n</body></html>\n")
        reply = HttpReply(404, "Not Found", (
            ("Date", date), server, ("Content-Length", str(len(body))),
            ("Content-Type", "text/html; charset=iso-8859-1")), body)
    _log(net, access_log_line("httpd", req, reply, net.now()))
    return reply


# ---------------------------------------------------------------- small Go servers

def _go_text(body: str, net: PodNetwork, extra: tuple[tuple[str, str], ...] = ()) -> HttpReply:
    """A reply from Go's net/http: ``Date``, ``Content-Length``, sniffed ``Content-Type``."""
    data = body.encode()
    return HttpReply(200, "OK", extra + (
        ("Date", http_date(net.now())), ("Content-Length", str(len(data))),
        ("Content-Type", "text/plain; charset=utf-8")), data)


def http_echo(text: str, version: str) -> Server:
    def serve(req: Request, net: PodNetwork) -> Reply:
        return _go_text(text + "\n", net, (("X-App-Name", "http-echo"), ("X-App-Version", version)))
    return serve


def hello_app(version: str) -> Server:
    def serve(req: Request, net: PodNetwork) -> Reply:
        # log.Printf with Go's default flags: "2006/01/02 15:04:05 " before the message.
        stamp = net.now().astimezone(timezone.utc).strftime("%Y/%m/%d %H:%M:%S") if net.now().tzinfo \
            else net.now().strftime("%Y/%m/%d %H:%M:%S")
        _log(net, f"{stamp} Serving request: {req.path.split('?', 1)[0]}")
        return _go_text(f"Hello, world!\nVersion: {version}\nHostname: {net.pod}\n", net)
    return serve


# ---------------------------------------------------------------- python -m http.server

_PY_ROOT = ("bin@", "boot/", "dev/", "etc/", "home/", "lib@", "lib64@", "media/", "mnt/", "opt/", "proc/",
            "root/", "run/", "sbin@", "srv/", "sys/", "tmp/", "usr/", "var/")


def python_http_server(python: str) -> Server:
    def serve(req: Request, net: PodNetwork) -> Reply:
        items = "".join(f'<li><a href="{n.rstrip("@")}{"/" if n.endswith("@") and n != "lib64@" else ""}">'
                        f"{n}</a></li>\n" for n in _PY_ROOT)
        body = ('<!DOCTYPE HTML>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                "<title>Directory listing for /</title>\n</head>\n<body>\n<h1>Directory listing for /</h1>\n"
                f"<hr>\n<ul>\n{items}</ul>\n<hr>\n</body>\n</html>\n").encode()
        reply = HttpReply(200, "OK", (
            ("Server", f"SimpleHTTP/0.6 Python/{python}"), ("Date", http_date(net.now())),
            ("Content-type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))), body,
            version="HTTP/1.0")
        _log(net, access_log_line("python", req, reply, net.now()))
        return reply
    return serve


# ---------------------------------------------------------------- busybox httpd

def busybox_httpd(req: Request, net: PodNetwork) -> Reply:
    """busybox httpd serving an empty directory: every path is its 404 page."""
    body = (b"<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n<BODY><H1>404 Not Found</H1>\n"
            b"The requested URL was not found\n</BODY></HTML>\n")
    return HttpReply(404, "Not Found", (
        ("Date", http_date(net.now())), ("Connection", "close"), ("Content-type", "text/html")), body,
        version="HTTP/1.1")


def image_files(image: str) -> tuple[tuple[str, str], ...]:
    """Files of an image that tutorials read with ``cat`` (nginx's and httpd's pages)."""
    name = image_name(image)
    if name == "nginx":
        return (("/usr/share/nginx/html/index.html", NGINX_INDEX),)
    if name == "httpd":
        return (("/usr/local/apache2/htdocs/index.html", HTTPD_INDEX),)
    return ()

