"""What a program started in a pod sees: its context, its libc's words, name resolution.

Shared by the shell and tools (:mod:`.commands`) and the HTTP clients
(:mod:`.httpclients`).

>>> strerror("musl", "timeout"), strerror("glibc", "timeout")
('Operation timed out', 'Connection timed out')
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Mapping, Optional

from ..backends.base import KubectlExecError
from .images import PodNetwork, Resolution, Toolbox

__all__ = ["ExecContext", "Session", "oci_not_found", "resolve_host", "strerror"]


@dataclass
class Session:
    """What one ``kubectl exec`` accumulates while its commands run: the seconds a real
    run would have waited (the simulator never waits; ``timeout`` reads this clock)
    and the files its redirections wrote (kept for this exec only: the embedded
    cluster has no container filesystems).

    >>> s = Session(); s.wait(2.5); s.spent
    2.5
    """

    spent: float = 0.0
    files: dict[str, str] = field(default_factory=dict)
    killed_by: int = 0  # the signal that ended the last program (busybox timeout: SIGTERM, 15)

    def wait(self, seconds: float) -> None:
        self.spent += max(0.0, seconds)


@dataclass(frozen=True)
class ExecContext:
    """Where a command runs: the container's image, tools, environment and network.

    ``stdin`` is what the command reads (``kubectl exec -i``, or the previous command
    of a pipe); ``session`` is shared by every command of one exec.
    """

    tools: Toolbox
    net: PodNetwork
    env: Mapping[str, str]
    hostname: str
    namespace: str
    exec_id: str = "0" * 64
    tty: bool = False
    hosts: str = ""
    stdin: str = ""
    session: Session = field(default_factory=Session)


def oci_not_found(ctx: ExecContext, cmd: str) -> KubectlExecError:
    """The error containerd/runc report through kubectl for a command the image lacks."""
    why = (f'exec: "{cmd}": stat {cmd}: no such file or directory' if "/" in cmd
           else f'exec: "{cmd}": executable file not found in $PATH')
    return KubectlExecError("", (
        "error: Internal error occurred: error executing command in container: failed to exec in "
        f'container: failed to start exec "{ctx.exec_id}": OCI runtime exec failed: exec failed: '
        f"unable to start container process: {why}: unknown\n"), 1)


def strerror(libc: str, what: str) -> str:
    return {"timeout": "Operation timed out" if libc == "musl" else "Connection timed out",
            "refused": "Connection refused", "reset": "Connection reset by peer"}[what]


def resolve_host(host: str, ctx: ExecContext) -> tuple[Optional[str], Resolution | None]:
    """An address for a host: literal IPs and localhost need no DNS."""
    try:
        return str(ipaddress.ip_address(host)), None
    except ValueError:
        pass
    if host == "localhost":
        return "127.0.0.1", None
    res = ctx.net.resolve(host)
    return (res.ip if res.status == "ok" else None), res
