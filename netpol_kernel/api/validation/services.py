"""v1 Service: type, ports, selector, cluster IPs, external names."""
from __future__ import annotations

from ...errors import FieldError
from .addresses import _ip
from .fields import Errors, _d, _empty, _go_strings, _i, _invalid_go, _l, _q, _s
from .meta import _check_name, _enum, _labels, _meta, _port_num_or_name
from .names import (PROTOCOLS, _port_num, is_dns1035_label, is_dns1123_label, is_dns1123_subdomain,
                    is_qualified_name)


# ---------------------------------------------------------------------------
# v1 Service
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
