"""kubectl's read-only questions about the cluster: ``version``, ``cluster-info``, ``config``,
``api-resources``, ``api-versions`` and ``explain``.

The embedded cluster answers as a kind cluster named ``netpol-course`` (``make
cluster``) on Kubernetes v1.31.0 would.  Layouts from k8s.io/kubectl v0.32:
pkg/cmd/version/version.go, pkg/cmd/clusterinfo/clusterinfo.go (``printService``,
no colours), pkg/cmd/apiresources/apiresources.go (columns NAME, SHORTNAMES,
APIVERSION, NAMESPACED, KIND, sorted by group then name), and
pkg/explain/v2/templates/plaintext.tmpl for ``explain``.  ``explain`` reads field
documentation from the installed ``kubernetes`` client's models (each property's
docstring carries the API's description); those models do not carry the types'
own descriptions, so a kind's DESCRIPTION is the field's only, never the type's.
"""
from __future__ import annotations

import inspect
import re
import textwrap
from typing import Any, Optional

from .args import Exit
from .context import Ctx, resource_kind
from .render import tabwrite

__all__ = ["run_version", "run_cluster_info", "run_config", "run_api_resources", "run_api_versions",
           "run_explain", "API_RESOURCES"]

SERVER_VERSION = "v1.31.0"
CLIENT_VERSION = "v1.31.0"
KUSTOMIZE_VERSION = "v5.4.2"   # what kubectl v1.31.0 embeds (its go.mod: sigs.k8s.io/kustomize/kustomize/v5 v5.4.2)
CONTEXT = "kind-netpol-course"
SERVER = "https://127.0.0.1:41231"

#: (name, shortnames, apiVersion, namespaced, kind): what kind v1.31 serves, for the kinds modelled here.
API_RESOURCES: list[tuple[str, str, str, bool, str]] = [
    ("configmaps", "cm", "v1", True, "ConfigMap"),
    ("endpoints", "ep", "v1", True, "Endpoints"),
    ("events", "ev", "v1", True, "Event"),
    ("namespaces", "ns", "v1", False, "Namespace"),
    ("nodes", "no", "v1", False, "Node"),
    ("pods", "po", "v1", True, "Pod"),
    ("secrets", "", "v1", True, "Secret"),
    ("services", "svc", "v1", True, "Service"),
    ("daemonsets", "ds", "apps/v1", True, "DaemonSet"),
    ("deployments", "deploy", "apps/v1", True, "Deployment"),
    ("replicasets", "rs", "apps/v1", True, "ReplicaSet"),
    ("statefulsets", "sts", "apps/v1", True, "StatefulSet"),
    ("endpointslices", "", "discovery.k8s.io/v1", True, "EndpointSlice"),
    ("events", "ev", "events.k8s.io/v1", True, "Event"),
    ("networkpolicies", "netpol", "networking.k8s.io/v1", True, "NetworkPolicy"),
]


_ALL_CATEGORY = ("Pod", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet")


def _sim(ctx: Ctx) -> bool:
    return getattr(ctx.backend, "name", "") == "sim"


def run_version(ctx: Ctx) -> int:
    if not _sim(ctx):
        raise ctx.unsupported()
    if ctx.flag("output") not in (None, ""):
        raise ctx.unsupported()
    text = f"Client Version: {CLIENT_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n"
    if not ctx.on("client"):
        text += f"Server Version: {SERVER_VERSION}\n"
    ctx.out.out(text)
    return 0


def run_cluster_info(ctx: Ctx) -> int:
    if not _sim(ctx):
        raise ctx.unsupported()
    if ctx.args.positional:
        raise ctx.unsupported()  # cluster-info dump
    ctx.out.out(f"Kubernetes control plane is running at {SERVER}\n"
                f"CoreDNS is running at {SERVER}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n"
                "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n")
    return 0


def run_config(ctx: Ctx) -> int:
    pos = ctx.args.positional
    context = getattr(ctx.backend, "context", None) or CONTEXT
    if pos == ["current-context"]:
        ctx.out.out(f"{context}\n")
        return 0
    if pos == ["get-contexts"]:
        ns = "" if ctx.namespace == "default" else ctx.namespace
        ctx.out.out(tabwrite(f"CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n*\t{context}\t{context}\t{context}\t{ns}\n",
                             minwidth=6, padding=3))
        return 0
    raise ctx.unsupported()


def run_api_resources(ctx: Ctx) -> int:
    rows = list(API_RESOURCES)
    namespaced = ctx.flag("namespaced")
    if namespaced is not None:
        rows = [r for r in rows if r[3] == (namespaced == "true")]
    group = ctx.flag("api-group")
    if group is not None:
        rows = [r for r in rows if (r[2].rpartition("/")[0] if "/" in r[2] else "") == group]
    fmt = ctx.flag("output") or ""
    if fmt == "name":
        ctx.out.out("".join(f"{r[0]}{'.' + r[2].rpartition('/')[0] if '/' in r[2] else ''}\n" for r in rows))
        return 0
    if fmt not in ("", "wide"):
        raise Exit(f'error: --output {fmt} is not available')
    header = "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND" + ("\tVERBS\tCATEGORIES" if fmt == "wide" else "")
    lines = [] if ctx.on("no-headers") else [header]
    for name, short, version, ns, kind in rows:
        line = f"{name}\t{short}\t{version}\t{str(ns).lower()}\t{kind}"
        if fmt == "wide":
            # Every kind here serves the full verb set; kubectl's "all" category (get all).
            verbs = "create delete deletecollection get list patch update watch"
            category = "all" if kind in _ALL_CATEGORY and version != "events.k8s.io/v1" else ""
            line += f"\t[{verbs}]\t{category}"
        lines.append(line)
    ctx.out.out(tabwrite("".join(line + "\n" for line in lines), minwidth=6, padding=3))
    return 0


def run_api_versions(ctx: Ctx) -> int:
    versions = sorted({r[2] for r in API_RESOURCES})
    ctx.out.out("".join(f"{v}\n" for v in versions))
    return 0


# ---------------------------------------------------------------- explain

_MODELS = {"Pod": "V1Pod", "Service": "V1Service", "Deployment": "V1Deployment", "ReplicaSet": "V1ReplicaSet",
           "StatefulSet": "V1StatefulSet", "DaemonSet": "V1DaemonSet", "Namespace": "V1Namespace",
           "NetworkPolicy": "V1NetworkPolicy", "ConfigMap": "V1ConfigMap", "Secret": "V1Secret",
           "Endpoints": "V1Endpoints", "Node": "V1Node", "Event": "CoreV1Event",
           "EndpointSlice": "V1EndpointSlice"}
_GROUPS = {"Deployment": "apps", "ReplicaSet": "apps", "StatefulSet": "apps", "DaemonSet": "apps",
           "NetworkPolicy": "networking.k8s.io", "EndpointSlice": "discovery.k8s.io"}


def _type_name(py: str) -> str:
    """The client's type string in explain's words: list[V1Container] -> []Container.

    >>> _type_name("List[V1Container]"), _type_name("Dict[str, str]"), _type_name("dict(str, str)")
    ('[]Container', 'map[string]string', 'map[string]string')
    """
    if py.startswith(("list[", "List[")):  # clients before 37 wrote list[...], 37+ List[...]
        return "[]" + _type_name(py[5:-1])
    if py.startswith(("dict(", "Dict[")):
        _, _, value = py[5:-1].partition(", ")
        return f"map[string]{_type_name(value)}"
    simple = {"str": "string", "int": "integer", "bool": "boolean", "float": "number", "datetime": "string",
              "object": "IntOrString"}  # the models type IntOrString fields as object
    if py in simple:
        return simple[py]
    return re.sub(r"^(V\d+(alpha\d+|beta\d+)?|CoreV1|EventsV1|DiscoveryV1)", "", py)


def _model(py: str) -> Optional[type]:
    import kubernetes.client as kc
    inner = py
    while inner.startswith(("list[", "dict(", "List[", "Dict[")):
        inner = inner[5:-1].partition(", ")[2] if inner.startswith(("dict(", "Dict[")) else inner[5:-1]
    return getattr(kc, inner, None)


def _field_doc(cls: type, attr: str) -> tuple[str, bool]:
    """(description, required) of one field of a client model.

    kubernetes 37+ generates pydantic models: the OpenAPI description and whether the
    field is required are the field's metadata (``model_fields``).
    """
    fields = getattr(cls, "model_fields", None)
    if fields is not None and attr in fields:
        field = fields[attr]
        desc = (field.description or "").replace("  # noqa: E501", "").strip()
        return desc, field.is_required()
    prop = getattr(cls, attr)  # older clients: properties whose docstrings carry the text
    doc = prop.fget.__doc__ or ""
    parts = [p.strip() for p in doc.split("\n\n")]
    desc = parts[1] if len(parts) > 2 else ""
    desc = desc.replace("  # noqa: E501", "").strip()
    if desc.startswith(":return:"):
        desc = ""
    try:
        required = "must not be `None`" in inspect.getsource(prop.fset)
    except (OSError, TypeError):
        required = False
    return desc, required


def _wrap(text: str, width: int, indent: int) -> str:
    """sprig's ``wrap`` then ``indent``: words kept whole, every line indented (blank ones too)."""
    lines: list[str] = []
    for para in text.split("\n"):
        lines += textwrap.wrap(para, width, break_long_words=False, break_on_hyphens=False) or [""]
    return "\n".join(" " * indent + line for line in lines)


def run_explain(ctx: Ctx) -> int:
    pos = ctx.args.positional
    if not pos:
        raise Exit("error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for "
                   "a complete list of supported resources.\n")
    word, *path = pos[0].split(".")
    kind = "Event" if word in ("events", "event", "ev") else \
        "EndpointSlice" if word in ("endpointslices", "endpointslice") else resource_kind(word)
    cls: Any = _model(_MODELS[kind])
    field_line, desc = "", ""
    for i, step in enumerate(path):
        attr = next((a for a, j in cls.attribute_map.items() if j == step), None)
        if attr is None:
            raise Exit(f'error: field "{step}" does not exist')
        desc, _ = _field_doc(cls, attr)
        py = cls.openapi_types[attr]
        if i == len(path) - 1:
            field_line = f"FIELD: {step} <{_type_name(py)}>\n\n"
        cls = _model(py)
        if cls is None and i < len(path) - 1:
            raise Exit(f'error: field "{path[i + 1]}" does not exist')
    group = _GROUPS.get(kind)
    out = (f"GROUP:      {group}\n" if group else "") + f"KIND:       {kind}\nVERSION:    v1\n\n" + field_line
    out += "DESCRIPTION:\n" + _wrap((desc or "<empty>") + "\n", 76, 4) + "\n"
    if cls is not None and getattr(cls, "openapi_types", None):
        out += "FIELDS:\n" + _field_list(cls, 1, ctx.on("recursive"), set())
    ctx.out.out(out)
    return 0


def _field_list(cls: Any, level: int, recursive: bool, seen: set) -> str:
    """plaintext.tmpl's fieldList/fieldDetail: sorted fields, descriptions unless --recursive,
    which nests each field's own fields instead (stopping at a type already on the path)."""
    out = ""
    indent = " " * (2 * level)
    for json_name, attr in sorted((j, a) for a, j in cls.attribute_map.items()):
        fdesc, required = _field_doc(cls, attr)
        py = cls.openapi_types[attr]
        out += f"{indent}{json_name}\t<{_type_name(py)}>" + (" -required-" if required else "") + "\n"
        if not recursive:
            out += _wrap(fdesc or "<no description>", 78 - 2 * level, 2 * level + 2) + "\n\n"
            continue
        sub = _model(py)
        if sub is not None and getattr(sub, "openapi_types", None) and sub not in seen:
            out += _field_list(sub, level + 1, True, seen | {cls, sub})
    return out
