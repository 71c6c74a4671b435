"""Delivery survives a ``kill -9`` of the Atlas server: 10,000 events pushed over REST, and
10,000 published to Atlas's hook topic on Kafka, while the server is killed; after a restart
and a second push every event is in Atlas exactly once, counted by qualifiedName.

Both halves run on one persistent side server (own home and ports, started once for the
module) that the tests kill. Each event is a small OpenLineage run event of another producer
(one ``atlasml_openlineage_run`` entity), so the count is the point, not the payload.

- REST: ``push_bulk`` (rounds of 500 events merged into few requests, the path for backfills)
  runs in a thread; Atlas is killed once 2,000 events are delivered, mid-round. The push stops
  with the rest pending; after the restart a second push delivers them.
- Kafka: each 100 events' entities travel as one hook notification (the Kafka transport's
  messages, :func:`atlas_ml.delivery.kafka.publish`), all published before the kill, which
  comes once 2,000 events are visible: the embedded broker dies with Atlas holding a backlog
  Atlas has not consumed, and the consumer's uncommitted offsets replay after the restart.
  The second push publishes every batch not seen in Atlas before the kill again, as a push
  killed after publishing does, so Atlas applies some notifications twice.

One notification or request per event costs Atlas ~0.15 s each on two busy cores (300 events
took 45 s by ``push``, 47 s by Kafka: ~25 min per half at 10,000); batching keeps the module at
7.5-10 min (2026-12-08, load average 5-7: start 82-137 s, REST half 151-166 s, Kafka half
217-273 s, each with a restart) and changes nothing Atlas has to survive: a transaction in
flight at the kill, a backlog in the topic, events sent twice.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from side_server import side_server

from atlas_ml.client import AtlasClient
from atlas_ml.config import AtlasConfig
from atlas_ml.delivery import Spool
from atlas_ml.delivery.atlas import DeliveryReport
from atlas_ml.delivery.bulk import push_bulk
from atlas_ml.delivery.kafka import KAFKA_FRAMING_BYTES, publish, wait_until_visible
from atlas_ml.delivery.notifications import entity_create, notification_messages
from atlas_ml.events import parse_event
from atlas_ml.mapping import map_event
from atlas_ml.server.local import LocalAtlas
from atlas_ml.server.process import is_gone
from atlas_ml.typedefs import install, load_typeset

pytestmark = pytest.mark.atlas

EVENTS = 10_000
KILL_AFTER = 2_000
"""Events delivered (REST) or visible (Kafka) before Atlas is killed."""
RUN_TYPE = "atlasml_openlineage_run"
KAFKA_BATCH = 100


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAtlas]:
    server = side_server(tmp_path_factory.mktemp("atlas-kill"))
    server.start(fresh=True, quiet=True)
    try:
        with _client(server) as client:
            install(client, load_typeset())
        yield server
    finally:
        server.stop(grace=30)


def _client(server: LocalAtlas, **settings: Any) -> AtlasClient:
    config = AtlasConfig(
        url=server.url, username="admin", password="admin", backoff_factor=0.1, **settings
    )
    return AtlasClient(config)


def _events(prefix: str) -> list[dict[str, Any]]:
    """``EVENTS`` run events of another producer, one job each under the namespace ``prefix``."""
    return [
        {
            "eventType": "COMPLETE",
            "eventTime": "2026-12-08T00:00:00Z",
            "producer": "https://example.com/atlas-ml/kill-test",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent",
            "run": {"runId": str(uuid.uuid4())},
            "job": {"namespace": prefix, "name": f"job-{index:05d}"},
            "inputs": [],
            "outputs": [],
        }
        for index in range(EVENTS)
    ]


def _expected_names(events: list[dict[str, Any]]) -> set[str]:
    return {
        f"{e['job']['namespace']}/{e['job']['name']}/{e['run']['runId']}@primary" for e in events
    }


def _kill_atlas(server: LocalAtlas) -> None:
    """SIGKILL of the Atlas JVM only (its embedded Kafka broker dies with it); Solr and HBase
    stay up until ``start`` stops them cleanly."""
    pid = server.pid()
    assert pid is not None, "Atlas is not running"
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not is_gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert is_gone(pid)


def _restart(server: LocalAtlas) -> None:
    server.start(quiet=True)
    assert server.recovered, "start did not notice that Atlas was killed"


def _count_in_atlas(client: AtlasClient, prefix: str, expected: set[str]) -> tuple[int, int, int]:
    """(lost, duplicated, unindexed) among ``expected``: lost by a bulk read by qualifiedName
    (the unique index), duplicated by a search of every entity of the type whose qualifiedName
    starts with ``prefix`` (the search index would list two entities with one name twice),
    unindexed: found by name but missing from that search.

    ``prefix`` is letters and digits only: Atlas answers a filter value with ``-`` or ``/``
    by scanning the graph instead of Solr, and re-scans for every page (minutes for 10,000).
    """
    names = sorted(expected)
    found: set[str] = set()
    guids: set[str] = set()
    for start in range(0, len(names), 200):
        for entity in client.entities.get_bulk_by_unique_attributes(
            RUN_TYPE, names[start : start + 200], ignore_relationships=True
        ):
            found.add(entity["attributes"]["qualifiedName"])
            guids.add(entity["guid"])
    assert len(guids) == len(found)
    listed = Counter(
        str(entity["attributes"]["qualifiedName"])
        for entity in client.search.basic(
            RUN_TYPE,
            entity_filters={
                "attributeName": "qualifiedName",
                "operator": "startsWith",
                "attributeValue": prefix,
            },
            attributes=["qualifiedName"],
            page_size=1000,
        )
    )
    assert set(listed) <= expected, "Atlas holds runs no event named"
    lost = len(expected - found)
    duplicated = sum(count - 1 for count in listed.values())
    return lost, duplicated, len(found - set(listed))


def test_rest_push_killed_with_the_server_then_pushed_again_loses_and_doubles_nothing(
    server: LocalAtlas, tmp_path: Path
) -> None:
    prefix = f"killrest{uuid.uuid4().hex[:8]}"
    events = _events(prefix)
    spool = Spool(tmp_path / "spool")
    for start in range(0, EVENTS, 1000):
        spool.write_many(events[start : start + 1000])
    assert len(spool.pending()) == EVENTS

    first: list[DeliveryReport] = []
    with _client(server) as client:
        pushing = threading.Thread(target=lambda: first.append(push_bulk(client, spool)))
        pushing.start()
        deadline = time.monotonic() + 600
        while len(spool.pending()) > EVENTS - KILL_AFTER and pushing.is_alive():
            assert time.monotonic() < deadline, "the first push delivered too little"
            time.sleep(0.2)
        assert pushing.is_alive(), "the first push finished before the kill"
        _kill_atlas(server)
        pushing.join(timeout=300)
        assert not pushing.is_alive(), "push did not return after Atlas died"
    [report] = first
    assert report.rejected == 0
    assert 0 < report.remaining < EVENTS - KILL_AFTER + 1, report
    assert len(spool.pending()) == report.remaining

    _restart(server)
    with _client(server) as client:
        again = push_bulk(client, spool)
        assert (again.delivered, again.remaining, again.rejected) == (report.remaining, 0, 0)
        assert report.delivered + again.delivered == EVENTS
        lost, duplicated, unindexed = _count_in_atlas(client, prefix, _expected_names(events))
    assert (lost, duplicated, unindexed) == (0, 0, 0)


def _batches(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The entities of each ``KAFKA_BATCH`` events, as the mapper makes them, with distinct
    placeholder guids within a batch."""
    batches = []
    for start in range(0, EVENTS, KAFKA_BATCH):
        entities = []
        for event in events[start : start + KAFKA_BATCH]:
            for entity in map_event(parse_event(json.dumps(event)), "primary").entities:
                entities.append({**entity, "guid": f"-{len(entities) + 1}"})
        batches.append(entities)
    return batches


def _messages(client: AtlasClient, batches: list[list[dict[str, Any]]]) -> list[bytes]:
    limit = client.config.notification_max_bytes - KAFKA_FRAMING_BYTES
    return [
        message
        for entities in batches
        for message in notification_messages(
            entity_create(entities, "admin"), int(time.time() * 1000), limit
        )
    ]


def _visible(client: AtlasClient, entities: list[dict[str, Any]]) -> bool:
    names = [entity["attributes"]["qualifiedName"] for entity in entities]
    found = client.entities.get_bulk_by_unique_attributes(
        RUN_TYPE, names, ignore_relationships=True
    )
    return len(found) == len(names)


def test_kafka_publish_killed_with_the_server_then_published_again_loses_and_doubles_nothing(
    server: LocalAtlas,
) -> None:
    prefix = f"killkafka{uuid.uuid4().hex[:8]}"
    events = _events(prefix)
    batches = _batches(events)
    kafka = {
        "transport": "kafka",
        "kafka_bootstrap_servers": f"127.0.0.1:{server.settings.kafka_port}",
        "kafka_visible_seconds": 900.0,
    }
    with _client(server, **kafka) as client:
        publish(client, _messages(client, batches), timeout=120)
        # Atlas's hook consumer applies the topic in order: batch i visible means it is done.
        confirmed = 0
        deadline = time.monotonic() + 600
        while confirmed * KAFKA_BATCH < KILL_AFTER:
            assert time.monotonic() < deadline, "Atlas consumed too little of the topic"
            if _visible(client, batches[confirmed]):
                confirmed += 1
            else:
                time.sleep(0.5)
        _kill_atlas(server)
    assert confirmed < len(batches), "Atlas consumed everything before the kill"

    _restart(server)
    # The second push: every batch not confirmed before the kill is published again.
    with _client(server, **kafka) as client:
        pending = batches[confirmed:]
        publish(client, _messages(client, pending), timeout=120)
        entities = [entity for batch in pending for entity in batch]
        wait_until_visible(client, entities, timeout=900)
        lost, duplicated, unindexed = _count_in_atlas(client, prefix, _expected_names(events))
    assert (lost, duplicated, unindexed) == (0, 0, 0)
