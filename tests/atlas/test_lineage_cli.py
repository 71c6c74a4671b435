"""``atlas-ml lineage`` against the real Atlas: what it finds and how it labels the tree.

Every test records its own entities under the ``unique`` prefix (files under its own
``tmp_path``), so tests never see each other's lineage.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from atlas_ml import naming
from atlas_ml.cli.lineage import command
from atlas_ml.client import AtlasClient

pytestmark = pytest.mark.atlas


def _cli(client: AtlasClient, target: str) -> Result:
    """``atlas-ml lineage TARGET`` as a user would type it, in the test client's namespace."""
    config = client.config
    connection = ["--url", config.url, "--user", str(config.username)]
    env = {"ATLAS_NAMESPACE": config.namespace, "COLUMNS": "400"}
    return CliRunner(env=env).invoke(
        command,
        [target, *connection, "--password", str(config.password)],
        catch_exceptions=False,
    )


def _record_pii_file(client: AtlasClient, location: str) -> str:
    """The hdfs_path Atlas's hooks would record for ``location``, classified PII; its guid."""
    dataset = naming.physical_dataset(location, client.config.namespace)
    guid = client.entities.upsert([dataset.entity()]).guids[dataset.qualified_name]
    client.entities.add_classifications(guid, [{"typeName": "PII", "propagate": True}])
    return guid


@pytest.fixture
def pii_csv(atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path) -> Path:
    csv = tmp_path / f"{unique}.csv"
    csv.write_text("name\nAda\n")
    _record_pii_file(atlas_client, str(csv))
    return csv


@pytest.mark.parametrize("as_typed", [str, Path.as_uri, lambda p: f"file:{p}"])
def test_a_plain_path_or_file_uri_shows_the_lineage_of_the_recorded_file(
    atlas_client: AtlasClient, pii_csv: Path, as_typed: Callable[[Path], str]
) -> None:
    outcome = _cli(atlas_client, as_typed(pii_csv))

    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.startswith(f"{pii_csv} hdfs_path")


def test_an_hdfs_uri_shows_the_lineage_of_its_hdfs_path(
    atlas_client: AtlasClient, project_types: None, unique: str
) -> None:
    location = f"hdfs://nn-{unique}:8020/warehouse/{unique}"
    guid = _record_pii_file(atlas_client, location)

    outcome = _cli(atlas_client, location)

    assert outcome.exit_code == 0, outcome.output
    assert f"detailPage/{guid}" in outcome.output


def test_an_unrecorded_path_says_which_name_it_looked_for(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    missing = tmp_path / "never-recorded.csv"
    name = naming.physical_dataset(str(missing), atlas_client.config.namespace).qualified_name

    outcome = _cli(atlas_client, str(missing))

    assert outcome.exit_code == 1
    assert f"no hdfs_path {name!r}" in outcome.output
    assert atlas_client.config.url in outcome.output


def test_the_root_of_a_file_without_upstream_shows_its_classification(
    atlas_client: AtlasClient, pii_csv: Path
) -> None:
    name = naming.physical_dataset(str(pii_csv), atlas_client.config.namespace).qualified_name

    outcome = _cli(atlas_client, name)

    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.splitlines()[0] == f"{pii_csv} hdfs_path PII"


def test_a_classification_propagated_from_two_sources_is_shown_once(
    atlas_client: AtlasClient, project_types: None, unique: str
) -> None:
    def dataset(guid: str, name: str) -> dict:
        return {
            "typeName": "DataSet",
            "guid": guid,
            "attributes": {"qualifiedName": f"{unique}.{name}", "name": f"{unique}-{name}"},
        }

    process = {
        "typeName": "Process",
        "guid": "-4",
        "attributes": {
            "qualifiedName": f"{unique}.join",
            "name": f"{unique}-join",
            "inputs": [{"typeName": "DataSet", "guid": g} for g in ("-1", "-2")],
            "outputs": [{"typeName": "DataSet", "guid": "-3"}],
        },
    }
    entities = [dataset("-1", "left"), dataset("-2", "right"), dataset("-3", "joined"), process]
    guids = atlas_client.entities.upsert(entities).guids
    for source in ("left", "right"):
        atlas_client.entities.add_classifications(
            guids[f"{unique}.{source}"], [{"typeName": "PII", "propagate": True}]
        )

    outcome = _cli(atlas_client, guids[f"{unique}.joined"])

    assert outcome.exit_code == 0, outcome.output
    lines = outcome.output.splitlines()
    assert lines[0] == f"{unique}-joined DataSet PII"
    assert lines[1].endswith(f"{unique}-join Process PII")


def test_a_name_two_entities_share_lists_both_instead_of_guessing(
    atlas_client: AtlasClient, project_types: None, unique: str
) -> None:
    def named(cluster: str) -> dict:
        location = f"hdfs://nn-{unique}:8020/{cluster}/shared"
        entity = naming.physical_dataset(location, cluster).entity()
        entity["attributes"]["name"] = f"{unique}-shared"
        return entity

    atlas_client.entities.upsert([named("east"), named("west")])

    outcome = _cli(atlas_client, f"{unique}-shared")

    assert outcome.exit_code == 1
    assert f"'{unique}-shared' is the name of 2 entities" in outcome.output
    assert "@east" in outcome.output and "@west" in outcome.output
