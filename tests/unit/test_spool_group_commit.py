"""Events written in groups (``Spool.write_many``, the collector's ``GroupCommit``): one file
each as before, every one durable before it is acknowledged, one sync per group."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from pathlib import Path

import pytest

from atlas_ml.collect.commit import GroupCommit
from atlas_ml.delivery import Spool
from atlas_ml.delivery import spool as spool_module
from atlas_ml.events.facets import PRODUCER

pytestmark = pytest.mark.unit


def _event(run_id: str | None = None) -> dict[str, object]:
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-11-25T10:00:00Z",
        "producer": PRODUCER,
        "run": {"runId": run_id or str(uuid.uuid4())},
        "job": {"namespace": "n", "name": "j"},
    }


def test_a_group_is_one_complete_file_per_event_in_the_spools_format(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    run_id = str(uuid.uuid4())
    events = [_event(run_id), _event(run_id), _event()]  # two of one run in one millisecond
    paths = spool.write_many(events)
    assert sorted(paths) == spool.pending()
    assert [json.loads(p.read_text()) for p in paths] == events
    single = Spool(tmp_path / "single").write(events[2])
    assert single.read_bytes() == paths[2].read_bytes()  # the same bytes as write() gives
    assert paths[0].name.endswith(f"-{run_id}-COMPLETE.json")
    assert paths[1].name.endswith(f"-{run_id}-COMPLETE-1.json")
    assert not list((tmp_path / "spool").glob(".*.tmp")), "no temp file may be left behind"


def test_a_file_is_renamed_into_place_only_after_its_data_is_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = Spool(tmp_path)
    synced: list[int] = []
    directory_syncs: list[int] = []

    def fdatasync(fd: int) -> None:
        assert not spool.pending(), "a pending file appeared before its data was synced"
        synced.append(fd)

    def fsync(fd: int) -> None:
        assert len(spool.pending()) == 20, "the directory is synced after every rename"
        directory_syncs.append(fd)

    monkeypatch.setattr(spool_module.os, "fdatasync", fdatasync)
    monkeypatch.setattr(spool_module.os, "fsync", fsync)
    spool.write_many([_event() for _ in range(20)])
    assert (len(synced), len(directory_syncs)) == (20, 1)


def test_more_events_than_a_group_holds_are_written_in_several_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool_module, "GROUP_SIZE", 4)
    directory_syncs: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(
        spool_module.os, "fsync", lambda fd: (directory_syncs.append(fd), real_fsync(fd))
    )
    spool = Spool(tmp_path)
    assert len(spool.write_many([_event() for _ in range(10)])) == 10
    assert len(spool.pending()) == 10
    assert len(directory_syncs) == 3


def test_a_failed_group_leaves_no_temp_files_and_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spool_module.os, "fdatasync", full_disk)
    spool = Spool(tmp_path)
    with pytest.raises(OSError, match="No space left"):
        spool.write_many([_event(), _event()])
    assert list(tmp_path.iterdir()) == []


def test_concurrent_requests_share_groups_and_each_returns_once_its_events_are_stored(
    tmp_path: Path,
) -> None:
    spool = Spool(tmp_path)
    commit = GroupCommit(spool)

    async def requests() -> None:
        await asyncio.gather(*(commit.store([_event(), _event()]) for _ in range(50)))

    try:
        asyncio.run(requests())
    finally:
        commit.close()
    assert len(spool.pending()) == 100
    assert 1 <= commit.groups < 50  # requests that arrived during a sync shared the next one


def test_when_the_spool_cannot_be_written_every_waiting_request_hears_why(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the spool should be")
    commit = GroupCommit(Spool(blocked))

    async def requests() -> list[BaseException | None]:
        outcomes = await asyncio.gather(
            *(commit.store([_event()]) for _ in range(5)), return_exceptions=True
        )
        return list(outcomes)

    try:
        outcomes = asyncio.run(requests())
    finally:
        commit.close()
    assert len(outcomes) == 5
    assert all(isinstance(outcome, OSError) for outcome in outcomes)
