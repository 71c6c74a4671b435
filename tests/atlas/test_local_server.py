"""The local Atlas the project builds is a real, working Apache Atlas."""

from __future__ import annotations

import uuid

import pytest
import requests

from atlas_ml.server.build import DEFAULT_ATLAS_VERSION
from atlas_ml.server.endpoint import AtlasEndpoint

pytestmark = pytest.mark.atlas


def _api(endpoint: AtlasEndpoint) -> tuple[str, tuple[str, str]]:
    return endpoint.url + "/api/atlas", (endpoint.username, endpoint.password)


def _upsert(endpoint: AtlasEndpoint, entities: list[dict]) -> dict:
    base, auth = _api(endpoint)
    response = requests.post(
        f"{base}/v2/entity/bulk", json={"entities": entities}, auth=auth, timeout=60
    )
    response.raise_for_status()
    return response.json()


def test_server_reports_active_and_the_built_version(atlas_server: AtlasEndpoint) -> None:
    base, auth = _api(atlas_server)
    assert requests.get(f"{base}/admin/status", timeout=10).json()["Status"] == "ACTIVE"
    version = requests.get(f"{base}/admin/version", auth=auth, timeout=10).json()["Version"]
    assert version == DEFAULT_ATLAS_VERSION


@pytest.mark.parametrize(
    "type_name", ["DataSet", "Process", "hdfs_path", "fs_path", "spark_process", "hive_table"]
)
def test_stock_models_are_loaded(atlas_server: AtlasEndpoint, type_name: str) -> None:
    base, auth = _api(atlas_server)
    response = requests.get(f"{base}/v2/types/typedef/name/{type_name}", auth=auth, timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == type_name


def test_fs_path_created_by_bulk_upsert_reads_back_by_qualified_name(
    atlas_server: AtlasEndpoint,
) -> None:
    qualified_name = f"/data/raw/{uuid.uuid4().hex}/titanic.csv@local"
    entity = {
        "typeName": "fs_path",
        "attributes": {
            "qualifiedName": qualified_name,
            "name": "titanic.csv",
            "path": qualified_name[:-6],
        },
    }
    created = _upsert(atlas_server, [entity])
    assert len(created["mutatedEntities"]["CREATE"]) == 1

    base, auth = _api(atlas_server)
    response = requests.get(
        f"{base}/v2/entity/uniqueAttribute/type/fs_path",
        params={"attr:qualifiedName": qualified_name},
        auth=auth,
        timeout=10,
    )
    assert response.status_code == 200
    attributes = response.json()["entity"]["attributes"]
    assert attributes["qualifiedName"] == qualified_name
    assert attributes["name"] == "titanic.csv"

    again = _upsert(atlas_server, [entity])
    assert "CREATE" not in again.get("mutatedEntities", {}), (
        "an upsert by qualifiedName is idempotent"
    )


def test_two_hop_process_graph_has_the_expected_lineage_relations(
    atlas_server: AtlasEndpoint,
) -> None:
    run = uuid.uuid4().hex

    def dataset(guid: str, name: str) -> dict:
        return {
            "typeName": "fs_path",
            "guid": guid,
            "attributes": {
                "qualifiedName": f"/lineage/{run}/{name}@local",
                "name": name,
                "path": f"/lineage/{run}/{name}",
            },
        }

    def process(guid: str, name: str, source: str, target: str) -> dict:
        return {
            "typeName": "Process",
            "guid": guid,
            "attributes": {
                "qualifiedName": f"{run}.{name}@local",
                "name": name,
                "inputs": [{"guid": source, "typeName": "fs_path"}],
                "outputs": [{"guid": target, "typeName": "fs_path"}],
            },
        }

    result = _upsert(
        atlas_server,
        [
            dataset("-1", "raw"),
            dataset("-2", "clean"),
            dataset("-3", "features"),
            process("-4", "clean", "-1", "-2"),
            process("-5", "featurize", "-2", "-3"),
        ],
    )
    guids = result["guidAssignments"]
    base, auth = _api(atlas_server)
    lineage = requests.get(
        f"{base}/v2/lineage/{guids['-3']}",
        params={"direction": "INPUT", "depth": 5},
        auth=auth,
        timeout=30,
    ).json()
    edges = {(r["fromEntityId"], r["toEntityId"]) for r in lineage["relations"]}
    assert edges == {
        (guids["-1"], guids["-4"]),
        (guids["-4"], guids["-2"]),
        (guids["-2"], guids["-5"]),
        (guids["-5"], guids["-3"]),
    }
    assert set(lineage["guidEntityMap"]) == {guids[k] for k in ("-1", "-2", "-3", "-4", "-5")}
