"""Warnings about NetworkPolicies that are valid but probably not what the author meant.

The API server accepts every policy checked here; the mistakes only show up as
traffic that flows (or not) unexpectedly.  Each :class:`LintWarning` names the
field in API-server form (``spec.ingress[0].from[1]``) and says, in a sentence
or two, why it is suspicious and how to fix it.  Questions about what traffic
is allowed are answered by the engine, never re-derived here.

This module also puts policies into plain words (:func:`peer_words`,
:func:`policy_words`); the pictures in :mod:`netpol_kernel.notebook.plots` use the same
words, so text and picture always agree.

>>> from netpol_kernel.policy.objects import from_dict
>>> pol = from_dict({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
...     "metadata": {"name": "allow-all"},
...     "spec": {"podSelector": {}, "ingress": [{}]}})
>>> [w.code for w in lint([pol])]
['allow-all-rule']
>>> print(policy_words(pol))
NetworkPolicy allow-all in namespace default
  selects: all pods in namespace default
  ingress: isolated; allows only:
    ingress[0]: from anything, on any port
  egress: not isolated (all allowed)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Union

from .engine import Engine
from .objects import (NS_NAME_LABEL, ContainerPort, Container, Labels, LabelSelector, Namespace,
                      NetworkPolicy, Peer, Pod, PolicyPort, Rule)

__all__ = ["LintWarning", "lint", "CODES", "selector_words", "namespace_words", "peer_parts",
           "peer_words", "port_words", "ports_words", "selected_words", "direction_words",
           "policy_words"]

#: Every warning code, with the one-line idea behind it.
CODES = {
    "hardcoded-namespace": "metadata.namespace is written into the file",
    "selects-no-pods": "spec.podSelector matches no existing pod",
    "allow-all-rule": "an empty rule {} allows everything",
    "rules-ignored": "rules for a direction that policyTypes does not list",
    "or-instead-of-and": "a stray '-' split one AND peer into two OR peers",
    "unknown-named-port": "a named port that no pod has",
    "dns-blocked": "egress is isolated but DNS to kube-dns is not allowed",
    "host-network-pod": "the policy selects or names a hostNetwork pod, which plugins may not police",
}

# Where kube-dns lives on kind and most clusters (the lab's allow-dns targets exactly this).
DNS_NAMESPACE, DNS_LABELS = "kube-system", Labels({"k8s-app": "kube-dns"})
# A plausible CoreDNS pod address on kind (10.244.0.0/16), so that ipBlock rules such as
# 0.0.0.0/0 are judged as they would be on a real cluster.
_DNS_POD_IP = "10.244.0.2"


@dataclass(frozen=True)
class LintWarning:
    """One suspicious spot: a ``code`` from :data:`CODES`, the field ``path``, and advice.

    ``policy`` names the object the path belongs to (empty when linting one object).

    >>> print(LintWarning("allow-all-rule", "spec.ingress[0]", "Allows everything.", "web"))
    web: spec.ingress[0]: Allows everything. [allow-all-rule]
    """

    code: str
    path: str
    message: str
    policy: str = ""

    def __str__(self) -> str:
        where = f"{self.policy}: " if self.policy else ""
        return f"{where}{self.path}: {self.message} [{self.code}]"


# ---------------------------------------------------------------- plain words

def selector_words(sel: LabelSelector) -> str:
    """A selector's requirements, comma+space separated so long ones wrap.

    >>> selector_words(LabelSelector.from_dict({"matchLabels": {"app": "db", "tier": "data"}}))
    'app=db, tier=data'
    """
    parts = [f"{k}={v}" for k, v in sel.match_labels.items()]
    parts += [str(r) for r in sel.match_expressions]
    return ", ".join(parts)


def namespace_words(sel: LabelSelector) -> str:
    """``namespace kube-system`` for the automatic name label, else ``namespaces team=web``."""
    if sel.is_empty:
        return "all namespaces"
    if not sel.match_expressions and list(sel.match_labels) == [NS_NAME_LABEL]:
        return f"namespace {sel.match_labels[NS_NAME_LABEL]}"
    return f"namespaces {selector_words(sel)}"


def peer_parts(peer: Peer) -> tuple[str, str]:
    """A peer as (what, where): ``("pods app=x", "in this namespace")``, or an ipBlock's
    ``("10.0.0.0/16", "except 10.0.1.0/24")`` (where empty when there is no except)."""
    if peer.ip_block is not None:
        block = peer.ip_block
        return block.cidr, (f"except {', '.join(block.except_)}" if block.except_ else "")
    pods = ("all pods" if peer.pod_selector is None or peer.pod_selector.is_empty
            else f"pods {selector_words(peer.pod_selector)}")
    where = ("in this namespace" if peer.namespace_selector is None
             else f"in {namespace_words(peer.namespace_selector)}")
    return pods, where


def peer_words(peer: Peer) -> str:
    """One from/to entry in words (the case table on :class:`~netpol_kernel.policy.objects.Peer`).

    >>> sel = LabelSelector.from_dict
    >>> peer_words(Peer(sel({"matchLabels": {"app": "frontend"}})))
    'pods app=frontend in this namespace'
    >>> peer_words(Peer(None, sel({"matchLabels": {"team": "web"}})))
    'all pods in namespaces team=web'
    """
    return " ".join(part for part in peer_parts(peer) if part)


def port_words(pp: PolicyPort) -> str:
    """``TCP 8080``, ``TCP 32000-32768``, ``TCP "http"`` (a name), ``any UDP port``."""
    if pp.port is None:
        return f"any {pp.protocol} port"
    if isinstance(pp.port, str):
        return f'{pp.protocol} "{pp.port}"'
    if pp.end_port is not None:
        return f"{pp.protocol} {pp.port}-{pp.end_port}"
    return f"{pp.protocol} {pp.port}"


def ports_words(ports: Sequence[PolicyPort]) -> str:
    """A rule's ports; an empty list means every port."""
    return ", ".join(port_words(p) for p in ports) if ports else "any port"


def selected_words(policy: NetworkPolicy) -> str:
    """The pods a policy applies to: ``pods app=backend in namespace default``."""
    sel = policy.pod_selector
    pods = "all pods" if sel.is_empty else f"pods {selector_words(sel)}"
    return f"{pods} in namespace {policy.namespace}"


def _rule_words(direction: str, index: int, rule: Rule) -> str:
    word = "from" if direction == "Ingress" else "to"
    peers = " OR ".join(peer_words(p) for p in rule.peers) if rule.peers else "anything"
    return f"{direction.lower()}[{index}]: {word} {peers}, on {ports_words(rule.ports)}"


def direction_words(policy: NetworkPolicy, direction: str) -> list[str]:
    """What the policy does to one direction, first line a verdict, then one line per rule."""
    rules = policy.rules(direction)
    d = direction.lower()
    if not policy.isolates(direction):
        line = f"{d}: not isolated (all allowed)"
        if rules:
            many = len(rules) > 1
            line += (f"; its {len(rules)} rule{'s are' if many else ' is'} ignored "
                     f"({direction} is not in policyTypes)")
        return [line]
    if not rules:
        return [f"{d}: isolated, no rules: default deny (nothing allowed)"]
    return [f"{d}: isolated; allows only:"] + ["  " + _rule_words(direction, i, r)
                                              for i, r in enumerate(rules)]


def policy_words(policy: NetworkPolicy) -> str:
    """A policy in plain words: what it selects and, per direction, what it allows."""
    lines = [f"NetworkPolicy {policy.name} in namespace {policy.namespace}",
             f"  selects: {selected_words(policy)}"]
    for direction in ("Ingress", "Egress"):
        lines += ["  " + line for line in direction_words(policy, direction)]
    return "\n".join(lines)


# ---------------------------------------------------------------- the checks

Raw = Union[Mapping, Sequence[Mapping], None]


def lint(policies: Sequence[NetworkPolicy], pods: Sequence[Pod] = (),
         namespaces: Sequence[Namespace] = (), raw: Raw = None) -> list[LintWarning]:
    """Every warning for ``policies``, policy by policy, in the order of the checks.

    ``pods`` enables the checks that need the cluster (a selector matching nothing,
    named ports, DNS per pod); ``raw`` (the manifest dict or dicts as written)
    enables the hard-coded namespace check.

    >>> from netpol_kernel.policy.objects import from_dict
    >>> deny = from_dict({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    ...     "metadata": {"name": "deny"}, "spec": {"podSelector": {}, "policyTypes": ["Egress"]}})
    >>> [(w.code, w.path) for w in lint([deny])]
    [('dns-blocked', 'spec.policyTypes[0]')]
    """
    policies = list(policies)
    pods = list(pods)
    raws = _raw_by_name(raw)
    engine = _engine(policies, pods, namespaces) if pods else None
    dns = _DnsCheck(policies, pods, namespaces)
    out: list[LintWarning] = []
    for pol in policies:
        found: list[LintWarning] = []
        found += _hardcoded_namespace(raws.get(pol.name))
        if engine is not None:
            found += _selects_nothing(pol, engine)
        found += _allow_all_rules(pol)
        found += _ignored_rules(pol)
        found += _or_instead_of_and(pol)
        if engine is not None:
            found += _unknown_named_ports(pol, engine)
            found += _host_network(pol, engine)
        found += dns.warnings(pol)
        out += [LintWarning(w.code, w.path, w.message, pol.name) for w in found]
    # Raw manifests of other kinds (a Deployment with a namespace, say) are checked too.
    names = {p.name for p in policies}
    for (kind, name), obj in _raw_items(raw):
        if not (kind == "NetworkPolicy" and name in names):
            out += [LintWarning(w.code, w.path, w.message, name) for w in _hardcoded_namespace(obj)]
    return out


def _raw_items(raw: Raw) -> list[tuple[tuple[str, str], Mapping]]:
    if raw is None:
        return []
    objs = [raw] if isinstance(raw, Mapping) else list(raw)
    return [((str(o.get("kind") or ""), str((o.get("metadata") or {}).get("name") or "")), o)
            for o in objs if isinstance(o, Mapping)]


def _raw_by_name(raw: Raw) -> dict[str, Mapping]:
    return {name: obj for (kind, name), obj in _raw_items(raw) if kind == "NetworkPolicy"}


def _engine(policies: Sequence[NetworkPolicy], pods: Sequence[Pod],
            namespaces: Sequence[Namespace]) -> Engine:
    return Engine(namespaces, pods, policies)


def _hardcoded_namespace(obj: Optional[Mapping]) -> list[LintWarning]:
    """(c) ``metadata.namespace`` in the file: fine for one namespace, wrong for the next reader."""
    if obj is None or obj.get("kind") == "Namespace":
        return []
    ns = (obj.get("metadata") or {}).get("namespace")
    if not ns:
        return []
    return [LintWarning(
        "hardcoded-namespace", "metadata.namespace",
        f'metadata.namespace is hard-coded to "{ns}": applying the file with -n OTHER fails '
        f'with a namespace mismatch, and without -n it lands in "{ns}" (or fails if that '
        f"namespace does not exist). Delete the line and choose the namespace with -n or "
        f"your current context.")]


def _selects_nothing(pol: NetworkPolicy, engine: Engine) -> list[LintWarning]:
    """(d) a podSelector that matches no pod: the policy silently does nothing."""
    if engine.selected_pods(pol):
        return []
    sel = "{}" if pol.pod_selector.is_empty else selector_words(pol.pod_selector)
    here = [p for p in engine.pods if p.namespace == pol.namespace]
    hint = ""
    keys = list(pol.pod_selector.match_labels)
    seen = sorted({f"{k}={p.labels[k]}" for p in here for k in keys if k in p.labels})
    if seen:
        hint = f"; pods there have {', '.join(seen)}"
    elif not here:
        hint = "; that namespace has no pods"
    return [LintWarning(
        "selects-no-pods", "spec.podSelector",
        f"spec.podSelector ({sel}) selects no pod in namespace {pol.namespace}, so this policy "
        f"has no effect yet{hint}. Compare it with the pods' labels "
        f"(kubectl get pods --show-labels) and check the namespace.")]


def _allow_all_rules(pol: NetworkPolicy) -> list[LintWarning]:
    """(e) ``ingress: [{}]``: reads like "deny", means "allow everything"."""
    out = []
    for direction in ("Ingress", "Egress"):
        if not pol.isolates(direction):
            continue  # ignored rules get their own warning
        d = direction.lower()
        source = "from anywhere" if direction == "Ingress" else "to anywhere"
        for i, rule in enumerate(pol.rules(direction)):
            if not rule.peers and not rule.ports:
                out.append(LintWarning(
                    "allow-all-rule", f"spec.{d}[{i}]",
                    f"spec.{d}[{i}] is an empty rule ({{}}): it allows all {d} {source} on every "
                    f"port, the opposite of a default deny. To deny all {d}, keep {direction} in "
                    f"policyTypes and remove the rule ({d}: [] or no {d} key)."))
    return out


def _ignored_rules(pol: NetworkPolicy) -> list[LintWarning]:
    """(f) rules for a direction policyTypes leaves out are ignored by every CNI."""
    out = []
    for direction in ("Ingress", "Egress"):
        rules = pol.rules(direction)
        if rules and not pol.isolates(direction):
            d = direction.lower()
            n = f"{len(rules)} rule{'s' if len(rules) > 1 else ''}"
            out.append(LintWarning(
                "rules-ignored", f"spec.{d}",
                f"spec.{d} has {n}, but policyTypes does not list {direction}, so {d} stays "
                f"unrestricted and the rules are ignored. Add {direction} to policyTypes "
                f"(or delete the rules)."))
    return out


def _only(peer: Peer, which: str) -> bool:
    ns, pod = peer.namespace_selector is not None, peer.pod_selector is not None
    if peer.ip_block is not None:
        return False
    return (ns and not pod) if which == "namespace" else (pod and not ns)


def _or_instead_of_and(pol: NetworkPolicy) -> list[LintWarning]:
    """(a) ``- namespaceSelector`` then ``- podSelector``: two peers (OR) where one (AND) was meant."""
    out = []
    for direction in ("Ingress", "Egress"):
        d = direction.lower()
        word = "from" if direction == "Ingress" else "to"
        for r, rule in enumerate(pol.rules(direction)):
            for j in range(1, len(rule.peers)):
                a, b = rule.peers[j - 1], rule.peers[j]
                if _only(a, "namespace") and _only(b, "pod"):
                    both, key = Peer(b.pod_selector, a.namespace_selector), "podSelector"
                elif _only(a, "pod") and _only(b, "namespace"):
                    both, key = Peer(a.pod_selector, b.namespace_selector), "namespaceSelector"
                else:
                    continue
                out.append(LintWarning(
                    "or-instead-of-and", f"spec.{d}[{r}].{word}[{j}]",
                    f"{word}[{j - 1}] ({peer_words(a)}) and {word}[{j}] ({peer_words(b)}) are two "
                    f"peers, so either one is allowed (OR). If you meant {peer_words(both)} (AND), "
                    f'delete the "-" before {key} so both selectors are in one peer.'))
    return out


def _unknown_named_ports(pol: NetworkPolicy, engine: Engine) -> list[LintWarning]:
    """(g) ``port: http`` resolves on the destination pod's container ports; nothing else counts."""
    out = []
    for direction in ("Ingress", "Egress"):
        if not pol.isolates(direction):
            continue
        d = direction.lower()
        # Ingress: the destinations are the selected pods; egress: any pod could be one.
        dests = engine.selected_pods(pol) if direction == "Ingress" else engine.pods
        who = "pod selected by this policy" if direction == "Ingress" else "pod"
        for r, rule in enumerate(pol.rules(direction)):
            for k, pp in enumerate(rule.ports):
                if not isinstance(pp.port, str) or not dests:
                    continue
                if any(p.named_port(pp.port, pp.protocol) is not None for p in dests):
                    continue
                out.append(LintWarning(
                    "unknown-named-port", f"spec.{d}[{r}].ports[{k}].port",
                    f'port "{pp.port}" is a container port name, but no {who} has a '
                    f'{pp.protocol} container port named "{pp.port}", so this entry matches '
                    f"no traffic. Name the container port (ports[].name in the pod template; "
                    f"Service port names do not count) or use the port number."))
    return out


def _host_network(pol: NetworkPolicy, engine: Engine) -> list[LintWarning]:
    """(h) hostNetwork pods: NetworkPolicy leaves them to the plugin, and most plugins
    ignore them in selectors and see their traffic as coming from the node."""
    why = ("use hostNetwork: true. NetworkPolicy leaves such pods to the network plugin, and most "
           "plugins neither select them nor recognise their traffic, which comes from the node's "
           "address")
    out = []
    hosts = [p for p in engine.selected_pods(pol) if p.host_network]
    if hosts:
        out.append(LintWarning(
            "host-network-pod", "spec.podSelector",
            f"spec.podSelector selects {_pod_list(hosts)}, which {why}: this policy may not "
            f"protect them. Check with a probe on your cluster."))
    for direction, word in (("Ingress", "from"), ("Egress", "to")):
        if not pol.isolates(direction):
            continue
        for r, rule in enumerate(pol.rules(direction)):
            for j, peer in enumerate(rule.peers):
                if peer.ip_block is not None:
                    continue
                hosts = [p for p in engine.peer_pods(pol, direction, r, j) if p.host_network]
                if hosts:
                    path = f"spec.{direction.lower()}[{r}].{word}[{j}]"
                    out.append(LintWarning(
                        "host-network-pod", path,
                        f"{path} matches {_pod_list(hosts)}, which {why}: this peer may not match "
                        f"their traffic. An ipBlock with the node's address is what most plugins "
                        f"match instead."))
    return out


class _DnsCheck:
    """(b) egress isolation without a way to kube-dns breaks every name lookup.

    The engine decides whether UDP 53 to a kube-dns pod is allowed; without
    ``pods`` a stand-in pod built from each policy's selector is judged.
    """

    def __init__(self, policies: Sequence[NetworkPolicy], pods: Sequence[Pod],
                 namespaces: Sequence[Namespace]):
        self.policies, self.pods, self.namespaces = list(policies), list(pods), list(namespaces)
        found = [p for p in self.pods if p.namespace == DNS_NAMESPACE
                 and all(p.labels.get(k) == v for k, v in DNS_LABELS.items())]
        self.dns = found[0] if found else _dns_stand_in()
        self._with_dns = self.pods if found else self.pods + [self.dns]

    def _subjects(self, pol: NetworkPolicy) -> list[Pod]:
        if self.pods:
            return [p for p in self.pods if p.namespace == pol.namespace
                    and pol.pod_selector.matches(p.labels) and p.key != self.dns.key]
        stand_in = _stand_in(pol)
        return [stand_in] if stand_in is not None else []

    def warnings(self, pol: NetworkPolicy) -> list[LintWarning]:
        if not pol.isolates("Egress"):
            return []
        subjects = self._subjects(pol)
        if not subjects:
            return []
        pods = self._with_dns if self.pods else subjects + [self.dns]
        engine = Engine(self.namespaces, pods, self.policies)
        blocked = [p for p in subjects
                   if not engine.evaluate(p.key, self.dns.key, 53, "UDP").egress.allowed]
        if not blocked:
            return []
        who = _pod_list(blocked) if self.pods else "the pods it selects"
        them = "it" if self.pods and len(blocked) == 1 else "them"
        # With rules the fix goes into spec.egress; without, Egress must be listed explicitly.
        path = ("spec.egress" if pol.egress
                else f"spec.policyTypes[{pol.policy_types.index('Egress')}]")
        return [LintWarning(
            "dns-blocked", path,
            f"this policy isolates egress of {who}, and no NetworkPolicy selecting {them} allows "
            f"UDP port 53 to kube-dns (pods k8s-app=kube-dns in namespace kube-system), so name "
            f'lookups such as "backend" fail. Add an egress rule to that peer on UDP 53 and TCP 53, '
            f"like the lab's allow-dns policy.")]


def _dns_stand_in() -> Pod:
    ports = (ContainerPort(53, "dns", "UDP"), ContainerPort(53, "dns-tcp", "TCP"))
    return Pod("coredns", DNS_NAMESPACE, DNS_LABELS, (Container("coredns", "coredns", ports),),
               _DNS_POD_IP)


def _stand_in(pol: NetworkPolicy) -> Optional[Pod]:
    """A pod the policy's selector would select (None when no simple one exists)."""
    labels = dict(pol.pod_selector.match_labels)
    for r in pol.pod_selector.match_expressions:
        if r.operator == "In" and r.values:
            labels[r.key] = sorted(r.values)[0]
        elif r.operator == "Exists":
            labels[r.key] = "x"
    pod = Pod(f"selected-by-{pol.name}", pol.namespace, Labels(labels))
    return pod if pol.pod_selector.matches(pod.labels) else None


def _pod_list(pods: Sequence[Pod]) -> str:
    names = sorted(p.name for p in pods)
    if len(names) == 1:
        return f"pod {names[0]}"
    if len(names) > 3:
        return "pods " + ", ".join(names[:3]) + f" and {len(names) - 3} more"
    return "pods " + ", ".join(names[:-1]) + " and " + names[-1]
