"""Fuzzing the OpenLineage collector's request handling: any body, any headers, any one-field
mutation of a real event, single and batch.

The collector faces the network: whatever arrives, it answers with one of the statuses the
OpenLineage HTTP transport understands (202 accepted, 200 partial batch, 400 naming the field,
401, 413, 415) and never 500, and every event it accepts is one the mapper can read. The app is
called as ASGI, in process, the way uvicorn calls it.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzzing import JSON, mutations
from hypothesis import given
from hypothesis import strategies as st

from atlas_ml.collect.app import BATCH_PATH, LINEAGE_PATH, CollectorSettings, create_app
from atlas_ml.delivery import Spool
from atlas_ml.events import parse_event

pytestmark = [pytest.mark.unit, pytest.mark.fuzz]

TOKEN = "fuzz-token"
ANSWERS = {200, 202, 400, 401, 413, 415}
PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.53.0/client/python"


def _event() -> dict[str, Any]:
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-25T10:00:00.123Z",
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.UUID(int=11)), "facets": {}},
        "job": {"namespace": "airflow", "name": "dag.task", "facets": {}},
        "inputs": [{"namespace": "file", "name": "/data/in.csv", "facets": {}}],
        "outputs": [{"namespace": "file", "name": "/data/out.csv", "facets": {}}],
    }


class Collector:
    """The collector's ASGI app over a temporary spool, called on one event loop."""

    def __init__(self, root: Path, token: str | None = None) -> None:
        self.spool = Spool(root)
        self.app = create_app(self.spool, CollectorSettings(token=token, max_body=64 * 1024))
        self.loop = asyncio.new_event_loop()

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        return self.loop.run_until_complete(self._call(path, body, headers))

    async def _call(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
            ],
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 5000),
        }
        incoming = [{"type": "http.request", "body": body, "more_body": False}]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return incoming.pop(0) if incoming else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        status = next(m["status"] for m in sent if m["type"] == "http.response.start")
        payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return status, json.loads(payload) if payload else None

    def close(self) -> None:
        self.loop.close()


@pytest.fixture(scope="module")
def collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collector]:
    made = Collector(tmp_path_factory.mktemp("fuzz-collector"))
    yield made
    made.close()


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collector]:
    made = Collector(tmp_path_factory.mktemp("fuzz-collector-token"), token=TOKEN)
    yield made
    made.close()


def _answered_well(status: int, body: Any) -> None:
    assert status in ANSWERS, (status, body)
    if status == 400:
        assert body["error"] and "field" in body, body


def _accepted_events_map(collector: Collector) -> None:
    """Every event the collector wrote to the spool is one the mapper parses."""
    for path in collector.spool.pending():
        parse_event(path.read_bytes())


def test_a_valid_event_is_accepted(collector: Collector) -> None:
    status, body = collector.post(
        LINEAGE_PATH, json.dumps(_event()).encode(), {"Content-Type": "application/json"}
    )
    assert (status, body) == (202, {"accepted": 1})


@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_body_is_answered_without_a_server_error(collector: Collector, body: bytes) -> None:
    for path in (LINEAGE_PATH, BATCH_PATH):
        _answered_well(*collector.post(path, body, {"Content-Type": "application/json"}))


@given(mutations(_event()))
def test_a_mutated_event_is_accepted_or_refused_naming_the_field(
    collector: Collector, mutated: tuple[Any, tuple[Any, ...]]
) -> None:
    event, _ = mutated
    body = json.dumps(event).encode()
    status, answer = collector.post(LINEAGE_PATH, body, {"Content-Type": "application/json"})
    _answered_well(status, answer)
    assert status in (202, 400), answer
    if status == 202:
        parse_event(body)


@given(st.lists(JSON | mutations(_event()).map(lambda m: m[0]), max_size=5))
def test_a_batch_of_anything_is_sorted_event_by_event(
    collector: Collector, events: list[Any]
) -> None:
    status, answer = collector.post(
        BATCH_PATH, json.dumps(events).encode(), {"Content-Type": "application/json"}
    )
    _answered_well(status, answer)
    if status in (200, 202):
        summary = answer["summary"]
        assert summary["received"] == len(events)
        assert summary["successful"] + summary["failed"] == len(events)
        for failure in answer.get("failed_events", []):
            assert failure["reason"] and 0 <= failure["index"] < len(events)


@given(
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "",
            "APPLICATION/JSON",
        ]
    )
    | st.text(max_size=30),
    encoding=st.sampled_from([None, "gzip", "identity", "br", "deflate"]) | st.text(max_size=10),
    authorization=st.sampled_from([None, f"Bearer {TOKEN}", "Bearer wrong", TOKEN]),
    compress=st.booleans(),
)
def test_any_headers_get_one_of_the_transport_answers(
    guarded: Collector,
    content_type: str,
    encoding: str | None,
    authorization: str | None,
    compress: bool,
) -> None:
    body = json.dumps(_event()).encode()
    if compress:
        body = gzip.compress(body)
    headers = {"Content-Type": content_type}
    if encoding is not None:
        headers["Content-Encoding"] = encoding
    if authorization is not None:
        headers["Authorization"] = authorization
    try:
        for value in headers.values():
            value.encode("latin-1")
    except UnicodeEncodeError:
        return  # not a header a client can send
    status, answer = guarded.post(LINEAGE_PATH, body, headers)
    _answered_well(status, answer)
    if authorization != f"Bearer {TOKEN}":
        assert status == 401, answer
    _accepted_events_map(guarded)
