"""How custody checks read Atlas (custody/reads.py): requests planned per level, not per run."""

from __future__ import annotations

from typing import Any

import pytest

from atlas_ml.custody import reads
from atlas_ml.custody.reads import read_by_name, read_runs

pytestmark = pytest.mark.unit

RUN = "atlasml_training_run"
STEP, VERSION = "atlasml_transform", "atlasml_dataset_version"


class Entities:
    """Stands in for ``client.entities``: answers from ``held``, records every request."""

    def __init__(self, held: list[dict[str, Any]]) -> None:
        self.held = held
        self.requests: list[tuple[str, str | None, tuple[str, ...], bool]] = []

    def get_bulk(self, guids: list[str]) -> list[dict[str, Any]]:
        self.requests.append(("guid", None, tuple(guids), False))
        return [e for e in self.held if e["guid"] in guids]

    def get_bulk_by_unique_attributes(
        self, type_name: str, names: list[str], *, ignore_relationships: bool = False
    ) -> list[dict[str, Any]]:
        self.requests.append(("name", type_name, tuple(names), ignore_relationships))
        found = {}
        for entity in self.held:  # like Atlas: the first entity of that name under the type
            name = entity["attributes"]["qualifiedName"]
            if (
                name in names
                and name not in found
                and type_name in (reads.ANY_TYPE, entity["typeName"])
            ):
                found[name] = entity
        return list(found.values())


class Client:
    def __init__(self, held: list[dict[str, Any]]) -> None:
        self.entities = Entities(held)


def _entity(type_name: str, name: str, guid: str | None = None) -> dict[str, Any]:
    return {
        "typeName": type_name,
        "guid": guid or f"g-{name}",
        "attributes": {"qualifiedName": name},
    }


def test_named_entities_are_read_50_a_request_with_relationships_only_where_links_are_signed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps = [(STEP, f"step{i}") for i in range(3)]
    versions = [(VERSION, f"version{i}") for i in range(120)]
    client = Client([_entity(t, n) for t, n in steps + versions])

    found = read_by_name(client, steps, versions)  # type: ignore[arg-type]

    assert set(found) == set(steps + versions)
    asked = sorted((len(names), ignore) for _, _, names, ignore in client.entities.requests)
    assert asked == [(3, False), (20, True), (50, True), (50, True)]


def test_an_entity_hidden_by_another_type_of_the_same_name_is_read_by_its_own_type() -> None:
    shadow, wanted = _entity("some_other_type", "same"), _entity(VERSION, "same", "g-wanted")
    client = Client([shadow, wanted])

    found = read_by_name(client, [], [(VERSION, "same")])  # type: ignore[arg-type]

    assert found[(VERSION, "same")]["guid"] == "g-wanted"
    assert client.entities.requests[-1] == ("name", VERSION, ("same",), True)


def test_runs_are_found_by_guid_and_by_name_and_missing_ones_are_absent() -> None:
    by_guid = _entity(RUN, "p.run.1@primary", "0b9d3a4e-56b1-4c37-9a43-7fd3b0c7d8e2")
    by_name = _entity(RUN, "p.run.2@primary")
    client = Client([by_guid, by_name])
    refs = [by_guid["guid"], "p.run.2@primary", "p.run.3@primary"]

    found = read_runs(client, refs, RUN)  # type: ignore[arg-type]

    assert found == {by_guid["guid"]: by_guid, "p.run.2@primary": by_name}
    assert len(client.entities.requests) == 2
