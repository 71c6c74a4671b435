"""Bulk upserts, reads, classifications and errors against the real Atlas."""

from __future__ import annotations

import pytest

from atlas_ml.client import AtlasAuthError, AtlasClient, AtlasNotFound
from atlas_ml.config import AtlasConfig

pytestmark = pytest.mark.atlas


def ref(guid: str) -> dict:
    return {"typeName": "DataSet", "guid": guid}


def lineage_entities(prefix: str, chains: int) -> list[dict]:
    """``chains`` x (source, process, target, consumer process): 4 entities per chain.

    Every dataset comes first and every process last, so linked entities sit far apart in
    the input; each chain's consumer also reads the NEXT chain's target, linking chains
    pairwise into components of 8 entities.
    """
    datasets, processes = [], []
    for i in range(chains):
        src, dst = f"-{4 * i + 1}", f"-{4 * i + 2}"
        for guid, role in ((src, "src"), (dst, "dst")):
            datasets.append(
                {
                    "typeName": "DataSet",
                    "guid": guid,
                    "attributes": {"qualifiedName": f"{prefix}.{role}{i}", "name": f"{role}{i}"},
                }
            )
        processes.append(
            {
                "typeName": "Process",
                "guid": f"-{4 * i + 3}",
                "attributes": {
                    "qualifiedName": f"{prefix}.make{i}",
                    "name": f"make{i}",
                    "inputs": [ref(src)],
                    "outputs": [ref(dst)],
                },
            }
        )
        partner = i + 1 if i % 2 == 0 else i - 1
        processes.append(
            {
                "typeName": "Process",
                "guid": f"-{4 * i + 4}",
                "attributes": {
                    "qualifiedName": f"{prefix}.use{i}",
                    "name": f"use{i}",
                    "inputs": [ref(dst), ref(f"-{4 * partner + 2}")],
                    "outputs": [],
                },
            }
        )
    return datasets + processes


def test_thousand_linked_entities_over_several_batches_all_get_guids(atlas_client, unique):
    entities = lineage_entities(unique, 250)
    assert len(entities) == 1000
    result = atlas_client.entities.upsert(entities, batch_size=100)
    assert result.batches >= 10
    assert len(result.guids) == 1000
    assert len(set(result.guids.values())) == 1000
    assert len(result.placeholders) == 1000
    assert result.created == 1000

    consumer = atlas_client.entities.get(result.guids[f"{unique}.use7"])["entity"]
    inputs = {i["guid"] for i in consumer["attributes"]["inputs"]}
    assert inputs == {result.guids[f"{unique}.dst7"], result.guids[f"{unique}.dst6"]}


def test_repeated_upsert_is_idempotent_and_returns_the_same_guids(atlas_client, unique):
    entities = lineage_entities(unique, 6)
    first = atlas_client.entities.upsert(entities)
    second = atlas_client.entities.upsert(lineage_entities(unique, 6))
    assert second.guids == first.guids
    assert second.created == 0


def test_bulk_get_by_qualified_name_and_classifications(atlas_client, unique, project_types):
    entities = lineage_entities(unique, 2)
    guids = atlas_client.entities.upsert(entities).guids
    names = [f"{unique}.src0", f"{unique}.src1", f"{unique}.missing"]
    found = atlas_client.entities.get_bulk_by_unique_attributes("DataSet", names)
    assert {e["guid"] for e in found} == {guids[names[0]], guids[names[1]]}

    atlas_client.entities.add_classifications(
        guids[f"{unique}.src0"], [{"typeName": "PII", "attributes": {"columns": ["email"]}}]
    )
    atlas_client.entities.add_classification_bulk(
        {"typeName": "UserBehavior", "propagate": False},
        [guids[f"{unique}.src0"], guids[f"{unique}.src1"]],
    )
    src0 = atlas_client.entities.get_by_unique_attribute("DataSet", f"{unique}.src0")["entity"]
    assert {c["typeName"] for c in src0["classifications"]} == {"PII", "UserBehavior"}
    downstream = atlas_client.entities.get(guids[f"{unique}.dst0"])["entity"]
    assert "PII" in {c["typeName"] for c in downstream.get("classifications") or []}


def test_missing_entity_is_not_found_with_atlas_error_code(atlas_client, unique):
    with pytest.raises(AtlasNotFound) as caught:
        atlas_client.entities.get_by_unique_attribute("DataSet", f"{unique}.nothing")
    assert caught.value.error_code and caught.value.error_code.startswith("ATLAS-404")


def test_wrong_password_is_an_auth_error_without_the_password(atlas_server):
    config = AtlasConfig(url=atlas_server.url, username="admin", password="wrong-pw-8832")
    with AtlasClient(config) as client, pytest.raises(AtlasAuthError) as caught:
        client.admin.version()
    assert caught.value.status == 401
    assert "wrong-pw-8832" not in str(caught.value) + repr(caught.value)


def test_admin_status_and_version(atlas_client):
    assert atlas_client.admin.status() == "ACTIVE"
    assert atlas_client.admin.version()["Version"].startswith("2.")
