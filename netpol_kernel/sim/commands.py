"""The programs ``kubectl exec`` runs inside a pod, found by name: the shell (:mod:`.shell`),
the text tools (:mod:`.textutils`), curl and wget (:mod:`.httpclients`), nc and ping
(:mod:`.nettools`), agnhost (:mod:`.agnhost`), nslookup, ``python -c`` probes,
``sleep`` and ``timeout``.

Each command talks to the network only through :class:`images.PodNetwork`,
so every name lookup and connection is judged by the policy engine; the
simulator never waits: it adds the time a real run would have taken to the
exec's clock (:class:`.process.Session`), which ``timeout`` reads.

Wordings, and where they come from:

* curl 7.61 (byrnedo/alpine-curl 0.1.x, the lab's client): ``--connect-timeout N``
  expiring while connecting prints ``curl: (28) Connection timed out after N001
  milliseconds`` (the lab's own output); expiring while resolving prints
  ``curl: (28) Resolving timed out after N000 milliseconds`` (lib/multi.c, seen
  with alpine curl in cilium/cilium#18586).  musl's resolver gives up after 5 s in
  total, so with no timeout or one above 5 s curl says ``curl: (6) Could not
  resolve host: NAME``.  With no timeout at all the kernel gives up on the SYN
  after 127 s: ``curl: (7) Failed to connect to backend port 8080: Operation
  timed out`` (musl's strerror(ETIMEDOUT)).  Refused: ``... port 9999: Connection
  refused``.  HTTP/0.9 is still allowed (it was disabled in 7.66), so a MariaDB
  greeting is printed raw; with ``-I`` curl bails out with ``(8) Weird server reply``.
* curl 8.x (curlimages/curl, netshoot, json-mock): ``Failed to connect to H port P
  after N ms: Timeout was reached`` (curl/curl#18484), ``... after N ms: Connection
  refused``, ``(1) Received HTTP/0.9 when not allowed``.
* kubectl's error for a missing executable (containerd + runc 1.1, e.g.
  nigelpoulton/TheK8sBook#30): ``error: Internal error occurred: error executing
  command in container: failed to exec in container: failed to start exec "<id>":
  OCI runtime exec failed: exec failed: unable to start container process: exec:
  "ps": executable file not found in $PATH: unknown``; kubectl exits 1 and prints no
  ``command terminated`` line (it is kubectl's own error, not the command's).
* nslookup: busybox 1.29+ prints ``Server:/Address:/Name:/Address:`` and
  ``;; connection timed out; no servers could be reached`` (kelseyhightower/
  kubernetes-the-hard-way#383); busybox 1.28 on musl (the lab's image) goes through
  getaddrinfo and prints ``nslookup: can't resolve '(null)': Name does not
  resolve`` before its ``Name:``/``Address 1:`` lines.
* Without ``-s`` and with no terminal (``kubectl exec`` without ``-t``, as in a
  notebook) curl draws its progress meter on stderr; we print its final state,
  as a notebook shows it after the carriage returns.

>>> from netpol_kernel.sim.commands import run
"""
from __future__ import annotations

import dataclasses
import re
from typing import Callable, Mapping, Optional, Sequence

from ..backends.base import ExecResult
from ..errors import UnsupportedCommand
from . import agnhost, httpclients, nettools, outside, textutils
from .dns import DNS_SERVICE_IP, search_list
from .images import Resolution
from .process import ExecContext, oci_not_found, resolve_host
from .shell import Output, Shell
from .shellbuiltins import BUILTINS

__all__ = ["run", "Tool"]

#: A program of an image: argv and context (stdin, environment, network) -> its result.
Tool = Callable[[list[str], ExecContext], ExecResult]


def run(argv: Sequence[str], ctx: ExecContext) -> ExecResult:
    """Run argv as ``kubectl exec [-i] POD -- argv`` would (``ctx.stdin``: what ``-i`` sends)."""
    if not argv:
        raise UnsupportedCommand("error: you must specify at least one command for the container")
    cmd = argv[0]
    if not ctx.tools.has(cmd):
        return oci_not_found(ctx, cmd)
    return _dispatch(list(argv), ctx)


# ---------------------------------------------------------------- shell

def _shell_dialect(name: str, ctx: ExecContext) -> str:
    """Which shell ``name`` is in this image: bash, dash (Debian's sh) or busybox ash."""
    if name == "bash":
        return "bash"
    if ctx.tools.shell in ("bash", "sh", "dash") and ctx.tools.libc != "musl" and "ash" not in ctx.tools.commands:
        return "dash"
    return "ash"


def _shell(argv: list[str], ctx: ExecContext) -> ExecResult:
    """``sh -c SCRIPT [NAME ARGS]``, or ``sh`` reading its script from stdin (``kubectl exec -i``)."""
    name = argv[0].rsplit("/", 1)[-1]
    args = argv[1:]
    while args and args[0] in ("-e", "-x", "-u", "-l", "-i", "-s", "--login", "--norc", "--noprofile"):
        args = args[1:]
    if args and args[0] == "-c":
        if len(args) < 2:
            msg = f"{name}: -c: option requires an argument\n" if name == "bash" else f"{name}: -c requires an argument\n"
            return ExecResult("", msg, 2)
        script, stdin = args[1], ctx.stdin
    elif args:
        return _script_file(name, args[0], ctx)
    else:
        script, stdin = ctx.stdin, ""  # an interactive shell with no stdin exits at once

    def runner(words: list[str], env: Mapping[str, str], text: str) -> Output:
        if not ctx.tools.has(words[0]):
            return Output("", "", 127)
        r = _dispatch(words, dataclasses.replace(ctx, env=dict(env), stdin=text))
        signal, ctx.session.killed_by = ctx.session.killed_by, 0
        return Output(r.stdout, r.stderr, r.exit_code, signal)

    sh = Shell(name, _shell_dialect(name, ctx), ctx.env, runner, BUILTINS, files=ctx.session.files,
               read_file=lambda path: textutils.virtual_file(path, ctx))
    r = sh.run(script, stdin)
    return ExecResult(r.out, r.err, r.code)


def _script_file(name: str, path: str, ctx: ExecContext) -> ExecResult:
    text = ctx.session.files.get(path)
    if text is None:
        text = textutils.virtual_file(path, ctx)
    if text is None:
        msg = (f"{name}: {path}: No such file or directory\n" if name == "bash"
               else f"{name}: 0: cannot open {path}: No such file\n" if _shell_dialect(name, ctx) == "dash"
               else f"{name}: can't open '{path}': No such file or directory\n")
        return ExecResult("", msg, 127 if name == "bash" else 2)
    return _shell([name, "-c", text], ctx)


# ---------------------------------------------------------------- the table

def _http(name: str) -> Tool:
    def call(argv: list[str], ctx: ExecContext) -> ExecResult:
        return getattr(httpclients, name)(argv, ctx)
    return call


def _timeout(argv: list[str], ctx: ExecContext) -> ExecResult:
    """``timeout [-s SIG] [-k SECS] DURATION PROG ARGS``: the program runs on the session's
    clock; past DURATION it is killed with SIGTERM.

    busybox (miscutils/timeout.c, 1.36): the program is exec'd in timeout's own process and
    a child kills it, so the caller sees a process killed by SIGTERM: status 143 (and a
    shell running it prints ``Terminated``).  GNU coreutils (timeout.c): status 124.
    """
    args = argv[1:]
    while args and args[0].startswith("-") and args[0] not in ("-",):
        if args[0] in ("-s", "-k", "-t"):
            args = args[2:]
        elif args[0] in ("--preserve-status", "--foreground", "-v", "--verbose"):
            args = args[1:]
        elif args[0].startswith(("--signal=", "--kill-after=")) or re.fullmatch(r"-[sk]\S+", args[0]):
            args = args[1:]
        else:
            break
    busybox = "busybox" in (ctx.tools.nslookup or "") or ctx.tools.libc == "musl" or "ash" in ctx.tools.commands
    if len(args) < 2:
        if busybox:  # bb_show_usage(): the applet's whole usage text
            raise UnsupportedCommand("timeout needs DURATION and a program (busybox prints its usage text)")
        return ExecResult("", "timeout: missing operand\nTry 'timeout --help' for more information.\n", 125)
    limit = _duration(args[0])
    if limit is None:
        return ExecResult("", f"timeout: invalid number '{args[0]}'\n" if busybox else
                          f"timeout: invalid time interval '{args[0]}'\n"
                          "Try 'timeout --help' for more information.\n", 1 if busybox else 125)
    prog = args[1:]
    if not ctx.tools.has(prog[0]):
        return (ExecResult("", f"timeout: can't execute '{prog[0]}': No such file or directory\n", 127)
                if busybox else ExecResult("", f"timeout: failed to run command '{prog[0]}': "
                                           "No such file or directory\n", 127))
    start = ctx.session.spent
    r = _dispatch(prog, ctx)
    if limit > 0 and ctx.session.spent - start > limit:
        ctx.session.spent = start + limit
        if busybox:
            ctx.session.killed_by = 15
        # Killed before it could report its own failure: what it would print at the end is lost.
        return ExecResult(r.stdout if not r.exit_code else "", "", 143 if busybox else 124)
    return r


def _duration(text: str) -> Optional[float]:
    m = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)", text)
    if m is None:
        return None
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def _sleep(argv: list[str], ctx: ExecContext) -> ExecResult:
    total = 0.0
    for a in argv[1:]:
        if a == "infinity":
            total = float("inf")
            continue
        d = _duration(a)
        if d is None:
            return ExecResult("", f"sleep: invalid number '{a}'\n", 1)
        total += d
    if len(argv) < 2:
        if ctx.tools.libc == "musl" or "ash" in ctx.tools.commands:
            raise UnsupportedCommand("sleep needs a duration (busybox prints its usage text)")
        return ExecResult("", "sleep: missing operand\nTry 'sleep --help' for more information.\n", 1)
    ctx.session.wait(total if total != float("inf") else 10 ** 9)
    return ExecResult("", "", 0)


def _echo(argv: list[str], ctx: ExecContext) -> ExecResult:
    """``/bin/echo`` run directly by kubectl exec (no shell): no escapes unless ``-e``."""
    args, newline = argv[1:], "\n"
    if args and args[0] == "-n":
        args, newline = args[1:], ""
    return ExecResult(" ".join(args) + newline, "", 0)


_TABLE: dict[str, Tool] = {
    "echo": _echo,
    "true": lambda a, c: ExecResult("", "", 0),
    "false": lambda a, c: ExecResult("", "", 1),
    "sleep": _sleep,
    "timeout": _timeout,
    "pwd": lambda a, c: ExecResult("/\n", "", 0),
    "whoami": lambda a, c: ExecResult("root\n", "", 0),
    "id": lambda a, c: ExecResult("uid=0(root) gid=0(root) groups=0(root)\n", "", 0),
    **textutils.TOOLS,
    "curl": _http("curl"), "wget": _http("wget"),
    "nc": nettools.nc, "ping": nettools.ping, "nslookup": lambda a, c: _nslookup(a, c),
    "python": lambda a, c: _python(a, c), "python3": lambda a, c: _python(a, c),
    "agnhost": agnhost.client,
}


def _dispatch(argv: list[str], ctx: ExecContext) -> ExecResult:
    name = argv[0].rsplit("/", 1)[-1]
    if name in ("sh", "ash", "bash", "dash"):
        return _shell(argv, ctx)
    tool = _TABLE.get(name)
    if tool is None:
        raise UnsupportedCommand(f"the embedded cluster does not model {name!r} "
                                 "(try curl, wget, nc, nslookup, ping, echo, cat, env, hostname)")
    return tool(argv, ctx)


# ---------------------------------------------------------------- nslookup

def _nslookup(argv: list[str], ctx: ExecContext) -> ExecResult:
    names = [a for a in argv[1:] if not a.startswith("-")]
    if not names:
        raise UnsupportedCommand("nslookup needs a name (interactive mode is not modelled)")
    dialect = ctx.tools.nslookup or "busybox"
    if len(names) > 1 and dialect != "busybox-old":
        return _nslookup_via(names[0], names[1], ctx, dialect)
    if dialect == "busybox":
        return _busybox_nslookup(names[0], ctx, ctx.net.resolve, DNS_SERVICE_IP, DNS_SERVICE_IP)
    res = ctx.net.resolve(names[0])
    if dialect == "busybox-old":
        err = "nslookup: can't resolve '(null)': Name does not resolve\n"
        if res.status == "ok":
            rev = f" {res.fqdn}" if res.fqdn else ""
            return ExecResult(f"\nName:      {names[0]}\nAddress 1: {res.ip}{rev}\n", err, 0)
        why = "Try again" if res.status == "timeout" else "Name does not resolve"
        return ExecResult("\n", err + f"nslookup: can't resolve '{names[0]}': {why}\n", 1)
    if res.status == "timeout":
        return ExecResult(";; connection timed out; no servers could be reached\n\n", "", 1)
    head = f"Server:\t\t{res.server}\nAddress:\t{res.server}#53\n\n"
    if res.status != "ok":  # bind's nslookup: the name as typed, once
        return ExecResult(head + f"** server can't find {names[0]}: NXDOMAIN\n\n", "", 1)
    note = "" if res.authoritative else "Non-authoritative answer:\n"
    return ExecResult(head + note + f"Name:\t{res.fqdn}\nAddress: {res.ip}\n\n", "", 0)


def _busybox_nslookup(name: str, ctx: ExecContext, resolve: Callable[[str], "Resolution"],
                      server: str, address: str) -> ExecResult:
    """busybox 1.29+ nslookup (networking/nslookup.c, 1.36), which builds its own queries:

    * ``add_query_with_search``: a name with a dot is asked as is; a name without one is
      asked once per ``search`` domain of resolv.conf (never bare), A queries then AAAA;
    * every reply is printed as it arrives (here: in the order sent): an error rcode as
      ``** server can't find NAME: NXDOMAIN``, an answer through ``parse_reply``
      (``Non-authoritative answer:`` when the AA bit is clear, then ``Name:``/``Address:``),
      each followed by an empty line, so an empty AAAA answer is just that line;
    * the exit status is 1 as soon as one reply carried an error, so with kube-dns's
      search path ``nslookup backend`` exits 1 even when backend resolves.
    """
    if "." in name:
        queries = [name.rstrip(".")]
    else:
        queries = [q for q in search_list(name, ctx.namespace) if q != name]
    res = resolve(name.rstrip(".") + "." if "." in name else name)
    if res.status == "timeout":
        return ExecResult(";; connection timed out; no servers could be reached\n\n", "", 1)
    found = (res.fqdn or "").lower() if res.status == "ok" else ""
    out = f"Server:\t\t{server}\nAddress:\t{address}:53\n\n"
    failed = False
    for qtype in ("A", "AAAA"):
        for q in queries:
            if q.lower() != found:
                out += f"** server can't find {q}: NXDOMAIN\n\n"
                failed = True
                continue
            note = "" if res.authoritative else "Non-authoritative answer:\n"
            out += note + (f"Name:\t{res.fqdn}\nAddress: {res.ip}\n\n" if qtype == "A" else "\n")
    return ExecResult(out, "", 1 if failed else 0)


def _nslookup_via(name: str, server: str, ctx: ExecContext, dialect: str) -> ExecResult:
    """``nslookup NAME SERVER``: the query goes straight to SERVER (a UDP/53 flow the pod's
    egress policies judge); public resolvers know the internet's names, not the cluster's."""
    ip, _res = resolve_host(server, ctx)
    if ip is None:
        return ExecResult("", f"nslookup: bad address '{server}'\n" if dialect != "bind"
                          else ";; no servers could be reached\n", 1)
    dial = ctx.net.dial(ip, 53, "UDP")
    if dial.status != "open":
        ctx.session.wait(15.0)
        return ExecResult(";; connection timed out; no servers could be reached\n\n", "", 1)

    def upstream(host: str) -> Resolution:
        addr = outside.lookup(host)
        if addr is None:
            return Resolution("nxdomain", host, server=ip)
        return Resolution("ok", host, addr, host.rstrip("."), server=ip, authoritative=False)

    resolve = ctx.net.resolve if ip == DNS_SERVICE_IP else upstream
    if dialect == "busybox":
        return _busybox_nslookup(name, ctx, resolve, server, ip)
    res = resolve(name)
    head = f"Server:\t\t{server}\nAddress:\t{ip}#53\n\n"
    if res.status != "ok":
        return ExecResult(head + f"** server can't find {name}: NXDOMAIN\n\n", "", 1)
    note = "" if res.authoritative else "Non-authoritative answer:\n"
    return ExecResult(head + note + f"Name:\t{res.fqdn}\nAddress: {res.ip}\n\n", "", 0)


# ---------------------------------------------------------------- python -c (connect probes)

_PY_HANDLER = r"except\s+{exc}(?:\s+as\s+(\w+))?\s*:\s*print\((.*?)\)\s*;\s*sys\.exit\((\d+)\)"


def _python(argv: list[str], ctx: ExecContext) -> ExecResult:
    """Only ``python -c SCRIPT HOST PORT TIMEOUT`` where SCRIPT tries
    ``socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=...)`` and
    reports each outcome with ``print(...); sys.exit(N)`` handlers (the probe
    :mod:`netpol_kernel.notebook.probes` uses for images without curl)."""
    if len(argv) < 5 or argv[1] != "-c" or "create_connection" not in argv[2]:
        raise UnsupportedCommand("the embedded cluster runs python only for socket.create_connection probes")
    script, host, port = argv[2], argv[3], int(argv[4])  # argv[5], the socket timeout, only bounds the wait
    ip, res = resolve_host(host, ctx)
    if ip is None:
        assert res is not None
        # getaddrinfo ignores the socket timeout; musl says EAI_AGAIN / EAI_NONAME.
        err = "[Errno -3] Try again" if res.status == "timeout" else "[Errno -2] Name does not resolve"
        if ctx.tools.libc != "musl":
            err = ("[Errno -3] Temporary failure in name resolution" if res.status == "timeout"
                   else "[Errno -2] Name or service not known")
        return _py_outcome(script, "socket.gaierror", err)
    dial = ctx.net.dial(ip, port, "TCP")
    if dial.status == "timeout":
        return _py_outcome(script, "socket.timeout", "timed out")
    if dial.status != "open":
        return _py_outcome(script, "ConnectionRefusedError", "[Errno 111] Connection refused")
    m = re.search(r"print\(\s*'([^']*)'\s*\)\s*$", script.strip())
    return ExecResult(m.group(1) + "\n" if m else "", "", 0)


def _py_outcome(script: str, exc: str, message: str) -> ExecResult:
    m = re.search(_PY_HANDLER.format(exc=re.escape(exc)), script, re.S)
    if m is None:
        tb = f"Traceback (most recent call last):\n  ...\n{exc.split('.')[-1]}: {message}\n"
        return ExecResult("", tb, 1)
    var, args, code = m.groups()
    parts = []
    for a in (x.strip() for x in args.split(",")):
        parts.append(message if a == var else a.strip("'\""))
    return ExecResult(" ".join(parts) + "\n", "", int(code))
