"""The API server's checks for the kinds the course uses, as field errors.

:func:`validate` returns every problem it finds in one object, worded and
pathed as ``kubectl apply`` would print them: strict-decoding problems first
(unknown fields, values of the wrong JSON type), then the rules of
k8s.io/kubernetes ``pkg/apis/{core,apps,networking}/validation``.  It never
raises; :func:`check` raises :class:`ManifestError` for a :class:`Document`.

>>> policy = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
...           "metadata": {"name": "db"},
...           "spec": {"podSelector": {}, "ingres": [],
...                    "egress": [{"ports": [{"port": 5432, "endPort": 80}]}]}}
>>> for e in validate(policy):
...     print(e)
unknown field "spec.ingres"
spec.egress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`
"""
from __future__ import annotations

import base64
import binascii
import difflib
import ipaddress
import json
import re
from typing import Any, Callable, Iterable

from .errors import FieldError, ManifestError
from .manifests import Document

__all__ = ["validate", "check", "SUPPORTED_KINDS"]

Errors = list[FieldError]

# ---------------------------------------------------------------------------
# apimachinery's string formats (k8s.io/apimachinery/pkg/util/validation)
# ---------------------------------------------------------------------------
_DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = _DNS1123_LABEL + r"(\." + _DNS1123_LABEL + ")*"
_DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?"
_QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE = "(" + _QUALIFIED_NAME + ")?"
_CONFIG_KEY = "[-._a-zA-Z0-9]+"
_QNAME_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', "
              "and must start and end with an alphanumeric character")

PORT_RANGE = "must be between 1 and 65535, inclusive"
NEGATIVE = "must be greater than or equal to 0"
PROTOCOLS = ("SCTP", "TCP", "UDP")  # sets.List order, as core validation prints them


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    # Go's RegexError; the double space before "or" is upstream's.
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    eg = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {eg}regex used for validation is '{fmt}')"


def _max_len(n: int) -> str:
    return f"must be no more than {n} characters"


def _full(fmt: str, value: str) -> bool:
    return re.fullmatch(fmt, value) is not None


def is_dns1123_label(value: str) -> list[str]:
    errs = [_max_len(63)] if len(value) > 63 else []
    if not _full(_DNS1123_LABEL, value):
        if _full(_DNS1123_SUBDOMAIN, value):
            errs.append("must not contain dots")
        else:
            errs.append(_regex_error("a lowercase RFC 1123 label must consist of lower case alphanumeric "
                                     "characters or '-', and must start and end with an alphanumeric character",
                                     _DNS1123_LABEL, "my-name", "123-abc"))
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    errs = [_max_len(253)] if len(value) > 253 else []
    if not _full(_DNS1123_SUBDOMAIN, value):
        errs.append(_regex_error("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                                 "characters, '-' or '.', and must start and end with an alphanumeric character",
                                 _DNS1123_SUBDOMAIN, "example.com"))
    return errs


def is_dns1035_label(value: str) -> list[str]:
    errs = [_max_len(63)] if len(value) > 63 else []
    if not _full(_DNS1035_LABEL, value):
        errs.append(_regex_error("a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                                 "start with an alphabetic character, and end with an alphanumeric character",
                                 _DNS1035_LABEL, "my-name", "abc-123"))
    return errs


def is_qualified_name(value: str) -> list[str]:
    parts = value.split("/")
    if len(parts) > 2:
        return ["a qualified name " + _regex_error(_QNAME_MSG, _QUALIFIED_NAME, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    errs: list[str] = []
    name = parts[-1]
    if len(parts) == 2:
        if not parts[0]:
            errs.append("prefix part must be non-empty")
        else:
            errs += ["prefix part " + m for m in is_dns1123_subdomain(parts[0])]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + _max_len(63))
    if not _full(_QUALIFIED_NAME, name):
        errs.append("name part " + _regex_error(_QNAME_MSG, _QUALIFIED_NAME, "MyName", "my.name", "123-abc"))
    return errs


def is_label_value(value: str) -> list[str]:
    errs = [_max_len(63)] if len(value) > 63 else []
    if not _full(_LABEL_VALUE, value):
        errs.append(_regex_error("a valid label must be an empty string or consist of alphanumeric characters, "
                                 "'-', '_' or '.', and must start and end with an alphanumeric character",
                                 _LABEL_VALUE, "MyValue", "my_value", "12345"))
    return errs


def is_port_name(value: str) -> list[str]:
    """IANA_SVC_NAME: what a named port (container, policy, probe) must be."""
    errs = [_max_len(15)] if len(value) > 15 else []
    if not _full("[-a-z0-9]+", value):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", value):
        errs.append("must contain at least one letter (a-z)")
    if "--" in value:
        errs.append("must not contain consecutive hyphens")
    if value.startswith("-") or value.endswith("-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def is_config_map_key(value: str) -> list[str]:
    errs = [_max_len(253)] if len(value) > 253 else []
    if not _full(_CONFIG_KEY, value):
        errs.append(_regex_error("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                                 _CONFIG_KEY, "key.name", "KEY_NAME", "key-name"))
    if value == ".":
        errs.append("must not be '.'")
    elif value == "..":
        errs.append("must not be '..'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return errs


def _port_num(value: int) -> list[str]:
    return [] if 1 <= value <= 65535 else [PORT_RANGE]


# IPs and CIDRs are parsed "sloppily" like k8s.io/utils/net: IPv4 octets may
# carry leading zeros, host bits may be set in a CIDR.
_V4 = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})")


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    m = _V4.fullmatch(text)
    if m:
        octets = [int(o) for o in m.groups()]
        return ipaddress.IPv4Address(".".join(map(str, octets))) if max(octets) <= 255 else None
    if "%" in text or ":" not in text:  # zones are not IPs to Go's ParseIP
        return None
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        return None


def _parse_cidr(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    ip_text, slash, bits = text.partition("/")
    ip = _parse_ip(ip_text)
    if ip is None or not slash or not bits.isascii() or not bits.isdigit() or int(bits) > ip.max_prefixlen:
        return None
    return ipaddress.ip_network(f"{ip}/{int(bits)}", strict=False)


# ---------------------------------------------------------------------------
# Field paths and small accessors that never raise on wrongly typed input
# ---------------------------------------------------------------------------
def _c(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _key(k: Any) -> str:
    # YAML lets keys be booleans/numbers; JSON (and so Go) sees their text.
    if isinstance(k, bool):
        return "true" if k else "false"
    return k if isinstance(k, str) else str(k)


def _d(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _l(v: Any) -> list:
    return v if isinstance(v, list) else []


def _s(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _i(v: Any) -> int | None:
    """An integer, also from an integral float (YAML ``80.0`` is JSON ``80``)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def _empty(v: Any) -> bool:
    """Go's zero value: what "Required" means after JSON decoding."""
    return v is None or v == "" or v == [] or v == {} or (_i(v) == 0)


# ---------------------------------------------------------------------------
# Strict decoding: the subset of the OpenAPI schema we model
# ---------------------------------------------------------------------------
STR, INT, BOOL, INT_OR_STR = "a string", "an integer", "a boolean", "an integer or string"
ANY = None  # a subtree we accept without looking inside


class _Obj:
    __slots__ = ("fields",)

    def __init__(self, fields: dict[str, Any]):
        self.fields = fields


class _List:
    __slots__ = ("item",)

    def __init__(self, item: Any):
        self.item = item


class _Map:
    __slots__ = ("item",)

    def __init__(self, item: Any):
        self.item = item


def _json_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return {dict: "object", list: "array"}.get(type(v), "string")


def _jsonable(v: Any) -> Any:
    """The value as JSON would carry it: string keys (YAML allows ``0:`` and ``true:``)."""
    if isinstance(v, dict):
        return {_key(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    return v if v is None or isinstance(v, (str, int, float)) else str(v)


def _type_error(path: str, value: Any, expected: str) -> FieldError:
    kind, value = _json_kind(value), _jsonable(value)
    got = kind if kind in ("object", "array") else f"{kind} {json.dumps(value)}"
    return FieldError.invalid(path, value, f"must be {expected} (got {got})")


def _decode(value: Any, spec: Any, path: str, errs: Errors) -> None:
    """Report unknown fields and wrongly typed values, like strict decoding."""
    if value is None or spec is ANY:
        return  # JSON null decodes to Go's zero value
    if isinstance(spec, str):
        ok = {STR: isinstance(value, str), BOOL: isinstance(value, bool), INT: _i(value) is not None,
              INT_OR_STR: isinstance(value, str) or _i(value) is not None}[spec]
        if not ok:
            errs.append(_type_error(path, value, spec))
    elif isinstance(spec, _List):
        if not isinstance(value, list):
            errs.append(_type_error(path, value, "a list"))
        else:
            for i, item in enumerate(value):
                _decode(item, spec.item, f"{path}[{i}]", errs)
    elif not isinstance(value, dict):
        errs.append(_type_error(path, value, "an object"))
    elif isinstance(spec, _Map):
        for k, item in value.items():
            _decode(item, spec.item, _c(path, _key(k)), errs)
    else:
        for k, item in value.items():
            if _key(k) not in spec.fields:
                errs.append(FieldError.unknown(_c(path, _key(k))))
            else:
                _decode(item, spec.fields[_key(k)], _c(path, _key(k)), errs)


_META = _Obj({
    "name": STR, "generateName": STR, "namespace": STR, "selfLink": STR, "uid": STR,
    "resourceVersion": STR, "generation": INT, "creationTimestamp": ANY, "deletionTimestamp": ANY,
    "deletionGracePeriodSeconds": INT, "labels": _Map(STR), "annotations": _Map(STR),
    "ownerReferences": _List(_Obj({"apiVersion": STR, "kind": STR, "name": STR, "uid": STR,
                                   "controller": BOOL, "blockOwnerDeletion": BOOL})),
    "finalizers": _List(STR), "managedFields": ANY,
})
_SELECTOR = _Obj({"matchLabels": _Map(STR),
                  "matchExpressions": _List(_Obj({"key": STR, "operator": STR, "values": _List(STR)}))})
_KEY_REF = _Obj({"name": STR, "key": STR, "optional": BOOL})
_NAME_REF = _Obj({"name": STR, "optional": BOOL})
_PROBE = _Obj({
    "exec": _Obj({"command": _List(STR)}),
    "httpGet": _Obj({"path": STR, "port": INT_OR_STR, "host": STR, "scheme": STR,
                     "httpHeaders": _List(_Obj({"name": STR, "value": STR}))}),
    "tcpSocket": _Obj({"port": INT_OR_STR, "host": STR}),
    "grpc": _Obj({"port": INT, "service": STR}),
    "initialDelaySeconds": INT, "timeoutSeconds": INT, "periodSeconds": INT,
    "successThreshold": INT, "failureThreshold": INT, "terminationGracePeriodSeconds": INT,
})
_CONTAINER = _Obj({
    "name": STR, "image": STR, "command": _List(STR), "args": _List(STR), "workingDir": STR,
    "ports": _List(_Obj({"name": STR, "containerPort": INT, "hostPort": INT, "hostIP": STR, "protocol": STR})),
    "env": _List(_Obj({"name": STR, "value": STR, "valueFrom": _Obj({
        "fieldRef": _Obj({"apiVersion": STR, "fieldPath": STR}),
        "resourceFieldRef": _Obj({"containerName": STR, "resource": STR, "divisor": ANY}),
        "configMapKeyRef": _KEY_REF, "secretKeyRef": _KEY_REF, "fileKeyRef": ANY})})),
    "envFrom": _List(_Obj({"prefix": STR, "configMapRef": _NAME_REF, "secretRef": _NAME_REF})),
    "volumeMounts": _List(_Obj({"name": STR, "mountPath": STR, "subPath": STR, "subPathExpr": STR,
                                "readOnly": BOOL, "recursiveReadOnly": STR, "mountPropagation": STR})),
    "livenessProbe": _PROBE, "readinessProbe": _PROBE, "startupProbe": _PROBE,
    "imagePullPolicy": STR, "restartPolicy": STR, "terminationMessagePath": STR,
    "terminationMessagePolicy": STR, "stdin": BOOL, "stdinOnce": BOOL, "tty": BOOL,
    "resources": ANY, "resizePolicy": ANY, "restartPolicyRules": ANY, "volumeDevices": ANY,
    "lifecycle": ANY, "securityContext": ANY,
})
_POD_SPEC = _Obj({
    "containers": _List(_CONTAINER), "initContainers": _List(_CONTAINER), "ephemeralContainers": ANY,
    "volumes": _List(ANY), "restartPolicy": STR, "terminationGracePeriodSeconds": INT,
    "activeDeadlineSeconds": INT, "dnsPolicy": STR, "nodeSelector": _Map(STR), "serviceAccountName": STR,
    "serviceAccount": STR, "automountServiceAccountToken": BOOL, "nodeName": STR, "hostNetwork": BOOL,
    "hostPID": BOOL, "hostIPC": BOOL, "shareProcessNamespace": BOOL, "securityContext": ANY,
    "imagePullSecrets": _List(_Obj({"name": STR})), "hostname": STR, "subdomain": STR, "affinity": ANY,
    "schedulerName": STR, "tolerations": _List(_Obj({"key": STR, "operator": STR, "value": STR,
                                                     "effect": STR, "tolerationSeconds": INT})),
    "hostAliases": ANY, "priorityClassName": STR, "priority": INT, "dnsConfig": ANY, "readinessGates": ANY,
    "runtimeClassName": STR, "enableServiceLinks": BOOL, "preemptionPolicy": STR, "overhead": ANY,
    "topologySpreadConstraints": ANY, "setHostnameAsFQDN": BOOL, "os": ANY, "hostUsers": BOOL,
    "schedulingGates": ANY, "resourceClaims": ANY, "resources": ANY, "hostnameOverride": STR,
})
_TEMPLATE = _Obj({"metadata": _META, "spec": _POD_SPEC})
_WORKLOAD = {"replicas": INT, "selector": _SELECTOR, "template": _TEMPLATE, "minReadySeconds": INT,
             "revisionHistoryLimit": INT}
_PEER = _Obj({"podSelector": _SELECTOR, "namespaceSelector": _SELECTOR,
              "ipBlock": _Obj({"cidr": STR, "except": _List(STR)})})
_NP_PORTS = _List(_Obj({"protocol": STR, "port": INT_OR_STR, "endPort": INT}))


def _top(**fields: Any) -> _Obj:
    return _Obj({"apiVersion": STR, "kind": STR, "metadata": _META, "status": ANY, **fields})


_SCHEMAS: dict[tuple[str, str], _Obj] = {
    ("v1", "Namespace"): _top(spec=_Obj({"finalizers": _List(STR)})),
    ("v1", "Pod"): _top(spec=_POD_SPEC),
    ("v1", "Service"): _top(spec=_Obj({
        "ports": _List(_Obj({"name": STR, "protocol": STR, "appProtocol": STR, "port": INT,
                             "targetPort": INT_OR_STR, "nodePort": INT})),
        "selector": _Map(STR), "clusterIP": STR, "clusterIPs": _List(STR), "type": STR,
        "externalIPs": _List(STR), "sessionAffinity": STR, "loadBalancerIP": STR,
        "loadBalancerSourceRanges": _List(STR), "externalName": STR, "externalTrafficPolicy": STR,
        "healthCheckNodePort": INT, "publishNotReadyAddresses": BOOL, "sessionAffinityConfig": ANY,
        "ipFamilies": _List(STR), "ipFamilyPolicy": STR, "allocateLoadBalancerNodePorts": BOOL,
        "loadBalancerClass": STR, "internalTrafficPolicy": STR, "trafficDistribution": STR})),
    ("v1", "Secret"): _top(data=_Map(STR), stringData=_Map(STR), type=STR, immutable=BOOL),
    ("v1", "ConfigMap"): _top(data=_Map(STR), binaryData=_Map(STR), immutable=BOOL),
    ("apps/v1", "Deployment"): _top(spec=_Obj({
        **_WORKLOAD, "paused": BOOL, "progressDeadlineSeconds": INT,
        "strategy": _Obj({"type": STR, "rollingUpdate": _Obj({"maxUnavailable": INT_OR_STR,
                                                              "maxSurge": INT_OR_STR})})})),
    ("apps/v1", "ReplicaSet"): _top(spec=_Obj(dict(_WORKLOAD))),
    ("apps/v1", "StatefulSet"): _top(spec=_Obj({
        **_WORKLOAD, "serviceName": STR, "volumeClaimTemplates": _List(ANY), "podManagementPolicy": STR,
        "updateStrategy": _Obj({"type": STR, "rollingUpdate": ANY}),
        "persistentVolumeClaimRetentionPolicy": ANY, "ordinals": ANY})),
    ("apps/v1", "DaemonSet"): _top(spec=_Obj({
        "selector": _SELECTOR, "template": _TEMPLATE, "minReadySeconds": INT, "revisionHistoryLimit": INT,
        "updateStrategy": _Obj({"type": STR, "rollingUpdate": ANY})})),
    ("networking.k8s.io/v1", "NetworkPolicy"): _top(spec=_Obj({
        "podSelector": _SELECTOR, "policyTypes": _List(STR),
        "ingress": _List(_Obj({"from": _List(_PEER), "ports": _NP_PORTS})),
        "egress": _List(_Obj({"to": _List(_PEER), "ports": _NP_PORTS}))})),
}

#: (apiVersion, kind) pairs :func:`validate` knows.
SUPPORTED_KINDS: tuple[tuple[str, str], ...] = tuple(_SCHEMAS)


# ---------------------------------------------------------------------------
# Go-syntax renderings (%#v) for the few errors whose value is a struct or map
# ---------------------------------------------------------------------------
def _q(s: Any) -> str:
    return json.dumps(_key(s), ensure_ascii=False)


def _go_map(m: Any) -> str:
    if not isinstance(m, dict):
        return "map[string]string(nil)"
    items = ", ".join(f"{_q(k)}:{_q(v)}" for k, v in sorted((_key(k), v) for k, v in m.items()))
    return f"map[string]string{{{items}}}"


def _go_strings(v: Any, typ: str = "[]string") -> str:
    if not isinstance(v, list):
        return f"{typ}(nil)"
    return f"{typ}{{{', '.join(_q(x) for x in v)}}}"


def _go_selector(sel: dict) -> str:
    exprs = sel.get("matchExpressions")
    if isinstance(exprs, list):
        reqs = ", ".join(
            f"v1.LabelSelectorRequirement{{Key:{_q(_d(e).get('key') or '')}, "
            f"Operator:{_q(_d(e).get('operator') or '')}, Values:{_go_strings(_d(e).get('values'))}}}"
            for e in exprs)
        exprs_text = f"[]v1.LabelSelectorRequirement{{{reqs}}}"
    else:
        exprs_text = "[]v1.LabelSelectorRequirement(nil)"
    return f"v1.LabelSelector{{MatchLabels:{_go_map(sel.get('matchLabels'))}, MatchExpressions:{exprs_text}}}"


def _invalid_go(path: str, rendered: str, detail: str) -> FieldError:
    """Invalid with a value already printed Go-style (errors.py would JSON it)."""
    return FieldError(path, "Invalid", f"{rendered}: {detail}" if detail else rendered)


# ---------------------------------------------------------------------------
# Shared checks: metadata, labels, selectors
# ---------------------------------------------------------------------------
NameFn = Callable[[str], list[str]]


def _check_name(value: Any, path: str, fn: NameFn, errs: Errors) -> None:
    if isinstance(value, str):
        errs += [FieldError.invalid(path, value, m) for m in fn(value)]


def _labels(labels: Any, path: str, errs: Errors) -> None:
    # Upstream reports key and value problems at the map itself, not per key.
    for k, v in _d(labels).items():
        errs += [FieldError.invalid(path, _key(k), m) for m in is_qualified_name(_key(k))]
        if isinstance(v, str):
            errs += [FieldError.invalid(path, v, m) for m in is_label_value(v)]


def _annotations(annotations: Any, path: str, errs: Errors) -> None:
    ann = _d(annotations)
    for k in ann:
        # case does not matter in annotation keys
        errs += [FieldError.invalid(path, _key(k), m) for m in is_qualified_name(_key(k).lower())]
    size = sum(len(_key(k)) + len(v) for k, v in ann.items() if isinstance(v, str))
    if size > 256 * 1024:
        errs.append(FieldError.too_long(path, "", 256 * 1024))


def _nonneg(value: Any, path: str, errs: Errors) -> None:
    n = _i(value)
    if n is not None and n < 0:
        errs.append(FieldError.invalid(path, n, NEGATIVE))


def _meta(obj: dict, errs: Errors, name_fn: NameFn, namespaced: bool = True) -> None:
    """ValidateObjectMeta (create)."""
    m = _d(obj.get("metadata"))
    gen = _s(m.get("generateName")) or ""
    if gen:
        # NameIsDNS*(name, prefix=true) masks a trailing dash, oddly as upstream does.
        masked = gen[:-2] + "a" if len(gen) > 1 and gen.endswith("-") else gen
        errs += [FieldError.invalid("metadata.generateName", gen, msg) for msg in name_fn(masked)]
    if _empty(m.get("name")):
        if not gen:  # the server makes a name from generateName
            errs.append(FieldError.required("metadata.name", "name or generateName is required"))
    else:
        _check_name(m.get("name"), "metadata.name", name_fn, errs)
    if namespaced and _s(m.get("namespace")):
        _check_name(m.get("namespace"), "metadata.namespace", is_dns1123_label, errs)
    _nonneg(m.get("generation"), "metadata.generation", errs)
    _labels(m.get("labels"), "metadata.labels", errs)
    _annotations(m.get("annotations"), "metadata.annotations", errs)
    for f in _l(m.get("finalizers")):
        _check_name(f, "metadata.finalizers", is_qualified_name, errs)


def _selector(sel: Any, path: str, errs: Errors) -> None:
    """metav1 ValidateLabelSelector (strict about values, as on create)."""
    s = _d(sel)
    _labels(s.get("matchLabels"), _c(path, "matchLabels"), errs)
    for i, expr in enumerate(_l(s.get("matchExpressions"))):
        e, p = _d(expr), f"{path}.matchExpressions[{i}]"
        op, raw = e.get("operator"), e.get("values")
        values = raw if isinstance(raw, list) else ([] if raw is None else None)
        if op in ("In", "NotIn"):
            if values == []:
                errs.append(FieldError.required(f"{p}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(FieldError.forbidden(
                    f"{p}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        elif op is None or isinstance(op, str):
            errs.append(FieldError.invalid(f"{p}.operator", op or "", "not a valid selector operator"))
        key = e.get("key")
        if key is None or isinstance(key, str):
            errs += [FieldError.invalid(f"{p}.key", key or "", m) for m in is_qualified_name(key or "")]
        for j, v in enumerate(values or []):
            if isinstance(v, str):
                errs += [FieldError.invalid(f"{p}.values[{j}]", v, m) for m in is_label_value(v)]


def _selector_matches(sel: Any, labels: dict) -> bool | None:
    """Does LabelSelectorAsSelector(sel) match; None when it would not convert.

    A missing selector selects nothing; an empty one selects everything.
    """
    if sel is None:
        return False
    scratch: Errors = []
    _decode(sel, _SELECTOR, "", scratch)
    _selector(sel, "", scratch)
    if scratch:  # ill-typed or invalid: would not convert
        return None
    for k, v in _d(sel.get("matchLabels")).items():
        if labels.get(_key(k)) != v:
            return False
    for expr in _l(sel.get("matchExpressions")):
        key, op, values = _key(expr.get("key") or ""), expr.get("operator"), _l(expr.get("values"))
        present = key in labels
        ok = {"In": present and labels.get(key) in values,
              "NotIn": not present or labels.get(key) not in values,
              "Exists": present, "DoesNotExist": not present}[op]
        if not ok:
            return False
    return True


def _selector_is_empty(sel: Any) -> bool:
    s = _d(sel)
    return not _d(s.get("matchLabels")) and not _l(s.get("matchExpressions"))


# ---------------------------------------------------------------------------
# Pods and containers (core/validation ValidatePodSpec)
# ---------------------------------------------------------------------------
def _port_num_or_name(value: Any, path: str, errs: Errors) -> None:
    """ValidatePortNumOrName; a missing IntOrString is the integer 0."""
    if isinstance(value, str):
        errs += [FieldError.invalid(path, value, m) for m in is_port_name(value)]
    elif value is None or _i(value) is not None:
        n = _i(value) or 0
        errs += [FieldError.invalid(path, n, m) for m in _port_num(n)]


def _container_ports(ports: Any, path: str, errs: Errors) -> None:
    names: set[str] = set()
    for i, port in enumerate(_l(ports)):
        p, pp = _d(port), f"{path}[{i}]"
        name = _s(p.get("name"))
        if name:
            msgs = is_port_name(name)
            errs += [FieldError.invalid(f"{pp}.name", name, m) for m in msgs]
            if not msgs and name in names:
                errs.append(FieldError.duplicate(f"{pp}.name", name))
            names.add(name)
        cp = p.get("containerPort")
        if cp is None or _i(cp) == 0:
            errs.append(FieldError.required(f"{pp}.containerPort"))
        elif _i(cp) is not None:
            errs += [FieldError.invalid(f"{pp}.containerPort", _i(cp), m) for m in _port_num(_i(cp) or 0)]
        hp = _i(p.get("hostPort"))
        if hp:
            errs += [FieldError.invalid(f"{pp}.hostPort", hp, m) for m in _port_num(hp)]
        proto = _s(p.get("protocol"))
        if proto and proto not in PROTOCOLS:
            errs.append(FieldError.unsupported(f"{pp}.protocol", proto, PROTOCOLS))


def _key_ref(ref: Any, path: str, errs: Errors) -> None:
    r = _d(ref)
    if _empty(r.get("name")):
        errs.append(FieldError.required(f"{path}.name"))
    if _empty(r.get("key")):
        errs.append(FieldError.required(f"{path}.key"))
    else:
        _check_name(r.get("key"), f"{path}.key", is_config_map_key, errs)


def _env(env: Any, path: str, errs: Errors) -> None:
    for i, var in enumerate(_l(env)):
        v, p = _d(var), f"{path}[{i}]"
        if _empty(v.get("name")):
            errs.append(FieldError.required(f"{p}.name"))
        src = v.get("valueFrom")
        if not isinstance(src, dict):
            continue
        vp = f"{p}.valueFrom"
        sources = [k for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef")
                   if src.get(k) is not None]
        for k in ("configMapKeyRef", "secretKeyRef"):
            if k in sources:
                _key_ref(src[k], f"{vp}.{k}", errs)
        if "fieldRef" in sources and _empty(_d(src["fieldRef"]).get("fieldPath")):
            errs.append(FieldError.required(f"{vp}.fieldRef.fieldPath"))
        if not sources:
            errs.append(FieldError.invalid(vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                                   "`configMapKeyRef` or `secretKeyRef`"))
        elif _s(v.get("value")):
            errs.append(FieldError.invalid(vp, "", "may not be specified when `value` is not empty"))
        elif len(sources) > 1:
            errs.append(FieldError.invalid(vp, "", "may not have more than one field specified at a time"))


def _env_from(env_from: Any, path: str, errs: Errors) -> None:
    for i, item in enumerate(_l(env_from)):
        e, p = _d(item), f"{path}[{i}]"
        refs = [k for k in ("configMapRef", "secretRef") if e.get(k) is not None]
        for k in refs:
            if _empty(_d(e[k]).get("name")):
                errs.append(FieldError.required(f"{p}.{k}.name"))
        # upstream reports these two at the list, not at the item
        if not refs:
            errs.append(FieldError.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif len(refs) > 1:
            errs.append(FieldError.invalid(path, "", "may not have more than one field specified at a time"))


_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def _probe(probe: Any, path: str, errs: Errors, kind: str) -> None:
    if not isinstance(probe, dict):
        return
    found = 0
    for h in _HANDLERS:
        if probe.get(h) is None:
            continue
        if found:
            errs.append(FieldError.forbidden(f"{path}.{h}", "may not specify more than 1 handler type"))
            continue
        found += 1
        body, hp = _d(probe[h]), f"{path}.{h}"
        if h == "exec" and body.get("command") in (None, []):
            errs.append(FieldError.required(f"{hp}.command"))
        elif h in ("httpGet", "tcpSocket"):
            _port_num_or_name(body.get("port"), f"{hp}.port", errs)
        elif h == "grpc" and (body.get("port") is None or _i(body.get("port")) is not None):
            n = _i(body.get("port")) or 0
            errs += [FieldError.invalid(f"{hp}.port", n, m) for m in _port_num(n)]
        scheme = _s(body.get("scheme"))
        if h == "httpGet" and scheme and scheme not in ("HTTP", "HTTPS"):
            errs.append(FieldError.unsupported(f"{hp}.scheme", scheme, ("HTTP", "HTTPS")))
    if not found:
        errs.append(FieldError.required(path, "must specify a handler type"))
    for f in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        _nonneg(probe.get(f), f"{path}.{f}", errs)
    success = _i(probe.get("successThreshold"))
    if kind != "readinessProbe" and success not in (None, 0, 1):  # 0 is defaulted to 1
        errs.append(FieldError.invalid(f"{path}.successThreshold", success, "must be 1"))
    grace = _i(probe.get("terminationGracePeriodSeconds"))
    if grace is not None:
        if kind == "readinessProbe":
            errs.append(FieldError.invalid(f"{path}.terminationGracePeriodSeconds", grace,
                                           "must not be set for readinessProbes"))
        elif grace <= 0:
            errs.append(FieldError.invalid(f"{path}.terminationGracePeriodSeconds", grace, "must be greater than 0"))


_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_INIT_ONLY = "may not be set for init containers without restartPolicy=Always"


def _container(c: dict, path: str, names: set[str], errs: Errors, *, init: bool, is_pod: bool) -> None:
    name = c.get("name")
    if _empty(name):
        errs.append(FieldError.required(f"{path}.name"))
    else:
        _check_name(name, f"{path}.name", is_dns1123_label, errs)
    if name is None or isinstance(name, str):
        if (name or "") in names:
            errs.append(FieldError.duplicate(f"{path}.name", name or ""))
        names.add(name or "")
    image = c.get("image")
    if _empty(image):
        errs.append(FieldError.required(f"{path}.image"))
    elif is_pod and isinstance(image, str) and image != image.strip():
        errs.append(FieldError.invalid(f"{path}.image", image, "must not have leading or trailing whitespace"))
    policy = _s(c.get("imagePullPolicy"))
    if policy and policy not in _PULL_POLICIES:
        errs.append(FieldError.unsupported(f"{path}.imagePullPolicy", policy, _PULL_POLICIES))
    tmp = _s(c.get("terminationMessagePolicy"))
    if tmp and tmp not in ("File", "FallbackToLogsOnError"):
        errs.append(FieldError.unsupported(f"{path}.terminationMessagePolicy", tmp, ("File", "FallbackToLogsOnError")))
    _container_ports(c.get("ports"), f"{path}.ports", errs)
    _env(c.get("env"), f"{path}.env", errs)
    _env_from(c.get("envFrom"), f"{path}.envFrom", errs)
    for i, mount in enumerate(_l(c.get("volumeMounts"))):
        for f in ("name", "mountPath"):
            if _empty(_d(mount).get(f)):
                errs.append(FieldError.required(f"{path}.volumeMounts[{i}].{f}"))
    restart = _s(c.get("restartPolicy"))
    sidecar = init and restart == "Always"
    if restart and not init:
        errs.append(FieldError.forbidden(f"{path}.restartPolicy", "may not be set for non-init containers"))
    elif restart and not sidecar:
        errs.append(FieldError.unsupported(f"{path}.restartPolicy", restart, ("Always",)))
    if init and not sidecar and c.get("lifecycle") is not None:
        errs.append(FieldError.forbidden(f"{path}.lifecycle", _INIT_ONLY))
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        if init and not sidecar and c.get(kind) is not None:
            errs.append(FieldError.forbidden(f"{path}.{kind}", _INIT_ONLY))
        else:
            _probe(c.get(kind), f"{path}.{kind}", errs, kind)


def _tolerations(tolerations: Any, path: str, errs: Errors) -> None:
    for i, tol in enumerate(_l(tolerations)):
        t, p = _d(tol), f"{path}[{i}]"
        key, op, value, effect = (_s(t.get(f)) or "" for f in ("key", "operator", "value", "effect"))
        if key:
            errs += [FieldError.invalid(f"{p}.key", key, m) for m in is_qualified_name(key)]
        if not key and op != "Exists":
            errs.append(FieldError.invalid(f"{p}.operator", op, "operator must be Exists when `key` is empty, "
                                                                'which means "match all values and all keys"'))
        if t.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.append(FieldError.invalid(f"{p}.effect", effect,
                                           "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if op in ("Equal", ""):
            msgs = is_label_value(value)
            if msgs:
                errs.append(FieldError.invalid(f"{p}.operator", value, ";".join(msgs)))
        elif op == "Exists":
            if value:
                errs.append(FieldError.invalid(f"{p}.operator", value, "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(FieldError.unsupported(f"{p}.operator", op, ("Equal", "Exists")))
        if effect and effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            errs.append(FieldError.unsupported(f"{p}.effect", effect, ("NoSchedule", "PreferNoSchedule", "NoExecute")))


def _enum(value: Any, path: str, allowed: Iterable[str], errs: Errors) -> None:
    """A string enum the server defaults when empty."""
    allowed = tuple(allowed)
    if isinstance(value, str) and value and value not in allowed:
        errs.append(FieldError.unsupported(path, value, allowed))


def _pod_spec(spec: Any, path: str, errs: Errors, *, is_pod: bool) -> None:
    s = _d(spec)
    vol_names: set[str] = set()
    for i, vol in enumerate(_l(s.get("volumes"))):
        name, np_ = _d(vol).get("name"), f"{path}.volumes[{i}].name"
        if _empty(name):
            errs.append(FieldError.required(np_))
        else:
            _check_name(name, np_, is_dns1123_label, errs)
        if isinstance(name, str) and name in vol_names:
            errs.append(FieldError.duplicate(np_, name))
        vol_names.add(name if isinstance(name, str) else "")
    containers = s.get("containers")
    if containers is None or containers == []:
        errs.append(FieldError.required(f"{path}.containers"))
    names: set[str] = set()
    for i, c in enumerate(_l(containers)):
        if isinstance(c, dict):
            _container(c, f"{path}.containers[{i}]", names, errs, init=False, is_pod=is_pod)
    for i, c in enumerate(_l(s.get("initContainers"))):
        if isinstance(c, dict):  # init names must not clash with the regular ones either
            _container(c, f"{path}.initContainers[{i}]", names, errs, init=True, is_pod=is_pod)
    if s.get("hostNetwork") is True:
        for i, c in enumerate(_l(containers)):
            for j, port in enumerate(_l(_d(c).get("ports"))):
                hp, cp = _i(_d(port).get("hostPort")) or 0, _i(_d(port).get("containerPort"))
                if (is_pod or hp) and hp != cp:
                    errs.append(FieldError.invalid(f"{path}.containers[{i}].ports[{j}].hostPort", hp,
                                                   "must match `containerPort` when `hostNetwork` is true"))
    _enum(s.get("restartPolicy"), f"{path}.restartPolicy", ("Always", "OnFailure", "Never"), errs)
    _enum(s.get("dnsPolicy"), f"{path}.dnsPolicy", ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"),
          errs)
    _labels(s.get("nodeSelector"), f"{path}.nodeSelector", errs)
    for f, fn in (("serviceAccountName", is_dns1123_subdomain), ("nodeName", is_dns1123_subdomain),
                  ("priorityClassName", is_dns1123_subdomain), ("hostname", is_dns1123_label),
                  ("subdomain", is_dns1123_label)):
        if _s(s.get(f)):
            _check_name(s.get(f), f"{path}.{f}", fn, errs)
    deadline = _i(s.get("activeDeadlineSeconds"))
    if deadline is not None and not 1 <= deadline <= 2**31 - 1:
        errs.append(FieldError.invalid(f"{path}.activeDeadlineSeconds", deadline,
                                       "must be between 1 and 2147483647, inclusive"))
    _tolerations(s.get("tolerations"), f"{path}.tolerations", errs)


def _ip(value: Any, path: str, errs: Errors) -> None:
    if isinstance(value, str) and _parse_ip(value) is None:
        errs.append(FieldError.invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))


def _pod(obj: dict, errs: Errors) -> None:
    _meta(obj, errs, is_dns1123_subdomain)
    _pod_spec(obj.get("spec"), "spec", errs, is_pod=True)
    status = _d(obj.get("status"))
    if status.get("podIP"):
        _ip(status.get("podIP"), "status.podIP", errs)
    for i, entry in enumerate(_l(status.get("podIPs"))):
        _ip(_d(entry).get("ip"), f"status.podIPs[{i}]", errs)


# ---------------------------------------------------------------------------
# apps/v1 workloads
# ---------------------------------------------------------------------------
def _workload(kind: str) -> Callable[[dict, Errors], None]:
    name_fn = is_dns1123_label if kind == "StatefulSet" else is_dns1123_subdomain

    def run(obj: dict, errs: Errors) -> None:
        _meta(obj, errs, name_fn)
        spec = _d(obj.get("spec"))
        for f in ("replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"):
            _nonneg(spec.get(f), f"spec.{f}", errs)
        deadline, ready = _i(spec.get("progressDeadlineSeconds")), _i(spec.get("minReadySeconds")) or 0
        if deadline is not None and deadline <= ready:
            errs.append(FieldError.invalid("spec.progressDeadlineSeconds", deadline,
                                           "must be greater than minReadySeconds"))
        if kind == "StatefulSet":
            pmp = _s(spec.get("podManagementPolicy"))
            if pmp and pmp not in ("OrderedReady", "Parallel"):
                errs.append(FieldError.invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"))
        _workload_selector(kind, spec, errs)
        _template(kind, spec.get("template"), errs)

    return run


def _workload_selector(kind: str, spec: dict, errs: Errors) -> None:
    sel = spec.get("selector")
    noun = {"StatefulSet": "statefulset", "DaemonSet": "daemonset"}.get(kind, "deployment")
    if sel is None and kind != "DaemonSet":
        errs.append(FieldError.required("spec.selector"))
    elif isinstance(sel, dict):
        _selector(sel, "spec.selector", errs)
        if _selector_is_empty(sel):
            errs.append(_invalid_go("spec.selector", _go_selector(sel), f"empty selector is invalid for {noun}"))
    template = _d(spec.get("template"))
    labels = {_key(k): v for k, v in _d(_d(template.get("metadata")).get("labels")).items()}
    if sel is not None and not isinstance(sel, dict):
        return  # a decoding error already says what is wrong
    matches = _selector_matches(sel, labels)
    if matches is None:
        # LabelSelectorAsSelector failed; each kind words (or skips) it differently
        detail = {"StatefulSet": "", "DaemonSet": None}.get(kind, "invalid label selector")
        if detail is not None:
            errs.append(_invalid_go("spec.selector", _go_selector(_d(sel)), detail))
    # A missing selector selects nothing; an empty one everything (and is skipped).
    elif not matches and (sel is None or not _selector_is_empty(sel)):
        errs.append(_invalid_go("spec.template.metadata.labels",
                                _go_map(_d(template.get("metadata")).get("labels")),
                                "`selector` does not match template `labels`"))


def _template(kind: str, template: Any, errs: Errors) -> None:
    t = _d(template)
    meta = _d(t.get("metadata"))
    # upstream validates template labels at "template.labels", not "template.metadata.labels"
    _labels(meta.get("labels"), "spec.template.labels", errs)
    _annotations(meta.get("annotations"), "spec.template.annotations", errs)
    _pod_spec(t.get("spec"), "spec.template.spec", errs, is_pod=False)
    spec = _d(t.get("spec"))
    restart = _s(spec.get("restartPolicy"))
    if restart and restart != "Always":
        errs.append(FieldError.unsupported("spec.template.spec.restartPolicy", restart, ("Always",)))
    if spec.get("activeDeadlineSeconds") is not None:
        owner = "ReplicaSet" if kind == "Deployment" else kind
        errs.append(FieldError.forbidden("spec.template.spec.activeDeadlineSeconds",
                                         f"activeDeadlineSeconds in {owner} is not Supported"))


# ---------------------------------------------------------------------------
# v1 Service, Secret, ConfigMap, Namespace
# ---------------------------------------------------------------------------
_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def _service(obj: dict, errs: Errors) -> None:
    _meta(obj, errs, is_dns1035_label)
    spec = _d(obj.get("spec"))
    stype = _s(spec.get("type")) or "ClusterIP"
    cluster_ip = _s(spec.get("clusterIP")) or ""
    ports = spec.get("ports")
    if (ports is None or ports == []) and cluster_ip != "None" and stype != "ExternalName":
        errs.append(FieldError.required("spec.ports"))
    names: set[str] = set()
    seen: set[tuple[str, int]] = set()
    plist = _l(ports)
    for i, port in enumerate(plist):
        _service_port(_d(port), f"spec.ports[{i}]", len(plist) > 1, names, errs)
        if stype == "ClusterIP" and _i(_d(port).get("nodePort")):
            errs.append(FieldError.forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"))
        proto, num = _s(_d(port).get("protocol")) or "TCP", _i(_d(port).get("port")) or 0
        if (proto, num) in seen:
            rendered = (f'core.ServicePort{{Name:"", Protocol:{_q(proto)}, AppProtocol:(*string)(nil), Port:{num}, '
                        'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')
            errs.append(FieldError(f"spec.ports[{i}]", "Duplicate", rendered))  # value printed Go-style
        seen.add((proto, num))
    _labels(spec.get("selector"), "spec.selector", errs)
    _enum(spec.get("type"), "spec.type", _SERVICE_TYPES, errs)
    _enum(spec.get("sessionAffinity"), "spec.sessionAffinity", ("ClientIP", "None"), errs)
    _cluster_ips(spec, errs)
    for i, ip in enumerate(_l(spec.get("externalIPs"))):
        _ip(ip, f"spec.externalIPs[{i}]", errs)
    if stype == "ExternalName":
        name = (_s(spec.get("externalName")) or "").removesuffix(".")
        if not name:
            errs.append(FieldError.required("spec.externalName"))
        else:
            _check_name(name, "spec.externalName", is_dns1123_subdomain, errs)


def _service_port(p: dict, path: str, require_name: bool, names: set[str], errs: Errors) -> None:
    name = p.get("name")
    if require_name and _empty(name):
        errs.append(FieldError.required(f"{path}.name"))
    elif isinstance(name, str) and name:
        _check_name(name, f"{path}.name", is_dns1123_label, errs)
        if name in names:
            errs.append(FieldError.duplicate(f"{path}.name", name))
        names.add(name)
    num = p.get("port")
    if num is None or _i(num) is not None:
        errs += [FieldError.invalid(f"{path}.port", _i(num) or 0, m) for m in _port_num(_i(num) or 0)]
    _enum(p.get("protocol"), f"{path}.protocol", PROTOCOLS, errs)
    if p.get("targetPort") is not None:  # defaulted to `port` when missing
        _port_num_or_name(p.get("targetPort"), f"{path}.targetPort", errs)
    if _s(p.get("appProtocol")):
        _check_name(p.get("appProtocol"), f"{path}.appProtocol", is_qualified_name, errs)


def _cluster_ips(spec: dict, errs: Errors) -> None:
    """clusterIP is copied into clusterIPs[0] before validation, as the registry does."""
    ip, ips = _s(spec.get("clusterIP")) or "", spec.get("clusterIPs")
    if not isinstance(ips, list) or not ips:
        ips = [ip] if ip else []
    elif not ip:
        errs.append(_invalid_go("spec.clusterIPs", _go_strings(ips), "must be empty when `clusterIP` is not specified"))
        return
    elif ips[0] != ip:
        errs.append(_invalid_go("spec.clusterIPs", _go_strings(ips), "first value must match `clusterIP`"))
        return
    for i, value in enumerate(ips):
        if i == 0 and value == "None":
            if len(ips) > 1:
                errs.append(_invalid_go("spec.clusterIPs", _go_strings(ips), "'None' must be the first and only value"))
            continue
        _ip(value, f"spec.clusterIPs[{i}]", errs)


def _b64_error(value: str) -> str | None:
    """Go's base64.StdEncoding verdict on []byte JSON, as its error text."""
    clean = value.replace("\r", "").replace("\n", "")
    for i, ch in enumerate(clean):
        if not (ch.isascii() and (ch.isalnum() or ch in "+/=")):
            return f"illegal base64 data at input byte {i}"
    try:
        base64.b64decode(clean, validate=True)
    except (binascii.Error, ValueError):
        # Go stops at the first misplaced '=' or at the incomplete last quantum.
        pad = clean.find("=")
        return f"illegal base64 data at input byte {pad if pad >= 0 else len(clean) - len(clean) % 4}"
    return None


def _config_keys(data: Any, path: str, errs: Errors) -> None:
    for k in _d(data):
        errs += [FieldError.invalid(f"{path}[{_key(k)}]", _key(k), m) for m in is_config_map_key(_key(k))]


def _secret(obj: dict, errs: Errors) -> None:
    _meta(obj, errs, is_dns1123_subdomain)
    data, string_data = _d(obj.get("data")), _d(obj.get("stringData"))
    _config_keys({**data, **string_data}, "data", errs)
    size = 0
    for k, v in data.items():
        if isinstance(v, str):
            problem = _b64_error(v)
            if problem:
                errs.append(FieldError.invalid(f"data[{_key(k)}]", v, problem))
            size += len(v) * 3 // 4
    size += sum(len(v.encode()) for v in string_data.values() if isinstance(v, str))
    if size > 1024 * 1024:
        errs.append(FieldError.too_long("data", "", 1024 * 1024))


def _config_map(obj: dict, errs: Errors) -> None:
    _meta(obj, errs, is_dns1123_subdomain)
    data, binary = _d(obj.get("data")), _d(obj.get("binaryData"))
    _config_keys(data, "data", errs)
    _config_keys(binary, "binaryData", errs)
    for k, v in binary.items():
        problem = _b64_error(v) if isinstance(v, str) else None
        if problem:
            errs.append(FieldError.invalid(f"binaryData[{_key(k)}]", v, problem))
        if k in data:
            errs.append(FieldError.invalid(f"data[{_key(k)}]", _key(k), "duplicate of key present in binaryData"))


def _namespace(obj: dict, errs: Errors) -> None:
    _meta(obj, errs, is_dns1123_label, namespaced=False)


# ---------------------------------------------------------------------------
# networking.k8s.io/v1 NetworkPolicy (networking/validation)
# ---------------------------------------------------------------------------
_NP_PROTOCOLS = ("TCP", "UDP", "SCTP")  # this validator lists them unsorted


def _np_port(p: dict, path: str, errs: Errors) -> None:
    proto = p.get("protocol")
    if isinstance(proto, str) and proto not in _NP_PROTOCOLS:
        errs.append(FieldError.unsupported(f"{path}.protocol", proto, _NP_PROTOCOLS))
    port, end = p.get("port"), _i(p.get("endPort"))
    if port is not None and _i(port) is not None:
        n = _i(port) or 0
        errs += [FieldError.invalid(f"{path}.port", n, m) for m in _port_num(n)]
        if end is not None:
            if end < n:
                errs.append(FieldError.invalid(f"{path}.endPort", end, "must be greater than or equal to `port`"))
            errs += [FieldError.invalid(f"{path}.endPort", end, m) for m in _port_num(end)]
    elif isinstance(port, str):
        if end is not None:
            errs.append(FieldError.invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric"))
        errs += [FieldError.invalid(f"{path}.port", port, m) for m in is_port_name(port)]
    elif port is None and end is not None:
        errs.append(FieldError.invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified"))


def _ip_block(block: dict, path: str, errs: Errors) -> None:
    cidr = block.get("cidr")
    if _empty(cidr):
        errs.append(FieldError.required(f"{path}.cidr"))
        return
    if not isinstance(cidr, str):
        return
    net = _parse_cidr(cidr)
    if net is None:
        errs.append(FieldError.invalid(f"{path}.cidr", cidr, _CIDR_MSG))
        return
    for i, exc in enumerate(_l(block.get("except"))):
        if not isinstance(exc, str):
            continue
        sub = _parse_cidr(exc)
        if sub is None:
            errs.append(FieldError.invalid(f"{path}.except[{i}]", exc, _CIDR_MSG))
        elif sub.version != net.version or sub.network_address not in net or net.prefixlen >= sub.prefixlen:
            errs.append(FieldError.invalid(f"{path}.except[{i}]", exc, "must be a strict subset of `cidr`"))


_CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _np_peer(peer: dict, path: str, errs: Errors) -> None:
    kinds = [k for k in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(k) is not None]
    for k in kinds:
        if k == "ipBlock":
            _ip_block(_d(peer[k]), f"{path}.ipBlock", errs)
        else:
            _selector(peer[k], f"{path}.{k}", errs)
    if not kinds:
        errs.append(FieldError.required(path, "must specify a peer"))
    elif len(kinds) > 1 and "ipBlock" in kinds:
        errs.append(FieldError.forbidden(path, "may not specify both ipBlock and another peer"))


def _network_policy(obj: dict, errs: Errors) -> None:
    _meta(obj, errs, is_dns1123_subdomain)
    spec = _d(obj.get("spec"))
    _selector(spec.get("podSelector"), "spec.podSelector", errs)
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(_l(spec.get(direction))):
            r, rp = _d(rule), f"spec.{direction}[{i}]"
            for j, port in enumerate(_l(r.get("ports"))):
                _np_port(_d(port), f"{rp}.ports[{j}]", errs)
            for j, peer in enumerate(_l(r.get(peers))):
                _np_peer(_d(peer), f"{rp}.{peers}[{j}]", errs)
    types = _l(spec.get("policyTypes"))
    if len(types) > 2:
        errs.append(_invalid_go("spec.policyTypes", _go_strings(types, "[]networking.PolicyType"),
                                "may not specify more than two policyTypes"))
        return
    for i, t in enumerate(types):
        if isinstance(t, str) and t not in ("Ingress", "Egress"):
            errs.append(FieldError.unsupported(f"spec.policyTypes[{i}]", t, ("Ingress", "Egress")))


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------
_RULES: dict[tuple[str, str], Callable[[dict, Errors], None]] = {
    ("v1", "Namespace"): _namespace,
    ("v1", "Pod"): _pod,
    ("v1", "Service"): _service,
    ("v1", "Secret"): _secret,
    ("v1", "ConfigMap"): _config_map,
    ("apps/v1", "Deployment"): _workload("Deployment"),
    ("apps/v1", "ReplicaSet"): _workload("ReplicaSet"),
    ("apps/v1", "StatefulSet"): _workload("StatefulSet"),
    ("apps/v1", "DaemonSet"): _workload("DaemonSet"),
    ("networking.k8s.io/v1", "NetworkPolicy"): _network_policy,
}


def _no_match(api: str, kind: str) -> FieldError:
    """The error for a type we do not serve, naming what we do serve."""
    head = f"no matches for kind {_q(kind)} in version {_q(api)}"
    served = [v for v, k in SUPPORTED_KINDS if k == kind]
    if served:
        return FieldError("apiVersion", "Unsupported", f"{head}; {kind} is served at {_q(served[0])}", api)
    groups: dict[str, list[str]] = {}
    for v, k in SUPPORTED_KINDS:
        groups.setdefault(v, []).append(k)
    listing = "; ".join(f"{', '.join(ks)} ({v})" for v, ks in groups.items())
    near = difflib.get_close_matches(kind, [k for _, k in SUPPORTED_KINDS], n=1)
    # the hint goes after the first ';' so callers can cut kubectl's own sentence off cleanly
    hint = f" (did you mean {_q(near[0])}?)" if near else ""
    return FieldError("kind", "Unsupported", f"{head}; supported kinds: {listing}{hint}", kind)


def validate(obj: Any) -> tuple[FieldError, ...]:
    """Every field error the API server (and strict decoding) would report."""
    if not isinstance(obj, dict):
        return (FieldError("<document>", "Invalid", f"must be an object (got {_json_kind(obj)})"),)
    api, kind = obj.get("apiVersion"), obj.get("kind")
    missing = tuple(FieldError.required(f) for f in ("apiVersion", "kind") if _empty(obj.get(f)))
    if missing:
        return missing
    if not isinstance(api, str) or not isinstance(kind, str):
        bad = "apiVersion" if not isinstance(api, str) else "kind"
        return (_type_error(bad, obj[bad], STR),)
    if (api, kind) not in _SCHEMAS:
        return (_no_match(api, kind),)
    errs: Errors = []
    _decode(obj, _SCHEMAS[api, kind], "", errs)
    _RULES[api, kind](obj, errs)
    return tuple(errs)


def check(doc: Document) -> None:
    """Raise :class:`ManifestError` (all errors of the object) unless valid."""
    errors = validate(doc.obj)
    if errors:
        kind = doc.obj.get("kind") if isinstance(doc.obj.get("kind"), str) else ""
        name = _d(doc.obj.get("metadata")).get("name")
        raise ManifestError(kind, name if isinstance(name, str) else "", errors,
                            source=doc.source, index=doc.index)
