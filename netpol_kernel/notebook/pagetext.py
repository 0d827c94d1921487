"""Plain text laid out for a page of any width: long lines wrap, indentation survives.

A ``<pre>`` block either scrolls sideways or, wrapped, starts every continuation
at the left edge, so an explanation's tree of reasons loses its shape on a phone.
:func:`indented_html` turns each line into a block whose wrapped continuation
lines hang under the line's own text (a hanging indent, in ``ch`` units of the
monospace font), and breaks long names where it must.  Text stays the same text:
nbval compares the ``text/plain`` form, readers see this one.

>>> print(indented_html("a -> b: BLOCKED\\n  egress from a: blocked"))
<div class="netpol-text" style="font-family:var(--jp-code-font-family,SFMono-Regular,Menlo,Consolas,monospace);font-size:0.85em;line-height:1.45">
<div style="white-space:pre-wrap;overflow-wrap:anywhere;margin:0;padding-left:2ch;text-indent:-2ch">a -&gt; b: BLOCKED</div>
<div style="white-space:pre-wrap;overflow-wrap:anywhere;margin:0;padding-left:4ch;text-indent:-2ch">egress from a: blocked</div>
</div>
"""
from __future__ import annotations

import html

__all__ = ["indented_html", "HANG"]

#: How much further than its line's own indentation a wrapped continuation starts.
HANG = 2

_STYLE = ("font-family:var(--jp-code-font-family,SFMono-Regular,Menlo,Consolas,monospace);"
          "font-size:0.85em;line-height:1.45")
# Per line, not on the container: there the newlines between the lines would show as gaps.
_LINE = "white-space:pre-wrap;overflow-wrap:anywhere;margin:0"


def indented_html(text: str) -> str:
    """``text`` as HTML blocks, one per line, each with a hanging indent of :data:`HANG`."""
    rows = []
    for line in text.rstrip("\n").split("\n"):
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        rows.append(f'<div style="{_LINE};padding-left:{indent + HANG}ch;text-indent:-{HANG}ch">'
                    f"{html.escape(body) or '&nbsp;'}</div>")
    return f'<div class="netpol-text" style="{_STYLE}">\n' + "\n".join(rows) + "\n</div>"
