"""``apply -f URL`` / ``create -f URL``: reading a manifest over HTTP(S), with kubectl's errors.

kubectl (k8s.io/cli-runtime v0.32 pkg/resource/visitor.go ``readHttpWithRetries``)
GETs the URL; any status but 200 is ``unable to read URL "U", server reported
404 Not Found, status code=404``; a transport failure is Go's ``*url.Error``:
``Get "U": dial tcp: lookup HOST on NAMESERVER:53: no such host`` (Go's resolver), ``Get "U": dial tcp
127.0.0.1:9: connect: connection refused``, ``... connect: network is
unreachable`` or ``... i/o timeout``.  A machine without a network (the course's
sandbox) therefore prints kubectl's own error; Binder, which has one, fetches.

>>> is_url("https://k8s.io/examples/application/deployment.yaml"), is_url("app.yaml")
(True, False)
"""
from __future__ import annotations

import errno
import socket
import urllib.error
import urllib.parse
import urllib.request

from .args import Exit

__all__ = ["is_url", "fetch"]

TIMEOUT = 10.0


def is_url(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def _dial(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or ""
    try:
        addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][4][0]
    except OSError:
        # kubectl's release binaries use Go's own resolver (CGO_ENABLED=0), which names the server.
        server = _nameserver()
        return f"dial tcp: lookup {host}{f' on {server}:53' if server else ''}: no such host"
    shown = f"[{addr}]" if ":" in addr else addr
    return f"dial tcp {shown}:{port}"


def _nameserver(path: str = "/etc/resolv.conf") -> str:
    """The first ``nameserver`` of resolv.conf, as Go's resolver reports it; "" if none."""
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "nameserver":
                    return parts[1]
    except OSError:
        pass
    return ""


def _why(exc: BaseException) -> str:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, socket.gaierror):
        return ""
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return "i/o timeout"
    code = getattr(reason, "errno", None)
    if code == errno.ECONNREFUSED:
        return "connect: connection refused"
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "connect: network is unreachable"
    return f"connect: {getattr(reason, 'strerror', None) or reason}"


def fetch(url: str) -> str:
    """The body of ``url``; raises :class:`Exit` with kubectl's error otherwise."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:  # noqa: S310 - the user's own URL
            return resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        raise Exit(f'error: unable to read URL "{url}", server reported {exc.code} {exc.reason}, '
                   f"status code={exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        dial = _dial(url)
        why = _why(exc)
        text = dial if dial.startswith("dial tcp: lookup") or not why else f"{dial}: {why}"
        raise Exit(f'error: Get "{url}": {text}') from None
