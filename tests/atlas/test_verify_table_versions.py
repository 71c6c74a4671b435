"""``verify`` of a model trained on one version of a Delta table, an Iceberg table or DVC data,
after the data moved on: the recorded version is read back by time travel through the
systems' own libraries (deltalake, pyiceberg, dvc), and a version that was vacuumed, expired
or garbage-collected is UNRECOVERABLE with the setting that would have kept it.

Every table is written by its own library (tables written by Spark:
tests/spark/test_spark_written_tables.py).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner
from deltalake import DeltaTable, write_deltalake
from pyiceberg.catalog.sql import SqlCatalog
from sklearn.linear_model import LinearRegression

from atlas_ml.cli.pin import command as pin_command
from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool
from atlas_ml.naming import model_version_name
from atlas_ml.tracking import training_run
from atlas_ml.verify import Status, verify

pytestmark = pytest.mark.atlas

HOUSING = Path(__file__).resolve().parents[2] / "examples" / "data" / "housing.csv"
FEATURES = ["median_income", "housing_median_age"]
TARGET = "median_house_value"


def _housing(rows: int = 200) -> pd.DataFrame:
    return pd.read_csv(HOUSING, nrows=rows)[[*FEATURES, TARGET]]


def _train(client: AtlasClient, data: Path, name: str, tmp_path: Path) -> str:
    """A linear model trained on the table at ``data`` as it is now; its model version."""
    frame = _read(data)
    with training_run(name, client=client, spool=Spool(tmp_path / "spool")) as run:
        run.use(data, role="train")
        model = LinearRegression().fit(frame[FEATURES], frame[TARGET])
        recorded = run.log_model(model, name=name, directory=tmp_path / "model")
    assert run.delivery is not None and run.delivery.remaining == 0, run.delivery
    return model_version_name(name, recorded.artifact.sha256, client.config.namespace)


def _read(data: Path) -> pd.DataFrame:
    if (data / "_delta_log").is_dir():
        return DeltaTable(str(data)).to_pandas()
    if data.is_file():
        return pd.read_csv(data)
    return pd.concat(pd.read_parquet(p) for p in sorted((data / "data").glob("*.parquet")))


def _only(report_results: list) -> object:  # type: ignore[type-arg]
    (result,) = report_results
    return result


# --- Delta ------------------------------------------------------------------------------------


def test_delta_version_0_still_verifies_after_a_row_is_appended(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    table = tmp_path / "houses"
    write_deltalake(str(table), _housing())
    model_version = _train(atlas_client, table, f"{unique}-delta", tmp_path)
    write_deltalake(str(table), _housing(201).tail(1), mode="append")  # version 1

    report = verify(atlas_client, model_version)

    result = _only(report.results)
    assert result.status is Status.VERIFIED, result.to_dict()
    assert result.version.version_pointer == "0"
    assert any(
        "moved on to 1" in note and "Delta version 0 back by time travel through deltalake" in note
        for note in result.notes
    ), result.notes
    assert result.row_count == (200, 200)
    entity = atlas_client.entities.get_by_unique_attribute(
        "atlasml_dataset_version", result.version.qualified_name
    )
    assert entity["entity"]["attributes"]["verificationStatus"] == "VERIFIED"


def test_a_vacuumed_delta_version_is_unrecoverable_naming_the_retention_setting(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    table = tmp_path / "houses"
    write_deltalake(str(table), _housing())
    model_version = _train(atlas_client, table, f"{unique}-vacuum", tmp_path)
    write_deltalake(str(table), _housing(50), mode="overwrite")
    DeltaTable(str(table)).vacuum(
        retention_hours=0, enforce_retention_duration=False, dry_run=False
    )

    report = verify(atlas_client, model_version)

    result = _only(report.results)
    assert result.status is Status.UNRECOVERABLE
    assert "Delta version 0 is listed but its data files are gone (VACUUM removed" in (
        result.summary
    )
    assert "delta.deletedFileRetentionDuration" in result.summary
    assert report.exit_code == 2


def test_a_delta_version_whose_log_was_cleaned_up_is_unrecoverable(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    table = tmp_path / "houses"
    write_deltalake(str(table), _housing())
    model_version = _train(atlas_client, table, f"{unique}-logclean", tmp_path)
    for rows in (201, 202):
        write_deltalake(str(table), _housing(rows).tail(1), mode="append")
    delta = DeltaTable(str(table))
    delta.alter.set_table_properties({"delta.logRetentionDuration": "interval 0 seconds"})
    delta = DeltaTable(str(table))
    delta.create_checkpoint()
    delta.cleanup_metadata()

    result = _only(verify(atlas_client, model_version, write_back=False).results)

    assert result.status is Status.UNRECOVERABLE
    assert "its commit log was cleaned up" in result.summary
    assert "delta.logRetentionDuration" in result.summary


def test_pin_of_a_delta_version_warns_with_the_retention_properties(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    table = tmp_path / "houses"
    write_deltalake(str(table), _housing())
    model_version = _train(atlas_client, table, f"{unique}-pin-delta", tmp_path)

    outcome = CliRunner().invoke(pin_command, [model_version, *_auth(atlas_client)])

    assert outcome.exit_code == 1, outcome.output
    assert "Delta version 0" in outcome.output
    assert "delta.deletedFileRetentionDuration" in outcome.output
    assert "delta.logRetentionDuration" in outcome.output


# --- Iceberg ----------------------------------------------------------------------------------


def _catalog(tmp_path: Path) -> SqlCatalog:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir(exist_ok=True)
    return SqlCatalog(
        "versions", uri=f"sqlite:///{warehouse}/catalog.db", warehouse=warehouse.as_uri()
    )


def _iceberg_table(tmp_path: Path) -> tuple[SqlCatalog, Path]:
    catalog = _catalog(tmp_path)
    catalog.create_namespace("ml")
    rows = pa.Table.from_pandas(_housing(), preserve_index=False)
    table = catalog.create_table("ml.houses", schema=rows.schema)
    table.append(rows)
    return catalog, Path(table.location().removeprefix("file://"))


def test_iceberg_snapshot_still_verifies_after_an_append(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    catalog, location = _iceberg_table(tmp_path)
    recorded_snapshot = catalog.load_table("ml.houses").current_snapshot().snapshot_id
    model_version = _train(atlas_client, location, f"{unique}-iceberg", tmp_path)
    more = pa.Table.from_pandas(_housing(201).tail(1), preserve_index=False)
    catalog.load_table("ml.houses").append(more)

    result = _only(verify(atlas_client, model_version).results)

    assert result.status is Status.VERIFIED, result.to_dict()
    assert result.version.version_pointer == str(recorded_snapshot)
    assert any("Iceberg snapshot" in n and "through pyiceberg" in n for n in result.notes)


def test_an_expired_iceberg_snapshot_is_unrecoverable_unless_pinned(
    atlas_client: AtlasClient,
    project_types: None,
    unique: str,
    tmp_path: Path,
) -> None:
    catalog, location = _iceberg_table(tmp_path)
    model_version = _train(atlas_client, location, f"{unique}-expire", tmp_path)
    more = pa.Table.from_pandas(_housing(300).tail(100), preserve_index=False)

    pinned = CliRunner().invoke(
        pin_command,
        [
            model_version,
            "--iceberg-catalog",
            "versions",
            "--iceberg-property",
            "type=sql",
            "--iceberg-property",
            f"uri=sqlite:///{tmp_path}/warehouse/catalog.db",
            *_auth(atlas_client),
        ],
    )
    assert pinned.exit_code == 0, pinned.output
    assert "tagged Iceberg snapshot" in pinned.output
    catalog.load_table("ml.houses").overwrite(more)
    _expire_all_but_current(catalog)
    kept = _only(verify(atlas_client, model_version, write_back=False).results)
    assert kept.status is Status.VERIFIED, kept.to_dict()

    table = catalog.load_table("ml.houses")
    for tag in [name for name, ref in table.refs().items() if ref.snapshot_ref_type == "tag"]:
        table.manage_snapshots().remove_tag(tag).commit()
    _expire_all_but_current(catalog)
    gone = _only(verify(atlas_client, model_version, write_back=False).results)
    assert gone.status is Status.UNRECOVERABLE
    assert "has been expired" in gone.summary
    assert "history.expire.max-snapshot-age-ms" in gone.summary


def _expire_all_but_current(catalog: SqlCatalog) -> None:
    table = catalog.load_table("ml.houses")
    later = datetime.now(timezone.utc) + timedelta(seconds=1)
    table.maintenance.expire_snapshots().older_than(later).commit()


# --- DVC --------------------------------------------------------------------------------------


def _dvc(repo: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "dvc", *args], cwd=repo, check=True, capture_output=True)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_dvc_data_re_added_still_verifies_from_the_cache_until_gc(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _dvc(repo, "init", "-q")
    data = repo / "housing.csv"
    _housing().to_csv(data, index=False)
    _dvc(repo, "add", "housing.csv")
    model_version = _train(atlas_client, data, f"{unique}-dvc", tmp_path)
    _housing(201).to_csv(data, index=False)
    _dvc(repo, "add", "housing.csv")

    kept = _only(verify(atlas_client, model_version, write_back=False).results)
    assert kept.status is Status.VERIFIED, kept.to_dict()
    assert kept.row_count == (200, 200)
    assert any("DVC object" in n and "through dvc" in n for n in kept.notes), kept.notes

    _dvc(repo, "gc", "--workspace", "--force")
    gone = _only(verify(atlas_client, model_version, write_back=False).results)
    assert gone.status is Status.UNRECOVERABLE
    assert "is not in the DVC cache" in gone.summary and "dvc pull" in gone.summary


def _auth(client: AtlasClient) -> list[str]:
    return ["--url", client.config.url]
