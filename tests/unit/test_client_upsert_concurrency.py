"""Concurrent bulk upserts keep the order Atlas needs and merge guids deterministically.

A recording transport stands in for the network: it records when each request starts and
ends and answers with the guid assignments Atlas would give. It checks the client's
scheduling, not Atlas behaviour (that is tested against the real server in tests/atlas).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from atlas_ml.client.batching import batch_dependencies, plan_batches
from atlas_ml.client.entities import EntitiesAPI
from atlas_ml.client.errors import AtlasUnavailable
from atlas_ml.client.scheduling import run_in_dependency_order
from atlas_ml.config import AtlasConfig

pytestmark = pytest.mark.unit


def dataset(name: str, guid: str | None = None) -> dict[str, Any]:
    entity: dict[str, Any] = {"typeName": "DataSet", "attributes": {"qualifiedName": name}}
    if guid:
        entity["guid"] = guid
    return entity


def by_name(name: str) -> dict[str, Any]:
    return {"typeName": "DataSet", "uniqueAttributes": {"qualifiedName": name}}


def process(name: str, inputs: list[dict[str, Any]], outputs: list[dict[str, Any]]) -> dict:
    return {
        "typeName": "Process",
        "attributes": {"qualifiedName": name, "inputs": inputs, "outputs": outputs},
    }


class RecordingTransport:
    """Answers ``POST /v2/entity/bulk`` like Atlas would and records start/end of each."""

    def __init__(self, delays: dict[str, float] | None = None, fail_on: str = "") -> None:
        self.config = AtlasConfig(upsert_workers=3)
        self.delays = delays or {}
        self.fail_on = fail_on
        self.events: list[tuple[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def request(self, method: str, path: str, *, json: Any = None, **_: Any) -> Any:
        assert (method, path) == ("POST", "/v2/entity/bulk")
        first = json["entities"][0]["attributes"]["qualifiedName"]
        with self._lock:
            self.events.append(("start", first))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        time.sleep(self.delays.get(first, 0.01))
        with self._lock:
            self.events.append(("end", first))
            self.in_flight -= 1
        if first == self.fail_on:
            raise AtlasUnavailable(f"batch {first} refused")
        assignments: dict[str, str] = {}
        headers = []
        for entity in json["entities"]:
            name = entity["attributes"]["qualifiedName"]
            guid = f"guid-{name}"
            if str(entity.get("guid", "")).startswith("-"):
                assignments[entity["guid"]] = guid
            headers.append({"guid": guid, "attributes": {"qualifiedName": name}})
        return {"guidAssignments": assignments, "mutatedEntities": {"CREATE": headers}}

    def ended_before_started(self, earlier: str, later: str) -> bool:
        return self.events.index(("end", earlier)) < self.events.index(("start", later))


def test_batches_that_share_no_entity_have_no_dependencies():
    batches = [[dataset("a", "-1")], [dataset("b", "-2")], [dataset("c", "-3")]]
    assert batch_dependencies(batches) == [set(), set(), set()]


def test_reference_by_qualified_name_waits_for_the_batch_that_writes_it():
    batches = [[dataset("raw")], [dataset("other")], [process("p", [by_name("raw")], [])]]
    assert batch_dependencies(batches) == [set(), set(), {0}]


def test_same_qualified_name_written_twice_is_sent_in_input_order():
    batches = [[dataset("x")], [dataset("y")], [dataset("x")]]
    assert batch_dependencies(batches)[2] == {0}


def test_shared_reference_to_an_existing_entity_orders_the_batches():
    batches = [
        [process("p1", [by_name("existing")], [])],
        [process("p2", [by_name("existing")], [])],
    ]
    assert batch_dependencies(batches) == [set(), {0}]


def test_reference_by_real_guid_orders_batches_that_touch_that_entity():
    stored = {"typeName": "DataSet", "guid": "5f0c-11aa"}
    batches = [[process("p1", [stored], [])], [dataset("z")], [process("p2", [], [stored])]]
    assert batch_dependencies(batches) == [set(), set(), {0}]


def test_reference_nested_in_relationship_attributes_is_found():
    entity = {
        "typeName": "Process",
        "attributes": {"qualifiedName": "p"},
        "relationshipAttributes": {"inputs": [{"entity": by_name("raw")}]},
    }
    batches = [[dataset("raw")], [entity]]
    assert batch_dependencies(batches) == [set(), {0}]


def test_reference_by_other_unique_attributes_waits_for_every_earlier_batch():
    odd = {"typeName": "hive_db", "uniqueAttributes": {"name": "sales"}}
    batches = [[dataset("a")], [dataset("b")], [process("p", [odd], [])]]
    assert batch_dependencies(batches)[2] == {0, 1}


def test_chain_of_shared_names_depends_on_the_latest_writer_only():
    batches = [[dataset("x")], [dataset("x")], [dataset("x")]]
    assert batch_dependencies(batches) == [set(), {0}, {1}]


def test_scheduler_never_starts_an_item_before_its_dependencies_finish():
    log: list[tuple[str, int]] = []
    lock = threading.Lock()

    def send(item: int) -> int:
        with lock:
            log.append(("start", item))
        time.sleep(0.03 if item == 0 else 0.005)
        with lock:
            log.append(("end", item))
        return item * 10

    results = run_in_dependency_order(list(range(5)), [set(), set(), {0}, set(), {2}], send, 3)
    assert results == [0, 10, 20, 30, 40]
    assert log.index(("end", 0)) < log.index(("start", 2))
    assert log.index(("end", 2)) < log.index(("start", 4))
    assert log.index(("start", 3)) < log.index(("end", 0)), "independent item 3 was held back"


def test_scheduler_refuses_dependencies_on_later_items():
    with pytest.raises(ValueError, match="earlier items"):
        run_in_dependency_order([1, 2], [{1}, set()], lambda item: item, 2)


def test_scheduler_raises_the_lowest_failure_and_starts_nothing_after_it():
    started: list[int] = []

    def send(item: int) -> int:
        started.append(item)
        if item in (1, 2):
            time.sleep(0.03 if item == 1 else 0.0)
            raise RuntimeError(f"item {item} failed")
        time.sleep(0.02)
        return item

    with pytest.raises(RuntimeError, match="item 1 failed"):
        run_in_dependency_order(list(range(6)), [set()] * 6, send, 3)
    assert sorted(started) == [0, 1, 2]


def test_independent_batches_are_in_flight_together_up_to_the_worker_count():
    transport = RecordingTransport()
    api = EntitiesAPI(transport, batch_size=1)  # type: ignore[arg-type]
    entities = [dataset(f"d{i}", f"-{i + 1}") for i in range(9)]
    result = api.upsert(entities)
    assert transport.max_in_flight == 3 == api.workers
    assert result.batches == 9
    assert result.guids == {f"d{i}": f"guid-d{i}" for i in range(9)}


def test_one_worker_sends_batches_strictly_one_after_another():
    transport = RecordingTransport()
    api = EntitiesAPI(transport, batch_size=1, workers=1)  # type: ignore[arg-type]
    api.upsert([dataset(f"d{i}", f"-{i + 1}") for i in range(4)])
    assert transport.max_in_flight == 1
    assert [name for kind, name in transport.events if kind == "start"] == [
        "d0",
        "d1",
        "d2",
        "d3",
    ]


def test_batch_referring_to_an_entity_of_a_slow_batch_waits_for_it():
    transport = RecordingTransport(delays={"raw": 0.1})
    api = EntitiesAPI(transport, batch_size=1)  # type: ignore[arg-type]
    entities = [dataset("raw"), dataset("b"), process("p", [by_name("raw")], []), dataset("c")]
    api.upsert(entities)
    assert transport.ended_before_started("raw", "p")
    assert not transport.ended_before_started("raw", "b")


def test_guid_map_is_the_same_whatever_order_answers_arrive_in():
    names = [f"d{i}" for i in range(8)]
    delays = {name: 0.002 * (8 - i) for i, name in enumerate(names)}
    entities = [dataset(name, f"-{i + 1}") for i, name in enumerate(names)]
    concurrent = EntitiesAPI(RecordingTransport(delays), batch_size=2).upsert(entities)  # type: ignore[arg-type]
    sequential = EntitiesAPI(RecordingTransport(), batch_size=2, workers=1).upsert(entities)  # type: ignore[arg-type]
    assert list(concurrent.guids.items()) == list(sequential.guids.items())
    assert list(concurrent.placeholders.items()) == list(sequential.placeholders.items())
    assert concurrent.created == sequential.created == 8


def test_failed_batch_raises_and_later_batches_are_not_started():
    transport = RecordingTransport(delays={"d0": 0.0}, fail_on="d0")
    api = EntitiesAPI(transport, batch_size=1)  # type: ignore[arg-type]
    with pytest.raises(AtlasUnavailable, match="batch d0 refused"):
        api.upsert([dataset(f"d{i}", f"-{i + 1}") for i in range(10)])
    started = {name for kind, name in transport.events if kind == "start"}
    assert started == {"d0", "d1", "d2"}


def test_placeholder_linked_entities_still_travel_in_one_batch_when_concurrent():
    raw = dataset("raw", "-1")
    out = dataset("out", "-2")
    link = process(
        "p",
        [{"typeName": "DataSet", "guid": "-1"}],
        [{"typeName": "DataSet", "guid": "-2"}],
    )
    batches = plan_batches([raw, dataset("x", "-3"), out, link], batch_size=2)
    transport = RecordingTransport()
    api = EntitiesAPI(transport, batch_size=2)  # type: ignore[arg-type]
    result = api.upsert([raw, dataset("x", "-3"), out, link])
    assert any(
        {e["attributes"]["qualifiedName"] for e in b} >= {"raw", "out", "p"} for b in batches
    )
    assert set(result.guids) == {"raw", "x", "out", "p"}


def test_workers_below_one_are_refused_in_the_config():
    from atlas_ml.config import ConfigError

    with pytest.raises(ConfigError, match=r"upsert_workers .* must be at least 1"):
        AtlasConfig(upsert_workers=0)
