"""``atlas-ml collect`` over HTTP: what the OpenLineage transport sends is kept, what it must
not take is refused with the status HTTP prescribes, and nothing crashes or leaks the body."""

from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import requests
from collector_support import Collector, free_port, start_collector, wait_for

from atlas_ml.server.endpoint import AtlasEndpoint

PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python"
SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
SECRET = "do-not-log-this-7f3a"


def _event(**overrides: Any) -> dict[str, Any]:
    event = {
        "eventType": "START",
        "eventTime": "2026-11-25T10:00:00.000Z",
        "producer": PRODUCER,
        "schemaURL": SCHEMA,
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "http-tests", "name": SECRET},
        "inputs": [],
        "outputs": [],
    }
    event.update(overrides)
    return event


def _post(collector: Collector, body: bytes | str, path: str = "", **headers: str) -> Any:
    return requests.post(
        collector.lineage_url + path,
        data=body,
        headers={**collector.headers(), **headers},
        timeout=10,
    )


def _stored(collector: Collector, run_id: str) -> list[dict[str, Any]]:
    return [
        json.loads(p.read_text())
        for p in collector.spool.glob(f"*-{run_id}-*.json")
        if not p.name.startswith(".")
    ]


def test_an_accepted_event_is_in_the_spool_before_the_202(
    spool_only_collector: Collector,
) -> None:
    event = _event()
    answer = _post(spool_only_collector, json.dumps(event))
    assert answer.status_code == 202, answer.text
    assert _stored(spool_only_collector, event["run"]["runId"]) == [event]


def test_a_gzip_body_as_the_client_compresses_it_is_accepted(
    spool_only_collector: Collector,
) -> None:
    event = _event()
    body = gzip.compress(json.dumps(event).encode())
    answer = _post(spool_only_collector, body, **{"Content-Encoding": "gzip"})
    assert answer.status_code == 202, answer.text
    assert _stored(spool_only_collector, event["run"]["runId"]) == [event]


def test_an_invalid_event_is_refused_naming_the_field(spool_only_collector: Collector) -> None:
    bad_run_id = _event(run={"runId": "not-a-uuid"})
    answer = _post(spool_only_collector, json.dumps(bad_run_id))
    assert answer.status_code == 400
    assert answer.json()["field"] == "run.runId"
    assert "uuid" in answer.json()["error"]
    no_job_name = _event(job={"namespace": "n"})
    answer = _post(spool_only_collector, json.dumps(no_job_name))
    assert (answer.status_code, answer.json()["field"]) == (400, "job.name")
    bad_facet = _event()
    bad_facet["run"]["facets"] = {
        "parent": {"_producer": PRODUCER, "_schemaURL": SCHEMA, "run": {}, "job": {}}
    }
    answer = _post(spool_only_collector, json.dumps(bad_facet))
    assert answer.status_code == 400
    assert answer.json()["field"].startswith("run.facets.parent")
    assert not _stored(spool_only_collector, bad_facet["run"]["runId"])


def test_malformed_json_is_a_400_and_the_collector_keeps_working(
    spool_only_collector: Collector,
) -> None:
    for body in ('{"eventType": "START", ', "[1, 2", "\xff\xfe", "null", "42"):
        answer = _post(spool_only_collector, body.encode("latin-1"))
        assert answer.status_code == 400, (body, answer.text)
        assert "error" in answer.json()
    assert _post(spool_only_collector, json.dumps(_event())).status_code == 202


def test_an_oversized_body_is_a_413_compressed_or_not(spool_only_collector: Collector) -> None:
    padding = "x" * (70 * 1024)  # the fixture's --max-body is 64KiB
    event = _event(job={"namespace": "n", "name": padding})
    assert _post(spool_only_collector, json.dumps(event)).status_code == 413
    # a small gzip body that inflates past the limit (a zip bomb) is refused too
    bomb = gzip.compress(json.dumps(event).encode())
    assert len(bomb) < 64 * 1024
    answer = _post(spool_only_collector, bomb, **{"Content-Encoding": "gzip"})
    assert answer.status_code == 413
    # a chunked body without Content-Length is counted as it streams
    chunks = iter([json.dumps(event).encode()[i : i + 8192] for i in range(0, 80000, 8192)])
    answer = requests.post(
        spool_only_collector.lineage_url,
        data=chunks,
        headers=spool_only_collector.headers(),
        timeout=10,
    )
    assert answer.status_code == 413
    assert not _stored(spool_only_collector, event["run"]["runId"])


def test_wrong_content_type_or_encoding_is_a_415(spool_only_collector: Collector) -> None:
    body = json.dumps(_event())
    assert _post(spool_only_collector, body, **{"Content-Type": "text/plain"}).status_code == 415
    answer = _post(spool_only_collector, body, **{"Content-Encoding": "br"})
    assert answer.status_code == 415


def test_requests_without_the_token_are_a_401(spool_only_collector: Collector) -> None:
    event = _event()
    body = json.dumps(event)
    for authorization in ("", "Bearer wrong", f"Basic {spool_only_collector.token}"):
        answer = requests.post(
            spool_only_collector.lineage_url,
            data=body,
            headers={"Content-Type": "application/json", "Authorization": authorization},
            timeout=10,
        )
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert not _stored(spool_only_collector, event["run"]["runId"])


def test_batch_endpoint_keeps_the_valid_events_and_names_the_invalid_ones(
    spool_only_collector: Collector,
) -> None:
    good, also_good = _event(), _event(eventType="COMPLETE")
    bad = _event(eventTime="yesterday")
    body = json.dumps([good, bad, also_good])
    answer = _post(spool_only_collector, body, "/batch")
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["status"] == "partial_success"
    assert result["summary"] == {
        "received": 3,
        "successful": 2,
        "failed": 1,
        "retriable": 0,
        "non_retriable": 1,
    }
    assert [(f["index"], f["field"]) for f in result["failed_events"]] == [(1, "[1].eventTime")]
    assert _stored(spool_only_collector, good["run"]["runId"]) == [good]
    assert _stored(spool_only_collector, also_good["run"]["runId"]) == [also_good]
    assert not _stored(spool_only_collector, bad["run"]["runId"])
    all_good = _post(spool_only_collector, json.dumps([_event(), _event()]), "/batch")
    assert (all_good.status_code, all_good.json()["status"]) == (202, "success")
    not_a_list = _post(spool_only_collector, json.dumps(_event()), "/batch")
    assert not_a_list.status_code == 400


def test_the_body_never_reaches_the_log(spool_only_collector: Collector) -> None:
    _post(spool_only_collector, json.dumps(_event()))
    _post(spool_only_collector, json.dumps(_event(eventTime=SECRET)))
    _post(spool_only_collector, json.dumps(_event(run={"runId": SECRET})), "/batch")
    wait_for(lambda: spool_only_collector.log.read_text().count(" 400") >= 2, 10)
    log = spool_only_collector.log.read_text()
    assert SECRET not in log
    assert "400 (eventTime)" in log, log  # the status and field are logged


def test_with_atlas_down_events_are_accepted_kept_and_the_pause_is_logged(
    tmp_path: Path,
) -> None:
    unreachable = AtlasEndpoint(url=f"http://127.0.0.1:{free_port()}")
    running = start_collector(tmp_path, unreachable)
    collector = next(running)
    try:
        event = _event(eventType="COMPLETE")
        answer = _post(collector, json.dumps(event))
        assert answer.status_code == 202
        wait_for(lambda: "delivery to Atlas paused" in collector.log.read_text(), 60)
        assert _stored(collector, event["run"]["runId"]) == [event]
    finally:
        running.close()
    assert _stored(collector, event["run"]["runId"]) == [event], "kept after the collector stops"


def test_ingest_with_atlas_down_exits_3_and_keeps_the_events(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    first, second = _event(eventType="COMPLETE"), _event(eventType="COMPLETE")
    events.write_text(json.dumps(first) + "\n\n" + json.dumps(second) + "\n")
    spool = tmp_path / "spool"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "atlas_ml.cli.main",
            "ingest",
            str(events),
            "--spool",
            str(spool),
            "--url",
            f"http://127.0.0.1:{free_port()}",
            "--config",
            str(_config(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert "2 event(s) stored" in done.stdout
    assert f"atlas-ml push --spool {spool}" in done.stderr
    assert len(list(spool.glob("*.json"))) == 2


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text("[atlas]\nretries = 0\nconnect_timeout = 2\n")
    return config


def test_a_port_in_use_is_one_clear_error_exit_3(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "atlas_ml.cli.main",
                "collect",
                "--no-push",
                "--port",
                str(port),
                "--spool",
                str(tmp_path / "spool"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 3
    assert done.stderr.strip() == (
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use; "
        "choose another --port or --host"
    )
