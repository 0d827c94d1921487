"""apps/v1 workloads: Deployment, ReplicaSet, StatefulSet, DaemonSet.

Their own fields, the selector and its agreement with the template's labels,
and the pod template (checked by :func:`.pods.check_pod_spec`).
"""
from __future__ import annotations

import re
from typing import Any, Callable

from ...errors import FieldError
from .fields import Errors, as_dict, go_map, go_selector, as_int, invalid_go, key_text, as_str, quoted
from .meta import check_annotations, check_labels, check_meta, check_nonneg, check_selector, selector_is_empty, selector_matches
from .names import is_dns1123_label, is_dns1123_subdomain
from .pods import check_pod_spec


# ---------------------------------------------------------------------------
# apps/v1 workloads
# ---------------------------------------------------------------------------
def check_workload(kind: str) -> Callable[[dict, Errors], None]:
    name_fn = is_dns1123_label if kind == "StatefulSet" else is_dns1123_subdomain

    def run(obj: dict, errs: Errors) -> None:
        check_meta(obj, errs, name_fn)
        spec = as_dict(obj.get("spec"))
        for f in ("replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"):
            check_nonneg(spec.get(f), f"spec.{f}", errs)
        deadline, ready = as_int(spec.get("progressDeadlineSeconds")), as_int(spec.get("minReadySeconds")) or 0
        if deadline is not None and deadline <= ready:
            errs.append(FieldError.invalid("spec.progressDeadlineSeconds", deadline,
                                           "must be greater than minReadySeconds"))
        if kind == "StatefulSet":
            pmp = as_str(spec.get("podManagementPolicy"))
            if pmp and pmp not in ("OrderedReady", "Parallel"):
                errs.append(FieldError.invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"))
        if kind == "Deployment":
            _rolling_update(as_dict(as_dict(spec.get("strategy")).get("rollingUpdate")),
                            "spec.strategy.rollingUpdate", errs)
        _workload_selector(kind, spec, errs)
        _template(kind, spec.get("template"), errs)

    return run


_PERCENT = "[0-9]+%"


def _int_or_string_go(value: Any) -> str:
    """An intstr.IntOrString as field.Error prints it: %#v, since String() has a pointer receiver."""
    if isinstance(value, str):
        return f'intstr.IntOrString{{Type:1, IntVal:0, StrVal:{quoted(value)}}}'
    return f'intstr.IntOrString{{Type:0, IntVal:{value}, StrVal:""}}'


def _rolling_update(ru: dict, path: str, errs: Errors) -> None:
    """apps/validation ValidateRollingUpdateDeployment -> ValidatePositiveIntOrPercent: a
    non-negative integer, or a percent string (validation.IsValidPercent)."""
    for key in ("maxUnavailable", "maxSurge"):
        value = ru.get(key)
        if isinstance(value, str) and not re.fullmatch(_PERCENT, value):
            msg = ("a valid percent string must be a numeric string followed by an ending '%' "
                   f"(e.g. '1%',  or '93%', regex used for validation is '{_PERCENT}')")
            errs.append(invalid_go(f"{path}.{key}", _int_or_string_go(value), msg))
        elif as_int(value) is not None and as_int(value) < 0:
            errs.append(FieldError.invalid(f"{path}.{key}", as_int(value), "must be greater than or equal to 0"))


def _workload_selector(kind: str, spec: dict, errs: Errors) -> None:
    sel = spec.get("selector")
    noun = {"StatefulSet": "statefulset", "DaemonSet": "daemonset"}.get(kind, "deployment")
    if sel is None and kind != "DaemonSet":
        errs.append(FieldError.required("spec.selector"))
    elif isinstance(sel, dict):
        check_selector(sel, "spec.selector", errs)
        if selector_is_empty(sel):
            errs.append(invalid_go("spec.selector", go_selector(sel), f"empty selector is invalid for {noun}"))
    template = as_dict(spec.get("template"))
    labels = {key_text(k): v for k, v in as_dict(as_dict(template.get("metadata")).get("labels")).items()}
    if sel is not None and not isinstance(sel, dict):
        return  # a decoding error already says what is wrong
    matches = selector_matches(sel, labels)
    if matches is None:
        # LabelSelectorAsSelector failed; each kind words (or skips) it differently
        detail = {"StatefulSet": "", "DaemonSet": None}.get(kind, "invalid label selector")
        if detail is not None:
            errs.append(invalid_go("spec.selector", go_selector(as_dict(sel)), detail))
    # A missing selector selects nothing; an empty one everything (and is skipped).
    elif not matches and (sel is None or not selector_is_empty(sel)):
        errs.append(invalid_go("spec.template.metadata.labels",
                                go_map(as_dict(template.get("metadata")).get("labels")),
                                "`selector` does not match template `labels`"))


def _template(kind: str, template: Any, errs: Errors) -> None:
    t = as_dict(template)
    meta = as_dict(t.get("metadata"))
    # upstream validates template labels at "template.labels", not "template.metadata.labels"
    check_labels(meta.get("labels"), "spec.template.labels", errs)
    check_annotations(meta.get("annotations"), "spec.template.annotations", errs)
    check_pod_spec(t.get("spec"), "spec.template.spec", errs, is_pod=False)
    spec = as_dict(t.get("spec"))
    restart = as_str(spec.get("restartPolicy"))
    if restart and restart != "Always":
        errs.append(FieldError.unsupported("spec.template.spec.restartPolicy", restart, ("Always",)))
    if spec.get("activeDeadlineSeconds") is not None:
        owner = "ReplicaSet" if kind == "Deployment" else kind
        errs.append(FieldError.forbidden("spec.template.spec.activeDeadlineSeconds",
                                         f"activeDeadlineSeconds in {owner} is not Supported"))
