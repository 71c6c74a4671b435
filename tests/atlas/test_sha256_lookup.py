"""A file's sha256 finds what Atlas recorded for it (issue 13, defect 11): the dataset versions
that are that file and the models made from them, and a model version by its bytes."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fidelity_support import entity, titanic_copy, train_on

from atlas_ml.cli.lineage import command as lineage_command
from atlas_ml.cli.verify import command as verify_command
from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.atlas


def _cli(client: AtlasClient, command: object, *args: str) -> Result:
    config = client.config
    connection = ["--url", config.url, "--user", str(config.username)]
    return CliRunner(env={"COLUMNS": "400"}).invoke(
        command,  # type: ignore[arg-type]
        [*args, *connection, "--password", str(config.password)],
        catch_exceptions=False,
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_single_file_version_carries_its_sha256_and_lineage_finds_it_by_that(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    csv = titanic_copy(tmp_path / "titanic.csv", unique)
    run = train_on(atlas_client, csv, unique, tmp_path / "spool")
    assert run.delivery is not None
    (version_name,) = [q for q in run.delivery.guids if q.startswith(f"file:{csv}#")]
    version = entity(atlas_client, "atlasml_dataset_version", version_name)
    assert version["attributes"]["fileSha256"] == _sha256(csv)

    shown = _cli(atlas_client, lineage_command, "--downstream", f"sha256:{_sha256(csv).upper()}")

    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"{version['attributes']['name']} atlasml_dataset_version")
    assert f"{unique}@{run.models[0].artifact.sha256[:12]} atlasml_model_version" in shown.output
    verified = _cli(atlas_client, verify_command, f"sha256:{_sha256(csv)}", "--no-write-back")
    assert verified.exit_code == 0, verified.output
    assert "VERIFIED" in verified.output


def test_the_same_bytes_at_two_places_list_both_versions_with_the_models_made_from_each(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    first = titanic_copy(tmp_path / "a" / "titanic.csv", unique)
    second = tmp_path / "b" / "titanic.csv"
    second.parent.mkdir()
    shutil.copyfile(first, second)
    run_a = train_on(atlas_client, first, f"{unique}-a", tmp_path / "s1")
    run_b = train_on(atlas_client, second, f"{unique}-b", tmp_path / "s2")

    listed = _cli(atlas_client, lineage_command, f"sha256:{_sha256(first)}")

    assert listed.exit_code == 0, listed.output
    assert f"2 entities in Atlas have sha256 {_sha256(first)}" in listed.output
    assert f"file:{first}#" in listed.output and f"file:{second}#" in listed.output
    for run in (run_a, run_b):
        assert f"model version {run.pipeline}@{run.models[0].artifact.sha256[:12]}" in (
            listed.output
        )
    refused = _cli(atlas_client, verify_command, f"sha256:{_sha256(first)}")
    assert refused.exit_code == 3
    assert "2 entities in Atlas have sha256" in refused.output


def test_a_model_file_sha256_finds_its_model_version(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    csv = titanic_copy(tmp_path / "titanic.csv", unique)
    artifact = tmp_path / "model.bin"
    artifact.write_bytes(f"weights of {unique}".encode())
    with training_run(unique, client=atlas_client, spool=Spool(tmp_path / "spool")) as run:
        run.use(csv, role="train")
        run.log_model(artifact, name=unique)

    shown = _cli(atlas_client, lineage_command, f"sha256:{_sha256(artifact)}")

    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"{unique}@{_sha256(artifact)[:12]} atlasml_model_version")


def test_a_malformed_or_unknown_sha256_is_a_clear_error(
    atlas_client: AtlasClient, project_types: None
) -> None:
    malformed = _cli(atlas_client, lineage_command, "sha256:abc")
    assert malformed.exit_code == 2
    assert "give 64 hexadecimal digits" in malformed.output
    unknown = _cli(atlas_client, lineage_command, "sha256:" + "0" * 64)
    assert unknown.exit_code == 1
    assert "no dataset version or model version with sha256 " + "0" * 64 in unknown.output
