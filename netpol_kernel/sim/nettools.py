"""busybox's ``nc`` and ``ping`` inside a pod.

``nc`` is busybox's nc_bloaty.c (the "bloaty" netcat 1.10 port that ``-z``/``-w`` need;
busybox 1.36), read for what it prints:

* ``-w SECS`` goes through getopt32's ``w+`` (``xatoi_positive``): a word that is not a
  number dies with ``nc: invalid number 'abc'`` (libbb/xatonum_template.c), status 1;
* a name that does not resolve: ``nc: bad address 'NAME'`` (libbb/xconnect.c
  ``str2sockaddr``), status 1;
* connected: with ``-v``, ``NAME (IP:PORT) open`` on stderr;
* not connected: status 1, and the error is printed only with ``-v`` and when it is not
  a refusal (``if (o_verbose > 1 || (o_verbose && errno != ECONNREFUSED))``): one ``-v``
  shows ``nc: NAME (IP:PORT): Connection timed out`` (glibc's strerror; musl says
  ``Operation timed out``) but stays silent on ``Connection refused``; ``-vv`` shows both;
* without ``-z`` the data the server sends is copied to stdout, and stdin to the server.

``ping`` is busybox's networking/ping.c (1.36): ``PING NAME (IP): 56 data bytes``, one
line per reply, then the statistics; status 0 when a reply came, 1 otherwise.  ICMP
carries no port: NetworkPolicy rules that list ``ports`` never match it and rules
without ``ports`` do, as kind's network-policy enforcer (kube-network-policies,
pkg/networkpolicy ``evaluatePorts``: a packet whose protocol is not TCP/UDP/SCTP has
no protocol and port 0) decides.  A ClusterIP does not answer pings (kube-proxy's
iptables rules only translate the Service's ports).

>>> from netpol_kernel.sim.nettools import ping_summary
>>> print(ping_summary("10.244.0.5", 2, [0.081, 0.095]), end="")
<BLANKLINE>
--- 10.244.0.5 ping statistics ---
2 packets transmitted, 2 packets received, 0% packet loss
round-trip min/avg/max = 0.081/0.088/0.095 ms
"""
from __future__ import annotations

from typing import Optional

from ..backends.base import ExecResult
from ..errors import UnsupportedCommand
from .images import KERNEL_CONNECT_TIMEOUT, HttpReply, RawReply, Request
from .process import ExecContext, resolve_host, strerror

__all__ = ["nc", "ping", "ping_summary"]


def nc(argv: list[str], ctx: ExecContext) -> ExecResult:
    if ctx.tools.nc != "busybox":
        raise UnsupportedCommand("this image's nc is OpenBSD netcat, whose wording the embedded cluster does "
                                 "not model; use curl, or nc from a busybox image")
    verbose, udp, zero, wait, pos = 0, False, False, None, []
    args = iter(argv[1:])
    for a in args:
        if a.startswith("-") and len(a) > 1:
            for j, ch in enumerate(a[1:]):
                if ch == "v":
                    verbose += 1
                elif ch == "u":
                    udp = True
                elif ch == "z":
                    zero = True
                elif ch == "n":
                    pass
                elif ch == "w":
                    value = a[j + 2:] or next(args, "")
                    if not value.isdigit():
                        return ExecResult("", f"nc: invalid number '{value}'\n", 1)
                    wait = int(value)
                    break
                else:
                    raise UnsupportedCommand(f"nc option -{ch} is not modelled (-z, -v, -u, -n, -w SECS)")
        else:
            pos.append(a)
    if len(pos) != 2 or not pos[1].isdigit():
        raise UnsupportedCommand("usage modelled: nc [-z] [-v] [-u] [-n] [-w SECS] HOST PORT")
    host, port = pos[0], int(pos[1])
    ip, res = resolve_host(host, ctx)
    if ip is None:
        if res is not None and res.status == "timeout":
            ctx.session.wait(ctx.tools.resolver_timeout)
        return ExecResult("", f"nc: bad address '{host}'\n", 1)
    protocol = "UDP" if udp else "TCP"
    dial = ctx.net.dial(ip, port, protocol)
    where = f"{host} ({ip}:{port})"
    opened = dial.status == "open" or (udp and dial.status == "timeout")  # UDP: silence is success
    if opened:
        err = f"{where} open\n" if verbose else ""
        out = ""
        if not zero and dial.server is not None and dial.peer is not None:
            out = _converse(dial, ctx)
        return ExecResult(out, err, 0)
    if dial.status == "timeout":
        ctx.session.wait(wait if wait else KERNEL_CONNECT_TIMEOUT)
    refused = dial.status == "refused"
    why = strerror(ctx.tools.libc, "refused" if refused else "timeout")
    shown = verbose > 1 or (verbose and not refused)
    return ExecResult("", f"nc: {where}: {why}\n" if shown else "", 1)


def _converse(dial, ctx: ExecContext) -> str:
    """What the server sends back: a raw greeting, or an HTTP reply to a request on stdin."""
    text = ctx.stdin
    first = text.split("\n", 1)[0].strip()
    parts = first.split()
    if len(parts) >= 2 and parts[-1].startswith("HTTP/"):
        host = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                     if line.lower().startswith("host:")), dial.ip)
        reply = dial.server(Request(parts[0], parts[1], host, "", data=text), dial.peer)
    else:
        reply = dial.server(Request("", "", dial.ip, "", data=text), dial.peer)
    if isinstance(reply, RawReply):
        return reply.data.decode("utf-8", "replace")
    assert isinstance(reply, HttpReply)
    if not first:
        return ""  # an HTTP server waits for a request that never comes, and nc's stdin is closed
    head = reply.status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in reply.headers) + "\r\n"
    return head + ("" if parts[0] == "HEAD" else reply.body.decode("utf-8", "replace"))


# ---------------------------------------------------------------- ping

def ping_summary(target: str, sent: int, times: list[float]) -> str:
    got = len(times)
    loss = 100 * (sent - got) // sent if sent else 0
    text = (f"\n--- {target} ping statistics ---\n"
            f"{sent} packets transmitted, {got} packets received, {loss}% packet loss\n")
    if times:
        text += (f"round-trip min/avg/max = {min(times):.3f}/{sum(times) / got:.3f}/"
                 f"{max(times):.3f} ms\n")
    return text


def ping(argv: list[str], ctx: ExecContext) -> ExecResult:
    count: Optional[int] = None
    deadline: Optional[float] = None
    quiet = False
    hosts = []
    args = iter(argv[1:])
    for a in args:
        if a in ("-c", "-W", "-w", "-i", "-s", "-t"):
            value = next(args, "")
            try:
                num = float(value)
            except ValueError:
                return ExecResult("", f"ping: invalid number '{value}'\n", 1)
            if a == "-c":
                count = int(num)
            elif a == "-w":
                deadline = num
        elif a == "-q":
            quiet = True
        elif a in ("-4", "-n"):
            pass
        elif a.startswith("-"):
            raise UnsupportedCommand(f"ping option {a} is not modelled (-c N, -W SECS, -w SECS, -q)")
        else:
            hosts.append(a)
    if len(hosts) != 1:
        raise UnsupportedCommand("ping needs exactly one host (busybox prints its usage text otherwise)")
    if count is None and deadline is None:
        raise UnsupportedCommand("ping without -c N (or -w SECS) runs until interrupted; "
                                 "the embedded cluster needs -c, e.g. ping -c 3 HOST")
    host = hosts[0]
    ip, res = resolve_host(host, ctx)
    if ip is None:
        return ExecResult("", f"ping: bad address '{host}'\n", 1)
    sent = count if count is not None else int(deadline or 1)
    if deadline is not None and count is not None:
        sent = min(count, max(1, int(deadline)))
    reply = ctx.net.ping(ip)
    out = f"PING {host} ({ip}): 56 data bytes\n"
    times: list[float] = []
    if reply.status == "open":
        base = reply.latency
        for seq in range(sent):
            t = base + 0.007 * (seq % 3)
            times.append(t)
            if not quiet:
                out += f"64 bytes from {ip}: seq={seq} ttl={reply.ttl} time={t:.3f} ms\n"
    ctx.session.wait(max(sent - 1, 0) + (0 if times else 10.0))
    out += ping_summary(host, sent, times)
    return ExecResult(out, "", 0 if times else 1)
