"""Listener behaviour that needs its own driver process: JVM exit and a full queue."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import ClassVar

import jsonschema
import pytest
from listener_support import read_events
from openlineage_schema import RUN_EVENT_SCHEMA

pytestmark = pytest.mark.spark

_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from pyspark.sql import SparkSession
    from atlas_ml.spark.conf import listener_conf

    spool, out, writes, extra = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    pause = float(sys.argv[5])
    builder = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
    for key, value in {**listener_conf(spool=spool), **json.loads(extra)}.items():
        if value:  # an empty value in extra leaves that key unset
            builder = builder.config(key, value)
    spark = builder.getOrCreate()
    for i in range(writes):
        spark.range(3).write.parquet(f"{out}/part{i}")
    if pause:
        time.sleep(pause)  # let the writer drain, so the last event reports the drops
        spark.range(3).write.parquet(f"{out}/final")
    print("JOB DONE", flush=True)
    # no spark.stop(): the JVM's shutdown hook must deliver what is queued
    """
)


def _run(
    tmp_path: Path,
    writes: int,
    extra: dict[str, str],
    pause: float = 0,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "job.py"
    script.write_text(_SCRIPT)
    return subprocess.run(
        [
            sys.executable,
            str(script),
            str(tmp_path / "spool"),
            str(tmp_path / "out"),
            str(writes),
            json.dumps(extra),
            str(pause),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_event_of_a_job_that_exits_without_stop_is_in_the_spool(tmp_path: Path) -> None:
    done = _run(tmp_path, writes=1, extra={})

    assert done.returncode == 0, done.stderr[-2000:]
    events = read_events(tmp_path / "spool")
    assert [e["outputs"][0]["name"] for e in events] == [str(tmp_path / "out" / "part0")]


def test_listener_without_a_spool_setting_writes_where_push_reads_by_default(
    tmp_path: Path,
) -> None:
    push_spool = tmp_path / "push-spool"
    done = _run(
        tmp_path,
        writes=1,
        extra={"spark.atlasml.spool.dir": ""},
        env={"ATLAS_ML_SPOOL": str(push_spool), "ATLAS_ML_CACHE": str(tmp_path / "cache")},
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert [e["outputs"][0]["name"] for e in read_events(push_spool)] == [
        str(tmp_path / "out" / "part0")
    ]


def test_full_queue_drops_and_counts_events_without_slowing_the_job(tmp_path: Path) -> None:
    # an endpoint that accepts connections and never answers: each POST takes the full timeout
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    port = silent.getsockname()[1]
    try:
        done = _run(
            tmp_path,
            writes=12,
            pause=7,
            extra={
                "spark.atlasml.transport": "http",
                "spark.atlasml.http.url": f"http://127.0.0.1:{port}/api/v1/lineage",
                "spark.atlasml.http.timeout.ms": "3000",
                "spark.atlasml.queue.capacity": "1",
                "spark.atlasml.flush.timeout.ms": "5000",
            },
        )
    finally:
        silent.close()

    assert done.returncode == 0 and "JOB DONE" in done.stdout, done.stderr[-2000:]
    assert "lineage queue full" in done.stderr
    events = read_events(tmp_path / "spool")
    assert 0 < len(events) < 13
    final = [e for e in events if e["outputs"][0]["name"].endswith("/final")]
    assert final, "the event written after the queue drained must be delivered"
    dropped = [
        e["run"]["facets"]["atlasml_spark"]["delivery"]["droppedEventsBefore"] for e in events
    ]
    # a listener that waited for room in the queue would never drop: drops prove it did not
    assert max(dropped) > 0


class _LineageReceiver(http.server.BaseHTTPRequestHandler):
    """An OpenLineage HTTP endpoint (what Marquez exposes): records what is POSTed to it."""

    received: ClassVar[list[tuple[str, dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, dict(self.headers), body))
        self.send_response(201)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_http_transport_posts_each_event_to_the_endpoint_with_the_api_key(
    tmp_path: Path,
) -> None:
    _LineageReceiver.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LineageReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = _run(
            tmp_path,
            writes=2,
            extra={
                "spark.atlasml.transport": "http",
                "spark.atlasml.http.url": f"http://127.0.0.1:{server.server_port}/api/v1/lineage",
                "spark.atlasml.http.apiKey": "receiver-key",
            },
        )
    finally:
        server.shutdown()

    assert done.returncode == 0, done.stderr[-2000:]
    posted = sorted(_LineageReceiver.received, key=lambda r: json.loads(r[2])["eventTime"])
    assert [path for path, _, _ in posted] == ["/api/v1/lineage"] * 2
    events = [json.loads(body) for _, _, body in posted]
    assert [e["outputs"][0]["name"] for e in events] == [
        str(tmp_path / "out" / f"part{i}") for i in range(2)
    ]
    checker = jsonschema.Draft202012Validator(RUN_EVENT_SCHEMA)
    for _, headers, body in posted:
        assert headers["Authorization"] == "Bearer receiver-key"
        assert headers["Content-Type"] == "application/json"
        checker.validate(json.loads(body))
    assert "receiver-key" not in done.stderr
    assert read_events(tmp_path / "spool") == []  # delivered: nothing left to fall back on


def test_http_credentials_stay_out_of_the_driver_log_and_sparks_event_log(
    tmp_path: Path,
) -> None:
    _LineageReceiver.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LineageReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (tmp_path / "eventlog").mkdir()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    refused = closed.getsockname()[1]
    closed.close()
    try:
        # a URL with a password that cannot be reached (the warning names the URL) ...
        done = _run(
            tmp_path,
            writes=1,
            extra={
                "spark.atlasml.transport": "http",
                "spark.atlasml.http.url": f"http://ol:Url-Pa55@127.0.0.1:{refused}/api/v1/lineage",
                "spark.eventLog.enabled": "true",
                "spark.eventLog.compress": "false",
                "spark.eventLog.dir": str(tmp_path / "eventlog"),
            },
        )
        # ... and a token for an endpoint that answers
        (tmp_path / "second").mkdir()
        sent = _run(
            tmp_path / "second",
            writes=1,
            extra={
                "spark.atlasml.transport": "http",
                "spark.atlasml.http.url": f"http://127.0.0.1:{server.server_port}/api/v1/lineage",
                "spark.atlasml.http.token": "Tok-Pa55",
                "spark.eventLog.enabled": "true",
                "spark.eventLog.compress": "false",
                "spark.eventLog.dir": str(tmp_path / "eventlog"),
            },
        )
    finally:
        server.shutdown()

    assert done.returncode == 0 and sent.returncode == 0, done.stderr[-2000:] + sent.stderr
    assert "ignoring the user info in spark.atlasml.http.url" in done.stderr
    assert f"cannot POST lineage events to http://127.0.0.1:{refused}/api/v1/lineage" in (
        done.stderr
    )
    assert [headers["Authorization"] for _, headers, _ in _LineageReceiver.received] == [
        "Bearer Tok-Pa55"
    ]
    logs = done.stderr + sent.stderr
    logs += "".join(p.read_text() for p in (tmp_path / "eventlog").rglob("*") if p.is_file())
    assert "spark.atlasml.http.token" in logs  # Spark wrote its conf: redacted
    assert "Url-Pa55" not in done.stderr and "Tok-Pa55" not in logs


_ATTACH_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pyspark.sql import SparkSession
    from atlas_ml.spark import attach

    spool, out = Path(sys.argv[1]), sys.argv[2]
    builder = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
    spark = builder.getOrCreate()
    spark.range(3).write.parquet(out + "/before")
    print("first attach:", attach(spark, spool=spool, deliver_at_exit=False))
    spark.range(3).write.parquet(out + "/after")
    spark.stop()
    """
)


def test_attach_to_a_running_session_captures_the_writes_that_follow(tmp_path: Path) -> None:
    script = tmp_path / "notebook.py"
    script.write_text(_ATTACH_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "spool"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert "first attach: True" in done.stdout
    events = read_events(tmp_path / "spool")
    assert [e["outputs"][0]["name"] for e in events] == [str(tmp_path / "out" / "after")]
