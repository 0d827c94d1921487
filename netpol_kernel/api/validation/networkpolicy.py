"""networking.k8s.io/v1 NetworkPolicy: ports, peers, ipBlocks, policyTypes (networking/validation)."""
from __future__ import annotations

from ...errors import FieldError
from .addresses import parse_cidr
from .fields import Errors, as_dict, is_empty, go_strings, as_int, invalid_go, as_list
from .meta import check_meta, check_selector
from .names import port_num_errors, is_dns1123_subdomain, is_port_name


# ---------------------------------------------------------------------------
# networking.k8s.io/v1 NetworkPolicy (networking/validation)
# ---------------------------------------------------------------------------
_NP_PROTOCOLS = ("TCP", "UDP", "SCTP")  # this validator lists them unsorted


def _np_port(p: dict, path: str, errs: Errors) -> None:
    proto = p.get("protocol")
    if isinstance(proto, str) and proto not in _NP_PROTOCOLS:
        errs.append(FieldError.unsupported(f"{path}.protocol", proto, _NP_PROTOCOLS))
    port, end = p.get("port"), as_int(p.get("endPort"))
    if port is not None and as_int(port) is not None:
        n = as_int(port) or 0
        errs += [FieldError.invalid(f"{path}.port", n, m) for m in port_num_errors(n)]
        if end is not None:
            if end < n:
                errs.append(FieldError.invalid(f"{path}.endPort", end, "must be greater than or equal to `port`"))
            errs += [FieldError.invalid(f"{path}.endPort", end, m) for m in port_num_errors(end)]
    elif isinstance(port, str):
        if end is not None:
            errs.append(FieldError.invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric"))
        msgs = is_port_name(port)
        if msgs:
            errs += [FieldError.invalid(f"{path}.port", port, m) for m in msgs]
    elif port is None and end is not None:
        errs.append(FieldError.invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified"))


def _ip_block(block: dict, path: str, errs: Errors) -> None:
    cidr = block.get("cidr")
    if is_empty(cidr):
        errs.append(FieldError.required(f"{path}.cidr"))
        return
    if not isinstance(cidr, str):
        return
    net = parse_cidr(cidr)
    if net is None:
        errs.append(FieldError.invalid(f"{path}.cidr", cidr, _CIDR_MSG))
        return
    for i, exc in enumerate(as_list(block.get("except"))):
        if not isinstance(exc, str):
            continue
        sub = parse_cidr(exc)
        if sub is None:
            errs.append(FieldError.invalid(f"{path}.except[{i}]", exc, _CIDR_MSG))
        elif sub.version != net.version or sub.network_address not in net or net.prefixlen >= sub.prefixlen:
            errs.append(FieldError.invalid(f"{path}.except[{i}]", exc, "must be a strict subset of `cidr`"))


_CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _np_peer(peer: dict, path: str, errs: Errors) -> None:
    kinds = [k for k in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(k) is not None]
    for k in kinds:
        if k == "ipBlock":
            _ip_block(as_dict(peer[k]), f"{path}.ipBlock", errs)
        else:
            check_selector(peer[k], f"{path}.{k}", errs)
    if not kinds:
        errs.append(FieldError.required(path, "must specify a peer"))
    elif len(kinds) > 1 and "ipBlock" in kinds:
        errs.append(FieldError.forbidden(path, "may not specify both ipBlock and another peer"))


def check_network_policy(obj: dict, errs: Errors) -> None:
    check_meta(obj, errs, is_dns1123_subdomain)
    spec = as_dict(obj.get("spec"))
    check_selector(spec.get("podSelector"), "spec.podSelector", errs)
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(as_list(spec.get(direction))):
            r, rp = as_dict(rule), f"spec.{direction}[{i}]"
            for j, port in enumerate(as_list(r.get("ports"))):
                _np_port(as_dict(port), f"{rp}.ports[{j}]", errs)
            for j, peer in enumerate(as_list(r.get(peers))):
                _np_peer(as_dict(peer), f"{rp}.{peers}[{j}]", errs)
    types = as_list(spec.get("policyTypes"))
    if len(types) > 2:
        errs.append(invalid_go("spec.policyTypes", go_strings(types, "[]networking.PolicyType"),
                                "may not specify more than two policyTypes"))
        return
    for i, t in enumerate(types):
        if isinstance(t, str) and t not in ("Ingress", "Egress"):
            errs.append(FieldError.unsupported(f"spec.policyTypes[{i}]", t, ("Ingress", "Egress")))
