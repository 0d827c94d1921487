"""``kubectl describe``: NetworkPolicies in words; pods, deployments, services, namespaces with their events.

Layouts follow k8s.io/kubectl v0.32 pkg/describe/describe.go (``describePod``,
``describeDeployment``, ``DescribePodTemplate``, ``describeService``, ``describeNamespace``,
``DescribeEvents``): one tabwriter
(padding 2) per object, flushed before the Events table; times in RFC 1123Z
(``Tue, 23 Nov 2021 12:50:45 +0000``).  A name that matches nothing falls back
to the objects whose names start with it, as kubectl does.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Optional, Sequence
from ..errors import NotFoundError
from .args import Exit
from .context import Ctx, error_for, print_errors, resource_requests, sorted_objects
from .render import (ErrorText, age, annotation_lines, describe_network_policy, format_labels, labels_lines,
                     parse_time, selector_text, tabwrite)

__all__ = ["run_describe", "describe_pod", "describe_deployment", "describe_node", "describe_service", "describe_namespace",
           "events_section"]

_DESCRIBED = ("NetworkPolicy", "Pod", "Service", "Namespace", "Deployment", "Node")


def _rfc1123z(value: Any) -> str:
    when = parse_time(value)
    return when.strftime("%a, %d %b %Y %H:%M:%S %z") if when else "<unknown>"


def _with_events(lines: list[str], events: Sequence[Mapping[str, Any]], now: datetime) -> str:
    """The object's lines through one tabwriter, then its events (DescribeEvents flushes first)."""
    if not events:
        return tabwrite("\n".join(lines + ["Events:\t<none>"]) + "\n", minwidth=0, padding=2)
    return tabwrite("\n".join(lines) + "\n", minwidth=0, padding=2) + events_section(events, now)


def events_section(events: Sequence[Mapping[str, Any]], now: datetime) -> str:
    """DescribeEvents' table, sorted by time, in its own tabwriter (``Events:  <none>`` when empty)."""
    if not events:
        return tabwrite("Events:\t<none>\n", minwidth=0, padding=2)
    ordered = sorted(events, key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))
    lines = ["Events:", "  Type\tReason\tAge\tFrom\tMessage", "  ----\t------\t----\t----\t-------"]
    for e in ordered:
        first = age(e.get("eventTime") or e.get("firstTimestamp"), now)
        count = int(e.get("count") or 1)
        interval = f"{age(e.get('lastTimestamp'), now)} (x{count} over {first})" if count > 1 else first
        source = (e.get("source") or {}).get("component") or e.get("reportingComponent") or ""
        lines.append(f"  {e.get('type', '')}\t{e.get('reason', '')}\t{interval}\t{source}\t"
                     f"{str(e.get('message') or '').strip()}")
    return tabwrite("\n".join(lines) + "\n", minwidth=0, padding=2)


def _events_for(ctx: Ctx, obj: Mapping[str, Any]) -> list[dict]:
    lister = getattr(ctx.backend, "events", None)
    if not callable(lister):
        return []
    meta = obj.get("metadata") or {}
    return [e for e in lister(namespace=meta.get("namespace") or ctx.namespace)
            if (e.get("involvedObject") or {}).get("uid") == meta.get("uid")
            and (e.get("involvedObject") or {}).get("kind") == obj.get("kind")]


def describe_pod(pod: Mapping[str, Any], events: Sequence[Mapping[str, Any]], now: datetime) -> str:
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    lines = [f"Name:\t{meta.get('name', '')}", f"Namespace:\t{meta.get('namespace', '')}"]
    if spec.get("priority") is not None:
        lines.append(f"Priority:\t{spec['priority']}")
    if spec.get("priorityClassName"):
        lines.append(f"Priority Class Name:\t{spec['priorityClassName']}")
    if spec.get("serviceAccountName"):
        lines.append(f"Service Account:\t{spec['serviceAccountName']}")
    lines.append(f"Node:\t{spec['nodeName']}/{status.get('hostIP', '')}" if spec.get("nodeName") else "Node:\t<none>")
    if status.get("startTime"):
        lines.append(f"Start Time:\t{_rfc1123z(status['startTime'])}")
    lines += labels_lines("Labels", meta.get("labels"))
    lines += annotation_lines(meta.get("annotations"))
    lines.append(f"Status:\t{status.get('phase', '')}")
    lines.append(f"IP:\t{status.get('podIP', '')}")
    ips = status.get("podIPs") or []
    lines.append("IPs:" if ips else "IPs:\t<none>")
    lines += [f"  IP:\t{ip.get('ip', '')}" for ip in ips]
    owner = next((r for r in meta.get("ownerReferences") or [] if r.get("controller")), None)
    if owner:
        lines.append(f"Controlled By:\t{owner.get('kind')}/{owner.get('name')}")
    lines.append("Containers:")
    statuses = {s.get("name"): s for s in status.get("containerStatuses") or []}
    for c in spec.get("containers") or []:
        lines += _container_lines(c, statuses.get(c.get("name")))
    conds = status.get("conditions") or []
    if conds:
        lines += ["Conditions:", "  Type\tStatus"] + [f"  {c.get('type')} \t{c.get('status')} " for c in conds]
    lines += _volume_lines(spec.get("volumes") or [])
    lines.append(f"QoS Class:\t{status.get('qosClass', '')}")
    lines += labels_lines("Node-Selectors", spec.get("nodeSelector"))
    lines += _toleration_lines(spec.get("tolerations") or [])
    return _with_events(lines, events, now)


def _container_lines(c: Mapping[str, Any], cs: Optional[Mapping[str, Any]], name_indent: str = "  ") -> list[str]:
    """describeContainers for one container; a pod template's names are indented by 3 (describe.go)."""
    lines = [f"{name_indent}{c.get('name')}:"]
    if cs and cs.get("containerID"):
        lines.append(f"    Container ID:\t{cs['containerID']}")
    lines.append(f"    Image:\t{c.get('image', '')}")
    if cs:
        lines.append(f"    Image ID:\t{cs.get('imageID', '')}")
    ports = c.get("ports") or []
    port_text = ", ".join(f"{p.get('containerPort')}/{p.get('protocol') or 'TCP'}" for p in ports)
    host_text = ", ".join(f"{p.get('hostPort') or 0}/{p.get('protocol') or 'TCP'}" for p in ports)
    lines.append(f"    {'Ports' if len(ports) > 1 else 'Port'}:\t{port_text or '<none>'}")
    lines.append(f"    {'Host Ports' if len(ports) > 1 else 'Host Port'}:\t{host_text or '<none>'}")
    if c.get("command"):
        lines.append("    Command:")
        lines += [f"      {part}" for part in c["command"]]
    if c.get("args"):
        lines.append("    Args:")
        lines += [f"      {part}" for part in c["args"]]
    if cs:
        state = cs.get("state") or {}
        if "running" in state:
            lines += ["    State:\tRunning", f"      Started:\t{_rfc1123z((state['running'] or {}).get('startedAt'))}"]
        elif "terminated" in state:
            t = state["terminated"] or {}
            lines.append("    State:\tTerminated")
            if t.get("reason"):
                lines.append(f"      Reason:\t{t['reason']}")
            lines += [f"      Exit Code:\t{t.get('exitCode', 0)}", f"      Started:\t{_rfc1123z(t.get('startedAt'))}",
                      f"      Finished:\t{_rfc1123z(t.get('finishedAt'))}"]
        else:
            lines.append("    State:\tWaiting")
        lines += [f"    Ready:\t{'True' if cs.get('ready') else 'False'}",
                  f"    Restart Count:\t{cs.get('restartCount', 0)}"]
    env = c.get("env") or []
    lines.append("    Environment:" + ("" if env else "\t<none>"))
    lines += [f"      {e.get('name')}:\t{e.get('value', '')}" for e in env if "valueFrom" not in e]
    mounts = c.get("volumeMounts") or []
    lines.append("    Mounts:" + ("" if mounts else "\t<none>"))
    lines += [f"      {m.get('mountPath')} from {m.get('name')} ({'ro' if m.get('readOnly') else 'rw'})"
              for m in mounts]
    return lines


def _volume_lines(volumes: Sequence[Mapping[str, Any]], space: str = "") -> list[str]:
    if not volumes:
        return [f"{space}Volumes:\t<none>"]
    lines = [f"{space}Volumes:"]
    for v in volumes:
        lines.append(f"  {v.get('name')}:")
        proj = v.get("projected")
        if proj is not None:
            lines.append("    Type:\tProjected (a volume that contains injected data from multiple sources)")
            for src in proj.get("sources") or []:
                if "serviceAccountToken" in src:
                    lines.append(f"    TokenExpirationSeconds:\t{src['serviceAccountToken'].get('expirationSeconds')}")
                if "configMap" in src:
                    lines += [f"    ConfigMapName:\t{src['configMap'].get('name')}", "    ConfigMapOptional:\t<nil>"]
                if "downwardAPI" in src:
                    lines.append("    DownwardAPI:\ttrue")
        else:
            kind = next((k for k in v if k != "name"), "")
            lines.append(f"    Type:\t{kind}")
    return lines


def _toleration_lines(tolerations: Sequence[Mapping[str, Any]], title: str = "Tolerations") -> list[str]:
    """printPodTolerationsMultiline."""
    if not tolerations:
        return [f"{title}:\t<none>"]
    out = []
    for i, t in enumerate(tolerations):
        text = str(t.get("key", ""))
        if t.get("value"):
            text += f"={t['value']}"
        if t.get("effect"):
            text += f":{t['effect']}"
        if t.get("operator") == "Exists" and not t.get("value"):
            text += " op=Exists" if t.get("key") else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            text += f" for {t['tolerationSeconds']}s"
        out.append((f"{title}:\t" if i == 0 else "\t") + text)
    return out


def describe_deployment(dep: Mapping[str, Any], replica_sets: Sequence[Mapping[str, Any]],
                        events: Sequence[Mapping[str, Any]], now: datetime) -> str:
    """describeDeployment and DescribePodTemplate (describe.go)."""
    meta, spec, status = dep.get("metadata") or {}, dep.get("spec") or {}, dep.get("status") or {}
    lines = [f"Name:\t{meta.get('name', '')}", f"Namespace:\t{meta.get('namespace', '')}",
             f"CreationTimestamp:\t{_rfc1123z(meta.get('creationTimestamp'))}"]
    lines += labels_lines("Labels", meta.get("labels"))
    lines += annotation_lines(meta.get("annotations"))
    lines.append(f"Selector:\t{selector_text(spec.get('selector'))}")
    lines.append(f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} updated | "
                 f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
                 f"{status.get('unavailableReplicas', 0)} unavailable")
    strategy = spec.get("strategy") or {}
    lines.append(f"StrategyType:\t{strategy.get('type', 'RollingUpdate')}")
    lines.append(f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        lines.append(f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable', '25%')} max unavailable, "
                     f"{rolling.get('maxSurge', '25%')} max surge")
    template = spec.get("template") or {}
    tmeta, tspec = template.get("metadata") or {}, template.get("spec") or {}
    lines.append("Pod Template:")
    lines += labels_lines("  Labels", tmeta.get("labels"))
    if tmeta.get("annotations"):
        lines += [("  " + x if x.startswith("Annotations") else x) for x in annotation_lines(tmeta.get("annotations"))]
    if tspec.get("serviceAccountName"):
        lines.append(f"  Service Account:\t{tspec['serviceAccountName']}")
    lines.append("  Containers:")
    for c in tspec.get("containers") or []:
        lines += _container_lines(c, None, name_indent="   ")
    lines += _volume_lines(tspec.get("volumes") or [], space="  ")
    lines += labels_lines("  Node-Selectors", tspec.get("nodeSelector"))
    lines += _toleration_lines(tspec.get("tolerations") or [], title="  Tolerations")
    conds = status.get("conditions") or []
    if conds:
        lines += ["Conditions:", "  Type\tStatus\tReason", "  ----\t------\t------"]
        lines += [f"  {c.get('type')} \t{c.get('status')}\t{c.get('reason')}" for c in conds]
    uid = meta.get("uid")
    owned = [rs for rs in replica_sets if any(r.get("uid") == uid for r in
                                              (rs.get("metadata") or {}).get("ownerReferences") or [])]
    revision = (meta.get("annotations") or {}).get("deployment.kubernetes.io/revision")
    new = [rs for rs in owned
           if (rs["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision") == revision]
    old = [rs for rs in owned if rs not in new and (rs.get("spec") or {}).get("replicas")]

    def by_labels(items: Sequence[Mapping[str, Any]]) -> str:
        return ", ".join(f"{rs['metadata']['name']} ({(rs.get('status') or {}).get('replicas', 0)}/"
                         f"{(rs.get('spec') or {}).get('replicas', 0)} replicas created)" for rs in items) or "<none>"

    if owned:
        lines += [f"OldReplicaSets:\t{by_labels(old)}", f"NewReplicaSet:\t{by_labels(new)}"]
    return _with_events(lines, events, now)


_BINARY = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40}
_DECIMAL = {"k": 10 ** 3, "M": 10 ** 6, "G": 10 ** 9, "T": 10 ** 12}


def _quantity(text: Any, milli: bool) -> int:
    """A resource.Quantity as millicores (cpu) or bytes; 0 for anything unreadable."""
    raw = str(text or "0")
    try:
        if raw.endswith("m"):
            value = float(raw[:-1]) / 1000
        elif raw[-2:] in _BINARY:
            value = float(raw[:-2]) * _BINARY[raw[-2:]]
        elif raw[-1:] in _DECIMAL:
            value = float(raw[:-1]) * _DECIMAL[raw[-1:]]
        else:
            value = float(raw)
    except ValueError:
        return 0
    return int(round(value * 1000)) if milli else int(value)


def _cpu_text(millis: int) -> str:
    """Quantity.String() of a cpu amount (DecimalSI)."""
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def _bytes_text(n: int) -> str:
    """Quantity.String() of a memory amount kept in binary units (BinarySI)."""
    for suffix, size in sorted(_BINARY.items(), key=lambda kv: -kv[1]):
        if n and n % size == 0:
            return f"{n // size}{suffix}"
    return str(n)


def _pod_resources(pod: Mapping[str, Any]) -> dict[str, int]:
    """resourcehelper.PodRequestsAndLimits for cpu and memory (sums over containers)."""
    out = {"cpu_req": 0, "cpu_lim": 0, "mem_req": 0, "mem_lim": 0}
    for c in (pod.get("spec") or {}).get("containers") or []:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        # A limit without a request defaults the request to it (API defaulting).
        out["cpu_req"] += _quantity(req.get("cpu", lim.get("cpu")), True)
        out["cpu_lim"] += _quantity(lim.get("cpu"), True)
        out["mem_req"] += _quantity(req.get("memory", lim.get("memory")), False)
        out["mem_lim"] += _quantity(lim.get("memory"), False)
    return out


def describe_node(node: Mapping[str, Any], pods: Sequence[Mapping[str, Any]],
                  events: Sequence[Mapping[str, Any]], now: datetime) -> str:
    """describeNode, describeNodeLease and describeNodeResource (describe.go)."""
    meta, spec, status = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
    labels = meta.get("labels") or {}
    prefix = "node-role.kubernetes.io/"
    roles = sorted(k[len(prefix):] for k in labels if k.startswith(prefix) and len(k) > len(prefix))
    lines = [f"Name:\t{meta.get('name', '')}", f"Roles:\t{','.join(roles) or '<none>'}"]
    lines += labels_lines("Labels", labels)
    lines += annotation_lines(meta.get("annotations"))
    lines.append(f"CreationTimestamp:\t{_rfc1123z(meta.get('creationTimestamp'))}")
    taints = spec.get("taints") or []
    lines.append("Taints:\t" + (", ".join(f"{t.get('key')}:{t.get('effect')}" for t in taints) or "<none>"))
    lines.append(f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}")
    lines += ["Lease:", f"  HolderIdentity:\t{meta.get('name', '')}", "  AcquireTime:\t<unset>",
              f"  RenewTime:\t{_rfc1123z(now)}"]
    conds = status.get("conditions") or []
    if conds:
        lines += ["Conditions:", "  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage",
                  "  ----\t------\t-----------------\t------------------\t------\t-------"]
        lines += [f"  {c.get('type')} \t{c.get('status')} \t{_rfc1123z(c.get('lastHeartbeatTime'))} \t"
                  f"{_rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason')} \t{c.get('message')}"
                  for c in conds]
    lines.append("Addresses:")
    lines += [f"  {a.get('type')}:\t{a.get('address')}" for a in status.get("addresses") or []]
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        values = status.get(key) or {}
        if values:
            lines.append(f"{title}:")
            lines += [f"  {name}:\t{values[name]}" for name in sorted(values)]
    info = status.get("nodeInfo") or {}
    lines += ["System Info:", f"  Machine ID:\t{info.get('machineID', '')}",
              f"  System UUID:\t{info.get('systemUUID', '')}", f"  Boot ID:\t{info.get('bootID', '')}",
              f"  Kernel Version:\t{info.get('kernelVersion', '')}", f"  OS Image:\t{info.get('osImage', '')}",
              f"  Operating System:\t{info.get('operatingSystem', '')}",
              f"  Architecture:\t{info.get('architecture', '')}",
              f"  Container Runtime Version:\t{info.get('containerRuntimeVersion', '')}",
              f"  Kubelet Version:\t{info.get('kubeletVersion', '')}",
              f"  Kube-Proxy Version:\t{info.get('kubeProxyVersion', '')}"]
    if spec.get("podCIDR"):
        lines.append(f"PodCIDR:\t{spec['podCIDR']}")
    if spec.get("podCIDRs"):
        lines.append(f"PodCIDRs:\t{','.join(spec['podCIDRs'])}")
    if spec.get("providerID"):
        lines.append(f"ProviderID:\t{spec['providerID']}")
    alloc = status.get("allocatable") or status.get("capacity") or {}
    cpu_alloc, mem_alloc = _quantity(alloc.get("cpu"), True), _quantity(alloc.get("memory"), False)

    def pct(value: int, total: int) -> int:
        return int(value / total * 100) if total else 0

    lines += [f"Non-terminated Pods:\t({len(pods)} in total)",
              "  Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge",
              "  ---------\t----\t\t------------\t----------\t---------------\t-------------\t---"]
    totals = {"cpu_req": 0, "cpu_lim": 0, "mem_req": 0, "mem_lim": 0}
    for pod in pods:
        r = _pod_resources(pod)
        for key in totals:
            totals[key] += r[key]
        pm = pod.get("metadata") or {}
        lines.append(f"  {pm.get('namespace')}\t{pm.get('name')}\t\t"
                     f"{_cpu_text(r['cpu_req'])} ({pct(r['cpu_req'], cpu_alloc)}%)\t"
                     f"{_cpu_text(r['cpu_lim'])} ({pct(r['cpu_lim'], cpu_alloc)}%)\t"
                     f"{_bytes_text(r['mem_req'])} ({pct(r['mem_req'], mem_alloc)}%)\t"
                     f"{_bytes_text(r['mem_lim'])} ({pct(r['mem_lim'], mem_alloc)}%)\t"
                     f"{age(pm.get('creationTimestamp'), now)}")
    lines += ["Allocated resources:", "  (Total limits may be over 100 percent, i.e., overcommitted.)",
              "  Resource\tRequests\tLimits", "  --------\t--------\t------",
              f"  cpu\t{_cpu_text(totals['cpu_req'])} ({pct(totals['cpu_req'], cpu_alloc)}%)\t"
              f"{_cpu_text(totals['cpu_lim'])} ({pct(totals['cpu_lim'], cpu_alloc)}%)",
              f"  memory\t{_bytes_text(totals['mem_req'])} ({pct(totals['mem_req'], mem_alloc)}%)\t"
              f"{_bytes_text(totals['mem_lim'])} ({pct(totals['mem_lim'], mem_alloc)}%)",
              "  ephemeral-storage\t0 (0%)\t0 (0%)"]
    lines += [f"  {name}\t0 (0%)\t0 (0%)" for name in sorted(alloc) if name.startswith("hugepages-")]
    return _with_events(lines, events, now)


def describe_service(svc: Mapping[str, Any], slices: Sequence[Mapping[str, Any]],
                     events: Sequence[Mapping[str, Any]], now: datetime) -> str:
    meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    lines = [f"Name:\t{meta.get('name', '')}", f"Namespace:\t{meta.get('namespace', '')}"]
    lines += labels_lines("Labels", meta.get("labels"))
    lines += annotation_lines(meta.get("annotations"))
    lines += [f"Selector:\t{format_labels(spec.get('selector')) if spec.get('selector') else ''}",
              f"Type:\t{spec.get('type', 'ClusterIP')}"]
    if spec.get("ipFamilyPolicy"):
        lines.append(f"IP Family Policy:\t{spec['ipFamilyPolicy']}")
    lines.append(f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}")
    lines.append(f"IP:\t{spec.get('clusterIP', '')}")
    lines.append(f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}")
    for sp in spec.get("ports") or []:
        name = sp.get("name") or "<unset>"
        proto = sp.get("protocol") or "TCP"
        lines.append(f"Port:\t{name}\t{sp.get('port')}/{proto}")
        lines.append(f"TargetPort:\t{sp.get('targetPort', sp.get('port'))}/{proto}")
        if sp.get("nodePort"):
            lines.append(f"NodePort:\t{name}\t{sp['nodePort']}/{proto}")
        lines.append(f"Endpoints:\t{_slice_endpoints(slices, sp.get('name') or '')}")
    lines.append(f"Session Affinity:\t{spec.get('sessionAffinity', 'None')}")
    if spec.get("externalTrafficPolicy"):
        lines.append(f"External Traffic Policy:\t{spec['externalTrafficPolicy']}")
    if spec.get("internalTrafficPolicy"):
        lines.append(f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}")
    return _with_events(lines, events, now)


def _slice_endpoints(slices: Sequence[Mapping[str, Any]], port_name: str) -> str:
    """formatEndpointSlices: ready addresses with the named port, three at most, then '+ N more...'."""
    targets: list[str] = []
    for es in slices:
        ports = [p for p in es.get("ports") or [] if (p.get("name") or "") == port_name]
        for e in es.get("endpoints") or []:
            if not (e.get("conditions") or {}).get("ready", True):
                continue
            for addr in (e.get("addresses") or [])[:1]:
                targets += [f"{addr}:{p.get('port')}" for p in ports] or []
    if not targets:
        return "<none>"
    text = ",".join(targets[:3])
    return f"{text} + {len(targets) - 3} more..." if len(targets) > 3 else text


def _slices_for(ctx: Ctx, svc: Mapping[str, Any]) -> list[dict]:
    """The Service's EndpointSlices; from its Endpoints where the backend lists no slices."""
    meta = svc.get("metadata") or {}
    lister = getattr(ctx.backend, "endpoint_slices", None)
    if callable(lister):
        return [s for s in lister(namespace=meta.get("namespace"))
                if ((s.get("metadata") or {}).get("labels") or {}).get("kubernetes.io/service-name")
                == meta.get("name")]
    try:
        ep = ctx.backend.get("Endpoints", namespace=meta.get("namespace"), name=meta.get("name"))[0]
    except NotFoundError:
        return []
    return [{"endpoints": [{"addresses": [a.get("ip")], "conditions": {"ready": True}}
                           for a in subset.get("addresses") or []],
             "ports": subset.get("ports") or []} for subset in ep.get("subsets") or []]


def describe_namespace(ns: Mapping[str, Any]) -> str:
    meta = ns.get("metadata") or {}
    lines = [f"Name:\t{meta.get('name', '')}"]
    lines += labels_lines("Labels", meta.get("labels"))
    lines += annotation_lines(meta.get("annotations"))
    lines.append(f"Status:\t{(ns.get('status') or {}).get('phase', 'Active')}")
    # describeNamespace prints the quota and limit-range sections; the cluster has none of either.
    lines += ["", "No resource quota.", "", "No LimitRange resource."]
    return tabwrite("\n".join(lines) + "\n", minwidth=0, padding=2)


def run_describe(ctx: Ctx) -> int:
    if not ctx.args.positional:
        raise Exit('You must specify the type of resource to describe. Use "kubectl api-resources" '
                   "for a complete list of supported resources.\n")
    requests = resource_requests(ctx.args.positional)
    if any(kind not in _DESCRIBED for kind, _ in requests):
        raise ctx.unsupported()
    selector, all_ns = ctx.flag("selector"), ctx.on("all-namespaces")
    objs: list[dict] = []
    errors: list[ErrorText] = []
    for kind, name in requests:
        try:
            found = ctx.backend.get(kind, namespace=ctx.namespace, name=name, selector=selector,
                                    all_namespaces=all_ns)
            objs += [{**o, "kind": o.get("kind") or kind} for o in sorted_objects(found)]
        except NotFoundError as exc:
            # kubectl describe falls back to the objects whose names start with NAME.
            every = ctx.backend.get(kind, namespace=ctx.namespace)
            matches = [o for o in every
                       if str((o.get("metadata") or {}).get("name", "")).startswith(name or "")]
            if matches:
                objs += [{**o, "kind": o.get("kind") or kind} for o in sorted_objects(matches)]
            else:
                errors.append(error_for(exc))
    now = ctx.now()
    texts = []
    for obj in objs:
        kind = obj["kind"]
        if kind == "NetworkPolicy":
            texts.append(describe_network_policy(obj))
        elif kind == "Pod":
            texts.append(describe_pod(obj, _events_for(ctx, obj), now))
        elif kind == "Service":
            slices = _slices_for(ctx, obj)
            texts.append(describe_service(obj, slices, _events_for(ctx, obj), now))
        elif kind == "Node":
            pods = [p for p in ctx.backend.get("Pod", all_namespaces=True)
                    if (p.get("spec") or {}).get("nodeName") == obj["metadata"]["name"]
                    and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
            texts.append(describe_node(obj, sorted_objects(pods), [], now))
        elif kind == "Deployment":
            rs = ctx.backend.get("ReplicaSet", namespace=obj["metadata"]["namespace"])
            texts.append(describe_deployment(obj, rs, _events_for(ctx, obj), now))
        else:
            texts.append(describe_namespace(obj))
    ctx.out.out("\n\n".join(texts))
    if not objs and not errors:
        ctx.out.err("No resources found\n" if all_ns
                    else f"No resources found in {ctx.namespace} namespace.\n")
    print_errors(ctx.out, errors)
    return 1 if errors else 0
