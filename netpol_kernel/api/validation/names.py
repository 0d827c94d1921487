"""apimachinery's string formats: DNS names, qualified names, label values, port names.

Each ``is_*`` function returns upstream's messages for one value (empty when it
is valid), worded as k8s.io/apimachinery/pkg/util/validation words them, regex
included; the rule modules turn them into FieldErrors at a path.
"""
from __future__ import annotations

import re


# ---------------------------------------------------------------------------
# apimachinery's string formats (k8s.io/apimachinery/pkg/util/validation)
# ---------------------------------------------------------------------------
_DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = _DNS1123_LABEL + r"(\." + _DNS1123_LABEL + ")*"
_DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?"
_QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE = "(" + _QUALIFIED_NAME + ")?"
_CONFIG_KEY = "[-._a-zA-Z0-9]+"
_QNAME_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', "
              "and must start and end with an alphanumeric character")

PORT_RANGE = "must be between 1 and 65535, inclusive"
NEGATIVE = "must be greater than or equal to 0"
PROTOCOLS = ("SCTP", "TCP", "UDP")  # sets.List order, as core validation prints them


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    # Go's RegexError; the double space before "or" is upstream's.
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    eg = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {eg}regex used for validation is '{fmt}')"


def _max_len(n: int) -> str:
    return f"must be no more than {n} characters"


def _full(fmt: str, value: str) -> bool:
    return re.fullmatch(fmt, value) is not None


# Fast paths: each ``is_*`` below first asks one precompiled pattern whether the
# value is plainly valid (the usual case) and then returns at once; the code
# after that, which words the messages, only runs for a value that is not.
_plain_dns_label = re.compile(_DNS1123_LABEL).fullmatch
_plain_subdomain = re.compile(_DNS1123_SUBDOMAIN).fullmatch
_plain_qualified_name = re.compile(_QUALIFIED_NAME).fullmatch  # without a prefix: no '/'
_plain_label_value = re.compile(_LABEL_VALUE).fullmatch
# IANA_SVC_NAME in one pattern: a letter somewhere, hyphens only singly and inside.
_plain_port_name = re.compile("(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*").fullmatch


def is_dns1123_label(value: str) -> list[str]:
    if len(value) <= 63 and _plain_dns_label(value):
        return []
    errs = [_max_len(63)] if len(value) > 63 else []
    if not _full(_DNS1123_LABEL, value):
        if _full(_DNS1123_SUBDOMAIN, value):
            errs.append("must not contain dots")
        else:
            errs.append(_regex_error("a lowercase RFC 1123 label must consist of lower case alphanumeric "
                                     "characters or '-', and must start and end with an alphanumeric character",
                                     _DNS1123_LABEL, "my-name", "123-abc"))
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    if len(value) <= 253 and _plain_subdomain(value):
        return []
    errs = [_max_len(253)] if len(value) > 253 else []
    if not _full(_DNS1123_SUBDOMAIN, value):
        errs.append(_regex_error("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                                 "characters, '-' or '.', and must start and end with an alphanumeric character",
                                 _DNS1123_SUBDOMAIN, "example.com"))
    return errs


def is_dns1035_label(value: str) -> list[str]:
    errs = [_max_len(63)] if len(value) > 63 else []
    if not _full(_DNS1035_LABEL, value):
        errs.append(_regex_error("a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                                 "start with an alphabetic character, and end with an alphanumeric character",
                                 _DNS1035_LABEL, "my-name", "abc-123"))
    return errs


def is_qualified_name(value: str) -> list[str]:
    if len(value) <= 63 and _plain_qualified_name(value):
        return []
    parts = value.split("/")
    if len(parts) > 2:
        return ["a qualified name " + _regex_error(_QNAME_MSG, _QUALIFIED_NAME, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    errs: list[str] = []
    name = parts[-1]
    if len(parts) == 2:
        if not parts[0]:
            errs.append("prefix part must be non-empty")
        else:
            errs += ["prefix part " + m for m in is_dns1123_subdomain(parts[0])]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + _max_len(63))
    if not _full(_QUALIFIED_NAME, name):
        errs.append("name part " + _regex_error(_QNAME_MSG, _QUALIFIED_NAME, "MyName", "my.name", "123-abc"))
    return errs


def is_label_value(value: str) -> list[str]:
    if len(value) <= 63 and _plain_label_value(value):
        return []
    errs = [_max_len(63)] if len(value) > 63 else []
    if not _full(_LABEL_VALUE, value):
        errs.append(_regex_error("a valid label must be an empty string or consist of alphanumeric characters, "
                                 "'-', '_' or '.', and must start and end with an alphanumeric character",
                                 _LABEL_VALUE, "MyValue", "my_value", "12345"))
    return errs


def is_port_name(value: str) -> list[str]:
    """IANA_SVC_NAME: what a named port (container, policy, probe) must be."""
    if len(value) <= 15 and _plain_port_name(value):
        return []
    errs = [_max_len(15)] if len(value) > 15 else []
    if not _full("[-a-z0-9]+", value):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", value):
        errs.append("must contain at least one letter (a-z)")
    if "--" in value:
        errs.append("must not contain consecutive hyphens")
    if value.startswith("-") or value.endswith("-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def is_config_map_key(value: str) -> list[str]:
    errs = [_max_len(253)] if len(value) > 253 else []
    if not _full(_CONFIG_KEY, value):
        errs.append(_regex_error("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                                 _CONFIG_KEY, "key.name", "KEY_NAME", "key-name"))
    if value == ".":
        errs.append("must not be '.'")
    elif value == "..":
        errs.append("must not be '..'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return errs


def port_num_errors(value: int) -> list[str]:
    return [] if 1 <= value <= 65535 else [PORT_RANGE]


def is_path_segment_name(value: str) -> list[str]:
    """apimachinery pkg/api/validation/path, IsValidPathSegmentName (RBAC object names).

    >>> is_path_segment_name("system:viewer"), is_path_segment_name(".."), is_path_segment_name("a/b%")
    ([], ["may not be '..'"], ["may not contain '/'", "may not contain '%'"])
    """
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in value]
