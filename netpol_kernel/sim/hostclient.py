"""A client outside the cluster: a shell on the machine that runs kind, on its Docker network.

"Allow external traffic" lessons probe a Service from outside.  On kind that is the
host: it reaches the node (``kind-control-plane``, 172.18.0.2) on the Docker bridge
network from 172.18.0.1, so a NodePort Service answers at ``172.18.0.2:NODEPORT``;
pod and ClusterIP addresses have no route from the host.  kube-proxy masquerades
NodePort traffic when ``externalTrafficPolicy`` is ``Cluster`` (the default), so the
pod's ingress policies see the node's address (172.18.0.2); with ``Local`` the
client's own address (172.18.0.1) is kept.  Either way only ``ipBlock`` peers (or
rules without ``from``) can admit it.

The host has curl 8 (GNU/Linux, glibc), nc, ping and a shell; names resolve through
Docker's resolver to the outside world (:mod:`.outside`), cluster names do not.

>>> from netpol_kernel.sim.cluster import EmbeddedCluster
>>> from netpol_kernel.sim.hostclient import host_exec
>>> host_exec(EmbeddedCluster(), ["sh", "-c", "curl -s -o /dev/null -w '%{http_code}' http://example.com"]).stdout
'200'
"""
from __future__ import annotations

from typing import Optional, Sequence

from ..backends.base import ExecResult
from . import outside
from .commands import run
from .controllers import NODE_IP
from .images import Dial, Echo, Resolution, Toolbox, empty_reply, toolbox
from .network import ClusterView, PodNet
from .process import ExecContext

__all__ = ["host_exec", "HostNet", "HOST_IP", "HOST_TOOLS"]

#: The Docker bridge gateway of kind's network: the host as the node sees it.
HOST_IP = "172.18.0.1"

#: A GNU/Linux host with what tutorials use on it: bash, coreutils, curl 8, nc, ping.
HOST_TOOLS = Toolbox(toolbox("debian").commands | {"curl", "nc", "ping", "wget"}, "8.x", "bind", "bash", "glibc")


class HostNet(PodNet):
    """The host's view of the network (a :class:`~.network.PodNet` with no pod of its own)."""

    def __init__(self, cluster: ClusterView):  # noqa: D107 - no pod, no container
        self.cluster = cluster
        self.st = cluster.state
        self._pod = {"metadata": {"name": "host", "namespace": ""}, "status": {"podIP": HOST_IP},
                     "spec": {"containers": []}}
        self.pod, self.namespace, self.ip, self.key = "host", "", HOST_IP, ""
        self.container = ""
        self.env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOSTNAME": "host", "HOME": "/root"}
        self._local: Optional[bool] = None

    def resolve(self, host: str) -> Resolution:
        if host in ("localhost",):
            return Resolution("ok", host, "127.0.0.1", host)
        if host == "kind-control-plane":
            return Resolution("ok", host, NODE_IP, host, server="127.0.0.11")
        ip = outside.lookup(host)
        if ip is None:
            return Resolution("nxdomain", host, server="127.0.0.11", tried=(host,))
        return Resolution("ok", host, ip, host, server="127.0.0.11", authoritative=False)

    def dial(self, ip: str, port: int, protocol: str = "TCP", rotate: bool = True) -> Dial:
        if ip == NODE_IP:
            for svc in self.st.list("Service"):
                if svc["spec"].get("type") not in ("NodePort", "LoadBalancer"):
                    continue
                for sp in svc["spec"].get("ports") or ():
                    if sp.get("nodePort") == port and sp.get("protocol", "TCP") == protocol:
                        self._local = svc["spec"].get("externalTrafficPolicy") == "Local"
                        return self._to_service(svc, svc["spec"]["clusterIP"], sp["port"], protocol, rotate)
            if (port, protocol) == (6443, "TCP"):
                return Dial("open", ip, port, protocol, empty_reply, self, "node/kind-control-plane")
            return Dial("refused", ip, port, protocol, why=f"the node has nothing on {protocol}/{port}")
        host = outside.host_at(ip)
        if host is not None and host.server(port, protocol) is not None:
            return Dial("open", ip, port, protocol, host.server(port, protocol), self,
                        outside.ENDPOINT_PREFIX + host.name)
        return Dial("timeout", ip, port, protocol, why=f"no route from the host to {ip} (pod and Service "
                    "addresses live inside the kind node)")

    def _to_pod(self, pod: dict, ip: str, port: int, protocol: str) -> Dial:
        source = HOST_IP if self._local else NODE_IP  # kube-proxy masquerades unless Local
        ok, why = self.ingress_from_address(source, pod, port, protocol)
        if not ok:
            return Dial("timeout", ip, port, protocol, endpoint=f'{pod["metadata"]["namespace"]}/'
                        f'{pod["metadata"]["name"]}', why=why)
        return self._deliver(pod, ip, port, protocol, f"{source} -> pod: ALLOWED")

    def ping(self, ip: str) -> Echo:
        if ip == NODE_IP or outside.host_at(ip) is not None:
            return Echo("open", ip, 0.06 if ip == NODE_IP else 4.2, 64 if ip == NODE_IP else 57)
        return Echo("timeout", ip, why=f"no route from the host to {ip}")


def host_exec(cluster: ClusterView, argv: Sequence[str], stdin: Optional[str] = None) -> ExecResult:
    """Run a command on the host, outside the cluster (``docker``-host side of kind)."""
    net = HostNet(cluster)
    ctx = ExecContext(HOST_TOOLS, net, net.env, "host", "", stdin=stdin or "")
    return run(list(argv), ctx)
