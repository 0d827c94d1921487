"""What the first run on kind would have hit (issue 16), against fakes that behave like the API server.

Each test here failed before its fix: namespaces that stay Terminating (409 on a second
delete, 403 on a create inside), a guard that trusted the label and the context's name,
a client built (credential plugin run) before the guard decided, exec into any namespace,
apply taking other managers' fields, and "configured" after a controller's write.
"""
from __future__ import annotations

import os
import stat

import pytest

from kube_fakes import FakeClientLayer
from netpol_kernel.api.manifests import load_documents
from netpol_kernel.backends.base import ApplyErrors, ApplyResult
from netpol_kernel.backends.kube import MANAGED_BY, KubeBackend
from netpol_kernel.errors import ClusterError, NetpolError, NotFoundError

NS = "apiVersion: v1\nkind: Namespace\nmetadata: {name: netpol-ch04}\n"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n"
DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
"""


def docs(text: str):
    return load_documents(text, source="test.yaml")


# ----------------------------------------------------------------------------- point 4: Terminating


def test_a_deleted_namespace_is_terminating_and_cleanup_twice_is_not_a_409(backend, fake) -> None:
    backend.create_namespace("netpol-ch04", chapter="04")
    assert backend.cleanup("netpol-ch04") == [ApplyResult("Namespace", "netpol-ch04", None, "deleted")]
    (ns,) = backend.get("ns", name="netpol-ch04")
    assert ns["status"]["phase"] == "Terminating"
    # the fake answers a second delete as the API server does ...
    with pytest.raises(Exception, match="409"):
        fake.delete("Namespace", "netpol-ch04", None)
    # ... so cleanup must not send one
    assert backend.cleanup("netpol-ch04") == []


def test_creating_in_a_terminating_namespace_says_terminating_not_rbac(backend) -> None:
    backend.create_namespace("netpol-ch04", chapter="04")
    backend.cleanup("netpol-ch04")
    with pytest.raises(ApplyErrors) as info:
        backend.apply(docs(CM), namespace="netpol-ch04")
    text = str(info.value)
    assert 'namespace "netpol-ch04" is being deleted (Terminating)' in text
    # the API server's own sentence is kept (plugin/pkg/admission/namespace/lifecycle)
    assert "unable to create new content in namespace netpol-ch04 because it is being terminated" in text
    assert "auth can-i" not in text
    with pytest.raises(ClusterError, match=r'namespace "netpol-ch04" is being deleted \(Terminating\)'):
        backend.create_namespace("netpol-ch04")


def test_wait_namespace_gone_reports_progress_and_is_bounded(backend, fake, clock, messages) -> None:
    backend.create_namespace("netpol-ch04", chapter="04")
    backend.cleanup("netpol-ch04")
    backend.wait_namespace_gone("netpol-ch04")
    assert messages[0] == 'waiting: namespace "netpol-ch04" is Terminating (0s)'
    assert messages[-1] == 'namespace "netpol-ch04" gone after 5s\n'
    with pytest.raises(NotFoundError):
        backend.get("ns", name="netpol-ch04")
    fake.namespace_finalize_seconds = 10_000  # a finalizer that never finishes
    backend.create_namespace("netpol-ch05", chapter="05")
    backend.cleanup("netpol-ch05")
    with pytest.raises(ClusterError, match=r'namespace "netpol-ch05" is still Terminating after 30s'):
        backend.wait_namespace_gone("netpol-ch05", timeout=30)


def test_rerunning_a_chapter_right_after_its_cleanup(backend, fake, clock) -> None:
    import netpol_kernel as nk
    first = nk.start_chapter("netpol-ch04", backend=backend, load_magic=False)
    first.cleanup()  # the last cell of the chapter
    again = nk.start_chapter("netpol-ch04", backend=backend, load_magic=False)  # Run All again
    assert str(again).splitlines()[0] == "namespace/netpol-ch04 created"
    # and while the old one is still Terminating when the chapter starts
    again.cleanup()
    clock.sleep(1)
    third = nk.start_chapter("netpol-ch04", backend=backend, load_magic=False)
    assert str(third).splitlines()[0] == "namespace/netpol-ch04 created"


def test_sleep_pods_stop_quickly() -> None:
    """`sleep` as PID 1 ignores SIGTERM: without a short grace period every cleanup takes 30 s."""
    from pathlib import Path
    from netpol_kernel.api.manifests import load_path
    book = Path(__file__).resolve().parents[2] / "book" / "manifests"
    seen = 0
    for path in sorted(book.glob("*.yaml")):
        for doc in load_path(path):
            spec = ((doc.obj.get("spec") or {}).get("template") or {}).get("spec") or {}
            if any("sleep" in " ".join(c.get("command") or ()) for c in spec.get("containers") or ()):
                seen += 1
                assert spec.get("terminationGracePeriodSeconds", 30) <= 5, (path.name, doc.obj["metadata"])
    assert seen >= 3  # at least frontend, not-frontend (simple-app), client (example-app)


# ----------------------------------------------------------------------------- point 8: guards


def test_exec_into_a_namespace_the_book_did_not_create_is_refused(backend, fake) -> None:
    with pytest.raises(ClusterError, match=r'refusing to change namespace "kube-system"'):
        backend.exec("coredns-7db6d8ff4d-bqz2x", ["cat", "/etc/coredns/Corefile"], namespace="kube-system")
    assert not [r for r in fake.requests if r[0] == "exec"]
    with pytest.raises(NotFoundError, match=r'pods "x" not found'):
        backend.exec("x", ["true"], namespace="netpol-nowhere")  # a missing namespace: the pod's 404


def test_cleanup_of_everything_needs_our_own_apply_of_the_label(backend, fake) -> None:
    backend.create_namespace("netpol-mine", chapter="02")
    # `kubectl label ns ... app.kubernetes.io/managed-by=netpol-kernel` by someone else:
    for name in ("netpol-theirs", "team-a"):
        fake.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {
            "name": name, "labels": {MANAGED_BY: "netpol-kernel"}, "managedFields": [{
                "manager": "kubectl-label", "operation": "Update", "apiVersion": "v1",
                "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {
                    f"f:{MANAGED_BY}": {}}}}}]}})
    gone = sorted(r.name for r in backend.cleanup())
    assert gone == ["netpol-lab", "netpol-mine"]
    assert {r[3] for r in fake.requests if r[0] == "delete"} == {"netpol-lab", "netpol-mine"}


def test_a_kind_context_that_tunnels_to_another_cluster_is_refused(clock) -> None:
    fake = FakeClientLayer(clock=clock)
    node = fake.objects[("Node", None, "netpol-course-control-plane")]
    node["spec"]["providerID"] = "gce://shop-prod/europe-west1-b/gke-pool-1-8f2c"
    b = KubeBackend(client=fake, clock=clock, sleep=clock.sleep, progress=lambda m: None)
    assert b.get("ns", name="default")  # reading is fine
    with pytest.raises(ClusterError) as info:
        b.create_namespace("netpol-x")
    assert 'its nodes are not the nodes of kind cluster "netpol-course"' in str(info.value)
    assert "gce://shop-prod" in str(info.value) and "NETPOL_ALLOW_CONTEXT=kind-netpol-course" in str(info.value)
    assert not [r for r in fake.requests if r[0] in ("apply", "delete", "patch_labels")]
    ok = KubeBackend(client=fake, clock=clock, sleep=clock.sleep, progress=lambda m: None,
                     allow_context="kind-netpol-course")
    assert ok.create_namespace("netpol-x") == "namespace/netpol-x created"


KUBECONFIG = """
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod
  cluster: {{server: "https://34.1.2.3"}}
- name: kind-netpol-course
  cluster: {{server: "https://127.0.0.1:41231", insecure-skip-tls-verify: true}}
contexts:
- name: prod
  context: {{cluster: prod, user: cloud}}
- name: kind-netpol-course
  context: {{cluster: kind-netpol-course, user: kind}}
users:
- name: cloud
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: {plugin}
      interactiveMode: Never
- name: kind
  user: {{token: abc}}
"""


def test_the_guard_decides_from_the_kubeconfig_text_before_any_plugin_runs(tmp_path, monkeypatch) -> None:
    marker = tmp_path / "plugin-ran"
    plugin = tmp_path / "cloud-login"
    plugin.write_text(f"#!/bin/sh\ntouch {marker}\necho '{{\"apiVersion\":"
                      "\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                      "\"status\":{\"token\":\"t\"}}'\n")
    plugin.chmod(plugin.stat().st_mode | stat.S_IEXEC)
    cfg = tmp_path / "config"
    cfg.write_text(KUBECONFIG.format(plugin=plugin))
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'missing'}{os.pathsep}{cfg}")
    for var in ("NETPOL_KUBE_CONTEXT", "NETPOL_ALLOW_CONTEXT", "KUBERNETES_SERVICE_HOST"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ClusterError, match=r'refusing to use Kubernetes context "prod" \(server https://34.1.2.3\)'):
        KubeBackend.from_environment()
    assert not marker.exists()  # no client was built, so the cloud login never ran
    monkeypatch.setenv("NETPOL_KUBE_CONTEXT", "kind-netpol-course")
    assert KubeBackend.from_environment().context == "kind-netpol-course"
    assert not marker.exists()
    monkeypatch.setenv("NETPOL_KUBE_CONTEXT", "nope")
    with pytest.raises(ClusterError, match=r"has no context 'nope'.*make cluster"):
        KubeBackend.from_environment()


# ----------------------------------------------------------------------------- point 9: apply


def test_a_controller_write_between_get_and_patch_is_still_unchanged(backend, fake) -> None:
    backend.apply(docs(DEPLOY))
    fake.controller_writes["web"] = 1  # e.g. the deployment controller's revision annotation
    assert [str(r) for r in backend.apply(docs(DEPLOY))] == ["deployment.apps/web unchanged"]
    fake.controller_writes["web"] = 1
    changed = backend.apply(docs(DEPLOY.replace("nginx:1.27", "nginx:1.28")))
    assert [str(r) for r in changed] == ["deployment.apps/web configured"]


def test_fields_of_another_manager_are_a_conflict_not_taken(backend, fake) -> None:
    backend.apply(docs(DEPLOY))
    fake.conflicts["web"] = ("kubectl-edit", "apps/v1", ".spec.replicas")  # kubectl scale/edit
    with pytest.raises(ApplyErrors) as info:
        backend.apply(docs(DEPLOY + "---\n" + CM))
    ((doc, err),) = info.value.errors
    assert not isinstance(err, ClusterError) and isinstance(err, NetpolError)
    assert str(err).startswith('error: Apply failed with 1 conflict: conflict with "kubectl-edit" '
                               "using apps/v1: .spec.replicas")
    assert [str(r) for r in info.value.results] == ["configmap/cfg created"]  # the rest applied
    assert [r for r in fake.requests if r[0] == "apply"][-2][3] == "web"
    forced = KubeBackend(client=fake, clock=backend._clock, sleep=backend._sleep,
                         progress=lambda m: None, force_conflicts=True)
    forced.apply(docs(DEPLOY.replace("replicas: 1", "replicas: 2")))
    assert "web" not in fake.conflicts


def test_from_environment_reads_force_conflicts(tmp_path, monkeypatch) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(KUBECONFIG.format(plugin="/bin/false").replace("current-context: prod",
                                                                 "current-context: kind-netpol-course"))
    monkeypatch.setenv("KUBECONFIG", str(cfg))
    monkeypatch.delenv("NETPOL_KUBE_CONTEXT", raising=False)
    assert KubeBackend.from_environment().force_conflicts is False
    monkeypatch.setenv("NETPOL_FORCE_CONFLICTS", "1")
    assert KubeBackend.from_environment().force_conflicts is True


def test_the_exec_timeout_covers_the_slowest_probe(backend) -> None:
    # chapter 6: nc -w 10 to MariaDB; with a DNS retry (5 s) and container start-up.
    assert backend.exec_timeout >= 10 + 5 + 10


# ----------------------------------------------------------------------------- point 3 (debug) and 7


def test_a_debug_image_pull_is_retried_then_names_the_last_event(backend, fake, clock) -> None:
    backend.apply(docs(DEPLOY))
    pod = next(iter(o for k, o in fake.objects.items() if k[0] == "Pod" and k[1] == "netpol-lab"))
    name = pod["metadata"]["name"]
    fake._progress_debug = lambda p: None  # the ephemeral container never starts
    original = fake.add_ephemeral_container

    def add(pod_name, ns, container):
        out = original(pod_name, ns, container)
        stored = fake.objects[("Pod", ns, pod_name)]
        stored["status"]["ephemeralContainerStatuses"][-1]["state"] = {
            "waiting": {"reason": "ImagePullBackOff", "message": "toomanyrequests"}}
        return out

    fake.add_ephemeral_container = add  # type: ignore[method-assign]
    fake.pod_events[("netpol-lab", name)] = [
        {"type": "Warning", "reason": "Failed", "lastTimestamp": "2024-08-01T10:00:09Z",
         "message": 'Failed to pull image "busybox:1.36": 429 Too Many Requests'}]
    start = clock.now
    with pytest.raises(ClusterError) as info:
        backend.debug(name, "busybox:1.36", ["nc", "-zv", "-w", "5", "mariadb", "3306"])
    assert clock.now - start >= backend.ready_timeout  # retried, not failed at the first back-off
    assert "(ImagePullBackOff)" in str(info.value)
    assert f'Last event of pod {name}: Warning Failed: Failed to pull image "busybox:1.36": 429' in str(info.value)


def test_the_fake_exec_stream_gives_one_frame_per_update() -> None:
    from kube_fakes import FakeStream, exec_status
    s = FakeStream(frames=[(1, "a"), (2, "b"), (1, "c")], status=exec_status(0))
    seen = []
    while s.is_open():
        s.update(timeout=1)
        seen.append((s.read_stdout(), s.read_stderr(), s.read_channel(3)))
    assert seen == [("a", "", ""), ("", "b", ""), ("c", "", ""),
                    ("", "", exec_status(0)), ("", "", "")]


def test_the_guards_read_what_the_real_client_returns() -> None:
    """managedFields, deletionTimestamp and providerID survive the real client's models."""
    from kube_fakes import FakeHTTP
    from kubernetes.client import ApiClient, Configuration
    from netpol_kernel.backends.kube import ClientLayer
    from netpol_kernel.backends.kubeguard import applied_by_us, foreign_nodes, terminating
    # A namespace as the API server returns it while it is being deleted (fields as in
    # `kubectl get ns -o json --show-managed-fields`).
    ns = {"metadata": {"name": "netpol-lab", "deletionTimestamp": "2024-08-01T10:05:00Z",
                       "labels": {MANAGED_BY: "netpol-kernel"}, "managedFields": [{
                           "manager": "netpol-kernel", "operation": "Apply", "apiVersion": "v1",
                           "time": "2024-08-01T10:00:00Z", "fieldsType": "FieldsV1",
                           "fieldsV1": {"f:metadata": {"f:labels": {f"f:{MANAGED_BY}": {}}}}}]},
          "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Terminating"}}
    node = {"metadata": {"name": "netpol-course-control-plane"},
            "spec": {"providerID": "kind://docker/netpol-course/netpol-course-control-plane"}}
    cfg = Configuration()
    cfg.host = "https://127.0.0.1:41231"
    api = ApiClient(cfg)
    api.rest_client.pool_manager = FakeHTTP({
        ("GET", "/api/v1/namespaces"): (200, {"kind": "NamespaceList", "apiVersion": "v1",
                                              "metadata": {}, "items": [ns]}),
        ("GET", "/api/v1/nodes"): (200, {"kind": "NodeList", "apiVersion": "v1",
                                         "metadata": {}, "items": [node]})})
    layer = ClientLayer(api, "kind-netpol-course")
    (got,) = layer.list("Namespace", None, f"{MANAGED_BY}=netpol-kernel")
    assert applied_by_us(got) and terminating(got)
    assert foreign_nodes(layer.list("Node", None, None), "netpol-course") == []
