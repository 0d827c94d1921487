"""``registry.k8s.io/e2e-test-images/agnhost``: the servers and the probe of Kubernetes'
own NetworkPolicy e2e tests.

Read from kubernetes/kubernetes test/images/agnhost (the source of every wording):

* ``porter`` (porter/porter.go): for each environment variable ``SERVE_PORT_N`` (or
  ``SERVE_TCP_PORT_N``) an HTTP server on TCP port N answering the variable's value to
  any request; ``SERVE_UDP_PORT_N`` answers each datagram with the value;
  ``SERVE_SCTP_PORT_N`` sends the value on each new association.
* ``serve-hostname`` (serve-hostname/serve_hostname.go): ``--port`` (9376), ``--tcp``
  (write the hostname and close), ``--udp`` (answer each datagram with the hostname),
  ``--http`` (true by default: HTTP with the hostname as body; ``--http=false`` with
  ``--tcp``/``--udp``, since both at once is a fatal error).
* ``netexec`` (netexec/netexec.go): HTTP on ``--http-port`` (8080) with ``/hostname``,
  ``/echo?msg=``, ``/clientip``, ``/healthz``; UDP on ``--udp-port`` (8081) answering
  ``hostname``, ``echo MSG``, ``clientip``; SCTP on ``--sctp-port`` when set.
* ``pause``: listens on nothing.
* ``connect HOST:PORT [--timeout=D] [--protocol=tcp|udp|sctp]`` (connect/connect.go):
  status 0 and no output on success; otherwise status 1 and one line on stderr starting
  with ``TIMEOUT``, ``REFUSED``, ``DNS: ...``, ``UNKNOWN: ...`` or ``OTHER: ...``.  TCP:
  a refused connect is ``REFUSED``, a deadline ``TIMEOUT``.  UDP writes ``hostname\\n``
  and waits for an answer: ``TIMEOUT: read udp SRC->DST: i/o timeout`` when nothing
  comes back before the deadline, ``REFUSED: read udp SRC->DST: read: connection
  refused`` when an ICMP port-unreachable does.  SCTP: ``TIMEOUT`` at the deadline, a
  refused association is ``OTHER: connection refused``.  Names go through Go's resolver:
  ``DNS: lookup NAME on 10.96.0.10:53: no such host``.

>>> porter_ports({"SERVE_PORT_80": "foo", "SERVE_SCTP_PORT_81": "bar", "X": "1"})
{(80, 'TCP'): 'foo', (81, 'SCTP'): 'bar'}
"""
from __future__ import annotations

import hashlib
import re
from typing import Mapping, Optional
from urllib.parse import parse_qs, urlsplit

from ..backends.base import ExecResult
from ..errors import UnsupportedCommand
from .images import HttpReply, PodNetwork, RawReply, Reply, Request, Server, http_date
from .process import ExecContext, resolve_host

__all__ = ["porter_ports", "servers", "client"]

_PREFIXES = (("SERVE_PORT_", "TCP"), ("SERVE_TCP_PORT_", "TCP"), ("SERVE_UDP_PORT_", "UDP"),
             ("SERVE_SCTP_PORT_", "SCTP"), ("SERVE_TLS_PORT_", "TCP"))


def porter_ports(env: Mapping[str, str]) -> dict[tuple[int, str], str]:
    out: dict[tuple[int, str], str] = {}
    for key, value in env.items():
        for prefix, proto in _PREFIXES:
            if key.startswith(prefix) and key[len(prefix):].isdigit():
                out[(int(key[len(prefix):]), proto)] = value
                break
    return out


def _go_http(body: str, net: PodNetwork) -> HttpReply:
    data = body.encode()
    return HttpReply(200, "OK", (("Date", http_date(net.now())), ("Content-Length", str(len(data))),
                                 ("Content-Type", "text/plain; charset=utf-8")), data)


def _value_server(value: str, protocol: str) -> Server:
    def serve(req: Request, net: PodNetwork) -> Reply:
        if protocol == "TCP":
            return _go_http(value, net)
        return RawReply(value.encode(), "close")
    return serve


def _hostname_server(mode: str) -> Server:
    def serve(req: Request, net: PodNetwork) -> Reply:
        if mode == "http":
            return _go_http(net.pod, net)
        return RawReply(net.pod.encode(), "close")
    return serve


def _netexec_http(req: Request, net: PodNetwork) -> Reply:
    parts = urlsplit(req.path)
    query = parse_qs(parts.query)
    if parts.path == "/hostname":
        return _go_http(net.pod, net)
    if parts.path == "/echo":
        return _go_http((query.get("msg") or [""])[0], net)
    if parts.path == "/clientip":
        return _go_http(f"{req.client_ip}:{_ephemeral(req.client_ip)}", net)
    if parts.path in ("/healthz", "/healthz/"):
        return _go_http("", net)
    return _go_http(f"NOW: {net.now()}", net)


def _netexec_datagram(req: Request, net: PodNetwork) -> Reply:
    msg = req.data.strip()
    if msg == "hostname":
        return RawReply(net.pod.encode(), "close")
    if msg.startswith("echo "):
        return RawReply(msg[5:].encode(), "close")
    if msg == "clientip":
        return RawReply(req.client_ip.encode(), "close")
    return RawReply(b"", "close")


def _flags(args: list[str]) -> dict[str, str]:
    """Cobra/pflag flags: ``--name=value``, ``--name value`` and bare booleans."""
    out: dict[str, str] = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            key, eq, value = a[2:].partition("=")
            if not eq:
                nxt = args[i + 1] if i + 1 < len(args) else ""
                if key in ("port", "http-port", "udp-port", "sctp-port", "timeout", "protocol") and nxt:
                    value, i = nxt, i + 1
                else:
                    value = "true"
            out[key] = value
        i += 1
    return out


def servers(args: list[str], env: Mapping[str, str]) -> dict[tuple[int, str], Server]:
    """What ``agnhost ARGS`` listens on."""
    if not args:
        return {}
    sub, flags = args[0], _flags(args[1:])
    if sub == "porter":
        return {k: _value_server(v, k[1]) for k, v in porter_ports(env).items()}
    if sub == "serve-hostname":
        port = int(flags.get("port", "9376"))
        http = flags.get("http", "true") == "true"
        tcp, udp = flags.get("tcp") == "true", flags.get("udp") == "true"
        if http and (tcp or udp):
            return {}  # "Can't server TCP/UDP mode and HTTP mode at the same time": the server exits
        out: dict[tuple[int, str], Server] = {}
        if tcp:
            out[(port, "TCP")] = _hostname_server("tcp")
        if udp:
            out[(port, "UDP")] = _hostname_server("udp")
        if http:
            out[(port, "TCP")] = _hostname_server("http")
        return out
    if sub == "netexec":
        out = {(int(flags.get("http-port", "8080")), "TCP"): _netexec_http,
               (int(flags.get("udp-port", "8081")), "UDP"): _netexec_datagram}
        sctp = int(flags.get("sctp-port", "-1"))
        if sctp > 0:
            out[(sctp, "SCTP")] = _netexec_datagram
        return out
    return {}  # pause, and the subcommands that serve nothing


# ---------------------------------------------------------------- the probe

def _ephemeral(ip: str) -> int:
    """A source port, stable for a run (the kernel picks one from 32768-60999)."""
    return 32768 + int(hashlib.sha256(ip.encode()).hexdigest()[:6], 16) % 28232


def _duration(text: str) -> Optional[float]:
    """Go's time.ParseDuration for the forms tests write: ``1s``, ``500ms``, ``2m``, ``0``."""
    if text == "0":
        return 0.0
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    total, pos = 0.0, 0
    for m in re.finditer(r"(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)", text):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * units[m.group(2)]
        pos = m.end()
    return total if pos == len(text) and pos else None


def client(argv: list[str], ctx: ExecContext) -> ExecResult:
    """``agnhost connect ...``; the other client subcommands are not modelled."""
    if len(argv) < 2 or argv[1] != "connect":
        raise UnsupportedCommand("the embedded cluster runs agnhost's connect client only "
                                 "(servers are started from the pod's args)")
    rest = argv[2:]
    flags = _flags(rest)
    positional = [a for i, a in enumerate(rest) if not a.startswith("--")
                  and not (i and rest[i - 1] in ("--timeout", "--protocol"))]
    if len(positional) != 1:
        return ExecResult("", f'Error: accepts 1 arg(s), received {len(positional)}\n', 1)
    timeout = _duration(flags.get("timeout", "0"))
    if timeout is None:
        return ExecResult("", f'Error: invalid argument "{flags["timeout"]}" for "--timeout" flag: '
                          f'time: invalid duration "{flags["timeout"]}"\n', 1)
    protocol = flags.get("protocol", "tcp")
    if protocol not in ("", "tcp", "udp", "sctp"):
        return ExecResult("", "Unsupported protocol\n", 1)
    dest = positional[0]
    host, sep, port_text = dest.rpartition(":")
    host = host.strip("[]")
    if not sep or not host and not port_text:
        return ExecResult("", f"UNKNOWN: address {dest}: missing port in address\n", 1)
    if not port_text.isdigit() or int(port_text) > 65535:
        return ExecResult("", f"DNS: address {port_text}: invalid port\n", 1)
    port = int(port_text)
    ip, res = resolve_host(host, ctx)
    if ip is None:
        assert res is not None
        if res.status == "timeout":
            ctx.session.wait(ctx.tools.resolver_timeout)
            why = (f"read udp {ctx.net.ip}:{_ephemeral(ctx.net.ip + host)}->{res.server}:53: i/o timeout")
        else:
            why = "no such host"
        return ExecResult("", f"DNS: lookup {host} on {res.server}:53: {why}\n", 1)
    proto = (protocol or "tcp").upper()
    dial = ctx.net.dial(ip, port, proto)
    src = f"{ctx.net.ip}:{_ephemeral(ctx.net.ip + dest)}"
    if dial.status == "timeout":
        ctx.session.wait(timeout if timeout else 127.0)
        if proto == "UDP":
            return ExecResult("", f"TIMEOUT: read udp {src}->{ip}:{port}: i/o timeout\n", 1)
        return ExecResult("", "TIMEOUT\n", 1)
    if dial.status != "open":
        if proto == "TCP":
            return ExecResult("", "REFUSED\n", 1)
        if proto == "UDP":
            return ExecResult("", f"REFUSED: read udp {src}->{ip}:{port}: read: connection refused\n", 1)
        return ExecResult("", "OTHER: connection refused\n", 1)
    if proto == "UDP" and dial.server is not None:
        reply = dial.server(Request("", "", host, "", data="hostname\n", client_ip=ctx.net.ip), dial.peer)
        if isinstance(reply, RawReply) and not reply.data:
            return ExecResult("", "OTHER: No data received from the server. Cannot guarantee the server "
                              "received the request.\n", 1)
    return ExecResult("", "", 0)
