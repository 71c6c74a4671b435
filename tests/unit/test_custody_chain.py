"""The local chain log: one position per attestation, never two, whatever crashed before."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest

from atlas_ml.custody.chain import ChainLog

pytestmark = pytest.mark.unit

KEY = "k" * 64


def _sign(log: ChainLog, payload: bytes, team: str = "risk") -> tuple[int, str | None]:
    with log.next_link(team, KEY) as link:
        link.commit({"payload": payload.decode()}, payload)
        return link.sequence, link.previous


def test_each_link_names_the_payload_before_it(tmp_path: Path) -> None:
    log = ChainLog(tmp_path)
    assert _sign(log, b"one") == (1, None)
    sequence, previous = _sign(log, b"two")
    assert sequence == 2 and previous == next(log.entries("risk", KEY))["payloadSha256"]
    assert _sign(log, b"other team", team="pricing") == (1, None)


def test_concurrent_runs_of_one_team_never_take_the_same_position(tmp_path: Path) -> None:
    log = ChainLog(tmp_path)
    threads = [threading.Thread(target=_sign, args=(log, f"run {i}".encode())) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = list(log.entries("risk", KEY))
    assert [e["sequence"] for e in entries] == list(range(1, 9))
    for before, after in itertools.pairwise(entries):
        assert after["previous"] == before["payloadSha256"]


def test_a_head_left_behind_by_a_crash_is_taken_from_the_log(tmp_path: Path) -> None:
    log = ChainLog(tmp_path)
    _sign(log, b"one")
    head = log.folder("risk") / f"{KEY}.head"
    stale = head.read_text()
    _sign(log, b"two")
    head.write_text(stale)  # the crash came after the log's fsync, before the head's rename
    assert _sign(log, b"three")[0] == 3


def test_a_torn_last_line_does_not_swallow_the_next_entry(tmp_path: Path) -> None:
    log = ChainLog(tmp_path)
    _sign(log, b"one")
    with open(log.folder("risk") / f"{KEY}.jsonl", "a") as out:
        out.write('{"sequence": 2, "payloadSha')  # killed mid-write
    assert _sign(log, b"two")[0] == 2
    assert [e["sequence"] for e in log.entries("risk", KEY)] == [1, 2]
