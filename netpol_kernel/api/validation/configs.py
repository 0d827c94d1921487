"""v1 Secret and ConfigMap: their keys, base64 data and size limits."""
from __future__ import annotations

import base64
import binascii
from typing import Any

from ...errors import FieldError
from .fields import Errors, as_dict, key_text
from .meta import check_meta
from .names import is_config_map_key, is_dns1123_subdomain


# ---------------------------------------------------------------------------
# v1 Secret, ConfigMap
# ---------------------------------------------------------------------------
def _b64_error(value: str) -> str | None:
    """Go's base64.StdEncoding verdict on []byte JSON, as its error text."""
    clean = value.replace("\r", "").replace("\n", "")
    for i, ch in enumerate(clean):
        if not (ch.isascii() and (ch.isalnum() or ch in "+/=")):
            return f"illegal base64 data at input byte {i}"
    try:
        base64.b64decode(clean, validate=True)
    except (binascii.Error, ValueError):
        # Go stops at the first misplaced '=' or at the incomplete last quantum.
        pad = clean.find("=")
        return f"illegal base64 data at input byte {pad if pad >= 0 else len(clean) - len(clean) % 4}"
    return None


def _config_keys(data: Any, path: str, errs: Errors) -> None:
    for k in as_dict(data):
        errs += [FieldError.invalid(f"{path}[{key_text(k)}]", key_text(k), m) for m in is_config_map_key(key_text(k))]


def check_secret(obj: dict, errs: Errors) -> None:
    check_meta(obj, errs, is_dns1123_subdomain)
    data, string_data = as_dict(obj.get("data")), as_dict(obj.get("stringData"))
    _config_keys({**data, **string_data}, "data", errs)
    size = 0
    for k, v in data.items():
        if isinstance(v, str):
            problem = _b64_error(v)
            if problem:
                errs.append(FieldError.invalid(f"data[{key_text(k)}]", v, problem))
            size += len(v) * 3 // 4
    size += sum(len(v.encode()) for v in string_data.values() if isinstance(v, str))
    if size > 1024 * 1024:
        errs.append(FieldError.too_long("data", "", 1024 * 1024))


def check_config_map(obj: dict, errs: Errors) -> None:
    check_meta(obj, errs, is_dns1123_subdomain)
    data, binary = as_dict(obj.get("data")), as_dict(obj.get("binaryData"))
    _config_keys(data, "data", errs)
    _config_keys(binary, "binaryData", errs)
    for k, v in binary.items():
        problem = _b64_error(v) if isinstance(v, str) else None
        if problem:
            errs.append(FieldError.invalid(f"binaryData[{key_text(k)}]", v, problem))
        if k in data:
            errs.append(FieldError.invalid(f"data[{key_text(k)}]", key_text(k), "duplicate of key present in binaryData"))
