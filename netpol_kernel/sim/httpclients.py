"""HTTP clients inside a pod: curl (7.61 and 8.x wordings) and busybox wget.

See :mod:`netpol_kernel.sim.commands` for where each wording comes from.  Timing is
simulated: a blocked connection reports the time a real run would have waited.

>>> _max5(2109), _max5(703000), _time2str(5)
(' 2109', ' 686k', ' 0:00:05')
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..backends.base import ExecResult
from ..errors import UnsupportedCommand
from . import outside
from .process import ExecContext, resolve_host, strerror
from .images import KERNEL_CONNECT_TIMEOUT, HttpReply, RawReply, Request

__all__ = ["curl", "wget"]

@dataclass(frozen=True)
class _Url:
    scheme: str
    host: str
    port: int
    path: str
    typed: str = ""  # host[:port] as written (busybox wget prints it in "bad address")
    bad_port: bool = False  # a port that is not a number from 0 to 65535

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def _parse_url(url: str) -> _Url:
    """scheme://host[:port]/path, with ``[v6]`` literals; no scheme means http."""
    if "://" not in url:
        url = "http://" + url
    scheme, _, rest = url.partition("://")
    hostport, slash, path = rest.partition("/")
    hostport = hostport.rsplit("@", 1)[-1]
    default = 443 if scheme.lower() == "https" else 80
    if hostport.startswith("["):
        host, _, after = hostport[1:].partition("]")
        port = after[1:] if after.startswith(":") else ""
    else:
        host, _, port = hostport.partition(":")
    bad = bool(port) and (not port.isdigit() or int(port) > 65535)
    number = int(port) if port.isdigit() and not bad else default
    return _Url(scheme.lower(), host, number, "/" + path if slash else "/", hostport, bad)


def wget(argv: list[str], ctx: ExecContext) -> ExecResult:
    """busybox wget (networking/wget.c, 1.36): ``-q``, ``-O FILE`` (``-`` for stdout),
    ``-T SECS``/``--timeout``, ``--spider``.

    ``-T`` arms an alarm whose handler dies with ``wget: download timed out``; without
    it the default (900 s) outlasts the kernel's 127 s, so a dropped SYN ends in
    ``wget: can't connect to remote host (IP): Connection timed out`` (strerror of the
    image's libc).  An unresolvable host is ``wget: bad address 'HOST[:PORT]'`` with the
    host and port as typed (the URL's host part goes whole to ``xhost2sockaddr``).
    """
    quiet, output, spider, urls = False, None, False, []
    timeout = None
    args = iter(argv[1:])
    for a in args:
        if a == "--spider":
            spider = True
        elif a == "--quiet":
            quiet = True
        elif a == "--timeout" or a.startswith("--timeout="):
            timeout = _wget_number(a.partition("=")[2] if "=" in a else next(args, ""))
        elif a.startswith("--output-document"):
            output = a.partition("=")[2] if "=" in a else next(args, "")
        elif a.startswith("-") and len(a) > 1:
            for j, ch in enumerate(a[1:]):
                if ch == "q":
                    quiet = True
                elif ch in "OT":  # options with a value: the rest of the word or the next one
                    value = a[j + 2:] or next(args, "")
                    if ch == "O":
                        output = value
                    else:
                        timeout = _wget_number(value)
                    break
                elif ch not in "sS":
                    raise UnsupportedCommand(f"wget option -{ch} is not modelled")
        else:
            urls.append(a)
    if isinstance(timeout, str):  # getopt32's "T:+" (xatoi_positive) refuses it
        return ExecResult("", f"wget: invalid number '{timeout}'\n", 1)
    if not urls:
        return ExecResult("", "BusyBox wget: missing URL\n", 1)
    u = _parse_url(urls[0])
    ip, res = resolve_host(u.host, ctx)
    if ip is None:
        if res is not None and res.status == "timeout":
            ctx.session.wait(ctx.tools.resolver_timeout)  # -T does not cover the lookup (wget.c)
        return ExecResult("", f"wget: bad address '{u.typed}'\n", 1)
    log = "" if quiet else f"Connecting to {u.typed} ({ip}:{u.port})\n"  # wget.c: server.host as typed
    dial = ctx.net.dial(ip, u.port, "TCP")
    if dial.status == "timeout":
        if timeout:
            ctx.session.wait(timeout)
            return ExecResult("", log + "wget: download timed out\n", 1)
        ctx.session.wait(KERNEL_CONNECT_TIMEOUT)
        return ExecResult("", log + f"wget: can't connect to remote host ({ip}): "
                          f"{strerror(ctx.tools.libc, 'timeout')}\n", 1)
    if dial.status != "open" or dial.server is None:
        return ExecResult("", log + f"wget: can't connect to remote host ({ip}): Connection refused\n", 1)
    reply = dial.server(Request("HEAD" if spider else "GET", u.path, u.host_header, "Wget",
                                client_ip=ctx.net.ip), dial.peer)
    if not isinstance(reply, HttpReply):
        return ExecResult("", log + "wget: error getting response\n", 1)
    if reply.latency:
        ctx.session.wait(min(reply.latency, timeout) if timeout else reply.latency)
        if timeout and reply.latency >= timeout:
            return ExecResult("", log + "wget: download timed out\n", 1)
    if reply.status >= 400:
        return ExecResult("", log + f"wget: server returned error: {reply.status_line}\n", 1)
    body = reply.body.decode("utf-8", "replace")
    if spider:
        return ExecResult("", log + ("" if quiet else "remote file exists\n"), 0)
    if output == "-":
        tail = "" if quiet else ("writing to stdout\n" + f"-{' ' * 20}100% |{'*' * 32}|  {len(reply.body):>4}  "
                                 "0:00:00 ETA\nwritten to stdout\n")
        return ExecResult(body, log + tail, 0)
    name = output or u.path.rsplit("/", 1)[-1] or "index.html"
    if name != "/dev/null":
        ctx.session.files[name if name.startswith("/") else "/" + name] = body
    return ExecResult("", log + ("" if quiet else f"saving to '{name}'\n{name:<20} 100% |{'*' * 32}|  "
                                 f"{len(reply.body):>4}  0:00:00 ETA\n'{name}' saved\n"), 0)


def _wget_number(text: str):  # -> int, or the text when it is not a number
    return int(text) if text.isdigit() else text


# -- curl ---------------------------------------------------------------------

@dataclass
class _CurlOpts:
    head: bool = False
    include: bool = False
    silent: bool = False
    show_error: bool = False
    verbose: bool = False
    fail: bool = False
    connect_timeout: Optional[float] = None
    max_time: Optional[float] = None
    output: Optional[str] = None
    write_out: Optional[str] = None
    method: Optional[str] = None
    urls: list[str] = field(default_factory=list)


_CURL_FLAGS = {"I": "head", "i": "include", "s": "silent", "S": "show_error", "v": "verbose",
               "f": "fail"}
_CURL_LONG = {"--head": "head", "--include": "include", "--silent": "silent", "--show-error": "show_error",
              "--verbose": "verbose", "--fail": "fail"}
_CURL_IGNORED = {"-L", "--location", "-k", "--insecure", "-4", "-6", "--ipv4", "--ipv6", "--http1.1",
                 "--no-keepalive", "-N", "--no-buffer", "--compressed", "-g", "--globoff"}
# Short flags that change nothing the embedded cluster shows (redirects are not followed:
# no modelled server redirects inside the cluster; TLS checks; IP version; buffering).
_CURL_IGNORED_SHORT = set("Lk46Ng")
_CURL_VALUE_SHORT = {"m": "max_time", "o": "output", "w": "write_out", "X": "method", "H": None,
                     "d": "data", "A": None, "u": None, "e": None}
_CURL_VALUE_LONG = {"--connect-timeout": "connect_timeout", "--max-time": "max_time", "--output": "output",
                    "--write-out": "write_out", "--request": "method", "--header": None, "--data": "data",
                    "--user-agent": None, "--retry": None, "--resolve": None}


class _CurlUsage(Exception):
    pass


def _set(o: _CurlOpts, attr: Optional[str], value: str, option: str) -> None:
    if attr is None:
        return
    if attr == "data":
        o.method = o.method or "POST"
    elif attr in ("connect_timeout", "max_time"):
        # src/tool_paramhlp.c secs2ms/str2udouble: PARAM_BAD_NUMERIC, worded by
        # tool_getparam.c's param2text as "expected a proper numerical parameter".
        # A negative number is PARAM_NEGATIVE_NUMERIC: "expected a positive numerical parameter".
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if number != number or value.strip() != value or value.lower() in ("inf", "infinity", "+inf"):
            raise _CurlUsage(f"curl: option {option}: expected a proper numerical parameter")
        if number < 0:
            raise _CurlUsage(f"curl: option {option}: expected a positive numerical parameter")
        setattr(o, attr, number)
    else:
        setattr(o, attr, value)


def _parse_curl(args: list[str]) -> _CurlOpts:
    o = _CurlOpts()
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a in _CURL_IGNORED:
            continue
        if a.startswith("--"):
            key, eq, val = a.partition("=")
            if key in _CURL_LONG:
                setattr(o, _CURL_LONG[key], True)
            elif key in _CURL_VALUE_LONG:
                if not eq:
                    if i >= len(args):
                        raise _CurlUsage(f"curl: option {key}: requires parameter")
                    val, i = args[i], i + 1
                _set(o, _CURL_VALUE_LONG[key], val, key)
            else:
                raise _CurlUsage(f"curl: option {a}: is unknown")
        elif a.startswith("-") and len(a) > 1:
            for j, ch in enumerate(a[1:]):
                if ch in _CURL_FLAGS:
                    setattr(o, _CURL_FLAGS[ch], True)
                elif ch in _CURL_IGNORED_SHORT:
                    continue
                elif ch in _CURL_VALUE_SHORT:
                    val = a[j + 2:]
                    if not val:
                        if i >= len(args):
                            raise _CurlUsage(f"curl: option -{ch}: requires parameter")
                        val, i = args[i], i + 1
                    _set(o, _CURL_VALUE_SHORT[ch], val, f"-{ch}")
                    break
                else:
                    raise _CurlUsage(f"curl: option {a}: is unknown")
        else:
            o.urls.append(a)
    return o


def _max5(n: int) -> str:
    """lib/progress.c max5data: a byte count in at most five characters."""
    if n < 100000:
        return f"{n:5d}"
    if n < 10000 * 1024:
        return f"{n // 1024:4d}k"
    mb = 1024 * 1024
    return f"{n // mb:2d}.{(n % mb) // (mb // 10)}M"


def _time2str(seconds: int) -> str:
    if seconds <= 0:
        return "--:--:--"
    h, rest = divmod(seconds, 3600)
    return f"{h:2d}:{rest // 60:02d}:{rest % 60:02d}"


def _meter(total: int, received: int, elapsed: float) -> str:
    """curl's progress meter: header and final line."""
    fast = 0.003  # an in-cluster transfer: about 3 ms
    secs = max(elapsed, fast)
    speed = int(received / secs) if received else 0
    pct = lambda part: 100 * part // total if total else 0  # noqa: E731
    ttotal = _time2str(int(total / speed)) if total and speed else "--:--:--"
    line = (f"{pct(received):3d} {_max5(total)}  {pct(received):3d} {_max5(received)}  "
            f"{0:3d} {_max5(0)}  {_max5(speed)}  {_max5(0)} {ttotal} {_time2str(int(elapsed))} "
            f"--:--:-- {_max5(speed)}")
    return ("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
            "                                 Dload  Upload   Total   Spent    Left  Speed\n" + line + "\n")


@dataclass
class _Transfer:
    """One curl run's result before it is printed."""

    code: int = 0
    error: str = ""
    elapsed: float = 0.0
    reply: Optional[HttpReply] = None
    raw: bytes = b""
    ip: str = ""
    verbose: list[str] = field(default_factory=list)


def _legacy(version: Optional[str]) -> bool:
    """curl before 7.70 words its errors without ``after N ms`` (7.61's wording)."""
    m = re.match(r"(\d+)\.(\d+)", version or "8")
    return m is not None and (int(m.group(1)), int(m.group(2))) < (7, 70)


def curl(argv: list[str], ctx: ExecContext) -> ExecResult:
    legacy = _legacy(ctx.tools.curl)
    try:
        o = _parse_curl(argv[1:])
    except _CurlUsage as e:
        return ExecResult("", f"{e}\ncurl: try 'curl --help' or 'curl --manual' for more information\n", 2)
    if not o.urls:
        head = "curl: no URL specified!\n" if legacy else ""
        return ExecResult("", head + "curl: try 'curl --help' or 'curl --manual' for more information\n", 2)
    out, err, code = "", "", 0
    for url in o.urls:
        u = _parse_url(url)
        if u.bad_port:
            # 8.x: lib/urlapi.c CURLUE_BAD_PORT_NUMBER, prefixed "URL rejected: " by lib/url.c;
            # 7.61 (before the URL API of 7.62): lib/url.c parse_remote_port, "Port number out
            # of range" (strtol beyond 0xffff) or "Port number ended with '%c'".
            port = u.typed.rsplit(":", 1)[-1]
            digits = len(port) - len(port.lstrip("0123456789"))
            legacy_msg = (f"Port number ended with '{port[digits]}'" if digits < len(port)
                          else "Port number out of range")
            t = _Transfer(3, legacy_msg if legacy else
                          "URL rejected: Port number was not a decimal number between 0 and 65535")
        else:
            t = _transfer(u, o, ctx, legacy)
        ctx.session.wait(t.elapsed)
        r_out, r_err = _render(t, o, ctx, legacy)
        out, err, code = out + r_out, err + r_err, t.code
    return ExecResult(out, err, code)


def _transfer(u: _Url, o: _CurlOpts, ctx: ExecContext, legacy: bool) -> _Transfer:
    t = _Transfer()
    v = t.verbose
    if u.scheme not in ("http", "https"):
        t.code, t.error = 1, f'Protocol "{u.scheme}" not supported or disabled in libcurl'
        return t
    limits = [x for x in (o.connect_timeout, o.max_time) if x is not None]
    deadline = min(limits) if limits else None
    ip, res = resolve_host(u.host, ctx)
    if ip is None:
        assert res is not None
        if res.status == "timeout" and deadline is not None and deadline <= ctx.tools.resolver_timeout:
            t.code, t.elapsed = 28, deadline
            t.error = f"Resolving timed out after {int(deadline * 1000)} milliseconds"
        else:
            t.code = 6
            t.elapsed = ctx.tools.resolver_timeout if res.status == "timeout" else 0.0
            t.error = f"Could not resolve host: {u.host}"
        v.append(f"* {t.error}")
        return t
    t.ip = ip
    v.append(f"*   Trying {ip}..." if legacy else f"*   Trying {ip}:{u.port}...")
    if legacy:
        v.append("* TCP_NODELAY set")
    dial = ctx.net.dial(ip, u.port, "TCP")
    after = 2 if res is not None else 0  # ms: the lookup, then an in-cluster RST
    if dial.status == "timeout":
        if deadline is not None:
            ms = int(deadline * 1000) + 1
            t.code, t.elapsed = 28, deadline
            t.error = (f"Connection timed out after {ms} milliseconds" if legacy else
                       f"Failed to connect to {u.host} port {u.port} after {ms} ms: Timeout was reached")
        else:
            t.code, t.elapsed = 7, KERNEL_CONNECT_TIMEOUT
            why = strerror(ctx.tools.libc, "timeout")
            t.error = (f"Failed to connect to {u.host} port {u.port}: {why}" if legacy else
                       f"Failed to connect to {u.host} port {u.port} after {int(KERNEL_CONNECT_TIMEOUT * 1000) + 1}"
                       f" ms: {why}")
        v.append(f"* {t.error}" if legacy else f"* connect to {ip} port {u.port} failed: timed out")
        return t
    if dial.status != "open" or dial.server is None:
        t.code = 7
        t.error = (f"Failed to connect to {u.host} port {u.port}: Connection refused" if legacy else
                   f"Failed to connect to {u.host} port {u.port} after {after} ms: Connection refused")
        v.append(f"* connect to {ip} port {u.port} failed: Connection refused")
        return t
    v.append(f"* Connected to {u.host} ({ip}) port {u.port} (#0)")
    if u.scheme == "https" and not dial.endpoint.startswith(outside.ENDPOINT_PREFIX):
        # The cluster's own servers speak plain HTTP; the internet's hosts have public certificates.
        t.code = 35
        t.error = ("error:1400410B:SSL routines:CONNECT_CR_SRVR_HELLO:wrong version number" if legacy else
                   "OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number")
        return t
    method = o.method or ("HEAD" if o.head else "GET")
    agent = ctx.tools.curl_agent
    for line in (f"{method} {u.path} HTTP/1.1", f"Host: {u.host_header}", f"User-Agent: {agent}",
                 "Accept: */*", ""):
        v.append(f"> {line}\r")
    reply = dial.server(Request(method, u.path, u.host_header, agent, client_ip=ctx.net.ip), dial.peer)
    latency = getattr(reply, "latency", 0.0)
    if o.max_time is not None and latency >= o.max_time:
        t.code, t.elapsed = 28, o.max_time
        t.error = f"Operation timed out after {int(o.max_time * 1000) + 1} milliseconds with 0 bytes received"
        return t
    t.elapsed = latency
    if isinstance(reply, RawReply):
        if reply.end == "empty" or not reply.data:
            t.code, t.error = 52, "Empty reply from server"
        elif not legacy:
            t.code, t.error = 1, "Received HTTP/0.9 when not allowed"
        elif o.head:
            t.code, t.error = 8, "Weird server reply"
        else:
            t.raw = reply.data
            if reply.end == "reset":
                t.code, t.error = 56, "Recv failure: Connection reset by peer"
        return t
    assert isinstance(reply, HttpReply)
    t.reply = reply
    v.append(f"< {reply.status_line}\r")
    v.extend(f"< {k}: {val}\r" for k, val in reply.headers)
    v.append("< \r")
    if o.fail and reply.status >= 400:
        t.code = 22
        t.error = (f"The requested URL returned error: {reply.status} {reply.reason}" if legacy
                   else f"The requested URL returned error: {reply.status}")
        return t
    v.append("* Closing connection 0" if reply.header("Connection") == "close"
             else f"* Connection #0 to host {u.host} left intact")
    return t


def _printable(data: bytes) -> str:
    """Raw bytes as a UTF-8 terminal shows them: invalid bytes become U+FFFD, control
    characters other than newlines and tabs vanish."""
    text = data.decode("utf-8", "replace")
    return "".join(ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127))


def _write_out(fmt: str, t: _Transfer) -> str:
    code = f"{t.reply.status:03d}" if t.reply else "000"
    values = {"http_code": code, "response_code": code, "remote_ip": t.ip, "exitcode": str(t.code),
              "size_download": str(len(t.reply.body) if t.reply else 0),
              "content_type": (t.reply.header("Content-Type") or "") if t.reply else "",
              "time_total": f"{t.elapsed:.6f}"}
    text = re.sub(r"%\{(\w+)\}", lambda m: values.get(m.group(1), ""), fmt)
    return text.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r")


def _render(t: _Transfer, o: _CurlOpts, ctx: ExecContext, legacy: bool) -> tuple[str, str]:
    out, err = "", ""
    to_stdout = o.output in (None, "-")
    if t.reply is not None and t.code == 0:
        r = t.reply
        heads = r.status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in r.headers) + "\r\n"
        body = "" if o.head or r.status in (204, 304) else r.body.decode("utf-8", "replace")
        text = heads + body if (o.head or o.include) else body
        if o.head:
            text = heads
        out += text if to_stdout else ""
    elif t.raw:
        out += _printable(t.raw) if to_stdout else ""
    if o.write_out is not None:
        out += _write_out(o.write_out, t)
    if o.verbose:
        err += "".join(line + "\n" for line in t.verbose)
    elif not o.silent and not ctx.tty:
        total = int(t.reply.header("Content-Length") or 0) if t.reply else 0
        got = len(t.reply.body) if t.reply and not o.head and t.code == 0 else len(t.raw)
        err += _meter(total or got, got, t.elapsed)
    if t.code and (not o.silent or o.show_error):
        err += f"curl: ({t.code}) {t.error}\n"
    return out, err
