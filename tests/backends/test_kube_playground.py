"""The kube backend's side of issue 12: ``exec`` with stdin, ``logs`` and ``events`` (Backend protocol),
against the fake client layer."""
from __future__ import annotations

import pytest

from kube_fakes import FakeClientLayer, FakeClock, FakeStream, exec_status
from netpol_kernel.api.manifests import load_documents
from netpol_kernel.backends.base import Backend
from netpol_kernel.backends.kube import KubeBackend
from netpol_kernel.errors import NotFoundError
from netpol_kernel.kubectl import kubectl

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx}]}
"""


@pytest.fixture
def backend(fake: FakeClientLayer, clock: FakeClock) -> KubeBackend:
    """The shared fake, with the web Deployment applied."""
    b = KubeBackend(client=fake, clock=clock, sleep=lambda s: None, progress=lambda m: None)
    b.apply(load_documents(APP, source="app.yaml"))
    return b


def _pod(backend: KubeBackend) -> str:
    return backend.get("Pod", selector="app=web")[0]["metadata"]["name"]


def test_still_a_backend(backend: KubeBackend) -> None:
    assert isinstance(backend, Backend)


def test_exec_sends_a_shell_script_as_sh_c_and_other_stdin_as_is(backend, fake) -> None:
    fake.exec_handler = lambda pod, ns, c, argv: FakeStream("hi\n", "", exec_status(0, argv))
    name = _pod(backend)
    assert backend.exec(name, ["sh"], stdin="echo hi\n").stdout == "hi\n"
    assert fake.requests[-1] == ("exec", name, "netpol-lab", "nginx", ("sh", "-c", "echo hi\n"))
    backend.exec(name, ["cat"], stdin="data\n")
    assert fake.requests[-1] == ("exec", name, "netpol-lab", "nginx", ("cat",), ("stdin", "data\n"))


def test_logs_read_the_pods_log(backend, fake) -> None:
    fake.debug_logs = '10.244.0.6 - - "GET / HTTP/1.1" 200 615\n'
    assert backend.container_logs("deploy/web") == fake.debug_logs
    assert fake.requests[-1] == ("read_log", _pod(backend), "netpol-lab", "nginx")
    with pytest.raises(NotFoundError, match='pods "ghost" not found'):
        backend.container_logs("ghost")
    assert kubectl("logs deploy/web", backend=backend).stdout == fake.debug_logs


def test_events_are_listed_oldest_first(backend, fake) -> None:
    def event(name: str, when: str, reason: str) -> dict:
        return {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": "netpol-lab"},
                "involvedObject": {"kind": "Pod", "name": "web"}, "reason": reason, "type": "Normal",
                "message": reason, "lastTimestamp": when, "firstTimestamp": when, "count": 1}
    fake.all_events = [event("b", "2024-01-01T00:00:02Z", "Started"), event("a", "2024-01-01T00:00:01Z", "Pulled"),
                   {**event("c", "2024-01-01T00:00:00Z", "Other"), "metadata": {"name": "c", "namespace": "x"}}]
    assert [e["reason"] for e in backend.events()] == ["Pulled", "Started"]
    assert [e["reason"] for e in backend.events(all_namespaces=True)] == ["Other", "Pulled", "Started"]
    table = kubectl("get events", backend=backend).stdout.splitlines()
    assert [row.split()[2] for row in table[1:]] == ["Pulled", "Started"]  # a name-sorted list here


def test_describe_service_on_a_real_cluster_reads_its_endpoints(backend, fake) -> None:
    fake.put({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "netpol-lab"},
              "spec": {"selector": {"app": "web"}, "type": "ClusterIP", "clusterIP": "10.96.0.20",
                       "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}]}})
    fake.put({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web", "namespace": "netpol-lab"},
              "subsets": [{"addresses": [{"ip": "10.244.0.9"}], "ports": [{"port": 80, "protocol": "TCP"}]}]})
    text = kubectl("describe svc web", backend=backend).text
    assert "Endpoints:         10.244.0.9:80\n" in text
