"""kubectl's printed formats, from API dicts: tables, ``describe``, ages, -o yaml/json/name.

Everything here is a pure function of plain API objects (as the API server
returns them) and a clock, so the embedded cluster and a real one print alike.
The layouts follow kubectl's own printers (k8s.io/kubectl, cli-runtime):

* tables go through a port of Go's ``text/tabwriter`` with kubectl's settings
  (minimum width 6, padding 3), so columns are "longest cell + 3 spaces";
* ``describe`` uses the describers' tabwriter (padding 2) and indentation;
* AGE is apimachinery's ``duration.HumanDuration``.

>>> human_duration(127), human_duration(720), human_duration(3 * 3600 + 240)
('2m7s', '12m', '3h4m')
>>> print(tabwrite("NAME\\tAGE\\nbackend-ingress-deny\\t2s\\n", minwidth=6, padding=3), end="")
NAME                   AGE
backend-ingress-deny   2s
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import yaml

from ..api.resources import RESOURCES
from .jsonpath import html_escape, go_quote, go_value
from ..policy.objects import LabelSelector

__all__ = [
    "human_duration", "age", "parse_time", "go_time", "tabwrite", "table", "TABLE_KINDS",
    "qualified_name", "describe_network_policy", "to_yaml", "to_json", "as_list",
    "strip_managed_fields", "format_labels", "ErrorText", "error_text", "errors_text", "plain_error",
    "jsonpath_error", "event_table", "labels_lines", "annotation_lines",
]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

# ---------------------------------------------------------------- time


def human_duration(seconds: float) -> str:
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration, for a number of seconds.

    About 2-3 significant figures; a clock skew of up to 1 s in the future reads "0s".

    >>> [human_duration(s) for s in (0, 59, 119, 120, 127, 600, 10799, 10800, 7 * 3600 + 59 * 60)]
    ['0s', '59s', '119s', '2m', '2m7s', '10m', '179m', '3h', '7h59m']
    >>> [human_duration(h * 3600) for h in (8, 47, 48, 50, 24 * 8, 24 * 800, 24 * 365 * 9)]
    ['8h', '47h', '2d', '2d2h', '8d', '2y70d', '9y']
    """
    # Go converts with int(d.Seconds()), i.e. truncation towards zero.
    secs = int(seconds)
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 60 * 2:
        return f"{secs}s"
    minutes = secs // 60
    if minutes < 10:
        s = secs % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = secs // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def parse_time(value: Any) -> Optional[datetime]:
    """An RFC 3339 timestamp (``2024-07-28T10:03:17Z``) as an aware datetime, or None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def age(timestamp: Any, now: datetime) -> str:
    """kubectl's AGE cell: ``translateTimestampSince``."""
    then = parse_time(timestamp)
    if then is None:
        return "<unknown>"
    return human_duration((now - then).total_seconds())


def go_time(timestamp: Any) -> str:
    """Go's ``time.Time.String()`` in the local zone (describe's "Created on").

    The API's metav1.Time is converted to local time when kubectl decodes it.
    """
    then = parse_time(timestamp)
    if then is None:
        return "0001-01-01 00:00:00 +0000 UTC"
    local = then.astimezone()
    zone = local.strftime("%Z") or local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {local:%z} {zone}"


# ---------------------------------------------------------------- tabwriter


def tabwrite(text: str, *, minwidth: int, padding: int) -> str:
    """Go's text/tabwriter (padchar ' ', no flags) applied to ``text`` at once.

    Cells end at a tab; the last cell of a line is not aligned.  A column block
    is a run of consecutive lines that all have a cell in that column, and its
    width is the longest cell + ``padding`` (at least ``minwidth``).
    """
    raw_lines = text.split("\n")
    lines = [line.split("\t") for line in raw_lines]
    out: list[str] = []
    _format(lines, [], 0, len(lines), out, minwidth, padding)
    return "".join(out)


def _format(lines: list[list[str]], widths: list[int], line0: int, line1: int,
            out: list[str], minwidth: int, padding: int) -> None:
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write_lines(lines, widths, line0, this, out)
        line0 = this
        width = minwidth
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        widths.append(width)
        _format(lines, widths, line0, this, out, minwidth, padding)
        widths.pop()
        line0 = this
        # Go's loop increments past the line that ended the block; it has no
        # cell in this column, so skipping it changes nothing.
        this += 1
    _write_lines(lines, widths, line0, line1, out)


def _write_lines(lines: list[list[str]], widths: list[int], line0: int, line1: int,
                 out: list[str]) -> None:
    for i in range(line0, line1):
        for j, cell in enumerate(lines[i]):
            out.append(cell)
            if j < len(widths) and j < len(lines[i]) - 1:
                out.append(" " * (widths[j] - len(cell)))
        if i + 1 < len(lines):
            out.append("\n")


# ---------------------------------------------------------------- table cells


def format_labels(labels: Optional[Mapping[str, Any]]) -> str:
    """labels.FormatLabels: ``k=v,k2=v2`` sorted by key, ``<none>`` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def selector_text(sel: Optional[Mapping[str, Any]], empty: str = "<none>") -> str:
    """metav1.FormatLabelSelector of a LabelSelector dict."""
    text = str(LabelSelector.from_dict(sel))
    return empty if text == "<none>" else text


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _spec(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("spec") or {}


def _status(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("status") or {}


def _containers_images(template_spec: Mapping[str, Any]) -> list[str]:
    containers = template_spec.get("containers") or []
    return [",".join(str(c.get("name", "")) for c in containers),
            ",".join(str(c.get("image", "")) for c in containers)]


def _pod_status(pod: Mapping[str, Any], now: datetime) -> tuple[str, str, str]:
    """(READY, STATUS, RESTARTS) as kubectl's printPod computes them."""
    spec, status = _spec(pod), _status(pod)
    total = len(spec.get("containers") or [])
    ready = restarts = 0
    last_restart: Optional[datetime] = None
    reason = status.get("reason") or status.get("phase") or ""

    def note_restart(cs: Mapping[str, Any]) -> None:
        nonlocal restarts, last_restart
        restarts += int(cs.get("restartCount") or 0)
        term = ((cs.get("lastState") or {}).get("terminated") or {})
        finished = parse_time(term.get("finishedAt"))
        if finished and (last_restart is None or finished > last_restart):
            last_restart = finished

    initializing = False
    init_total = len(spec.get("initContainers") or [])
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        note_restart(cs)
        state = cs.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting")
        if term and int(term.get("exitCode") or 0) == 0:
            continue
        if term:
            if term.get("reason"):
                reason = "Init:" + term["reason"]
            elif term.get("signal"):
                reason = f"Init:Signal:{term['signal']}"
            else:
                reason = f"Init:ExitCode:{term.get('exitCode', 0)}"
        elif wait and wait.get("reason") and wait.get("reason") != "PodInitializing":
            reason = "Init:" + wait["reason"]
        else:
            reason = f"Init:{i}/{init_total}"
        initializing = True
        break

    if not initializing:
        restarts = 0
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            note_restart(cs)
            state = cs.get("state") or {}
            wait, term = state.get("waiting"), state.get("terminated")
            if wait and wait.get("reason"):
                reason = wait["reason"]
            elif term and term.get("reason"):
                reason = term["reason"]
            elif term:
                reason = (f"Signal:{term['signal']}" if term.get("signal")
                          else f"ExitCode:{term.get('exitCode', 0)}")
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            conds = status.get("conditions") or []
            ok = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)
            reason = "Running" if ok else "NotReady"

    if _meta(pod).get("deletionTimestamp") and reason not in ("Succeeded", "Failed"):
        reason = "Terminating"
    restarts_text = str(restarts)
    if restarts and last_restart is not None:
        restarts_text = f"{restarts} ({human_duration((now - last_restart).total_seconds())} ago)"
    return f"{ready}/{total}", reason, restarts_text


def _pod_row(pod: Mapping[str, Any], now: datetime) -> list[str]:
    ready, reason, restarts = _pod_status(pod, now)
    status, spec = _status(pod), _spec(pod)
    ips = status.get("podIPs") or []
    ip = (ips[0].get("ip") if ips else None) or status.get("podIP") or "<none>"
    gates = spec.get("readinessGates") or []
    gates_text = "<none>"
    if gates:
        conds = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        true = sum(1 for g in gates if conds.get(g.get("conditionType")) == "True")
        gates_text = f"{true}/{len(gates)}"
    return [ready, reason, restarts, age(_meta(pod).get("creationTimestamp"), now),
            ip, spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>",
            gates_text]


def _deployment_row(d: Mapping[str, Any], now: datetime) -> list[str]:
    spec, status = _spec(d), _status(d)
    desired = spec.get("replicas", 1)
    tmpl = ((spec.get("template") or {}).get("spec") or {})
    return [f"{status.get('readyReplicas') or 0}/{desired}", str(status.get("updatedReplicas") or 0),
            str(status.get("availableReplicas") or 0), age(_meta(d).get("creationTimestamp"), now),
            *_containers_images(tmpl), selector_text(spec.get("selector"), empty="")]


def _replicaset_row(rs: Mapping[str, Any], now: datetime) -> list[str]:
    spec, status = _spec(rs), _status(rs)
    tmpl = ((spec.get("template") or {}).get("spec") or {})
    return [str(spec.get("replicas", 1)), str(status.get("replicas") or 0),
            str(status.get("readyReplicas") or 0), age(_meta(rs).get("creationTimestamp"), now),
            *_containers_images(tmpl), selector_text(spec.get("selector"), empty="")]


def _service_row(svc: Mapping[str, Any], now: datetime) -> list[str]:
    spec = _spec(svc)
    kind = spec.get("type") or "ClusterIP"
    external = spec.get("externalIPs") or []
    if kind in ("ClusterIP", "NodePort"):
        ext = ",".join(external) if external else "<none>"
    elif kind == "LoadBalancer":
        lb = [i.get("ip") or i.get("hostname") for i in
              ((_status(svc).get("loadBalancer") or {}).get("ingress") or [])]
        ext = ",".join(x for x in [*lb, *external] if x) or "<pending>"
    elif kind == "ExternalName":
        ext = spec.get("externalName") or ""
    else:
        ext = "<unknown>"
    ports = []
    for p in spec.get("ports") or []:
        proto = p.get("protocol") or "TCP"
        ports.append(f"{p.get('port')}:{p['nodePort']}/{proto}" if p.get("nodePort")
                     else f"{p.get('port')}/{proto}")
    return [kind, spec.get("clusterIP") or "<none>", ext, ",".join(ports) or "<none>",
            age(_meta(svc).get("creationTimestamp"), now), format_labels(spec.get("selector"))]


def _endpoints_text(ep: Mapping[str, Any]) -> str:
    """formatEndpoints: at most three ``ip:port``, then ``+ N more...``."""
    listed: list[str] = []
    count, limit = 0, 3
    for subset in ep.get("subsets") or []:
        addrs = [a.get("ip", "") for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        targets = ([a for a in addrs] if not ports else
                   [f"[{a}]:{p.get('port')}" if ":" in a else f"{a}:{p.get('port')}"
                    for p in ports for a in addrs])
        count += len(targets)
        listed.extend(targets[:max(0, limit - len(listed))])
    text = ",".join(listed)
    if count > limit:
        return f"{text} + {count - limit} more..."
    return text or "<none>"


def _endpoints_row(ep: Mapping[str, Any], now: datetime) -> list[str]:
    return [_endpoints_text(ep), age(_meta(ep).get("creationTimestamp"), now)]


def _netpol_row(np: Mapping[str, Any], now: datetime) -> list[str]:
    return [selector_text(_spec(np).get("podSelector")), age(_meta(np).get("creationTimestamp"), now)]


def _namespace_row(ns: Mapping[str, Any], now: datetime) -> list[str]:
    return [_status(ns).get("phase") or "Active", age(_meta(ns).get("creationTimestamp"), now)]


def _secret_row(s: Mapping[str, Any], now: datetime) -> list[str]:
    return [s.get("type") or "Opaque", str(len(s.get("data") or {})),
            age(_meta(s).get("creationTimestamp"), now)]


def _configmap_row(cm: Mapping[str, Any], now: datetime) -> list[str]:
    return [str(len(cm.get("data") or {}) + len(cm.get("binaryData") or {})),
            age(_meta(cm).get("creationTimestamp"), now)]


def _statefulset_row(s: Mapping[str, Any], now: datetime) -> list[str]:
    spec, status = _spec(s), _status(s)
    tmpl = ((spec.get("template") or {}).get("spec") or {})
    return [f"{status.get('readyReplicas') or 0}/{spec.get('replicas', 1)}",
            age(_meta(s).get("creationTimestamp"), now), *_containers_images(tmpl)]


def _daemonset_row(d: Mapping[str, Any], now: datetime) -> list[str]:
    spec, status = _spec(d), _status(d)
    tmpl = ((spec.get("template") or {}).get("spec") or {})
    counts = [str(status.get(k) or 0) for k in ("desiredNumberScheduled", "currentNumberScheduled",
                                                "numberReady", "updatedNumberScheduled", "numberAvailable")]
    return [*counts, format_labels(tmpl.get("nodeSelector")), age(_meta(d).get("creationTimestamp"), now),
            *_containers_images(tmpl), selector_text(spec.get("selector"), empty="")]


def _node_row(node: Mapping[str, Any], now: datetime) -> list[str]:
    status = _status(node)
    ready = next((c.get("status") for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    state = {"True": "Ready", "False": "NotReady"}.get(str(ready), "Unknown")
    if _spec(node).get("unschedulable"):
        state += ",SchedulingDisabled"
    prefix = "node-role.kubernetes.io/"
    labels = _meta(node).get("labels") or {}
    roles = sorted({k[len(prefix):] for k in labels if k.startswith(prefix) and len(k) > len(prefix)} |
                   ({labels["kubernetes.io/role"]} if labels.get("kubernetes.io/role") else set()))
    info = status.get("nodeInfo") or {}
    addresses = status.get("addresses") or []
    internal = next((a.get("address") for a in addresses if a.get("type") == "InternalIP"), "<none>")
    external = next((a.get("address") for a in addresses if a.get("type") == "ExternalIP"), "<none>")
    return [state, ",".join(roles) or "<none>", age(_meta(node).get("creationTimestamp"), now),
            info.get("kubeletVersion", ""), internal, external, info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>", info.get("containerRuntimeVersion") or "<unknown>"]


def _discovery_list(items: list[str], limit: int = 3) -> str:
    """listWithMoreString (pkg/printers/internalversion/printers.go)."""
    text = ",".join(items[:limit])
    if len(items) > limit:
        return f"{text} + {len(items) - limit} more..."
    return text or "<unset>"


def _endpointslice_row(es: Mapping[str, Any], now: datetime) -> list[str]:
    ports = [str(p["port"]) if p.get("port") is not None else (p.get("name") or "*")
             for p in es.get("ports") or []]
    addrs = [a for e in es.get("endpoints") or [] for a in (e.get("addresses") or [])[:1]]
    return [str(es.get("addressType") or ""), _discovery_list(ports), _discovery_list(addrs),
            age(_meta(es).get("creationTimestamp"), now)]


def _event_source(ev: Mapping[str, Any]) -> str:
    """formatEventSource: ``component, host``, or the reporting controller and instance."""
    src = ev.get("source") or {}
    component = src.get("component") or ev.get("reportingComponent") or ""
    host = src.get("host") or ev.get("reportingInstance") or ""
    return f"{component}, {host}" if host else component


def event_table(events: Sequence[Mapping[str, Any]], now: datetime, *, with_namespace: bool = False,
                no_headers: bool = False, wide: bool = False) -> str:
    """``kubectl get events``: printEvent's columns (no NAME column unless wide), one row per event.

    Wide adds SUBOBJECT and SOURCE before MESSAGE, then FIRST SEEN, COUNT, NAME (printers.go).
    """
    header = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    if wide:
        header = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN",
                  "COUNT", "NAME"]
    rows = [] if no_headers else [(["NAMESPACE"] if with_namespace else []) + header]
    for ev in events:
        first = age(ev.get("firstTimestamp") or ev.get("eventTime"), now)
        last = age(ev["lastTimestamp"], now) if ev.get("lastTimestamp") else first
        inv = ev.get("involvedObject") or {}
        target = f"{str(inv.get('kind', '')).lower()}/{inv['name']}" if inv.get("name") else \
            str(inv.get("kind", "")).lower()
        message = str(ev.get("message") or "").strip()
        row = [last, str(ev.get("type") or ""), str(ev.get("reason") or ""), target, message]
        if wide:
            row = row[:4] + [str(inv.get("fieldPath") or ""), _event_source(ev), message, first,
                             str(ev.get("count") or 1), str(_meta(ev).get("name", ""))]
        rows.append(([str(_meta(ev).get("namespace", ""))] if with_namespace else []) + row)
    return tabwrite("".join("\t".join(r) + "\n" for r in rows), minwidth=6, padding=3)


@dataclass(frozen=True)
class _Columns:
    headers: tuple[str, ...]  # after NAME
    wide: tuple[str, ...]     # extra columns of -o wide
    row: Callable[[Mapping[str, Any], datetime], list[str]]  # cells after NAME, wide ones last


#: The kinds ``kubectl get`` can print as a table here, with kubectl's columns.
TABLE_KINDS: dict[str, _Columns] = {
    "Pod": _Columns(("READY", "STATUS", "RESTARTS", "AGE"),
                    ("IP", "NODE", "NOMINATED NODE", "READINESS GATES"), _pod_row),
    "Deployment": _Columns(("READY", "UP-TO-DATE", "AVAILABLE", "AGE"),
                           ("CONTAINERS", "IMAGES", "SELECTOR"), _deployment_row),
    "ReplicaSet": _Columns(("DESIRED", "CURRENT", "READY", "AGE"),
                           ("CONTAINERS", "IMAGES", "SELECTOR"), _replicaset_row),
    "Service": _Columns(("TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"), ("SELECTOR",),
                        _service_row),
    "Endpoints": _Columns(("ENDPOINTS", "AGE"), (), _endpoints_row),
    "NetworkPolicy": _Columns(("POD-SELECTOR", "AGE"), (), _netpol_row),
    "Namespace": _Columns(("STATUS", "AGE"), (), _namespace_row),
    "Secret": _Columns(("TYPE", "DATA", "AGE"), (), _secret_row),
    "ConfigMap": _Columns(("DATA", "AGE"), (), _configmap_row),
    "StatefulSet": _Columns(("READY", "AGE"), ("CONTAINERS", "IMAGES"), _statefulset_row),
    "DaemonSet": _Columns(("DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"),
                          ("CONTAINERS", "IMAGES", "SELECTOR"), _daemonset_row),
    "EndpointSlice": _Columns(("ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"), (), _endpointslice_row),
    "Node": _Columns(("STATUS", "ROLES", "AGE", "VERSION"),
                     ("INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"), _node_row),
}


#: kinds outside api.resources that kubectl can still list here (read-only).
_EXTRA_NAMES = {"EndpointSlice": "endpointslice.discovery.k8s.io", "Event": "event"}


def qualified_name(obj: Mapping[str, Any]) -> str:
    """``deployment.apps/frontend``: what ``-o name`` and multi-kind tables print."""
    kind = str(obj.get("kind") or "")
    prefix = RESOURCES[kind][1] if kind in RESOURCES else _EXTRA_NAMES.get(kind, kind.lower())
    return f"{prefix}/{_meta(obj).get('name', '')}"


def table(kind: str, objs: Sequence[Mapping[str, Any]], now: datetime, *, wide: bool = False,
          with_namespace: bool = False, with_kind: bool = False, show_labels: bool = False,
          no_headers: bool = False, label_columns: Sequence[str] = ()) -> str:
    """One kind's ``kubectl get`` table (header included), as kubectl prints it.

    >>> np = {"kind": "NetworkPolicy", "metadata": {"name": "deny",
    ...       "creationTimestamp": "2024-01-01T00:00:00Z"}, "spec": {"podSelector": {}}}
    >>> print(table("NetworkPolicy", [np], datetime(2024, 1, 1, 0, 0, 2, tzinfo=timezone.utc)), end="")
    NAME   POD-SELECTOR   AGE
    deny   <none>         2s
    """
    cols = TABLE_KINDS[kind]
    width = len(cols.headers) + (len(cols.wide) if wide else 0)
    header = (["NAMESPACE"] if with_namespace else []) + ["NAME", *cols.headers]
    header += list(cols.wide) if wide else []
    # -L: one column per label key, headed by its last path segment in capitals (formatLabelHeaders).
    header += [key.rsplit("/", 1)[-1].upper() for key in label_columns]
    header += ["LABELS"] if show_labels else []
    rows = [] if no_headers else [header]
    for obj in objs:
        name = qualified_name(obj) if with_kind else str(_meta(obj).get("name", ""))
        row = ([str(_meta(obj).get("namespace", ""))] if with_namespace else []) + [name]
        row += cols.row(obj, now)[:width]
        row += [str((_meta(obj).get("labels") or {}).get(key, "")) for key in label_columns]
        row += [format_labels(_meta(obj).get("labels"))] if show_labels else []
        rows.append(row)
    text = "".join("\t".join(r) + "\n" for r in rows)
    return tabwrite(text, minwidth=6, padding=3)


# ---------------------------------------------------------------- describe


def _labels_lines(title: str, labels: Optional[Mapping[str, Any]], skip: Iterable[str] = ()) -> list[str]:
    keys = sorted(k for k in (labels or {}) if k not in set(skip))
    if not keys:
        return [f"{title}:\t<none>"]
    return [(f"{title}:\t" if i == 0 else "\t") + f"{k}={labels[k]}" for i, k in enumerate(keys)]  # type: ignore[index]


def _annotation_lines(annotations: Optional[Mapping[str, Any]]) -> list[str]:
    """printAnnotationsMultiline (kubectl hides last-applied-configuration)."""
    keys = sorted(k for k in (annotations or {}) if k != LAST_APPLIED)
    if not keys:
        return ["Annotations:\t<none>"]
    lines: list[str] = []
    for i, key in enumerate(keys):
        first = "Annotations:\t" if i == 0 else "\t"
        value = str(annotations[key]).rstrip("\n")  # type: ignore[index]
        if len(value) + len(key) + 2 > 140 or "\n" in value:
            lines.append(f"{first}{key}:")
            lines.extend(f"\t  {_shorten(v, 138)}" for v in value.split("\n"))
        else:
            lines.append(f"{first}{key}: {value}")
    return lines


#: describe.go's printLabelsMultiline / printAnnotationsMultiline, for the other describers.
labels_lines = _labels_lines
annotation_lines = _annotation_lines


def _shorten(s: str, limit: int) -> str:
    return s[:limit] + "..." if len(s) > limit else s


def _port_lines(rule: Mapping[str, Any], indent: str) -> list[str]:
    ports = rule.get("ports") or []
    if not ports:
        return [f"{indent}To Port: <any> (traffic allowed to all ports)"]
    out = []
    for p in ports:
        proto = p.get("protocol") or "TCP"
        # %s of an *intstr.IntOrString: the number or the name; "<nil>" when absent.
        port = "<nil>" if p.get("port") is None else p.get("port")
        if p.get("endPort") is None:
            out.append(f"{indent}To Port: {port}/{proto}")
        else:
            out.append(f"{indent}To Port Range: {port}-{p['endPort']}/{proto}")
    return out


def _peer_lines(peer: Mapping[str, Any], indent: str) -> list[str]:
    pod, ns, ipb = peer.get("podSelector"), peer.get("namespaceSelector"), peer.get("ipBlock")
    if pod is not None and ns is not None:
        return [f"  {indent}NamespaceSelector: {selector_text(ns)}", f"  {indent}PodSelector: {selector_text(pod)}"]
    if pod is not None:
        return [f"  {indent}PodSelector: {selector_text(pod)}"]
    if ns is not None:
        return [f"  {indent}NamespaceSelector: {selector_text(ns)}"]
    if ipb is not None:
        return [f"  {indent}IPBlock:", f"    {indent}CIDR: {ipb.get('cidr', '')}",
                f"    {indent}Except: {', '.join(ipb.get('except') or [])}"]
    return []


def _rule_lines(rules: Sequence[Mapping[str, Any]], peers_key: str, direction: str) -> list[str]:
    indent = "    "
    if not rules:
        return [f"{indent}<none> (Selected pods are isolated for {direction} connectivity)"]
    word = "From" if peers_key == "from" else "To"
    what = "source" if peers_key == "from" else "destination"
    out: list[str] = []
    for i, rule in enumerate(rules):
        out.extend(_port_lines(rule or {}, indent))
        peers = (rule or {}).get(peers_key) or []
        if not peers:
            out.append(f"{indent}{word}: <any> (traffic not restricted by {what})")
        for peer in peers:
            out.append(f"{indent}{word}:")
            out.extend(_peer_lines(peer or {}, indent))
        if i != len(rules) - 1:
            out.append(f"{indent}----------")
    return out


def describe_network_policy(np: Mapping[str, Any]) -> str:
    """``kubectl describe networkpolicy NAME`` for one policy (describe.go's layout)."""
    meta, spec = _meta(np), _spec(np)
    lines = [f"Name:\t{meta.get('name', '')}", f"Namespace:\t{meta.get('namespace', '')}",
             f"Created on:\t{go_time(meta.get('creationTimestamp'))}"]
    lines += _labels_lines("Labels", meta.get("labels"))
    lines += _annotation_lines(meta.get("annotations"))
    lines.append("Spec:")
    pod_sel = spec.get("podSelector") or {}
    if not pod_sel.get("matchLabels") and not pod_sel.get("matchExpressions"):
        lines.append("  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)")
    else:
        lines.append(f"  PodSelector:     {selector_text(pod_sel)}")
    types = list(spec.get("policyTypes") or [])
    if "Ingress" in types:
        lines.append("  Allowing ingress traffic:")
        lines += _rule_lines(spec.get("ingress") or [], "from", "ingress")
    else:
        lines.append("  Not affecting ingress traffic")
    if "Egress" in types:
        lines.append("  Allowing egress traffic:")
        lines += _rule_lines(spec.get("egress") or [], "to", "egress")
    else:
        lines.append("  Not affecting egress traffic")
    lines.append(f"  Policy Types: {', '.join(types)}")
    return tabwrite("\n".join(lines) + "\n", minwidth=0, padding=2)


# ---------------------------------------------------------------- errors


@dataclass(frozen=True)
class ErrorText:
    """One error as kubectl prints it alone (``single``) or among several (``multi``).

    cmdutil.CheckErr prints a lone error with its ``error: `` prefix (or as
    "The X is invalid: ..."), but a list of errors one per line without it.
    """

    single: str
    multi: str


def errors_text(errors: Sequence[ErrorText]) -> str:
    """What checkErr prints for the errors a command collected."""
    if len(errors) == 1:
        return errors[0].single.rstrip("\n") + "\n"
    return "".join(e.multi.rstrip("\n") + "\n" for e in errors)


def plain_error(text: str) -> ErrorText:
    """A message that is already kubectl's words, with or without ``error: ``."""
    if text.startswith(("error: ", "Error from server", "The ")):
        return ErrorText(text, text[len("error: "):] if text.startswith("error: ") else text)
    return ErrorText("error: " + text, text)


def error_text(exc: BaseException, *, verb: str = "creating", source: Optional[str] = None,
               obj: Optional[Mapping[str, Any]] = None) -> ErrorText:
    """An exception in kubectl's words; ``source`` is the file (AddSourceToErr's "error when ...").

    >>> from netpol_kernel.errors import NotFoundError
    >>> print(error_text(NotFoundError("services", "backend"), verb="deleting", source="app.yaml").single)
    Error from server (NotFound): error when deleting "app.yaml": services "backend" not found
    """
    from ..errors import AlreadyExistsError, DecodeError, ManifestError, NotFoundError, YAMLSyntaxError
    if isinstance(exc, (YAMLSyntaxError, DecodeError)):
        return plain_error(str(exc))
    if isinstance(exc, ManifestError):
        return _manifest_error(exc, source, obj or {})
    if isinstance(exc, FileNotFoundError):
        text = str(exc) if str(exc).startswith("error: ") else \
            f'error: the path "{exc.filename or exc}" does not exist'
        return plain_error(text)
    text = str(exc)
    if isinstance(exc, (NotFoundError, AlreadyExistsError)) and source and ": " in text:
        head, _, rest = text.partition(": ")
        text = f'{head}: error when {verb} "{source}": {rest}'
    return plain_error(text)


def _manifest_error(exc: Any, source: Optional[str], obj: Mapping[str, Any]) -> ErrorText:
    from ..errors import ManifestError
    src = exc.source or source or ""
    if exc.errors and all(e.type == "Unknown" for e in exc.errors):
        # Strict decoding: the API server's BadRequest, worded by ManifestError itself.
        if exc.source is None and src:
            exc = ManifestError(exc.kind, exc.name, exc.errors, source=src, index=exc.index)
        return ErrorText(str(exc), str(exc))
    missing = [e for e in exc.errors if e.type == "Required" and e.path in ("apiVersion", "kind")]
    if missing:
        # kubectl's client-side check of the document (before any request).
        body = ", ".join(f"{e.path} not set" for e in missing)
        body = body if len(missing) == 1 else f"[{body}]"
        text = (f'error validating "{src}": error validating data: {body}; if you choose to '
                f"ignore these errors, turn validation off with --validate=false")
        return ErrorText("error: " + text, text)
    no_match = [e for e in exc.errors if e.detail.startswith("no matches for kind")]
    if no_match:
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        text = (f'resource mapping not found for name: {go_quote(str(meta.get("name") or ""))} '
                f'namespace: {go_quote(str(meta.get("namespace") or ""))} from {go_quote(src)}: '
                f'{no_match[0].detail.split(";")[0]}\nensure CRDs are installed first')
        return ErrorText("error: " + text, text)
    if exc.kind == "Object" and not exc.name:
        # Not an object at all (manifests.py): a decoding error.
        text = f"error parsing {src}: " + "; ".join(e.detail or str(e) for e in exc.errors)
        return ErrorText("error: " + text, text)
    # Invalid: alone, kubectl rebuilds "The X is invalid"; in a list it prints the status message.
    group = RESOURCES[exc.kind][1].partition(".")[2] if exc.kind in RESOURCES else ""
    qualified = f"{exc.kind}.{group}" if group else exc.kind
    errs = [str(e) for e in exc.errors]
    agg = errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
    where = f'error when creating "{src}": ' if src else ""
    return ErrorText(str(exc), f'Error from server (Invalid): {where}{qualified} "{exc.name}" is invalid: {agg}')


def jsonpath_error(template: str, data: Any, exc: Exception) -> str:
    """kubectl's message for a template that does not parse or fails on the data."""
    from .jsonpath import JSONPathParseError
    if isinstance(exc, JSONPathParseError):
        return f"error: error parsing jsonpath {template}, {exc}\n"
    return (f"error: error executing jsonpath {go_quote(template)}: Error executing template: "
            f"{exc}. Printing more information for debugging the template:\n"
            f"\ttemplate was:\n\t\t{template}\n"
            f"\tobject given to jsonpath engine was:\n\t\t{go_value(data)}\n\n")


# ---------------------------------------------------------------- -o yaml / json / name


def strip_managed_fields(obj: Mapping[str, Any]) -> dict:
    """What kubectl shows by default (``--show-managed-fields=false``)."""
    out = dict(obj)
    meta = out.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        out["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
    return out


def as_list(objs: Sequence[Mapping[str, Any]]) -> dict:
    """The ``kind: List`` kubectl wraps several objects in for -o yaml/json/jsonpath."""
    return {"apiVersion": "v1", "items": [dict(o) for o in objs], "kind": "List",
            "metadata": {"resourceVersion": ""}}


class _GoYAMLDumper(yaml.SafeDumper):
    """PyYAML made to write like go-yaml v2 (sigs.k8s.io/yaml): double quotes, literal blocks."""

    def choose_scalar_style(self) -> str:  # type: ignore[override]
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_GoYAMLDumper.add_representer(str, _str_representer)


def to_yaml(obj: Any) -> str:
    """``-o yaml``: keys sorted, 2-space indent, lists not indented under their key."""
    return yaml.dump(obj, Dumper=_GoYAMLDumper, default_flow_style=False, sort_keys=True,
                     allow_unicode=True, indent=2)


def to_json(obj: Any) -> str:
    """``-o json``: encoding/json.MarshalIndent with 4 spaces, keys sorted, HTML-escaped."""
    import json
    return html_escape(json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False)) + "\n"
