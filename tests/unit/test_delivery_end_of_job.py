"""Delivery at the end of a user's job (a training run, a PySpark script) never holds it up for
long: a slow Atlas or another pusher holding the spool costs at most the end-of-job time limit,
and everything not delivered stays pending for ``atlas-ml push``.

An Atlas that accepts connections and never answers cannot be made on demand, hence the
scripted socket below.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas_ml.client import AtlasClient, AtlasUnavailable
from atlas_ml.config import AtlasConfig
from atlas_ml.delivery import DeliveryReport, Spool, push
from atlas_ml.events.facets import PRODUCER
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.unit

LIMIT = 1.5


@pytest.fixture
def silent_atlas() -> Iterator[str]:
    """A server that accepts every connection and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def short_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The user's own settings are patient: the end of a job must not inherit that patience.
    config = tmp_path / "config.toml"
    config.write_text(f"[atlas]\nread_timeout = 20\nretries = 3\nend_of_job_seconds = {LIMIT}\n")
    monkeypatch.setenv("ATLAS_ML_CONFIG", str(config))
    monkeypatch.setenv("ATLAS_USER", "qa")
    monkeypatch.setenv("ATLAS_PASSWORD", "pw")


def _event() -> dict[str, object]:
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-25T10:00:00Z",
        "producer": PRODUCER,
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "n", "name": "j"},
        "inputs": [{"namespace": "file", "name": "/data/in.csv"}],
        "outputs": [{"namespace": "file", "name": "/data/out.csv"}],
    }


def test_a_training_run_ends_within_the_time_limit_when_atlas_never_answers(
    silent_atlas: str,
    short_limit: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ATLAS_URL", silent_atlas)
    spool = Spool(tmp_path / "spool")
    started = time.monotonic()
    with training_run("qa-stalled", spool=spool) as run:
        run.log_params(depth=3)
    elapsed = time.monotonic() - started
    assert elapsed < LIMIT + 3, f"the run was held {elapsed:.1f}s by a silent Atlas"
    assert len(spool.pending()) == 1
    err = capsys.readouterr().err
    assert f"1 event(s) kept in {spool.root}" in err
    # the limit stopped it, whatever request it cut short: the message names the setting
    assert f"time limit of {LIMIT:g} s (end_of_job_seconds in the atlas-ml config)" in err
    assert "pw" not in err.replace(str(tmp_path), "")


def test_end_of_job_delivery_does_not_wait_for_another_pusher(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.write(_event())
    holding, release = threading.Event(), threading.Event()

    def other_pusher() -> None:
        with spool.lock():
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=other_pusher)
    thread.start()
    holding.wait(5)
    try:
        started = time.monotonic()
        report = push(AtlasClient(AtlasConfig()), spool, time_limit=0.5)
        elapsed = time.monotonic() - started
    finally:
        release.set()
        thread.join()
    assert elapsed < 3
    assert report.delivered == 0 and report.remaining == 1
    assert "another process is delivering the spool" in str(report.stopped_by)
    assert len(spool.pending()) == 1


def test_push_with_a_time_limit_stops_between_events_and_keeps_the_rest(
    tmp_path: Path,
) -> None:
    spool = Spool(tmp_path)
    for _ in range(3):
        spool.write(_event())
        time.sleep(0.002)

    class SlowAtlas(AtlasClient):
        def __init__(self) -> None:
            super().__init__(AtlasConfig())
            self.sent = 0

    client = SlowAtlas()

    def slow_upsert(entities: object, *args: object, **kwargs: object) -> object:
        time.sleep(0.4)
        client.sent += 1
        from atlas_ml.client.entities import UpsertResult

        return UpsertResult()

    client.entities.upsert = slow_upsert  # type: ignore[method-assign,assignment]
    client.entities.get_bulk_by_unique_attributes = lambda *a, **k: []  # type: ignore[method-assign]
    report = push(client, spool, time_limit=0.6)
    assert (report.delivered, report.remaining) == (2, 1)
    assert report.stopped_by == "delivery stopped at its time limit of 0.6 s"
    assert len(spool.pending()) == 1


def test_requests_are_cut_short_at_the_transport_deadline(silent_atlas: str) -> None:
    client = AtlasClient(AtlasConfig(url=silent_atlas, read_timeout=20, retries=3))
    client.transport.deadline = time.monotonic() + 1.0
    started = time.monotonic()
    with pytest.raises(AtlasUnavailable):
        client.admin.status()
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b'{"errorCode": "ATLAS-500-00-001", "errorMessage": "backend down"}'),
        (503, b'{"errorCode": "ATLAS-503-00-001", "errorMessage": "not active"}'),
        (200, b"<html>gateway login</html>"),
    ],
)
def test_events_stay_pending_while_atlas_answers_with_server_errors(
    tmp_path: Path, status: int, body: bytes
) -> None:
    """Every request (the status check too) gets the same broken answer."""
    report, spool = _push_two_events(tmp_path, status, body, active=False)
    assert (report.delivered, report.rejected, report.remaining) == (0, 0, 2)
    assert str(report.stopped_by).startswith("Atlas is unavailable")
    assert len(spool.pending()) == 2 and spool.rejected() == []


def test_an_event_atlas_fails_on_while_active_is_set_aside(tmp_path: Path) -> None:
    body = b'{"errorCode": "ATLAS-500-00-001", "errorMessage": "NullPointerException"}'
    report, spool = _push_two_events(tmp_path, 500, body, active=True)
    assert (report.delivered, report.rejected, report.remaining) == (0, 2, 0)
    assert len(spool.rejected()) == 2
    assert report.stopped_by is None


def _push_two_events(
    tmp_path: Path, status: int, body: bytes, active: bool
) -> tuple[DeliveryReport, Spool]:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Broken(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            healthy = active and self.path.endswith("/admin/status")
            self.send_response(200 if healthy else status)
            text = b'{"Status": "ACTIVE"}' if healthy else body
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    spool = Spool(tmp_path)
    spool.write(_event())
    spool.write(_event())
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        return push(AtlasClient(AtlasConfig(url=url, retries=0)), spool), spool
    finally:
        server.shutdown()
        server.server_close()
