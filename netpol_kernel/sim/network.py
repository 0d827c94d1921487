"""The network as one pod of the embedded cluster sees it: kube-dns, kube-proxy, the CNI.

:class:`PodNet` implements :class:`images.PodNetwork` for a pod:

* ``resolve``: a UDP/53 query to a kube-dns endpoint (the first CoreDNS pod by
  name), judged by the engine on both ends (the pod's egress, CoreDNS's ingress);
  if it passes, the records answer (search path, ndots:5).
* ``dial``: a ClusterIP goes to one ready endpoint, round-robin per Service port
  (kube-proxy picks at random; a counter keeps runs reproducible), on the
  targetPort resolved on that pod (named ports included); a pod IP goes to that
  pod.  The engine judges (source pod, endpoint pod, port, protocol): blocked
  means dropped (a timeout), allowed but nothing listening means a RST (refused),
  a Service without ready endpoints is REJECTed (refused), a port the Service
  does not have is not routed (timeout).  Traffic to the pod's own IP or
  localhost is local delivery and never judged.
* addresses outside the cluster: the few hosts of :mod:`.outside` answer when the
  pod's egress allows them (only ``ipBlock`` peers, or rules without peers, can);
  any other address never answers (timeout).  Names outside ``cluster.local`` are
  forwarded upstream by CoreDNS: :mod:`.outside` knows a few, the rest are NXDOMAIN.
* ``ping``: ICMP has no port, so only rules without ``ports`` allow it (as kind's
  kube-network-policies decides); a ClusterIP never answers (kube-proxy's iptables
  rules only translate the Service's ports).

>>> from netpol_kernel.sim.cluster import EmbeddedCluster
>>> c = EmbeddedCluster()
>>> dns = c.get("Pod", "kube-system")[0]
>>> PodNet(c, dns, dns["spec"]["containers"][0]).dial("10.96.0.10", 53, "UDP").status
'open'
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Optional, Protocol

from ..policy.engine import ICMP_NOTE, Engine
from .controllers import NODE_IP, Store, endpoints_of
from .dns import DNS_SERVICE_IP, Records
from . import outside
from .images import Dial, Echo, Resolution, Server, empty_reply
from .programs import listeners

__all__ = ["PodNet", "ClusterView", "container_env"]

class ClusterView(Protocol):
    """What the network reads of the cluster (:class:`~netpol_kernel.sim.cluster.EmbeddedCluster`
    is one): its objects, its clock, the engine judging its policies, and where containers'
    log lines go.  A protocol, since the cluster builds a :class:`PodNet` for every command it runs."""

    state: Store

    def now(self) -> datetime: ...

    def engine(self, namespace: Optional[str] = None) -> Engine: ...

    def append_log(self, namespace: str, pod: str, container: str, line: str) -> None: ...


_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_REF = re.compile(r"\$\$|\$\(([-._a-zA-Z0-9]+)\)")


def _expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes' ``$(VAR)`` expansion: known names replaced, ``$$`` escapes, others kept."""
    return _REF.sub(lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), value)


def _service_links(st: "Store", pod: dict) -> dict[str, str]:
    """Docker-links style variables for the Services of the pod's namespace (and ``kubernetes``)."""
    out: dict[str, str] = {}
    ns = pod["metadata"]["namespace"]
    created = pod["metadata"]["creationTimestamp"]
    svcs = [s for s in st.list("Service", ns) if s["metadata"]["creationTimestamp"] <= created]
    if pod["spec"].get("enableServiceLinks") is False:
        svcs = []
    kube = st.get("Service", "default", "kubernetes")
    if kube is not None and ns != "default":
        svcs.append(kube)
    for s in svcs:
        ip = s["spec"].get("clusterIP")
        ports = s["spec"].get("ports") or []
        if not ip or ip == "None" or not ports:
            continue
        prefix = s["metadata"]["name"].upper().replace("-", "_")
        first = ports[0]
        out[f"{prefix}_SERVICE_HOST"] = ip
        out[f"{prefix}_SERVICE_PORT"] = str(first["port"])
        for p in ports:
            if p.get("name"):
                out[f"{prefix}_SERVICE_PORT_{p['name'].upper().replace('-', '_')}"] = str(p["port"])
        out[f"{prefix}_PORT"] = f"{first['protocol'].lower()}://{ip}:{first['port']}"
        for p in ports:
            base = f"{prefix}_PORT_{p['port']}_{p['protocol']}"
            out[base] = f"{p['protocol'].lower()}://{ip}:{p['port']}"
            out[base + "_PROTO"] = p["protocol"].lower()
            out[base + "_PORT"] = str(p["port"])
            out[base + "_ADDR"] = ip
    return out


def container_env(st: "Store", pod: dict, container: dict) -> dict[str, str]:
    """The environment a container's processes see (as the kubelet builds it)."""
    ns = pod["metadata"]["namespace"]
    env: dict[str, str] = {"PATH": _PATH, "HOSTNAME": pod["metadata"]["name"]}
    links = _service_links(st, pod)
    scope = dict(links)

    def from_ref(kind: str, ref: dict) -> Optional[str]:
        obj = st.get(kind, ns, ref.get("name", ""))
        if obj is None:
            return None
        if kind == "Secret":
            import base64
            raw = (obj.get("data") or {}).get(ref.get("key", ""))
            return None if raw is None else base64.b64decode(raw).decode("utf-8", "replace")
        return (obj.get("data") or {}).get(ref.get("key", ""))

    for src in container.get("envFrom") or ():
        for kind, key in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
            if key in src:
                obj = st.get(kind, ns, src[key].get("name", "")) or {}
                for k in (obj.get("data") or {}):
                    val = from_ref(kind, {"name": src[key]["name"], "key": k})
                    if val is not None:
                        scope[src.get("prefix", "") + k] = env[src.get("prefix", "") + k] = val
    fields = {"metadata.name": pod["metadata"]["name"], "metadata.namespace": ns,
              "status.podIP": pod["status"].get("podIP", ""), "spec.nodeName": pod["spec"].get("nodeName", ""),
              "status.hostIP": pod["status"].get("hostIP", ""),
              "spec.serviceAccountName": pod["spec"].get("serviceAccountName", "")}
    for e in container.get("env") or ():
        if "value" in e:
            val: Optional[str] = _expand(str(e["value"]), scope)
        else:
            vf = e.get("valueFrom") or {}
            if "secretKeyRef" in vf:
                val = from_ref("Secret", vf["secretKeyRef"])
            elif "configMapKeyRef" in vf:
                val = from_ref("ConfigMap", vf["configMapKeyRef"])
            elif "fieldRef" in vf:
                val = fields.get(vf["fieldRef"].get("fieldPath", ""), "")
            else:
                val = ""
        # A missing Secret keeps a real container from starting; here it reads as empty.
        scope[e["name"]] = env[e["name"]] = val or ""
    for k, v in links.items():
        env.setdefault(k, v)
    env.setdefault("HOME", "/root")
    return env


def _key(pod: dict) -> str:
    return f'{pod["metadata"]["namespace"]}/{pod["metadata"]["name"]}'


class PodNet:
    """One pod's (and container's) view of the cluster network."""

    def __init__(self, cluster: ClusterView, pod: dict, container: dict):
        self.cluster = cluster
        self.st = cluster.state
        self._pod = pod
        self.pod = pod["metadata"]["name"]
        self.namespace = pod["metadata"]["namespace"]
        self.ip = pod["status"].get("podIP", "")
        self.key = _key(pod)
        self.container = container.get("name", "")
        self.env = container_env(self.st, pod, container)

    def log(self, line: str) -> None:
        """A line the container writes to stdout (``kubectl logs``)."""
        self.cluster.append_log(self.namespace, self.pod, self.container, line)

    def now(self) -> datetime:
        return self.cluster.now()

    # -- DNS --------------------------------------------------------------------------
    def _records(self) -> Records:
        services = []
        for s in self.st.list("Service"):
            cip = s["spec"].get("clusterIP")
            eps = [(p["metadata"]["name"], p["status"]["podIP"],
                    p["spec"].get("hostname", "") if p["spec"].get("subdomain") == s["metadata"]["name"] else "")
                   for p, _ in endpoints_of(self.st, s)]
            services.append((s["metadata"]["namespace"], s["metadata"]["name"],
                             None if cip in (None, "None") else cip, eps))
        pods = [(p["metadata"]["namespace"], p["metadata"]["name"], p["status"]["podIP"])
                for p in self.st.list("Pod") if p["status"].get("podIP")]
        return Records.build(services, pods)

    def resolve(self, host: str) -> Resolution:
        from .dns import search_list
        if host in (self.pod, "localhost"):  # /etc/hosts answers before any DNS query
            return Resolution("ok", host, "127.0.0.1" if host == "localhost" else self.ip, host)
        kube_dns = self.st.get("Service", "kube-system", "kube-dns")
        tried = tuple(search_list(host, self.namespace))
        if kube_dns is None:
            return Resolution("timeout", host, tried=tried, why="no kube-dns Service")
        dial = self.dial(DNS_SERVICE_IP, 53, "UDP", rotate=False)
        if dial.status != "open":
            return Resolution("timeout", host, tried=tried,
                              why=dial.why or f"kube-dns: {dial.status}")
        fqdn, ip, asked = self._records().lookup(host, self.namespace)
        if fqdn is None:
            # Names outside the cluster zone: CoreDNS forwards them upstream (not authoritative).
            for cand in asked:
                if not cand.endswith(".cluster.local") and (addr := outside.lookup(cand)) is not None:
                    return Resolution("ok", host, addr, cand, tried=tuple(asked), authoritative=False)
            return Resolution("nxdomain", host, tried=tuple(asked))
        return Resolution("ok", host, ip, fqdn, tried=tuple(asked))

    # -- connections --------------------------------------------------------------------
    def _listeners(self, pod: dict) -> dict[tuple[int, str], tuple[Server, dict]]:
        out: dict[tuple[int, str], tuple[Server, dict]] = {}
        for c in pod["spec"]["containers"]:
            env = {e["name"]: str(e.get("value", "")) for e in c.get("env") or () if "value" in e}
            declared = [(p["containerPort"], p.get("protocol", "TCP")) for p in c.get("ports") or ()]
            for k, srv in listeners(c["image"], env, declared, c.get("command") or (),
                                    c.get("args") or ()).items():
                out.setdefault(k, (srv, c))
        return out

    def _deliver(self, pod: dict, ip: str, port: int, protocol: str, why: str = "") -> Dial:
        found = self._listeners(pod).get((port, protocol))
        if found is None:
            return Dial("refused", ip, port, protocol, endpoint=_key(pod), why=why)
        server, container = found
        return Dial("open", ip, port, protocol, server, PodNet(self.cluster, pod, container), _key(pod), why)

    def _to_pod(self, pod: dict, ip: str, port: int, protocol: str) -> Dial:
        verdict = self.cluster.engine().evaluate(self.key, _key(pod), port, protocol)
        if not verdict.allowed:
            return Dial("timeout", ip, port, protocol, endpoint=_key(pod), why=verdict.explain())
        return self._deliver(pod, ip, port, protocol, verdict.explain())

    def _egress_to_address(self, ip: str, port: int, protocol: str) -> tuple[bool, str]:
        """Egress to an address that is no pod, judged by the engine."""
        return self.cluster.engine().evaluate_address(self.key, ip, port, protocol, "Egress")

    def ingress_from_address(self, src_ip: str, pod: dict, port: int, protocol: str) -> tuple[bool, str]:
        """Ingress to ``pod`` from an address that is no pod (a client outside the cluster)."""
        return self.cluster.engine().evaluate_address(_key(pod), src_ip, port, protocol, "Ingress")

    def dial(self, ip: str, port: int, protocol: str = "TCP", rotate: bool = True) -> Dial:
        if ip in ("127.0.0.1", "::1") or ip == self.ip:
            return self._deliver(self._pod, ip, port, protocol)
        st = self.st
        svc = next((s for s in st.list("Service") if s["spec"].get("clusterIP") == ip), None)
        if svc is not None:
            return self._to_service(svc, ip, port, protocol, rotate)
        # A hostNetwork pod is a pod like any other here (the engine polices it; see README).
        pod = next((p for p in st.list("Pod") if p["status"].get("podIP") == ip), None)
        if pod is not None:
            return self._to_pod(pod, ip, port, protocol)
        ok, why = self._egress_to_address(ip, port, protocol)
        if ok and ip == NODE_IP and (port, protocol) in ((6443, "TCP"), (10250, "TCP")):
            return Dial("open", ip, port, protocol, empty_reply, self, "node/kind-control-plane")
        host = outside.host_at(ip)
        if ok and host is not None:
            server = host.server(port, protocol)
            where = outside.ENDPOINT_PREFIX + host.name
            if server is None:  # the internet's hosts drop what they do not serve
                return Dial("timeout", ip, port, protocol, endpoint=where, why=f"{host.name} does not answer "
                            f"on {protocol}/{port}")
            return Dial("open", ip, port, protocol, server, self, where)
        return Dial("timeout", ip, port, protocol, why=why or f"nothing answers at {ip} (outside the cluster)")

    # -- ICMP ----------------------------------------------------------------------------
    def ping(self, ip: str) -> Echo:
        """An ICMP echo to ``ip``, judged like a connection without a port (protocol ICMP)."""
        if ip in ("127.0.0.1", "::1") or ip == self.ip:
            return Echo("open", ip, 0.05, 64)
        st = self.st
        if any(s["spec"].get("clusterIP") == ip for s in st.list("Service")):
            return Echo("timeout", ip, why="a ClusterIP answers no pings (kube-proxy only translates "
                        "the Service's ports)")
        pod = next((p for p in st.list("Pod") if p["status"].get("podIP") == ip), None)
        if pod is not None:
            verdict = self.cluster.engine().evaluate(self.key, _key(pod), 0, "ICMP")
            why = verdict.explain()  # the engine's explanation notes how ICMP is judged
            return Echo("open", ip, 0.08, 64, why) if verdict.allowed else Echo("timeout", ip, why=why)
        ok, why = self._egress_to_address(ip, 0, "ICMP")
        if ok and (outside.host_at(ip) is not None or ip == NODE_IP):
            return Echo("open", ip, 0.1 if ip == NODE_IP else 4.2, 64 if ip == NODE_IP else 57)
        return Echo("timeout", ip, why=(why + "\n  " + ICMP_NOTE) if why else f"nothing answers at {ip}")

    def _to_service(self, svc: dict, ip: str, port: int, protocol: str, rotate: bool) -> Dial:
        md = svc["metadata"]
        sp = next((p for p in svc["spec"].get("ports") or () if p["port"] == port
                   and p.get("protocol", "TCP") == protocol), None)
        if sp is None:
            return Dial("timeout", ip, port, protocol,
                        why=f"service {md['namespace']}/{md['name']} has no port {port}/{protocol}")
        if (md["namespace"], md["name"]) == ("default", "kubernetes"):
            ok, why = self._egress_to_address(NODE_IP, 6443, "TCP")
            return (Dial("open", ip, port, protocol, empty_reply, self, "node/kind-control-plane") if ok
                    else Dial("timeout", ip, port, protocol, why=why))
        eps = []
        for pod, ports in endpoints_of(self.st, svc):
            tp = next((p["port"] for p in ports if p.get("name") == sp.get("name")
                       and p["protocol"] == protocol), None)
            if tp is not None:
                eps.append((pod, tp))
        if not eps:
            return Dial("refused", ip, port, protocol,
                        why=f"service {md['namespace']}/{md['name']} has no ready endpoints")
        i = 0
        if rotate:
            rr = f"{md['namespace']}/{md['name']}:{port}/{protocol}"
            i = self.st.round_robin.get(rr, 0)
            self.st.round_robin[rr] = i + 1
        pod, target = eps[i % len(eps)]
        return self._to_pod(pod, ip, target, protocol)
