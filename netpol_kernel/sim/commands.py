"""The commands ``kubectl exec`` runs inside a pod: curl, wget, nc, nslookup, a shell.

Each command talks to the network only through :class:`workloads.PodNetwork`,
so every name lookup and connection is judged by the policy engine; the
simulator never waits, it reports the time a real run would have taken.

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

>>> from netpol_kernel.sim.commands import split_shell
>>> split_shell("curl -s backend:8080 && echo ok; echo $HOSTNAME", {"HOSTNAME": "fe"})
[(['curl', '-s', 'backend:8080'], ''), (['echo', 'ok'], '&&'), (['echo', 'fe'], ';')]
"""
from __future__ import annotations

import re
import shlex
from typing import Callable, Mapping, Optional, Sequence

from ..backends.base import ExecResult
from ..errors import UnsupportedCommand
from . import httpclients
from .process import ExecContext, oci_not_found, resolve_host, strerror

__all__ = ["run", "split_shell"]


def run(argv: Sequence[str], ctx: ExecContext) -> ExecResult:
    """Run argv as ``kubectl exec POD -- argv`` would."""
    if not argv:
        raise UnsupportedCommand("error: you must specify at least one command for the container")
    cmd = argv[0]
    if not ctx.tools.has(cmd):
        return oci_not_found(ctx, cmd)
    return _dispatch(list(argv), ctx, shell=None)


# ---------------------------------------------------------------- shell

_VAR = re.compile(r"\$(\{(\w+)\}|(\w+))")


def _expand(text: str, env: Mapping[str, str]) -> str:
    """$VAR and ${VAR} outside single quotes (enough for one-line ``sh -c`` commands)."""
    parts = re.split(r"('[^']*')", text)
    return "".join(p if p.startswith("'") else
                   _VAR.sub(lambda m: env.get(m.group(2) or m.group(3), ""), p) for p in parts)


def split_shell(script: str, env: Mapping[str, str]) -> list[tuple[list[str], str]]:
    """A command list: ``[(argv, operator before it)]``; operators ``;``, ``&&``, ``||``."""
    lex = shlex.shlex(_expand(script, env), posix=True, punctuation_chars=";&|")
    lex.whitespace_split = True
    out: list[tuple[list[str], str]] = []
    cur: list[str] = []
    op = ""
    for tok in lex:
        if tok in (";", "&&", "||"):
            if cur:
                out.append((cur, op))
            cur, op = [], tok
        elif set(tok) <= set(";&|<>"):
            raise UnsupportedCommand(f"the embedded cluster's shell does not support {tok!r} "
                                     "(only ;, && and || between simple commands)")
        else:
            cur.append(tok)
    if cur:
        out.append((cur, op))
    return out


def _shell(argv: list[str], ctx: ExecContext) -> ExecResult:
    name = argv[0]
    if len(argv) < 3 or argv[1] != "-c":
        return ExecResult("", "", 0)  # an interactive shell with no stdin exits at once
    out, err, code = "", "", 0
    for words, op in split_shell(argv[2], ctx.env):
        if (op == "&&" and code != 0) or (op == "||" and code == 0):
            continue
        if not ctx.tools.has(words[0]) and words[0] not in _BUILTINS:
            if ctx.tools.shell == "bash":
                r = ExecResult("", f"{name.rsplit('/', 1)[-1]}: line 1: {words[0]}: command not found\n", 127)
            else:
                r = ExecResult("", f"{name}: {words[0]}: not found\n", 127)
        else:
            r = _dispatch(words, ctx, shell=name)
        out, err, code = out + r.stdout, err + r.stderr, r.exit_code
    return ExecResult(out, err, code)


# ---------------------------------------------------------------- small tools

def _echo(argv: list[str], ctx: ExecContext) -> ExecResult:
    args, newline = argv[1:], "\n"
    if args and args[0] == "-n":
        args, newline = args[1:], ""
    return ExecResult(" ".join(args) + newline, "", 0)


def _cat(argv: list[str], ctx: ExecContext) -> ExecResult:
    files = {
        "/etc/resolv.conf": (f"search {ctx.namespace}.svc.cluster.local svc.cluster.local cluster.local\n"
                             "nameserver 10.96.0.10\noptions ndots:5\n"),
        "/etc/hostname": ctx.hostname + "\n",
        "/etc/hosts": ctx.hosts,
    }
    out, err, code = "", "", 0
    for f in argv[1:]:
        if f in files:
            out += files[f]
        else:
            err += (f"cat: can't open '{f}': No such file or directory\n" if ctx.tools.libc == "musl"
                    else f"cat: {f}: No such file or directory\n")
            code = 1
    return ExecResult(out, err, code)


def _env(argv: list[str], ctx: ExecContext) -> ExecResult:
    if len(argv) > 1 and argv[0].endswith("printenv"):
        vals = [ctx.env[k] for k in argv[1:] if k in ctx.env]
        return ExecResult("".join(v + "\n" for v in vals), "", 0 if len(vals) == len(argv) - 1 else 1)
    return ExecResult("".join(f"{k}={v}\n" for k, v in ctx.env.items()), "", 0)


_BUILTINS: dict[str, Callable[[list[str], ExecContext], ExecResult]] = {
    "echo": _echo,
    "true": lambda a, c: ExecResult("", "", 0),
    "false": lambda a, c: ExecResult("", "", 1),
    "sleep": lambda a, c: ExecResult("", "", 0),  # the simulator never waits
    "pwd": lambda a, c: ExecResult("/\n", "", 0),
}


def _http(name: str) -> Callable[[list[str], ExecContext], ExecResult]:
    def call(argv: list[str], ctx: ExecContext) -> ExecResult:
        return getattr(httpclients, name)(argv, ctx)
    return call


def _dispatch(argv: list[str], ctx: ExecContext, shell: Optional[str]) -> ExecResult:
    name = argv[0].rsplit("/", 1)[-1]
    if name in ("sh", "ash", "bash", "dash"):
        return _shell(argv, ctx)
    table: dict[str, Callable[[list[str], ExecContext], ExecResult]] = {
        **_BUILTINS, "cat": _cat, "env": _env, "printenv": _env,
        "hostname": lambda a, c: ExecResult(c.hostname + "\n", "", 0),
        "whoami": lambda a, c: ExecResult("root\n", "", 0),
        "id": lambda a, c: ExecResult("uid=0(root) gid=0(root) groups=0(root)\n", "", 0),
        "curl": _http("curl"), "wget": _http("wget"), "nc": _nc, "nslookup": _nslookup,
        "python": _python, "python3": _python,
    }
    if name not in table:
        raise UnsupportedCommand(f"the embedded cluster does not model {name!r} "
                                 "(try curl, wget, nc, nslookup, echo, cat, env, hostname)")
    return table[name](argv, ctx)


# ---------------------------------------------------------------- nslookup

def _nslookup(argv: list[str], ctx: ExecContext) -> ExecResult:
    names = [a for a in argv[1:] if not a.startswith("-")]
    if not names:
        raise UnsupportedCommand("nslookup needs a name (interactive mode is not modelled)")
    res = ctx.net.resolve(names[0])
    dialect = ctx.tools.nslookup or "busybox"
    if dialect == "busybox-old":
        err = "nslookup: can't resolve '(null)': Name does not resolve\n"
        if res.status == "ok":
            rev = f" {res.fqdn}" if res.fqdn else ""
            return ExecResult(f"\nName:      {names[0]}\nAddress 1: {res.ip}{rev}\n", err, 0)
        why = "Try again" if res.status == "timeout" else "Name does not resolve"
        return ExecResult("\n", err + f"nslookup: can't resolve '{names[0]}': {why}\n", 1)
    if res.status == "timeout":
        return ExecResult(";; connection timed out; no servers could be reached\n\n", "", 1)
    sep = "#" if dialect == "bind" else ":"
    head = f"Server:\t\t{res.server}\nAddress:\t{res.server}{sep}53\n\n"
    if res.status != "ok":
        missing = res.tried[0] if res.tried and dialect != "bind" else names[0]
        return ExecResult(head + f"** server can't find {missing}: NXDOMAIN\n\n", "", 1)
    return ExecResult(head + f"Name:\t{res.fqdn}\nAddress: {res.ip}\n\n", "", 0)


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


# ---------------------------------------------------------------- nc (busybox)

def _nc(argv: list[str], ctx: ExecContext) -> ExecResult:
    verbose, udp, pos = False, False, []
    it = iter(argv[1:])
    for a in it:
        if a.startswith("-") and len(a) > 1:
            for j, ch in enumerate(a[1:]):
                if ch == "v":
                    verbose = True
                elif ch == "u":
                    udp = True
                elif ch == "z":
                    pass
                elif ch == "w":
                    rest = a[j + 2:]
                    float(rest or next(it))  # checked, never waited: the simulator answers at once
                    break
                else:
                    raise UnsupportedCommand(f"nc option -{ch} is not modelled")
        else:
            pos.append(a)
    if len(pos) != 2 or not pos[1].isdigit():
        raise UnsupportedCommand("usage modelled: nc [-z] [-v] [-u] [-w SECS] HOST PORT")
    host, port = pos[0], int(pos[1])
    ip, res = resolve_host(host, ctx)
    if ip is None:
        return ExecResult("", f"nc: bad address '{host}'\n", 1)
    dial = ctx.net.dial(ip, port, "UDP" if udp else "TCP")
    where = f"{host} ({ip}:{port})"
    if dial.status == "open" or udp:  # UDP has no handshake: nc -u always "succeeds"
        return ExecResult("", f"{where} open\n" if verbose else "", 0)
    why = strerror(ctx.tools.libc, "refused" if dial.status == "refused" else "timeout")
    return ExecResult("", f"nc: {where}: {why}\n", 1)
