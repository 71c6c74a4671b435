"""The bulk planner keeps entities linked by placeholder guids in the same request."""

from __future__ import annotations

import pytest

from atlas_ml.client import PlanError, plan_batches

pytestmark = pytest.mark.unit


def dataset(guid: str) -> dict:
    return {"typeName": "DataSet", "guid": guid, "attributes": {"qualifiedName": f"ds{guid}"}}


def process(guid: str, inputs: list[str], outputs: list[str]) -> dict:
    def ref(g: str) -> dict:
        return {"typeName": "DataSet", "guid": g}

    return {
        "typeName": "Process",
        "guid": guid,
        "attributes": {
            "qualifiedName": f"p{guid}",
            "inputs": [ref(g) for g in inputs],
            "outputs": [ref(g) for g in outputs],
        },
    }


def batch_of(batches: list[list[dict]], guid: str) -> int:
    return next(i for i, batch in enumerate(batches) if any(e["guid"] == guid for e in batch))


def test_linked_entities_share_a_batch_even_when_far_apart_in_the_input():
    entities = [dataset("-1"), dataset("-2"), dataset("-3"), dataset("-4")]
    entities.append(process("-5", ["-1"], ["-4"]))
    batches = plan_batches(entities, batch_size=2)
    assert batch_of(batches, "-1") == batch_of(batches, "-4") == batch_of(batches, "-5")
    assert sorted(e["guid"] for b in batches for e in b) == ["-1", "-2", "-3", "-4", "-5"]


def test_chains_through_several_processes_form_one_component():
    entities = [
        dataset("-1"),
        process("-2", ["-1"], ["-3"]),
        dataset("-3"),
        process("-4", ["-3"], ["-5"]),
        dataset("-5"),
        dataset("-6"),
    ]
    batches = plan_batches(entities, batch_size=3)
    assert len({batch_of(batches, g) for g in ("-1", "-2", "-3", "-4", "-5")}) == 1


def test_component_larger_than_batch_size_goes_whole_in_its_own_batch():
    big = [dataset(f"-{i}") for i in range(1, 6)] + [
        process("-9", ["-1", "-2"], ["-3", "-4", "-5"])
    ]
    lone = [dataset("-20"), dataset("-21")]
    batches = plan_batches(lone[:1] + big + lone[1:], batch_size=3)
    sizes = sorted(len(b) for b in batches)
    assert 6 in sizes
    assert all(len(b) <= 3 for b in batches if b[0]["guid"] in ("-20", "-21"))


def test_unlinked_entities_fill_batches_up_to_the_size():
    batches = plan_batches([dataset(f"-{i}") for i in range(1, 11)], batch_size=4)
    assert [len(b) for b in batches] == [4, 4, 2]


def test_references_by_unique_attributes_do_not_link():
    by_name = {"typeName": "DataSet", "uniqueAttributes": {"qualifiedName": "x"}}
    entities = [
        {
            "typeName": "Process",
            "guid": "-1",
            "attributes": {"qualifiedName": "p", "inputs": [by_name]},
        },
        dataset("-2"),
    ]
    assert [len(b) for b in plan_batches(entities, batch_size=1)] == [1, 1]


def test_reference_to_undefined_placeholder_is_refused_with_the_entity_named():
    with pytest.raises(PlanError, match=r"Process 'p-1'.*-7"):
        plan_batches([process("-1", ["-7"], [])], batch_size=10)


def test_duplicate_placeholder_is_refused():
    with pytest.raises(PlanError, match="used by two entities"):
        plan_batches([dataset("-1"), dataset("-1")], batch_size=10)
