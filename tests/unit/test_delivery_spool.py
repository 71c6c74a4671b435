"""The spool keeps every event until it is delivered and explains what it rejects."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_ml.cli.push import command as push_command
from atlas_ml.client.errors import AtlasAuthError, AtlasBadRequest
from atlas_ml.delivery import Spool, push

pytestmark = pytest.mark.unit


def _event() -> dict[str, object]:
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-25T10:00:00Z",
        "producer": "t",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "n", "name": "j"},
    }


def test_events_are_written_whole_and_listed_in_order(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    first, second = _event(), _event()
    paths = [spool.write(first), spool.write(second)]
    assert spool.pending() == sorted(paths)
    assert json.loads(paths[0].read_text()) == first
    assert not list(tmp_path.glob(".*.tmp")), "no temp file may be left behind"


def test_unmappable_event_is_moved_aside_with_the_reason(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    (tmp_path / "0000000000001-bad-COMPLETE.json").write_text("{not json")

    class NoAtlas:
        class config:
            namespace = "prod"

    report = push(NoAtlas(), spool)  # type: ignore[arg-type]
    assert (report.delivered, report.rejected) == (0, 1)
    reason = (spool.rejected_dir / "0000000000001-bad-COMPLETE.json.error").read_text()
    assert "not JSON" in reason
    assert spool.requeue_rejected() == 1
    assert len(spool.pending()) == 1


def test_push_with_nothing_pending_points_at_rejected_events(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.reject(spool.write(_event()), "Type ENTITY with name x does not exist")
    outcome = CliRunner().invoke(push_command, ["--spool", str(tmp_path)])
    assert outcome.exit_code == 0
    assert "Nothing to push" in outcome.stdout
    assert "1 rejected event(s)" in outcome.stderr and "--retry-rejected" in outcome.stderr


def test_push_refuses_a_spool_directory_that_does_not_exist(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(push_command, ["--spool", str(tmp_path / "typo")])
    assert outcome.exit_code == 2
    assert f"spool directory {tmp_path / 'typo'} (--spool) does not exist" in outcome.output


def _failing_atlas(error: Exception) -> object:
    class FailingAtlas:
        class config:
            namespace = "prod"

        class entities:
            @staticmethod
            def upsert(entities: object) -> None:
                raise error

    return FailingAtlas()


def _spool_with_one_write(tmp_path: Path) -> Spool:
    spool = Spool(tmp_path)
    spool.write({**_event(), "outputs": [{"namespace": "file", "name": "/data/out.csv"}]})
    return spool


def test_events_for_types_atlas_lacks_stay_pending_with_the_install_hint(tmp_path: Path) -> None:
    spool = _spool_with_one_write(tmp_path)
    # What Atlas 2.1 answers a bulk upsert of an unknown type (seen live).
    unknown_type = AtlasBadRequest(
        "Type ENTITY with name spark_process does not exist",
        status=400,
        error_code="ATLAS-400-00-014",
    )
    report = push(_failing_atlas(unknown_type), spool)  # type: ignore[arg-type]
    assert (report.delivered, report.rejected, report.remaining) == (0, 0, 1)
    assert "atlas-ml typedefs install" in str(report.stopped_by)
    assert len(spool.pending()) == 1 and spool.rejected() == []


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_keep_events_pending(tmp_path: Path, status: int) -> None:
    spool = _spool_with_one_write(tmp_path)
    refused = AtlasAuthError("Atlas answered HTTP 401", status=status)
    report = push(_failing_atlas(refused), spool)  # type: ignore[arg-type]
    assert (report.delivered, report.rejected, report.remaining) == (0, 0, 1)
    assert "refused the credentials" in str(report.stopped_by)
    assert len(spool.pending()) == 1 and spool.rejected() == []


def test_push_refuses_a_spool_named_by_the_environment_that_does_not_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_ML_SPOOL", str(tmp_path / "typo"))
    outcome = CliRunner().invoke(push_command, [])
    assert outcome.exit_code == 2
    assert "(named by ATLAS_ML_SPOOL) does not exist" in outcome.output
