"""netpol_kernel.api.validation: the API server's rules, path by path and word by word."""
from __future__ import annotations

import copy

import pytest

from netpol_kernel.errors import FieldError, ManifestError
from netpol_kernel.api.manifests import Document, load_documents
from netpol_kernel.api.validation import SUPPORTED_KINDS, check, validate

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 r"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
               "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                   "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                   "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
NAME_PART_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                 "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                 "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
CONFIG_KEY_MSG = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
                  "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
PORT_RANGE = "must be between 1 and 65535, inclusive"
CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"


def msgs(obj) -> list[str]:
    return [str(e) for e in validate(obj)]


def one(obj) -> str:
    got = msgs(obj)
    assert len(got) == 1, got
    return got[0]


# --- builders ---------------------------------------------------------------------------

def netpol(spec: dict | None = None, name: str = "np", **meta) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": "default", **meta},
            "spec": {"podSelector": {}, **(spec or {})}}


def ingress(*peers: dict, ports: list | None = None) -> dict:
    rule: dict = {"from": list(peers)}
    if ports is not None:
        rule["ports"] = ports
    return netpol({"ingress": [rule]})


def container(**over) -> dict:
    return {"name": "app", "image": "nginx:1.25", **over}


def pod(*containers: dict, name: str = "web", **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "web"}},
            "spec": {"containers": list(containers) or [container()], **spec}}


def deployment(kind: str = "Deployment", selector: dict | None = None, labels: dict | None = None,
               containers: list | None = None, **spec) -> dict:
    obj = {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "web"},
           "spec": {"selector": selector if selector is not None else {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": labels if labels is not None else {"app": "web"}},
                                 "spec": {"containers": containers or [container()]}},
                    **spec}}
    if kind in ("Deployment", "ReplicaSet", "StatefulSet"):
        obj["spec"].setdefault("replicas", 2)
    return obj


def service(**spec) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}], **spec}}


def secret(**fields) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"}, **fields}


def configmap(**fields) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, **fields}


# --- dispatch ---------------------------------------------------------------------------------

@pytest.mark.parametrize("obj", [netpol(), pod(), deployment(), deployment("ReplicaSet"),
                                 deployment("StatefulSet", serviceName="web"), deployment("DaemonSet"),
                                 service(), secret(data={"pw": "cGFzcw=="}), configmap(data={"a": "b"}),
                                 {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}])
def test_builders_are_valid(obj):
    assert validate(obj) == ()


def test_supported_kinds():
    assert set(SUPPORTED_KINDS) == {
        ("v1", "Namespace"), ("v1", "Pod"), ("v1", "Service"), ("v1", "Secret"), ("v1", "ConfigMap"),
        ("apps/v1", "Deployment"), ("apps/v1", "ReplicaSet"), ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"), ("networking.k8s.io/v1", "NetworkPolicy")}


def test_unknown_kind_names_what_is_supported_and_the_near_miss():
    obj = netpol()
    obj["kind"] = "NetworkPolicyy"
    (err,) = validate(obj)
    assert (err.path, err.type, err.value) == ("kind", "Unsupported", "NetworkPolicyy")
    assert err.detail.startswith('no matches for kind "NetworkPolicyy" in version "networking.k8s.io/v1"; '
                                 'supported kinds: ')
    assert err.detail.endswith('(did you mean "NetworkPolicy"?)')
    assert "NetworkPolicy (networking.k8s.io/v1)" in err.detail
    assert "Deployment, ReplicaSet, StatefulSet, DaemonSet (apps/v1)" in err.detail


def test_unknown_kind_without_a_near_miss():
    # A kind no cluster serves (a CRD that is not installed): kubectl's "no matches for kind".
    (err,) = validate({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "x"}})
    assert "did you mean" not in err.detail
    assert err.detail.startswith('no matches for kind "Widget" in version "example.com/v1"; supported kinds: ')


@pytest.mark.parametrize("api", ["extensions/v1beta1", "v1", "networking.k8s.io/v1beta1"])
def test_known_kind_in_the_wrong_api_version(api):
    obj = netpol()
    obj["apiVersion"] = api
    assert one(obj) == (f'apiVersion: Unsupported value: "{api}": no matches for kind "NetworkPolicy" in '
                        f'version "{api}"; NetworkPolicy is served at "networking.k8s.io/v1"')


def test_deployment_in_core_group():
    obj = deployment()
    obj["apiVersion"] = "v1"
    assert validate(obj)[0].detail.endswith('Deployment is served at "apps/v1"')


def test_missing_type_meta():
    assert msgs({"metadata": {"name": "x"}}) == ["apiVersion: Required value", "kind: Required value"]
    assert msgs({"apiVersion": "v1"}) == ["kind: Required value"]


def test_type_meta_of_the_wrong_type():
    assert msgs({"apiVersion": "v1", "kind": ["Pod"]}) == [
        'kind: Invalid value: ["Pod"]: must be a string (got array)']


@pytest.mark.parametrize("obj", [None, [], "Pod", 3])
def test_non_objects(obj):
    assert validate(obj)[0].path == "<document>"


def test_check_raises_manifest_error_with_position():
    doc = Document("pol.yaml", 3, ingress({}))
    with pytest.raises(ManifestError) as exc:
        check(doc)
    err = exc.value
    assert (err.kind, err.name, err.source, err.index) == ("NetworkPolicy", "np", "pol.yaml", 3)
    assert str(err) == 'The NetworkPolicy "np" is invalid: spec.ingress[0].from[0]: Required value: must specify a peer'


def test_check_with_only_unknown_fields_reads_like_strict_decoding():
    obj = netpol({"ingres": []})
    with pytest.raises(ManifestError) as exc:
        check(Document("p.yaml", 0, obj))
    assert str(exc.value).endswith('strict decoding error: unknown field "spec.ingres"')


def test_check_passes_valid_documents():
    assert check(Document(None, 0, netpol())) is None


# --- metadata ----------------------------------------------------------------------------

def test_name_required():
    obj = netpol()
    del obj["metadata"]["name"]
    assert one(obj) == "metadata.name: Required value: name or generateName is required"
    obj["metadata"]["name"] = ""
    assert one(obj) == "metadata.name: Required value: name or generateName is required"


def test_generate_name_stands_in_for_name():
    obj = pod()
    del obj["metadata"]["name"]
    obj["metadata"]["generateName"] = "web-"
    assert validate(obj) == ()
    obj["metadata"]["generateName"] = "Web-"
    assert msgs(obj) == [f'metadata.generateName: Invalid value: "Web-": {SUBDOMAIN_MSG}']


def test_name_with_capitals():
    assert one(netpol(name="AllowWeb")) == f'metadata.name: Invalid value: "AllowWeb": {SUBDOMAIN_MSG}'


def test_name_too_long():
    assert msgs(netpol(name="a" * 254)) == [
        f'metadata.name: Invalid value: "{"a" * 254}": must be no more than 253 characters']


def test_namespace_name_is_a_label():
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop.prod"}}
    assert one(ns) == 'metadata.name: Invalid value: "shop.prod": must not contain dots'
    ns["metadata"]["name"] = "Shop"
    assert one(ns) == f'metadata.name: Invalid value: "Shop": {LABEL_MSG}'


def test_namespace_spec_finalizers_known():
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}, "spec": {"finalizers": ["kubernetes"]},
          "status": {"phase": "Active"}}
    assert validate(ns) == ()


def test_service_name_is_a_dns_1035_label():
    obj = service()
    obj["metadata"]["name"] = "1web"
    assert one(obj) == f'metadata.name: Invalid value: "1web": {DNS1035_MSG}'


def test_statefulset_name_is_a_label():
    obj = deployment("StatefulSet")
    obj["metadata"]["name"] = "db.primary"
    assert one(obj) == 'metadata.name: Invalid value: "db.primary": must not contain dots'


def test_invalid_namespace():
    assert one(netpol(namespace="Prod")) == f'metadata.namespace: Invalid value: "Prod": {LABEL_MSG}'


def test_label_key_and_value_rules():
    obj = netpol(labels={"app": "web", "example.com/tier": "front", "bad key": "x", "v": "-x", "ok": ""})
    assert msgs(obj) == [f'metadata.labels: Invalid value: "bad key": {NAME_PART_MSG}',
                         f'metadata.labels: Invalid value: "-x": {LABEL_VALUE_MSG}']


def test_label_key_prefix_and_length():
    obj = netpol(labels={"Example.com/app": "x", "/app": "y", "a/b/c": "z", "k" * 64: "w"})
    got = msgs(obj)
    assert f'metadata.labels: Invalid value: "Example.com/app": prefix part {SUBDOMAIN_MSG}' in got
    assert 'metadata.labels: Invalid value: "/app": prefix part must be non-empty' in got
    assert any(m.startswith('metadata.labels: Invalid value: "a/b/c": a qualified name must consist of') and
               m.endswith("with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')") for m in got)
    assert f'metadata.labels: Invalid value: "{"k" * 64}": name part must be no more than 63 characters' in got


def test_label_value_too_long():
    assert one(netpol(labels={"v": "x" * 64})) == (
        f'metadata.labels: Invalid value: "{"x" * 64}": must be no more than 63 characters')


@pytest.mark.parametrize("value, shown", [(1.0, "number 1.0"), (True, "bool true"), (3, "number 3")])
def test_non_string_label_values(value, shown):
    (err,) = validate(netpol(labels={"version": value}))
    assert (err.path, err.type) == ("metadata.labels.version", "Invalid")
    assert err.detail == f"must be a string (got {shown})"


def test_annotation_keys_case_insensitive():
    assert validate(netpol(annotations={"Example.COM/Owner": "team"})) == ()
    assert one(netpol(annotations={"no spaces": "x"})) == f'metadata.annotations: Invalid value: "no spaces": {NAME_PART_MSG}'


def test_annotations_too_large():
    assert one(netpol(annotations={"big": "x" * (256 * 1024)})) == (
        "metadata.annotations: Too long: must have at most 262144 bytes")


def test_generation_and_finalizers():
    got = msgs(netpol(generation=-1, finalizers=["ok/finalizer", "bad finalizer"]))
    assert got == ["metadata.generation: Invalid value: -1: must be greater than or equal to 0",
                   f'metadata.finalizers: Invalid value: "bad finalizer": {NAME_PART_MSG}']


def test_server_populated_metadata_is_accepted():
    obj = netpol(uid="1234", resourceVersion="99", creationTimestamp="2024-01-01T00:00:00Z", generation=2,
                 selfLink="/x", managedFields=[{"manager": "kubectl"}], deletionTimestamp=None,
                 ownerReferences=[{"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u", "controller": True}])
    assert validate(obj) == ()


# --- strict decoding ------------------------------------------------------------------------

def test_unknown_fields_carry_full_paths():
    obj = netpol({"ingres": [], "ingress": [{"from": [{"podselector": {}}]}]})
    assert msgs(obj) == ['unknown field "spec.ingres"', 'unknown field "spec.ingress[0].from[0].podselector"',
                         "spec.ingress[0].from[0]: Required value: must specify a peer"]
    assert [e.type for e in validate(obj)][:2] == ["Unknown", "Unknown"]


def test_unknown_fields_everywhere():
    obj = deployment()
    obj["metadata"]["lables"] = {}
    obj["spec"]["template"]["spec"]["containers"][0]["imagePullPolice"] = "Always"
    obj["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "prot": "TCP"}]
    obj["spec"]["tempate"] = {}
    obj["extra"] = 1
    assert {str(e) for e in validate(obj) if e.type == "Unknown"} == {
        'unknown field "metadata.lables"', 'unknown field "spec.tempate"', 'unknown field "extra"',
        'unknown field "spec.template.spec.containers[0].imagePullPolice"',
        'unknown field "spec.template.spec.containers[0].ports[0].prot"'}


def test_configmap_has_no_spec():
    assert one(configmap(spec={})) == 'unknown field "spec"'


def test_unmodelled_subtrees_and_status_are_accepted():
    c = container(resources={"limits": {"cpu": "1", "whatever": 3}}, securityContext={"anything": True},
                  lifecycle={"preStop": {"exec": {"command": ["x"]}}})
    obj = pod(c, affinity={"nodeAffinity": {"invented": 1}}, volumes=[{"name": "data", "emptyDir": {"x": 1}}],
              securityContext={"runAsUser": 1000})
    obj["status"] = {"phase": "Running", "nonsense": [1, 2]}
    assert validate(obj) == ()


def test_null_values_are_zero_values():
    obj = netpol({"ingress": None, "egress": [{"to": None, "ports": None}], "policyTypes": None})
    obj["metadata"]["labels"] = None
    assert validate(obj) == ()


@pytest.mark.parametrize("spec, expected", [
    ({"ingress": "allow-all"}, 'spec.ingress: Invalid value: "allow-all": must be a list (got string "allow-all")'),
    ({"ingress": {"from": []}}, 'spec.ingress: Invalid value: {"from": []}: must be a list (got object)'),
    ({"podSelector": []}, "spec.podSelector: Invalid value: []: must be an object (got array)"),
    ({"ingress": [{"ports": [{"port": True}]}]},
     "spec.ingress[0].ports[0].port: Invalid value: true: must be an integer or string (got bool true)"),
    ({"ingress": [{"ports": [{"port": 80.5}]}]},
     "spec.ingress[0].ports[0].port: Invalid value: 80.5: must be an integer or string (got number 80.5)"),
    ({"ingress": [{"ports": [{"port": 80, "endPort": "90"}]}]},
     'spec.ingress[0].ports[0].endPort: Invalid value: "90": must be an integer (got string "90")'),
    ({"ingress": [{"ports": [{"protocol": 6}]}]},
     "spec.ingress[0].ports[0].protocol: Invalid value: 6: must be a string (got number 6)"),
])
def test_wrong_json_types_are_errors(spec, expected):
    assert one(netpol(spec)) == expected


def test_integral_floats_are_integers():
    assert validate(ingress({"podSelector": {}}, ports=[{"port": 80.0, "endPort": 90.0}])) == ()


def test_container_type_errors():
    c = container(command=["sleep", 3600], ports=[{"containerPort": "80"}], env=[{"name": "PORT", "value": 8080}])
    assert msgs(pod(c)) == [
        "spec.containers[0].command[1]: Invalid value: 3600: must be a string (got number 3600)",
        'spec.containers[0].ports[0].containerPort: Invalid value: "80": must be an integer (got string "80")',
        "spec.containers[0].env[0].value: Invalid value: 8080: must be a string (got number 8080)"]


def test_yaml_keys_that_are_not_strings():
    obj = netpol()
    obj["spec"][True] = 1
    assert one(obj) == 'unknown field "spec.true"'


# --- pods and containers ---------------------------------------------------------------------

def test_containers_required():
    obj = pod()
    obj["spec"]["containers"] = []
    assert one(obj) == "spec.containers: Required value"
    del obj["spec"]["containers"]
    assert one(obj) == "spec.containers: Required value"


def test_container_name_and_image():
    got = msgs(pod(container(name="", image=""), container(name="Web_1")))
    assert got == ["spec.containers[0].name: Required value", "spec.containers[0].image: Required value",
                   f'spec.containers[1].name: Invalid value: "Web_1": {LABEL_MSG}']


def test_duplicate_container_names_including_init_containers():
    obj = pod(container(name="app"), container(name="app"), initContainers=[container(name="app")])
    assert msgs(obj) == ['spec.containers[1].name: Duplicate value: "app"',
                         'spec.initContainers[0].name: Duplicate value: "app"']


def test_image_whitespace_only_for_pods():
    assert one(pod(container(image=" nginx"))) == (
        'spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace')
    assert validate(deployment(containers=[container(image=" nginx")])) == ()


def test_image_pull_policy():
    assert one(pod(container(imagePullPolicy="always"))) == (
        'spec.containers[0].imagePullPolicy: Unsupported value: "always": supported values: '
        '"Always", "IfNotPresent", "Never"')


@pytest.mark.parametrize("port, expected", [
    ({"containerPort": 0}, ["spec.containers[0].ports[0].containerPort: Required value"]),
    ({"name": "http"}, ["spec.containers[0].ports[0].containerPort: Required value"]),
    ({"containerPort": 70000}, [f"spec.containers[0].ports[0].containerPort: Invalid value: 70000: {PORT_RANGE}"]),
    ({"containerPort": -1}, [f"spec.containers[0].ports[0].containerPort: Invalid value: -1: {PORT_RANGE}"]),
    ({"containerPort": 80, "hostPort": 70000}, [f"spec.containers[0].ports[0].hostPort: Invalid value: 70000: {PORT_RANGE}"]),
    ({"containerPort": 80, "protocol": "tcp"},
     ['spec.containers[0].ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"']),
    ({"containerPort": 80, "name": "HTTP"},
     ['spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain only alpha-numeric characters '
      '(a-z, 0-9), and hyphens (-)',
      'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain at least one letter (a-z)']),
    ({"containerPort": 80, "name": "8080"},
     ['spec.containers[0].ports[0].name: Invalid value: "8080": must contain at least one letter (a-z)']),
    ({"containerPort": 80, "name": "web--http"},
     ['spec.containers[0].ports[0].name: Invalid value: "web--http": must not contain consecutive hyphens']),
    ({"containerPort": 80, "name": "-http"},
     ['spec.containers[0].ports[0].name: Invalid value: "-http": must not begin or end with a hyphen']),
    ({"containerPort": 80, "name": "a-very-long-port-name"},
     ['spec.containers[0].ports[0].name: Invalid value: "a-very-long-port-name": must be no more than 15 characters']),
])
def test_container_ports(port, expected):
    assert msgs(pod(container(ports=[port]))) == expected


def test_duplicate_port_names_within_a_container():
    c = container(ports=[{"name": "http", "containerPort": 80}, {"name": "http", "containerPort": 8080}])
    assert one(pod(c)) == 'spec.containers[0].ports[1].name: Duplicate value: "http"'


def test_same_port_name_in_two_containers_is_not_an_error():
    # The API server only warns here (services pick the first container's port).
    a = container(name="a", ports=[{"name": "http", "containerPort": 80}])
    b = container(name="b", ports=[{"name": "http", "containerPort": 8080}])
    assert validate(pod(a, b)) == ()


def test_env():
    c = container(env=[{"value": "x"}, {"name": "A", "valueFrom": {}},
                       {"name": "B", "value": "v", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                       {"name": "C", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"},
                                                   "configMapKeyRef": {"name": "c", "key": "k"}}},
                       {"name": "D", "valueFrom": {"configMapKeyRef": {"name": "c"}}},
                       {"name": "E", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}])
    assert msgs(pod(c)) == [
        "spec.containers[0].env[0].name: Required value",
        'spec.containers[0].env[1].valueFrom: Invalid value: "": must specify one of: `fieldRef`, '
        "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
        'spec.containers[0].env[2].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
        'spec.containers[0].env[3].valueFrom: Invalid value: "": may not have more than one field specified at a time',
        "spec.containers[0].env[4].valueFrom.configMapKeyRef.key: Required value"]


def test_env_from():
    c = container(envFrom=[{"configMapRef": {"name": "cfg"}}, {"prefix": "X_"},
                           {"configMapRef": {"name": "a"}, "secretRef": {"name": "b"}}])
    assert msgs(pod(c)) == [
        'spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`',
        'spec.containers[0].envFrom: Invalid value: "": may not have more than one field specified at a time']


def test_probes():
    c = container(
        livenessProbe={"httpGet": {"path": "/", "port": 8080}, "tcpSocket": {"port": 8080}},
        readinessProbe={"periodSeconds": -1},
        startupProbe={"httpGet": {"path": "/healthz"}, "successThreshold": 2})
    assert msgs(pod(c)) == [
        "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
        "spec.containers[0].readinessProbe: Required value: must specify a handler type",
        "spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0",
        f"spec.containers[0].startupProbe.httpGet.port: Invalid value: 0: {PORT_RANGE}",
        "spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1"]


def test_probe_ports_and_handlers():
    c = container(livenessProbe={"tcpSocket": {"port": "HTTP"}},
                  readinessProbe={"grpc": {"port": 70000}},
                  startupProbe={"exec": {"command": []}})
    assert msgs(pod(c)) == [
        'spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: "HTTP": must contain only alpha-numeric '
        "characters (a-z, 0-9), and hyphens (-)",
        'spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: "HTTP": must contain at least one letter (a-z)',
        f"spec.containers[0].readinessProbe.grpc.port: Invalid value: 70000: {PORT_RANGE}",
        "spec.containers[0].startupProbe.exec.command: Required value"]


def test_valid_probes():
    c = container(ports=[{"name": "http", "containerPort": 8080}],
                  livenessProbe={"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                                 "initialDelaySeconds": 3, "periodSeconds": 10, "successThreshold": 1},
                  readinessProbe={"tcpSocket": {"port": 8080}, "successThreshold": 3},
                  startupProbe={"exec": {"command": ["cat", "/ready"]}, "failureThreshold": 30})
    assert validate(pod(c)) == ()


def test_init_containers():
    init = container(name="setup", livenessProbe={"exec": {"command": ["true"]}}, lifecycle={"preStop": {}})
    sidecar = container(name="proxy", restartPolicy="Always", readinessProbe={"tcpSocket": {"port": 15000}})
    odd = container(name="odd", restartPolicy="OnFailure")
    assert msgs(pod(initContainers=[init, sidecar, odd])) == [
        "spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without "
        "restartPolicy=Always",
        "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without "
        "restartPolicy=Always",
        'spec.initContainers[2].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']
    assert one(pod(container(restartPolicy="Always"))) == (
        "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers")


def test_volumes_and_mounts():
    c = container(volumeMounts=[{"name": "data", "mountPath": "/data"}, {"name": "", "mountPath": ""}])
    obj = pod(c, volumes=[{"name": "data", "emptyDir": {}}, {"name": "data", "configMap": {"name": "x"}},
                          {"configMap": {"name": "y"}}])
    assert msgs(obj) == ['spec.volumes[1].name: Duplicate value: "data"', "spec.volumes[2].name: Required value",
                         "spec.containers[0].volumeMounts[1].name: Required value",
                         "spec.containers[0].volumeMounts[1].mountPath: Required value"]


def test_pod_spec_enums_and_names():
    obj = pod(restartPolicy="always", dnsPolicy="Cluster", nodeSelector={"disk": "ssd!"},
              serviceAccountName="My_SA", activeDeadlineSeconds=0, hostname="web.1")
    assert msgs(obj) == [
        'spec.restartPolicy: Unsupported value: "always": supported values: "Always", "OnFailure", "Never"',
        'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", '
        '"ClusterFirst", "Default", "None"',
        f'spec.nodeSelector: Invalid value: "ssd!": {LABEL_VALUE_MSG}',
        f'spec.serviceAccountName: Invalid value: "My_SA": {SUBDOMAIN_MSG}',
        'spec.hostname: Invalid value: "web.1": must not contain dots',
        "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"]


def test_tolerations():
    obj = pod(tolerations=[{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"},
                           {"operator": "Equal", "value": "x"},
                           {"key": "a", "operator": "Exists", "value": "v"},
                           {"key": "b", "operator": "Has"},
                           {"key": "c", "tolerationSeconds": 30, "effect": "NoSchedule"},
                           {"key": "d", "effect": "Never"}])
    assert msgs(obj) == [
        'spec.tolerations[1].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, '
        'which means "match all values and all keys"',
        "spec.tolerations[2].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
        'spec.tolerations[3].operator: Unsupported value: "Has": supported values: "Equal", "Exists"',
        "spec.tolerations[4].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when "
        "`tolerationSeconds` is set",
        'spec.tolerations[5].effect: Unsupported value: "Never": supported values: "NoSchedule", '
        '"PreferNoSchedule", "NoExecute"']


def test_host_network_host_port_must_match():
    c = container(ports=[{"containerPort": 80, "hostPort": 8080}, {"containerPort": 81}])
    # an unset hostPort is defaulted to the containerPort (SetDefaults_Pod) before validation
    assert msgs(pod(c, hostNetwork=True)) == [
        "spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true"]
    # in a template it stays unset, and only the real mismatch counts there too
    dep = deployment(containers=[c])
    dep["spec"]["template"]["spec"]["hostNetwork"] = True
    assert msgs(dep) == ["spec.template.spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match "
                         "`containerPort` when `hostNetwork` is true"]


def test_pod_status_ips():
    obj = pod()
    obj["status"] = {"podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}, {"ip": "fd00::7"}]}
    assert validate(obj) == ()
    obj["status"] = {"podIP": "10.244.1.300", "podIPs": [{"ip": "10.244.1.7"}, {"ip": "not-an-ip"}]}
    assert msgs(obj) == [f'status.podIP: Invalid value: "10.244.1.300": {IP_MSG}',
                         f'status.podIPs[1]: Invalid value: "not-an-ip": {IP_MSG}']


# --- apps/v1 workloads -----------------------------------------------------------------------

def test_selector_does_not_match_template():
    got = one(deployment(labels={"app": "webx", "tier": "front"}))
    assert got == ('spec.template.metadata.labels: Invalid value: map[string]string{"app":"webx", "tier":"front"}: '
                   "`selector` does not match template `labels`")


def test_selector_required():
    obj = deployment()
    del obj["spec"]["selector"]
    assert msgs(obj) == [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: '
        "`selector` does not match template `labels`"]


@pytest.mark.parametrize("kind, noun", [("Deployment", "deployment"), ("ReplicaSet", "deployment"),
                                        ("StatefulSet", "statefulset"), ("DaemonSet", "daemonset")])
def test_empty_selector(kind, noun):
    assert one(deployment(kind, selector={})) == (
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
        f"MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: empty selector is invalid for {noun}")


def test_daemonset_without_selector_matches_nothing():
    obj = deployment("DaemonSet")
    del obj["spec"]["selector"]
    assert one(obj) == ('spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: '
                        "`selector` does not match template `labels`")


@pytest.mark.parametrize("expr, matches", [
    ({"key": "app", "operator": "In", "values": ["web", "api"]}, True),
    ({"key": "app", "operator": "In", "values": ["api"]}, False),
    ({"key": "app", "operator": "NotIn", "values": ["api"]}, True),
    ({"key": "tier", "operator": "NotIn", "values": ["db"]}, True),
    ({"key": "app", "operator": "Exists"}, True),
    ({"key": "tier", "operator": "Exists"}, False),
    ({"key": "tier", "operator": "DoesNotExist"}, True),
    ({"key": "app", "operator": "DoesNotExist"}, False),
])
def test_match_expressions_selectors(expr, matches):
    got = msgs(deployment(selector={"matchExpressions": [expr]}))
    assert got == ([] if matches else [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: '
        "`selector` does not match template `labels`"])


def test_unconvertible_selector():
    got = msgs(deployment(selector={"matchLabels": {"app": "web"},
                                    "matchExpressions": [{"key": "tier", "operator": "Bogus"}]}))
    assert got == [
        'spec.selector.matchExpressions[0].operator: Invalid value: "Bogus": not a valid selector operator',
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, '
        'MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"tier", '
        'Operator:"Bogus", Values:[]string(nil)}}}: invalid label selector']


def test_replicas_and_counts():
    obj = deployment(replicas=-1, minReadySeconds=-2, revisionHistoryLimit=-3)
    assert msgs(obj) == ["spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                         "spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0",
                         "spec.revisionHistoryLimit: Invalid value: -3: must be greater than or equal to 0"]
    assert one(deployment(minReadySeconds=10, progressDeadlineSeconds=10)) == (
        "spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds")


def test_daemonset_has_no_replicas():
    assert one(deployment("DaemonSet", replicas=3)) == 'unknown field "spec.replicas"'


def test_template_spec_is_a_pod_spec():
    obj = deployment(containers=[container(name="Web", ports=[{"containerPort": 0}])])
    assert msgs(obj) == [f'spec.template.spec.containers[0].name: Invalid value: "Web": {LABEL_MSG}',
                         "spec.template.spec.containers[0].ports[0].containerPort: Required value"]


@pytest.mark.parametrize("kind, owner", [("Deployment", "ReplicaSet"), ("ReplicaSet", "ReplicaSet"),
                                         ("StatefulSet", "StatefulSet"), ("DaemonSet", "DaemonSet")])
def test_template_restart_policy_and_deadline(kind, owner):
    obj = deployment(kind)
    obj["spec"]["template"]["spec"].update(restartPolicy="Never", activeDeadlineSeconds=5)
    assert msgs(obj) == ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
                         f"spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in {owner} "
                         "is not Supported"]


def test_template_label_errors_use_upstream_path():
    obj = deployment(labels={"app": "web", "bad key": "x"})
    assert one(obj) == f'spec.template.labels: Invalid value: "bad key": {NAME_PART_MSG}'


def test_missing_template():
    obj = deployment()
    del obj["spec"]["template"]
    assert msgs(obj) == ["spec.template.metadata.labels: Invalid value: map[string]string(nil): "
                         "`selector` does not match template `labels`",
                         "spec.template.spec.containers: Required value"]


def test_statefulset_fields():
    obj = deployment("StatefulSet", serviceName="db", podManagementPolicy="Random",
                     volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {}}],
                     updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
    assert one(obj) == ("spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'")


def test_deployment_strategy_fields_known():
    obj = deployment(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                     paused=False, progressDeadlineSeconds=600)
    assert validate(obj) == ()


# --- Service ---------------------------------------------------------------------------------

def test_service_ports_required():
    assert one(service(ports=[])) == "spec.ports: Required value"
    assert validate(service(ports=None, clusterIP="None")) == ()


def test_external_name_service():
    assert validate(service(type="ExternalName", externalName="db.example.com.", ports=None)) == ()
    assert one(service(type="ExternalName", ports=None)) == "spec.externalName: Required value"


@pytest.mark.parametrize("port, expected", [
    ({"port": 0}, [f"spec.ports[0].port: Invalid value: 0: {PORT_RANGE}"]),
    ({"targetPort": 80}, [f"spec.ports[0].port: Invalid value: 0: {PORT_RANGE}"]),
    ({"port": 80, "targetPort": 70000}, [f"spec.ports[0].targetPort: Invalid value: 70000: {PORT_RANGE}"]),
    ({"port": 80, "targetPort": 0}, [f"spec.ports[0].targetPort: Invalid value: 0: {PORT_RANGE}"]),
    ({"port": 80, "targetPort": "http"}, []),
    ({"port": 80, "targetPort": "8080"},
     ['spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)']),
    ({"port": 80, "protocol": "http"},
     ['spec.ports[0].protocol: Unsupported value: "http": supported values: "SCTP", "TCP", "UDP"']),
    ({"port": 80, "name": "HTTP"}, [f'spec.ports[0].name: Invalid value: "HTTP": {LABEL_MSG}']),
    ({"port": 80, "nodePort": 30080}, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]),
])
def test_service_port(port, expected):
    assert msgs(service(ports=[port])) == expected


def test_service_port_names_required_and_unique_when_several():
    obj = service(ports=[{"port": 80, "name": "http"}, {"port": 443}, {"port": 8080, "name": "http"}])
    assert msgs(obj) == ["spec.ports[1].name: Required value", 'spec.ports[2].name: Duplicate value: "http"']


def test_duplicate_service_port_and_protocol():
    obj = service(ports=[{"port": 53, "name": "dns", "protocol": "UDP"}, {"port": 53, "name": "dns-tcp"},
                         {"port": 53, "name": "again", "protocol": "TCP"}])
    assert msgs(obj) == [
        'spec.ports[2]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), '
        'Port:53, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}']


def test_service_type_and_affinity():
    assert msgs(service(type="Internal", sessionAffinity="Sticky")) == [
        'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", '
        '"LoadBalancer", "NodePort"',
        'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"']
    for t in ("NodePort", "LoadBalancer"):
        assert validate(service(type=t, ports=[{"port": 80, "nodePort": 30080}])) == ()


@pytest.mark.parametrize("ip, ok", [("", True), ("None", True), ("10.96.0.10", True), ("fd00::10", True),
                                    ("10.96.0.300", False), ("auto", False)])
def test_cluster_ip(ip, ok):
    got = msgs(service(clusterIP=ip))
    assert got == ([] if ok else [f'spec.clusterIPs[0]: Invalid value: "{ip}": {IP_MSG}'])


def test_cluster_ips_consistency():
    assert one(service(clusterIP="10.0.0.1", clusterIPs=["10.0.0.2"])) == (
        'spec.clusterIPs: Invalid value: []string{"10.0.0.2"}: first value must match `clusterIP`')
    assert one(service(clusterIPs=["10.0.0.2"])) == (
        'spec.clusterIPs: Invalid value: []string{"10.0.0.2"}: must be empty when `clusterIP` is not specified')


def test_service_selector_labels():
    assert one(service(selector={"app": "web server"})) == (
        f'spec.selector: Invalid value: "web server": {LABEL_VALUE_MSG}')


# --- Secret and ConfigMap ----------------------------------------------------------------------

@pytest.mark.parametrize("value, at", [("cGFzcw==", None), ("cGFzc3dvcmQ=", None), ("", None),
                                       ("cGF zcw==", 3), ("pass!", 4), ("cGFzcw", 4), ("abc", 0), ("ab=c", 2),
                                       ("cGFz\ncw==", None)])
def test_secret_data_must_be_base64(value, at):
    got = msgs(secret(data={"password": value}))
    assert got == ([] if at is None else
                   [f'data[password]: Invalid value: "{value}": illegal base64 data at input byte {at}'])


def test_secret_keys_and_string_data():
    obj = secret(data={"bad key": "YQ=="}, stringData={"user": "admin", "pin": 1234, "..": "x"})
    assert msgs(obj) == [
        "stringData.pin: Invalid value: 1234: must be a string (got number 1234)",
        f'data[bad key]: Invalid value: "bad key": {CONFIG_KEY_MSG}',
        'data[..]: Invalid value: "..": must not be \'..\'']


def test_secret_fields_known():
    assert validate(secret(type="kubernetes.io/tls", immutable=True,
                           data={"tls.crt": "YQ==", "tls.key": "Yg=="})) == ()
    assert one(secret(spec={})) == 'unknown field "spec"'


def test_configmap_values_must_be_strings():
    assert one(configmap(data={"port": 8080})) == "data.port: Invalid value: 8080: must be a string (got number 8080)"
    assert one(configmap(data={"debug": True})) == "data.debug: Invalid value: true: must be a string (got bool true)"


def test_configmap_keys_and_binary_data():
    obj = configmap(data={"app.conf": "x", "a b": "y", "logo": "z"}, binaryData={"logo": "iVBO", "raw": "!!"})
    assert msgs(obj) == [f'data[a b]: Invalid value: "a b": {CONFIG_KEY_MSG}',
                         'data[logo]: Invalid value: "logo": duplicate of key present in binaryData',
                         'binaryData[raw]: Invalid value: "!!": illegal base64 data at input byte 0']


# --- NetworkPolicy ------------------------------------------------------------------------------

LAB_POLICIES = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-all, namespace: simple-app}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-frontend-to-backend, namespace: simple-app}
spec:
  podSelector:
    matchLabels: {app: backend}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchLabels: {app: frontend}
    ports:
    - {protocol: TCP, port: 8080}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns, namespace: simple-app}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: kube-system}
      podSelector:
        matchLabels: {k8s-app: kube-dns}
    ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-ranges, namespace: simple-app}
spec:
  podSelector:
    matchExpressions:
    - {key: tier, operator: In, values: [web, api]}
    - {key: canary, operator: DoesNotExist}
  egress:
  - to:
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.96.0.0/12, 10.0.0.1/32]}
    - ipBlock: {cidr: "2001:db8::/32", except: ["2001:db8:1::/48"]}
    ports:
    - {protocol: TCP, port: 30000, endPort: 32767}
    - {protocol: SCTP, port: metrics}
    - {port: 443, endPort: 443}
  - {}
"""


def test_lab_policies_are_valid():
    for doc in load_documents(LAB_POLICIES):
        assert validate(doc.obj) == (), doc.obj["metadata"]["name"]


def test_peer_must_be_specified():
    assert one(ingress({"podSelector": {}}, {})) == "spec.ingress[0].from[1]: Required value: must specify a peer"
    assert one(ingress({"podSelector": None})) == "spec.ingress[0].from[0]: Required value: must specify a peer"


@pytest.mark.parametrize("other", ["podSelector", "namespaceSelector"])
def test_ip_block_is_exclusive(other):
    peer = {"ipBlock": {"cidr": "10.0.0.0/8"}, other: {}}
    assert one(ingress(peer)) == "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer"


def test_pod_and_namespace_selector_combine():
    assert validate(ingress({"podSelector": {}, "namespaceSelector": {"matchLabels": {"team": "a"}}})) == ()


@pytest.mark.parametrize("block, expected", [
    ({"cidr": "10.0.0.0/33"}, [f'spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": {CIDR_MSG}']),
    ({"cidr": "10.0.0.0"}, [f'spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.0": {CIDR_MSG}']),
    ({"cidr": "2001:db8::/129"}, [f'spec.egress[0].to[0].ipBlock.cidr: Invalid value: "2001:db8::/129": {CIDR_MSG}']),
    ({"cidr": "fe80::1%eth0/64"}, [f'spec.egress[0].to[0].ipBlock.cidr: Invalid value: "fe80::1%eth0/64": {CIDR_MSG}']),
    ({}, ["spec.egress[0].to[0].ipBlock.cidr: Required value"]),
    ({"cidr": ""}, ["spec.egress[0].to[0].ipBlock.cidr: Required value"]),
    ({"cidr": "10.1.2.3/16"}, []),  # host bits set: accepted, as ParseCIDRSloppy does
    ({"cidr": "010.0.0.0/8"}, []),  # leading zeros: accepted, as ParseCIDRSloppy does
    ({"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}, []),
    ({"cidr": "10.0.0.0/8", "except": ["192.168.0.0/16"]},
     ['spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "192.168.0.0/16": must be a strict subset of `cidr`']),
    ({"cidr": "10.0.0.0/16", "except": ["10.0.0.0/8"]},
     ['spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`']),
    ({"cidr": "10.0.0.0/8", "except": ["10.0.0.0/8"]},
     ['spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`']),
    ({"cidr": "10.0.0.0/8", "except": ["fd00::/64"]},
     ['spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "fd00::/64": must be a strict subset of `cidr`']),
    ({"cidr": "10.0.0.0/8", "except": ["10.1.0.0"]},
     [f'spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.1.0.0": {CIDR_MSG}']),
    ({"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16", "10.300.0.0/16"]},
     [f'spec.egress[0].to[0].ipBlock.except[1]: Invalid value: "10.300.0.0/16": {CIDR_MSG}']),
])
def test_ip_block(block, expected):
    assert msgs(netpol({"egress": [{"to": [{"ipBlock": block}]}]})) == expected


@pytest.mark.parametrize("port, expected", [
    ({"port": 80}, []),
    ({"port": "http"}, []),
    ({"protocol": "SCTP"}, []),
    ({"port": 80, "endPort": 80}, []),
    ({"protocol": "tcp", "port": 80},
     ['spec.egress[0].ports[0].protocol: Unsupported value: "tcp": supported values: "TCP", "UDP", "SCTP"']),
    ({"port": 0}, [f"spec.egress[0].ports[0].port: Invalid value: 0: {PORT_RANGE}"]),
    ({"port": 65536}, [f"spec.egress[0].ports[0].port: Invalid value: 65536: {PORT_RANGE}"]),
    ({"port": "80"}, ['spec.egress[0].ports[0].port: Invalid value: "80": must contain at least one letter (a-z)']),
    ({"port": "Metrics"}, ['spec.egress[0].ports[0].port: Invalid value: "Metrics": must contain only alpha-numeric '
                           "characters (a-z, 0-9), and hyphens (-)"]),
    ({"port": 8080, "endPort": 80},
     ["spec.egress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`"]),
    ({"port": 8080, "endPort": 70000}, [f"spec.egress[0].ports[0].endPort: Invalid value: 70000: {PORT_RANGE}"]),
    ({"port": "http", "endPort": 90},
     ["spec.egress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric"]),
    ({"endPort": 90},
     ["spec.egress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not specified"]),
    ({"port": 0, "endPort": -1}, [f"spec.egress[0].ports[0].port: Invalid value: 0: {PORT_RANGE}",
                                   "spec.egress[0].ports[0].endPort: Invalid value: -1: must be greater than or "
                                   "equal to `port`",
                                   f"spec.egress[0].ports[0].endPort: Invalid value: -1: {PORT_RANGE}"]),
])
def test_policy_ports(port, expected):
    assert msgs(netpol({"egress": [{"ports": [port]}]})) == expected


def test_policy_types():
    assert validate(netpol({"policyTypes": ["Ingress", "Egress"]})) == ()
    assert msgs(netpol({"policyTypes": ["ingress", "Egress", "Both"]})) == [
        'spec.policyTypes: Invalid value: []networking.PolicyType{"ingress", "Egress", "Both"}: '
        "may not specify more than two policyTypes"]
    assert msgs(netpol({"policyTypes": ["ingress"]})) == [
        'spec.policyTypes[0]: Unsupported value: "ingress": supported values: "Ingress", "Egress"']


def test_duplicate_policy_types_are_accepted_like_upstream():
    assert validate(netpol({"policyTypes": ["Ingress", "Ingress"]})) == ()


@pytest.mark.parametrize("expr, expected", [
    ({"key": "app", "operator": "in", "values": ["a"]},
     ['spec.podSelector.matchExpressions[0].operator: Invalid value: "in": not a valid selector operator']),
    ({"key": "app", "values": ["a"]},
     ['spec.podSelector.matchExpressions[0].operator: Invalid value: "": not a valid selector operator']),
    ({"key": "app", "operator": "In"},
     ["spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is "
      "'In' or 'NotIn'"]),
    ({"key": "app", "operator": "NotIn", "values": []},
     ["spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is "
      "'In' or 'NotIn'"]),
    ({"key": "app", "operator": "Exists", "values": ["web"]},
     ["spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is "
      "'Exists' or 'DoesNotExist'"]),
    ({"key": "app", "operator": "DoesNotExist", "values": []}, []),
    ({"key": "bad key", "operator": "Exists"},
     [f'spec.podSelector.matchExpressions[0].key: Invalid value: "bad key": {NAME_PART_MSG}']),
    ({"key": "app", "operator": "In", "values": ["ok", "not ok"]},
     [f'spec.podSelector.matchExpressions[0].values[1]: Invalid value: "not ok": {LABEL_VALUE_MSG}']),
])
def test_label_selector_requirements(expr, expected):
    assert msgs(netpol({"podSelector": {"matchExpressions": [expr]}})) == expected


def test_match_labels_in_peer_selectors():
    obj = netpol({"egress": [{"to": [{"namespaceSelector": {"matchLabels": {"team": "a b"}}}]}]})
    assert one(obj) == f'spec.egress[0].to[0].namespaceSelector.matchLabels: Invalid value: "a b": {LABEL_VALUE_MSG}'


def test_paths_deep_in_egress():
    obj = netpol({"egress": [{"to": [{"podSelector": {}}, {"ipBlock": {"cidr": "10.0.0.0/8",
                                                                      "except": ["11.0.0.0/8"]}}],
                              "ports": [{"port": 9000, "endPort": 8000}]}]})
    assert [e.path for e in validate(obj)] == ["spec.egress[0].ports[0].endPort", "spec.egress[0].to[1].ipBlock.except[0]"]


def test_errors_are_field_errors_with_values():
    (err,) = validate(netpol({"ingress": [{"ports": [{"port": 70000}]}]}))
    assert err == FieldError.invalid("spec.ingress[0].ports[0].port", 70000, PORT_RANGE)
    assert err.value == 70000
    assert err.to_dict()["reason"] == f"Invalid value: 70000: {PORT_RANGE}"


def test_validate_does_not_mutate_its_input():
    obj = deployment(labels={"app": "x", "v": 1.0})
    before = copy.deepcopy(obj)
    validate(obj)
    assert obj == before
