"""The lab, end to end, on a real cluster (kind >= v0.24, whose kindnet enforces policies).

Runs only with ``NETPOL_BACKEND=kube`` and a reachable cluster; otherwise every
test here is *skipped* with the reason (``make test-kind`` sets
``NETPOL_REQUIRE_LIVE=1`` in CI so an unreachable cluster fails instead).
Each test works in a fresh namespace it creates and deletes.

    make cluster && make test-kind
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from netpol_kernel.backends import backend_name
from netpol_kernel.errors import ClusterError, NotFoundError
from netpol_kernel.api.manifests import load_path

pytestmark = pytest.mark.live

MANIFESTS = Path(__file__).resolve().parents[2] / "book" / "manifests"
CURL = ["curl", "-I", "--connect-timeout", "5", "backend:8080"]
# example-web-python has python but no curl: connect like the probes module does.
PY_CONNECT = ("import socket,sys\n"
              "try:\n socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)\n"
              "except socket.timeout:\n sys.exit(28)\n"
              "except ConnectionRefusedError:\n sys.exit(7)\n")


def _live_backend():
    """The configured real cluster, or a skip saying why there is none."""
    if backend_name() != "kube":
        pytest.skip("live tests need NETPOL_BACKEND=kube and a cluster (`make cluster`, then "
                    "`make test-kind`)")
    from netpol_kernel.backends.kube import KubeBackend
    try:
        backend = KubeBackend.from_environment(ready_timeout=300, settle_seconds=5)
        backend.check_connection()
    except ClusterError as exc:
        if os.environ.get("NETPOL_REQUIRE_LIVE"):
            pytest.fail(f"NETPOL_REQUIRE_LIVE is set but the cluster is unusable: {exc}")
        pytest.skip(f"no usable cluster: {exc}")
    return backend


@pytest.fixture
def live() -> Iterator[tuple]:
    backend = _live_backend()
    ns = f"{backend.namespace_prefix}live-{uuid.uuid4().hex[:6]}"
    backend.create_namespace(ns, chapter="live-test")
    try:
        yield backend, ns
    finally:
        backend.cleanup(ns)


def _apply(backend, ns: str, name: str) -> list[str]:
    return [str(r) for r in backend.apply(load_path(MANIFESTS / name), namespace=ns)]


def _codes(backend, ns: str, requests: list[tuple[str, list[str]]]) -> list[int]:
    return [r.exit_code for r in backend.exec_many([(p, argv, ns) for p, argv in requests])]


def test_simple_app_lab(live) -> None:
    backend, ns = live
    assert _apply(backend, ns, "simple-app.yaml") == [
        "deployment.apps/frontend created", "deployment.apps/not-frontend created",
        "deployment.apps/backend created", "service/backend created"]
    assert _apply(backend, ns, "simple-app.yaml")[-1] == "service/backend unchanged"

    both = [("deploy/frontend", CURL), ("deploy/not-frontend", CURL)]
    ok = backend.exec("deploy/frontend", CURL, namespace=ns)
    assert ok.exit_code == 0 and ok.stdout.startswith("HTTP/1.1 200 OK"), ok.output
    assert _codes(backend, ns, both) == [0, 0]

    assert _apply(backend, ns, "backend-ingress-deny.yaml") == [
        "networkpolicy.networking.k8s.io/backend-ingress-deny created"]
    blocked = backend.exec("deploy/frontend", CURL, namespace=ns)
    assert blocked.exit_code == 28 and "command terminated with exit code 28" in blocked.output
    assert _codes(backend, ns, both) == [28, 28]

    _apply(backend, ns, "backend-allow-ingress-frontend.yaml")
    assert _codes(backend, ns, both) == [0, 28]  # policies are additive

    # The engine, fed the live objects, predicts what the probes saw.
    eng = backend.engine(ns)
    for source, allowed in (("frontend", True), ("not-frontend", False)):
        pod = next(p for p in backend.get("Pod", namespace=ns, selector=f"app={source}"))
        key = f'{ns}/{pod["metadata"]["name"]}'
        assert eng.evaluate_service(key, f"{ns}/backend", 8080).allowed is allowed

    names = sorted(p["metadata"]["name"] for p in backend.get("netpol", namespace=ns))
    assert names == ["backend-allow-ingress-frontend", "backend-ingress-deny"]
    with pytest.raises(NotFoundError, match='"backend-allow-ingress-frontend," not found'):
        backend.delete("netpol", "backend-allow-ingress-frontend,", namespace=ns)  # the lab's comma
    for name in names:
        assert backend.delete("netpol", name, namespace=ns).action == "deleted"
    assert _codes(backend, ns, both) == [0, 0]


def test_isolation_lab(live) -> None:
    backend, ns = live
    _apply(backend, ns, "example-app.yaml")
    to_db = ("deploy/example-frontend", ["python", "-c", PY_CONNECT, "mariadb", "3306"])
    to_web = ("deploy/client", ["curl", "-sS", "-o", "/dev/null", "--connect-timeout", "5",
                                "http://example-frontend:5000/"])
    assert _codes(backend, ns, [to_db, to_web]) == [0, 0]

    _apply(backend, ns, "deny-netpol.yaml")
    assert _codes(backend, ns, [to_db, to_web]) == [28, 28]  # DNS works: a timeout, not exit 6

    _apply(backend, ns, "frontend-to-backend.yaml")
    assert _codes(backend, ns, [to_db]) == [28]  # the lab's mistake: egress is still denied

    _apply(backend, ns, "frontend-egress-to-mariadb.yaml")
    _apply(backend, ns, "frontend-ingress-from-client.yaml")
    assert _codes(backend, ns, [to_db, to_web]) == [0, 0]
