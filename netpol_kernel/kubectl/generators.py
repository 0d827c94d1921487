"""The objects kubectl's generators build from flags: ``run``, ``expose``, ``create deployment|service|...``.

Pure functions from flags to API dicts, shaped as kubectl 1.32 sends them (what
``--dry-run=client -o yaml`` prints): ``creationTimestamp: null``, empty
``resources: {}``, ``status: {}``.  Sources: k8s.io/kubectl pkg/generate/versioned/run.go
(``BasicPod``), pkg/cmd/expose/expose.go (``createService``), pkg/cmd/create/
create_deployment.go, create_service.go, create_configmap.go, create_secret.go.

>>> pod = run_pod("web", "nginx", labels="app=web", port="80")
>>> pod["metadata"]["labels"], pod["spec"]["containers"][0]["ports"]
({'app': 'web'}, [{'containerPort': 80}])
>>> container_name("registry.k8s.io/e2e-test-images/agnhost:2.47")
'agnhost'
"""
from __future__ import annotations

import base64
import re
from typing import Any, Optional, Sequence

from .args import Exit

__all__ = ["typed_json", "run_pod", "service_object", "deployment_object", "configmap_object", "secret_object",
           "namespace_object", "parse_labels", "container_name", "create_service_object"]


def parse_labels(text: str, what: str = "labels") -> dict[str, str]:
    """generate.ParseLabels: ``k=v,k2=v2``; kubectl's error for anything else."""
    out: dict[str, str] = {}
    for part in text.split(","):
        key, eq, value = part.partition("=")
        if not eq or not key:
            raise Exit(f"error: invalid label spec: {part}" if what == "labels" else
                       f"error: invalid selector spec: {part}")
        out[key] = value
    return out


def container_name(image: str) -> str:
    """create deployment's container name: the image's last path part, without tag or digest,
    lowercased and with characters outside [a-z0-9-] dropped (create_deployment.go
    ``buildPodSpec`` + ``sanitizeAndUniquify``)."""
    last = image.split("@")[0].rsplit("/", 1)[-1].split(":")[0]
    return re.sub(r"[^a-z0-9-]", "-", last.lower())


def _env(pairs: Sequence[str]) -> list[dict]:
    out = []
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq:
            raise Exit(f"error: invalid env: {pair}")
        out.append({"name": name, "value": value})
    return out


def run_pod(name: str, image: str, *, labels: str = "", port: str = "", env: Sequence[str] = (),
            args: Sequence[str] = (), command: bool = False, restart: str = "Always",
            stdin: bool = False, tty: bool = False, annotations: Sequence[str] = (),
            image_pull_policy: str = "", privileged: bool = False) -> dict:
    """``kubectl run``'s pod (generate/versioned/run.go BasicPod.Generate)."""
    container: dict[str, Any] = {"image": image, "name": name, "resources": {}}
    if args:
        container["command" if command else "args"] = list(args)
    if env:
        container["env"] = _env(env)
    if image_pull_policy:
        container["imagePullPolicy"] = image_pull_policy
    if port:
        container["ports"] = [{"containerPort": int(port)}]
    if privileged:
        container["securityContext"] = {"privileged": True}
    if stdin:
        container["stdin"] = True
        container["stdinOnce"] = True
    if tty:
        container["tty"] = True
    meta: dict[str, Any] = {"creationTimestamp": None,
                            "labels": parse_labels(labels) if labels else {"run": name}, "name": name}
    if annotations:
        meta["annotations"] = dict(a.partition("=")[::2] for a in annotations)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [container], "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
            "status": {}}


def service_object(name: str, selector: dict, ports: Sequence[str], *, labels: Optional[dict] = None,
                   protocol: str = "", protocols: Optional[dict] = None, target_port: str = "",
                   type_: str = "", cluster_ip: str = "", port_name: str = "",
                   session_affinity: str = "") -> dict:
    """expose.go createService (also run --expose through ServiceGeneratorV2, same shape)."""
    svc_ports: list[dict] = []
    for i, text in enumerate(ports):
        try:
            number = int(text)
        except ValueError:
            raise Exit(f'error: strconv.Atoi: parsing "{text}": invalid syntax') from None
        pname = f"port-{i + 1}" if len(ports) > 1 else port_name
        proto = protocol or (protocols or {}).get(text, "TCP")
        entry: dict[str, Any] = {"port": number, "protocol": proto}
        if pname:
            entry["name"] = pname
        svc_ports.append(entry)
    for p in svc_ports:
        if target_port:
            p["targetPort"] = int(target_port) if target_port.isdigit() else target_port
        else:
            p["targetPort"] = p["port"]
    spec: dict[str, Any] = {"ports": svc_ports, "selector": dict(selector)}
    if type_:
        spec["type"] = type_
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    if session_affinity:
        spec["sessionAffinity"] = session_affinity
    meta: dict[str, Any] = {"creationTimestamp": None, "name": name}
    if labels:
        meta["labels"] = dict(labels)
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec,
            "status": {"loadBalancer": {}}}


def create_service_object(type_: str, name: str, tcp: Sequence[str], node_port: str = "",
                          cluster_ip: str = "") -> dict:
    """create_service.go: ``--tcp=PORT[:TARGET]`` pairs, ports named ``PORT-TARGET``, selector app=NAME.

    >>> create_service_object("ClusterIP", "web", ["80:8080"])["spec"]["ports"]
    [{'name': '80-8080', 'port': 80, 'protocol': 'TCP', 'targetPort': 8080}]
    """
    ports = []
    for pair in tcp:
        port_text, _, target_text = pair.partition(":")
        try:
            port = int(port_text)
            target: Any = int(target_text) if target_text else port
        except ValueError:
            raise Exit(f'error: strconv.Atoi: parsing "{port_text}": invalid syntax') from None
        entry: dict[str, Any] = {"name": pair.replace(":", "-"), "port": port, "protocol": "TCP",
                                 "targetPort": target}
        if node_port and type_ == "NodePort":
            entry["nodePort"] = int(node_port)
        ports.append(dict(sorted(entry.items())))
    spec: dict[str, Any] = {"ports": ports, "selector": {"app": name}, "type": type_}
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"creationTimestamp": None, "labels": {"app": name}, "name": name},
            "spec": spec, "status": {"loadBalancer": {}}}


def deployment_object(name: str, images: Sequence[str], replicas: int = 1, port: str = "") -> dict:
    """create_deployment.go: labels app=NAME, one container per image."""
    containers: list[dict] = []
    for image in images:
        c: dict[str, Any] = {"image": image, "name": container_name(image), "resources": {}}
        containers.append(c)
    if port and containers:
        containers[0]["ports"] = [{"containerPort": int(port)}]
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"creationTimestamp": None, "labels": labels, "name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)}, "strategy": {},
                     "template": {"metadata": {"creationTimestamp": None, "labels": dict(labels)},
                                  "spec": {"containers": containers}}},
            "status": {}}


def _literals(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise Exit(f"error: invalid literal source {pair}, expected key=value")
        out[key] = value
    return out


def configmap_object(name: str, literals: Sequence[str]) -> dict:
    """create_configmap.go with ``--from-literal``."""
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"creationTimestamp": None, "name": name}}
    data = _literals(literals)
    if data:
        obj["data"] = data
    return obj


def secret_object(name: str, literals: Sequence[str], type_: str = "") -> dict:
    """create_secret.go ``generic`` with ``--from-literal`` (values base64-encoded)."""
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret",
                           "metadata": {"creationTimestamp": None, "name": name}}
    data = {k: base64.b64encode(v.encode()).decode() for k, v in _literals(literals).items()}
    if data:
        obj["data"] = data
    if type_:
        obj["type"] = type_
    return obj


def namespace_object(name: str) -> dict:
    """create_namespace.go."""
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"creationTimestamp": None, "name": name},
            "spec": {}, "status": {}}


# Field order of the Go structs (k8s.io/api v0.32 types.go) that kubectl's JSON printer
# follows for the typed objects it generates (``-o json`` of a dry run).
_ORDER: dict[str, tuple[str, ...]] = {
    "top": ("kind", "apiVersion", "metadata", "immutable", "spec", "data", "stringData", "binaryData", "type",
            "status"),
    "metadata": ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
                 "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
                 "ownerReferences", "finalizers", "managedFields"),
    "DeploymentSpec": ("replicas", "selector", "template", "strategy", "minReadySeconds", "revisionHistoryLimit",
                       "paused", "progressDeadlineSeconds"),
    "template": ("metadata", "spec"),
    "PodSpec": ("volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
                "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector",
                "serviceAccountName"),
    "container": ("name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources",
                  "resizePolicy", "restartPolicy", "volumeMounts", "volumeDevices", "livenessProbe",
                  "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
                  "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty"),
    "containerPort": ("name", "hostPort", "containerPort", "protocol", "hostIP"),
    "env": ("name", "value", "valueFrom"),
    "ServiceSpec": ("ports", "selector", "clusterIP", "clusterIPs", "type", "externalIPs", "sessionAffinity",
                    "loadBalancerIP"),
    "servicePort": ("name", "protocol", "appProtocol", "port", "targetPort", "nodePort"),
    "selector": ("matchLabels", "matchExpressions"),
    "ServiceStatus": ("loadBalancer", "conditions"),
}


#: Go maps (not structs): encoding/json writes their keys sorted.
_MAPS = ("labels", "annotations", "data", "stringData", "binaryData", "matchLabels", "nodeSelector")


def _ordered(obj: Any, order: tuple[str, ...]) -> dict:
    out = {k: obj[k] for k in sorted(obj, key=lambda k: (order.index(k) if k in order else len(order), k))}
    for key in _MAPS:
        if isinstance(out.get(key), dict):
            out[key] = dict(sorted(out[key].items()))
    return out


def typed_json(obj: dict) -> dict:
    """``obj`` with its keys in the Go structs' order, for kubectl's JSON of a generated object.

    >>> list(typed_json({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}))
    ['kind', 'apiVersion', 'metadata']
    """
    out = _ordered(obj, _ORDER["top"])
    if isinstance(out.get("metadata"), dict):
        out["metadata"] = _ordered(out["metadata"], _ORDER["metadata"])
    spec, kind = out.get("spec"), out.get("kind")
    if isinstance(spec, dict) and kind == "Deployment":
        spec = _ordered(spec, _ORDER["DeploymentSpec"])
        if isinstance(spec.get("selector"), dict):
            spec["selector"] = _ordered(spec["selector"], _ORDER["selector"])
        tmpl = spec.get("template")
        if isinstance(tmpl, dict):
            tmpl = _ordered(tmpl, _ORDER["template"])
            tmpl["metadata"] = _ordered(tmpl.get("metadata") or {}, _ORDER["metadata"])
            tmpl["spec"] = _pod_spec(tmpl.get("spec") or {})
            spec["template"] = tmpl
        out["spec"] = spec
    elif isinstance(spec, dict) and kind == "Pod":
        out["spec"] = _pod_spec(spec)
    elif isinstance(spec, dict) and kind == "Service":
        spec = _ordered(spec, _ORDER["ServiceSpec"])
        if isinstance(spec.get("selector"), dict):
            spec["selector"] = dict(sorted(spec["selector"].items()))
        spec["ports"] = [_ordered(p, _ORDER["servicePort"]) for p in spec.get("ports") or []]
        out["spec"] = spec
        if isinstance(out.get("status"), dict):
            out["status"] = _ordered(out["status"], _ORDER["ServiceStatus"])
    return out


def _pod_spec(spec: dict) -> dict:
    spec = _ordered(spec, _ORDER["PodSpec"])
    containers = []
    for c in spec.get("containers") or []:
        c = _ordered(c, _ORDER["container"])
        if c.get("ports"):
            c["ports"] = [_ordered(p, _ORDER["containerPort"]) for p in c["ports"]]
        if c.get("env"):
            c["env"] = [_ordered(e, _ORDER["env"]) for e in c["env"]]
        containers.append(c)
    if "containers" in spec:
        spec["containers"] = containers
    return spec
