"""Small text programs of an image: cat, head, tail, grep, wc, sort, uniq, ls, env, hostname.

Each reads its files, or its stdin (``ctx.stdin``: what a pipe or ``kubectl exec -i``
sends).  Two families of wordings: busybox (alpine, busybox, the curl images) and GNU
coreutils/grep (Debian-based images); ``ctx.tools.libc == "musl"`` or a busybox
toolbox picks busybox.

Sources: busybox 1.36 coreutils/cat.c, head.c, tail.c, wc.c, ls.c and findutils/grep.c
(errors through ``bb_perror_msg("can't open '%s'")`` for cat and ``bb_simple_perror_msg(
filename)`` for the others: ``grep: /x: No such file or directory``); GNU coreutils 9.x
``cat: /x: No such file or directory`` and ``ls: cannot access '/x': No such file or
directory`` (status 2).  ``wc`` with one count of stdin prints the bare number in both
(busybox wc.c drops the padding when only one column of stdin is printed; GNU wc
sizes the column from the input, 1 digit for a pipe with one count); several counts are
``%9lu`` columns in busybox (coreutils/wc.c 1.36).

>>> from netpol_kernel.sim.textutils import grep_lines, head_lines
>>> grep_lines("a\\nb\\nab\\n", "a", invert=False, ignore_case=False)
['a', 'ab']
>>> head_lines("1\\n2\\n3\\n", 2)
'1\\n2\\n'
"""
from __future__ import annotations

import re
from typing import Callable, Optional

from ..backends.base import ExecResult
from ..errors import UnsupportedCommand
from .dns import resolv_conf
from .process import ExecContext

__all__ = ["TOOLS", "virtual_file", "grep_lines", "head_lines", "is_busybox"]

_ROOT_DIRS = ("bin", "dev", "etc", "home", "lib", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv",
              "sys", "tmp", "usr", "var")


def is_busybox(ctx: ExecContext) -> bool:
    """Are the image's small programs busybox applets (alpine, busybox) rather than GNU ones?"""
    return ctx.tools.libc == "musl" or "ash" in ctx.tools.commands


def virtual_file(path: str, ctx: ExecContext) -> Optional[str]:
    """The text of a file the kubelet or the image puts in every container, or one the exec
    wrote; None when the embedded cluster does not know it."""
    if path in ctx.session.files:
        return ctx.session.files[path]
    files = {
        "/etc/resolv.conf": resolv_conf(ctx.namespace),
        "/etc/hostname": ctx.hostname + "\n",
        "/etc/hosts": ctx.hosts,
    }
    files.update(ctx.tools.files)
    return files.get(path)


def _missing(prog: str, path: str, ctx: ExecContext) -> str:
    if is_busybox(ctx):
        return (f"{prog}: can't open '{path}': No such file or directory\n" if prog == "cat"
                else f"{prog}: {path}: No such file or directory\n")
    if prog == "head" or prog == "tail":
        return f"{prog}: cannot open '{path}' for reading: No such file or directory\n"
    return f"{prog}: {path}: No such file or directory\n"


def _inputs(prog: str, files: list[str], ctx: ExecContext) -> tuple[str, str, int]:
    """The concatenated text of files (``-`` or none: stdin), the errors, the status."""
    if not files:
        return ctx.stdin, "", 0
    text, err, code = "", "", 0
    for f in files:
        if f == "-":
            text += ctx.stdin
            continue
        content = virtual_file(f, ctx)
        if content is None:
            err += _missing(prog, f, ctx)
            code = 1 if prog != "grep" else 2
        else:
            text += content
    return text, err, code


def _cat(argv: list[str], ctx: ExecContext) -> ExecResult:
    files = [a for a in argv[1:] if a == "-" or not a.startswith("-")]
    text, err, code = _inputs("cat", files, ctx)
    return ExecResult(text, err, code)


def head_lines(text: str, n: int) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(lines[:n] if n >= 0 else lines[:n])


def _count_opt(argv: list[str], default: int) -> tuple[int, Optional[int], list[str]]:
    """(-n lines, -c bytes or None, files) of head/tail: ``-n 5``, ``-n5``, ``-5``, ``-c 3``."""
    n, c, files = default, None, []
    args = iter(argv[1:])
    for a in args:
        if a in ("-n", "-c"):
            value = next(args, "")
        elif re.fullmatch(r"-[nc][+-]?\d+", a):
            a, value = a[:2], a[2:]
        elif re.fullmatch(r"-\d+", a):
            a, value = "-n", a[1:]
        elif a.startswith("-") and a != "-":
            raise UnsupportedCommand(f"{argv[0]} option {a} is not modelled (only -n N, -c N, -N)")
        else:
            files.append(a)
            continue
        try:
            num = int(value.lstrip("+"))
        except ValueError:
            raise _Usage(f"{argv[0]}: invalid number '{value}'\n") from None
        if a == "-n":
            n = num
        else:
            c = num
    return n, c, files


class _Usage(Exception):
    pass


def _head(argv: list[str], ctx: ExecContext) -> ExecResult:
    try:
        n, c, files = _count_opt(argv, 10)
    except _Usage as e:
        return ExecResult("", str(e), 1)
    text, err, code = _inputs("head", files, ctx)
    return ExecResult(text[:c] if c is not None else head_lines(text, n), err, code)


def _tail(argv: list[str], ctx: ExecContext) -> ExecResult:
    try:
        n, c, files = _count_opt(argv, 10)
    except _Usage as e:
        return ExecResult("", str(e), 1)
    text, err, code = _inputs("tail", files, ctx)
    if c is not None:
        return ExecResult(text[-c:] if c else "", err, code)
    lines = text.splitlines(keepends=True)
    return ExecResult("".join(lines[-n:]) if n else "", err, code)


def grep_lines(text: str, pattern: str, invert: bool, ignore_case: bool, fixed: bool = False,
               word: bool = False) -> list[str]:
    """The lines of text that match (or, inverted, do not match) a pattern."""
    pat = re.escape(pattern) if fixed else _ere(pattern)
    if word:
        pat = rf"(?<!\w)(?:{pat})(?!\w)"
    rx = re.compile(pat, re.I if ignore_case else 0)
    return [line for line in text.splitlines() if bool(rx.search(line)) != invert]


def _ere(pattern: str) -> str:
    """A POSIX regular expression as Python reads it (character classes; ``\\|`` of BRE)."""
    classes = {"[:digit:]": r"\d", "[:alpha:]": "a-zA-Z", "[:alnum:]": "a-zA-Z0-9", "[:space:]": r"\s",
               "[:upper:]": "A-Z", "[:lower:]": "a-z"}
    for k, v in classes.items():
        pattern = pattern.replace(k, v)
    return pattern.replace(r"\|", "|")


def _grep(argv: list[str], ctx: ExecContext) -> ExecResult:
    flags: set[str] = set()
    patterns: list[str] = []
    rest: list[str] = []
    args = iter(argv[1:])
    for a in args:
        if a == "-e":
            patterns.append(next(args, ""))
        elif a.startswith("--"):
            flags.add({"--quiet": "q", "--silent": "q", "--invert-match": "v", "--count": "c",
                       "--ignore-case": "i", "--extended-regexp": "E", "--fixed-strings": "F",
                       "--only-matching": "o", "--line-number": "n", "--word-regexp": "w"}.get(a, a))
        elif a.startswith("-") and len(a) > 1 and not rest:
            for ch in a[1:]:
                if ch not in "qvciEFonws":
                    raise UnsupportedCommand(f"grep option -{ch} is not modelled")
                flags.add(ch)
        else:
            rest.append(a)
    if not patterns:
        if not rest:
            if is_busybox(ctx):
                raise UnsupportedCommand("grep needs a pattern (busybox prints its usage text)")
            return ExecResult("", "Usage: grep [OPTION]... PATTERNS [FILE]...\n"
                              "Try 'grep --help' for more information.\n", 2)
        patterns, rest = [rest[0]], rest[1:]
    text, err, code = _inputs("grep", rest, ctx)
    if "s" in flags:
        err = ""
    pattern = "|".join(f"(?:{p if 'F' not in flags else re.escape(p)})" for p in patterns)
    lines = grep_lines(text, pattern, "v" in flags, "i" in flags, False, "w" in flags)
    found = 0 if lines else 1
    if "q" in flags:
        return ExecResult("", err, 0 if lines else (code or 1))
    if "c" in flags:
        out = f"{len(lines)}\n"
    elif "o" in flags and "v" not in flags:
        rx = re.compile(pattern, re.I if "i" in flags else 0)
        out = "".join(m.group(0) + "\n" for line in lines for m in rx.finditer(line))
    elif "n" in flags:
        numbered = [i + 1 for i, line in enumerate(text.splitlines()) if line in lines]
        out = "".join(f"{i}:{line}\n" for i, line in zip(numbered, lines))
    else:
        out = "".join(line + "\n" for line in lines)
    return ExecResult(out, err, code or found)


def _wc(argv: list[str], ctx: ExecContext) -> ExecResult:
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and len(a) > 1) or "lwc"
    files = [a for a in argv[1:] if not a.startswith("-") or a == "-"]
    text, err, code = _inputs("wc", files, ctx)
    counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode()), "m": len(text)}
    cols = [counts[f] for f in "lwcm" if f in flags]
    name = f" {files[0]}" if len(files) == 1 else ""
    if len(cols) == 1 and len(files) <= 1:
        line = str(cols[0])  # busybox wc.c: exactly one option and at most one file: "%lu"
    else:
        width = 9 if is_busybox(ctx) else 7  # busybox: "%9lu" then " %9lu"
        line = " ".join(f"{n:>{width}}" for n in cols)
    return ExecResult(line + name + "\n" if not err or text else "", err, code)


def _sort(argv: list[str], ctx: ExecContext) -> ExecResult:
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and len(a) > 1)
    files = [a for a in argv[1:] if not a.startswith("-")]
    text, err, code = _inputs("sort", files, ctx)
    lines = text.splitlines()
    if "n" in flags:
        lines = sorted(lines, key=_leading_number, reverse="r" in flags)
    else:
        lines = sorted(lines, reverse="r" in flags)
    if "u" in flags:
        lines = list(dict.fromkeys(lines))
    return ExecResult("".join(line + "\n" for line in lines), err, code)


def _leading_number(line: str) -> float:
    m = re.match(r"\s*(-?\d+(?:\.\d*)?)", line)
    return float(m.group(1)) if m else 0.0


def _uniq(argv: list[str], ctx: ExecContext) -> ExecResult:
    count = "-c" in argv[1:]
    out, prev, n = "", None, 0
    for line in ctx.stdin.splitlines() + [None]:  # type: ignore[list-item]
        if line == prev:
            n += 1
            continue
        if prev is not None:
            out += (f"{n:>7} {prev}\n" if count else prev + "\n")
        prev, n = line, 1
    return ExecResult(out, "", 0)


def _ls(argv: list[str], ctx: ExecContext) -> ExecResult:
    paths = [a for a in argv[1:] if not a.startswith("-")] or ["."]
    out, err, code = "", "", 0
    for p in paths:
        if p in ("/", "."):
            out += "\n".join(_ROOT_DIRS) + "\n"
        elif virtual_file(p, ctx) is not None:
            out += p + "\n"
        else:
            busybox = is_busybox(ctx)
            err += (f"ls: {p}: No such file or directory\n" if busybox
                    else f"ls: cannot access '{p}': No such file or directory\n")
            code = 1 if busybox else 2
    return ExecResult(out, err, code)


def _env(argv: list[str], ctx: ExecContext) -> ExecResult:
    if len(argv) > 1 and argv[0].endswith("printenv"):
        vals = [ctx.env[k] for k in argv[1:] if k in ctx.env]
        return ExecResult("".join(v + "\n" for v in vals), "", 0 if len(vals) == len(argv) - 1 else 1)
    return ExecResult("".join(f"{k}={v}\n" for k, v in ctx.env.items()), "", 0)


TOOLS: dict[str, Callable[[list[str], ExecContext], ExecResult]] = {
    "cat": _cat, "head": _head, "tail": _tail, "grep": _grep, "wc": _wc, "sort": _sort, "uniq": _uniq,
    "ls": _ls, "env": _env, "printenv": _env,
    "hostname": lambda a, c: ExecResult(c.hostname + "\n", "", 0),
}
