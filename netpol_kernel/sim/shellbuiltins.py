"""The shell builtins a POSIX shell runs itself: echo, printf, true, false, :, exit, export,
unset, cd, pwd, test/[, read, set (options accepted and ignored), exec.

``echo`` takes ``-n`` and ``-e`` (dash interprets backslash escapes without ``-e``, as
its src/bltin/printf.c echo does); ``printf`` handles ``%s``, ``%d``, ``%x``, ``%o``,
``%c``, ``%%`` and reuses its format while arguments remain (POSIX printf).

>>> from netpol_kernel.sim.shell import Shell, Output
>>> sh = Shell("sh", "ash", {"HOSTNAME": "web-1"}, lambda argv, env, stdin: Output("", "", 127), BUILTINS)
>>> r = sh.run("echo $HOSTNAME | head -c 3 ; X=a; echo \\"$X\\"'$X' $(echo  b   c); printf '%s-%d\\\\n' a 1 b 2")
>>> r.out, r.err, r.code
('a$X b c\\na-1\\nb-2\\n', 'sh: head: not found\\n', 0)
"""
from __future__ import annotations

from typing import Callable

from ..errors import UnsupportedCommand
from .shell import Input, Output, Shell, ShellExit

__all__ = ["BUILTINS"]

def _echo(sh: Shell, argv: list[str], inp: Input) -> Output:
    args, newline, escapes = argv[1:], "\n", sh.dialect == "dash"
    while args and args[0] in ("-n", "-e", "-E", "-ne", "-en"):
        flag = args.pop(0)
        newline = "" if "n" in flag else newline
        escapes = "e" in flag or (escapes and flag != "-E")
    text = " ".join(args)
    if escapes:
        text, _, cut = text.partition("\\c")
        newline = "" if cut or "\\c" in " ".join(args) else newline
        text = _unescape(text)
    return Output(text + newline, "", 0)


def _unescape(text: str) -> str:
    table = {"n": "\n", "t": "\t", "\\": "\\", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
             "0": "\0"}
    out, i = "", 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in table:
            out += table[text[i + 1]]
            i += 2
        else:
            out += text[i]
            i += 1
    return out


def _printf(sh: Shell, argv: list[str], inp: Input) -> Output:
    if len(argv) < 2:
        raise UnsupportedCommand("printf needs a format (its usage text is not modelled)")
    fmt, args = _unescape(argv[1]), argv[2:]
    out = ""
    while True:
        i, used = 0, 0
        piece = ""
        while i < len(fmt):
            ch = fmt[i]
            if ch == "%" and i + 1 < len(fmt):
                j = i + 1
                while j < len(fmt) and fmt[j] in "-+ 0#123456789.":
                    j += 1
                conv = fmt[j] if j < len(fmt) else ""
                spec = fmt[i:j]
                if conv == "%":
                    piece += "%"
                elif conv in "sdiuxXoc":
                    arg = args[used] if used < len(args) else ""
                    used += 1
                    if conv == "s" or conv == "c":
                        piece += (spec + "s") % (arg[:1] if conv == "c" else arg)
                    else:
                        piece += (spec + conv.replace("u", "d").replace("i", "d")) % int(arg or 0)
                i = j + 1
                continue
            piece += ch
            i += 1
        out += piece
        args = args[used:]
        if not args or not used:
            break
    return Output(out, "", 0)


def _exit(sh: Shell, argv: list[str], inp: Input) -> Output:
    code = int(argv[1]) if len(argv) > 1 and argv[1].lstrip("-").isdigit() else sh.status
    raise ShellExit(Output("", "", code & 0xFF))


def _export(sh: Shell, argv: list[str], inp: Input) -> Output:
    for a in argv[1:]:
        if a.startswith("-"):
            continue
        name, eq, value = a.partition("=")
        if eq:
            sh.vars[name] = value
        sh.exported.add(name)
    return Output()


def _unset(sh: Shell, argv: list[str], inp: Input) -> Output:
    for a in argv[1:]:
        sh.vars.pop(a, None)
        sh.exported.discard(a)
    return Output()


def _cd(sh: Shell, argv: list[str], inp: Input) -> Output:
    sh.vars["PWD"] = argv[1] if len(argv) > 1 else sh.vars.get("HOME", "/")
    return Output()


def _test(sh: Shell, argv: list[str], inp: Input) -> Output:
    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            return Output("", f"{sh.prefix(1)}[: missing ]\n" if sh.dialect != "ash" else "sh: missing ]\n", 2)
        args = args[:-1]
    negate = False
    if args and args[0] == "!":
        negate, args = True, args[1:]
    ok = _test_eval(sh, args)
    return Output("", "", 0 if ok != negate else 1)


def _test_eval(sh: Shell, args: list[str]) -> bool:
    if not args:
        return False
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2:
        op, x = args
        if op == "-z":
            return x == ""
        if op == "-n":
            return x != ""
        if op in ("-e", "-f", "-r", "-s"):
            return x in sh.files or sh.read_file(x) is not None
        return False
    a, op, b = args[0], args[1], args[2]
    if op in ("=", "=="):
        return a == b
    if op == "!=":
        return a != b
    nums = {"-eq": int.__eq__, "-ne": int.__ne__, "-lt": int.__lt__, "-le": int.__le__,
            "-gt": int.__gt__, "-ge": int.__ge__}
    if op in nums:
        try:
            return nums[op](int(a), int(b))
        except ValueError:
            return False
    return False


def _read(sh: Shell, argv: list[str], inp: Input) -> Output:
    names = [a for a in argv[1:] if not a.startswith("-")] or ["REPLY"]
    line = inp.line()
    if line is None:
        return Output("", "", 1)
    words = line.split(None, len(names) - 1)
    for i, name in enumerate(names):
        sh.vars[name] = words[i] if i < len(words) else ""
    return Output()


def _exec(sh: Shell, argv: list[str], inp: Input) -> Output:
    if len(argv) == 1:
        return Output()
    env = {k: v for k, v in sh.vars.items() if k in sh.exported}
    r = sh.runner(argv[1:], env, inp.rest())
    raise ShellExit(r)


BUILTINS: dict[str, Callable[[Shell, list[str], Input], Output]] = {
    "echo": _echo,
    "printf": _printf,
    "true": lambda sh, a, i: Output(),
    ":": lambda sh, a, i: Output(),
    "false": lambda sh, a, i: Output("", "", 1),
    "exit": _exit,
    "export": _export,
    "unset": _unset,
    "cd": _cd,
    "pwd": lambda sh, a, i: Output(sh.vars.get("PWD", "/") + "\n"),
    "test": _test,
    "[": _test,
    "read": _read,
    "set": lambda sh, a, i: Output(),
    "exec": _exec,
}
