"""Strict decoding: the known-field tables of each kind, and the walk that checks them.

:func:`decode` reports what the API server's strict decoder rejects before any
rule runs: unknown fields (``unknown field "spec.ingres"``) and values of the
wrong JSON type.  ``SCHEMAS`` models the subset of the OpenAPI schema the
course's kinds use; ``ANY`` marks a subtree accepted without looking inside.
"""
from __future__ import annotations

import json
from typing import Any

from ...errors import FieldError
from .fields import Errors, child, as_int, key_text


# ---------------------------------------------------------------------------
# Strict decoding: the subset of the OpenAPI schema we model
# ---------------------------------------------------------------------------
STR, INT, BOOL, INT_OR_STR = "a string", "an integer", "a boolean", "an integer or string"
ANY = None  # a subtree we accept without looking inside


# Exact types that certainly satisfy a scalar spec.  Anything else (an integral
# float, a str subclass, a wrong type) is left to the full walk in _report.
_EXACT = {STR: (str,), INT: (int,), BOOL: (bool,), INT_OR_STR: (int, str)}
_UNKNOWN = object()


def _fast(spec: Any) -> Any:
    """What ``clean`` compares a child against: exact types for a scalar, else the spec."""
    return _EXACT[spec] if isinstance(spec, str) else spec


def _all_fit(items: Any, fast: Any) -> bool:
    """Would every item (of a list, or values of a map) decode cleanly against ``fast``?

    A null item is not clean: the full walk gives it its Go zero value.
    """
    if type(fast) is tuple:  # scalars, the common case: a tight loop
        for x in items:
            if type(x) not in fast:
                return False
        return True
    if fast is ANY:
        return True
    for x in items:
        if x is None or not fast.clean(x):
            return False
    return True


# ``clean(value)`` is a path-free yes/no pre-check: True only if _report would
# find nothing.  It may say False for a value that is fine (the full walk then
# decides), never True for one that is not.  Nearly every manifest is clean, so
# field paths are only built for the subtrees that actually have a problem.
class _Obj:
    """An object with known fields; ``open`` ones accept other fields unchecked (a status)."""

    __slots__ = ("fields", "_fast", "open")

    def __init__(self, fields: dict[str, Any], open: bool = False):
        self.fields = fields
        self._fast = {k: _fast(v) for k, v in fields.items()}
        self.open = open

    def clean(self, value: Any) -> bool:
        if type(value) is not dict:
            return False
        fast = self._fast
        unknown = ANY if self.open else _UNKNOWN
        for k, item in value.items():
            f = fast.get(k, unknown)  # non-string keys are never fields: unknown, so not clean
            if type(f) is tuple:
                if type(item) not in f and item is not None:
                    return False
            elif f is _UNKNOWN or not (item is None or f is ANY or f.clean(item)):
                return False
        return True


class _List:
    __slots__ = ("item", "_fast")

    def __init__(self, item: Any):
        self.item = item
        self._fast = _fast(item)

    def clean(self, value: Any) -> bool:
        return type(value) is list and _all_fit(value, self._fast)


class _Map:
    __slots__ = ("item", "_fast")

    def __init__(self, item: Any):
        self.item = item
        self._fast = _fast(item)

    def clean(self, value: Any) -> bool:
        return type(value) is dict and _all_fit(value.values(), self._fast)


def json_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return {dict: "object", list: "array"}.get(type(v), "string")


def _jsonable(v: Any) -> Any:
    """The value as JSON would carry it: string keys (YAML allows ``0:`` and ``true:``)."""
    if isinstance(v, dict):
        return {key_text(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    return v if v is None or isinstance(v, (str, int, float)) else str(v)


def type_error(path: str, value: Any, expected: str) -> FieldError:
    kind, value = json_kind(value), _jsonable(value)
    got = kind if kind in ("object", "array") else f"{kind} {json.dumps(value)}"
    return FieldError.invalid(path, value, f"must be {expected} (got {got})")


_SCALAR_OK = {STR: lambda v: isinstance(v, str), BOOL: lambda v: isinstance(v, bool),
              INT: lambda v: as_int(v) is not None, INT_OR_STR: lambda v: isinstance(v, str) or as_int(v) is not None}


def decode(value: Any, spec: Any, path: str, errs: Errors) -> None:
    """Report unknown fields and wrongly typed values, like strict decoding."""
    if value is None or spec is ANY:
        return  # JSON null decodes to Go's zero value
    if isinstance(spec, str):
        if not _SCALAR_OK[spec](value):
            errs.append(type_error(path, value, spec))
    elif not spec.clean(value):
        _report(value, spec, path, errs)


def _zero(spec: Any) -> Any:
    """Go's zero value for an item of this spec (None: a nil slice, map or pointer)."""
    if isinstance(spec, _Obj):
        return {}
    return {STR: "", INT: 0, BOOL: False, INT_OR_STR: 0}.get(spec) if isinstance(spec, str) else None


def _report(value: Any, spec: Any, path: str, errs: Errors) -> None:
    """The full walk of a container that is not clean, building paths as it goes.

    A null list item or map value becomes its Go zero value in place, as JSON
    decoding into Go leaves it (``ports: [null]`` is a port with its defaults,
    ``policyTypes: [null]`` the empty string, which the rules then judge).
    """
    if isinstance(spec, _List):
        if not isinstance(value, list):
            errs.append(type_error(path, value, "a list"))
        else:
            for i, item in enumerate(value):
                if item is None:
                    item = value[i] = _zero(spec.item)
                decode(item, spec.item, f"{path}[{i}]", errs)
    elif not isinstance(value, dict):
        errs.append(type_error(path, value, "an object"))
    elif isinstance(spec, _Map):
        for k, item in value.items():
            if item is None:
                item = value[k] = _zero(spec.item)
            decode(item, spec.item, child(path, key_text(k)), errs)
    else:
        for k, item in value.items():
            if key_text(k) not in spec.fields:
                if not spec.open:
                    errs.append(FieldError.unknown(child(path, key_text(k))))
            else:
                decode(item, spec.fields[key_text(k)], child(path, key_text(k)), errs)


#: A struct whose fields are not modelled: it must still be an object (strict decoding
#: says "must be an object" for `resources: true`), its fields are kept unchecked.
OBJECT = _Obj({}, open=True)
OBJECTS = _List(OBJECT)
_RESOURCES = _Obj({"limits": _Map(ANY), "requests": _Map(ANY), "claims": OBJECTS}, open=True)

_META = _Obj({
    "name": STR, "generateName": STR, "namespace": STR, "selfLink": STR, "uid": STR,
    "resourceVersion": STR, "generation": INT, "creationTimestamp": ANY, "deletionTimestamp": ANY,
    "deletionGracePeriodSeconds": INT, "labels": _Map(STR), "annotations": _Map(STR),
    "ownerReferences": _List(_Obj({"apiVersion": STR, "kind": STR, "name": STR, "uid": STR,
                                   "controller": BOOL, "blockOwnerDeletion": BOOL})),
    "finalizers": _List(STR), "managedFields": OBJECTS,
})
SELECTOR_SCHEMA = _Obj({"matchLabels": _Map(STR),
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
        "configMapKeyRef": _KEY_REF, "secretKeyRef": _KEY_REF, "fileKeyRef": OBJECT})})),
    "envFrom": _List(_Obj({"prefix": STR, "configMapRef": _NAME_REF, "secretRef": _NAME_REF})),
    "volumeMounts": _List(_Obj({"name": STR, "mountPath": STR, "subPath": STR, "subPathExpr": STR,
                                "readOnly": BOOL, "recursiveReadOnly": STR, "mountPropagation": STR})),
    "livenessProbe": _PROBE, "readinessProbe": _PROBE, "startupProbe": _PROBE,
    "imagePullPolicy": STR, "restartPolicy": STR, "terminationMessagePath": STR,
    "terminationMessagePolicy": STR, "stdin": BOOL, "stdinOnce": BOOL, "tty": BOOL,
    "resources": _RESOURCES, "resizePolicy": OBJECTS, "restartPolicyRules": OBJECTS, "volumeDevices": OBJECTS,
    "lifecycle": OBJECT, "securityContext": OBJECT,
})
_POD_SPEC = _Obj({
    "containers": _List(_CONTAINER), "initContainers": _List(_CONTAINER), "ephemeralContainers": OBJECTS,
    "volumes": OBJECTS, "restartPolicy": STR, "terminationGracePeriodSeconds": INT,
    "activeDeadlineSeconds": INT, "dnsPolicy": STR, "nodeSelector": _Map(STR), "serviceAccountName": STR,
    "serviceAccount": STR, "automountServiceAccountToken": BOOL, "nodeName": STR, "hostNetwork": BOOL,
    "hostPID": BOOL, "hostIPC": BOOL, "shareProcessNamespace": BOOL, "securityContext": OBJECT,
    "imagePullSecrets": _List(_Obj({"name": STR})), "hostname": STR, "subdomain": STR, "affinity": OBJECT,
    "schedulerName": STR, "tolerations": _List(_Obj({"key": STR, "operator": STR, "value": STR,
                                                     "effect": STR, "tolerationSeconds": INT})),
    "hostAliases": OBJECTS, "priorityClassName": STR, "priority": INT, "dnsConfig": OBJECT, "readinessGates": OBJECTS,
    "runtimeClassName": STR, "enableServiceLinks": BOOL, "preemptionPolicy": STR, "overhead": _Map(ANY),
    "topologySpreadConstraints": OBJECTS, "setHostnameAsFQDN": BOOL, "os": OBJECT, "hostUsers": BOOL,
    "schedulingGates": OBJECTS, "resourceClaims": OBJECTS, "resources": _RESOURCES, "hostnameOverride": STR,
})
_TEMPLATE = _Obj({"metadata": _META, "spec": _POD_SPEC})
_WORKLOAD = {"replicas": INT, "selector": SELECTOR_SCHEMA, "template": _TEMPLATE, "minReadySeconds": INT,
             "revisionHistoryLimit": INT}
_PEER = _Obj({"podSelector": SELECTOR_SCHEMA, "namespaceSelector": SELECTOR_SCHEMA,
              "ipBlock": _Obj({"cidr": STR, "except": _List(STR)})})
_NP_PORTS = _List(_Obj({"protocol": STR, "port": INT_OR_STR, "endPort": INT}))


#: A status: must be an object; the fields this package reads are typed, the rest kept.
_STATUS = _Obj({}, open=True)
_POD_STATUS = _Obj({"podIP": STR, "podIPs": _List(_Obj({"ip": STR})), "phase": STR}, open=True)


def _top(**fields: Any) -> _Obj:
    return _Obj({"apiVersion": STR, "kind": STR, "metadata": _META, "status": _STATUS, **fields})


SCHEMAS: dict[tuple[str, str], _Obj] = {
    ("v1", "Namespace"): _top(spec=_Obj({"finalizers": _List(STR)})),
    ("v1", "Pod"): _top(spec=_POD_SPEC, status=_POD_STATUS),
    ("v1", "Service"): _top(spec=_Obj({
        "ports": _List(_Obj({"name": STR, "protocol": STR, "appProtocol": STR, "port": INT,
                             "targetPort": INT_OR_STR, "nodePort": INT})),
        "selector": _Map(STR), "clusterIP": STR, "clusterIPs": _List(STR), "type": STR,
        "externalIPs": _List(STR), "sessionAffinity": STR, "loadBalancerIP": STR,
        "loadBalancerSourceRanges": _List(STR), "externalName": STR, "externalTrafficPolicy": STR,
        "healthCheckNodePort": INT, "publishNotReadyAddresses": BOOL, "sessionAffinityConfig": OBJECT,
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
        **_WORKLOAD, "serviceName": STR, "volumeClaimTemplates": OBJECTS, "podManagementPolicy": STR,
        "updateStrategy": _Obj({"type": STR, "rollingUpdate": OBJECT}),
        "persistentVolumeClaimRetentionPolicy": OBJECT, "ordinals": OBJECT})),
    ("apps/v1", "DaemonSet"): _top(spec=_Obj({
        "selector": SELECTOR_SCHEMA, "template": _TEMPLATE, "minReadySeconds": INT, "revisionHistoryLimit": INT,
        "updateStrategy": _Obj({"type": STR, "rollingUpdate": OBJECT})})),
    ("networking.k8s.io/v1", "NetworkPolicy"): _top(spec=_Obj({
        "podSelector": SELECTOR_SCHEMA, "policyTypes": _List(STR),
        "ingress": _List(_Obj({"from": _List(_PEER), "ports": _NP_PORTS})),
        "egress": _List(_Obj({"to": _List(_PEER), "ports": _NP_PORTS}))})),
}

#: (apiVersion, kind) pairs :func:`validate` knows.
SUPPORTED_KINDS: tuple[tuple[str, str], ...] = tuple(SCHEMAS)

#: Other built-in kinds real manifests carry, each with whether it is namespaced
#: (`kubectl api-resources` on a kind v1.31 cluster).  Their metadata is checked,
#: the rest of them is kept unchecked; the analysis ignores them.
OTHER_KINDS: dict[tuple[str, str], bool] = {
    ("v1", "ServiceAccount"): True, ("v1", "PersistentVolumeClaim"): True, ("v1", "PersistentVolume"): False,
    ("v1", "LimitRange"): True, ("v1", "ResourceQuota"): True, ("v1", "ReplicationController"): True,
    ("v1", "Endpoints"): True, ("v1", "Event"): True, ("v1", "PodTemplate"): True, ("v1", "Node"): False,
    ("rbac.authorization.k8s.io/v1", "Role"): True, ("rbac.authorization.k8s.io/v1", "RoleBinding"): True,
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): False,
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): False,
    ("networking.k8s.io/v1", "Ingress"): True, ("networking.k8s.io/v1", "IngressClass"): False,
    ("batch/v1", "Job"): True, ("batch/v1", "CronJob"): True,
    ("policy/v1", "PodDisruptionBudget"): True,
    ("autoscaling/v1", "HorizontalPodAutoscaler"): True, ("autoscaling/v2", "HorizontalPodAutoscaler"): True,
    ("discovery.k8s.io/v1", "EndpointSlice"): True, ("coordination.k8s.io/v1", "Lease"): True,
    ("storage.k8s.io/v1", "StorageClass"): False, ("scheduling.k8s.io/v1", "PriorityClass"): False,
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): False,
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"): False,
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"): False,
    ("apps/v1", "ControllerRevision"): True,
}
#: Their schema: the type meta and metadata known, the rest of the object kept as it is.
OTHER_SCHEMA = _Obj({"apiVersion": STR, "kind": STR, "metadata": _META}, open=True)


def field_paths(spec: Any, prefix: tuple = ()) -> list[tuple]:
    """Every field path a schema knows, as steps: a field name, ``[]`` for a list item,
    ``*`` for a map value (what property tests put arbitrary values at).

    >>> field_paths(_Obj({"a": _List(STR), "b": _Map(INT)}))
    [('a',), ('a', '[]'), ('b',), ('b', '*')]
    """
    out: list[tuple] = []
    if isinstance(spec, _Obj):
        for name, sub in spec.fields.items():
            out.append(prefix + (name,))
            out += field_paths(sub, prefix + (name,))
    elif isinstance(spec, (_List, _Map)):
        step = "[]" if isinstance(spec, _List) else "*"
        out.append(prefix + (step,))
        out += field_paths(spec.item, prefix + (step,))
    return out
