"""The collector's intake rules (sizes, gzip, the official schema) and file ingest."""

from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from atlas_ml.collect.ingest import ingest
from atlas_ml.collect.intake import (
    BodyTooLarge,
    InvalidEvent,
    check_event,
    decode_body,
    parse_size,
)
from atlas_ml.delivery import Spool

pytestmark = pytest.mark.unit

PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.53.0/integration/spark"


def _event(**overrides: Any) -> dict[str, Any]:
    event = {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-25T10:00:00.123Z",
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "n", "name": "j"},
    }
    event.update(overrides)
    return event


@pytest.mark.parametrize(
    ("text", "size"), [("1MiB", 1048576), ("512KiB", 524288), ("2MB", 2_000_000), ("100", 100)]
)
def test_sizes_read_as_people_write_them(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_a_size_that_is_not_one_is_named() -> None:
    with pytest.raises(ValueError, match="'lots' is not a size"):
        parse_size("lots")


def test_gzip_bodies_are_bounded_after_decompression() -> None:
    body = json.dumps(_event()).encode()
    assert decode_body(gzip.compress(body), "gzip", 10_000) == body
    with pytest.raises(BodyTooLarge):
        decode_body(gzip.compress(b" " * 20_000), "gzip", 10_000)
    with pytest.raises(InvalidEvent, match="not valid gzip"):
        decode_body(b"not gzip", "gzip", 10_000)
    with pytest.raises(ValueError, match="'br' is not supported"):
        decode_body(body, "br", 10_000)


def test_real_producers_facets_pass_and_a_broken_standard_facet_is_named() -> None:
    # openlineage-spark sends dataSource uri "file", not a URI: format "uri" is not asserted
    data_source = {"_producer": PRODUCER, "_schemaURL": "s", "name": "file", "uri": "file"}
    event = _event(
        inputs=[{"namespace": "file", "name": "/d", "facets": {"dataSource": data_source}}]
    )
    assert check_event(event) is event
    schema = {"_producer": PRODUCER, "_schemaURL": "s", "fields": [{"type": "int"}]}
    event = _event(outputs=[{"namespace": "file", "name": "/o", "facets": {"schema": schema}}])
    with pytest.raises(InvalidEvent) as refused:
        check_event(event)
    assert refused.value.field == "outputs[0].facets.schema.fields[0].name"


def test_events_the_schema_allows_but_atlas_ml_cannot_map_are_refused_too() -> None:
    # a date-time the schema checks; a job name missing the mapper needs
    with pytest.raises(InvalidEvent) as refused:
        check_event(_event(eventTime="yesterday"))
    assert refused.value.field == "eventTime"
    with pytest.raises(InvalidEvent) as refused:
        check_event(_event(job={"namespace": "n"}))
    assert refused.value.field == "job.name"


def test_ingest_reads_files_and_folders_and_names_each_bad_line(tmp_path: Path) -> None:
    folder = tmp_path / "events"
    (folder / "sub").mkdir(parents=True)
    (folder / "batch.json").write_text(json.dumps([_event(), _event()]))
    lines = [json.dumps(_event()), "", "{not json", json.dumps(_event(run={"runId": "x"}))]
    (folder / "sub" / "more.jsonl").write_text("\n".join(lines) + "\n")
    (folder / "notes.txt").write_text("not events")
    spool = Spool(tmp_path / "spool")
    report = ingest([folder], spool)
    assert (report.files, report.accepted) == (2, 3)
    assert len(spool.pending()) == 3
    more = folder / "sub" / "more.jsonl"
    assert report.refused == [
        f"{more}:3: the line is not JSON: Expecting property name enclosed in double quotes "
        "at line 1 column 2",
        f"{more}:4: run.runId: 'x' is not a valid uuid: badly formed hexadecimal UUID string",
    ]
