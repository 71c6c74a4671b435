"""``atlas-ml verify`` against a real Atlas: a tracked Titanic pipeline, then its data tampered.

Every test records its own pipeline over its own copy of the CSV (dataset versions are named
by absolute path, in-memory ones and the model by the unique pipeline name), so tests never
see each other's lineage.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner, Result
from sklearn.ensemble import RandomForestClassifier

from atlas_ml.cli.verify import command
from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool
from atlas_ml.naming import model_version_name, normalise_location
from atlas_ml.tracking import training_run
from atlas_ml.verify import Status, VerifyReport, verify

pytestmark = pytest.mark.atlas

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _titanic_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "titanic_train", EXAMPLES / "titanic" / "train.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class TrackedPipeline:
    csv: Path
    model_version: str
    raw_version: str
    guids: dict[str, str]
    artifact: Path


def _track(client: AtlasClient, csv: Path, name: str, directory: Path) -> TrackedPipeline:
    """The Titanic example's preparation and a small forest on ``csv``, recorded in Atlas."""
    example = _titanic_example()
    with training_run(name, client=client, spool=Spool(directory / "spool")) as run:
        train, test = example.prepare(run, csv)
        run.use(train, role="train")
        run.use(test, role="test")
        features = [c for c in train.columns if c != "Survived"]
        model = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=1)
        model.fit(train[features], train["Survived"])
        recorded = run.log_model(model, name=name, directory=directory / "model")
    assert run.delivery is not None and run.delivery.remaining == 0, run.delivery
    namespace = client.config.namespace
    raw = next(q for q in run.delivery.guids if q.startswith(f"{normalise_location(csv)}#"))
    return TrackedPipeline(
        csv=csv,
        model_version=model_version_name(name, recorded.artifact.sha256, namespace),
        raw_version=raw,
        guids=dict(run.delivery.guids),
        artifact=recorded.artifact.path,
    )


@pytest.fixture
def pipeline(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> TrackedPipeline:
    """The Titanic example recorded over a copy of the CSV of this test's own."""
    csv = tmp_path / "titanic.csv"
    shutil.copyfile(EXAMPLES / "data" / "titanic.csv", csv)
    return _track(atlas_client, csv, f"{unique}-titanic", tmp_path)


def _attributes(client: AtlasClient, qualified_name: str) -> dict[str, object]:
    entity = client.entities.get_by_unique_attribute("atlasml_dataset_version", qualified_name)
    return dict(entity["entity"]["attributes"])


def test_untouched_data_behind_a_model_version_is_verified_and_recorded_in_atlas(
    atlas_client: AtlasClient, pipeline: TrackedPipeline
) -> None:
    report = verify(atlas_client, pipeline.model_version)

    statuses = {r.version.qualified_name: r.status for r in report.results}
    assert statuses.pop(pipeline.raw_version) is Status.VERIFIED
    # clean, encoded, train, test: in-memory, made from the verified CSV
    assert sorted(statuses.values()) == [Status.DERIVED] * 4
    assert report.artifact is not None and report.artifact.status is Status.VERIFIED
    assert report.exit_code == 0
    attributes = _attributes(atlas_client, pipeline.raw_version)
    assert attributes["verificationStatus"] == "VERIFIED"
    checked_millis = datetime.fromisoformat(report.checked_at).timestamp() * 1000
    assert abs(int(str(attributes["verifiedTime"])) - checked_millis) < 1000


def test_cli_names_the_file_and_column_of_a_flipped_byte_and_exits_1(
    atlas_client: AtlasClient, pipeline: TrackedPipeline
) -> None:
    data = bytearray(pipeline.csv.read_bytes())
    data[data.index(b"Braund")] = ord("X")
    pipeline.csv.write_bytes(bytes(data))

    outcome = _cli(atlas_client, pipeline.model_version)

    assert outcome.exit_code == 1, outcome.output
    raw_block = outcome.output.split("CHANGED        titanic.csv@", 1)[1]
    assert "file titanic.csv modified (60302 -> 60302 bytes)" in raw_block
    assert "columns whose values changed: Name" in raw_block
    assert (
        outcome.output.rstrip().splitlines()[-2].startswith("CHANGED: 1 changed, 4 unrecoverable")
    )
    assert _attributes(atlas_client, pipeline.raw_version)["verificationStatus"] == "CHANGED"


def test_a_swapped_model_artifact_is_changed_although_its_data_verifies(
    atlas_client: AtlasClient, pipeline: TrackedPipeline
) -> None:
    with pipeline.artifact.open("ab") as artifact:
        artifact.write(b"\0")

    outcome = _cli(atlas_client, pipeline.model_version, "--no-write-back")

    assert outcome.exit_code == 1, outcome.output
    assert f"CHANGED        model artifact  {pipeline.artifact.as_uri()}" in outcome.output
    assert "this is not the model the version records" in outcome.output
    assert (
        outcome.output.rstrip()
        .splitlines()[-1]
        .startswith("CHANGED: 1 verified, 4 derived, model artifact changed")
    )

    pipeline.artifact.unlink()
    gone = json.loads(_cli(atlas_client, pipeline.model_version, "--json").stdout)
    assert gone["exitCode"] == 2 and gone["artifact"]["status"] == "UNRECOVERABLE"
    assert "no longer exists" in gone["artifact"]["summary"]


def test_cli_json_reports_a_deleted_row_as_row_count_891_to_890(
    atlas_client: AtlasClient, pipeline: TrackedPipeline
) -> None:
    lines = pipeline.csv.read_text().splitlines(keepends=True)
    pipeline.csv.write_text("".join(lines[:100] + lines[101:]))

    outcome = _cli(atlas_client, pipeline.raw_version, "--json")

    assert outcome.exit_code == 1, outcome.output
    body = json.loads(outcome.output)
    (version,) = body["versions"]
    assert version["qualifiedName"] == pipeline.raw_version
    assert version["status"] == "CHANGED"
    assert version["rowCount"] == {"recorded": 891, "current": 890}
    assert "row count 891 -> 890" in version["findings"]
    assert version["writtenBack"] is True


def test_data_that_is_gone_is_unrecoverable_and_exits_2(
    atlas_client: AtlasClient, pipeline: TrackedPipeline
) -> None:
    pipeline.csv.unlink()

    outcome = _cli(atlas_client, pipeline.model_version)

    assert outcome.exit_code == 2, outcome.output
    assert f"{normalise_location(pipeline.csv)} no longer exists" in outcome.output
    assert _attributes(atlas_client, pipeline.raw_version)["verificationStatus"] == "UNRECOVERABLE"


def test_a_training_run_guid_and_an_in_memory_version_are_targets_too(
    atlas_client: AtlasClient, pipeline: TrackedPipeline, unique: str
) -> None:
    run_guid = next(g for q, g in pipeline.guids.items() if q.startswith(f"{unique}-titanic.run."))
    train_version = next(
        q for q in pipeline.guids if q.startswith(f"memory:{unique}-titanic/train#")
    )

    by_run = verify(atlas_client, run_guid, write_back=False)
    by_train = verify(atlas_client, train_version, write_back=False)

    assert by_run.target["typeName"] == "atlasml_training_run"
    assert len(by_run.results) == 5 and by_run.exit_code == 0
    # an in-memory version brings the stored data it was made from along to be checked
    assert [(r.version.name.split("@")[0], r.status) for r in by_train.results] == [
        ("titanic.csv", Status.VERIFIED),
        ("train", Status.DERIVED),
        ("encoded", Status.DERIVED),
        ("clean", Status.DERIVED),
    ]
    assert by_train.results[0].version.qualified_name == pipeline.raw_version
    assert by_train.results[1].derived_from[0]["steps"] == (
        f"{unique}-titanic.clean -> {unique}-titanic.encode -> {unique}-titanic.split"
    )


def test_no_write_back_leaves_the_recorded_status_alone(
    atlas_client: AtlasClient, pipeline: TrackedPipeline
) -> None:
    report = verify(atlas_client, pipeline.raw_version, write_back=False)

    assert [r.status for r in report.results] == [Status.VERIFIED]
    attributes = _attributes(atlas_client, pipeline.raw_version)
    assert attributes.get("verificationStatus") is None
    assert not attributes.get("verifiedTime")


def test_an_unknown_target_is_a_clear_error_naming_the_server(
    atlas_client: AtlasClient, project_types: None, unique: str
) -> None:
    outcome = _cli(atlas_client, f"{unique}-nothing@primary")

    assert outcome.exit_code == 3  # not 1 (CHANGED) nor 2 (UNRECOVERABLE): nothing was checked
    assert (
        f"no model version, dataset version or training run named '{unique}-nothing@primary' "
        f"in Atlas at {atlas_client.config.url}"
    ) in outcome.output


def test_an_unreachable_atlas_exits_3_with_a_json_error_object(unique: str) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    outcome = CliRunner().invoke(
        command,
        ["--json", f"{unique}@primary", "--url", f"http://127.0.0.1:{port}", "--user", "admin"],
        catch_exceptions=False,
    )
    assert outcome.exit_code == 3
    answer = json.loads(outcome.stdout)
    assert answer["status"] == "ERROR" and "cannot connect to Atlas" in answer["error"]


def _cli(client: AtlasClient, *args: str) -> Result:
    """``atlas-ml verify ARGS`` against the test Atlas, as a user would type it."""
    config = client.config
    connection = ["--url", config.url, "--user", str(config.username)]
    return CliRunner().invoke(
        command, [*args, *connection, "--password", str(config.password)], catch_exceptions=False
    )


def _raw_status(report: VerifyReport, qualified_name: str) -> Status:
    return next(r.status for r in report.results if r.version.qualified_name == qualified_name)


def test_rewritten_bytes_with_the_same_rows_are_a_new_version_and_the_first_model_keeps_its_bytes(
    atlas_client: AtlasClient, pipeline: TrackedPipeline, unique: str, tmp_path: Path
) -> None:
    original = pipeline.csv.read_bytes()
    first = _attributes(atlas_client, pipeline.raw_version)
    header, *rows = original.decode().splitlines(keepends=True)
    pipeline.csv.write_text(header + "".join(reversed(rows)))  # same rows, other bytes

    second = _track(atlas_client, pipeline.csv, f"{unique}-titanic", tmp_path / "second")

    assert second.raw_version != pipeline.raw_version
    kept = _attributes(atlas_client, pipeline.raw_version)
    for recorded in ("manifestRootHash", "fingerprints", "versionPointer", "uri"):
        assert kept.get(recorded) == first.get(recorded), recorded
    rewritten = _attributes(atlas_client, second.raw_version)
    assert rewritten["manifestRootHash"] != first["manifestRootHash"]
    assert rewritten["contentHash"] == first["contentHash"]  # the rows are the same

    reversed_now = verify(atlas_client, pipeline.model_version, write_back=False)
    assert _raw_status(reversed_now, pipeline.raw_version) is Status.CHANGED
    assert verify(atlas_client, second.model_version, write_back=False).exit_code == 0

    pipeline.csv.write_bytes(original)
    restored = verify(atlas_client, pipeline.model_version, write_back=False)
    assert _raw_status(restored, pipeline.raw_version) is Status.VERIFIED
    assert restored.exit_code == 0, [
        (r.version.name, r.status, r.summary) for r in restored.results
    ]
    again = verify(atlas_client, second.model_version, write_back=False)
    assert _raw_status(again, second.raw_version) is Status.CHANGED


def test_paths_differing_only_in_case_are_two_dataset_versions_each_verified_on_its_own_file(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    upper, lower = tmp_path / "Data.csv", tmp_path / "data.csv"
    shutil.copyfile(EXAMPLES / "data" / "titanic.csv", upper)
    shutil.copyfile(EXAMPLES / "data" / "titanic.csv", lower)
    on_upper = _track(atlas_client, upper, f"{unique}-upper", tmp_path / "upper")
    on_lower = _track(atlas_client, lower, f"{unique}-lower", tmp_path / "lower")

    assert on_upper.raw_version != on_lower.raw_version
    assert on_lower.raw_version.startswith(f"{normalise_location(lower)}#")
    assert _attributes(atlas_client, on_upper.raw_version)["uri"] == normalise_location(upper)
    assert _attributes(atlas_client, on_lower.raw_version)["uri"] == normalise_location(lower)

    lower.write_bytes(lower.read_bytes() + b"\n")

    assert verify(atlas_client, on_lower.model_version, write_back=False).exit_code == 1
    assert verify(atlas_client, on_upper.model_version, write_back=False).exit_code == 0
