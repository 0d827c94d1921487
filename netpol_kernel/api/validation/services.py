"""v1 Service: type, ports, selector, cluster IPs, external names."""
from __future__ import annotations

from ...errors import FieldError
from .addresses import check_ip
from .fields import Errors, as_dict, is_empty, go_strings, as_int, invalid_go, as_list, quoted, as_str
from .meta import check_name, check_enum, check_labels, check_meta, check_port_num_or_name
from .names import (PROTOCOLS, port_num_errors, is_dns1035_label, is_dns1123_label, is_dns1123_subdomain,
                    is_qualified_name)


# ---------------------------------------------------------------------------
# v1 Service
# ---------------------------------------------------------------------------
_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def check_service(obj: dict, errs: Errors) -> None:
    check_meta(obj, errs, is_dns1035_label)
    spec = as_dict(obj.get("spec"))
    stype = as_str(spec.get("type")) or "ClusterIP"
    cluster_ip = as_str(spec.get("clusterIP")) or ""
    ports = spec.get("ports")
    if (ports is None or ports == []) and cluster_ip != "None" and stype != "ExternalName":
        errs.append(FieldError.required("spec.ports"))
    names: set[str] = set()
    seen: set[tuple[str, int]] = set()
    plist = as_list(ports)
    for i, port in enumerate(plist):
        _service_port(as_dict(port), f"spec.ports[{i}]", len(plist) > 1, names, errs)
        if stype == "ClusterIP" and as_int(as_dict(port).get("nodePort")):
            errs.append(FieldError.forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"))
        proto, num = as_str(as_dict(port).get("protocol")) or "TCP", as_int(as_dict(port).get("port")) or 0
        if (proto, num) in seen:
            rendered = (f'core.ServicePort{{Name:"", Protocol:{quoted(proto)}, AppProtocol:(*string)(nil), Port:{num}, '
                        'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')
            errs.append(FieldError(f"spec.ports[{i}]", "Duplicate", rendered))  # value printed Go-style
        seen.add((proto, num))
    check_labels(spec.get("selector"), "spec.selector", errs)
    check_enum(spec.get("type"), "spec.type", _SERVICE_TYPES, errs)
    check_enum(spec.get("sessionAffinity"), "spec.sessionAffinity", ("ClientIP", "None"), errs)
    _cluster_ips(spec, errs)
    for i, ip in enumerate(as_list(spec.get("externalIPs"))):
        check_ip(ip, f"spec.externalIPs[{i}]", errs)
    if stype == "ExternalName":
        name = (as_str(spec.get("externalName")) or "").removesuffix(".")
        if not name:
            errs.append(FieldError.required("spec.externalName"))
        else:
            check_name(name, "spec.externalName", is_dns1123_subdomain, errs)


def _service_port(p: dict, path: str, require_name: bool, names: set[str], errs: Errors) -> None:
    name = p.get("name")
    if require_name and is_empty(name):
        errs.append(FieldError.required(f"{path}.name"))
    elif isinstance(name, str) and name:
        check_name(name, f"{path}.name", is_dns1123_label, errs)
        if name in names:
            errs.append(FieldError.duplicate(f"{path}.name", name))
        names.add(name)
    num = p.get("port")
    if num is None or as_int(num) is not None:
        errs += [FieldError.invalid(f"{path}.port", as_int(num) or 0, m) for m in port_num_errors(as_int(num) or 0)]
    check_enum(p.get("protocol"), f"{path}.protocol", PROTOCOLS, errs)
    if p.get("targetPort") is not None:  # defaulted to `port` when missing
        check_port_num_or_name(p.get("targetPort"), f"{path}.targetPort", errs)
    if as_str(p.get("appProtocol")):
        check_name(p.get("appProtocol"), f"{path}.appProtocol", is_qualified_name, errs)


def _cluster_ips(spec: dict, errs: Errors) -> None:
    """clusterIP is copied into clusterIPs[0] before validation, as the registry does."""
    ip, ips = as_str(spec.get("clusterIP")) or "", spec.get("clusterIPs")
    if not isinstance(ips, list) or not ips:
        ips = [ip] if ip else []
    elif not ip:
        errs.append(invalid_go("spec.clusterIPs", go_strings(ips), "must be empty when `clusterIP` is not specified"))
        return
    elif ips[0] != ip:
        errs.append(invalid_go("spec.clusterIPs", go_strings(ips), "first value must match `clusterIP`"))
        return
    for i, value in enumerate(ips):
        if i == 0 and value == "None":
            if len(ips) > 1:
                errs.append(invalid_go("spec.clusterIPs", go_strings(ips), "'None' must be the first and only value"))
            continue
        check_ip(value, f"spec.clusterIPs[{i}]", errs)
