"""The local Atlas keeps its data: a stopped or killed server starts again on the same graph,
index, entity audit trail and deleted entities; ``backup``/``restore`` carry the metadata into
a fresh server.

These tests stop, kill and wipe a server, so they run a second local server (own home, own
ports) beside the one the suite uses. They run in file order on one server: each restart
checks everything recorded before it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from side_server import side_server
from sklearn.linear_model import LogisticRegression

from atlas_ml.client import AtlasClient
from atlas_ml.client.errors import AtlasNotFound
from atlas_ml.config import AtlasConfig
from atlas_ml.delivery import Spool
from atlas_ml.server.local import LocalAtlas
from atlas_ml.server.process import is_gone
from atlas_ml.tracking import TrainingRun, training_run
from atlas_ml.typedefs import install, load_typeset

pytestmark = pytest.mark.atlas

ROOT = Path(__file__).resolve().parents[2]
Event = tuple[str, str, int]  # (eventKey, action, timestamp)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAtlas]:
    server = side_server(tmp_path_factory.mktemp("atlas-restart"))
    server.start(fresh=True, quiet=True)
    try:
        yield server
    finally:
        server.stop(grace=30)


def _client(server: LocalAtlas) -> AtlasClient:
    return AtlasClient(AtlasConfig(url=server.url, username="admin", password="admin"))


def audit_trail(server: LocalAtlas, guid: str) -> list[Event]:
    """The entity's audit events, oldest first (Atlas lists the newest first)."""
    response = requests.get(
        f"{server.url}/api/atlas/v2/entity/{guid}/audit",
        params={"count": 1000},
        auth=("admin", "admin"),
        timeout=60,
    )
    response.raise_for_status()
    return [(e["eventKey"], e["action"], e["timestamp"]) for e in reversed(response.json())]


def _titanic_prepare() -> Any:
    spec = importlib.util.spec_from_file_location(
        "titanic_example", ROOT / "examples" / "titanic" / "train.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.prepare


@dataclass
class Recorded:
    """What the module's server holds, as read before any restart."""

    run: TrainingRun
    trails: dict[str, list[Event]]
    deleted_guid: str
    model_version: str
    raw_file: str  # the hdfs_path of the raw CSV, classified PII and Sensitive
    searchable: tuple[str, str]  # type and qualifiedName that basic search (Solr) must find
    later: dict[str, list[Event]] = field(default_factory=dict)


def _train(client: AtlasClient, csv: Path) -> TrainingRun:
    workdir = csv.parent.parent
    csv.parent.mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "data" / "titanic.csv", csv)
    prepare = _titanic_prepare()
    with training_run(
        "titanic-restart", team="qa", client=client, spool=Spool(workdir / "spool")
    ) as run:
        train, test = prepare(run, csv)
        run.use(train, role="train")
        run.use(test, role="test")
        features = [c for c in train.columns if c != "Survived"]
        model = LogisticRegression(max_iter=500).fit(train[features], train["Survived"])
        run.log_metrics(accuracy=model.score(test[features], test["Survived"]))
        run.log_model(model, name="titanic-restart", directory=workdir / "model")
    assert run.delivery is not None and run.delivery.remaining == 0
    assert run.delivery.rejected == 0
    return run


@pytest.fixture(scope="module")
def recorded(server: LocalAtlas, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    with _client(server) as client:
        install(client, load_typeset())
        csv = tmp_path_factory.mktemp("run") / "data" / "titanic.csv"
        run = _train(client, csv)
        assert run.delivery is not None
        gone = f"/tmp/deleted-{uuid.uuid4().hex}"
        created = client.entities.upsert(
            [
                {
                    "typeName": "hdfs_path",
                    "attributes": {"qualifiedName": f"{gone}@primary", "name": "d", "path": gone},
                }
            ]
        )
        deleted_guid = created.guids[f"{gone}@primary"]
        client.entities.delete([deleted_guid])
    guids = sorted(set(run.delivery.guids.values()))
    sha = run.models[0].artifact.sha256
    model_version = next(
        g for qn, g in run.delivery.guids.items() if qn.startswith(f"titanic-restart#{sha[:16]}")
    )
    return Recorded(
        run=run,
        trails={guid: audit_trail(server, guid) for guid in [*guids, deleted_guid]},
        deleted_guid=deleted_guid,
        model_version=model_version,
        raw_file=run.delivery.guids[f"file:{csv}".lower() + "@primary"],
        searchable=(
            "atlasml_model_version",
            next(qn for qn, g in run.delivery.guids.items() if g == model_version),
        ),
    )


def _same_data_as_recorded(server: LocalAtlas, recorded: Recorded) -> None:
    for guid, trail in recorded.trails.items():
        assert audit_trail(server, guid) == trail, f"audit trail of {guid} changed"
    for guid, trail in recorded.later.items():
        assert audit_trail(server, guid) == trail, f"audit trail of {guid} changed"
    with _client(server) as client:
        deleted = client.entities.get(recorded.deleted_guid)["entity"]
        assert deleted["status"] == "DELETED"
        model_version = client.entities.get(recorded.model_version)["entity"]
        # The example's PII stops at the clean step; Sensitive propagates to the model version.
        sensitive = [c for c in model_version["classifications"] if c["typeName"] == "Sensitive"]
        assert sensitive, "the propagated Sensitive classification is gone"
        upstream = client.lineage.get(recorded.model_version, direction="INPUT", depth=20)
        assert len(upstream.entities) > 5, "the model version's lineage is gone"
        type_name, qualified_name = recorded.searchable
        by_name = {
            "attributeName": "qualifiedName",
            "operator": "eq",
            "attributeValue": qualified_name,
        }
        found = list(client.search.basic(type_name, entity_filters=by_name, limit=5))
        assert [e["guid"] for e in found] == [recorded.model_version], (
            "basic search (the Solr index) no longer finds the entity"
        )


def test_a_training_runs_audit_trail_holds_every_event_in_order(recorded: Recorded) -> None:
    run_trails = {g: t for g, t in recorded.trails.items() if g != recorded.deleted_guid}
    actions = [action for trail in run_trails.values() for _, action, _ in trail]
    for expected in (
        "ENTITY_CREATE",
        "ENTITY_UPDATE",
        "CLASSIFICATION_ADD",
        "PROPAGATED_CLASSIFICATION_ADD",
    ):
        assert expected in actions, f"no {expected} event in the run's audit trail"
    for guid, trail in run_trails.items():
        created = [event for event in trail if event[1] == "ENTITY_CREATE"]
        assert len(created) == 1, f"{guid} has {len(created)} ENTITY_CREATE events"
        times = [timestamp for _, _, timestamp in trail]
        assert times == sorted(times), f"{guid}'s events are out of order"
        assert created[0][2] == times[0], f"{guid} has events from before it was created"
        assert len({key for key, _, _ in trail}) == len(trail), "two events share a row"
    # The model version is created in the request that propagates Sensitive to it: both events
    # carry that request's time, and the one written first must not be overwritten.
    model_trail = recorded.trails[recorded.model_version]
    model_actions = {action for _, action, _ in model_trail}
    assert {"ENTITY_CREATE", "PROPAGATED_CLASSIFICATION_ADD"} <= model_actions, model_trail
    assert max(Counter(ts for *_, ts in model_trail).values()) >= 2, model_trail


def test_stop_then_start_keeps_entities_audit_trail_deleted_entities_and_index(
    server: LocalAtlas, recorded: Recorded
) -> None:
    server.stop(grace=60)
    server.start(quiet=True)
    assert not server.recovered
    _same_data_as_recorded(server, recorded)


def test_kill_9_then_start_recovers_everything_written_before_the_kill(
    server: LocalAtlas, recorded: Recorded
) -> None:
    with _client(server) as client:
        last = f"/tmp/last-{uuid.uuid4().hex}"
        written = client.entities.upsert(
            [
                {
                    "typeName": "hdfs_path",
                    "attributes": {"qualifiedName": f"{last}@primary", "name": "l", "path": last},
                    "classifications": [{"typeName": "PII"}],
                }
            ]
        )
    last_guid = written.guids[f"{last}@primary"]
    recorded.later[last_guid] = audit_trail(server, last_guid)
    assert {a for _, a, _ in recorded.later[last_guid]} == {"ENTITY_CREATE", "CLASSIFICATION_ADD"}

    running = [server.pid(), *(companion.pid() for companion in server.companions)]
    pids = [pid for pid in running if pid is not None]
    assert len(pids) == 3, running
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not all(is_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    server.start(quiet=True)
    assert server.recovered
    _same_data_as_recorded(server, recorded)


def test_backup_then_restore_into_a_wiped_server_brings_the_entities_back(
    server: LocalAtlas, recorded: Recorded, tmp_path: Path
) -> None:
    backup = server.backup(tmp_path / "atlas-backup.zip")
    assert backup.entities >= len(recorded.trails) - 1 and backup.path.stat().st_size > 0

    server.stop(grace=60)
    server.start(fresh=True, quiet=True)
    with _client(server) as client:
        with pytest.raises(AtlasNotFound):
            client.entities.get(recorded.model_version)
        restored = server.restore(backup.path)
        assert restored.entities >= backup.entities
        model_version = client.entities.get(recorded.model_version)["entity"]
        assert model_version["status"] == "ACTIVE"
        upstream = client.lineage.get(recorded.model_version, direction="INPUT", depth=20)
        assert len(upstream.entities) > 5
        raw = client.entities.get(recorded.raw_file)["entity"]
        classifications = raw.get("classifications", [])
        assert sorted(c["typeName"] for c in classifications) == ["PII", "Sensitive"]
