"""The spool keeps every event until it is delivered and explains what it rejects."""

from __future__ import annotations

import json
import socket
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_ml.cli.push import command as push_command
from atlas_ml.client.errors import AtlasAuthError, AtlasBadRequest, AtlasNotFound
from atlas_ml.config import AtlasConfig
from atlas_ml.delivery import Spool, push
from atlas_ml.events.facets import PRODUCER

pytestmark = pytest.mark.unit


class _AcceptingAtlas:
    """A client stand-in whose Atlas accepts every upsert (delivery's bookkeeping is tested)."""

    config = AtlasConfig(namespace="prod")

    class entities:
        @staticmethod
        def upsert(entities: object) -> object:
            from atlas_ml.client.entities import UpsertResult

            return UpsertResult()

        @staticmethod
        def get_bulk_by_unique_attributes(*args: object) -> list[object]:
            return []


def _event() -> dict[str, object]:
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-25T10:00:00Z",
        "producer": PRODUCER,
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
        config = AtlasConfig(namespace="prod")

    report = push(NoAtlas(), spool)  # type: ignore[arg-type]
    assert (report.delivered, report.rejected) == (0, 1)
    reason = (spool.rejected_dir / "0000000000001-bad-COMPLETE.json.error").read_text()
    assert "not JSON" in reason
    assert spool.requeue_rejected() == 1
    assert len(spool.pending()) == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"run": {"runId": "6e3c1b7e-58a4-4a53-9d44-9c5b0f3b0a11", "facets": {"x": "y"}}},
            "event.run.facets.x must be an object",
        ),
        (
            {"run": {"runId": "6e3c1b7e-58a4-4a53-9d44-9c5b0f3b0a11", "facets": []}},
            "event.run.facets must be an object",
        ),
        (
            {"job": {"namespace": "n", "name": "j", "facets": {"jobType": 1}}},
            "event.job.facets.jobType must be an object",
        ),
        (
            {"outputs": [{"namespace": "f", "name": "/o", "outputFacets": {"s": []}}]},
            "event.outputs[0].outputFacets.s must be an object",
        ),
    ],
)
def test_events_with_malformed_facets_are_set_aside_and_later_events_still_go(
    tmp_path: Path, change: dict[str, object], reason: str
) -> None:
    spool = Spool(tmp_path)
    (tmp_path / "0000000000001-bad-COMPLETE.json").write_text(json.dumps({**_event(), **change}))

    class NoAtlas:
        config = AtlasConfig(namespace="prod")

    report = push(NoAtlas(), spool)  # type: ignore[arg-type]
    assert (report.delivered, report.rejected) == (0, 1)
    assert reason in (spool.rejected_dir / "0000000000001-bad-COMPLETE.json.error").read_text()


def test_an_event_the_mapper_fails_on_is_set_aside_not_a_crash_of_push(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = Spool(tmp_path)
    (tmp_path / "0000000000001-deep-COMPLETE.json").write_text("[" * 100_000 + "]" * 100_000)
    spool.write(_event())

    def mapper_bug(event: object, namespace: str, **options: object) -> object:
        raise AttributeError("'str' object has no attribute 'get'")

    monkeypatch.setattr("atlas_ml.delivery.atlas.map_event", mapper_bug)

    class NoAtlas:
        config = AtlasConfig(namespace="prod")

    report = push(NoAtlas(), spool)  # type: ignore[arg-type]
    assert (report.delivered, report.rejected, report.remaining) == (0, 2, 0)
    deep = (spool.rejected_dir / "0000000000001-deep-COMPLETE.json.error").read_text()
    assert "nests too deeply" in deep
    assert sum("AttributeError" in p.read_text() for p in spool.rejected_dir.glob("*.error")) == 1


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
        config = AtlasConfig(namespace="prod")

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


def _spool_with_one_classified_write(tmp_path: Path, classification: str) -> Spool:
    spool = Spool(tmp_path)
    facet = {"atlasml_classifications": {"classifications": [{"name": classification}]}}
    output = {"namespace": "file", "name": "/data/out.csv", "facets": facet}
    spool.write({**_event(), "outputs": [output]})
    return spool


def _classification_refused(name: str) -> AtlasNotFound:
    # What Atlas 2.1 answers when a classification type is missing (seen live).
    return AtlasNotFound(
        f"Given classification {name} was invalid", status=404, error_code="ATLAS-404-00-008"
    )


def test_an_event_waits_for_a_classification_type_the_typedefs_install(tmp_path: Path) -> None:
    spool = _spool_with_one_classified_write(tmp_path, "UserBehavior")
    report = push(_failing_atlas(_classification_refused("UserBehavior")), spool)  # type: ignore[arg-type]
    assert (report.delivered, report.rejected, report.remaining) == (0, 0, 1)
    assert "atlas-ml typedefs install" in str(report.stopped_by)
    assert len(spool.pending()) == 1 and spool.rejected() == []


def test_an_event_with_a_classification_of_the_users_own_atlas_lacks_is_set_aside(
    tmp_path: Path,
) -> None:
    spool = _spool_with_one_classified_write(tmp_path, "Confidentail")
    report = push(_failing_atlas(_classification_refused("Confidentail")), spool)  # type: ignore[arg-type]
    assert (report.delivered, report.rejected, report.remaining) == (0, 1, 0)
    assert report.stopped_by is None
    assert "Given classification Confidentail was invalid" in str(report.first_rejection)
    assert len(spool.rejected()) == 1


def test_end_of_run_delivery_says_what_atlas_refused_and_how_to_retry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from atlas_ml.delivery import deliver_spool

    spool = _spool_with_one_classified_write(tmp_path / "my spool", "Confidentail")
    report = deliver_spool(spool, _failing_atlas(_classification_refused("Confidentail")))
    assert report is not None and report.rejected == 1
    err = capsys.readouterr().err
    assert "Atlas refused 1 event(s) (Given classification Confidentail was invalid" in err
    assert str(spool.rejected_dir) in err
    assert f"atlas-ml push --spool '{spool.root}' --retry-rejected" in err


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


def _unwritable(spool: Spool) -> None:
    """What a read-only or full file system does to the spool's lock file (as root, too)."""
    (spool.root / ".lock").mkdir()


def test_push_to_an_unwritable_spool_stops_with_the_reason_and_keeps_the_events(
    tmp_path: Path,
) -> None:
    spool = _spool_with_one_write(tmp_path)
    _unwritable(spool)
    outcome = CliRunner().invoke(
        push_command, ["--spool", str(tmp_path), "--url", "http://127.0.0.1:9"]
    )
    assert outcome.exit_code == 1, outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    assert f"Stopped: cannot write to the spool {tmp_path}" in outcome.stderr
    assert "make it writable and push again" in outcome.stderr
    assert len(spool.pending()) == 1


def test_a_run_whose_spool_cannot_be_written_says_its_lineage_is_not_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from atlas_ml.tracking import training_run

    not_a_folder = tmp_path / "spool"
    not_a_folder.write_text("a file where the spool should be")
    with training_run("qa-unwritable", spool=Spool(not_a_folder), client=_failing_atlas(None)):
        pass
    err = capsys.readouterr().err
    assert "this run's lineage is not kept; point ATLAS_ML_SPOOL at a writable directory" in err
    assert "kept in" not in err


def test_push_recovers_events_a_killed_writer_left_in_temp_files_and_says_so(
    tmp_path: Path,
) -> None:
    import os
    import time

    spool = Spool(tmp_path)
    complete = {**_event(), "outputs": [{"namespace": "file", "name": "/data/out.csv"}]}
    whole = tmp_path / ".0000000000001-x-COMPLETE.json12345.tmp"  # killed before the rename
    whole.write_text(json.dumps(complete))
    torn = tmp_path / ".k3j4h5.tmp"  # killed mid-write
    torn.write_text(json.dumps(complete)[:40])
    in_progress = tmp_path / ".a1b2c3.tmp"  # a live writer's, too young to touch
    in_progress.write_text("{")
    old = time.time() - 3600
    for path in (whole, torn):
        os.utime(path, (old, old))

    report = push(_AcceptingAtlas(), spool)  # type: ignore[arg-type]
    assert (report.recovered_partial, report.torn_partial, report.delivered) == (1, 1, 1)
    [delivered] = spool.delivered_dir.glob("*.json")
    assert delivered.name.endswith(f"-{complete['run']['runId']}-COMPLETE.json")  # type: ignore[index]
    [set_aside] = spool.rejected()
    assert (
        "a writer was killed while writing this event"
        in (spool.rejected_dir / (set_aside.name + ".error")).read_text()
    )
    assert in_progress.exists() and not whole.exists() and not torn.exists()


def test_an_event_removed_while_push_runs_is_skipped_and_the_rest_still_go(
    tmp_path: Path,
) -> None:
    spool = _spool_with_one_write(tmp_path)
    first = spool.pending()[0]
    spool.write({**_event(), "outputs": [{"namespace": "file", "name": "/data/other.csv"}]})

    def removed_by_hand(path: Path) -> None:
        if path == first:
            path.unlink()

    report = push(_AcceptingAtlas(), spool, on_event=removed_by_hand)  # type: ignore[arg-type]
    assert (report.delivered, report.rejected, report.remaining) == (1, 0, 0)
    assert report.stopped_by is None


def test_push_piped_prints_its_summary_alone_and_the_reason_on_stderr(tmp_path: Path) -> None:
    spool = _spool_with_one_write(tmp_path)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    try:
        outcome = CliRunner().invoke(push_command, ["--spool", str(spool.root), "--url", url])
    finally:
        closed.close()

    assert outcome.exit_code == 1
    assert outcome.stdout == (
        f"Delivered 0 event(s) (0 entities) to {url}; rejected 0; 1 still pending.\n"
    )
    assert "Stopped: Atlas is unavailable: cannot connect" in outcome.stderr


def test_two_events_of_a_run_stored_in_the_same_millisecond_are_both_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("atlas_ml.delivery.spool.time.time_ns", lambda: 1_700_000_000_000_000_000)
    spool = Spool(tmp_path)
    first = _event()
    second = {**first, "eventTime": "2026-11-25T10:00:01Z"}  # a RUNNING update of the same run
    paths = [spool.write(first), spool.write(second)]
    assert paths[0] != paths[1]
    assert sorted(json.loads(p.read_text())["eventTime"] for p in spool.pending()) == [
        first["eventTime"],
        second["eventTime"],
    ]
