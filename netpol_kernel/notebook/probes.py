"""Probing connections from inside pods, and matrices built from probes or predictions.

A probe is what a learner would type: ``kubectl exec POD -- curl ...``.  The same
command runs in the embedded cluster and on a real one; its exit code decides
the cell.  Predictions come from the engine over the cluster's current objects,
so every cell can also say *why*.

>>> probe_command("docker.io/byrnedo/alpine-curl:0.1.8", "backend", 8080)[:3]
['curl', '-sS', '-o']
>>> outcome(ExecResult("200", "", 0))
(True, 'HTTP 200')
>>> outcome(ExecResult("000", "curl: (28) Connection timed out after 5001 milliseconds\\n", 28))
(False, 'timed out')
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence, Union

from ..backends.base import Backend, ExecResult
from ..policy.engine import Engine
from ..errors import NetpolError, NotFoundError, UsageError
from .matrix import Cell, Matrix, MatrixDiff
from ..policy.objects import NetworkPolicy, from_dict

__all__ = ["Target", "probe", "probe_command", "outcome", "probe_matrix", "predict_matrix",
           "what_if", "source_pod", "parse_target", "reachability", "explain"]

DEFAULT_TIMEOUT = 5
# A pod reaching itself (through its own Service) is not a pod-to-pod connection:
# the NetworkPolicy spec leaves it to the CNI, so matrices claim no verdict there.
SAME_POD = "same pod"

# curl exit codes that mean "no connection was made" (the rest: we reached a listener).
_CURL_FAILURES = {6: "could not resolve", 7: "refused", 28: "timed out"}
# Python one-liner for images with python but no curl (the example web frontend).
_PY_CONNECT = ("import socket,sys\n"
               "try:\n socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))\n"
               "except socket.gaierror as e:\n print('could not resolve:', e); sys.exit(6)\n"
               "except socket.timeout:\n print('timed out'); sys.exit(28)\n"
               "except ConnectionRefusedError:\n print('refused'); sys.exit(7)\n"
               "print('connected')")


@dataclass(frozen=True)
class Target:
    """What a probe connects to: ``backend:8080`` (a Service or a workload/pod name and a port)."""

    name: str
    port: int

    @property
    def label(self) -> str:
        return f"{self.name}:{self.port}"


def parse_target(text: str) -> Target:
    name, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not name:
        raise UsageError(f'a target is NAME:PORT, like "backend:8080", not {text!r}')
    return Target(name, int(port))


def probe_command(image: str, host: str, port: int, timeout: int = DEFAULT_TIMEOUT) -> list[str]:
    """The command a learner would run from a pod of ``image`` to test a TCP connection."""
    if "example-web-python" in image or image.split("/")[-1].startswith("python"):
        return ["python", "-c", _PY_CONNECT, host, str(port), str(timeout)]
    return ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--connect-timeout", str(timeout),
            f"http://{host}:{port}/"]


def outcome(result: ExecResult) -> tuple[bool, str]:
    """(connected?, short detail) from a probe's exit code."""
    code = result.exit_code
    if code == 0:
        out = result.stdout.strip()
        return True, (f"HTTP {out}" if out.isdigit() else "connected")
    if code in _CURL_FAILURES:
        return False, _CURL_FAILURES[code]
    return True, "connected"  # e.g. curl 52/56/1/8: a listener answered, just not in HTTP


def _one(objs: list[dict]) -> Optional[dict]:
    return objs[0] if objs else None


def _first_pod(backend: Backend, selector: Mapping[str, str], namespace: str) -> Optional[dict]:
    sel = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    pods = sorted(backend.get("Pod", namespace=namespace, selector=sel), key=lambda p: p["metadata"]["name"])
    return pods[0] if pods else None


# "deploy/client", "pod/x": kubectl's TYPE/NAME; any other prefix names a namespace.
_KIND_PREFIXES = {"deploy", "deployment", "deployments", "deployment.apps", "po", "pod", "pods"}


def source_pod(backend: Backend, source: str, namespace: Optional[str] = None) -> dict:
    """The pod that stands for ``source``: a pod name, or the first pod of a Deployment."""
    ns = namespace or backend.default_namespace
    prefix, _, name = source.rpartition("/")
    if prefix and prefix.lower() not in _KIND_PREFIXES:
        ns = prefix  # "monitoring/prometheus": a pod of another namespace
    try:
        dep = _one(backend.get("Deployment", namespace=ns, name=name))
    except NotFoundError:
        dep = None
    if dep is not None:
        pod = _first_pod(backend, dep["spec"]["selector"].get("matchLabels") or {}, ns)
        if pod is None:
            raise NotFoundError("pods", f"{name}-*", ns)
        return pod
    pod = _one(backend.get("Pod", namespace=ns, name=name))
    if pod is None:
        raise NotFoundError("pods", name, ns)
    return pod


def _request(backend: Backend, source: str, target: Union[str, Target], namespace: Optional[str],
             timeout: int) -> tuple[str, list[str], str]:
    """(pod, argv, namespace) of the exec that probes ``source`` -> ``target``."""
    t = parse_target(target) if isinstance(target, str) else target
    pod = source_pod(backend, source, namespace)
    image = pod["spec"]["containers"][0]["image"]
    return (pod["metadata"]["name"], probe_command(image, t.name, t.port, timeout),
            pod["metadata"]["namespace"])


def probe(backend: Backend, source: str, target: Union[str, Target], namespace: Optional[str] = None,
          timeout: int = DEFAULT_TIMEOUT) -> ExecResult:
    """Run the probe command from ``source``'s pod to ``target``; never raises for a blocked flow."""
    pod, argv, ns = _request(backend, source, target, namespace, timeout)
    return backend.exec(pod, argv, namespace=ns)


def _pod_key(pod: dict) -> str:
    return f'{pod["metadata"]["namespace"]}/{pod["metadata"]["name"]}'


def _predict_cell(engine: Engine, backend: Backend, src_key: str, t: Target, ns: str) -> Cell:
    """The engine's verdict for one cell, with its explanation."""
    svc_key = f"{ns}/{t.name}"
    if any(s.key == svc_key for s in engine.services):
        if any(p.key == src_key for p in engine.endpoints(svc_key)):
            return Cell(None, SAME_POD)
        sv = engine.evaluate_service(src_key, svc_key, t.port)
        return Cell(sv.allowed, "predicted", sv.explain(ns))
    dst_key = _pod_key(source_pod(backend, t.name, ns))
    if dst_key == src_key:
        return Cell(None, SAME_POD)
    v = engine.evaluate(src_key, dst_key, t.port)
    return Cell(v.allowed, "predicted", v.explain(ns))


def predict_matrix(backend: Backend, sources: Sequence[str], targets: Sequence[str],
                   namespace: Optional[str] = None, engine: Optional[Engine] = None,
                   title: str = "") -> Matrix:
    """The matrix the policies imply, without sending a packet."""
    ns = namespace or backend.default_namespace
    eng = engine or backend.engine()
    ts = [parse_target(t) for t in targets]
    rows = []
    for s in sources:
        key = _pod_key(source_pod(backend, s, ns))
        rows.append(tuple(_predict_cell(eng, backend, key, t, ns) for t in ts))
    return Matrix(tuple(sources), tuple(t.label for t in ts), tuple(rows), title or "TCP connections", "predicted")


def probe_matrix(backend: Backend, sources: Sequence[str], targets: Sequence[str],
                 namespace: Optional[str] = None, timeout: int = DEFAULT_TIMEOUT,
                 workers: int = 4, title: str = "") -> Matrix:
    """Probe every source -> target pair from inside the pods (in parallel, bounded).

    Each cell keeps what the probe saw and the engine's explanation; when the two
    disagree (a real CNI that does not enforce, say) the detail says so.
    """
    ns = namespace or backend.default_namespace
    ts = [parse_target(t) for t in targets]
    predicted = predict_matrix(backend, sources, targets, ns)
    pairs = [(s, t) for s in sources for t in ts if predicted.cell(s, t.label).allowed is not None]
    requests = [_request(backend, s, t, ns, timeout) for s, t in pairs]
    exec_many = getattr(backend, "exec_many", None)
    if callable(exec_many):
        # A real cluster: bounded parallel probes (after the CNI's settle time), so a
        # matrix costs about one probe timeout per worker round, not one per cell.
        results = exec_many(requests, workers=workers)
    else:  # the embedded cluster answers at once
        results = [backend.exec(pod, argv, namespace=pns) for pod, argv, pns in requests]
    probed = dict(zip(pairs, results))
    cells = []
    for s, t in ((s, t) for s in sources for t in ts):
        pred = predicted.cell(s, t.label)
        if (s, t) not in probed:
            cells.append(pred)
            continue
        ok, detail = outcome(probed[(s, t)])
        if pred.allowed != ok and detail != "refused":
            detail += " (engine predicted " + ("allowed" if pred.allowed else "blocked") + ")"
        cells.append(Cell(ok, detail, pred.why))
    n = len(ts)
    rows = tuple(tuple(cells[i * n:(i + 1) * n]) for i in range(len(sources)))
    return Matrix(tuple(sources), tuple(t.label for t in ts), rows, title or "TCP connections", "probed",
                  cluster_words(backend))


def cluster_words(backend: Backend) -> str:
    """Where probes ran, as a reader should be told: the embedded cluster or the kube context.

    >>> from netpol_kernel.sim.cluster import EmbeddedCluster
    >>> cluster_words(EmbeddedCluster())
    'the embedded cluster'
    """
    if getattr(backend, "name", "") == "sim":
        return "the embedded cluster"
    return str(getattr(backend, "context", "") or getattr(backend, "name", "") or "a cluster")


def what_if(backend: Backend, sources: Sequence[str], targets: Sequence[str],
            add: Iterable[dict] = (), remove: Iterable[str] = (), namespace: Optional[str] = None) -> MatrixDiff:
    """What would applying ``add`` (policy manifests) and deleting ``remove`` (names) change?

    Nothing is applied: both matrices are predictions over the cluster's objects.
    """
    from ..api.manifests import Document
    from ..api.validation import check

    ns = namespace or backend.default_namespace
    now = backend.engine()
    removed = set(remove)
    new: list[NetworkPolicy] = []
    for i, obj in enumerate(add):
        obj = {**obj, "metadata": {**(obj.get("metadata") or {}), "namespace": (obj.get("metadata") or {}).get("namespace") or ns}}
        check(Document("<what-if>", i, obj))
        pol = from_dict(obj)
        if not isinstance(pol, NetworkPolicy):
            raise NetpolError(f"what_if takes NetworkPolicy manifests, not {obj.get('kind')}")
        new.append(pol)
    replaced = {p.key for p in new}
    kept = [p for p in now.policies if p.name not in removed and p.key not in replaced]
    later = Engine(now.namespaces, now.pods, kept + new, now.services)
    before = predict_matrix(backend, sources, targets, ns, engine=now)
    after = predict_matrix(backend, sources, targets, ns, engine=later)
    return before.diff(after)


# ---------------------------------------------------------------- notebook conveniences
# The chapters call these with the current cluster (NETPOL_BACKEND), so a cell reads
# like what it does: `nk.reachability(["frontend", "not-frontend"], ["backend:8080"])`.

def _backend(backend: Optional[Backend]) -> Backend:
    from ..backends import current
    return backend or current()


def reachability(sources: Sequence[str], targets: Sequence[str], *, backend: Optional[Backend] = None,
           namespace: Optional[str] = None, predicted: bool = False, title: str = "") -> Matrix:
    """Who can talk to whom: probes from inside each source's pod (or, with
    ``predicted=True``, the engine's verdicts without sending anything)."""
    be = _backend(backend)
    if predicted:
        return predict_matrix(be, sources, targets, namespace, title=title)
    return probe_matrix(be, sources, targets, namespace, title=title)


def explain(source: str, target: str, *, backend: Optional[Backend] = None,
            namespace: Optional[str] = None, protocol: str = "TCP") -> str:
    """Why is ``source`` -> ``target`` (``NAME:PORT``) allowed or blocked? The engine's own evidence.

    With ``protocol="ICMP"`` (ping) the target is a pod, a deployment or ``NAME`` without a
    port, judged as kind's enforcer judges ICMP (the explanation says how).
    """
    be = _backend(backend)
    ns = namespace or be.default_namespace
    if protocol.upper() == "ICMP":
        src, dst = source_pod(be, source, ns), source_pod(be, target, ns)
        return _Text(be.engine().evaluate(_pod_key(src), _pod_key(dst), 0, "ICMP").explain(ns))
    cell = _predict_cell(be.engine(), be, _pod_key(source_pod(be, source, ns)),
                         parse_target(target), ns)
    return _Text(cell.why or "")


class _Text(str):
    """A str that Jupyter shows as plain text (no quotes), so explanations read well."""

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        # For the page: long lines wrap and keep their indentation (the text is unchanged).
        from .pagetext import indented_html
        return indented_html(str(self))
