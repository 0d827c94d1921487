"""The shell inside a pod: ``sh -c SCRIPT``, or ``sh`` reading its script from stdin.

`bashlex <https://pypi.org/project/bashlex/>`_ (a port of bash's own parser) turns the
script into a tree; this module runs the tree the way a POSIX shell does:

* lists (``;``, newlines, ``&&``, ``||``; ``&`` runs in the foreground: nothing here
  runs concurrently), pipes (each command's stdout is the next one's stdin; the
  pipe's status is the last command's, ``!`` negates it), ``( ... )`` and ``{ ...; }``;
* ``if``/``elif``/``else``, ``for NAME in WORDS``, ``while``/``until`` (a loop that
  has run 100 times stops with a one-line error: the simulator does not run
  forever-loops such as ``while true; do wget ...; sleep 1; done``);
* words: single and double quotes, backslashes, ``$VAR``, ``${VAR}``, ``${VAR:-word}``
  (and ``-``, ``:+``, ``+``, ``:=``, ``#``), ``$?``, ``$$``, ``$(...)`` and backquotes;
  unquoted expansions are split into fields on blanks, as POSIX says;
* ``NAME=value`` (a shell variable) and ``NAME=value cmd`` (cmd's environment only);
* redirections: ``> FILE``, ``>> FILE``, ``< FILE``, ``2>&1``, ``>&2``, ``&>``; files
  live in the exec's :class:`~.process.Session` (``/dev/null`` discards);
* builtins, passed in by the caller (:mod:`.shellbuiltins` has the POSIX ones).

Everything else is a program of the image, run by the caller's ``runner`` (so the
image decides what exists: a missing program prints the shell's own ``not found``).

The wordings of the three shells the images carry, for a missing program:
busybox ash ``sh: NAME: not found`` (shell/ash.c, ``ash_msg_and_raise_error(
"%s: not found")`` prefixed with the shell's name), dash ``sh: 1: NAME: not found``
(dash's src/exec.c ``"%s: not found"`` with the line number prefix of src/error.c),
bash ``bash: line 1: NAME: command not found`` (bash's execute_cmd.c).

>>> from netpol_kernel.sim.shell import Shell, Output
>>> def program(argv, env, stdin):  # an image whose only program is echo
...     return Output(" ".join(argv[1:]) + "\\n") if argv[0] == "echo" else Output("", "", 127)
>>> r = Shell("sh", "ash", {"HOSTNAME": "web-1"}, program).run("nosuch || echo $HOSTNAME $(echo  b   c)")
>>> r.out, r.err, r.code
('web-1 b c\\n', 'sh: nosuch: not found\\n', 0)
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Mapping, Optional

import bashlex
import bashlex.errors

from ..errors import UnsupportedCommand

__all__ = ["Shell", "Output", "Input", "ShellExit", "Runner", "Builtin", "MAX_LOOPS"]

#: Iterations after which a loop stops with an error (the simulator answers at once).
MAX_LOOPS = 100


@dataclass(frozen=True)
class Output:
    """What a command wrote, and its exit status."""

    out: str = ""
    err: str = ""
    code: int = 0
    signal: int = 0  # the signal that killed the program, if one did

    def then(self, other: "Output") -> "Output":
        return Output(self.out + other.out, self.err + other.err, other.code)


#: Runs a program of the image: (argv, exported environment, stdin) -> Output.
Runner = Callable[[list[str], Mapping[str, str], str], Output]
#: A builtin: (the shell, argv, its stdin) -> Output (see :mod:`.shellbuiltins`).
Builtin = Callable[["Shell", list[str], "Input"], Output]


@functools.lru_cache(maxsize=512)
def _parse(script: str) -> tuple:
    """bashlex's tree for a script; probes repeat the same scripts, and the tree is only read."""
    return tuple(bashlex.parse(script))


#: strsignal() of the signals programs are killed with here (glibc and musl agree).
_SIGNALS = {9: "Killed", 15: "Terminated"}


class ShellExit(Exception):
    """Raised by ``exit`` and ``exec``: the script ends with this result."""

    def __init__(self, result: Output):
        self.result = result


class Input:
    """A command's standard input: ``read`` takes lines, a program takes the rest."""

    def __init__(self, text: str = ""):
        self.text = text

    def line(self) -> Optional[str]:
        if not self.text:
            return None
        head, nl, self.text = self.text.partition("\n")
        return head

    def rest(self) -> str:
        text, self.text = self.text, ""
        return text


class Shell:
    """One shell process: its variables, exported names and the way it names itself."""

    def __init__(self, argv0: str, dialect: str, env: Mapping[str, str], runner: Runner,
                 builtins: Optional[Mapping[str, "Builtin"]] = None,
                 files: Optional[dict[str, str]] = None, read_file: Optional[Callable[[str], Optional[str]]] = None):
        self.argv0 = argv0.rsplit("/", 1)[-1]
        self.dialect = dialect  # "ash", "dash" or "bash": decides error wordings
        self.vars: dict[str, str] = dict(env)
        self.exported: set[str] = set(env)
        self.runner = runner
        self.builtins = dict(builtins or {})
        self.files = files if files is not None else {}
        self.read_file = read_file or (lambda path: None)
        self.status = 0
        self.src = ""

    # ------------------------------------------------------------------ entry
    def run(self, script: str, stdin: str = "") -> Output:
        """Parse and run a script; a syntax error is the shell's one-line error, status 2."""
        inp = Input(stdin)
        try:
            return self._script(script, inp)
        except ShellExit as e:
            return e.result

    def _script(self, script: str, inp: Input) -> Output:
        if not script.strip():
            return Output("", "", 0)
        try:
            nodes = _parse(script)
        except bashlex.errors.ParsingError as e:
            msg = e.message
            return Output("", f"{self.prefix(1)}syntax error: {msg}\n", 2)
        except Exception as e:  # noqa: BLE001 - bashlex fails in many ways on input it cannot parse
            msg = "unexpected end of input" if script.rstrip().endswith("\\") else f"cannot parse ({type(e).__name__})"
            return Output("", f"{self.prefix(1)}syntax error: {msg}\n", 2)
        saved, self.src = self.src, script
        result = Output()
        try:
            for node in nodes:
                try:
                    result = result.then(self._node(node, inp))
                except ShellExit as e:
                    raise ShellExit(result.then(e.result))
        finally:
            self.src = saved
        return result

    def prefix(self, line: int) -> str:
        if self.dialect == "bash":
            return f"{self.argv0}: line {line}: "
        if self.dialect == "dash":
            return f"{self.argv0}: {line}: "
        return f"{self.argv0}: "

    def _line(self, node) -> int:
        return self.src.count("\n", 0, node.pos[0]) + 1

    # ------------------------------------------------------------------ tree
    def _node(self, node, inp: Input) -> Output:
        kind = node.kind
        if kind == "list":
            return self._list(node.parts, inp)
        if kind == "pipeline":
            return self._pipeline(node, inp)
        if kind == "command":
            return self._command(node, inp)
        if kind == "compound":
            return self._list([p for p in node.list if p.kind != "reservedword"], inp)
        if kind == "if":
            return self._if(node, inp)
        if kind == "for":
            return self._for(node, inp)
        if kind in ("while", "until"):
            return self._while(node, inp, kind == "until")
        if kind == "operator":
            return Output("", "", self.status)
        raise UnsupportedCommand(f"the embedded cluster's shell does not run {kind} constructs "
                                 "(see netpol_kernel.sim.shell for what it runs)")

    def _list(self, parts, inp: Input) -> Output:
        result = Output("", "", self.status)
        op = ""
        for part in parts:
            if part.kind == "operator":
                op = part.op
                continue
            if (op == "&&" and self.status != 0) or (op == "||" and self.status == 0):
                continue
            result = result.then(self._node(part, inp))
            self.status = result.code
        return result

    def _pipeline(self, node, inp: Input) -> Output:
        negate = any(p.kind == "reservedword" and p.word == "!" for p in node.parts)
        stages = [p for p in node.parts if p.kind not in ("pipe", "reservedword")]
        data: Optional[str] = None
        err, code = "", 0
        for stage in stages:
            r = self._node(stage, inp if data is None else Input(data))
            data, err, code = r.out, err + r.err, r.code
        if negate:
            code = 0 if code else 1
        self.status = code
        return Output(data or "", err, code)

    def _if(self, node, inp: Input) -> Output:
        parts = node.parts
        result = Output()
        i = 0
        while i < len(parts):
            word = parts[i].word if parts[i].kind == "reservedword" else ""
            if word in ("if", "elif"):
                cond = self._node(parts[i + 1], inp)
                result = result.then(cond)
                if cond.code == 0:
                    return result.then(self._node(parts[i + 3], inp))
                i += 4
            elif word == "else":
                return result.then(self._node(parts[i + 1], inp))
            else:
                i += 1
        self.status = 0
        return Output(result.out, result.err, 0)

    def _for(self, node, inp: Input) -> Output:
        parts = node.parts
        name = parts[1].word
        words: list[str] = []
        body = None
        seen_in = False
        for p in parts[2:]:
            if p.kind == "reservedword" and p.word == "in":
                seen_in = True
            elif p.kind == "word" and seen_in:
                words += self._expand(p)
            elif p.kind not in ("reservedword", "word"):
                body = p
        result = Output()
        for w in words:
            self.vars[name] = w
            result = result.then(self._node(body, inp))
        return result

    def _while(self, node, inp: Input, until: bool) -> Output:
        lists = [p for p in node.parts if p.kind != "reservedword"]
        cond, body = lists[0], lists[1]
        result = Output()
        for _ in range(MAX_LOOPS):
            c = self._node(cond, inp)
            result = result.then(Output(c.out, c.err, result.code))
            if (c.code == 0) == until:
                return Output(result.out, result.err, result.code)
            result = result.then(self._node(body, inp))
        raise UnsupportedCommand(f"the embedded cluster's shell stops loops after {MAX_LOOPS} rounds "
                                 "(it answers at once and cannot run a loop that waits for ever)")

    # ------------------------------------------------------------------ simple commands
    def _command(self, node, inp: Input) -> Output:
        argv: list[str] = []
        assigns: list[tuple[str, str]] = []
        redirects = []
        self._side = Output()  # what command substitutions in the words write to stderr
        for part in node.parts:
            if part.kind == "assignment" and not argv:
                name, _, value = self._expand_text(part).partition("=")
                assigns.append((name, value))
            elif part.kind == "redirect":
                redirects.append(part)
            elif part.kind in ("word", "assignment"):
                argv += self._expand(part)
        side, self._side = self._side, Output()
        if not argv:
            for name, value in assigns:
                self.vars[name] = value
            self.status = side.code if side.code else 0
            return Output("", side.err, self.status)
        try:
            stdin, sinks = self._redirections(redirects, inp)
        except _RedirectError as e:
            self.status = 1
            return Output("", side.err + self.prefix(self._line(node)) + f"{e}\n", 1)
        env = {k: v for k, v in self.vars.items() if k in self.exported}
        env.update(assigns)
        r = self._execute(argv, env, stdin, node)
        self.status = r.code
        return self._route(Output(r.out, side.err + r.err, r.code), sinks)

    _side = Output()

    def _execute(self, argv: list[str], env: dict[str, str], stdin: Input, node) -> Output:
        name = argv[0]
        builtin = self.builtins.get(name)
        if builtin is not None:
            return builtin(self, argv, stdin)
        r = self.runner(argv, env, stdin.rest())
        if r.code == 127 and r.out == "" and r.err == "":
            what = "command not found" if self.dialect == "bash" else "not found"
            return Output("", f"{self.prefix(self._line(node))}{name}: {what}\n", 127)
        if r.signal in _SIGNALS and self.dialect != "bash":
            # ash and dash (jobs.c dowait -> sprint_status48): a foreground job killed by a
            # signal other than SIGINT/SIGPIPE gets strsignal()'s text on stderr.
            return Output(r.out, r.err + _SIGNALS[r.signal] + "\n", r.code)
        return r

    # ------------------------------------------------------------------ redirections
    def _redirections(self, redirects, inp: Input) -> tuple[Input, dict[int, object]]:
        sinks: dict[int, object] = {1: 1, 2: 2}
        stdin = inp
        for r in redirects:
            kind = r.type
            target = r.output
            if kind in (">", ">>", ">|", "&>"):
                path = self._expand_text(target)
                sink: object = None if path == "/dev/null" else (path, kind == ">>")
                if isinstance(sink, tuple) and not sink[1]:
                    self.files[path] = ""
                if kind == "&>":
                    sinks[1] = sinks[2] = sink
                else:
                    sinks[r.input if r.input is not None else 1] = sink
            elif kind == ">&":
                fd = r.input if r.input is not None else 1
                if isinstance(target, int):
                    sinks[fd] = sinks.get(target, target)
                else:  # ">&FILE" is bash's "&>FILE"
                    path = self._expand_text(target)
                    sinks[1] = sinks[2] = None if path == "/dev/null" else (path, False)
            elif kind == "<":
                path = self._expand_text(target)
                text = self.files.get(path)
                if text is None:
                    text = self.read_file(path)
                if text is None:
                    raise _RedirectError(f"can't open {path}: no such file" if self.dialect != "bash"
                                         else f"{path}: No such file or directory")
                stdin = Input(text)
            else:
                raise UnsupportedCommand(f"the embedded cluster's shell does not support the "
                                         f"redirection {kind!r}")
        return stdin, sinks

    def _route(self, r: Output, sinks: dict[int, object]) -> Output:
        out, err = "", ""
        for fd, text in ((1, r.out), (2, r.err)):
            sink = sinks.get(fd, fd)
            if sink == 1:
                out += text
            elif sink == 2:
                err += text
            elif isinstance(sink, tuple):
                self.files[sink[0]] = self.files.get(sink[0], "") + text
        return Output(out, err, r.code)

    # ------------------------------------------------------------------ words
    def _expand(self, node) -> list[str]:
        """A word's fields after expansion, field splitting and quote removal."""
        fields: list[str] = []
        cur: Optional[str] = None
        for text, split in self._segments(node):
            if not split:
                cur = (cur or "") + text
                continue
            pieces = text.split()
            if not pieces:
                continue
            if text[:1].isspace() and cur is not None:
                fields.append(cur)
                cur = None
            for i, piece in enumerate(pieces):
                if i:
                    fields.append(cur or "")
                    cur = None
                cur = (cur or "") + piece
            if text[-1:].isspace():
                fields.append(cur or "")
                cur = None
        if cur is not None:
            fields.append(cur)
        return fields

    def _expand_text(self, node) -> str:
        return "".join(text for text, _ in self._segments(node))

    def _segments(self, node) -> list[tuple[str, bool]]:
        """(text, may be split) pieces of a word; quoted text is never split.  A word that
        is only quotes (``''``) yields one empty, unsplittable piece."""
        start, end = node.pos
        raw = self.src[start:end]
        parts = {p.pos[0]: p for p in (getattr(node, "parts", None) or ())
                 if p.kind in ("parameter", "commandsubstitution")}
        segs: list[tuple[str, bool]] = []
        quote = ""
        i = 0
        while i < len(raw):
            at = start + i
            ch = raw[i]
            part = parts.get(at) if quote != "'" else None
            if part is None and ch == "$" and quote != "'" and at + 1 in parts and raw[i + 1:i + 2] == "{":
                part = parts[at + 1]
            if part is not None:
                value = self._param(part.value) if part.kind == "parameter" else self._substitute(part)
                segs.append((value, quote == ""))
                i = part.pos[1] - start
                continue
            if quote == "'":
                if ch == "'":
                    quote = ""
                    segs.append(("", False))
                else:
                    segs.append((ch, False))
            elif ch == "'" and quote == "":
                quote = "'"
            elif ch == '"':
                quote = "" if quote == '"' else '"'
                segs.append(("", False))
            elif ch == "\\" and i + 1 < len(raw):
                nxt = raw[i + 1]
                if quote == '"' and nxt not in '$`"\\\n':
                    segs.append(("\\" + nxt, False))
                elif nxt != "\n":
                    segs.append((nxt, False))
                i += 2
                continue
            else:
                segs.append((ch, False))
            i += 1
        return segs

    def _param(self, expr: str) -> str:
        if expr == "?":
            return str(self.status)
        if expr == "$":
            return "1"
        if expr in ("#", "@", "*"):
            return "0" if expr == "#" else ""
        if expr.startswith("#") and len(expr) > 1:
            return str(len(self.vars.get(expr[1:], "")))
        for op in (":-", ":=", ":+", "-", "=", "+"):
            name, found, word = expr.partition(op)
            if found and name.replace("_", "a").isalnum():
                value = self.vars.get(name)
                empty = value is None or (op.startswith(":") and value == "")
                if op.endswith("-"):
                    return word if empty else (value or "")
                if op.endswith("="):
                    if empty:
                        self.vars[name] = word
                        return word
                    return value or ""
                return "" if empty else word
        return self.vars.get(expr, "")

    def _substitute(self, node) -> str:
        start, end = node.pos
        raw = self.src[start:end]
        inner = raw[2:-1] if raw.startswith("$(") else raw[1:-1]
        child = Shell(self.argv0, self.dialect, {}, self.runner, self.builtins, self.files, self.read_file)
        child.vars, child.exported, child.status = dict(self.vars), set(self.exported), self.status
        r = child.run(inner)
        self._side = Output(self._side.out, self._side.err + r.err, r.code)
        self.status = r.code
        return r.out.rstrip("\n")


class _RedirectError(Exception):
    pass
