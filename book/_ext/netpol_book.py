"""Sphinx glue for the book: fixes what the themes get wrong, nothing else.

sphinx-thebe registers its inline configuration script (``const THEBE_JS_URL = ...``)
when Sphinx starts reading, after the HTML builder has collected its scripts; Sphinx
then adds registry scripts again for each page (with filename ``""`` where the first
copy has ``None``), so every page declared the constant twice and the browser logged
``SyntaxError: Identifier 'THEBE_JS_URL' has already been declared``.  Keep the first
of any identical script (same file, same attributes and inline body).
"""
from __future__ import annotations


def _unique_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        # Sphinx re-adds registry scripts with filename "" where the first copy has None.
        if hasattr(js, "filename"):
            key = (js.filename or "", tuple(sorted(js.attributes.items())))
        else:  # a plain string (an older Sphinx, or a theme's own entry)
            key = (str(js), ())
        if key in seen:
            continue
        seen.add(key)
        unique.append(js)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _unique_scripts, priority=1000)  # after every other handler
    return {"parallel_read_safe": True, "parallel_write_safe": True}
