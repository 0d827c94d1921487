"""Running commands in a real cluster's pods: ``kubectl exec``, ``kubectl debug``, probe pools.

:class:`KubeExec` is the part of :class:`~netpol_kernel.backends.kube.KubeBackend`
that runs commands in pods: :meth:`KubeExec.exec` (the exit code read from the
API server's final v1.Status, a timeout instead of a hung notebook),
:meth:`KubeExec.exec_many` (a small bounded pool, so a probe matrix costs about
N*M/workers probe times) and :meth:`KubeExec.debug` (an ephemeral container,
awaited).  It is a mixin: the backend provides ``client``, ``default_namespace``,
the timeouts, the clock, and ``_api`` / ``_read`` / ``_fail`` / ``_ensure_ours`` /
``wait_ready`` / ``settle``.
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Optional, Sequence

from ..errors import NotFoundError, UnsupportedCommand
from ..api.resources import kind_of
from .base import ExecResult, KubectlExecError
from .kubeclient import ExecStream
from .rollout import PERMANENT, selector_string

__all__ = ["KubeExec"]

ERROR_CHANNEL = 3  # kubernetes.stream.ws_client.ERROR_CHANNEL: the exec's final v1.Status


def _exit_code(status_text: str) -> tuple[Optional[int], str]:
    """(exit code, message) from the exec's v1.Status on the error channel.

    >>> _exit_code('{"metadata":{},"status":"Success"}')
    (0, '')
    >>> _exit_code('{"status":"Failure","reason":"NonZeroExitCode","details":'
    ...            '{"causes":[{"reason":"ExitCode","message":"28"}]}}')
    (28, '')
    """
    try:
        status = json.loads(status_text)
    except ValueError:
        import yaml  # older API servers sent YAML-ish text on this channel
        status = yaml.safe_load(status_text)
    if not isinstance(status, dict):
        return None, str(status_text)
    if status.get("status") == "Success":
        return 0, ""
    for cause in (status.get("details") or {}).get("causes") or ():
        if cause.get("reason") == "ExitCode":
            return int(cause.get("message")), ""
    return None, str(status.get("message") or status_text)


_SHELLS = ("sh", "/bin/sh", "bash", "/bin/bash", "ash", "/bin/ash")


def shell_with_stdin(argv: Sequence[str], stdin: Optional[str]) -> list[str]:
    """A shell given a script on stdin and no ``-c`` runs it like ``sh -c SCRIPT``.

    That is what ``kubectl run -i ... -- sh`` with piped input amounts to (the
    shell reads its commands from stdin to the end), and it needs no half-closed
    stream, which the Python client's exec websocket cannot do.

    >>> shell_with_stdin(["sh"], "echo hi\\n")
    ['sh', '-c', 'echo hi\\n']
    >>> shell_with_stdin(["wget", "-qO-", "web"], "ignored")
    ['wget', '-qO-', 'web']
    """
    args = list(argv)
    if stdin is None or not args or args[0] not in _SHELLS:
        return args
    if args[1:] in ([], ["-s"], ["-i"], ["-l"]):
        return [args[0], "-c", stdin]
    return args


class KubeExec:
    """``exec``, ``exec_many`` and ``debug`` of :class:`~netpol_kernel.backends.kube.KubeBackend`."""

    def _resolve_pod(self, pod: str, namespace: str) -> dict:
        """A pod by name, or the first running pod of ``deploy/NAME`` / ``svc/NAME`` / ``rs/NAME``."""
        word, slash, name = pod.rpartition("/")
        kind = kind_of(word) if slash else "Pod"
        if kind == "Pod":
            return self._read("Pod", name, namespace)
        owner = self._read(kind, name, namespace)
        spec = owner.get("spec") or {}
        if kind == "Service":
            selector = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items()))
            if not selector:
                raise NotFoundError("pods", f"{name}-*", namespace)
        elif kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
            selector = selector_string(spec.get("selector") or {})
        else:
            raise UnsupportedCommand(f"error: cannot exec into a {word}: use a pod or deploy/NAME")
        with self._api("list", "Pod", "", namespace):
            pods = self.client.list("Pod", namespace, selector or None)
        running = sorted((p for p in pods if (p.get("status") or {}).get("phase") == "Running"
                          and not p["metadata"].get("deletionTimestamp")),
                         key=lambda p: p["metadata"]["name"])
        if not running:
            raise NotFoundError("pods", f"{name}-*", namespace)
        return running[0]

    def exec(self, pod: str, argv: Sequence[str], namespace: Optional[str] = None,
             container: Optional[str] = None, stdin: Optional[str] = None) -> ExecResult:
        """``kubectl exec POD -- ARGV`` without a TTY; the exit code comes from the API server.

        POD may be ``deploy/NAME`` (its first running pod).  A command still
        running after ``probe_timeout + exec_grace`` seconds is abandoned with
        exit code 124 (as ``timeout(1)`` reports) instead of hanging the notebook.

        >>> backend.exec("deploy/frontend", ["curl", "-I", "--connect-timeout", "5",
        ...              "backend:8080"]).exit_code  # doctest: +SKIP
        28
        """
        ns = namespace or self.default_namespace
        # As for apply/label/debug: never into a namespace the book did not create
        # (`kubectl exec -n kube-system ...` runs commands inside the cluster's own pods).
        try:
            self._ensure_ours(ns, create=False)
        except NotFoundError:
            pass  # _resolve_pod reports the pod (or deployment) missing, as the API server does
        self.wait_ready()
        self.settle()
        obj = self._resolve_pod(pod, ns)
        name = obj["metadata"]["name"]
        phase = (obj.get("status") or {}).get("phase")
        if phase != "Running":
            return KubectlExecError("", f"error: cannot exec into a container in a pod that is "
                                        f"not running; current phase is {phase}\n", 1)
        containers = [c["name"] for c in (obj.get("spec") or {}).get("containers") or ()]
        note = ""
        if container is None:
            default = ((obj["metadata"].get("annotations") or {})
                       .get("kubectl.kubernetes.io/default-container"))
            container = default or (containers[0] if containers else "")
            if not default and len(containers) > 1:
                note = f'Defaulted container "{container}" out of: {", ".join(containers)}\n'
        elif container not in containers:
            return KubectlExecError("", "error: unable to upgrade connection: container not "
                                        f'found ("{container}")\n', 1)
        # A shell's script on stdin becomes ``sh -c``: the exec websocket cannot half-close
        # stdin, so a shell reading it would never see its end.  Other commands get it as sent.
        shell = shell_with_stdin(argv, stdin)
        sent = None if shell != list(argv) else stdin
        with self._api("create", "pods/exec", name, ns):
            resp = (self.client.exec_stream(name, ns, container, shell, stdin=sent) if sent is not None
                    else self.client.exec_stream(name, ns, container, shell))
        result = self._collect(resp, name, ns)
        return type(result)(result.stdout, note + result.stderr, result.exit_code)

    def _collect(self, resp: ExecStream, pod: str, namespace: str) -> ExecResult:
        """Read stdout/stderr until the stream closes, then the exit status (channel 3)."""
        out: list[str] = []
        err: list[str] = []
        deadline = self._clock() + self.exec_timeout
        try:
            while resp.is_open():
                remaining = deadline - self._clock()
                if remaining <= 0:
                    resp.close()
                    err.append(f"error: the command did not finish within {self.exec_timeout:g}s; "
                               "netpol-kernel stopped waiting\n")
                    return ExecResult("".join(out), "".join(err), 124)
                resp.update(timeout=min(remaining, 1.0))
                out.append(resp.read_stdout(timeout=0) or "")
                err.append(resp.read_stderr(timeout=0) or "")
            out.append(resp.read_stdout(timeout=0) or "")
            err.append(resp.read_stderr(timeout=0) or "")
            status_text = resp.read_channel(ERROR_CHANNEL, timeout=0) or ""
        except Exception as exc:  # websocket / socket errors mid-stream
            self._fail(f'the exec stream to pod "{pod}" in namespace "{namespace}" broke: '
                       f"{type(exc).__name__}: {exc}")
        if not status_text.strip():
            self._fail(f'the exec stream to pod "{pod}" in namespace "{namespace}" closed '
                       "without an exit status (connection lost?)")
        code, message = _exit_code(status_text)
        if code is None:  # the command could not start (e.g. not in the image): kubectl's error
            return KubectlExecError("".join(out), "".join(err) + f"error: {message}\n", 1)
        return ExecResult("".join(out), "".join(err), code)

    def exec_many(self, requests: Sequence[tuple[str, Sequence[str], Optional[str]]],
                  workers: Optional[int] = None) -> list[ExecResult]:
        """Run many execs on at most ``workers`` (default ``probe_workers``) threads.

        An N x M probe matrix then costs about N*M/workers probe times, not N*M.
        Results come back in input order; the first failing request's error is
        raised.  Ctrl-C cancels the probes not yet started (running ones end
        by themselves within the exec timeout).

        >>> backend.exec_many([("deploy/frontend", ["true"], None)] * 8)  # doctest: +SKIP
        [ExecResult(stdout='', stderr='', exit_code=0), ...]
        """
        reqs = list(requests)
        if not reqs:
            return []
        size = max(1, min(workers or self.probe_workers, len(reqs)))
        self.wait_ready()
        self.settle()  # once here, rather than in every worker
        pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="netpol-probe")
        futures = [pool.submit(self.exec, pod, argv, ns) for pod, argv, ns in reqs]
        try:
            results = [f.result() for f in futures]
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return results

    def debug(self, pod: str, image: str, argv: Sequence[str], namespace: Optional[str] = None,
              target: Optional[str] = None) -> ExecResult:
        """``kubectl debug -i POD --image=IMAGE [--target=C] -- ARGV``, waiting for it to finish.

        The ephemeral container is named ``netpol-debug-<n>`` (n: how many the pod
        already has), so names are predictable and never collide.  Its log is
        stdout and stderr interleaved, returned as stdout.
        """
        ns = namespace or self.default_namespace
        self._ensure_ours(ns)
        self.wait_ready()
        self.settle()
        obj = self._resolve_pod(pod, ns)
        name = obj["metadata"]["name"]
        spec_ = obj.get("spec") or {}
        if target is not None and not any(c["name"] == target for c in spec_.get("containers") or ()):
            return KubectlExecError("", f'error: container "{target}" not found in pod "{name}"\n', 1)
        cname = f"netpol-debug-{len(spec_.get('ephemeralContainers') or [])}"
        spec: dict = {"name": cname, "image": image, "command": list(argv),
                      "imagePullPolicy": "IfNotPresent", "stdin": False, "tty": False}
        if target:
            spec["targetContainerName"] = target
        with self._api("patch", "Pod", name, ns):  # RBAC: patch pods/ephemeralcontainers
            self.client.add_ephemeral_container(name, ns, spec)
        code = self._wait_terminated(name, ns, cname, image)
        with self._api("get", "Pod", name, ns):  # RBAC: get pods/log
            logs = self.client.read_log(name, ns, cname)
        return ExecResult(logs or "", "", code)

    def _wait_terminated(self, pod: str, namespace: str, cname: str, image: str) -> int:
        deadline = self._clock() + self.ready_timeout + self.exec_timeout
        while True:
            obj = self._read("Pod", pod, namespace)
            statuses = (obj.get("status") or {}).get("ephemeralContainerStatuses") or []
            mine = next((s for s in statuses if s.get("name") == cname), None)
            state = (mine or {}).get("state") or {}
            if "terminated" in state:
                return int(state["terminated"].get("exitCode") or 0)
            waiting = state.get("waiting") or {}
            reason = waiting.get("reason")
            if reason in PERMANENT:
                self._fail(f'debug container {cname} of pod {pod} cannot pull image "{image}" '
                           f"({reason}: {waiting.get('message') or 'no message'})")
            if self._clock() >= deadline:
                # ErrImagePull/ImagePullBackOff may be Docker Hub's rate limit: retried until
                # here, as kubelet retries; then the pod's last event says why.
                why = f" ({reason})" if reason else ""
                self._fail(f"debug container {cname} of pod {pod} did not finish within "
                           f"{self.ready_timeout + self.exec_timeout:g}s{why}."
                           f"{self._last_event(pod, namespace)}")
            self._sleep(self.poll_interval)
