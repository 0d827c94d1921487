"""A deliberately naive NetworkPolicy evaluator, written straight from the spec.

It is a test oracle only: it shares no matching code with netpol_kernel.policy.engine
(selectors, peers and ports are re-implemented here), so agreement between the
two is evidence, not tautology.
"""
from __future__ import annotations

import ipaddress


def _selector_matches(sel, labels) -> bool:
    for k, v in sel.match_labels.items():
        if labels.get(k) != v:
            return False
    for e in sel.match_expressions:
        has = e.key in labels
        if e.operator == "In" and not (has and labels[e.key] in e.values):
            return False
        if e.operator == "NotIn" and has and labels[e.key] in e.values:
            return False
        if e.operator == "Exists" and not has:
            return False
        if e.operator == "DoesNotExist" and has:
            return False
    return True


def _in_block(block, ip) -> bool:
    if ip is None:
        return False
    a = ipaddress.ip_address(ip)
    nets = [ipaddress.ip_network(block.cidr, strict=False)]
    if not any(a.version == n.version and a in n for n in nets):
        return False
    for ex in block.except_:
        n = ipaddress.ip_network(ex, strict=False)
        if a.version == n.version and a in n:
            return False
    return True


def _peer_matches(policy, peer, pod, ns_labels) -> bool:
    if peer.ip_block is not None:
        return _in_block(peer.ip_block, pod.ip)
    if peer.namespace_selector is None:
        ns_ok = pod.namespace == policy.namespace
    else:
        ns_ok = _selector_matches(peer.namespace_selector, ns_labels[pod.namespace])
    pod_ok = peer.pod_selector is None or _selector_matches(peer.pod_selector, pod.labels)
    return ns_ok and pod_ok


def _container_port(pod, name, protocol):
    for c in pod.containers:
        for p in c.ports:
            if p.name == name and p.protocol == protocol:
                return p.container_port
    return None


def _port_ok(rule, dst, port, protocol) -> bool:
    if not rule.ports:
        return True
    for pp in rule.ports:
        if pp.protocol != protocol:
            continue
        if pp.port is None:
            return True
        if isinstance(pp.port, str):
            if _container_port(dst, pp.port, protocol) == port:
                return True
        elif pp.end_port is None:
            if pp.port == port:
                return True
        elif pp.port <= port <= pp.end_port:
            return True
    return False


def allowed(namespaces, pods, policies, src, dst, port: int, protocol: str = "TCP") -> bool:
    ns_labels = {p.namespace: {"kubernetes.io/metadata.name": p.namespace} for p in pods}
    for n in namespaces:
        ns_labels[n.name] = {**dict(n.labels), "kubernetes.io/metadata.name": n.name}

    def direction_ok(direction, subject, other) -> bool:
        selecting = [p for p in policies if p.namespace == subject.namespace
                     and direction in p.policy_types and _selector_matches(p.pod_selector, subject.labels)]
        if not selecting:
            return True
        for pol in selecting:
            for rule in (pol.ingress if direction == "Ingress" else pol.egress):
                peers_ok = not rule.peers or any(_peer_matches(pol, pe, other, ns_labels) for pe in rule.peers)
                if peers_ok and _port_ok(rule, dst, port, protocol):
                    return True
        return False

    return direction_ok("Egress", src, dst) and direction_ok("Ingress", dst, src)
