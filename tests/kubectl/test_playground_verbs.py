"""The verbs tutorials type, on the embedded cluster: run, expose, create, scale, rollout, wait,
logs, annotate, label, get events/endpoints/endpointslices, custom-columns, sort-by, help.

Every expected string names its source: the real kubectl v1.32 binary (``/usr/bin/kubectl``,
used as an oracle where it needs no server: ``create ... --dry-run=client -o yaml``) or the
k8s.io/kubectl v0.32 source file that prints it.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from netpol_kernel.kubectl import kubectl
from netpol_kernel.sim.cluster import EmbeddedCluster

KUBECTL = shutil.which("kubectl") or ("/usr/bin/kubectl" if shutil.os.path.exists("/usr/bin/kubectl") else None)


@pytest.fixture
def c() -> EmbeddedCluster:
    return EmbeddedCluster()


def k(c: EmbeddedCluster, cmd: str, stdin: str | None = None):
    return kubectl(cmd, backend=c, stdin=stdin)


def oracle(args: str) -> str:
    """What the real kubectl prints for a command that needs no server."""
    if KUBECTL is None:
        pytest.skip("no kubectl binary to compare with")
    done = subprocess.run([KUBECTL, *args.split()], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "KUBECONFIG": "/nonexistent", "HOME": "/tmp"})
    if done.returncode != 0:
        pytest.skip(f"kubectl oracle failed: {done.stderr.strip()}")
    return done.stdout


# ---------------------------------------------------------------- create ... --dry-run=client -o yaml


@pytest.mark.parametrize("cmd", [
    "create deployment web --image=nginx",
    "create deployment web --image=nginx --port=80 --replicas=2",
    "create deployment multi --image=nginx --image=busybox:1.36",
    "create deployment agn --image=registry.k8s.io/e2e-test-images/agnhost:2.47",
    "create service clusterip web --tcp=80:8080",
    "create service clusterip web --tcp=80 --tcp=443:8443",
    "create service nodeport web --tcp=80:8080 --node-port=30080",
    "create service loadbalancer lb --tcp=80",
    "create namespace demo",
    "create configmap cfg --from-literal=b=2 --from-literal=a=1",
    "create secret generic s --from-literal=password=s3cr3t",
    "create secret generic t --from-literal=k=v --type=kubernetes.io/basic-auth",
])
def test_create_dry_run_yaml_matches_real_kubectl(c: EmbeddedCluster, cmd: str) -> None:
    # Source: /usr/bin/kubectl v1.32 itself, same command line.
    ours = k(c, f"{cmd} --dry-run=client -o yaml")
    assert ours.exit_code == 0, ours.text
    assert ours.stdout == oracle(f"{cmd} --dry-run=client -o yaml")


@pytest.mark.parametrize("cmd", [
    "create deployment web --image=nginx --port=80 --replicas=2",
    "create service nodeport web --tcp=80:8080 --node-port=30080",
    "create namespace demo",
    "create configmap cfg --from-literal=b=2 --from-literal=a=1",
    "create secret generic s --from-literal=password=s3cr3t --type=Opaque",
])
def test_create_dry_run_json_matches_real_kubectl(c: EmbeddedCluster, cmd: str) -> None:
    # Source: /usr/bin/kubectl v1.32 (JSON in the Go structs' field order).
    assert k(c, f"{cmd} --dry-run=client -o json").stdout == oracle(f"{cmd} --dry-run=client -o json")


def test_create_dry_run_plain_and_name_match_real_kubectl(c: EmbeddedCluster) -> None:
    # Source: /usr/bin/kubectl v1.32 (delete.go/create PrintFlags: "created (dry run)").
    assert k(c, "create deployment web --image=nginx --dry-run=client").stdout == \
        oracle("create deployment web --image=nginx --dry-run=client")
    assert k(c, "create deployment web --image=nginx --dry-run=client -o name").stdout == \
        oracle("create deployment web --image=nginx --dry-run=client -o name")
    assert k(c, "create deployment web --image=nginx --dry-run=client -n foo -o yaml").stdout == \
        oracle("create deployment web --image=nginx --dry-run=client -n foo -o yaml")
    # Nothing was created by a dry run.
    assert k(c, "get deploy").text == "No resources found in default namespace.\n"


def test_create_creates_and_refuses_a_second_time(c: EmbeddedCluster) -> None:
    # create_deployment.go prints "deployment.apps/web created"; the API server's AlreadyExists
    # is "Error from server (AlreadyExists): deployments.apps "web" already exists".
    assert k(c, "create deployment web --image=nginx --replicas=2").text == "deployment.apps/web created\n"
    again = k(c, "create deployment web --image=nginx")
    assert again.exit_code == 1
    assert again.text == 'Error from server (AlreadyExists): deployments.apps "web" already exists\n'
    assert len(c.get("Pod", selector="app=web")) == 2
    # Created, not applied: no last-applied annotation (kubectl create does not set it).
    dep = c.get("Deployment", name="web")[0]
    assert "kubectl.kubernetes.io/last-applied-configuration" not in (dep["metadata"].get("annotations") or {})
    assert k(c, "create service clusterip web --tcp=80:80").text == "service/web created\n"
    assert k(c, "create configmap cfg --from-literal=a=1").text == "configmap/cfg created\n"
    assert k(c, "create secret generic s --from-literal=a=1").text == "secret/s created\n"


def test_create_usage_errors(c: EmbeddedCluster) -> None:
    # cobra: a flag another generator owns is an unknown flag for this one.
    assert k(c, "create deployment web --image=nginx --tcp=80").text.startswith("error: unknown flag: --tcp\n")
    # create_deployment.go marks --image required (cobra's wording).
    assert k(c, "create deployment web").text == 'error: required flag(s) "image" not set\n'
    # create_service.go: "at least one tcp port specifier must be provided".
    assert k(c, "create service clusterip web").text == "error: at least one tcp port specifier must be provided\n"


# ---------------------------------------------------------------- run / expose


def test_run_server_form_with_expose(c: EmbeddedCluster) -> None:
    # run.go (v0.32): generateService prints the Service as it creates it, the pod is printed last.
    r = k(c, "run web --image=nginx --labels=app=web --expose --port=80")
    assert r.text == "service/web created\npod/web created\n"
    svc = c.get("Service", name="web")[0]
    # generate/versioned/service.go: selector from --labels, targetPort = port, no labels.
    assert svc["spec"]["selector"] == {"app": "web"}
    assert svc["spec"]["ports"][0]["port"] == 80 and svc["spec"]["ports"][0]["targetPort"] == 80
    assert "labels" not in svc["metadata"]
    pod = c.get("Pod", name="web")[0]
    assert pod["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert k(c, "get endpoints web").text.splitlines()[1].split()[1] == pod["status"]["podIP"] + ":80"


def test_run_dry_run_yaml_is_basicpod(c: EmbeddedCluster) -> None:
    # generate/versioned/run.go BasicPod.Generate: run=NAME label, args (or command with
    # --command), env, ports, dnsPolicy ClusterFirst, restartPolicy, resources {}.
    r = k(c, "run test --image=busybox --restart=Never --env=A=1 --dry-run=client -o yaml -- wget -qO- web")
    assert r.stdout == """\
apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: null
  labels:
    run: test
  name: test
spec:
  containers:
  - args:
    - wget
    - -qO-
    - web
    env:
    - name: A
      value: "1"
    image: busybox
    name: test
    resources: {}
  dnsPolicy: ClusterFirst
  restartPolicy: Never
status: {}
"""
    cmd = yaml.safe_load(k(c, "run t --image=alpine --command --dry-run=client -o yaml -- sh -c 'echo hi'").stdout)
    assert cmd["spec"]["containers"][0]["command"] == ["sh", "-c", "echo hi"]


def test_run_rm_i_prints_output_then_deleted(c: EmbeddedCluster) -> None:
    k(c, "run web --image=nginx --labels=app=web --expose --port=80")
    # busybox 1.36's nslookup exits 1 for an undotted name (the search domains' NXDOMAIN):
    # wget, which resolves through the libc search path, is the clean probe.
    r = k(c, "run test --rm -i --image=busybox --restart=Never -- wget -qO- -T 2 web")
    # attach.go (v0.32): the prompt line on stderr; delete.go PrintObj: pod "test" deleted.
    assert r.stderr.startswith("If you don't see a command prompt, try pressing enter.\n")
    assert r.stdout.endswith('pod "test" deleted\n')
    assert "<title>Welcome to nginx!</title>" in r.stdout  # nginx's index.html
    assert r.exit_code == 0
    assert k(c, "get pod test").exit_code == 1  # gone


def test_run_rm_i_t_warns_no_tty_and_feeds_stdin_to_the_shell(c: EmbeddedCluster) -> None:
    # One line: newlines between commands are the pod shell's business (sim/commands.py).
    r = k(c, "run test --rm -i -t --image=alpine -- sh", stdin="echo one; echo two\n")
    # exec.go StreamOptions.SetupTTY: no terminal behind a notebook.
    assert r.text.startswith("Unable to use a TTY - input is not a terminal or the right kind of file\n"
                             "If you don't see a command prompt, try pressing enter.\n")
    assert r.stdout == 'one\ntwo\npod "test" deleted\n'


def test_run_restart_never_returns_the_command_exit_code(c: EmbeddedCluster) -> None:
    # run.go: with --restart=Never kubectl waits for the pod and returns a CodeExitError,
    # "pod NS/NAME terminated (REASON)\nMESSAGE", printed by checkErr without "error: ".
    r = k(c, "run probe --rm -i --image=busybox --restart=Never -- wget -qO- -T 1 http://127.0.0.1:1")
    assert r.exit_code == 1  # busybox wget's code for a refused connection
    assert r.text.endswith('pod "probe" deleted\npod default/probe terminated (Error)\n')
    # Default policy (OnFailure with -i) does not wait for the exit code: 0.
    assert k(c, "run probe2 --rm -i --image=busybox -- wget -qO- -T 1 http://127.0.0.1:1").exit_code == 0


def test_run_without_rm_leaves_a_completed_pod(c: EmbeddedCluster) -> None:
    r = k(c, "run once -i --image=busybox --restart=Never -- echo hello")
    assert r.stdout == "hello\n"
    # printers.go printPod: a terminated container's reason is the STATUS.
    assert k(c, "get pod once --no-headers").stdout.split()[2] == "Completed"
    assert k(c, "logs once").stdout == "hello\n"


def test_run_usage_errors(c: EmbeddedCluster) -> None:
    # run.go Validate / Run wordings.
    assert k(c, "run --image=nginx").text == "error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n"
    assert k(c, "run x").text == "error: --image is required\n"
    assert k(c, "run x --image=nginx -t").text.startswith("error: -i/--stdin is required for containers with -t/--tty=true\n")
    assert k(c, "run x --image=nginx --expose").text.startswith("error: --port must be set when exposing a service\n")
    assert k(c, "run x --image=nginx --rm").text.startswith("error: --rm should only be used for attached containers\n")
    assert k(c, "run x --image=NGINX").text == 'error: Invalid image name "NGINX": invalid reference format\n'


def test_expose_deployment_reads_selector_ports_and_labels(c: EmbeddedCluster) -> None:
    k(c, "create deployment web --image=nginx --port=80")
    # expose.go: PrintFlags("exposed"); selector from matchLabels, port from the container,
    # labels copied from the object, single port unnamed.
    assert k(c, "expose deployment web").text == "service/web exposed\n"
    svc = c.get("Service", name="web")[0]
    assert svc["spec"]["selector"] == {"app": "web"}
    assert svc["metadata"]["labels"] == {"app": "web"}
    assert svc["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    r = k(c, "expose deploy/web --name=web-np --port=8080 --target-port=80 --type=NodePort --dry-run=client -o yaml")
    out = yaml.safe_load(r.stdout)
    assert out["spec"]["type"] == "NodePort" and out["spec"]["ports"][0]["targetPort"] == 80
    # expose.go: no port anywhere.
    k(c, "create deployment noport --image=nginx")
    assert k(c, "expose deployment noport").text.startswith(
        "error: couldn't find port via --port flag or introspection\n")


# ---------------------------------------------------------------- scale / rollout / wait


def test_scale_rollout_and_wait(c: EmbeddedCluster) -> None:
    k(c, "create deployment web --image=nginx")
    # scale.go PrintFlags("scaled").
    assert k(c, "scale deployment web --replicas=3").text == "deployment.apps/web scaled\n"
    assert len(c.get("Pod", selector="app=web")) == 3
    # rollout_status.go: "deployment %q successfully rolled out\n".
    assert k(c, "rollout status deployment/web").text == 'deployment "web" successfully rolled out\n'
    before = {p["metadata"]["name"] for p in c.get("Pod", selector="app=web")}
    # rollout_restart.go PrintFlags("restarted"): a new template, new pods.
    assert k(c, "rollout restart deployment web").text == "deployment.apps/web restarted\n"
    after = {p["metadata"]["name"] for p in c.get("Pod", selector="app=web")}
    assert before.isdisjoint(after) and len(after) == 3
    ann = c.get("Deployment", name="web")[0]["spec"]["template"]["metadata"]["annotations"]
    assert "kubectl.kubernetes.io/restartedAt" in ann
    # wait.go PrintFlags("condition met").
    assert k(c, "wait --for=condition=Available deployment/web").text == "deployment.apps/web condition met\n"
    lines = k(c, "wait --for=condition=Ready pods -l app=web").stdout.splitlines()
    assert len(lines) == 3 and all(x.endswith(" condition met") for x in lines)
    # condition.go: the timeout error names resource/name.
    r = k(c, "wait --for=condition=Failed deployment/web --timeout=1s")
    assert r.exit_code == 1
    assert r.text == "error: timed out waiting for the condition on deployments/web\n"
    assert k(c, "scale deployment web").text == 'error: required flag(s) "replicas" not set\n'


# ---------------------------------------------------------------- annotate / label


def test_annotate_and_label_overwrite_selector_all_list(c: EmbeddedCluster) -> None:
    k(c, "run a --image=nginx --labels=app=a,tier=web")
    k(c, "run b --image=nginx --labels=app=b,tier=web")
    # annotate.go PrintFlags("annotated"); validateNoAnnotationOverwrites' wording.
    assert k(c, "annotate pod a note=one").text == "pod/a annotated\n"
    assert k(c, "annotate pod a note=two").text == (
        "error: --overwrite is false but found the following declared annotation(s): "
        "'note' already has a value (one)\n")
    assert k(c, "annotate pod a note=two --overwrite").text == "pod/a annotated\n"
    assert k(c, "annotate pod a --list").text == "note=two\n"
    # label.go: -l and --all apply to every match; --overwrite; "label %q not found.".
    assert k(c, "label pods -l tier=web team=x").text == "pod/a labeled\npod/b labeled\n"
    # Two refusals: checkErr prints an aggregate one per line, without "error: ".
    assert k(c, "label pods --all team=y").text == (
        "'team' already has a value (x), and --overwrite is false\n" * 2)
    assert k(c, "label pods --all team=y --overwrite").text == "pod/a labeled\npod/b labeled\n"
    assert k(c, "label pod a nothere-").text == 'label "nothere" not found.\npod/a not labeled\n'
    assert k(c, "label pods a --list").text == "app=a\nteam=y\ntier=web\n"
    assert k(c, "label pods --all -l app=a x=1").text == "error: cannot set --all and --selector at the same time\n"


# ---------------------------------------------------------------- get: events, endpoints, columns, sort


def test_get_events_table(c: EmbeddedCluster) -> None:
    k(c, "run web --image=nginx")
    text = k(c, "get events").text
    lines = text.splitlines()
    # printers.go printEvent: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE (no NAME column).
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    reasons = {ln.split()[2] for ln in lines[1:]}
    # kubelet (pkg/kubelet/kuberuntime, images) and the scheduler's reasons.
    assert reasons == {"Scheduled", "Pulled", "Created", "Started"}
    assert any("Successfully assigned default/web to kind-control-plane" in ln for ln in lines)
    k(c, "delete pod web")
    assert any(" Killing " in ln and "Stopping container web" in ln for ln in k(c, "get events").text.splitlines())
    assert k(c, "get events --sort-by=.lastTimestamp -o custom-columns=REASON:.reason").stdout.splitlines()[-1] \
        == "Killing"


def test_get_endpointslices_and_endpoints(c: EmbeddedCluster) -> None:
    k(c, "create deployment web --image=nginx --port=80 --replicas=2")
    k(c, "expose deployment web")
    ips = sorted(p["status"]["podIP"] for p in c.get("Pod", selector="app=web"))
    es = k(c, "get endpointslices -l kubernetes.io/service-name=web").text.splitlines()
    # printers.go EndpointSlice columns: NAME, ADDRESSTYPE, PORTS, ENDPOINTS, AGE.
    assert es[0].split() == ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]
    name, family, ports, endpoints, _ = es[1].split()
    assert name.startswith("web-") and len(name) == len("web-") + 5
    assert (family, ports, endpoints) == ("IPv4", "80", ",".join(ips))
    assert k(c, "get endpoints web").text.splitlines()[1].split()[1] == ",".join(f"{ip}:80" for ip in ips)


def test_custom_columns_and_sort_by(c: EmbeddedCluster) -> None:
    k(c, "run b --image=nginx")
    k(c, "run a --image=busybox")
    # customcolumn.go: headers as given, <none> for a missing value, tabwriter padding 3.
    r = k(c, "get pods --sort-by=.spec.containers[0].image -o custom-columns=NAME:.metadata.name,"
             "IMAGE:.spec.containers[*].image,NODE-SEL:.spec.nodeSelector")
    assert r.stdout == ("NAME   IMAGE     NODE-SEL\n"
                        "a      busybox   <none>\n"
                        "b      nginx     <none>\n")
    assert k(c, "get pods --sort-by=.metadata.name -o name").stdout == "pod/a\npod/b\n"
    assert k(c, "get pods -o custom-columns=bad").text.startswith("error: unexpected custom-columns spec: bad")


def test_logs_and_append_log(c: EmbeddedCluster) -> None:
    k(c, "run web --image=nginx --port=80")
    assert k(c, "logs web").text == ""
    # What an image model calls for each request it answers (nginx's access log line).
    line = '10.244.0.6 - - [23/Nov/2021:12:50:50 +0000] "GET / HTTP/1.1" 200 615 "-" "Wget" "-"'
    c.append_log("default", "web", "web", line)
    assert k(c, "logs web").stdout == line + "\n"
    assert k(c, "logs pod/web --tail=0").stdout == ""
    assert k(c, "logs web --prefix").stdout == f"[pod/web/web] {line}\n"
    # logs.go: "error: container x is not valid for pod web".
    assert k(c, "logs web -c x").text == "error: container x is not valid for pod web\n"
    assert k(c, "logs nope").text == 'Error from server (NotFound): pods "nope" not found\n'


# ---------------------------------------------------------------- info verbs, help


def test_version_cluster_info_config(c: EmbeddedCluster) -> None:
    # version.go: "Client Version: %s\nKustomize Version: %s\nServer Version: %s\n".
    assert k(c, "version").text == "Client Version: v1.31.0\nKustomize Version: v5.4.2\nServer Version: v1.31.0\n"
    assert k(c, "version --client").text == "Client Version: v1.31.0\nKustomize Version: v5.4.2\n"
    # clusterinfo.go printService and its closing line.
    assert k(c, "cluster-info").text == (
        "Kubernetes control plane is running at https://127.0.0.1:41231\n"
        "CoreDNS is running at https://127.0.0.1:41231/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n"
        "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n")
    # kind names its context kind-<cluster> (the Makefile's CLUSTER ?= netpol-course).
    assert k(c, "config current-context").text == "kind-netpol-course\n"


def test_api_resources(c: EmbeddedCluster) -> None:
    lines = k(c, "api-resources").text.splitlines()
    # apiresources.go: NAME SHORTNAMES APIVERSION NAMESPACED KIND, sorted by group then name.
    assert lines[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    assert lines[1].split() == ["configmaps", "cm", "v1", "true", "ConfigMap"]
    assert lines[-1].split() == ["networkpolicies", "netpol", "networking.k8s.io/v1", "true", "NetworkPolicy"]
    assert k(c, "api-resources --namespaced=false -o name").text == "namespaces\nnodes\n"


def test_explain_reads_the_client_models(c: EmbeddedCluster) -> None:
    text = k(c, "explain networkpolicy.spec.podSelector").text
    # plaintext.tmpl: GROUP/KIND/VERSION header, FIELD line, DESCRIPTION wrapped at 76, indent 4.
    assert text.startswith("GROUP:      networking.k8s.io\nKIND:       NetworkPolicy\nVERSION:    v1\n\n"
                           "FIELD: podSelector <LabelSelector>\n\nDESCRIPTION:\n    ")
    assert "FIELDS:\n  matchExpressions\t<[]LabelSelectorRequirement>\n" in text
    # The description is the client model's field description.
    from kubernetes.client import V1PodSpec
    policy = k(c, "explain pods.spec.restartPolicy").text
    words = (V1PodSpec.model_fields["restart_policy"].description or "").split()  # the client model's own text (kubernetes 37)
    assert policy.startswith("KIND:       Pod\nVERSION:    v1\n\nFIELD: restartPolicy <string>\n\nDESCRIPTION:\n")
    assert " ".join(policy.split("DESCRIPTION:\n")[1].split()) == " ".join(words)
    # A field the client documents only on its type has no description here: "<empty>".
    assert "DESCRIPTION:\n    <empty>\n" in text
    assert k(c, "explain pods.spec.nope").text == 'error: field "nope" does not exist\n'
    assert "  containers\t<[]Container> -required-\n" in k(c, "explain pods.spec").text


@pytest.mark.parametrize("verb", ["get", "describe", "apply", "create", "delete", "label", "annotate", "exec",
                                  "debug", "run", "expose", "scale", "logs", "wait", "rollout", "api-resources",
                                  "api-versions", "version", "cluster-info", "config", "explain"])
def test_every_verb_has_help(c: EmbeddedCluster, verb: str) -> None:
    for flag in ("-h", "--help"):
        r = k(c, f"{verb} {flag}")
        assert r.exit_code == 0
        assert "Usage:\n  kubectl " in r.text and "NETPOL_BACKEND=kube" in r.text


def test_kubectl_run_help_first_line_is_kubectls(c: EmbeddedCluster) -> None:
    # The first line of `kubectl run --help` (v1.32).
    assert k(c, "run --help").text.splitlines()[0] == "Create and run a particular image in a pod."


@pytest.mark.parametrize("verb", ["get", "describe", "apply", "create", "delete", "label", "annotate", "exec",
                                  "debug", "run", "expose", "scale", "logs", "wait", "rollout", "api-resources",
                                  "api-versions", "version", "cluster-info", "config", "explain"])
def test_help_first_line_matches_real_kubectl(c: EmbeddedCluster, verb: str) -> None:
    # Source: /usr/bin/kubectl v1.32 `kubectl VERB --help`, first line.
    assert k(c, f"{verb} --help").text.splitlines()[0] == oracle(f"{verb} --help").splitlines()[0]


def test_unsupported_still_says_so(c: EmbeddedCluster) -> None:
    assert k(c, "rollout undo deployment/web").text == (
        'error: the embedded cluster does not support "kubectl rollout undo deployment/web"; run this chapter '
        "against a real cluster (NETPOL_BACKEND=kube, see the README)\n")


# ---------------------------------------------------------------- describe


def test_describe_deployment(c: EmbeddedCluster) -> None:
    k(c, "create deployment web --image=nginx --port=80")
    k(c, "scale deploy web --replicas=2")
    rs = c.get("ReplicaSet", selector="app=web")[0]["metadata"]["name"]
    # k8s.io/kubectl v0.32 pkg/describe/describe.go describeDeployment + DescribePodTemplate
    # (container names indented by 3 in a template) + DescribeEvents; the deployment
    # controller's ScalingReplicaSet wording (pkg/controller/deployment/sync.go, 1.27+).
    assert k(c, "describe deployment web").text == f"""\
Name:                   web
Namespace:              default
CreationTimestamp:      Tue, 23 Nov 2021 12:50:45 +0000
Labels:                 app=web
Annotations:            deployment.kubernetes.io/revision: 1
Selector:               app=web
Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable
StrategyType:           RollingUpdate
MinReadySeconds:        0
RollingUpdateStrategy:  25% max unavailable, 25% max surge
Pod Template:
  Labels:  app=web
  Containers:
   nginx:
    Image:         nginx
    Port:          80/TCP
    Host Port:     0/TCP
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Conditions:
  Type           Status  Reason
  ----           ------  ------
  Available      True    MinimumReplicasAvailable
  Progressing    True    NewReplicaSetAvailable
OldReplicaSets:  <none>
NewReplicaSet:   {rs} (2/2 replicas created)
Events:
  Type    Reason             Age   From                   Message
  ----    ------             ----  ----                   -------
  Normal  ScalingReplicaSet  1s    deployment-controller  Scaled up replica set {rs} from 0 to 1
  Normal  ScalingReplicaSet  0s    deployment-controller  Scaled up replica set {rs} to 2 from 1
"""


def test_describe_service_and_namespace(c: EmbeddedCluster) -> None:
    k(c, "run web --image=nginx --labels=app=web --expose --port=80")
    svc = c.get("Service", name="web")[0]["spec"]["clusterIP"]
    pod_ip = c.get("Pod", name="web")[0]["status"]["podIP"]
    # describe.go describeService (Endpoints from the EndpointSlices, formatEndpointSlices).
    assert k(c, "describe svc web").text == f"""\
Name:                     web
Namespace:                default
Labels:                   <none>
Annotations:              <none>
Selector:                 app=web
Type:                     ClusterIP
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       {svc}
IPs:                      {svc}
Port:                     <unset>  80/TCP
TargetPort:               80/TCP
Endpoints:                {pod_ip}:80
Session Affinity:         None
Internal Traffic Policy:  Cluster
Events:                   <none>
"""
    # describe.go describeNamespace, with no quota and no limit range.
    assert k(c, "describe ns default").text == """\
Name:         default
Labels:       kubernetes.io/metadata.name=default
Annotations:  <none>
Status:       Active

No resource quota.

No LimitRange resource.
"""


def test_describe_pod(c: EmbeddedCluster) -> None:
    import re
    k(c, "run web --image=nginx --labels=app=web --port=80 --env=MODE=demo")
    text = k(c, "describe pod web").text
    ip = c.get("Pod", name="web")[0]["status"]["podIP"]
    text = re.sub(r"[0-9a-f]{64}", "<hex>", text)
    text = re.sub(r"kube-api-access-[a-z0-9]{5}", "kube-api-access-<x>", text)
    # describe.go describePod: header, IPs, Containers (describeContainerBasicInfo, State,
    # Environment, Mounts), Conditions ("%v \t%v \n"), Volumes (projected), QoS, tolerations,
    # then the scheduler's and kubelet's events (kubelet v1.31 wording).
    assert text == f"""\
Name:             web
Namespace:        default
Priority:         0
Service Account:  default
Node:             kind-control-plane/172.18.0.2
Start Time:       Tue, 23 Nov 2021 12:50:45 +0000
Labels:           app=web
Annotations:      <none>
Status:           Running
IP:               {ip}
IPs:
  IP:  {ip}
Containers:
  web:
    Container ID:   containerd://<hex>
    Image:          nginx
    Image ID:       docker.io/library/nginx@sha256:<hex>
    Port:           80/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      Tue, 23 Nov 2021 12:50:45 +0000
    Ready:          True
    Restart Count:  0
    Environment:
      MODE:  demo
    Mounts:
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-<x> (ro)
Conditions:
  Type                        Status
  PodReadyToStartContainers   True 
  Initialized                 True 
  Ready                       True 
  ContainersReady             True 
  PodScheduled                True 
Volumes:
  kube-api-access-<x>:
    Type:                    Projected (a volume that contains injected data from multiple sources)
    TokenExpirationSeconds:  3607
    ConfigMapName:           kube-root-ca.crt
    ConfigMapOptional:       <nil>
    DownwardAPI:             true
QoS Class:                   BestEffort
Node-Selectors:              <none>
Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
Events:
  Type    Reason     Age   From               Message
  ----    ------     ----  ----               -------
  Normal  Scheduled  0s    default-scheduler  Successfully assigned default/web to kind-control-plane
  Normal  Pulled     0s    kubelet            Container image "nginx" already present on machine
  Normal  Created    0s    kubelet            Created container web
  Normal  Started    0s    kubelet            Started container web
"""


def test_exec_i_sends_stdin_to_a_shell(c: EmbeddedCluster) -> None:
    k(c, "run box --image=busybox")
    # kubectl exec -i: the text is the shell's standard input (exec.go StreamOptions.Stdin).
    assert k(c, "exec -i box -- sh", stdin="echo hi; hostname").text == "hi\nbox\n"
    assert k(c, "exec box -- sh", stdin="echo ignored").text == ""  # without -i nothing is sent


def test_run_with_a_program_the_image_lacks(c: EmbeddedCluster) -> None:
    # The command is the container's main process: containerd 1.7 cannot start it
    # (wording as in CyCoreSystems/asterisk-k8s-demo#25), the pod fails with StartError
    # (exit code 128) and run.go reports "pod NS/NAME terminated (REASON)\nMESSAGE".
    r = k(c, "run t --rm -i --image=nginx --restart=Never -- nslookup kubernetes")
    assert r.exit_code == 128
    assert r.text == (
        'pod "t" deleted\npod default/t terminated (StartError)\n'
        "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create "
        'failed: unable to start container process: exec: "nslookup": executable file not found in $PATH: unknown\n')
    # Restarted by the kubelet instead: kubectl gives up waiting for a running pod.
    assert k(c, "run u --rm -i --image=nginx -- nslookup kubernetes").text == (
        'pod "u" deleted\nerror: timed out waiting for the condition\n')


def test_get_events_wide(c: EmbeddedCluster) -> None:
    k(c, "run web --image=nginx")
    lines = k(c, "get events -o wide --sort-by=.reason").text.splitlines()
    # printers.go eventColumnDefinitions with Priority 1 columns shown (wide), formatEventSource.
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE",
                                "FIRST", "SEEN", "COUNT", "NAME"]
    assert [ln.split()[2] for ln in lines[1:]] == ["Created", "Pulled", "Scheduled", "Started"]
    assert "spec.containers{web}   kubelet, kind-control-plane   Created container web" in lines[1]
    assert lines[0].endswith("FIRST SEEN   COUNT   NAME")


def test_run_restart_never_then_logs(c: EmbeddedCluster) -> None:
    k(c, "run web --image=nginx --labels=app=web --expose --port=80")
    # `kubectl run probe --restart=Never -- CMD` then `kubectl logs probe`: the output is the log.
    assert k(c, "run probe --image=busybox --restart=Never -- wget -qO- -T 2 web").text == "pod/probe created\n"
    assert "<title>Welcome to nginx!</title>" in k(c, "logs probe").stdout
    assert k(c, "get pod probe --no-headers").stdout.split()[2] == "Completed"
    # A sleeping command stays Running; the default policy (Always) does not run it here.
    k(c, "run sleeper --image=busybox --restart=Never -- sleep 3600")
    assert k(c, "get pod sleeper --no-headers").stdout.split()[2] == "Running"


def test_describe_node(c: EmbeddedCluster) -> None:
    k(c, "run web --image=nginx")
    text = k(c, "describe node kind-control-plane").text
    # describe.go describeNode / describeNodeLease / describeNodeResource: the sections in order,
    # the empty column after Name, percentages of the allocatable amounts (coredns asks for
    # 100m CPU and 70Mi, limits 170Mi: kind's CoreDNS manifest).
    order = ["Name:", "Roles:", "Labels:", "Annotations:", "CreationTimestamp:", "Taints:", "Unschedulable:",
             "Lease:", "Conditions:", "Addresses:", "Capacity:", "Allocatable:", "System Info:", "PodCIDR:",
             "PodCIDRs:", "ProviderID:", "Non-terminated Pods:", "Allocated resources:", "Events:"]
    starts = [next(i for i, ln in enumerate(text.splitlines()) if ln.startswith(word)) for word in order]
    assert starts == sorted(starts)
    assert "Roles:              control-plane\n" in text
    assert "Non-terminated Pods:          (3 in total)\n" in text
    assert "  Namespace                   Name                        CPU Requests  CPU Limits  Memory Requests" in text
    assert "  cpu                200m (5%)   0 (0%)\n  memory             140Mi (0%)  340Mi (2%)\n" in text
    assert text.endswith("Events:              <none>\n")


def test_explain_recursive_and_api_resources_wide(c: EmbeddedCluster) -> None:
    text = k(c, "explain networkpolicy.spec --recursive").text
    # plaintext.tmpl with Recursive: names and types only, nested two spaces per level.
    assert "FIELDS:\n  egress\t<[]NetworkPolicyEgressRule>\n    ports\t<[]NetworkPolicyPort>\n" \
           "      endPort\t<integer>\n      port\t<IntOrString>\n      protocol\t<string>\n" in text
    assert "        cidr\t<string> -required-\n" in text
    wide = k(c, "api-resources -o wide").text.splitlines()
    # apiresources.go wide columns: VERBS as a bracketed list, CATEGORIES ("all" for get all's kinds).
    assert wide[0].split()[-2:] == ["VERBS", "CATEGORIES"]
    pods = next(ln for ln in wide if ln.startswith("pods "))
    assert pods.split()[5:] == ["[create", "delete", "deletecollection", "get", "list", "patch", "update",
                                "watch]", "all"]


def test_field_selectors(c: EmbeddedCluster) -> None:
    k(c, "run web --image=nginx")
    k(c, "run db --image=nginx")
    # The API server's selectable fields (pkg/registry/core/event/strategy.go, pod/strategy.go).
    rows = k(c, "get events --field-selector involvedObject.name=web,reason=Started").stdout.splitlines()
    assert [r.split()[2:4] for r in rows[1:]] == [["Started", "pod/web"]]
    assert k(c, "get pods --field-selector status.phase=Running,metadata.name!=db -o name").stdout == "pod/web\n"
    # apiserver's BadRequest for a field without a conversion (label selector shown as given).
    assert k(c, "get pods -l app=x --field-selector foo=bar").text == (
        'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "app=x", '
        'field selector "foo=bar": field label not supported: foo\n')


def test_label_columns(c: EmbeddedCluster) -> None:
    k(c, "run web --image=nginx --labels=app=web,app.kubernetes.io/tier=front")
    k(c, "run db --image=nginx")
    # -L: a column per key, headed by the key's last segment upper-cased, empty when unset,
    # before --show-labels' LABELS (k8s.io/cli-runtime v0.32 pkg/printers/tableprinter.go formatLabelHeaders).
    assert k(c, "get pods -L app -L app.kubernetes.io/tier --show-labels").stdout == (
        "NAME   READY   STATUS    RESTARTS   AGE   APP   TIER    LABELS\n"
        "db     1/1     Running   0          0s                  run=db\n"
        "web    1/1     Running   0          1s    web   front   app=web,app.kubernetes.io/tier=front\n")
