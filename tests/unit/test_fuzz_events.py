"""Fuzzing the event path: any bytes, any JSON, any one-field mutation of a real event.

Events reach atlas-ml from files, the JVM listener and the network, so parsing and mapping
must turn every malformed one into an :class:`EventError` that names the field, never into
another exception that would stop ``push`` or crash a collector.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fuzzing import JSON, mutations, names_a_field
from hypothesis import given
from hypothesis import strategies as st

from atlas_ml.errors import AtlasMLError
from atlas_ml.events import EventError, parse_event, validate_event
from atlas_ml.events.facets import DATASET_VERSION, TRANSFORM, facet
from atlas_ml.mapping import map_event

pytestmark = [pytest.mark.unit, pytest.mark.fuzz]


def _valid_event() -> dict[str, Any]:
    version = facet(
        DATASET_VERSION,
        manifestRootHash="sha256:" + "ab" * 32,
        contentHash="cd" * 16,
        rowCount=3,
        schema=[{"name": "x", "type": "int64"}],
        uri="file:/d/x.csv",
    )
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-25T10:00:00.000Z",
        "producer": "fuzz",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {
            "runId": str(uuid.UUID(int=7)),
            "facets": {TRANSFORM: facet(TRANSFORM, pipeline="p", stepKind="CLEAN")},
        },
        "job": {"namespace": "atlas-ml", "name": "p.clean", "facets": {}},
        "inputs": [{"namespace": "file", "name": "/d/x.csv", "facets": {DATASET_VERSION: version}}],
        "outputs": [],
    }


@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_parse_to_an_event_or_an_event_error(raw: bytes) -> None:
    try:
        event = parse_event(raw)
    except EventError as exc:
        assert str(exc)
        return
    assert isinstance(event, dict)


@given(JSON)
def test_any_json_validates_or_is_refused_with_an_event_error(document: Any) -> None:
    try:
        validate_event(document)
    except EventError as exc:
        assert str(exc).startswith("event")
        return
    map_event(document, "primary")


def _outside_facets(mutated: tuple[Any, tuple[Any, ...]]) -> bool:
    return "facets" not in mutated[1][:-1]


@given(mutations(_valid_event()).filter(_outside_facets))
def test_a_mutated_event_is_refused_naming_the_field_or_maps_cleanly(
    mutated: tuple[Any, tuple[Any, ...]],
) -> None:
    event, path = mutated
    raw = json.dumps(event)
    try:
        parsed = parse_event(raw)
    except EventError as exc:
        assert names_a_field(str(exc), path), (str(exc), path)
        return
    try:
        map_event(parsed, "primary")
    except AtlasMLError as exc:
        assert names_a_field(str(exc), path), (str(exc), path)
