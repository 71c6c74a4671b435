"""Delivery under faults, against the real Atlas: a fault-injecting proxy in front of it (5xx
bursts, resets, stalls, a token that expires), a push killed with SIGKILL twice, and a spool
on a full disk. The user's run returns on time, events stay pending until they are delivered,
and what finally lands in Atlas is every event exactly once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest
from fault_proxy import FaultPlan, fault_proxy

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool, push
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.atlas

ROOT = Path(__file__).resolve().parents[2]


def _record_runs(spool: Spool, prefix: str, count: int) -> list[str]:
    """``count`` finished training runs waiting in ``spool``; their pipeline names."""
    names = [f"{prefix}-{index:03d}" for index in range(count)]
    for name in names:
        with training_run(name, team="faults", deliver=False, spool=spool) as run:
            run.log_params(name=name)
    return names


def _runs_in_atlas(client: AtlasClient, prefix: str) -> list[str]:
    """Names of the training runs Atlas has whose qualifiedName starts with ``prefix``."""
    found = client.search.basic(
        "atlasml_training_run",
        entity_filters={
            "attributeName": "qualifiedName",
            "operator": "startsWith",
            "attributeValue": prefix,
        },
        attributes=["qualifiedName"],
    )
    return sorted(str(entity["attributes"]["qualifiedName"]) for entity in found)


def _through(client: AtlasClient, url: str, **settings: object) -> AtlasClient:
    return AtlasClient(replace(client.config, url=url, backoff_factor=0.05, **settings))


def test_5xx_bursts_are_retried_with_backoff_and_every_event_arrives_once(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    spool = Spool(tmp_path / "spool")
    names = _record_runs(spool, unique, 4)
    plan = FaultPlan(statuses={1: 503, 2: 500, 3: 503, 6: 502, 7: 503})
    with fault_proxy(atlas_client.config.url, plan) as url, _through(atlas_client, url) as client:
        report = push(client, spool)

    assert (report.delivered, report.remaining, report.rejected) == (4, 0, 0)
    assert len(plan.injected) == 5
    assert len(_runs_in_atlas(atlas_client, unique)) == len(names)


def test_connection_resets_are_retried_and_nothing_is_lost_or_doubled(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    spool = Spool(tmp_path / "spool")
    _record_runs(spool, unique, 3)
    plan = FaultPlan(resets={1, 2, 4})
    with fault_proxy(atlas_client.config.url, plan) as url, _through(atlas_client, url) as client:
        report = push(client, spool)

    assert (report.delivered, report.remaining) == (3, 0)
    assert plan.injected == ["1:reset", "2:reset", "4:reset"]
    assert len(_runs_in_atlas(atlas_client, unique)) == 3


def test_a_training_run_returns_on_time_when_atlas_stalls_and_its_events_stay_pending(
    atlas_client: AtlasClient,
    project_types: None,
    tmp_path: Path,
    unique: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spool = Spool(tmp_path / "spool")
    plan = FaultPlan(stall_seconds=30)
    with fault_proxy(atlas_client.config.url, plan) as url:
        client = _through(atlas_client, url, end_of_job_seconds=3.0, read_timeout=10.0)
        started = time.monotonic()
        with training_run(f"{unique}-stalled", client=client, spool=spool) as run:
            run.log_params(stalled=True)
        elapsed = time.monotonic() - started
        client.close()

    assert elapsed < 10, f"the run held its caller {elapsed:.1f}s"
    assert run.status == "SUCCEEDED"
    assert len(spool.pending()) == 1  # kept for atlas-ml push
    err = capsys.readouterr().err
    assert "end_of_job_seconds" in err and "atlas-ml push" in err, err


def test_a_token_that_expires_mid_push_keeps_the_rest_pending_and_says_why(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    spool = Spool(tmp_path / "spool")
    _record_runs(spool, unique, 4)
    plan = FaultPlan(unauthorized_after=3)
    with fault_proxy(atlas_client.config.url, plan) as url, _through(atlas_client, url) as client:
        report = push(client, spool)

    assert report.remaining >= 1 and report.rejected == 0
    assert report.stopped_by and "401" in report.stopped_by, report.stopped_by
    delivered_first = report.delivered
    # with working credentials again, the next push delivers the rest, once each
    assert push(atlas_client, spool).delivered == 4 - delivered_first
    assert len(_runs_in_atlas(atlas_client, unique)) == 4


def test_a_push_killed_twice_mid_batch_loses_and_duplicates_nothing(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    spool = Spool(tmp_path / "spool")
    names = _record_runs(spool, unique, 60)
    env = {
        **os.environ,
        "ATLAS_URL": atlas_client.config.url,
        "ATLAS_USER": atlas_client.config.username or "admin",
        "ATLAS_PASSWORD": atlas_client.config.password or "admin",
    }
    command = [sys.executable, "-m", "atlas_ml.cli.main", "push", "--spool", str(spool.root)]
    kills = 0
    for wanted in (8, 25):
        pusher = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, cwd=ROOT)
        deadline = time.monotonic() + 120
        while len(spool.pending()) > 60 - wanted and time.monotonic() < deadline:
            if pusher.poll() is not None:
                break
            time.sleep(0.05)
        if pusher.poll() is None:
            pusher.send_signal(signal.SIGKILL)
            kills += 1
        pusher.wait()
    assert kills == 2, "the push finished before it could be killed: raise the event count"
    assert 0 < len(spool.pending()) < 60

    final = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)

    assert final.returncode == 0, final.stdout + final.stderr
    assert spool.pending() == [] and spool.rejected() == []
    in_atlas = _runs_in_atlas(atlas_client, unique)
    assert len(in_atlas) == len(names) == len(set(in_atlas))


FULL_DISK_RUN = textwrap.dedent(
    """
    import sys
    from atlas_ml.delivery import Spool
    from atlas_ml.tracking import training_run

    with training_run("full-disk", spool=Spool(sys.argv[1]), deliver=False) as run:
        run.log_params(rows=3)
    print("user code finished:", run.status)
    """
)


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux unshare")
def test_a_spool_on_a_full_disk_is_named_and_the_run_still_completes(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    script = tmp_path / "run.py"
    script.write_text(FULL_DISK_RUN)
    # A 64 KiB tmpfs, filled up, mounted over the spool in a private mount namespace
    # (-r maps the caller to root there when the tests do not run as root).
    shell = (
        f"mount -t tmpfs -o size=64k tmpfs {spool} && "
        f"dd if=/dev/zero of={spool}/filler bs=4k count=100 2>/dev/null; "
        f"{sys.executable} {script} {spool}"
    )
    flags = "-m" if os.geteuid() == 0 else "-rm"
    done = subprocess.run(
        ["unshare", flags, "sh", "-c", shell], capture_output=True, text=True, cwd=ROOT
    )

    assert done.returncode == 0, done.stderr
    assert "user code finished: SUCCEEDED" in done.stdout
    assert "could not write lineage to the spool" in done.stderr, done.stderr
    assert "No space left on device" in done.stderr
    assert "ATLAS_ML_SPOOL" in done.stderr
