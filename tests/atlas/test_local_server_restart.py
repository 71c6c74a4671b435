"""A stopped local Atlas comes back with its metadata: ``stop`` exports, ``start`` imports.

This runs a second local server (own home, own ports) beside the one the suite uses, so that
stopping it disturbs nothing else.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from side_server import side_server

from atlas_ml.client import AtlasClient
from atlas_ml.config import AtlasConfig
from atlas_ml.server.local import LocalAtlas, ServerError

pytestmark = pytest.mark.atlas


@pytest.fixture(scope="module")
def second_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAtlas]:
    server = side_server(tmp_path_factory.mktemp("atlas-restart"))
    server.start(fresh=True, quiet=True)
    try:
        yield server
    finally:
        server.stop(grace=30)


def _client(server: LocalAtlas) -> AtlasClient:
    return AtlasClient(AtlasConfig(url=server.url, username="admin", password="admin"))


def _path_entity(name: str, classification: str | None = None) -> dict:
    entity: dict = {
        "typeName": "hdfs_path",
        "attributes": {"qualifiedName": f"{name}@primary", "name": name, "path": name},
    }
    if classification:
        entity["classifications"] = [{"typeName": classification}]
    return entity


def test_stop_saves_a_snapshot_and_start_restores_entities_lineage_and_classifications(
    second_server: LocalAtlas,
) -> None:
    client = _client(second_server)
    client.typedefs.create(
        {"classificationDefs": [{"name": "RestartCheck", "superTypes": [], "attributeDefs": []}]}
    )
    raw, clean = f"/raw/{uuid.uuid4().hex}", f"/clean/{uuid.uuid4().hex}"
    process = {
        "typeName": "Process",
        "attributes": {
            "qualifiedName": f"clean-{uuid.uuid4().hex}@primary",
            "name": "clean",
            "inputs": [
                {"typeName": "hdfs_path", "uniqueAttributes": {"qualifiedName": f"{raw}@primary"}}
            ],
            "outputs": [
                {"typeName": "hdfs_path", "uniqueAttributes": {"qualifiedName": f"{clean}@primary"}}
            ],
        },
    }
    paths = client.entities.upsert([_path_entity(raw, "RestartCheck"), _path_entity(clean)])
    client.entities.upsert([process])
    clean_guid = paths.guids[f"{clean}@primary"]

    saved = second_server.save_snapshot()
    assert saved.entities >= 3 and second_server.snapshot_file.exists()
    second_server.stop(grace=30)
    second_server.start(quiet=True)  # no --fresh: restore

    assert second_server.restored is not None and second_server.restored.entities >= 3
    assert not second_server.snapshot_file.exists()  # retired: never restored twice
    assert second_server.previous_snapshot_file.exists()
    client = _client(second_server)
    restored = client.entities.get(clean_guid)["entity"]  # same guid as before the restart
    assert restored["attributes"]["qualifiedName"] == f"{clean}@primary"
    upstream = client.lineage.get(clean_guid, direction="INPUT", depth=3)
    names = {entity["attributes"]["qualifiedName"] for entity in upstream.entities.values()}
    assert f"{raw}@primary" in names
    raw_entity = client.entities.get_by_unique_attribute("hdfs_path", f"{raw}@primary")["entity"]
    assert [c["typeName"] for c in raw_entity["classifications"]] == ["RestartCheck"]


def test_start_refuses_data_that_no_snapshot_saved_and_names_the_fix(
    second_server: LocalAtlas,
) -> None:
    second_server.stop(grace=30)  # like --no-snapshot, or a crash
    with pytest.raises(ServerError, match="--fresh") as refused:
        second_server.start(quiet=True)
    assert str(second_server.previous_snapshot_file) in str(refused.value)
    assert not second_server.is_running()
    second_server.start(fresh=True, quiet=True)
    assert second_server.is_running()
