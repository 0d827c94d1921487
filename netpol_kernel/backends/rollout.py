"""Waiting for a real cluster: rollouts, pods that will never be ready, progress lines.

What :meth:`~netpol_kernel.backends.kube.KubeBackend.wait_ready` uses to wait
for the Deployments it applied: :func:`rollout_state` words a Deployment's state as
``kubectl rollout status`` does, :func:`stuck_pod` says why a pod will not
become ready by itself (an image that cannot be pulled, a crash loop), and
:func:`default_progress` is where the wait reports (a rewritten line on a
terminal, a line per step in notebooks and logs).  Ctrl-C during the wait
raises :class:`WaitInterrupted`, which carries what was applied.

:class:`WaitInterrupted` and :func:`default_progress` are re-exported by
:mod:`netpol_kernel.backends.kube`, where callers have always imported them.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Callable, Mapping, Optional, Sequence

from .base import ApplyResult

__all__ = ["WaitInterrupted", "default_progress", "Progress"]

# Container waiting reasons that no retry can fix: the image reference itself is wrong.
PERMANENT = {"InvalidImageName", "ErrImageNeverPull"}
# Reasons kubelet retries, and so do we until the deadline (as `kubectl rollout status`):
# a pull may hit Docker Hub's anonymous rate limit, the lab's frontend restarts until
# MariaDB accepts connections, a ConfigMap may be applied a moment later.
PULL_FAILURES = {"ErrImagePull", "ImagePullBackOff"}
_STUCK = {"CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError",
          "RunContainerError"}

Progress = Callable[[str], None]


# ----------------------------------------------------------------------------- interrupts


class WaitInterrupted(KeyboardInterrupt):
    """Ctrl-C while apply waited for Deployments: the objects *were* applied.

    ``results`` lists them; nothing was rolled back (the cluster is consistent,
    just not ready yet).  Subclasses KeyboardInterrupt so an interrupt stays one.
    """

    def __init__(self, results: Sequence[ApplyResult]):
        self.results = list(results)
        done = ", ".join(str(r) for r in self.results) or "nothing"
        super().__init__(f"interrupted while waiting for Deployments; already applied: {done}")


# ----------------------------------------------------------------------------- progress


class _TerminalLine:
    """One line rewritten in place; a message ending in newline is kept."""

    def __init__(self, stream: Any):
        self.stream = stream

    def __call__(self, message: str) -> None:
        self.stream.write("\r\x1b[K" + message)
        self.stream.flush()


class _Lines:
    """A line per step (notebooks and CI logs cannot rewrite a line)."""

    def __init__(self, stream: Any):
        self.stream = stream

    def __call__(self, message: str) -> None:
        self.stream.write(message.rstrip("\n") + "\n")
        self.stream.flush()


def default_progress(stream: Any = None) -> Progress:
    """Where waits report: a rewritten line on a terminal, a line per step elsewhere.

    ``NETPOL_PROGRESS=off`` silences it (e.g. when notebook outputs are compared).

    >>> import io; out = io.StringIO(); default_progress(out)("waiting\\n"); out.getvalue()
    'waiting\\n'
    """
    stream = stream or sys.stderr
    if os.environ.get("NETPOL_PROGRESS", "").lower() in ("0", "off", "no", "none", "false"):
        return lambda message: None
    isatty = getattr(stream, "isatty", lambda: False)
    return _TerminalLine(stream) if isatty() else _Lines(stream)


# ----------------------------------------------------------------------------- rollouts


def selector_string(selector: Mapping[str, Any]) -> str:
    """A LabelSelector dict as a ``label_selector`` query string.

    >>> selector_string({"matchLabels": {"app": "web"},
    ...     "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]})
    'app=web,tier notin (db)'
    """
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for e in selector.get("matchExpressions") or ():
        values = ",".join(e.get("values") or ())
        parts.append({"In": f"{e['key']} in ({values})", "NotIn": f"{e['key']} notin ({values})",
                      "Exists": e["key"], "DoesNotExist": f"!{e['key']}"}[e["operator"]])
    return ",".join(parts)


def rollout_state(dep: Mapping[str, Any]) -> tuple[bool, str]:
    """(done?, kubectl rollout status's wording) for one Deployment."""
    spec, status = dep.get("spec") or {}, dep.get("status") or {}
    name = dep["metadata"]["name"]
    want = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
    if (dep["metadata"].get("generation") or 0) > (status.get("observedGeneration") or 0):
        return False, f'deployment "{name}": waiting for the spec update to be observed'
    updated = int(status.get("updatedReplicas") or 0)
    total = int(status.get("replicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    if updated < want:
        return False, f'deployment "{name}": {updated} of {want} new replicas updated'
    if total > updated:
        return False, f'deployment "{name}": {total - updated} old replicas pending termination'
    if available < updated:
        return False, f'deployment "{name}": {available} of {updated} updated replicas available'
    return True, f'deployment "{name}" available'


def stuck_reason(pod: Mapping[str, Any]) -> Optional[str]:
    """The first container waiting reason of :func:`stuck_pod`'s kinds (ErrImagePull...), or None.

    >>> stuck_reason({"status": {"containerStatuses": [{"state": {"waiting":
    ...     {"reason": "CrashLoopBackOff"}}}]}})
    'CrashLoopBackOff'
    """
    status = pod.get("status") or {}
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        reason = ((cs.get("state") or {}).get("waiting") or {}).get("reason")
        if reason in PERMANENT | PULL_FAILURES | _STUCK:
            return str(reason)
    return None


def last_event(events: Sequence[Mapping[str, Any]]) -> str:
    """The newest event, worded as ``kubectl describe`` lists it (type, reason, message).

    >>> last_event([{"type": "Normal", "reason": "Pulling", "message": "Pulling image",
    ...              "lastTimestamp": "2024-08-01T10:00:01Z"},
    ...             {"type": "Warning", "reason": "Failed", "message": "Error: ErrImagePull",
    ...              "lastTimestamp": "2024-08-01T10:00:03Z"}])
    'Warning Failed: Error: ErrImagePull'
    """
    def when(e: Mapping[str, Any]) -> str:
        return str(e.get("lastTimestamp") or e.get("eventTime") or
                   (e.get("metadata") or {}).get("creationTimestamp") or "")
    if not events:
        return ""
    e = max(events, key=when)
    return f"{e.get('type', '')} {e.get('reason', '')}: {e.get('message', '')}".strip()


def stuck_pod(pod: Mapping[str, Any]) -> Optional[str]:
    """Why a pod is not becoming ready (image pull, crash loop), or None."""
    name = pod["metadata"]["name"]
    status = pod.get("status") or {}
    spec = pod.get("spec") or {}
    images = {c["name"]: c.get("image", "")
              for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])}
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        waiting = (cs.get("state") or {}).get("waiting") or {}
        reason, detail = waiting.get("reason"), waiting.get("message") or ""
        image = images.get(cs.get("name"), cs.get("image", ""))
        if reason in PULL_FAILURES | PERMANENT:
            return (f'pod {name} cannot pull image "{image}" ({reason}'
                    f"{': ' + detail if detail else ''}). Check the image name and tag.")
        if reason in _STUCK:
            last = ((cs.get("lastState") or {}).get("terminated") or {})
            code = f", last exit code {last['exitCode']}" if "exitCode" in last else ""
            return (f'container "{cs.get("name")}" (image "{image}") of pod {name} cannot run '
                    f"({reason}{code}{': ' + detail if detail else ''}). See "
                    f"`kubectl logs {name} -c {cs.get('name')} --previous`.")
    return None


def applied_summary(results: Sequence[ApplyResult]) -> str:
    """The sentence error messages use to say nothing was rolled back."""
    if not results:
        return ""
    return f" The objects were applied ({', '.join(str(r) for r in results)})."
