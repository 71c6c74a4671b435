"""What the collector and ``atlas-ml ingest`` accept: size-limited, valid OpenLineage events.

One function per step so the HTTP endpoint and file ingest apply the same rules: decode the
body (gzip as the OpenLineage client sends it with ``compression: gzip``), parse JSON, check
each event against the official OpenLineage schema and against what atlas-ml's mapper needs.
Every error names the field; none includes the body, which may hold anything.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from typing import Any

from atlas_ml.collect.schema import SchemaError, validate_openlineage
from atlas_ml.errors import AtlasMLError
from atlas_ml.events import EventError, validate_event

DEFAULT_MAX_BODY = 1024 * 1024
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2}
_UNITS.update({"mib": 1024**2, "g": 1000**3, "gb": 1000**3, "gib": 1024**3})
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")


class BodyTooLarge(AtlasMLError, ValueError):
    """The body (or what it decompresses to) is over the collector's limit."""


class InvalidEvent(EventError):
    """An event the collector refuses; ``field`` names the culprit (``event`` for the whole)."""

    def __init__(self, message: str, field: str = "event") -> None:
        super().__init__(message)
        self.field = field


def parse_size(text: str) -> int:
    """``1MiB``, ``512KiB``, ``2MB``, ``1048576`` -> bytes."""
    match = _SIZE.fullmatch(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(f"{text!r} is not a size such as 1MiB, 512KiB or 1048576")
    return int(float(match.group(1)) * _UNITS[unit])


def decode_body(body: bytes, encoding: str | None, limit: int) -> bytes:
    """The request body as sent before compression, at most ``limit`` bytes."""
    coding = (encoding or "identity").strip().lower()
    if coding in ("", "identity"):
        if len(body) > limit:
            raise BodyTooLarge(f"the body is {len(body)} bytes; the limit is {limit}")
        return body
    if coding not in ("gzip", "x-gzip"):
        raise ValueError(f"Content-Encoding {coding!r} is not supported (use gzip or none)")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise InvalidEvent(f"the body is not valid gzip: {exc}") from exc
    if len(data) > limit or inflater.unconsumed_tail:
        raise BodyTooLarge(f"the body decompresses to more than the limit of {limit} bytes")
    return data


def parse_json(data: bytes, what: str = "the body") -> Any:
    """The JSON document in ``data``; ``what`` names it in errors (the body, the line)."""
    try:
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise InvalidEvent(f"{what} is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise InvalidEvent(
            f"{what} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    except RecursionError as exc:
        raise InvalidEvent(f"{what} nests too deeply to be an event") from exc


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


def check_event(event: Any) -> dict[str, Any]:
    """``event`` if it is a valid OpenLineage event that atlas-ml can map, else
    :class:`InvalidEvent` naming the field."""
    try:
        validate_openlineage(event)
    except SchemaError as exc:
        raise InvalidEvent(_short(str(exc)), exc.field) from None
    try:
        validate_event(event)  # what the mapper relies on, so push never sets it aside
    except EventError as exc:
        message = str(exc)
        field = message.split(" ", 1)[0].removeprefix("event.") or "event"
        raise InvalidEvent(_short(message), field) from None
    return event


@dataclass(frozen=True)
class Refusal:
    """An event of a batch that was refused: its position and why."""

    index: int
    field: str
    reason: str
