"""What the collector and ``atlas-ml ingest`` accept: size-limited, valid OpenLineage events.

One function per step so the HTTP endpoint and file ingest apply the same rules: decode the
body (gzip as the OpenLineage client sends it with ``compression: gzip``), parse JSON, check
each event against the official OpenLineage schema and against what atlas-ml's mapper needs.
Every error names the field; none includes the body, which may hold anything.

The official schema is openlineage-python's models (:mod:`~atlas_ml.collect.models`), and the
spec's own JSON files too when a folder holds them (:mod:`~atlas_ml.collect.schema`):
:class:`Rules` says which, :func:`load_rules` finds them.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atlas_ml.collect.models import SchemaError, check_models, models
from atlas_ml.errors import AtlasMLError
from atlas_ml.events import EventError, validate_event

if TYPE_CHECKING:
    from atlas_ml.collect.schema import Spec

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


@dataclass(frozen=True)
class Rules:
    """What events are checked against: the OpenLineage models always, and the spec's JSON
    schemas when a folder of them was found (``spec``)."""

    spec: Spec | None = None

    def describe(self) -> str:
        """For the user: ``openlineage-python 1.54.0's models [and the spec in ...]``."""
        checked = f"openlineage-python {models().version}'s models"
        return f"{checked} and {self.spec.describe()}" if self.spec else checked


def load_rules(spec: Path | None = None, *, find: bool = True) -> Rules:
    """The rules with the spec folder ``spec``, or (``find``) the one
    :func:`~atlas_ml.collect.schema.find_spec` finds; compiled now, so a broken folder is an
    error before the first event (:class:`~atlas_ml.collect.schema.SpecFolderError`)."""
    models()
    if spec is None and not find:
        return Rules()
    from atlas_ml.collect.schema import find_spec, load_spec

    folder = find_spec(spec)
    return Rules(load_spec(folder) if folder is not None else None)


def check_event(event: Any, rules: Rules | None = None) -> dict[str, Any]:
    """``event`` if it is a valid OpenLineage event that atlas-ml can map, else
    :class:`InvalidEvent` naming the field. ``rules`` None: the models only."""
    try:
        check_models(event)
        if rules is not None and rules.spec is not None:
            from atlas_ml.collect.schema import check_spec

            check_spec(event, rules.spec)
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
