"""The openlineage-python client, with its HttpTransport pointed at ``atlas-ml collect``: what
it emits lands in Atlas as runs, datasets, parent links and column lineage; ``atlas-ml
ingest`` of the same kind of events from a file does the same."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from collector_support import NAMESPACE, Collector, entity, related_names, wait_for
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    error_message_run,
    parent_run,
    sql_job,
)
from openlineage.client.serde import Serde
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport

from atlas_ml.client import AtlasClient
from atlas_ml.server.endpoint import AtlasEndpoint

pytestmark = pytest.mark.atlas

PRODUCER = "https://github.com/atlas-ml/tests/python-client"
DELIVERY_SECONDS = 120.0


def _client(collector: Collector) -> OpenLineageClient:
    config = HttpConfig(
        url=collector.url,
        auth=ApiKeyTokenProvider({"apiKey": collector.token}),
        timeout=10.0,
    )
    return OpenLineageClient(transport=HttpTransport(config))


def _run_qn(job: str, run_id: str, namespace: str = "python-client") -> str:
    return f"{namespace}/{job}/{run_id}@{NAMESPACE}"


def _column(name: str, *fields: tuple[str, str]) -> column_lineage_dataset.Fields:
    return column_lineage_dataset.Fields(
        inputFields=[
            column_lineage_dataset.InputField(
                namespace="postgres://db:5432",
                name=table,
                field=field,
                transformations=[
                    column_lineage_dataset.Transformation(type="DIRECT", subtype="IDENTITY")
                ],
            )
            for table, field in fields
        ]
    )


def test_a_run_started_and_completed_by_the_client_is_one_process_in_atlas(
    collector: Collector, atlas_client: AtlasClient, unique: str
) -> None:
    client = _client(collector)
    job = Job(
        namespace="python-client",
        name=f"{unique}.load",
        facets={"sql": sql_job.SQLJobFacet(query="INSERT INTO orders SELECT * FROM staging")},
    )
    parent_id = str(uuid.uuid4())
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=parent_id),
        job=parent_run.Job(namespace="python-client", name=unique),
    )
    run = Run(runId=str(uuid.uuid4()), facets={"parent": parent})
    staging = InputDataset(namespace="postgres://db:5432", name=f"shop.public.{unique}_staging")
    topic = InputDataset(namespace="kafka://broker:9092", name=f"{unique}-events")
    orders = OutputDataset(
        namespace="file",
        name=f"/warehouse/{unique}/orders",
        facets={
            "columnLineage": column_lineage_dataset.ColumnLineageDatasetFacet(
                fields={"order_id": _column("id", (f"shop.public.{unique}_staging", "id"))}
            )
        },
    )
    client.emit(
        RunEvent(
            eventType=RunState.START,
            eventTime=_now(),
            run=run,
            job=job,
            producer=PRODUCER,
            inputs=[staging],
            outputs=[orders],
        )
    )
    client.emit(
        RunEvent(
            eventType=RunState.COMPLETE,
            eventTime=_now(),
            run=run,
            job=job,
            producer=PRODUCER,
            inputs=[topic],
            outputs=[orders],
        )
    )

    def complete() -> dict[str, Any] | None:
        found = entity(atlas_client, "atlasml_openlineage_run", _run_qn(job.name, run.runId))
        state = found and found["entity"]["attributes"].get("state")
        return found if state == "COMPLETE" else None

    process = wait_for(complete, DELIVERY_SECONDS, lambda: _spool_state(collector))
    attributes = process["entity"]["attributes"]
    assert attributes["sqlQuery"] == "INSERT INTO orders SELECT * FROM staging"
    assert attributes["startTime"] and attributes["endTime"]
    # inputs of both events are kept (START named the table, COMPLETE the topic)
    assert related_names(atlas_client, process, "inputs") == {
        f"postgres://db:5432/shop.public.{unique}_staging@{NAMESPACE}",
        f"{unique}-events@{NAMESPACE}",
    }
    assert related_names(atlas_client, process, "outputs") == {
        f"file:/warehouse/{unique}/orders@{NAMESPACE}"
    }
    assert related_names(atlas_client, process, "parentRun") == {_run_qn(unique, parent_id)}
    (column,) = related_names(atlas_client, process, "columnLineages")
    lineage = entity(atlas_client, "atlasml_openlineage_column_lineage", column)
    assert lineage is not None
    assert lineage["entity"]["attributes"]["description"] == (
        f"order_id <- postgres://db:5432/shop.public.{unique}_staging.id [DIRECT/IDENTITY]"
    )
    # the path entity is the one Atlas's hooks and atlas-ml's Spark listener use
    path = entity(atlas_client, "hdfs_path", f"file:/warehouse/{unique}/orders@{NAMESPACE}")
    assert path is not None


def test_a_failed_run_is_recorded_failed_with_its_error(
    collector: Collector, atlas_client: AtlasClient, unique: str
) -> None:
    client = _client(collector)
    job = Job(namespace="python-client", name=f"{unique}.broken")
    error = error_message_run.ErrorMessageRunFacet(
        message="division by zero", programmingLanguage="python"
    )
    run = Run(runId=str(uuid.uuid4()), facets={"errorMessage": error})
    source = InputDataset(namespace="bigquery", name=f"proj.ds.{unique}")
    client.emit(
        RunEvent(
            eventType=RunState.FAIL,
            eventTime=_now(),
            run=run,
            job=job,
            producer=PRODUCER,
            inputs=[source],
            outputs=[OutputDataset(namespace="file", name=f"/never/{unique}")],
        )
    )
    qualified_name = _run_qn(job.name, run.runId)
    process = wait_for(
        lambda: entity(atlas_client, "atlasml_openlineage_run", qualified_name),
        DELIVERY_SECONDS,
        lambda: _spool_state(collector),
    )
    attributes = process["entity"]["attributes"]
    assert (attributes["state"], attributes["errorMessage"]) == ("FAIL", "division by zero")
    assert related_names(atlas_client, process, "inputs") == {
        f"bigquery/proj.ds.{unique}@{NAMESPACE}"
    }
    assert related_names(atlas_client, process, "outputs") == set()


def test_ingest_records_events_from_a_file_and_names_invalid_lines(
    atlas_server: AtlasEndpoint,
    atlas_client: AtlasClient,
    project_types: None,
    tmp_path: Path,
    unique: str,
) -> None:
    job = Job(namespace="ingest", name=f"{unique}.copy")
    run = Run(runId=str(uuid.uuid4()))
    event = RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=_now(),
        run=run,
        job=job,
        producer=PRODUCER,
        inputs=[InputDataset(namespace="s3://lake", name=f"{unique}/in")],
        outputs=[OutputDataset(namespace="hdfs://nn:8020", name=f"/{unique}/out")],
    )
    events = tmp_path / "events.jsonl"
    events.write_text(Serde.to_json(event) + "\n" + '{"eventType": "COMPLETE"}\n')
    config = tmp_path / "config.toml"
    config.write_text("[atlas]\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "atlas_ml.cli.main",
            "ingest",
            str(events),
            "--spool",
            str(tmp_path / "spool"),
            "--url",
            atlas_server.url,
            "--config",
            str(config),
            "--user",
            atlas_server.username,
            "--password",
            atlas_server.password,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # one line was invalid
    assert f"{events}:2: eventTime is missing" in done.stderr
    assert "1 event(s) stored" in done.stdout and "Delivered 1 event(s)" in done.stdout
    process = entity(
        atlas_client, "atlasml_openlineage_run", _run_qn(job.name, run.runId, "ingest")
    )
    assert process is not None
    assert related_names(atlas_client, process, "inputs") == {f"s3://lake/{unique}/in@{NAMESPACE}"}
    assert related_names(atlas_client, process, "outputs") == {
        f"hdfs://nn:8020/{unique}/out@{NAMESPACE}"
    }


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()


def _spool_state(collector: Collector) -> str:
    pending = sorted(p.name for p in collector.spool.glob("*.json"))
    rejected = {p.name: p.read_text() for p in (collector.spool / "rejected").glob("*.error")}
    log = collector.log.read_text()[-2000:]
    return f"not in Atlas in time; pending {pending}; rejected {json.dumps(rejected)}; log {log}"
