"""Validate events against the official OpenLineage JSON schema (spec 2-0-2 and its facets).

No package ships the spec's JSON files (openlineage-python has generated classes only, the
openlineage-java jar none), so they are vendored in ``spec/`` from the OpenLineage repository
under its Apache-2.0 licence (``spec/LICENSE``). The event is checked against the schema of
its kind (RunEvent, DatasetEvent, JobEvent) and each standard facet it carries against that
facet's schema, so the error names the exact field, e.g. ``run.facets.parent.run.runId``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from atlas_ml.events import EventError

CORE_ID = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
EVENT_KINDS = ("RunEvent", "DatasetEvent", "JobEvent")
_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# Formats are annotations in JSON Schema 2020-12; the collector asserts the two the mapping
# relies on (runIds name runs, eventTimes date them) and no other: real producers send
# "uri" values that are not URIs (openlineage-spark's dataSource uri "file").
_FORMATS: dict[str, Any] = {"uuid": _UUID, "uri": lambda _: True, "uri-reference": lambda _: True}
_FORMAT_CHECKER = FormatChecker(formats=("uuid",))  # date-time: the compiled check
# The base facet each facet schema extends -> the facet maps of an event it may appear in.
_FACET_KINDS = {
    "RunFacet": "run",
    "JobFacet": "job",
    "DatasetFacet": "dataset",
    "InputDatasetFacet": "input",
    "OutputDatasetFacet": "output",
}


class SchemaError(EventError):
    """The event breaks the OpenLineage schema; ``field`` is the dotted path of the culprit."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def event_kind(event: dict[str, Any]) -> str:
    """``RunEvent``, ``DatasetEvent`` or ``JobEvent``, as the spec tells them apart."""
    if "run" in event:
        return "RunEvent"
    if "dataset" in event:
        return "DatasetEvent"
    return "JobEvent"


@dataclass(frozen=True)
class _Schemas:
    """Compiled validators (fastjsonschema: ~25x faster than jsonschema, which matters at a
    thousand events a second) and jsonschema's, used only to explain a failure."""

    events: dict[str, Callable[[Any], Any]]
    facets: dict[tuple[str, str], Callable[[Any], Any]]
    explain: dict[str, Draft202012Validator]
    explain_facets: dict[tuple[str, str], Draft202012Validator]


def _spec_files() -> list[dict[str, Any]]:
    root = resources.files("atlas_ml.collect") / "spec"
    files = [json.loads((root / "OpenLineage.json").read_text(encoding="utf-8"))]
    for entry in sorted((root / "facets").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            files.append(json.loads(entry.read_text(encoding="utf-8")))
    return files


@cache
def _schemas() -> _Schemas:
    files = _spec_files()
    by_id = {document["$id"]: document for document in files}
    registry: Registry = Registry().with_resources(
        (document["$id"], Resource.from_contents(document)) for document in files
    )

    def compiled(document_id: str, definition: str) -> Callable[[Any], Any]:
        # The definition's own document is the root, so its local "#/$defs/..." refs resolve;
        # the spec's remote refs resolve to the vendored files, never to the network.
        root = {key: value for key, value in by_id[document_id].items() if key != "oneOf"}
        root.pop("properties", None)
        root.pop("type", None)
        root["$ref"] = f"#/$defs/{definition}"
        root["$schema"] = "http://json-schema.org/draft-07/schema#"
        return fastjsonschema.compile(
            root,
            handlers={"https": lambda uri: by_id[uri.split("#")[0]]},
            formats=_FORMATS,
        )

    def explaining(document_id: str, definition: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": f"{document_id}#/$defs/{definition}"},
            registry=registry,
            format_checker=_FORMAT_CHECKER,
        )

    events = {kind: compiled(CORE_ID, kind) for kind in EVENT_KINDS}
    explain = {kind: explaining(CORE_ID, kind) for kind in EVENT_KINDS}
    facets: dict[tuple[str, str], Callable[[Any], Any]] = {}
    explain_facets: dict[tuple[str, str], Draft202012Validator] = {}
    for document in files[1:]:
        for name, prop in (document.get("properties") or {}).items():
            for kind, definition in _facet_definitions(document, prop):
                facets[(kind, name)] = compiled(document["$id"], definition)
                explain_facets[(kind, name)] = explaining(document["$id"], definition)
    return _Schemas(events, facets, explain, explain_facets)


def _facet_definitions(document: dict[str, Any], schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, definition) pairs a facet schema defines under one name: one for most facets,
    one per alternative for a ``oneOf``/``anyOf`` such as ``subset`` (input or output)."""
    for alternatives in (schema.get("oneOf"), schema.get("anyOf")):
        if alternatives:
            found: list[tuple[str, str]] = []
            for alternative in alternatives:
                found += _facet_definitions(document, alternative)
            return found
    if "$ref" not in schema:
        return []
    definition = schema["$ref"].removeprefix("#/$defs/")
    target = document["$defs"][definition]
    if "allOf" not in target:
        return _facet_definitions(document, target) if "$ref" not in target else []
    for part in target["allOf"]:
        kind = _FACET_KINDS.get(str(part.get("$ref", "")).rsplit("/", 1)[-1])
        if kind is not None:
            return [(kind, definition)]
    return []


def _path(prefix: str, error: ValidationError) -> str:
    parts = [prefix] if prefix else []
    parts += [f"[{p}]" if isinstance(p, int) else str(p) for p in error.absolute_path]
    return ".".join(parts).replace(".[", "[") or "event"


def _fail(
    fast: fastjsonschema.JsonSchemaValueException,
    explain: Draft202012Validator,
    value: Any,
    prefix: str = "",
) -> SchemaError:
    """The error to report: jsonschema's best match names the deepest failing field (the
    compiled validator stops at the ``anyOf`` of a facet map); the compiled validator's
    message when jsonschema finds nothing (a format it does not check, such as ``uri``)."""
    error = best_match(explain.iter_errors(value))
    if error is not None and error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        if missing:
            parent = _path(prefix, error)
            field = missing[0] if parent == "event" else f"{parent}.{missing[0]}"
            return SchemaError(f"{field} is missing", field)
    if error is not None:
        field = _path(prefix, error)
        return SchemaError(f"{field}: {error.message}", field)
    path = [prefix] if prefix else []
    path += [str(p) for p in (fast.path or [])[1:]]
    field = ".".join(path) or "event"
    message = fast.message.removeprefix(str(fast.name or "data")).strip()
    return SchemaError(f"{field}: {message}", field)


def _facet_maps(event: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(kind, dotted path, facet map) of every facet map in the event."""
    maps: list[tuple[str, str, Any]] = []
    if isinstance(event.get("run"), dict):
        maps.append(("run", "run.facets", event["run"].get("facets")))
    if isinstance(event.get("job"), dict):
        maps.append(("job", "job.facets", event["job"].get("facets")))
    if isinstance(event.get("dataset"), dict):
        maps.append(("dataset", "dataset.facets", event["dataset"].get("facets")))
    for side, extra in (("inputs", "input"), ("outputs", "output")):
        for index, dataset in enumerate(event.get(side) or []):
            if isinstance(dataset, dict):
                where = f"{side}[{index}]"
                maps.append(("dataset", f"{where}.facets", dataset.get("facets")))
                maps.append((extra, f"{where}.{extra}Facets", dataset.get(f"{extra}Facets")))
    return maps


def validate_openlineage(event: Any) -> str:
    """Raise :class:`SchemaError` unless ``event`` is a valid OpenLineage event; returns its
    kind (``RunEvent``, ``DatasetEvent``, ``JobEvent``)."""
    if not isinstance(event, dict):
        raise SchemaError("event: an event must be a JSON object", "event")
    schemas = _schemas()
    kind = event_kind(event)
    try:
        schemas.events[kind](event)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise _fail(exc, schemas.explain[kind], event) from None
    for facet_kind, where, facets in _facet_maps(event):
        for name, value in (facets or {}).items():
            check = schemas.facets.get((facet_kind, name))
            if check is None:
                continue
            try:
                check(value)
            except fastjsonschema.JsonSchemaValueException as exc:
                explain = schemas.explain_facets[(facet_kind, name)]
                raise _fail(exc, explain, value, f"{where}.{name}") from None
    return kind
