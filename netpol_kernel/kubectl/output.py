r"""What a kubectl command printed: stdout and stderr apart, and interleaved as a terminal shows them.

>>> out = Output(); out.out("pod/a created\n"); out.err("error: b\n")
>>> r = out.result("apply -f x.yaml", 1); (r.stdout, r.stderr, r.exit_code)
('pod/a created\n', 'error: b\n', 1)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["KubectlResult", "Output"]


@dataclass(frozen=True)
class KubectlResult:
    """What one kubectl command printed.

    ``text`` is stdout and stderr interleaved as a terminal shows them;
    ``str(result)`` is ``text``, and IPython displays it without quotes.

    >>> r = KubectlResult("get pods", "frontend-abc\\n", "", 0, "frontend-abc\\n")
    >>> r.value, r.ok
    ('frontend-abc', True)
    """

    command: str
    stdout: str
    stderr: str
    exit_code: int
    text: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def value(self) -> str:
        """The output stripped, for assignments (``FRONTEND = kubectl(...).value``).

        On success this is stdout only, like the shell's ``$(kubectl ...)``
        (a "No resources found" note on stderr is not a value).  On failure it
        is the whole text, so a bad value carries the error rather than "".
        """
        return (self.stdout if self.ok else self.text).strip()

    def __str__(self) -> str:
        return self.text

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        # The display adds its own final newline.
        p.text(self.text[:-1] if self.text.endswith("\n") else self.text)


class Output:
    """stdout and stderr, kept apart and interleaved at the same time."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []

    def out(self, text: str) -> None:
        if text:
            self.parts.append(("out", text))

    def err(self, text: str) -> None:
        if text:
            self.parts.append(("err", text))

    def result(self, command: str, exit_code: int) -> KubectlResult:
        out = "".join(t for s, t in self.parts if s == "out")
        err = "".join(t for s, t in self.parts if s == "err")
        return KubectlResult(command, out, err, exit_code, "".join(t for _, t in self.parts))
