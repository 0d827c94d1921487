"""The outside world of the embedded cluster: a few well-known names and addresses.

On kind, CoreDNS forwards names outside ``cluster.local`` to the node's resolver, and
a pod's packets to the internet leave through the node (masqueraded).  Here a handful
of hosts stand for the internet, so egress lessons show real outcomes: with DNS
allowed and the internet blocked, ``nslookup example.com`` answers and ``wget
example.com`` times out; an ``ipBlock`` ``0.0.0.0/0`` (with ``except`` of the cluster
ranges) lets it through.  Every other name outside the cluster is NXDOMAIN, every
other outside address never answers.

The hosts (one address each, from their public DNS when this was written; the real
names answer with several addresses that change over time):

* ``example.com``/``www.example.com`` 23.192.228.80: HTTP 80 and HTTPS 443, the IANA
  example page as served since 2025 (``<!doctype html>...<title>Example Domain</title>``).
* ``kubernetes.io`` 15.197.167.90: HTTP 80 answers 301 to ``https://kubernetes.io/``;
  HTTPS 443 answers 200 with a shortened page (the real one is ~100 kB).
* ``one.one.one.one`` 1.1.1.1 and 1.0.0.1, ``dns.google`` 8.8.8.8 and 8.8.4.4: DNS on
  53 (UDP and TCP), HTTPS on 443.

All of them answer pings (ICMP echo).  TLS is assumed to succeed (public
certificates); the cluster's own servers speak no TLS.  CoreDNS's own queries
upstream are not judged by policies (kube-system's CoreDNS has none on kind).

>>> lookup("example.com"), lookup("nosuch.example"), host_at("8.8.8.8").name
('23.192.228.80', None, 'dns.google')
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .images import HttpReply, PodNetwork, RawReply, Reply, Request, Server, http_date

__all__ = ["Host", "lookup", "host_at", "HOSTS", "ENDPOINT_PREFIX"]

#: Dial.endpoint of an outside host: ``internet/NAME``.
ENDPOINT_PREFIX = "internet/"

EXAMPLE_PAGE = ('<!doctype html><html lang="en"><head><title>Example Domain</title><link rel="icon" '
                'href="data:,"><meta name="viewport" content="width=device-width, initial-scale=1"><style>'
                'body{background:#eee;width:60vw;margin:15vh auto;font-family:system-ui,sans-serif}'
                'h1{font-size:1.5em}div{opacity:0.8}a:link,a:visited{color:#348}</style></head><body><div>'
                '<h1>Example Domain</h1><p>This domain is for use in documentation examples without needing '
                'permission. Avoid use in operations.</p><p><a href="https://iana.org/domains/example">Learn '
                'more</a></p></div></body></html>\n')


def _example(req: Request, net: PodNetwork) -> Reply:
    body = EXAMPLE_PAGE.encode()
    # Cache headers (ETag, Last-Modified, Age) vary by CDN edge and are left out.
    return HttpReply(200, "OK", (
        ("Content-Type", "text/html"), ("Date", http_date(net.now())), ("Content-Length", str(len(body))),
        ("Connection", "keep-alive")), body)


def _kubernetes_io(req: Request, net: PodNetwork) -> Reply:
    body = (b'<!doctype html><html lang="en" class="no-js"><head><meta charset="utf-8">'
            b"<title>Kubernetes</title></head><body><h1>Production-Grade Container Orchestration</h1>"
            b"</body></html>\n")
    return HttpReply(200, "OK", (
        ("Content-Type", "text/html; charset=UTF-8"), ("Server", "Netlify"), ("Date", http_date(net.now())),
        ("Content-Length", str(len(body)))), body)


def _redirect(to: str) -> Server:
    def serve(req: Request, net: PodNetwork) -> Reply:
        body = f"Redirecting to {to}".encode()
        return HttpReply(301, "Moved Permanently", (
            ("Content-Type", "text/plain; charset=utf-8"), ("Date", http_date(net.now())),
            ("Location", to), ("Server", "Netlify"), ("Content-Length", str(len(body)))), body)
    return serve


def _dns(req: Request, net: PodNetwork) -> Reply:
    return RawReply(b"", "close")  # answers queries; the clients that care resolve through lookup()


def _resolver_https(req: Request, net: PodNetwork) -> Reply:
    body = b""
    return HttpReply(301, "Moved Permanently", (
        ("Date", http_date(net.now())), ("Content-Length", "0"),
        ("Location", "https://one.one.one.one/" if req.host.startswith(("1.", "one.")) else "https://dns.google/"),
        ("Server", "cloudflare" if req.host.startswith(("1.", "one.")) else "HTTP server (unknown)")), body)


@dataclass(frozen=True)
class Host:
    """A host on the internet: its name, address, and what answers on which (port, protocol)."""

    name: str
    ip: str
    services: tuple[tuple[tuple[int, str], Server], ...]
    https: bool = True

    def server(self, port: int, protocol: str) -> Optional[Server]:
        return next((s for k, s in self.services if k == (port, protocol)), None)


_WEB = lambda page: (((80, "TCP"), page), ((443, "TCP"), page))  # noqa: E731
_RESOLVER = (((53, "UDP"), _dns), ((53, "TCP"), _dns), ((443, "TCP"), _resolver_https))

HOSTS: tuple[Host, ...] = (
    Host("example.com", "23.192.228.80", _WEB(_example)),
    Host("kubernetes.io", "15.197.167.90", (((80, "TCP"), _redirect("https://kubernetes.io/")),
                                             ((443, "TCP"), _kubernetes_io))),
    Host("one.one.one.one", "1.1.1.1", _RESOLVER),
    Host("one.one.one.one", "1.0.0.1", _RESOLVER),
    Host("dns.google", "8.8.8.8", _RESOLVER),
    Host("dns.google", "8.8.4.4", _RESOLVER),
)
_ALIASES = {"www.example.com": "example.com", "www.kubernetes.io": "kubernetes.io"}
_BY_NAME = {h.name: h for h in HOSTS}
_BY_IP = {h.ip: h for h in HOSTS}


def lookup(name: str) -> Optional[str]:
    """The address the upstream resolvers give for a name outside the cluster, or None (NXDOMAIN)."""
    name = name.lower().rstrip(".")
    host = _BY_NAME.get(_ALIASES.get(name, name))
    return host.ip if host else None


def host_at(ip: str) -> Optional[Host]:
    return _BY_IP.get(ip)

