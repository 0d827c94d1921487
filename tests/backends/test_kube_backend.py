"""KubeBackend against a fake client seam: no cluster, no sleeping."""
from __future__ import annotations

import threading
import time

import pytest

from kube_fakes import (FakeClientLayer, FakeHTTP, FakeStream, already_exists, api_error,
                        connection_refused, dns_failure, exec_status, invalid, not_found)
from netpol_kernel.backends.base import ApplyResult, Backend, ExecResult
from netpol_kernel.backends.kube import (CHAPTER_LABEL, MANAGED_BY, ClientLayer, KubeBackend,
                                         WaitInterrupted, convert_error, check_context, default_progress)
from netpol_kernel.backends.base import ApplyErrors
from netpol_kernel.errors import NamespaceMismatchError
from netpol_kernel.backends.base import KubectlExecError
from netpol_kernel.errors import (AlreadyExistsError, ClusterError, ManifestError, NetpolError,
                                  NotFoundError, UnsupportedCommand)
from netpol_kernel.api.manifests import load_documents

SIMPLE_APP = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, labels: {app: frontend}}
spec:
  replicas: 1
  selector: {matchLabels: {app: frontend}}
  template:
    metadata: {labels: {app: frontend}}
    spec:
      containers:
      - name: frontend-container
        image: docker.io/byrnedo/alpine-curl:0.1.8
        command: [/bin/ash, -c, sleep 1000000000]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, labels: {app: backend}}
spec:
  replicas: 1
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      containers:
      - name: backend-container
        image: docker.io/cilium/json-mock:1.2
        env: [{name: PORT, value: "8080"}]
        ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: backend, labels: {app: backend}}
spec:
  selector: {app: backend}
  ports: [{name: http, port: 8080}]
"""

DENY = """
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: backend-ingress-deny}
spec:
  podSelector: {matchLabels: {app: backend}}
  policyTypes: [Ingress]
"""

CURL = ["curl", "-I", "--connect-timeout", "5", "backend:8080"]


def docs(text: str, source: str = "simple-app.yaml"):
    return load_documents(text, source=source)


def running_app(backend: KubeBackend) -> None:
    backend.apply(docs(SIMPLE_APP))


# ----------------------------------------------------------------------------- interface


def test_it_is_a_backend(backend: KubeBackend) -> None:
    assert isinstance(backend, Backend)
    assert backend.name == "kube" and backend.default_namespace == "netpol-lab"


# ----------------------------------------------------------------------------- apply


def test_apply_reports_created_then_unchanged_then_configured(backend, fake) -> None:
    first = backend.apply(docs(SIMPLE_APP))
    assert [str(r) for r in first] == ["deployment.apps/frontend created",
                                       "deployment.apps/backend created", "service/backend created"]
    assert all(r.namespace == "netpol-lab" for r in first)
    again = backend.apply(docs(SIMPLE_APP))
    assert [r.action for r in again] == ["unchanged"] * 3
    changed = backend.apply(docs(SIMPLE_APP.replace("json-mock:1.2", "json-mock:1.3")))
    assert [r.action for r in changed] == ["unchanged", "configured", "unchanged"]


def test_apply_is_server_side_apply_into_the_target_namespace(backend, fake) -> None:
    backend.apply(docs(DENY))
    (call,) = [r for r in fake.requests if r[0] == "apply"]
    _, kind, ns, name, body = call
    assert (kind, ns, name) == ("NetworkPolicy", "netpol-lab", "backend-ingress-deny")
    assert body["metadata"]["namespace"] == "netpol-lab"
    assert body["spec"]["podSelector"] == {"matchLabels": {"app": "backend"}}


def test_apply_reports_each_document_on_its_own(backend, fake) -> None:
    """The embedded cluster's contract: refused documents do not stop the others."""
    bad = DENY.replace("backend-ingress-deny", "bad").replace(
        "policyTypes: [Ingress]", "policyTypes: [Inbound]") + "---\n" + DENY
    with pytest.raises(ApplyErrors) as info:
        backend.apply(docs(bad, "deny.yaml"))
    assert [str(r) for r in info.value.results] == [
        "networkpolicy.networking.k8s.io/backend-ingress-deny created"]
    ((doc, err),) = info.value.errors
    assert doc.index == 0 and isinstance(err, ManifestError) and "policyTypes" in str(err)
    assert [r[3] for r in fake.requests if r[0] == "apply"] == ["backend-ingress-deny"]


def test_apply_refuses_a_namespace_mismatch(backend) -> None:
    text = DENY.replace("name: backend-ingress-deny}", "name: x, namespace: your-namespace}")
    with pytest.raises(ApplyErrors) as info:
        backend.apply(docs(text), namespace="netpol-lab")
    assert isinstance(info.value.errors[0][1], NamespaceMismatchError)
    assert "does not match the namespace" in str(info.value)


def test_apply_into_a_missing_namespace_is_kubectls_not_found(backend) -> None:
    # the lab's hard-coded `namespace: your-namespace`
    text = DENY.replace("name: backend-ingress-deny}", "name: x, namespace: your-namespace}")
    with pytest.raises(ApplyErrors) as info:
        backend.apply(docs(text))
    assert str(info.value) == 'Error from server (NotFound): namespaces "your-namespace" not found'


def test_applying_a_namespace_keeps_our_label(backend, fake) -> None:
    (res,) = backend.apply(docs("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"))
    assert str(res) == "namespace/shop created"
    assert fake.read("Namespace", "shop", None)["metadata"]["labels"][MANAGED_BY] == "netpol-kernel"


# ----------------------------------------------------------------------------- waiting for deployments


def test_apply_waits_for_deployments_and_reports_progress(backend, fake, clock, messages) -> None:
    fake.ready_after = 4
    backend.apply(docs(SIMPLE_APP))
    assert messages[0].startswith("waiting: ") and 'deployment "frontend"' in messages[0]
    assert messages[-1] == "deployments available after 3s\n"
    assert clock.sleeps == [1.0, 1.0, 1.0]  # poll_interval, on the fake clock


def test_no_progress_when_nothing_needs_waiting(backend, messages) -> None:
    running_app(backend)
    messages.clear()
    backend.apply(docs(SIMPLE_APP))
    assert messages == []


def test_image_pull_failure_is_retried_then_names_pod_image_and_last_event(backend, fake, clock,
                                                                          messages) -> None:
    """ErrImagePull may be Docker Hub's rate limit: retried until ready_timeout, as kubectl
    rollout status does, then the error names the pod, the image and its last event."""
    fake.pod_waiting["backend"] = {"reason": "ErrImagePull", "message":
                                   'failed to pull and unpack image "docker.io/cilium/json-mock:9.9": not found'}
    # An event as kubelet records it (pkg/kubelet/images/image_manager.go: reason Failed).
    fake.pod_events[("netpol-lab", "backend-6c9b8f7d4-x2k9p")] = [
        {"type": "Normal", "reason": "Pulling", "message": 'Pulling image "docker.io/cilium/json-mock:9.9"',
         "lastTimestamp": "2024-08-01T10:00:01Z"},
        {"type": "Warning", "reason": "Failed", "message": "Error: ErrImagePull",
         "lastTimestamp": "2024-08-01T10:00:02Z"}]
    with pytest.raises(ClusterError) as info:
        backend.apply(docs(SIMPLE_APP.replace("json-mock:1.2", "json-mock:9.9")))
    msg = str(info.value)
    assert 120 <= clock.now - 1000.0 <= 122  # not at the first ErrImagePull
    assert any("(ErrImagePull, retrying)" in m for m in messages)
    assert 'pod backend-6c9b8f7d4-x2k9p cannot pull image "docker.io/cilium/json-mock:9.9"' in msg
    assert "Last event of pod backend-6c9b8f7d4-x2k9p: Warning Failed: Error: ErrImagePull." in msg
    assert "ErrImagePull" in msg and 'context "kind-netpol-course"' in msg
    assert "service/backend created" in msg  # what was applied anyway


def test_a_pull_that_recovers_is_waited_for(backend, fake, clock) -> None:
    fake.pod_waiting["backend"] = {"reason": "ImagePullBackOff", "message": "toomanyrequests"}
    fake.ready_after = 10
    original = clock.sleep

    def sleep(seconds: float) -> None:  # the rate limit lifts after 30 s
        original(seconds)
        if clock.now - 1000.0 >= 30:
            fake.pod_waiting.pop("backend", None)

    backend._sleep = sleep
    assert [r.action for r in backend.apply(docs(SIMPLE_APP))] == ["created"] * 3


def test_an_invalid_image_name_fails_at_once(backend, fake, clock) -> None:
    fake.pod_waiting["backend"] = {"reason": "InvalidImageName",
                                   "message": 'couldn\'t parse image name "Json-Mock"'}
    with pytest.raises(ClusterError, match=r'cannot pull image .*InvalidImageName'):
        backend.apply(docs(SIMPLE_APP))
    assert clock.now - 1000.0 < 5


def test_crash_loop_is_retried_until_the_deadline(backend, fake, clock) -> None:
    """The lab's frontend restarts until MariaDB accepts connections: not an error yet."""
    fake.pod_waiting["backend"] = {"reason": "CrashLoopBackOff",
                                   "message": "back-off 40s restarting failed container"}
    fake.last_terminated["backend"] = {"exitCode": 1, "reason": "Error"}
    with pytest.raises(ClusterError, match=r"CrashLoopBackOff, last exit code 1.*kubectl logs"):
        backend.apply(docs(SIMPLE_APP))
    assert 120 <= clock.now - 1000.0 <= 122


def test_ready_timeout_is_bounded(fake, clock) -> None:
    fake.ready_after = 10_000
    b = KubeBackend(client=fake, clock=clock, sleep=clock.sleep, progress=lambda m: None,
                    ready_timeout=30)
    with pytest.raises(ClusterError, match=r"timed out after 30s waiting for Deployments"):
        b.apply(docs(SIMPLE_APP))
    assert 30 <= clock.now - 1000.0 <= 32


def test_ctrl_c_during_the_wait_reports_what_was_applied(fake, clock, messages) -> None:
    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    b = KubeBackend(client=fake, clock=clock, sleep=interrupt, progress=messages.append)
    with pytest.raises(KeyboardInterrupt) as info:
        b.apply(docs(SIMPLE_APP))
    assert isinstance(info.value, WaitInterrupted)
    assert [str(r) for r in info.value.results][-1] == "service/backend created"
    assert "already applied: deployment.apps/frontend created" in messages[-1]
    assert fake.read("Service", "backend", "netpol-lab")  # nothing rolled back


def test_default_progress_terminal_line_and_notebook_lines(monkeypatch) -> None:
    import io

    class TTY(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, log = TTY(), io.StringIO()
    monkeypatch.delenv("NETPOL_PROGRESS", raising=False)
    default_progress(tty)("waiting: a")
    default_progress(tty)("done\n")
    default_progress(log)("waiting: a")
    assert tty.getvalue() == "\r\x1b[Kwaiting: a\r\x1b[Kdone\n"
    assert log.getvalue() == "waiting: a\n"
    monkeypatch.setenv("NETPOL_PROGRESS", "off")
    quiet = io.StringIO()
    default_progress(quiet)("x")
    assert quiet.getvalue() == ""


# ----------------------------------------------------------------------------- settle


def test_settle_sleeps_only_the_remaining_time(backend, clock) -> None:
    assert backend.settle() == 0.0  # no policy change yet
    backend.apply(docs(DENY))
    clock.sleep(0.5)
    assert backend.settle() == pytest.approx(1.5)
    assert backend.settle() == 0.0


def test_probes_wait_for_the_cni_after_a_policy_change(backend, fake, clock) -> None:
    running_app(backend)
    backend.apply(docs(DENY))
    before = clock.now
    backend.exec("deploy/frontend", CURL)
    assert clock.now - before == pytest.approx(2.0)


# ----------------------------------------------------------------------------- exec


@pytest.mark.parametrize("code,stdout,stderr", [
    (0, "HTTP/1.1 200 OK\r\nX-Powered-By: Express\r\n\r\n", ""),
    (28, "", "curl: (28) Connection timed out after 5001 milliseconds\n"),
    (7, "", "curl: (7) Failed to connect to backend port 8080 after 3 ms: Connection refused\n"),
])
def test_exec_exit_codes(backend, fake, code, stdout, stderr) -> None:
    running_app(backend)
    fake.exec_handler = lambda pod, ns, c, argv: FakeStream(stdout, stderr, exec_status(code, argv))
    res = backend.exec("frontend-6c9b8f7d4-x2k9p", CURL)
    assert res == ExecResult(stdout, stderr, code)
    if code == 28:
        assert res.output == ("curl: (28) Connection timed out after 5001 milliseconds\n"
                              "command terminated with exit code 28\n")
    assert fake.requests[-1] == ("exec", "frontend-6c9b8f7d4-x2k9p", "netpol-lab",
                                 "frontend-container", tuple(CURL))


def test_exec_deploy_name_picks_the_first_running_pod(backend, fake) -> None:
    running_app(backend)
    backend.exec("deploy/backend", ["true"])
    assert fake.requests[-1][1] == "backend-6c9b8f7d4-x2k9p"


def test_exec_unknown_pod_and_podless_deployment(backend, fake) -> None:
    with pytest.raises(NotFoundError, match=r'^Error from server \(NotFound\): pods "ghost" not found$'):
        backend.exec("ghost", ["true"])
    with pytest.raises(NotFoundError, match=r'deployments.apps "ghost" not found'):
        backend.exec("deploy/ghost", ["true"])
    fake.put({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {
        "name": "idle", "namespace": "netpol-lab"}, "spec": {
            "replicas": 0, "selector": {"matchLabels": {"app": "idle"}},
            "template": {"metadata": {"labels": {"app": "idle"}}, "spec": {"containers": []}}}})
    with pytest.raises(NotFoundError, match=r'pods "idle-\*" not found'):
        backend.exec("deploy/idle", ["true"])


def test_exec_that_never_finishes_times_out(backend, fake, clock) -> None:
    running_app(backend)
    fake.exec_handler = lambda pod, ns, c, argv: FakeStream(hang=True, clock=clock)
    start = clock.now
    res = backend.exec("deploy/frontend", ["curl", "backend:8080"])
    assert res.exit_code == 124 and "did not finish within 30s" in res.stderr
    assert clock.now - start == pytest.approx(30.0)  # probe_timeout 5 + exec_grace 25
    assert fake.active_execs == 0  # the stream was closed


def test_broken_stream_is_a_cluster_error(backend, fake) -> None:
    running_app(backend)
    fake.exec_handler = lambda pod, ns, c, argv: FakeStream(breaks=True)
    with pytest.raises(ClusterError, match=r"exec stream to pod \"frontend-.*broke: "
                                           r"WebSocketConnectionClosedException"):
        backend.exec("deploy/frontend", ["true"])
    fake.exec_handler = lambda pod, ns, c, argv: FakeStream("partial", status="")
    with pytest.raises(ClusterError, match="without an exit status"):
        backend.exec("deploy/frontend", ["true"])


def test_exec_failure_without_exit_code(backend, fake) -> None:
    running_app(backend)
    status = ('{"metadata":{},"status":"Failure","message":"OCI runtime exec failed: exec failed: '
              'unable to start container process: exec: \\"nc\\": executable file not found in '
              '$PATH: unknown","reason":"InternalError"}')
    fake.exec_handler = lambda pod, ns, c, argv: FakeStream(status=status)
    res = backend.exec("deploy/frontend", ["nc"])
    assert isinstance(res, KubectlExecError) and res.exit_code == 1
    assert res.output == ('error: OCI runtime exec failed: exec failed: unable to start container '
                          'process: exec: "nc": executable file not found in $PATH: unknown\n')


def test_exec_stream_handshake_failure(backend, fake) -> None:
    running_app(backend)
    exc = api_error(0, "", "")
    exc.body, exc.reason = None, "Handshake status 500 Internal Server Error"
    fake.fail("exec", exc)
    with pytest.raises(ClusterError, match="Handshake status 500"):
        backend.exec("deploy/frontend", ["true"])


# ----------------------------------------------------------------------------- exec_many


def test_exec_many_keeps_input_order_and_stays_bounded(fake, clock) -> None:
    b = KubeBackend(client=fake, clock=clock, sleep=clock.sleep, progress=lambda m: None,
                    probe_workers=3)
    b.apply(docs(SIMPLE_APP))

    def handler(pod, ns, c, argv):
        n = int(argv[1])
        # later requests finish first, so completion order differs from input order
        return FakeStream(stdout=f"{n}\n", status=exec_status(n % 3), hold=0.002 * (12 - n))

    fake.exec_handler = handler
    reqs = [("deploy/frontend", ["echo", str(i)], None) for i in range(12)]
    t0 = time.perf_counter()
    results = b.exec_many(reqs)
    assert [r.stdout for r in results] == [f"{i}\n" for i in range(12)]
    assert [r.exit_code for r in results] == [i % 3 for i in range(12)]
    assert 1 < fake.max_active_execs <= 3
    assert time.perf_counter() - t0 < 2
    fake.max_active_execs = 0
    b.exec_many(reqs[:5], workers=2)
    assert fake.max_active_execs <= 2


def test_exec_many_propagates_and_cancels_pending_on_ctrl_c(backend, fake) -> None:
    running_app(backend)
    started: list[str] = []
    lock = threading.Lock()

    def handler(pod, ns, c, argv):
        with lock:
            started.append(argv[1])
        if argv[1] == "0":
            raise KeyboardInterrupt  # as if Ctrl-C landed while probe 0 ran
        return FakeStream(hold=0.01)

    fake.exec_handler = handler
    reqs = [("deploy/frontend", ["echo", str(i)], None) for i in range(20)]
    with pytest.raises(KeyboardInterrupt):
        backend.exec_many(reqs, workers=1)
    time.sleep(0.05)
    assert len(started) < 20  # the pending probes were cancelled


def test_exec_many_of_nothing(backend) -> None:
    assert backend.exec_many([]) == []


# ----------------------------------------------------------------------------- debug


def test_debug_runs_an_ephemeral_container(backend, fake) -> None:
    running_app(backend)
    fake.debug_logs = "LISTEN 0 511 *:8080 *:*\n"
    res = backend.debug("deploy/backend", "nicolaka/netshoot:v0.13", ["ss", "-ltn"],
                        target="backend-container")
    assert res == ExecResult("LISTEN 0 511 *:8080 *:*\n", "", 0)
    (call,) = [r for r in fake.requests if r[0] == "add_ephemeral_container"]
    assert call[3] == {"name": "netpol-debug-0", "image": "nicolaka/netshoot:v0.13",
                       "command": ["ss", "-ltn"], "imagePullPolicy": "IfNotPresent",
                       "stdin": False, "tty": False, "targetContainerName": "backend-container"}
    fake.debug_exit = 3
    assert backend.debug("deploy/backend", "busybox:1.36", ["false"]).exit_code == 3
    assert [r for r in fake.requests if r[0] == "add_ephemeral_container"][-1][3]["name"] == \
        "netpol-debug-1"


# ----------------------------------------------------------------------------- get / label / delete / engine


def test_get_returns_api_dicts(backend) -> None:
    running_app(backend)
    (svc,) = backend.get("svc", name="backend")
    assert svc["kind"] == "Service" and svc["metadata"]["namespace"] == "netpol-lab"
    pods = backend.get("Pod", selector="app=backend")
    assert [p["metadata"]["name"] for p in pods] == ["backend-6c9b8f7d4-x2k9p"]
    assert pods[0]["status"]["podIP"].startswith("10.244.0.")
    kube_dns = backend.get("pods", namespace="kube-system", selector="k8s-app=kube-dns")
    assert len(kube_dns) == 1  # reading namespaces we do not own is fine
    everything = backend.get("Pod", all_namespaces=True)
    assert {p["metadata"]["namespace"] for p in everything} == {"kube-system", "netpol-lab"}
    with pytest.raises(NotFoundError, match='networkpolicies.networking.k8s.io "nope" not found'):
        backend.get("netpol", name="nope")
    with pytest.raises(UnsupportedCommand, match='doesn\'t have a resource type "widgets"'):
        backend.get("widgets")


def test_label_like_kubectl(backend, fake) -> None:
    running_app(backend)
    pod = "frontend-6c9b8f7d4-x2k9p"
    assert backend.label("pod", pod, {"role": "client"}) == f"pod/{pod} labeled"
    assert backend.label("pod", pod, {"role": "client"}) == f"pod/{pod} not labeled"
    with pytest.raises(NetpolError, match=r"'role' already has a value \(client\), and --overwrite is false"):
        backend.label("pod", pod, {"role": "server"})
    assert backend.label("pod", pod, {"role": "server"}, overwrite=True) == f"pod/{pod} labeled"
    assert backend.label("pod", pod, {"role": None}) == f"pod/{pod} unlabeled"
    assert "role" not in fake.read("Pod", pod, "netpol-lab")["metadata"]["labels"]


def test_label_never_drops_our_namespace_marker(backend) -> None:
    with pytest.raises(ClusterError, match="refusing to change the label app.kubernetes.io/managed-by"):
        backend.label("ns", "netpol-lab", {MANAGED_BY: None})
    assert backend.label("ns", "netpol-lab", {"team": "a"}) == "namespace/netpol-lab labeled"


def test_delete(backend, fake, clock) -> None:
    backend.apply(docs(DENY))
    res = backend.delete("netpol", "backend-ingress-deny")
    assert res == ApplyResult("NetworkPolicy", "backend-ingress-deny", "netpol-lab", "deleted")
    with pytest.raises(NotFoundError, match=r'networkpolicies.networking.k8s.io "backend-ingress-deny" not found'):
        backend.delete("netpol", "backend-ingress-deny")
    # the lab's mistake: a trailing comma makes the name "backend-allow-ingress-frontend,"
    with pytest.raises(NotFoundError, match=r'"backend-allow-ingress-frontend," not found'):
        backend.delete("netpol", "backend-allow-ingress-frontend,")


def test_engine_over_the_live_objects(backend) -> None:
    running_app(backend)
    backend.apply(docs(DENY))
    eng = backend.engine()
    fe, be = "netpol-lab/frontend-6c9b8f7d4-x2k9p", "netpol-lab/backend-6c9b8f7d4-x2k9p"
    assert {p.key for p in eng.pods} >= {fe, be, "kube-system/coredns-7db6d8ff4d-bqz2x"}
    assert not eng.evaluate(fe, be, 8080).allowed
    assert eng.evaluate(be, fe, 8080).allowed
    assert [s.key for s in eng.services] == ["netpol-lab/backend"]
    # as in the embedded cluster, a namespace does not narrow it (policies cross namespaces)
    assert {p.key for p in backend.engine("netpol-lab").pods} == {p.key for p in eng.pods}


# ----------------------------------------------------------------------------- safety


@pytest.mark.parametrize("context,server,why", [
    ("prod-eu", "https://127.0.0.1:6443", "its name does not start with kind-"),
    ("kind-evil", "https://k8s.example.com:6443", "its server 'k8s.example.com' is not localhost"),
    ("gke_x_y", "https://34.1.2.3", "does not start with kind- and its server"),
])
def test_refused_contexts(context, server, why) -> None:
    with pytest.raises(ClusterError) as info:
        KubeBackend(client=FakeClientLayer(context, server))
    msg = str(info.value)
    assert f'refusing to use Kubernetes context "{context}"' in msg and why in msg
    assert msg.endswith(f"set NETPOL_ALLOW_CONTEXT={context}")


def test_opt_in_by_exact_context_name() -> None:
    layer = FakeClientLayer("prod-eu", "https://10.0.0.1:6443")
    assert KubeBackend(client=layer, allow_context="prod-eu").context == "prod-eu"
    with pytest.raises(ClusterError):
        KubeBackend(client=layer, allow_context="prod")  # not a prefix match
    check_context("kind-x", "https://localhost:1234")
    check_context("kind-x", "https://[::1]:1234")


KUBECONFIG = """
apiVersion: v1
kind: Config
current-context: {current}
clusters:
- name: kind-netpol-course
  cluster: {{server: "https://127.0.0.1:41231", insecure-skip-tls-verify: true}}
- name: prod
  cluster: {{server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}}
contexts:
- name: kind-netpol-course
  context: {{cluster: kind-netpol-course, user: u}}
- name: prod
  context: {{cluster: prod, user: u}}
users:
- name: u
  user: {{token: abc}}
"""


def test_from_environment_reads_kubeconfig_and_guards(tmp_path, monkeypatch) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(KUBECONFIG.format(current="kind-netpol-course"))
    monkeypatch.setenv("KUBECONFIG", str(cfg))
    monkeypatch.delenv("NETPOL_KUBE_CONTEXT", raising=False)
    monkeypatch.delenv("NETPOL_ALLOW_CONTEXT", raising=False)
    b = KubeBackend.from_environment()
    assert b.context == "kind-netpol-course" and b.client.server == "https://127.0.0.1:41231"
    monkeypatch.setenv("NETPOL_KUBE_CONTEXT", "prod")
    with pytest.raises(ClusterError, match=r'context "prod" \(server https://10.0.0.1:6443\).*NETPOL_ALLOW_CONTEXT=prod'):
        KubeBackend.from_environment()
    monkeypatch.setenv("NETPOL_ALLOW_CONTEXT", "prod")
    assert KubeBackend.from_environment().context == "prod"


def test_from_environment_without_kubeconfig(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(ClusterError, match=r"cannot load a Kubernetes configuration.*make cluster"):
        KubeBackend.from_environment()


def test_mutations_refuse_namespaces_we_did_not_create(backend, fake) -> None:
    fake.put({"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": "cfg", "namespace": "default"}})
    with pytest.raises(ApplyErrors) as info:
        backend.apply(docs(DENY + "---\n" + DENY.replace("backend-ingress-deny", "x")),
                      namespace="default")
    ((_, err),) = info.value.errors  # a ClusterError stops the apply: the rest would fail alike
    assert isinstance(err, ClusterError) and 'refusing to change namespace "default"' in str(err)
    for attempt in (lambda: backend.delete("cm", "cfg", namespace="default"),
                    lambda: backend.label("cm", "cfg", {"a": "b"}, namespace="default"),
                    lambda: backend.label("ns", "kube-system", {"a": "b"}),
                    lambda: backend.delete("ns", "default")):
        with pytest.raises(ClusterError, match=r'refusing to change namespace "(default|kube-system)"'
                                               r'.*lacks the label app.kubernetes.io/managed-by=netpol-kernel'):
            attempt()
    assert not [r for r in fake.requests if r[0] in ("apply", "delete", "patch_labels")]
    assert backend.get("cm", namespace="default", name="cfg")  # reading is fine


def test_the_default_namespace_is_created_on_demand(fake, clock) -> None:
    del fake.objects[("Namespace", None, "netpol-lab")]
    b = KubeBackend(client=fake, clock=clock, sleep=clock.sleep, progress=lambda m: None)
    b.apply(docs(DENY))
    labels = fake.read("Namespace", "netpol-lab", None)["metadata"]["labels"]
    assert labels[MANAGED_BY] == "netpol-kernel" and CHAPTER_LABEL in labels


def test_create_namespace_and_cleanup_touch_only_ours(backend, fake) -> None:
    assert backend.create_namespace("netpol-x", chapter="02_isolation") == "namespace/netpol-x created"
    assert fake.read("Namespace", "netpol-x", None)["metadata"]["labels"][CHAPTER_LABEL] == "02_isolation"
    for existing in ("netpol-x", "default"):  # as kubectl create namespace: never adopted
        with pytest.raises(AlreadyExistsError, match=f'namespaces "{existing}" already exists'):
            backend.create_namespace(existing)
    with pytest.raises(ClusterError, match='refusing to change namespace "kube-system"'):
        backend.cleanup("kube-system")
    assert backend.cleanup("netpol-x") == [ApplyResult("Namespace", "netpol-x", None, "deleted")]
    assert backend.cleanup("netpol-x") == []
    backend.create_namespace("netpol-y")
    fake.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": "impostor", "labels": {MANAGED_BY: "helm"}}})
    gone = backend.cleanup()
    assert sorted(r.name for r in gone) == ["netpol-lab", "netpol-y"]
    deleted = [r[3] for r in fake.requests if r[0] == "delete"]
    assert set(deleted) == {"netpol-x", "netpol-lab", "netpol-y"}
    assert {"default", "kube-system", "impostor"} <= {k[2] for k in fake.objects if k[0] == "Namespace"}


# ----------------------------------------------------------------------------- error conversion


def test_401_expired_credentials(backend, fake) -> None:
    fake.fail("read", api_error(401, "Unauthorized", "Unauthorized"))
    with pytest.raises(ClusterError, match=r'credentials of context "kind-netpol-course" \(401 Unauthorized\)'):
        backend.get("svc", name="backend")


def test_403_names_verb_and_resource(backend, fake) -> None:
    msg = ('networkpolicies.networking.k8s.io is forbidden: User "student" cannot list resource '
           '"networkpolicies" in API group "networking.k8s.io" in the namespace "netpol-lab"')
    fake.fail("list", api_error(403, "Forbidden", msg, {"group": "networking.k8s.io",
                                                       "kind": "networkpolicies"}))
    with pytest.raises(ClusterError) as info:
        backend.get("netpol")
    text = str(info.value)
    assert 'context "kind-netpol-course" is not allowed to list networkpolicies.networking.k8s.io ' \
           'in namespace "netpol-lab"' in text
    assert "kubectl auth can-i list networkpolicies.networking.k8s.io -n netpol-lab" in text


def test_404_409_422(backend, fake) -> None:
    err = convert_error(not_found("Deployment", "web"), "kind-x")
    assert isinstance(err, NotFoundError) and str(err) == \
        'Error from server (NotFound): deployments.apps "web" not found'
    err = convert_error(already_exists("Namespace", "shop"), "kind-x")
    assert isinstance(err, AlreadyExistsError) and str(err) == \
        'Error from server (AlreadyExists): namespaces "shop" already exists'
    conflict = api_error(409, "Conflict", "Operation cannot be fulfilled: the object has been modified")
    assert "Error from server (Conflict)" in str(convert_error(conflict, "kind-x"))
    fake.fail("apply", invalid("NetworkPolicy", "backend-ingress-deny", [
        {"reason": "FieldValueInvalid", "message": "Invalid value: 70000: must be between 1 and 65535, inclusive",
         "field": "spec.ingress[0].ports[0].port"},
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.podSelector"}]))
    with pytest.raises(ApplyErrors) as info:
        backend.apply(docs(DENY, "deny.yaml"))
    e = info.value.errors[0][1]
    assert isinstance(e, ManifestError)
    assert [(f.path, f.type) for f in e.errors] == [("spec.ingress[0].ports[0].port", "Invalid"),
                                                   ("spec.podSelector", "Required")]
    assert str(e) == ('The NetworkPolicy "backend-ingress-deny" is invalid: \n'
                      "* spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n"
                      "* spec.podSelector: Required value")
    assert e.source == "deny.yaml" and e.index == 0 and info.value.results == []


def test_connection_refused_names_the_context(backend, fake) -> None:
    fake.fail("read", connection_refused())
    with pytest.raises(ClusterError) as info:
        backend.get("pods", name="x")
    assert str(info.value) == (
        'cannot reach the Kubernetes API server of context "kind-netpol-course" '
        "(https://127.0.0.1:41231): connection refused. Is the cluster running? For kind: "
        "`kind get clusters`, and `make cluster` to create one.")
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_dns_and_timeouts(backend, fake) -> None:
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, ReadTimeoutError
    fake.fail("list", dns_failure())
    with pytest.raises(ClusterError, match="host name does not resolve"):
        backend.get("pods")
    fake.fail("list", MaxRetryError(None, "/api", ConnectTimeoutError("timed out")))  # type: ignore[arg-type]
    with pytest.raises(ClusterError, match="connecting timed out"):
        backend.get("pods")
    fake.fail("list", ReadTimeoutError(None, "/api", "Read timed out."))  # type: ignore[arg-type]
    with pytest.raises(ClusterError, match="did not answer in time"):
        backend.get("pods")


def test_other_server_errors(backend, fake) -> None:
    fake.fail("read", api_error(500, "InternalError", "etcdserver: request timed out"))
    with pytest.raises(ClusterError, match=r'Error from server \(InternalError\): etcdserver: '
                                           r'request timed out \[context "kind-netpol-course"\]'):
        backend.get("pods", name="x")


# ----------------------------------------------------------------------------- the real ClientLayer, HTTP faked


def _real_layer(routes) -> tuple[ClientLayer, FakeHTTP]:
    from kubernetes.client import ApiClient, Configuration
    cfg = Configuration()
    cfg.host = "https://127.0.0.1:41231"
    api = ApiClient(cfg)
    http = FakeHTTP(routes)
    api.rest_client.pool_manager = http
    return ClientLayer(api, "kind-netpol-course"), http


def test_client_layer_server_side_apply_request() -> None:
    path = "/apis/networking.k8s.io/v1/namespaces/netpol-lab/networkpolicies/deny"
    returned = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": "deny", "namespace": "netpol-lab", "resourceVersion": "812"},
                "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}
    layer, http = _real_layer({("PATCH", path): (200, returned)})
    body = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "deny", "namespace": "netpol-lab"}, "spec": {"podSelector": {}}}
    assert layer.apply("NetworkPolicy", "deny", "netpol-lab", body) == returned
    (req,) = http.requests
    assert req["method"] == "PATCH" and req["path"] == path
    # No force=true: fields owned by another manager come back as a 409 Conflict.
    assert req["query"] == "fieldManager=netpol-kernel"
    assert req["headers"]["Content-Type"] == "application/apply-patch+yaml"
    import json
    assert json.loads(req["body"]) == body
    assert layer.apply("NetworkPolicy", "deny", "netpol-lab", body, force=True) == returned
    assert http.requests[-1]["query"] == "fieldManager=netpol-kernel&force=true"


def test_client_layer_apply_conflict_is_the_servers_409() -> None:
    """The real client's REST layer raises the API server's Status as an ApiException."""
    path = "/apis/apps/v1/namespaces/netpol-lab/deployments/web"
    # Wording: k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager (ConflictsToError),
    # as `kubectl apply --server-side` prints it.
    status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: '
                         ".spec.replicas", "reason": "Conflict",
              "details": {"causes": [{"reason": "FieldManagerConflict", "message":
                                      'conflict with "kubectl-edit" using apps/v1',
                                      "field": ".spec.replicas"}]}, "code": 409}
    layer, http = _real_layer({("PATCH", path): (409, status)})
    with pytest.raises(Exception) as info:
        layer.apply("Deployment", "web", "netpol-lab", {"kind": "Deployment"})
    err = convert_error(info.value, "kind-netpol-course", verb="patch", kind="Deployment", name="web")
    assert not isinstance(err, ClusterError)  # one document's problem: the others still apply
    assert str(err).startswith('error: Apply failed with 1 conflict: conflict with "kubectl-edit" '
                               "using apps/v1: .spec.replicas")
    assert "force_conflicts" in str(err)


def test_client_layer_events_of_a_pod() -> None:
    events = {"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": [
        {"metadata": {"name": "web.1", "namespace": "netpol-lab"}, "reason": "Failed",
         "type": "Warning", "message": "Error: ErrImagePull",
         "involvedObject": {"kind": "Pod", "name": "web"}}]}
    layer, http = _real_layer({("GET", "/api/v1/namespaces/netpol-lab/events"): (200, events)})
    (event,) = layer.events("netpol-lab", "Pod", "web")
    assert event["reason"] == "Failed" and event["message"] == "Error: ErrImagePull"
    assert "fieldSelector=involvedObject.kind%3DPod%2CinvolvedObject.name%3Dweb" in \
        http.requests[0]["path"] + "?" + http.requests[0]["query"]


def test_client_layer_typed_reads_are_api_json() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": "web", "namespace": "netpol-lab", "creationTimestamp": "2024-08-01T10:00:00Z",
        "labels": {"app": "web"}}, "spec": {"containers": [
            {"name": "c", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]},
        "status": {"phase": "Running", "podIP": "10.244.0.7"}}
    plist = {"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "9"},
             "items": [{k: v for k, v in pod.items() if k not in ("apiVersion", "kind")}]}
    layer, http = _real_layer({("GET", "/api/v1/namespaces/netpol-lab/pods/web"): (200, pod),
                               ("GET", "/api/v1/namespaces/netpol-lab/pods"): (200, plist),
                               ("GET", "/api/v1/pods"): (200, plist)})
    assert layer.read("Pod", "web", "netpol-lab") == pod
    assert layer.list("Pod", "netpol-lab", "app=web") == [pod]  # kind/apiVersion filled in
    assert http.requests[1]["query"] == "labelSelector=app%3Dweb"
    assert layer.list("Pod", None, None) == [pod]
    http.routes[("GET", "/api/v1/nodes")] = (200, {"kind": "NodeList", "apiVersion": "v1", "metadata": {},
                                                   "items": [{"metadata": {"name": "cp"}}]})
    assert layer.list("Node", None, None) == [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "cp"}}]
    with pytest.raises(Exception) as info:
        layer.read("NetworkPolicy", "nope", "netpol-lab")
    err = convert_error(info.value, "kind-netpol-course", kind="NetworkPolicy", name="nope")
    assert str(err) == 'Error from server (NotFound): networkpolicies.networking.k8s.io "nope" not found'


def test_client_layer_exec_uses_a_private_api_client() -> None:
    seen = {}

    def stream(method, *args, **kw):
        seen["client"] = method.__self__.api_client
        seen["args"], seen["kw"] = args, kw
        return FakeStream()

    from kubernetes.client import ApiClient, Configuration
    cfg = Configuration()
    cfg.host = "https://127.0.0.1:41231"
    shared = ApiClient(cfg)
    layer = ClientLayer(shared, "kind-netpol-course", stream=stream)
    layer.exec_stream("web", "netpol-lab", "c", ["curl", "x"])
    assert seen["client"] is not shared and seen["client"].configuration is cfg
    assert seen["args"] == ("web", "netpol-lab")
    assert seen["kw"] == {"container": "c", "command": ["curl", "x"], "stdin": False, "stdout": True,
                          "stderr": True, "tty": False, "_preload_content": False}


# ----------------------------------------------------------------------------- the real exec stream, server faked


def _ws_backend(server, fake: FakeClientLayer, clock) -> KubeBackend:
    from kubernetes.client import ApiClient, Configuration
    cfg = Configuration()
    cfg.host = f"http://127.0.0.1:{server.port}"
    real = ClientLayer(ApiClient(cfg), "kind-netpol-course")
    fake.exec_stream = real.exec_stream  # type: ignore[method-assign]
    return KubeBackend(client=fake, progress=lambda m: None)


@pytest.mark.parametrize("code", [0, 28])
def test_exec_through_the_real_websocket_client(fake, clock, code) -> None:
    from kube_fakes import ExecServer
    b0 = KubeBackend(client=fake, clock=clock, sleep=clock.sleep, progress=lambda m: None)
    running_app(b0)
    err = "" if code == 0 else "curl: (28) Connection timed out after 5001 milliseconds\n"
    server = ExecServer([(1, "HTTP/1.1 200 OK\r\n"), (2, err), (1, "\r\n"),
                         (3, exec_status(code, CURL))])
    b = _ws_backend(server, fake, clock)
    res = b.exec("deploy/frontend", CURL)
    server.join()
    assert res == ExecResult("HTTP/1.1 200 OK\r\n\r\n", err, code)
    path = server.request_line.split()[1]
    assert path.startswith("/api/v1/namespaces/netpol-lab/pods/frontend-6c9b8f7d4-x2k9p/exec?")
    assert "command=curl&command=-I&command=--connect-timeout&command=5&command=backend%3A8080" in path
    assert "container=frontend-container" in path and "tty=false" in path and "stdin=false" in path
    # kubernetes 37 offers v5 first; the API server (1.30+) picks it.
    assert server.headers["sec-websocket-protocol"].split(",")[0] == "v5.channel.k8s.io"
    assert server.protocol == "v5.channel.k8s.io"


def test_exec_over_tls_reads_frames_already_decrypted(fake, clock, tmp_path) -> None:
    """kind's API server is https: one TLS record may carry stdout, the status and the close.

    kubernetes <= 36's WSClient.update polled only the socket, so frames already decrypted
    into the SSL buffer waited until the exec timed out (exit 124); 37 reads them.
    """
    import shutil
    from kube_fakes import ExecServer, self_signed_cert
    if not shutil.which("openssl"):
        pytest.skip("needs the openssl CLI to make a certificate")
    from kubernetes.client import ApiClient, Configuration
    b0 = KubeBackend(client=fake, clock=clock, sleep=clock.sleep, progress=lambda m: None)
    running_app(b0)
    cert, key = self_signed_cert(str(tmp_path))
    server = ExecServer([(1, "HTTP/1.1 200 OK\r\n"), (2, "note\n"), (1, "\r\n"),
                         (3, exec_status(0, CURL))], tls=(cert, key))
    cfg = Configuration()
    cfg.host, cfg.ssl_ca_cert = server.url, cert
    fake.exec_stream = ClientLayer(ApiClient(cfg), "kind-netpol-course").exec_stream  # type: ignore[method-assign]
    b = KubeBackend(client=fake, progress=lambda m: None, probe_timeout=1, exec_grace=4)
    t0 = time.perf_counter()
    res = b.exec("deploy/frontend", CURL)
    server.join()
    assert res == ExecResult("HTTP/1.1 200 OK\r\n\r\n", "note\n", 0)
    assert time.perf_counter() - t0 < 4  # not the exec timeout


def test_a_dropped_real_websocket_is_a_cluster_error(fake, clock) -> None:
    from kube_fakes import ExecServer
    b0 = KubeBackend(client=fake, clock=clock, sleep=clock.sleep, progress=lambda m: None)
    running_app(b0)
    server = ExecServer([(1, "partial output")], drop=True)
    b = _ws_backend(server, fake, clock)
    with pytest.raises(ClusterError, match="exec stream to pod \"frontend-6c9b8f7d4-x2k9p\""):
        b.exec("deploy/frontend", ["true"])
    server.join()


# ----------------------------------------------------------------------------- more kubectl parity


def test_wait_failure_carries_what_was_applied(backend, fake) -> None:
    fake.pod_waiting["frontend"] = {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}
    with pytest.raises(ClusterError) as info:
        backend.apply(docs(SIMPLE_APP))
    assert [str(r) for r in info.value.results] == [  # type: ignore[attr-defined]
        "deployment.apps/frontend created", "deployment.apps/backend created",
        "service/backend created"]


def test_apply_without_wait_defers_it_to_the_next_probe(backend, fake, messages) -> None:
    fake.ready_after = 3
    results = backend.apply(docs(SIMPLE_APP), wait=False)
    assert len(results) == 3 and messages == []
    backend.exec("deploy/frontend", ["true"])
    assert messages[-1] == "deployments available after 2s\n"
    backend.wait_ready()  # nothing left to wait for
    assert messages[-1] == "deployments available after 2s\n"


def test_exec_container_choice_like_kubectl(backend, fake) -> None:
    running_app(backend)
    pod = fake.objects[("Pod", "netpol-lab", "backend-6c9b8f7d4-x2k9p")]
    pod["spec"]["containers"].append({"name": "sidecar", "image": "busybox:1.36"})
    res = backend.exec("backend-6c9b8f7d4-x2k9p", ["true"])
    assert res.stderr == 'Defaulted container "backend-container" out of: backend-container, sidecar\n'
    assert fake.requests[-1][3] == "backend-container"
    backend.exec("backend-6c9b8f7d4-x2k9p", ["true"], container="sidecar")
    assert fake.requests[-1][3] == "sidecar"
    res = backend.exec("backend-6c9b8f7d4-x2k9p", ["true"], container="nope")
    assert isinstance(res, KubectlExecError)
    assert res.output == 'error: unable to upgrade connection: container not found ("nope")\n'


def test_exec_into_a_service_and_a_pending_pod(backend, fake) -> None:
    running_app(backend)
    backend.exec("svc/backend", ["true"])
    assert fake.requests[-1][1] == "backend-6c9b8f7d4-x2k9p"
    fake.objects[("Pod", "netpol-lab", "backend-6c9b8f7d4-x2k9p")]["status"]["phase"] = "Pending"
    res = backend.exec("backend-6c9b8f7d4-x2k9p", ["true"])
    assert res.exit_code == 1 and "current phase is Pending" in res.stderr


def test_nodes_can_be_read_not_changed(backend, fake) -> None:
    fake.put({"apiVersion": "v1", "kind": "Node", "metadata": {
        "name": "netpol-course-control-plane", "labels": {"node-role.kubernetes.io/control-plane": ""}}})
    (node,) = backend.get("nodes")
    assert node["metadata"]["name"] == "netpol-course-control-plane"
    with pytest.raises(ClusterError, match="refusing to change nodes"):
        backend.label("node", "netpol-course-control-plane", {"a": "b"})


def test_delete_in_a_missing_namespace_is_the_objects_not_found(backend) -> None:
    with pytest.raises(NotFoundError, match=r'^Error from server \(NotFound\): pods "x" not found$'):
        backend.delete("pod", "x", namespace="nowhere")


def test_exec_forbidden_at_the_websocket_upgrade(backend, fake) -> None:
    running_app(backend)
    exc = api_error(0, "", "")
    exc.body, exc.reason = None, "Handshake status 403 Forbidden"
    fake.fail("exec", exc)
    with pytest.raises(ClusterError, match=r'context "kind-netpol-course" is not allowed to create '
                                           r'pods/exec in namespace "netpol-lab"'):
        backend.exec("deploy/frontend", ["true"])


def test_reapplying_our_namespace_keeps_its_labels(backend, fake) -> None:
    backend.create_namespace("netpol-shop", chapter="03")
    (res,) = backend.apply(docs("apiVersion: v1\nkind: Namespace\nmetadata: {name: netpol-shop}\n"))
    labels = fake.read("Namespace", "netpol-shop", None)["metadata"]["labels"]
    assert labels[MANAGED_BY] == "netpol-kernel" and labels[CHAPTER_LABEL] == "03"
    with pytest.raises(ApplyErrors, match='refusing to change namespace "kube-system"'):
        backend.apply(docs("apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n"))
