"""Lineage parsing and paged search against the real Atlas."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.atlas


def dataset(prefix: str, guid: str, name: str) -> dict:
    return {
        "typeName": "DataSet",
        "guid": guid,
        "attributes": {"qualifiedName": f"{prefix}.{name}", "name": name},
    }


def process(prefix: str, guid: str, name: str, inputs: list[str], outputs: list[str]) -> dict:
    return {
        "typeName": "Process",
        "guid": guid,
        "attributes": {
            "qualifiedName": f"{prefix}.{name}",
            "name": name,
            "inputs": [{"typeName": "DataSet", "guid": g} for g in inputs],
            "outputs": [{"typeName": "DataSet", "guid": g} for g in outputs],
        },
    }


def test_three_level_lineage_is_parsed_and_walked(atlas_client, unique):
    # raw_a, raw_b -> clean -> cleaned -> featurize -> features -> train -> model
    entities = [
        dataset(unique, "-1", "raw_a"),
        dataset(unique, "-2", "raw_b"),
        process(unique, "-3", "clean", ["-1", "-2"], ["-4"]),
        dataset(unique, "-4", "cleaned"),
        process(unique, "-5", "featurize", ["-4"], ["-6"]),
        dataset(unique, "-6", "features"),
        process(unique, "-7", "train", ["-6"], ["-8"]),
        dataset(unique, "-8", "model"),
    ]
    guids = atlas_client.entities.upsert(entities).guids
    g = {name.split(".", 1)[1]: guid for name, guid in guids.items()}

    graph = atlas_client.lineage.get(g["model"], direction="INPUT", depth=5)
    assert graph.base_guid == g["model"]
    assert set(graph.upstream(g["model"])) == {g[n] for n in g if n != "model"}
    assert graph.parents(g["model"]) == [g["train"]]
    assert sorted(graph.qualified_name(x) for x in graph.find("Process")) == [
        f"{unique}.clean",
        f"{unique}.featurize",
        f"{unique}.train",
    ]
    assert graph.paths(g["raw_b"], g["model"]) == [
        [g[n] for n in ("raw_b", "clean", "cleaned", "featurize", "features", "train", "model")]
    ]
    down = atlas_client.lineage.get_by_unique_attribute(
        "DataSet", f"{unique}.raw_a", direction="OUTPUT", depth=5
    )
    assert down.downstream(g["raw_a"])[-1] == g["model"]
    assert g["raw_b"] not in down.entities


def test_search_across_pages_returns_every_hit_exactly_once(atlas_client, unique):
    # No '.' in the prefix: Atlas's Solr tokenizes on it and startsWith would find nothing.
    names = [f"{unique}item{i:02d}@test" for i in range(23)]
    atlas_client.entities.upsert(
        [{"typeName": "DataSet", "attributes": {"qualifiedName": q, "name": q}} for q in names]
    )
    prefix_filter = {
        "attributeName": "qualifiedName",
        "operator": "startsWith",
        "attributeValue": f"{unique}item",
    }
    basic = [
        e["attributes"]["qualifiedName"]
        for e in atlas_client.search.basic("DataSet", entity_filters=prefix_filter, page_size=5)
    ]
    assert sorted(basic) == names

    dsl = [
        e["attributes"]["qualifiedName"]
        for e in atlas_client.search.dsl(
            f"DataSet where qualifiedName like '{unique}item*'", page_size=4
        )
    ]
    assert sorted(dsl) == names

    limited = list(
        atlas_client.search.basic("DataSet", entity_filters=prefix_filter, page_size=5, limit=7)
    )
    assert len(limited) == 7
