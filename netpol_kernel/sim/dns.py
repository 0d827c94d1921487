"""Cluster DNS as CoreDNS's kubernetes plugin answers it, seen through a pod's resolv.conf.

A pod's ``/etc/resolv.conf`` (dnsPolicy ClusterFirst) is::

    search <ns>.svc.cluster.local svc.cluster.local cluster.local
    nameserver 10.96.0.10
    options ndots:5

so ``backend`` is tried as ``backend.<ns>.svc.cluster.local`` first.  Whether the
query reaches CoreDNS at all is the cluster's business (a UDP/53 connection
judged by the policy engine); this module only knows the records.

>>> recs = Records.build([("default", "backend", "10.96.12.34", ())], [("default", "fe", "10.244.0.5")])
>>> search_list("backend", "default")
['backend.default.svc.cluster.local', 'backend.svc.cluster.local', 'backend.cluster.local', 'backend']
>>> recs.lookup("backend", "default")
('backend.default.svc.cluster.local', '10.96.12.34', ['backend.default.svc.cluster.local'])
>>> recs.lookup("backend.default", "kube-system")[:2]
('backend.default.svc.cluster.local', '10.96.12.34')
>>> recs.lookup("nosuch", "default")[:2], recs.reverse("10.96.12.34")
((None, None), 'backend.default.svc.cluster.local')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

__all__ = ["CLUSTER_DOMAIN", "DNS_SERVICE_IP", "search_list", "Records", "resolv_conf"]

CLUSTER_DOMAIN = "cluster.local"
DNS_SERVICE_IP = "10.96.0.10"
NDOTS = 5


def resolv_conf(namespace: str) -> str:
    return (f"search {namespace}.svc.{CLUSTER_DOMAIN} svc.{CLUSTER_DOMAIN} {CLUSTER_DOMAIN}\n"
            f"nameserver {DNS_SERVICE_IP}\noptions ndots:{NDOTS}\n")


def search_list(name: str, namespace: str) -> list[str]:
    """The names a stub resolver asks for, in order (ndots:5, search path first)."""
    if name.endswith("."):
        return [name[:-1]]
    search = [f"{name}.{namespace}.svc.{CLUSTER_DOMAIN}", f"{name}.svc.{CLUSTER_DOMAIN}",
              f"{name}.{CLUSTER_DOMAIN}"]
    return [name] + search if name.count(".") >= NDOTS else search + [name]


@dataclass(frozen=True)
class Records:
    """A records (name -> IPs) and PTR records (IP -> name) of the cluster zone."""

    a: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ptr: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, services: Iterable[tuple[str, str, Optional[str], Sequence[tuple[str, str, str]]]],
              pods: Iterable[tuple[str, str, str]]) -> "Records":
        """``services``: (namespace, name, clusterIP or None for headless, endpoints as
        (pod name, pod ip, hostname-or-"")); ``pods``: (namespace, name, ip)."""
        a: dict[str, tuple[str, ...]] = {}
        ptr: dict[str, str] = {}
        for ns, name, cip, endpoints in services:
            fqdn = f"{name}.{ns}.svc.{CLUSTER_DOMAIN}"
            if cip:
                a[fqdn] = (cip,)
                ptr[cip] = fqdn
            else:  # headless: the ready endpoints' own addresses
                a[fqdn] = tuple(ip for _, ip, _ in endpoints)
            for pod, ip, hostname in endpoints:
                if hostname:
                    a[f"{hostname}.{fqdn}"] = (ip,)
        for ns, _pod, ip in pods:
            # CoreDNS "pods insecure" (kind's Corefile): a-b-c-d.<ns>.pod.cluster.local
            a.setdefault(f"{ip.replace('.', '-')}.{ns}.pod.{CLUSTER_DOMAIN}", (ip,))
        return cls(a, ptr)

    def lookup(self, name: str, namespace: str) -> tuple[Optional[str], Optional[str], list[str]]:
        """(fqdn, first address, candidates asked); (None, None, asked) for NXDOMAIN.

        Names outside the cluster zone would be forwarded upstream; the embedded
        cluster has no outside world, so they do not resolve.
        """
        asked: list[str] = []
        for cand in search_list(name.lower(), namespace):
            asked.append(cand)
            ips = self.a.get(cand)
            if ips:
                return cand, ips[0], asked
        return None, None, asked

    def reverse(self, ip: str) -> Optional[str]:
        return self.ptr.get(ip)
