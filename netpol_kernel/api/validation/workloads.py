"""apps/v1 workloads: Deployment, ReplicaSet, StatefulSet, DaemonSet.

Their own fields, the selector and its agreement with the template's labels,
and the pod template (checked by :func:`.pods._pod_spec`).
"""
from __future__ import annotations

from typing import Any, Callable

from ...errors import FieldError
from .fields import Errors, _d, _go_map, _go_selector, _i, _invalid_go, _key, _s
from .meta import _annotations, _labels, _meta, _nonneg, _selector, _selector_is_empty, _selector_matches
from .names import is_dns1123_label, is_dns1123_subdomain
from .pods import _pod_spec


# ---------------------------------------------------------------------------
# apps/v1 workloads
# ---------------------------------------------------------------------------
def _workload(kind: str) -> Callable[[dict, Errors], None]:
    name_fn = is_dns1123_label if kind == "StatefulSet" else is_dns1123_subdomain

    def run(obj: dict, errs: Errors) -> None:
        _meta(obj, errs, name_fn)
        spec = _d(obj.get("spec"))
        for f in ("replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"):
            _nonneg(spec.get(f), f"spec.{f}", errs)
        deadline, ready = _i(spec.get("progressDeadlineSeconds")), _i(spec.get("minReadySeconds")) or 0
        if deadline is not None and deadline <= ready:
            errs.append(FieldError.invalid("spec.progressDeadlineSeconds", deadline,
                                           "must be greater than minReadySeconds"))
        if kind == "StatefulSet":
            pmp = _s(spec.get("podManagementPolicy"))
            if pmp and pmp not in ("OrderedReady", "Parallel"):
                errs.append(FieldError.invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"))
        _workload_selector(kind, spec, errs)
        _template(kind, spec.get("template"), errs)

    return run


def _workload_selector(kind: str, spec: dict, errs: Errors) -> None:
    sel = spec.get("selector")
    noun = {"StatefulSet": "statefulset", "DaemonSet": "daemonset"}.get(kind, "deployment")
    if sel is None and kind != "DaemonSet":
        errs.append(FieldError.required("spec.selector"))
    elif isinstance(sel, dict):
        _selector(sel, "spec.selector", errs)
        if _selector_is_empty(sel):
            errs.append(_invalid_go("spec.selector", _go_selector(sel), f"empty selector is invalid for {noun}"))
    template = _d(spec.get("template"))
    labels = {_key(k): v for k, v in _d(_d(template.get("metadata")).get("labels")).items()}
    if sel is not None and not isinstance(sel, dict):
        return  # a decoding error already says what is wrong
    matches = _selector_matches(sel, labels)
    if matches is None:
        # LabelSelectorAsSelector failed; each kind words (or skips) it differently
        detail = {"StatefulSet": "", "DaemonSet": None}.get(kind, "invalid label selector")
        if detail is not None:
            errs.append(_invalid_go("spec.selector", _go_selector(_d(sel)), detail))
    # A missing selector selects nothing; an empty one everything (and is skipped).
    elif not matches and (sel is None or not _selector_is_empty(sel)):
        errs.append(_invalid_go("spec.template.metadata.labels",
                                _go_map(_d(template.get("metadata")).get("labels")),
                                "`selector` does not match template `labels`"))


def _template(kind: str, template: Any, errs: Errors) -> None:
    t = _d(template)
    meta = _d(t.get("metadata"))
    # upstream validates template labels at "template.labels", not "template.metadata.labels"
    _labels(meta.get("labels"), "spec.template.labels", errs)
    _annotations(meta.get("annotations"), "spec.template.annotations", errs)
    _pod_spec(t.get("spec"), "spec.template.spec", errs, is_pod=False)
    spec = _d(t.get("spec"))
    restart = _s(spec.get("restartPolicy"))
    if restart and restart != "Always":
        errs.append(FieldError.unsupported("spec.template.spec.restartPolicy", restart, ("Always",)))
    if spec.get("activeDeadlineSeconds") is not None:
        owner = "ReplicaSet" if kind == "Deployment" else kind
        errs.append(FieldError.forbidden("spec.template.spec.activeDeadlineSeconds",
                                         f"activeDeadlineSeconds in {owner} is not Supported"))
