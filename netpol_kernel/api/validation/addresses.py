"""IP addresses and CIDRs, parsed as the API server parses them.

k8s.io/utils/net is "sloppy": IPv4 octets may carry leading zeros and a CIDR
may have host bits set; Python's :mod:`ipaddress` is stricter, so the text is
normalised first.
"""
from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any

from ...errors import FieldError
from .fields import Errors


# IPs and CIDRs are parsed "sloppily" like k8s.io/utils/net: IPv4 octets may
# carry leading zeros, host bits may be set in a CIDR.
_V4 = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})")


@functools.lru_cache(maxsize=4096)  # the same address often comes twice (podIP, podIPs); immutable
def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    m = _V4.fullmatch(text)
    if m:
        a, b, c, d = map(int, m.groups())
        if max(a, b, c, d) > 255:
            return None
        return ipaddress.IPv4Address(a << 24 | b << 16 | c << 8 | d)  # from the int: no second parse
    if "%" in text or ":" not in text:  # zones are not IPs to Go's ParseIP
        return None
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        return None


@functools.lru_cache(maxsize=1024)  # policies repeat the same few CIDRs
def parse_cidr(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    ip_text, slash, bits = text.partition("/")
    ip = _parse_ip(ip_text)
    if ip is None or not slash or not bits.isascii() or not bits.isdigit() or int(bits) > ip.max_prefixlen:
        return None
    return ipaddress.ip_network(f"{ip}/{int(bits)}", strict=False)


def check_ip(value: Any, path: str, errs: Errors) -> None:
    if isinstance(value, str) and _parse_ip(value) is None:
        errs.append(FieldError.invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
