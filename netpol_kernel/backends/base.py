"""The small interface every cluster backend implements (embedded or real).

kubectl rendering, widgets and matrices talk only to this interface, so the
notebooks run unchanged against the embedded cluster or a kind cluster.
Objects cross it as plain API dicts (what the API server returns), so the
kubectl renderer is one piece of code for both.

>>> print(ExecResult("", "curl: (6) Could not resolve host: backend\\n", 6).output, end="")
curl: (6) Could not resolve host: backend
command terminated with exit code 6
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Protocol, Sequence, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    from ..policy.engine import Engine
    from ..api.manifests import Document

__all__ = ["Backend", "ApplyResult", "ApplyErrors", "ExecResult", "KubectlExecError"]

from ..api.resources import RESOURCES
from ..errors import NetpolError


@dataclass(frozen=True)
class ApplyResult:
    """One line of ``kubectl apply`` output: ``deployment.apps/frontend created``."""

    kind: str
    name: str
    namespace: Optional[str]
    action: str  # created | configured | unchanged | deleted

    def __str__(self) -> str:
        return f"{RESOURCES[self.kind][1]}/{self.name} {self.action}"


@dataclass(frozen=True)
class ExecResult:
    """What ``kubectl exec POD -- CMD`` produced; ``exit_code`` 0 means success."""

    stdout: str
    stderr: str
    exit_code: int

    @property
    def output(self) -> str:
        """stdout then stderr, plus kubectl's trailer on failure, as a terminal shows it."""
        text = self.stdout + self.stderr
        if self.exit_code != 0:
            text += f"command terminated with exit code {self.exit_code}\n"
        return text


@dataclass(frozen=True)
class KubectlExecError(ExecResult):
    """kubectl's own failure, the same on every backend (exit 1), such as a
    missing executable or container: printed as is, without ``command terminated``."""

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class ApplyErrors(NetpolError):
    """Some documents of an apply failed; the others were applied.

    kubectl reports each object on its own: ``results`` are the lines of the
    objects that were applied (in order), ``errors`` the (document, error) pairs
    of those that were not.  ``str()`` is the errors, one per line.
    """

    def __init__(self, results: Sequence["ApplyResult"], errors: Sequence[tuple[Optional["Document"], NetpolError]]):
        self.results = list(results)
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for _, e in self.errors))


@runtime_checkable
class Backend(Protocol):
    """A cluster.  Names are plain object names; ``namespace`` None means the default."""

    name: str  # "sim" or "kube"
    default_namespace: str

    def apply(self, docs: Sequence["Document"], namespace: Optional[str] = None) -> list[ApplyResult]:
        """Create or update each (already validated) document; raises NetpolError on refusal."""

    def delete(self, kind: str, name: str, namespace: Optional[str] = None) -> ApplyResult:
        """Delete one object; raises NotFoundError with kubectl's wording."""

    def get(self, kind: str, namespace: Optional[str] = None, name: Optional[str] = None,
            selector: Optional[str] = None, all_namespaces: bool = False) -> list[dict]:
        """Objects as the API server returns them (dicts); NotFoundError for a missing name."""

    def label(self, kind: str, name: str, labels: dict, namespace: Optional[str] = None,
              overwrite: bool = False) -> str:
        """Set (value) or remove (None) labels; returns kubectl's ``pod/x labeled`` line."""

    def exec(self, pod: str, argv: Sequence[str], namespace: Optional[str] = None,
             container: Optional[str] = None, stdin: Optional[str] = None) -> ExecResult:
        """Run argv in the pod's container, no TTY; NotFoundError for an unknown pod.
        ``stdin`` is what ``kubectl exec -i`` / ``run -i`` send: a shell started without ``-c``
        runs it as its script."""

    def container_logs(self, pod: str, namespace: Optional[str] = None, container: Optional[str] = None) -> str:
        """``kubectl logs``: what the container wrote so far; NotFoundError for an unknown pod."""

    def events(self, namespace: Optional[str] = None, all_namespaces: bool = False) -> list[dict]:
        """core/v1 Events (dicts as the API server returns them), oldest first."""

    def engine(self, namespace: Optional[str] = None) -> "Engine":
        """A policy engine over the cluster's current objects (for predictions and 'why')."""
