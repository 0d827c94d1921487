"""Is a kind cluster reachable? ``make test-kind`` asks first, in a few seconds.

Without one, the notebooks would each run into a ClusterError (76 failures with
colour tracebacks); this prints one line saying why and that ``make cluster``
creates one, and exits 1.  With one, it prints the context and exits 0.

    python tools/kind_preflight.py
"""
from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlsplit

CONNECT_TIMEOUT = 3.0  # seconds: kind serves on 127.0.0.1, so anything slower is not kind


def check() -> str:
    """The context in use; raises NetpolError (or OSError) saying what is missing."""
    from netpol_kernel.backends.kube import KubeBackend, check_context, kubeconfig_target
    context, server = kubeconfig_target(os.environ.get("NETPOL_KUBE_CONTEXT") or None)
    check_context(context, server, os.environ.get("NETPOL_ALLOW_CONTEXT") or None)
    parts = urlsplit(server)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        # A stopped kind container refuses at once; a port that never answers would make
        # the client retry for minutes.
        socket.create_connection((parts.hostname or "127.0.0.1", port), CONNECT_TIMEOUT).close()
    except OSError as exc:
        raise OSError(f'the API server of context "{context}" ({server}) does not answer: '
                      f"{exc.strerror or exc}") from None
    KubeBackend.from_environment().check_connection()
    return context


def main() -> int:
    from netpol_kernel.errors import NetpolError
    try:
        context = check()
    except (NetpolError, OSError) as exc:
        reason = str(exc).split(". Create a kind cluster")[0].rstrip(".")  # one hint, ours
        print(f"make test-kind: no kind cluster is reachable ({reason}). "
              "`make cluster` creates one.", file=sys.stderr)
        return 1
    print(f"make test-kind: using context {context}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
