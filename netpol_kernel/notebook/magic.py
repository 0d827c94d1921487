"""``%kubectl`` and ``%%kubectl``: the lab's shell commands, typed as is in a notebook.

Load with ``%load_ext netpol_kernel`` (or call :func:`register`).  Then::

    %kubectl apply -f simple-app.yaml
    FRONTEND = %kubectl get pods -l app=frontend -o jsonpath='{.items[0].metadata.name}'
    %kubectl exec -ti ${FRONTEND} -- curl -I --connect-timeout 5 backend:8080

    %%kubectl
    get deployment,svc
    get netpol

    %%kubectl apply -f -
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    ...

    %%kubectl
    kubectl apply -f - <<EOF
    apiVersion: networking.k8s.io/v1
    ...
    EOF
    kubectl get netpol

    %%kubectl run test --rm -i --image=alpine -- sh
    wget -qO- --timeout=2 http://web

The cell line, when there is one, gets the body as its standard input (``apply
-f -``, or the shell of ``run -i``/``exec -i``, as typing into it would).
Otherwise the body is a script of kubectl commands, as a terminal would run
them: ``kubectl`` is optional, ``\\`` continues a line, ``&&``, ``||`` and ``;``
chain commands, ``|`` pipes one kubectl command's output into the next (``create
... --dry-run=client -o yaml | kubectl apply -f -``), ``> FILE`` saves it, and a
here-document
(``<<EOF`` ... ``EOF``, also ``cat <<EOF | kubectl apply -f -``) is the
standard input of its command.

The output is printed exactly as a terminal shows it (stdout and stderr in
order); a failing command prints kubectl's error and never a traceback.

Variables: the magic does its own shell-like expansion instead of IPython's,
because IPython's would turn ``${FRONTEND}`` into ``$frontend-...`` and could
touch kubectl's own braces.  Outside single quotes ``$NAME`` and ``${NAME}``
become the value of NAME in the notebook, and ``{expr}`` the value of a Python
expression, when it is one; anything else (``{.items[0].metadata.name}``, an
unknown name) is left as typed, and so are the braces of a ``jsonpath=...``
word.  Inside single quotes nothing is expanded, as in a shell.

The line magic's value (for ``X = %kubectl ...``) is what the command printed
on stdout, stripped, like the shell's ``$(kubectl ...)``.  It is a ``str``;
in the cell that ran the command it does not echo itself as ``Out[n]`` since
the output is already on screen.
"""
from __future__ import annotations

import ast
import re
import sys
from typing import Any, Callable, Mapping, Optional

from ..errors import NetpolError
from ..kubectl.command import KubectlResult, kubectl

__all__ = ["KubectlMagics", "KubectlValue", "expand", "load_ipython_extension", "register",
           "run_cell", "split_list"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def expand(line: str, namespace: Mapping[str, Any]) -> str:
    """Expand ``$NAME``, ``${NAME}`` and ``{expr}`` outside single quotes.

    >>> ns = {"FRONTEND": "frontend-abc", "port": 8080}
    >>> expand("exec -ti ${FRONTEND} -- curl backend:{port}", ns)
    'exec -ti frontend-abc -- curl backend:8080'
    >>> expand("get pods -o jsonpath='{.items[0].metadata.name}' $UNKNOWN", ns)
    "get pods -o jsonpath='{.items[0].metadata.name}' $UNKNOWN"
    """
    out: list[str] = []
    i, quote, word_start = 0, "", 0
    while i < len(line):
        ch = line[i]
        if quote == "'":
            out.append(ch)
            quote = "" if ch == "'" else quote
            i += 1
            continue
        if ch in " \t" and not quote:
            word_start = len(out) + 1  # the shell's word boundary
        if ch == "\\" and i + 1 < len(line):
            out.append(line[i:i + 2])  # an escaped character stays for shlex to read
            i += 2
            continue
        if ch in "'\"":
            quote = "" if quote == ch else (ch if not quote else quote)
            out.append(ch)
            i += 1
            continue
        if ch == "$":
            text, i = _dollar(line, i, namespace)
            out.append(text)
            continue
        if ch == "{" and "jsonpath" not in "".join(out[word_start:]):
            # A jsonpath template's braces are kubectl's, even unquoted ({end}!).
            text, i = _braces(line, i, namespace)
            out.append(text)
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _dollar(line: str, i: int, namespace: Mapping[str, Any]) -> tuple[str, int]:
    """``$NAME`` or ``${NAME}`` at ``line[i]``: (replacement, next index)."""
    if line.startswith("${", i):
        end = line.find("}", i)
        if end < 0:
            return "$", i + 1
        name = line[i + 2:end]
        if _NAME.fullmatch(name) and name in namespace:
            return str(namespace[name]), end + 1
        return line[i:end + 1], end + 1  # unknown or not a name: left exactly as typed
    m = _NAME.match(line, i + 1)
    if m and m.group(0) in namespace:
        return str(namespace[m.group(0)]), m.end()
    return "$", i + 1


def _braces(line: str, i: int, namespace: Mapping[str, Any]) -> tuple[str, int]:
    """``{expr}`` at ``line[i]`` when expr is a Python expression that evaluates."""
    end = line.find("}", i)
    if end < 0:
        return "{", i + 1
    source = line[i + 1:end].strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return "{", i + 1
    # Only plain names, attributes, subscripts and literals: enough for the lab,
    # and a jsonpath like {end} or {"\n"} never runs as code by accident.
    if not source or not all(isinstance(n, _SAFE_NODES) for n in ast.walk(tree)) or \
            isinstance(tree.body, ast.Constant):
        return "{", i + 1
    try:
        value = eval(compile(tree, "<kubectl>", "eval"), {}, dict(namespace))  # noqa: S307
    except Exception:
        return "{", i + 1
    return str(value), end + 1


_SAFE_NODES = (ast.Expression, ast.Name, ast.Load, ast.Attribute, ast.Subscript, ast.Constant,
               ast.Slice)


class KubectlValue(str):
    """The value of ``X = %kubectl ...``: stdout stripped, with the full result attached.

    IPython would echo a line magic's value as ``Out[n]`` right after the
    printed output; that echo is skipped in the cell that ran the command.
    """

    result: KubectlResult
    _cell: Optional[int]

    def __new__(cls, result: KubectlResult, cell: Optional[int] = None) -> "KubectlValue":
        self = super().__new__(cls, result.value)
        self.result = result
        self._cell = cell
        return self

    @property
    def _ipython_display_(self) -> Optional[Callable[[], None]]:
        # A callable means "displayed already" to IPython; None means "format me as usual".
        if self._cell is not None and self._cell == _execution_count():
            return _nothing
        return None


def _nothing() -> None:
    return None


def _execution_count() -> Optional[int]:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    ip = get_ipython()
    return getattr(ip, "execution_count", None) if ip is not None else None


def _show(result: KubectlResult) -> None:
    # One stream, in order, as a terminal shows it (stderr would be colored apart).
    # `-o jsonpath=...` ends without a newline; in a terminal the next prompt starts a new
    # line, in a notebook the next command's output would run on: end the line here.
    text = result.text
    sys.stdout.write(text if not text or text.endswith("\n") else text + "\n")
    sys.stdout.flush()


# ``<<EOF``, ``<<'EOF'``, ``<<"EOF"``, ``<<-EOF``: a here-document's operator and delimiter.
_HEREDOC = re.compile(r"<<(-?)\s*(?:'([^']+)'|\"([^\"]+)\"|([A-Za-z_][A-Za-z0-9_]*))")
# ``cat <<EOF | kubectl apply -f -``: the other way tutorials print it.
_CAT_PIPE = re.compile(r"^cat\s+(<<\S+)\s*\|\s*(.*)$")


def _commands(cell: str) -> list[tuple[str, Optional[str]]]:
    """The commands of a ``%%kubectl`` body, each with its here-document (or None), as a shell
    reads a script: one per line, ``\\`` continues, ``#`` comments, a pasted ``$ `` prompt
    is dropped, and ``kubectl apply -f - <<EOF`` (or ``cat <<EOF | kubectl apply -f -``)
    takes the lines up to ``EOF`` as its standard input.

    >>> _commands("kubectl apply -f - <<EOF\\nkind: Namespace\\nEOF\\nget ns")
    [('kubectl apply -f -', 'kind: Namespace\\n'), ('get ns', None)]
    """
    commands: list[tuple[str, Optional[str]]] = []
    pending = ""
    lines = cell.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if not line or line.startswith("#"):
            continue
        line = line[2:] if line.startswith("$ ") else line
        piped = _CAT_PIPE.match(line)
        if piped:
            line = f"{piped.group(2)} {piped.group(1)}"
        here = _HEREDOC.search(line)
        if here is None:
            commands.append((line, None))
            continue
        strip_tabs, word = here.group(1) == "-", here.group(2) or here.group(3) or here.group(4)
        body: list[str] = []
        while i < len(lines):
            text = lines[i].lstrip("\t") if strip_tabs else lines[i]
            i += 1
            if text.rstrip() == word:
                break
            body.append(text)
        command = (line[:here.start()] + line[here.end():]).strip()
        commands.append((command, "".join(f"{b}\n" for b in body)))
    if pending.strip():
        commands.append((pending.strip(), None))
    return commands


def run_cell(line: str, cell: str, namespace: Mapping[str, Any],
             runner: Callable[..., KubectlResult] = kubectl) -> list[KubectlResult]:
    """What ``%%kubectl`` does: a command line with the body as stdin, or a body of commands.

    Each result is printed as it comes; a failure does not stop the next command
    (like a shell script without ``set -e``).
    """
    results = []
    if line.strip():
        results.append(runner(expand(line, namespace), stdin=cell))
        _show(results[-1])
        return results
    for line_command, here in _commands(cell):
        previous_ok = True
        for operator, command in split_list(line_command):
            if (operator == "&&" and not previous_ok) or (operator == "||" and previous_ok):
                continue
            # The here-document is the command's stdin as typed: no expansion inside it
            # (a quoted delimiter would not expand either, and YAML's braces are not Python).
            results.append(_pipeline(command, here, namespace, runner))
            previous_ok = results[-1].ok
    return results


def _pipeline(command: str, stdin: Optional[str], namespace: Mapping[str, Any],
              runner: Callable[..., KubectlResult]) -> KubectlResult:
    """``A | B [> FILE]``: each kubectl command's stdout is the next one's stdin (``create ...
    --dry-run=client -o yaml | kubectl apply -f -``); the last one's stdout goes to the
    screen or, with ``>``/``>>``, to FILE.  A pipeline's status is its last command's."""
    stages = _split_outside_quotes(command, "|")
    result: Optional[KubectlResult] = None
    for i, stage in enumerate(stages):
        text, target, append, drop_err = _redirect(stage)
        text = expand(text, namespace)
        result = runner(text, stdin=stdin) if stdin is not None else runner(text)
        last = i == len(stages) - 1
        if last and target is None and not drop_err:
            _show(result)
        else:
            if target is not None:
                with open(target, "a" if append else "w", encoding="utf-8") as fh:
                    fh.write(result.stdout)
            elif last:
                sys.stdout.write(result.stdout)
            if not drop_err:
                sys.stdout.write(result.stderr)  # a terminal still shows what went to stderr
            sys.stdout.flush()
        stdin = "" if target is not None else result.stdout
    assert result is not None
    return result


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is a lone operator (not ``||``), outside quotes."""
    parts, quote, start, i = [], "", 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif text.startswith(sep * 2, i):
            i += 2
            continue
        elif ch == sep:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    return parts + [text[start:]]


_REDIRECT = re.compile(r"(?<!\S)([12]?)(>>|>)(&?)\s*(\S+)")


def _redirect(command: str) -> tuple[str, Optional[str], bool, bool]:
    """Redirections outside quotes: (command without them, stdout FILE, append, drop stderr).

    ``> FILE`` / ``>> FILE`` send stdout to FILE; ``2>/dev/null`` drops stderr; ``2>&1``
    changes nothing here (both streams reach the screen anyway).

    >>> _redirect("get deploy web -o yaml > web.yaml")
    ('get deploy web -o yaml', 'web.yaml', False, False)
    >>> _redirect("get pods -o jsonpath='{.x>1}' 2>/dev/null")
    ("get pods -o jsonpath='{.x>1}'", None, False, True)
    """
    masked, quote = [], ""
    for ch in command:  # quoted text cannot hold a redirection: mask it
        if quote:
            masked.append("x")
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
            masked.append("x")
        else:
            masked.append(ch)
    target, append, drop_err, keep = None, False, False, command
    for m in reversed(list(_REDIRECT.finditer("".join(masked)))):
        fd, op, amp, word = m.groups()
        word = command[m.start(4):m.end(4)]
        if fd == "2":
            drop_err = drop_err or (not amp and word == "/dev/null")
        elif not amp:
            if target is None:
                target, append = word, op == ">>"
        keep = keep[:m.start()] + keep[m.end():]
    return keep.strip(), target, append, drop_err


def split_list(line: str) -> list[tuple[str, str]]:
    """A shell list of commands: ``[(operator before it, command)]`` on ``&&``, ``||`` and ``;``
    outside quotes, so ``kubectl create ... && kubectl expose ...`` runs as in a terminal.

    >>> split_list("create deployment web --image=nginx && expose deploy web --port=80; get svc")
    [('', 'create deployment web --image=nginx'), ('&&', 'expose deploy web --port=80'), (';', 'get svc')]
    >>> split_list("exec web -- sh -c 'wget -qO- x && echo ok'")
    [('', "exec web -- sh -c 'wget -qO- x && echo ok'")]
    """
    parts: list[tuple[str, str]] = []
    quote, start, operator, i = "", 0, "", 0
    while i < len(line):
        ch = line[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "\\":
            i += 1
        elif line.startswith(("&&", "||"), i) or ch == ";":
            width = 1 if ch == ";" else 2
            parts.append((operator, line[start:i].strip()))
            operator, start = line[i:i + width], i + width
            i += width
            continue
        i += 1
    parts.append((operator, line[start:].strip()))
    return [(op, cmd) for op, cmd in parts if cmd]


try:
    from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
except ImportError:  # pragma: no cover - IPython is the notebook extra
    Magics = object  # type: ignore[misc, assignment]
    KubectlMagics = None  # type: ignore[misc, assignment]
else:
    @magics_class
    class KubectlMagics(Magics):  # type: ignore[no-redef]
        """The ``kubectl`` line and cell magic."""

        @no_var_expand
        @line_cell_magic
        def kubectl(self, line: str, cell: Optional[str] = None) -> Optional[KubectlValue]:
            namespace = self.shell.user_ns if self.shell is not None else {}
            if cell is not None:
                run_cell(line, cell, namespace)
                return None
            result = kubectl(expand(line, namespace))
            _show(result)
            return KubectlValue(result, getattr(self.shell, "execution_count", None))


def show_netpol_error(shell: Any, etype: type, value: BaseException, tb: Any,
                      tb_offset: Optional[int] = None) -> list[str]:
    """IPython handler for this package's errors: their message, not a Python traceback.

    A learner who names a pod that does not exist should read kubectl's words
    (``Error from server (NotFound): pods "x" not found``), not forty lines of stack.

    >>> from netpol_kernel.errors import NotFoundError
    >>> show_netpol_error(None, NotFoundError, NotFoundError("pods", "x"), None)
    ['NotFoundError: Error from server (NotFound): pods "x" not found']
    """
    stb = [f"{etype.__name__}: {value}"]
    show = getattr(shell, "_showtraceback", None)
    if show is not None:  # IPython leaves displaying to custom handlers (as in its docs' example)
        show(etype, value, stb)
    return stb


def load_ipython_extension(ip: Any) -> None:
    """``%load_ext netpol_kernel``: register ``%kubectl`` / ``%%kubectl``, and show this
    package's errors as one clear line instead of a traceback."""
    if KubectlMagics is None:  # pragma: no cover
        raise ImportError("the %kubectl magic needs IPython (pip install 'netpol-kernel[notebook]')")
    ip.register_magics(KubectlMagics)
    ip.set_custom_exc((NetpolError,), show_netpol_error)


def register() -> bool:
    """Register the magics with the running IPython; False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    ip = get_ipython()
    if ip is None:
        return False
    load_ipython_extension(ip)
    return True
