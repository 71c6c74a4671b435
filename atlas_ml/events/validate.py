"""Check that a JSON document is a usable OpenLineage run event before it is mapped.

Events arrive from files, the JVM listener and (later) an HTTP ingest endpoint, so they are
size-limited and validated for the fields the mapper relies on; a malformed event is rejected
with a message naming the field, never half-mapped.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from atlas_ml.errors import EventError as EventError  # raised here; importable from here

MAX_EVENT_BYTES = 8 * 1024 * 1024
EVENT_TYPES = {"START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"}


def parse_event(raw: bytes | str) -> dict[str, Any]:
    """Parse and validate one event document (at most :data:`MAX_EVENT_BYTES`)."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > MAX_EVENT_BYTES:
        raise EventError(f"event is {size} bytes; the limit is {MAX_EVENT_BYTES}")
    try:
        event: dict[str, Any] = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise EventError(f"event is not JSON: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise EventError("event is not UTF-8 text") from exc
    except RecursionError as exc:
        raise EventError("event nests too deeply to be a run event") from exc
    validate_event(event)
    return event


def _require(container: Any, key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(container, dict) or key not in container:
        raise EventError(f"{where}.{key} is missing")
    value = container[key]
    if not isinstance(value, kind):
        raise EventError(f"{where}.{key} must be {getattr(kind, '__name__', kind)}")
    return value


def validate_event(event: Any) -> None:
    """Raise :class:`EventError` unless ``event`` has what a RunEvent (or an OpenLineage
    DatasetEvent or JobEvent) must have."""
    if not isinstance(event, dict):
        raise EventError("event must be a JSON object")
    event_time = _require(event, "eventTime", "event", str)
    try:
        datetime.fromisoformat(event_time.replace("Z", "+00:00"))
    except ValueError as exc:
        raise EventError(
            f"event.eventTime {event_time!r} is not an ISO 8601 time (2026-01-31T12:00:00Z)"
        ) from exc
    _require(event, "producer", "event", str)
    if "run" not in event and ("dataset" in event or "job" in event):
        _validate_static_event(event)
        return
    event_type = event.get("eventType", "OTHER")
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        raise EventError(f"event.eventType {event_type!r} is not one of {sorted(EVENT_TYPES)}")
    run = _require(event, "run", "event", dict)
    run_id = _require(run, "runId", "event.run", str)
    try:
        uuid.UUID(run_id)
    except ValueError as exc:
        raise EventError(f"event.run.runId {run_id!r} is not a UUID") from exc
    job = _require(event, "job", "event", dict)
    _require(job, "namespace", "event.job", str)
    _require(job, "name", "event.job", str)
    _require_facets(run, "event.run", "facets")
    _require_facets(job, "event.job", "facets")
    _require_datasets(event)


def _validate_static_event(event: dict[str, Any]) -> None:
    """An OpenLineage DatasetEvent (a dataset's metadata) or JobEvent (a job's declared
    lineage, no run), as producers other than atlas-ml may send."""
    if "dataset" in event:
        _require(event, "dataset", "event", dict)
        _require(event["dataset"], "namespace", "event.dataset", str)
        _require(event["dataset"], "name", "event.dataset", str)
        _require_facets(event["dataset"], "event.dataset", "facets")
        return
    job = _require(event, "job", "event", dict)
    _require(job, "namespace", "event.job", str)
    _require(job, "name", "event.job", str)
    _require_facets(job, "event.job", "facets")
    _require_datasets(event)


def _require_datasets(event: dict[str, Any]) -> None:
    for side in ("inputs", "outputs"):
        datasets = event.get(side, [])
        if not isinstance(datasets, list):
            raise EventError(f"event.{side} must be a list")
        for index, dataset in enumerate(datasets):
            where = f"event.{side}[{index}]"
            _require(dataset, "namespace", where, str)
            _require(dataset, "name", where, str)
            for key in ("facets", "inputFacets", "outputFacets"):
                _require_facets(dataset, where, key)


def _require_facets(container: dict[str, Any], where: str, key: str) -> None:
    """``container[key]``, when present, maps facet names to objects."""
    facets = container.get(key)
    if facets is None:
        return
    if not isinstance(facets, dict):
        raise EventError(f"{where}.{key} must be an object")
    for name, value in facets.items():
        if not isinstance(value, dict):
            raise EventError(f"{where}.{key}.{name} must be an object")
