"""Label selectors written as text: what ``kubectl get -l`` and ``label -l`` accept.

The grammar is apimachinery's ``labels.Parse`` (pkg/labels/selector.go): ``a=b``,
``a==b``, ``a!=b``, ``a in (x,y)``, ``a notin (x)``, ``a``, ``!a``, ANDed by commas.
"""
from __future__ import annotations

import re

from ..errors import NetpolError
from .objects import LabelSelector, Labels, Requirement

__all__ = ["SelectorError", "parse_selector"]


class SelectorError(NetpolError, ValueError):
    pass


_REQ = re.compile(r"^\s*(!)?\s*([A-Za-z0-9][-A-Za-z0-9_./]*)\s*(?:(==|=|!=)\s*([-A-Za-z0-9_.]*)|"
                  r"\s+(in|notin)\s*\(([^)]*)\))?\s*$")


def parse_selector(text: str) -> LabelSelector:
    """A kubectl ``-l`` selector: ``a=b``, ``a==b``, ``a!=b``, ``a in (x,y)``, ``a notin (x)``,
    ``a``, ``!a``; commas AND them.

    >>> str(parse_selector("app in (a,b),!tier,env!=dev"))
    'app in (a,b),env notin (dev),!tier'
    """
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    reqs = []
    for part in parts:
        if not part.strip():
            continue
        m = _REQ.match(part)
        if not m or (m.group(1) and (m.group(3) or m.group(5))):
            raise SelectorError(f"error: unable to parse requirement: {part.strip()!r}")
        neg, key, op, val, setop, vals = m.groups()
        if op:
            reqs.append(Requirement(key, "NotIn" if op == "!=" else "In", frozenset({val})))
        elif setop:
            values = frozenset(v.strip() for v in vals.split(",") if v.strip())
            reqs.append(Requirement(key, "In" if setop == "in" else "NotIn", values))
        else:
            reqs.append(Requirement(key, "DoesNotExist" if neg else "Exists"))
    return LabelSelector(Labels(), tuple(reqs))
