"""Canonical JSON (RFC 8785, JCS) for everything custody signs or hashes.

A signature covers bytes, so the statement must serialise to the same bytes wherever it is
built or checked: JCS fixes key order, number formatting and string escaping. JSON numbers
outside what JCS can represent (NaN and infinities in metrics, integers beyond 2**53) are
carried as strings, by :func:`jsonable`, before canonicalisation; the comparison with Atlas
applies the same rule (:func:`comparable`), so both sides agree.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any

import rfc8785

MAX_SAFE_INTEGER = 2**53 - 1


def jsonable(value: Any) -> Any:
    """``value`` with every number JCS cannot encode turned into its text, recursively."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)


def canonical(value: Any) -> bytes:
    """The RFC 8785 bytes of ``value`` (after :func:`jsonable`)."""
    return rfc8785.dumps(jsonable(value))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def comparable(value: Any) -> Any:
    """A value as read back from JSON, normalised so a signed and a current value compare
    equal exactly when JCS would encode them alike (``5`` and ``5.0`` are one number)."""
    value = jsonable(value)
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
        return int(value)
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value
