"""Interactive panels for the notebooks: edit-and-apply a manifest, probe, watch a matrix.

The panels hold no policy logic: they call :func:`~netpol_kernel.kubectl.kubectl`,
:mod:`~netpol_kernel.notebook.probes`, :func:`~netpol_kernel.api.validation.validate`,
:func:`~netpol_kernel.policy.lint.lint` and :mod:`~netpol_kernel.notebook.plots`, and show what
those return.  Every button handler catches its exceptions and prints one clear
line in the panel's Output (a netpol_kernel error's own text, else
``error: <type>: <message>``), never a traceback, never nothing.

Display, three ways from one ``_repr_mimebundle_``:

* a live kernel (JupyterLab, Binder) renders the widget view;
* the static book (Jupyter Book 1 / myst-nb, no kernel) can render the
  ``text/html`` fallback: a note "Interactive panel: run this notebook (Binder
  or locally) to use it" plus only what the page does not already show (a
  ManifestPanel's check result, not the file and picture the chapter showed
  above it; a MatrixPanel's picture and its "why?" answer);
* nbval compares ``text/plain`` (it skips the widget-view JSON and images), so
  that is a deterministic summary, never ``VBox(children=...)``.

>>> panel = ManifestPanel('''
... apiVersion: networking.k8s.io/v1
... kind: NetworkPolicy
... metadata: {name: deny}
... spec: {podSelector: {}, ingress: [{}]}
... ''', backend=object(), pods=())
>>> panel.text().splitlines()[:2]
['ManifestPanel: <editor> (NetworkPolicy/deny)', '1 warning:']
>>> [(w.code, w.path) for w in panel.check_result.warnings]
[('allow-all-rule', 'spec.ingress[0]')]
"""
from __future__ import annotations

import base64
import html
import os
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

import ipywidgets as W

from ..errors import ManifestError, NetpolError, NotFoundError, PathNotFoundError
from ..policy.lint import LintWarning, lint
from .matrix import Matrix, MatrixDiff
from .pagetext import indented_html
from ..policy.objects import Namespace, NetworkPolicy, Pod, from_dict

__all__ = ["ManifestPanel", "ProbePanel", "MatrixPanel", "before_after", "check_manifest",
           "recheck_panels",
           "ManifestCheck", "ActionFailed", "error_line", "STATIC_NOTE"]

STATIC_NOTE = "Interactive panel: run this notebook (Binder or locally) to use it."

# What the buttons run, as a reader would type it (also shown in the text form).
APPLY_COMMAND = "apply -f -"
DELETE_COMMAND = "delete -f -"


class ActionFailed(NetpolError):
    """The action of :func:`before_after` failed (its kubectl text is the message)."""


def error_line(exc: BaseException) -> str:
    """The one line a panel prints for an exception.

    >>> error_line(KeyError("x"))
    "error: KeyError: 'x'"
    >>> from netpol_kernel.errors import NotFoundError
    >>> error_line(NotFoundError("pods", "web"))
    'Error from server (NotFound): pods "web" not found'
    """
    text = str(exc).strip()
    if isinstance(exc, NetpolError) or text.startswith("error:"):
        return text  # already worded like kubectl
    first = text.splitlines()[0] if text else ""
    return f"error: {type(exc).__name__}: {first}" if first else f"error: {type(exc).__name__}"


def _current(backend: Any) -> Any:
    if backend is not None:
        return backend
    from ..backends import current
    return current()


# ---------------------------------------------------------------- the common base

class _Panel:
    """Output handling, guarded callbacks and the three-way display shared by the panels."""

    name = "Panel"

    def __init__(self) -> None:
        self.output = W.Output(layout=W.Layout(width="100%"))
        self.widget: W.Widget = W.VBox()

    # -- output ---------------------------------------------------------------
    def _clear(self) -> None:
        self.output.outputs = ()  # works with or without a kernel (clear_output needs one)

    def _say(self, text: str) -> None:
        self.output.append_stdout(text if text.endswith("\n") else text + "\n")

    def output_text(self) -> str:
        """What the Output area shows, as text."""
        parts = []
        for out in self.output.outputs:
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            else:
                parts.append(str((out.get("data") or {}).get("text/plain", "")) + "\n")
        return "".join(parts)

    def _guarded(self, action: Callable[[], Any]) -> Callable[..., None]:
        """A button/observer handler that runs ``action`` and reports any exception in one line."""
        def handler(*_: Any) -> None:
            try:
                action()
            except Exception as exc:  # noqa: BLE001 - the reader must see every failure
                self._say(error_line(exc))
        return handler

    # -- display --------------------------------------------------------------
    def text(self) -> str:
        raise NotImplementedError

    def pictures(self) -> list[bytes]:
        """PNG pictures the static page shows (the live widget shows them as Images)."""
        return []

    def static_pictures(self) -> list[tuple[bytes, str]]:
        """(PNG, alt text) pairs the static page shows; by default the panel's pictures."""
        return [(png, f"{self.name} picture") for png in self.pictures()]

    def static_html(self) -> str:
        """The page a reader without a kernel sees: the note, then what only the panel shows."""
        from .plots import png_metadata
        parts = [f'<p class="netpol-static-note"><em>{html.escape(STATIC_NOTE)}</em></p>']
        parts += [self._static_body()]
        for png, alt in self.static_pictures():
            data = base64.b64encode(png).decode("ascii")
            size = png_metadata(png)  # natural size: drawn at 2x, never stretched
            parts.append(f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
                         f'width="{size["width"]}" style="max-width:100%;height:auto"/>')
        out = self.output_text()
        if out:  # wraps at any width, indentation kept (an explanation is a tree)
            parts.append(indented_html(out))
        return "\n".join(p for p in parts if p)

    def _static_body(self) -> str:
        return ""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        view = getattr(self.widget, "_repr_mimebundle_", None)  # None once the widget is closed
        data = dict(view() or {}) if callable(view) else {}      # the widget view (model id)
        data["text/plain"] = self.text()
        data["text/html"] = self.static_html()
        return data

    def __repr__(self) -> str:
        return self.text()


# ---------------------------------------------------------------- manifests

@dataclass(frozen=True)
class ManifestCheck:
    """What :func:`check_manifest` found: error lines, lint warnings and the objects read."""

    objects: tuple[str, ...]             # "NetworkPolicy/deny", in file order
    errors: tuple[str, ...]              # one line each, with the field path
    warnings: tuple[LintWarning, ...]
    policies: tuple[NetworkPolicy, ...]  # the valid ones

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.errors:
            out.append(f"{len(self.errors)} error{'s' if len(self.errors) > 1 else ''}:")
            out += [f"  {e}" for e in self.errors]
        if self.warnings:
            out.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) > 1 else ''}:")
            out += [f"  {w}" for w in self.warnings]
        if not out:
            out.append("valid; no warnings")
        return out


def check_manifest(text: str, source: str = "<editor>", *, namespace: str = "default",
                   pods: Sequence[Pod] = (), namespaces: Sequence[Namespace] = ()) -> ManifestCheck:
    """Parse, validate and lint manifest text without applying anything.

    >>> c = check_manifest("apiVersion: networking.k8s.io/v1\\nkind: NetworkPolicy\\n"
    ...                    "metadata: {name: x}\\nspec: {podSelector: {}, ingress: [{from: [{}]}]}\\n")
    >>> c.errors
    ('NetworkPolicy/x: spec.ingress[0].from[0]: Required value: must specify a peer',)
    """
    from ..api.manifests import load_documents
    from ..api.validation import validate

    try:
        docs = load_documents(text, source)
    except ManifestError as exc:
        return ManifestCheck((), tuple(exc.lines()), (), ())
    objects, errors, policies, raws = [], [], [], []
    for doc in docs:
        obj = doc.obj
        md = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        kind, name = str(obj.get("kind") or ""), str(md.get("name") or "")
        objects.append(f"{kind}/{name}" if name else kind)
        problems = validate(obj)
        if problems:
            errors += ManifestError(kind, name, problems).lines()
            continue
        raws.append(obj)
        if kind == "NetworkPolicy":
            # Where kubectl would put it: the file's namespace, else the one applied to.
            placed = {**obj, "metadata": {**md, "namespace": md.get("namespace") or namespace}}
            pol = from_dict(placed)
            assert isinstance(pol, NetworkPolicy)
            policies.append(pol)
    warnings = lint(policies, pods, namespaces, raw=raws) if raws else []
    return ManifestCheck(tuple(objects), tuple(errors), tuple(warnings), tuple(policies))


def _read_manifest(manifest: Union[str, os.PathLike]) -> tuple[str, str]:
    """(source name, text): a path is read, anything with a newline is the YAML itself."""
    if isinstance(manifest, os.PathLike) or ("\n" not in manifest and
                                             manifest.endswith((".yaml", ".yml", ".json"))):
        from ..api.manifests import decode_bytes
        path = Path(manifest)
        if not path.is_file():
            raise PathNotFoundError(os.fspath(manifest))
        return path.name, decode_bytes(path.read_bytes())
    return "<editor>", str(manifest).lstrip("\n")


def _cluster_objects(backend: Any) -> tuple[list[Pod], list[Namespace]]:
    """Pods and namespaces to lint against; none when the backend cannot list them."""
    try:
        pods = [from_dict(p) for p in backend.get("Pod", all_namespaces=True)]
        nss = [from_dict(n) for n in backend.get("Namespace")]
    except Exception:  # noqa: BLE001 - a fake or unreachable cluster: lint without pods
        return [], []
    return ([p for p in pods if isinstance(p, Pod)], [n for n in nss if isinstance(n, Namespace)])


def _image(png: bytes) -> W.Image:
    """A picture at its natural size (drawn at 2x: half its pixels), shrinking to fit, never
    stretched to the panel's width."""
    from .plots import png_metadata
    size = png_metadata(png)
    return W.Image(value=png, format="png", width=str(size["width"]),
                   layout=W.Layout(max_width="100%", height="auto"))


#: Live ManifestPanels, re-checked after every cell: any cell may change the cluster
#: (``%kubectl apply``, ``start_chapter``), and a warning must not outlive its cause.
_LIVE_PANELS: "weakref.WeakSet[ManifestPanel]" = weakref.WeakSet()
_HOOKED: list[bool] = []


def recheck_panels(*_: Any) -> None:
    """Re-run every live ManifestPanel's check against the cluster as it is now."""
    for panel in list(_LIVE_PANELS):
        panel._guarded(panel.check)()


def _hook_cell_runs() -> None:
    if _HOOKED:
        return
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return
    ip = get_ipython()
    if ip is not None:
        ip.events.register("post_run_cell", recheck_panels)
        _HOOKED.append(True)


class ManifestPanel(_Panel):
    """A manifest to read, edit, check and apply.

    Shows the YAML in an editor; every edit re-runs validation and lint and lists
    the problems (with their field paths) under it, before anything is applied;
    a policy's picture follows.  Apply and Delete run ``kubectl apply -f -`` and
    ``kubectl delete -f -`` with the editor's text and show kubectl's output.

    ``pods`` overrides the pods lint checks against (default: the backend's).
    """

    name = "ManifestPanel"

    def __init__(self, manifest: Union[str, os.PathLike], backend: Any = None,
                 namespace: Optional[str] = None, *, pods: Optional[Sequence[Pod]] = None,
                 picture: bool = True):
        super().__init__()
        self.source, text = _read_manifest(manifest)
        self._backend = backend
        self.namespace = namespace
        self._pods = pods
        self._show_picture = picture
        self._png_cache: dict[NetworkPolicy, bytes] = {}
        self.check_result: Optional[ManifestCheck] = None
        self.editor = W.Textarea(value=text, rows=min(max(text.count("\n") + 1, 4), 32),
                                 layout=W.Layout(width="100%"), continuous_update=True)
        self.editor.add_class("netpol-yaml")
        self.problems = W.HTML()
        self.images = W.VBox()
        self.apply_button = W.Button(description="Apply", button_style="primary", icon="check",
                                     tooltip=f"kubectl {APPLY_COMMAND}")
        self.delete_button = W.Button(description="Delete", icon="trash",
                                      tooltip=f"kubectl {DELETE_COMMAND}")
        self.apply_button.on_click(self._guarded(self.apply))
        self.delete_button.on_click(self._guarded(self.delete))
        self.editor.observe(self._guarded(self.check), names="value")
        if pods is None:  # linting against the live cluster: follow its changes
            _LIVE_PANELS.add(self)
            _hook_cell_runs()
        style = W.HTML("<style>.netpol-yaml textarea{font-family:monospace;font-size:90%}</style>")
        self.widget = W.VBox([style, W.HTML(f"<b>{html.escape(self.source)}</b>"), self.editor,
                              self.problems, self.images,
                              W.HBox([self.apply_button, self.delete_button]), self.output])
        self._guarded(self.check)()

    @property
    def backend(self) -> Any:
        return _current(self._backend)

    @property
    def yaml(self) -> str:
        return self.editor.value

    def check(self) -> ManifestCheck:
        """Validate and lint the editor's text; update the problem list and the pictures."""
        if self._pods is not None:
            pods, nss = list(self._pods), []
        else:
            pods, nss = _cluster_objects(self.backend)
        ns = self.namespace or getattr(self.backend, "default_namespace", "default")
        result = check_manifest(self.editor.value, self.source, namespace=ns, pods=pods,
                                namespaces=nss)
        self.check_result = result
        self.problems.value = _problems_html(result)
        if self._show_picture:
            self.images.children = [_image(png) for png in self.pictures()]
        return result

    def pictures(self) -> list[bytes]:
        if not self._show_picture or self.check_result is None:
            return []
        from .plots import policy_png
        out = []
        for pol in self.check_result.policies:
            if pol not in self._png_cache:  # typing re-checks often; draw each policy once
                self._png_cache[pol] = policy_png(pol)
            out.append(self._png_cache[pol])
        return out

    def _kubectl(self, command: str) -> Any:
        from ..kubectl import command as kubectl_command  # per call: tests replace its kubectl
        kubectl = kubectl_command.kubectl
        self._clear()
        result = kubectl(command, backend=self.backend, namespace=self.namespace,
                         stdin=self.editor.value)
        self._say(result.text or f"(kubectl {command}: no output, exit code {result.exit_code})")
        self.check()  # the cluster changed: "selects no pod" may no longer be true
        return result

    def apply(self) -> Any:
        """``kubectl apply -f -`` with the editor's text; returns the KubectlResult."""
        return self._kubectl(APPLY_COMMAND)

    def delete(self) -> Any:
        """``kubectl delete -f -`` with the editor's text; returns the KubectlResult."""
        return self._kubectl(DELETE_COMMAND)

    def text(self) -> str:
        result = self.check_result
        objs = ", ".join(result.objects) if result and result.objects else "no objects"
        lines = [f"{self.name}: {self.source} ({objs})"]
        lines += result.lines() if result else []
        lines.append("[Apply] [Delete]")
        out = self.output_text().rstrip("\n")
        return "\n".join(lines + ([out] if out else []))

    def _static_body(self) -> str:
        # A file's text and picture are on the page already (show_file, picture); the
        # check result is what only the panel knows. Text typed inline appears nowhere else.
        body = "" if self.source != "<editor>" else indented_html(self.editor.value)
        return body + f"<div><b>{html.escape(self.source)}</b>: " \
            f"{self.problems.value or ''}</div>"

    def static_pictures(self) -> list[tuple[bytes, str]]:
        return []  # the chapter draws the policy with nk.picture() just above the panel


def _problems_html(result: ManifestCheck) -> str:
    if result.ok and not result.warnings:
        return '<div style="color:#0072B2">&#10003; valid; no warnings</div>'
    rows = []
    for e in result.errors:
        rows.append(f'<li style="color:#D55E00"><b>error</b> {html.escape(e)}</li>')
    for w in result.warnings:
        rows.append(f'<li><b>warning</b> <code>{html.escape(w.path)}</code> '
                    f'({html.escape(w.policy)}): {html.escape(w.message)} '
                    f'<small>[{html.escape(w.code)}]</small></li>')
    return "<ul>" + "".join(rows) + "</ul>"


# ---------------------------------------------------------------- probes

def _targets(backend: Any, namespace: str) -> list[tuple[str, str]]:
    """(label, target) pairs: every Service port, then every pod's container ports by IP."""
    out = []
    for svc in sorted(backend.get("Service", namespace=namespace),
                      key=lambda s: s["metadata"]["name"]):
        name = svc["metadata"]["name"]
        if name == "kubernetes":
            continue  # the API server: not part of any lab
        for p in (svc.get("spec") or {}).get("ports") or ():
            if (p.get("protocol") or "TCP") == "TCP":
                out.append((f"{name}:{p['port']}", f"{name}:{p['port']}"))
    for pod in sorted(backend.get("Pod", namespace=namespace), key=lambda p: p["metadata"]["name"]):
        ip = (pod.get("status") or {}).get("podIP")
        ports = [p for c in (pod.get("spec") or {}).get("containers") or ()
                 for p in c.get("ports") or () if (p.get("protocol") or "TCP") == "TCP"]
        for p in ports if ip else ():
            out.append((f"pod {pod['metadata']['name']} ({ip}:{p['containerPort']})",
                        f"{ip}:{p['containerPort']}"))
    return out


def _values(options: Any) -> list[Any]:
    """A Dropdown's values, whether its options are values or (label, value) pairs."""
    return [o[1] if isinstance(o, tuple) else o for o in options]


def _sources(backend: Any, namespace: str) -> list[str]:
    """Deployments by name (a probe picks their first pod), then pods no workload owns."""
    deps = sorted(d["metadata"]["name"] for d in backend.get("Deployment", namespace=namespace))
    bare = sorted(p["metadata"]["name"] for p in backend.get("Pod", namespace=namespace)
                  if not (p.get("metadata") or {}).get("ownerReferences"))
    return deps + bare


class ProbePanel(_Panel):
    """Pick a source pod and a target, press Run: the probe's output and exit code.

    The probe is what the lab types: ``kubectl exec POD -- curl ... TARGET``.
    """

    name = "ProbePanel"

    def __init__(self, backend: Any = None, namespace: Optional[str] = None, *,
                 source: Optional[str] = None, target: Optional[str] = None):
        super().__init__()
        self._backend = backend
        self.namespace = namespace
        wide = {"description_width": "initial"}
        self.source = W.Dropdown(description="from", options=[], style=wide)
        self.target = W.Dropdown(description="to", options=[], style=wide)
        self.run_button = W.Button(description="Run probe", button_style="primary", icon="play")
        self.reload_button = W.Button(description="Reload", icon="refresh",
                                      tooltip="list the pods and services again")
        self.run_button.on_click(self._guarded(self.run))
        self.reload_button.on_click(self._guarded(self.reload))
        self.last: Optional[Any] = None
        self.widget = W.VBox([W.HBox([self.source, self.target]),
                              W.HBox([self.run_button, self.reload_button]), self.output])
        self._guarded(self.reload)()
        # A choice the dropdown does not offer is a name that is not there: kubectl's words,
        # not the widget library's TraitError.
        if source is not None:
            if source not in _values(self.source.options):
                raise NotFoundError("pods", source, self._ns())
            self.source.value = source
        if target is not None:
            if target not in _values(self.target.options):
                raise NotFoundError("services", target.rpartition(":")[0] or target, self._ns())
            self.target.value = target

    @property
    def backend(self) -> Any:
        return _current(self._backend)

    def _ns(self) -> str:
        return self.namespace or self.backend.default_namespace

    def reload(self) -> None:
        """Fill the dropdowns from the cluster (keeping the current choices when still there)."""
        ns = self._ns()
        keep_s, keep_t = self.source.value, self.target.value
        sources, targets = _sources(self.backend, ns), _targets(self.backend, ns)
        values = [v for _, v in targets]
        self.source.options = sources
        self.target.options = targets
        # Keep the reader's choice when it still exists, else start at the first entry.
        # A client (a workload no Service points at, like frontend) is the natural first source.
        services = {v.rpartition(":")[0] for v in values}
        clients = [x for x in sources if x not in services] or sources
        self.source.value = keep_s if keep_s in sources else (clients[0] if clients else None)
        self.target.value = keep_t if keep_t in values else (values[0] if values else None)

    def run(self) -> Any:
        """Probe from the chosen source to the chosen target; returns the ExecResult."""
        from .probes import outcome, probe
        self._clear()
        if not self.source.value or not self.target.value:
            self._say("nothing to probe: no pods or services yet "
                      "(apply the app first, then Reload)")
            return None
        result = probe(self.backend, self.source.value, self.target.value, self._ns())
        ok, detail = outcome(result)
        self._say(f"{self.source.value} -> {self.target.value}")
        # Separately: curl's -w code on stdout has no newline, so stdout+stderr would run together.
        for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            if text.strip():
                self._say(f"{stream}: {text.strip()}")
        verdict = "connected" if ok else "no connection"
        self._say(f"exit code {result.exit_code}: {verdict} ({detail})")
        self.last = result
        return result

    def text(self) -> str:
        lines = [f"{self.name}: from {self.source.value or '-'} to {self.target.value or '-'} "
                 f"[Run probe]"]
        out = self.output_text().rstrip("\n")
        return "\n".join(lines + ([out] if out else []))


# ---------------------------------------------------------------- matrices

def _matrix(backend: Any, sources: Sequence[str], targets: Sequence[str],
            namespace: Optional[str], predicted: bool) -> Matrix:
    from .probes import predict_matrix, probe_matrix
    fn = predict_matrix if predicted else probe_matrix
    return fn(backend, list(sources), list(targets), namespace)


class MatrixPanel(_Panel):
    """The connectivity matrix as a picture, a Refresh button, and "why?" for any cell.

    ``predicted=True`` asks the engine instead of probing (no packets sent).
    """

    name = "MatrixPanel"

    def __init__(self, sources: Sequence[str], targets: Sequence[str], backend: Any = None,
                 namespace: Optional[str] = None, *, predicted: bool = False):
        super().__init__()
        self.sources, self.targets = list(sources), list(targets)
        self._backend = backend
        self.namespace = namespace
        self.predicted = predicted
        self.matrix: Optional[Matrix] = None
        self._png: Optional[bytes] = None
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%", height="auto"))
        self.refresh_button = W.Button(description="Refresh", icon="refresh",
                                       button_style="primary")
        wide = {"description_width": "initial"}
        self.why_source = W.Dropdown(description="why? from", options=self.sources, style=wide)
        self.why_target = W.Dropdown(description="to", options=self.targets, style=wide)
        self.refresh_button.on_click(self._guarded(self.refresh))
        why = self._guarded(self.why)
        self.why_source.observe(why, names="value")
        self.why_target.observe(why, names="value")
        self.widget = W.VBox([self.image, self.refresh_button,
                              W.HBox([self.why_source, self.why_target]), self.output])
        self._guarded(self.refresh)()

    @property
    def backend(self) -> Any:
        return _current(self._backend)

    def refresh(self) -> Matrix:
        """Probe (or predict) again and redraw."""
        from .plots import matrix_png
        self.matrix = _matrix(self.backend, self.sources, self.targets, self.namespace,
                              self.predicted)
        from .plots import png_metadata
        self._png = matrix_png(self.matrix)
        self.image.value = self._png
        self.image.width = str(png_metadata(self._png)["width"])  # natural size, not stretched
        self.why()
        return self.matrix

    def why(self) -> str:
        """Show (and return) the explanation of the cell the dropdowns point at."""
        self._clear()
        if self.matrix is None or self.why_source.value is None or self.why_target.value is None:
            return ""
        cell = self.matrix.cell(self.why_source.value, self.why_target.value)
        head = (f"{self.why_source.value} -> {self.why_target.value}: "
                f"{'allowed' if cell.allowed else 'blocked'}")
        if cell.detail and cell.detail != "predicted":
            head += f" ({cell.detail})"
        text = head + "\n" + (cell.why or "(no explanation recorded for this cell)")
        self._say(text)
        return text

    def pictures(self) -> list[bytes]:
        return [self._png] if self._png else []

    def static_pictures(self) -> list[tuple[bytes, str]]:
        if self._png is None or self.matrix is None:
            return []
        return [(self._png, self.matrix.alt_text())]

    def text(self) -> str:
        lines = [f"{self.name}: {', '.join(self.sources)} -> {', '.join(self.targets)} "
                 f"[Refresh]"]
        if self.matrix is not None:
            lines.append(self.matrix.to_text())
        out = self.output_text().rstrip("\n")
        return "\n".join(lines + ([out] if out else []))


def before_after(backend: Any, action: Callable[[], Any], sources: Sequence[str],
                 targets: Sequence[str], namespace: Optional[str] = None, *,
                 predicted: bool = False) -> MatrixDiff:
    """The matrix before and after running ``action`` (e.g. applying a file), as a diff.

    An action returning a result with a non-zero ``exit_code`` (a failed
    kubectl) raises :class:`ActionFailed` with its text, rather than showing
    "0 flows blocked" for a change that never happened.

    ``before_after(None, lambda: kubectl("apply -f backend-ingress-deny.yaml"),
    ["frontend", "not-frontend"], ["backend:8080"])`` displays the picture with
    "2 flows blocked, 0 opened".
    """
    be = _current(backend)
    before = _matrix(be, sources, targets, namespace, predicted)
    result = action()
    if getattr(result, "exit_code", 0):
        raise ActionFailed(str(getattr(result, "text", result)).strip())
    after = _matrix(be, sources, targets, namespace, predicted)
    return before.diff(after)
