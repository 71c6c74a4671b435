"""Check events against the OpenLineage spec's own JSON schemas, where a folder holds them.

No package ships the spec's JSON files, so atlas-ml carries none: every event is checked
against openlineage-python's models (:mod:`atlas_ml.collect.models`). Where the spec is at
hand it is checked against its files too: ``--spec DIR``, ``$ATLAS_ML_OPENLINEAGE_SPEC``, or
``../shared/openlineage-spec`` beside the current directory or the source checkout (where
developer machines and CI keep read-only material). The folder has the layout of the
OpenLineage repository's ``spec/``: ``OpenLineage.json`` and ``facets/*.json``.

The event is checked against the schema of its kind (RunEvent, DatasetEvent, JobEvent) and
each standard facet it carries against that facet's schema, so the error names the exact
field, e.g. ``run.facets.parent.run.runId``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from atlas_ml.collect.models import SchemaError, event_kind
from atlas_ml.errors import AtlasMLError

__all__ = ["SPEC_ENV", "SchemaError", "Spec", "SpecFolderError", "check_spec", "find_spec"]

SPEC_ENV = "ATLAS_ML_OPENLINEAGE_SPEC"
SHARED_SPEC = Path("..") / "shared" / "openlineage-spec"
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


class SpecFolderError(AtlasMLError, ValueError):
    """The spec folder cannot be used; the message names the file and the fix."""


def find_spec(explicit: Path | None = None, env: Mapping[str, str] | None = None) -> Path | None:
    """The spec folder: ``explicit``, ``$ATLAS_ML_OPENLINEAGE_SPEC``, or the shared folder
    beside the current directory or the source checkout; None when there is none. A folder
    that was named but does not exist is an error, a missing shared one is not."""
    named = explicit or (Path(value) if (value := (env or os.environ).get(SPEC_ENV)) else None)
    if named is not None:
        if not (named / "OpenLineage.json").is_file():
            raise SpecFolderError(
                f"{named} holds no OpenLineage.json: point --spec / {SPEC_ENV} at a copy of "
                "the OpenLineage repository's spec/ folder (OpenLineage.json, facets/*.json)"
            )
        return named.resolve()
    source_root = Path(__file__).resolve().parents[2]
    for candidate in (Path.cwd() / SHARED_SPEC, source_root / SHARED_SPEC):
        if (candidate / "OpenLineage.json").is_file():
            return candidate.resolve()
    return None


@dataclass(frozen=True)
class Spec:
    """The compiled schemas of one spec folder: fastjsonschema's validators (~25x faster
    than jsonschema, which matters at a thousand events a second) and jsonschema's, used only
    to explain a failure."""

    folder: Path
    version: str
    """The core schema's version, e.g. ``2-0-2`` (from its ``$id``)."""
    facet_files: int
    events: dict[str, Callable[[Any], Any]]
    facets: dict[tuple[str, str], Callable[[Any], Any]]
    explain: dict[str, Draft202012Validator]
    explain_facets: dict[tuple[str, str], Draft202012Validator]

    def describe(self) -> str:
        return f"the OpenLineage spec {self.version} in {self.folder} ({self.facet_files} facets)"


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpecFolderError(f"cannot read the spec file {path}: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("$id"), str):
        raise SpecFolderError(f"{path} is not an OpenLineage schema (it has no $id)")
    return document


@cache
def load_spec(folder: Path) -> Spec:
    """Compile the schemas in ``folder`` (once per folder)."""
    core = _read(folder / "OpenLineage.json")
    facet_files = sorted((folder / "facets").glob("*.json"))
    files = [core] + [_read(path) for path in facet_files]
    by_id = {document["$id"]: document for document in files}
    registry: Registry = Registry().with_resources(
        (document["$id"], Resource.from_contents(document)) for document in files
    )

    def resolve(uri: str) -> dict[str, Any]:
        document = by_id.get(uri.split("#")[0])
        if document is None:
            raise SpecFolderError(f"{folder} lacks the schema {uri} that another one refers to")
        return document

    def compiled(document_id: str, definition: str) -> Callable[[Any], Any]:
        # The definition's own document is the root, so its local "#/$defs/..." refs resolve;
        # the spec's remote refs resolve to the folder's files, never to the network.
        root = {key: value for key, value in by_id[document_id].items() if key != "oneOf"}
        root.pop("properties", None)
        root.pop("type", None)
        root["$ref"] = f"#/$defs/{definition}"
        root["$schema"] = "http://json-schema.org/draft-07/schema#"
        try:
            return fastjsonschema.compile(root, handlers={"https": resolve}, formats=_FORMATS)
        except fastjsonschema.JsonSchemaDefinitionException as exc:
            raise SpecFolderError(f"{document_id} in {folder} cannot be compiled: {exc}") from exc

    def explaining(document_id: str, definition: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": f"{document_id}#/$defs/{definition}"},
            registry=registry,
            format_checker=_FORMAT_CHECKER,
        )

    core_id = core["$id"]
    missing = [kind for kind in EVENT_KINDS if kind not in core.get("$defs", {})]
    if missing:
        raise SpecFolderError(f"{folder / 'OpenLineage.json'} defines no {', '.join(missing)}")
    events = {kind: compiled(core_id, kind) for kind in EVENT_KINDS}
    explain = {kind: explaining(core_id, kind) for kind in EVENT_KINDS}
    facets: dict[tuple[str, str], Callable[[Any], Any]] = {}
    explain_facets: dict[tuple[str, str], Draft202012Validator] = {}
    for document in files[1:]:
        for name, prop in (document.get("properties") or {}).items():
            for kind, definition in _facet_definitions(document, prop):
                facets[(kind, name)] = compiled(document["$id"], definition)
                explain_facets[(kind, name)] = explaining(document["$id"], definition)
    version = core_id.rstrip("/").split("/")[-2] if core_id.count("/") > 2 else core_id
    return Spec(folder, version, len(facet_files), events, facets, explain, explain_facets)


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
    target = document.get("$defs", {}).get(definition)
    if not isinstance(target, dict):
        return []
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
            return SchemaError(f"{field} is missing (spec)", field)
    if error is not None:
        field = _path(prefix, error)
        return SchemaError(f"{field}: {error.message} (spec)", field)
    path = [prefix] if prefix else []
    path += [str(p) for p in (fast.path or [])[1:]]
    field = ".".join(path) or "event"
    message = fast.message.removeprefix(str(fast.name or "data")).strip()
    return SchemaError(f"{field}: {message} (spec)", field)


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


def check_spec(event: Any, spec: Spec) -> str:
    """Raise :class:`SchemaError` unless ``event`` is valid by the spec's JSON schemas;
    returns its kind (``RunEvent``, ``DatasetEvent``, ``JobEvent``)."""
    if not isinstance(event, dict):
        raise SchemaError("event: an event must be a JSON object", "event")
    kind = event_kind(event)
    try:
        spec.events[kind](event)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise _fail(exc, spec.explain[kind], event) from None
    for facet_kind, where, facets in _facet_maps(event):
        for name, value in (facets or {}).items() if isinstance(facets, dict) else ():
            check = spec.facets.get((facet_kind, name))
            if check is None:
                continue
            try:
                check(value)
            except fastjsonschema.JsonSchemaValueException as exc:
                explain = spec.explain_facets[(facet_kind, name)]
                raise _fail(exc, explain, value, f"{where}.{name}") from None
    return kind
