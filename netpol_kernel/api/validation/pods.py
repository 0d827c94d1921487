"""Pods: the pod spec, containers, their ports, environment and probes (core ValidatePodSpec).

:func:`check_pod_spec` also checks the pod templates of workloads (:mod:`.workloads`),
with ``is_pod=False`` for the few rules that differ.
"""
from __future__ import annotations

from typing import Any

from ...errors import FieldError
from .addresses import check_ip
from .fields import Errors, as_dict, is_empty, as_int, as_list, as_str
from .meta import check_name, check_enum, check_labels, check_meta, check_nonneg, check_port_num_or_name
from .names import (PROTOCOLS, port_num_errors, is_config_map_key, is_dns1123_label, is_dns1123_subdomain,
                    is_label_value, is_port_name, is_qualified_name)


# ---------------------------------------------------------------------------
# Pods and containers (core/validation ValidatePodSpec)
# ---------------------------------------------------------------------------
def _container_ports(ports: Any, path: str, errs: Errors) -> None:
    names: set[str] = set()
    # Paths are only spelled out for an error: most ports have none.
    for i, port in enumerate(as_list(ports)):
        p = as_dict(port)
        name = as_str(p.get("name"))
        if name:
            msgs = is_port_name(name)
            if msgs:
                errs += [FieldError.invalid(f"{path}[{i}].name", name, m) for m in msgs]
            elif name in names:
                errs.append(FieldError.duplicate(f"{path}[{i}].name", name))
            names.add(name)
        raw = p.get("containerPort")
        cp = as_int(raw)
        if raw is None or cp == 0:
            errs.append(FieldError.required(f"{path}[{i}].containerPort"))
        elif cp is not None:
            errs += [FieldError.invalid(f"{path}[{i}].containerPort", cp, m) for m in port_num_errors(cp)]
        hp = as_int(p.get("hostPort"))
        if hp:
            errs += [FieldError.invalid(f"{path}[{i}].hostPort", hp, m) for m in port_num_errors(hp)]
        proto = as_str(p.get("protocol"))
        if proto and proto not in PROTOCOLS:
            errs.append(FieldError.unsupported(f"{path}[{i}].protocol", proto, PROTOCOLS))


def _key_ref(ref: Any, path: str, errs: Errors) -> None:
    r = as_dict(ref)
    if is_empty(r.get("name")):
        errs.append(FieldError.required(f"{path}.name"))
    if is_empty(r.get("key")):
        errs.append(FieldError.required(f"{path}.key"))
    else:
        check_name(r.get("key"), f"{path}.key", is_config_map_key, errs)


def _env(env: Any, path: str, errs: Errors) -> None:
    for i, var in enumerate(as_list(env)):
        v, p = as_dict(var), f"{path}[{i}]"
        if is_empty(v.get("name")):
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
        if "fieldRef" in sources and is_empty(as_dict(src["fieldRef"]).get("fieldPath")):
            errs.append(FieldError.required(f"{vp}.fieldRef.fieldPath"))
        if not sources:
            errs.append(FieldError.invalid(vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                                   "`configMapKeyRef` or `secretKeyRef`"))
        elif as_str(v.get("value")):
            errs.append(FieldError.invalid(vp, "", "may not be specified when `value` is not empty"))
        elif len(sources) > 1:
            errs.append(FieldError.invalid(vp, "", "may not have more than one field specified at a time"))


def _env_from(env_from: Any, path: str, errs: Errors) -> None:
    for i, item in enumerate(as_list(env_from)):
        e, p = as_dict(item), f"{path}[{i}]"
        refs = [k for k in ("configMapRef", "secretRef") if e.get(k) is not None]
        for k in refs:
            if is_empty(as_dict(e[k]).get("name")):
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
        body, hp = as_dict(probe[h]), f"{path}.{h}"
        if h == "exec" and body.get("command") in (None, []):
            errs.append(FieldError.required(f"{hp}.command"))
        elif h in ("httpGet", "tcpSocket"):
            check_port_num_or_name(body.get("port"), f"{hp}.port", errs)
        elif h == "grpc" and (body.get("port") is None or as_int(body.get("port")) is not None):
            n = as_int(body.get("port")) or 0
            errs += [FieldError.invalid(f"{hp}.port", n, m) for m in port_num_errors(n)]
        scheme = as_str(body.get("scheme"))
        if h == "httpGet" and scheme and scheme not in ("HTTP", "HTTPS"):
            errs.append(FieldError.unsupported(f"{hp}.scheme", scheme, ("HTTP", "HTTPS")))
    if not found:
        errs.append(FieldError.required(path, "must specify a handler type"))
    for f in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        check_nonneg(probe.get(f), f"{path}.{f}", errs)
    success = as_int(probe.get("successThreshold"))
    if kind != "readinessProbe" and success not in (None, 0, 1):  # 0 is defaulted to 1
        errs.append(FieldError.invalid(f"{path}.successThreshold", success, "must be 1"))
    grace = as_int(probe.get("terminationGracePeriodSeconds"))
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
    if is_empty(name):
        errs.append(FieldError.required(f"{path}.name"))
    else:
        check_name(name, f"{path}.name", is_dns1123_label, errs)
    if name is None or isinstance(name, str):
        if (name or "") in names:
            errs.append(FieldError.duplicate(f"{path}.name", name or ""))
        names.add(name or "")
    image = c.get("image")
    if is_empty(image):
        errs.append(FieldError.required(f"{path}.image"))
    elif is_pod and isinstance(image, str) and image != image.strip():
        errs.append(FieldError.invalid(f"{path}.image", image, "must not have leading or trailing whitespace"))
    policy = as_str(c.get("imagePullPolicy"))
    if policy and policy not in _PULL_POLICIES:
        errs.append(FieldError.unsupported(f"{path}.imagePullPolicy", policy, _PULL_POLICIES))
    tmp = as_str(c.get("terminationMessagePolicy"))
    if tmp and tmp not in ("File", "FallbackToLogsOnError"):
        errs.append(FieldError.unsupported(f"{path}.terminationMessagePolicy", tmp, ("File", "FallbackToLogsOnError")))
    # Each check below is skipped for an absent field (it would find nothing),
    # which also spares building its path.
    if c.get("ports") is not None:
        _container_ports(c["ports"], f"{path}.ports", errs)
    if c.get("env") is not None:
        _env(c["env"], f"{path}.env", errs)
    if c.get("envFrom") is not None:
        _env_from(c["envFrom"], f"{path}.envFrom", errs)
    for i, mount in enumerate(as_list(c.get("volumeMounts"))):
        for f in ("name", "mountPath"):
            if is_empty(as_dict(mount).get(f)):
                errs.append(FieldError.required(f"{path}.volumeMounts[{i}].{f}"))
    restart = as_str(c.get("restartPolicy"))
    sidecar = init and restart == "Always"
    if restart and not init:
        errs.append(FieldError.forbidden(f"{path}.restartPolicy", "may not be set for non-init containers"))
    elif restart and not sidecar:
        errs.append(FieldError.unsupported(f"{path}.restartPolicy", restart, ("Always",)))
    if init and not sidecar and c.get("lifecycle") is not None:
        errs.append(FieldError.forbidden(f"{path}.lifecycle", _INIT_ONLY))
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        if c.get(kind) is None:
            continue
        if init and not sidecar:
            errs.append(FieldError.forbidden(f"{path}.{kind}", _INIT_ONLY))
        else:
            _probe(c.get(kind), f"{path}.{kind}", errs, kind)


def _tolerations(tolerations: Any, path: str, errs: Errors) -> None:
    for i, tol in enumerate(as_list(tolerations)):
        t, p = as_dict(tol), f"{path}[{i}]"
        key, op, value, effect = (as_str(t.get(f)) or "" for f in ("key", "operator", "value", "effect"))
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


# Pod spec fields that hold a name, and the format each must have.
_NAMED_FIELDS = (("serviceAccountName", is_dns1123_subdomain), ("nodeName", is_dns1123_subdomain),
                 ("priorityClassName", is_dns1123_subdomain), ("hostname", is_dns1123_label),
                 ("subdomain", is_dns1123_label))


def check_pod_spec(spec: Any, path: str, errs: Errors, *, is_pod: bool) -> None:
    s = as_dict(spec)
    vol_names: set[str] = set()
    for i, vol in enumerate(as_list(s.get("volumes"))):
        name, np_ = as_dict(vol).get("name"), f"{path}.volumes[{i}].name"
        if is_empty(name):
            errs.append(FieldError.required(np_))
        else:
            check_name(name, np_, is_dns1123_label, errs)
        if isinstance(name, str) and name in vol_names:
            errs.append(FieldError.duplicate(np_, name))
        vol_names.add(name if isinstance(name, str) else "")
    containers = s.get("containers")
    if containers is None or containers == []:
        errs.append(FieldError.required(f"{path}.containers"))
    names: set[str] = set()
    for i, c in enumerate(as_list(containers)):
        if isinstance(c, dict):
            _container(c, f"{path}.containers[{i}]", names, errs, init=False, is_pod=is_pod)
    for i, c in enumerate(as_list(s.get("initContainers"))):
        if isinstance(c, dict):  # init names must not clash with the regular ones either
            _container(c, f"{path}.initContainers[{i}]", names, errs, init=True, is_pod=is_pod)
    if s.get("hostNetwork") is True:
        for i, c in enumerate(as_list(containers)):
            for j, port in enumerate(as_list(as_dict(c).get("ports"))):
                # An unset hostPort is the containerPort once defaulted (SetDefaults_Pod for
                # Pods) and stays unset in templates: either way only a different one is wrong.
                hp, cp = as_int(as_dict(port).get("hostPort")) or 0, as_int(as_dict(port).get("containerPort"))
                if hp and hp != cp:
                    errs.append(FieldError.invalid(f"{path}.containers[{i}].ports[{j}].hostPort", hp,
                                                   "must match `containerPort` when `hostNetwork` is true"))
    # As in _container, absent optional fields are skipped, sparing their paths.
    if s.get("restartPolicy") is not None:
        check_enum(s["restartPolicy"], f"{path}.restartPolicy", ("Always", "OnFailure", "Never"), errs)
    if s.get("dnsPolicy") is not None:
        check_enum(s["dnsPolicy"], f"{path}.dnsPolicy", ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"),
              errs)
    if s.get("nodeSelector") is not None:
        check_labels(s["nodeSelector"], f"{path}.nodeSelector", errs)
    for f, fn in _NAMED_FIELDS:
        if as_str(s.get(f)):
            check_name(s.get(f), f"{path}.{f}", fn, errs)
    deadline = as_int(s.get("activeDeadlineSeconds"))
    if deadline is not None and not 1 <= deadline <= 2**31 - 1:
        errs.append(FieldError.invalid(f"{path}.activeDeadlineSeconds", deadline,
                                       "must be between 1 and 2147483647, inclusive"))
    if s.get("tolerations") is not None:
        _tolerations(s["tolerations"], f"{path}.tolerations", errs)


def check_pod(obj: dict, errs: Errors) -> None:
    check_meta(obj, errs, is_dns1123_subdomain)
    check_pod_spec(obj.get("spec"), "spec", errs, is_pod=True)
    status = as_dict(obj.get("status"))
    if status.get("podIP"):
        check_ip(status.get("podIP"), "status.podIP", errs)
    for i, entry in enumerate(as_list(status.get("podIPs"))):
        check_ip(as_dict(entry).get("ip"), f"status.podIPs[{i}]", errs)
