"""Properties of netpol_kernel.api.validation, checked on generated objects.

* whatever the input, ``validate`` returns field errors and never raises;
* NetworkPolicies built to respect every rule validate clean;
* breaking exactly one rule of such a policy yields exactly one error, at the
  path (and of the type) the API server would report.
"""
from __future__ import annotations

import copy
import ipaddress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_kernel.errors import FieldError
from netpol_kernel.api.validation import SUPPORTED_KINDS, validate

from junk import SEEDS, paths

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- anything at all never makes validate raise ---------------------------------------------

FIELD_NAMES = [
    "apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "generateName", "finalizers",
    "spec", "status", "podSelector", "namespaceSelector", "ingress", "egress", "from", "to", "ports", "port",
    "endPort", "protocol", "ipBlock", "cidr", "except", "matchLabels", "matchExpressions", "key", "operator",
    "values", "policyTypes", "containers", "initContainers", "image", "containerPort", "hostPort", "env", "value",
    "valueFrom", "secretKeyRef", "configMapKeyRef", "fieldRef", "envFrom", "configMapRef", "livenessProbe",
    "readinessProbe", "httpGet", "tcpSocket", "grpc", "exec", "command", "volumes", "volumeMounts",
    "restartPolicy", "tolerations", "effect", "tolerationSeconds", "hostNetwork", "selector", "template",
    "replicas", "type", "clusterIP", "clusterIPs", "targetPort", "nodePort", "externalName", "data",
    "stringData", "binaryData", "podIP", "podIPs", "ip", "items", "successThreshold", "activeDeadlineSeconds",
]
SCALARS = (st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=True)
           | st.text(max_size=12) | st.sampled_from(["", "None", "TCP", "In", "Exists", "10.0.0.0/8", "http",
                                                    "Ingress", "-", "a/b/c", "::", "0", "80"]))
KEYS = st.sampled_from(FIELD_NAMES) | st.text(max_size=6) | st.integers(0, 3) | st.booleans()
JUNK = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
                    max_leaves=25)


@st.composite
def typed_junk(draw) -> dict:
    """A supported kind with arbitrary content, so the deep checks are reached."""
    api, kind = draw(st.sampled_from(SUPPORTED_KINDS))
    obj = draw(st.dictionaries(st.sampled_from(FIELD_NAMES), JUNK, max_size=6))
    obj.update(apiVersion=api, kind=kind)
    return obj


def _replace(obj, path, value):
    if not path:
        return value
    out = copy.deepcopy(obj)
    node = out
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return out


@st.composite
def damaged_valid_object(draw) -> dict:
    """A valid corpus object with a few subtrees swapped for junk."""
    obj = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 3))):
        where = [p for p in paths(obj) if p[:1] not in (("apiVersion",), ("kind",))]
        obj = _replace(obj, draw(st.sampled_from(where)), draw(JUNK))
    return obj


def _assert_field_errors(result) -> None:
    assert isinstance(result, tuple)
    for err in result:
        assert isinstance(err, FieldError)
        str(err)  # every error must render
        err.to_dict()


@SETTINGS
@given(JUNK)
def test_validate_never_raises_on_anything(value):
    _assert_field_errors(validate(value))


@SETTINGS
@given(typed_junk())
def test_validate_never_raises_on_typed_junk(obj):
    _assert_field_errors(validate(obj))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_valid_object())
def test_validate_never_raises_on_damaged_valid_objects(obj):
    _assert_field_errors(validate(obj))


# --- valid NetworkPolicies by construction ------------------------------------------------------

DNS_LABEL = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,14}[a-z0-9])?", fullmatch=True)
NAME_PART = st.from_regex(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?", fullmatch=True)
LABEL_KEY = st.builds(lambda prefix, name: f"{prefix}/{name}" if prefix else name,
                      st.none() | st.builds(".".join, st.lists(DNS_LABEL, min_size=1, max_size=3)), NAME_PART)
LABEL_VALUE = st.just("") | NAME_PART
PORT_NAME = st.from_regex(r"[a-z]([a-z0-9]|-[a-z0-9]){0,6}", fullmatch=True)  # IANA_SVC_NAME
PORT_NUM = st.integers(1, 65535)


@st.composite
def requirement(draw) -> dict:
    op = draw(st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]))
    req = {"key": draw(LABEL_KEY), "operator": op}
    if op in ("In", "NotIn"):
        req["values"] = draw(st.lists(LABEL_VALUE, min_size=1, max_size=3))
    elif draw(st.booleans()):
        req["values"] = []
    return req


SELECTOR = st.fixed_dictionaries({}, optional={
    "matchLabels": st.dictionaries(LABEL_KEY, LABEL_VALUE, max_size=3),
    "matchExpressions": st.lists(requirement(), max_size=3)})


@st.composite
def ip_block(draw) -> dict:
    version = draw(st.sampled_from([4, 6]))
    bits = 32 if version == 4 else 128
    addr = draw(st.ip_addresses(v=version))
    prefix = draw(st.integers(0, bits))
    net = ipaddress.ip_network(f"{addr}/{prefix}", strict=False)
    block = {"cidr": f"{addr}/{prefix}" if draw(st.booleans()) else str(net)}
    if prefix < bits and draw(st.booleans()):
        excepts = []
        for _ in range(draw(st.integers(1, 3))):
            inner = draw(st.integers(prefix + 1, bits))
            offset = draw(st.integers(0, net.num_addresses - 1))
            excepts.append(str(ipaddress.ip_network(f"{net.network_address + offset}/{inner}", strict=False)))
        block["except"] = excepts
    return block


PEER = st.one_of(
    st.builds(lambda s: {"podSelector": s}, SELECTOR),
    st.builds(lambda s: {"namespaceSelector": s}, SELECTOR),
    st.builds(lambda a, b: {"podSelector": a, "namespaceSelector": b}, SELECTOR, SELECTOR),
    st.builds(lambda b: {"ipBlock": b}, ip_block()))


@st.composite
def policy_port(draw) -> dict:
    port: dict = {}
    if draw(st.booleans()):
        port["protocol"] = draw(st.sampled_from(["TCP", "UDP", "SCTP"]))
    kind = draw(st.sampled_from(["none", "number", "range", "name"]))
    if kind == "number":
        port["port"] = draw(PORT_NUM)
    elif kind == "range":
        port["port"] = draw(PORT_NUM)
        port["endPort"] = draw(st.integers(port["port"], 65535))
    elif kind == "name":
        port["port"] = draw(PORT_NAME)
    return port


def rule(peer_key: str):
    return st.fixed_dictionaries({}, optional={peer_key: st.lists(PEER, max_size=3),
                                               "ports": st.lists(policy_port(), max_size=3)})


@st.composite
def network_policy(draw) -> dict:
    spec: dict = {"podSelector": draw(SELECTOR)}
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        if draw(st.booleans()):
            spec[direction] = draw(st.lists(rule(peers), max_size=3))
    types = draw(st.permutations(["Ingress", "Egress"]))[:draw(st.integers(0, 2))]
    if types or draw(st.booleans()):
        spec["policyTypes"] = list(types)
    meta = {"name": draw(st.builds(".".join, st.lists(DNS_LABEL, min_size=1, max_size=2))),
            "namespace": draw(DNS_LABEL)}
    if draw(st.booleans()):
        meta["labels"] = draw(st.dictionaries(LABEL_KEY, LABEL_VALUE, max_size=3))
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta, "spec": spec}


@SETTINGS
@given(network_policy())
def test_generated_valid_policies_validate_clean(policy):
    assert validate(policy) == ()


# --- one broken rule, one error at the expected path ----------------------------------------------

def _append_rule(policy: dict, direction: str, rule_body: dict) -> str:
    rules = policy["spec"].setdefault(direction, [])
    rules.append(rule_body)
    return f"spec.{direction}[{len(rules) - 1}]"


def _mutate(policy: dict, data) -> tuple[str, str]:
    """Break one rule in place; return the (path, type) of the error it must cause."""
    direction, peers = data.draw(st.sampled_from([("ingress", "from"), ("egress", "to")]))
    mutation = data.draw(st.sampled_from([
        "empty-peer", "ipblock-and-selector", "bad-cidr", "except-outside", "bad-protocol", "port-range",
        "endport-below", "endport-named", "endport-alone", "bad-port-name", "policy-type", "operator",
        "in-without-values", "exists-with-values", "unknown-field", "name"]))
    if mutation == "empty-peer":
        path = _append_rule(policy, direction, {peers: [{}]})
        return f"{path}.{peers}[0]", "Required"
    if mutation == "ipblock-and-selector":
        other = data.draw(st.sampled_from(["podSelector", "namespaceSelector"]))
        path = _append_rule(policy, direction, {peers: [{"ipBlock": {"cidr": "10.0.0.0/8"}, other: {}}]})
        return f"{path}.{peers}[0]", "Forbidden"
    if mutation == "bad-cidr":
        cidr = data.draw(st.sampled_from(["10.0.0.0/33", "10.0.0.256/8", "10.0.0.0", "::/129", "ten/8"]))
        path = _append_rule(policy, direction, {peers: [{"ipBlock": {"cidr": cidr}}]})
        return f"{path}.{peers}[0].ipBlock.cidr", "Invalid"
    if mutation == "except-outside":
        bad = data.draw(st.sampled_from(["11.0.0.0/16", "10.0.0.0/8", "10.0.0.0/7", "fd00::/64"]))
        path = _append_rule(policy, direction, {peers: [{"ipBlock": {"cidr": "10.0.0.0/8", "except": [bad]}}]})
        return f"{path}.{peers}[0].ipBlock.except[0]", "Invalid"
    if mutation == "bad-protocol":
        proto = data.draw(st.sampled_from(["tcp", "ICMP", "HTTP", ""]))
        path = _append_rule(policy, direction, {"ports": [{"protocol": proto, "port": 80}]})
        return f"{path}.ports[0].protocol", "Unsupported"
    if mutation == "port-range":
        port = data.draw(st.integers(max_value=0) | st.integers(min_value=65536))
        path = _append_rule(policy, direction, {"ports": [{"port": port}]})
        return f"{path}.ports[0].port", "Invalid"
    if mutation == "endport-below":
        port = data.draw(st.integers(2, 65535))
        end = data.draw(st.integers(1, port - 1))
        path = _append_rule(policy, direction, {"ports": [{"port": port, "endPort": end}]})
        return f"{path}.ports[0].endPort", "Invalid"
    if mutation == "endport-named":
        path = _append_rule(policy, direction, {"ports": [{"port": data.draw(PORT_NAME),
                                                           "endPort": data.draw(PORT_NUM)}]})
        return f"{path}.ports[0].endPort", "Invalid"
    if mutation == "endport-alone":
        path = _append_rule(policy, direction, {"ports": [{"endPort": data.draw(PORT_NUM)}]})
        return f"{path}.ports[0].endPort", "Invalid"
    if mutation == "bad-port-name":
        name = data.draw(st.sampled_from(["HTTP", "8080", "-http", "web--ui", "a" * 16, "web_ui"]))
        path = _append_rule(policy, direction, {"ports": [{"port": name}]})
        return f"{path}.ports[0].port", "Invalid"
    if mutation == "policy-type":
        policy["spec"]["policyTypes"] = [data.draw(st.sampled_from(["ingress", "egress", "Both", "All", ""]))]
        return "spec.policyTypes[0]", "Unsupported"
    exprs = policy["spec"]["podSelector"].setdefault("matchExpressions", [])
    at = f"spec.podSelector.matchExpressions[{len(exprs)}]"
    if mutation == "operator":
        exprs.append({"key": "app", "operator": data.draw(st.sampled_from(["in", "Equals", "=", ""])),
                      "values": ["web"]})
        return f"{at}.operator", "Invalid"
    if mutation == "in-without-values":
        exprs.append({"key": "app", "operator": data.draw(st.sampled_from(["In", "NotIn"]))})
        return f"{at}.values", "Required"
    if mutation == "exists-with-values":
        exprs.append({"key": "app", "operator": data.draw(st.sampled_from(["Exists", "DoesNotExist"])),
                      "values": ["web"]})
        return f"{at}.values", "Forbidden"
    if mutation == "unknown-field":
        path = _append_rule(policy, direction, {peers: [{"podSelector": {}, "podselector": {}}]})
        return f"{path}.{peers}[0].podselector", "Unknown"
    policy["metadata"]["name"] = data.draw(st.sampled_from(["Web", "web_app", "-web", "web.", "a" * 254]))
    return "metadata.name", "Invalid"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network_policy(), st.data())
def test_breaking_one_rule_gives_one_error_at_its_path(policy, data):
    broken = copy.deepcopy(policy)
    path, kind = _mutate(broken, data)
    errors = validate(broken)
    assert [(e.path, e.type) for e in errors][:1] == [(path, kind)], [str(e) for e in errors]
    assert len({(e.path, e.type) for e in errors}) == 1, [str(e) for e in errors]
