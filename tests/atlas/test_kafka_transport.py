"""The Kafka transport against the local server's embedded Kafka: events published as Atlas
hook notifications on ATLAS_HOOK land in Atlas, the hook consumer leaves nothing behind, and a
notification over Atlas's size limit arrives split, not dropped."""

from __future__ import annotations

import os
import secrets
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool, push
from atlas_ml.delivery.kafka import deliver_by_kafka
from atlas_ml.naming import training_run_name
from atlas_ml.server.local import ServerSettings
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.atlas

TOPIC = "ATLAS_HOOK"
HOOK_CONSUMER_GROUP = "atlas"  # atlas.kafka.hook.group.id of the local server


@pytest.fixture(scope="module")
def bootstrap() -> str:
    """The broker of the session's Atlas: ATLAS_KAFKA_BOOTSTRAP_SERVERS for an Atlas of your
    own, else the local server's embedded Kafka."""
    return os.environ.get("ATLAS_KAFKA_BOOTSTRAP_SERVERS") or (
        f"127.0.0.1:{ServerSettings.from_env().kafka_port}"
    )


@pytest.fixture
def kafka_client(atlas_client: AtlasClient, bootstrap: str, project_types: None) -> AtlasClient:
    config = replace(
        atlas_client.config,
        transport="kafka",
        kafka_bootstrap_servers=bootstrap,
        kafka_visible_seconds=90.0,
    )
    with AtlasClient(config) as client:
        yield client


def _hook_lag(bootstrap: str) -> int:
    """Messages on ATLAS_HOOK that Atlas's hook consumer has not committed yet."""
    from confluent_kafka import Consumer, TopicPartition

    settings = {"bootstrap.servers": bootstrap, "group.id": HOOK_CONSUMER_GROUP}
    consumer = Consumer({**settings, "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions
        lag = 0
        for committed in consumer.committed(
            [TopicPartition(TOPIC, p) for p in partitions], timeout=10
        ):
            _, high = consumer.get_watermark_offsets(committed, timeout=10)
            lag += high - max(committed.offset, 0)
        return lag
    finally:
        consumer.close()


def test_a_training_run_delivered_through_kafka_lands_in_atlas_with_guids_and_classifications(
    kafka_client: AtlasClient, atlas_client: AtlasClient, tmp_path: Path, unique: str
) -> None:
    raw = tmp_path / f"{unique}.csv"
    pd.DataFrame({"user": ["a", "b", "c"], "clicks": [1, 5, 2]}).to_csv(raw, index=False)
    spool = Spool(tmp_path / "spool")
    with training_run(f"{unique}-kafka", team="platform", deliver=False, spool=spool) as run:
        data = run.dataset(raw, role="raw")
        data.classify("UserBehavior", columns=["clicks"])
        run.use(data, role="train")
        run.log_metrics(rows=3)

    report = push(kafka_client, spool)

    assert (report.delivered, report.rejected, report.remaining) == (1, 0, 0)
    name = training_run_name(f"{unique}-kafka", run.run_id, atlas_client.config.namespace)
    entity = atlas_client.entities.get_by_unique_attribute("atlasml_training_run", name)["entity"]
    assert entity["attributes"]["team"] == "platform"
    [version] = entity["relationshipAttributes"]["inputs"]
    assert report.guids and version["guid"] in report.guids.values()
    # classifications have no hook message: they follow through REST once the entities exist
    path = atlas_client.entities.get(version["guid"])["entity"]
    assert "UserBehavior" in {c["typeName"] for c in path.get("classifications") or []}


def test_atlas_hook_consumer_leaves_nothing_behind_after_a_push(
    kafka_client: AtlasClient, bootstrap: str, tmp_path: Path, unique: str
) -> None:
    spool = Spool(tmp_path / "spool")
    for index in range(5):
        with training_run(f"{unique}-lag-{index}", deliver=False, spool=spool) as run:
            run.log_params(index=index)
    assert push(kafka_client, spool).delivered == 5

    deadline = time.monotonic() + 60
    while (lag := _hook_lag(bootstrap)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert lag == 0


def test_a_notification_over_atlas_size_limit_is_split_and_arrives_whole(
    kafka_client: AtlasClient, atlas_client: AtlasClient, unique: str
) -> None:
    description = secrets.token_hex(1_500_000)  # 3 MB; gzip leaves about half: still > 1 MB
    name = f"{unique}-big-{uuid.uuid4().hex[:6]}@primary"
    entity = {
        "typeName": "DataSet",
        "guid": "-1",
        "attributes": {"qualifiedName": name, "name": name, "description": description},
    }
    result = deliver_by_kafka(kafka_client, [entity])

    stored = atlas_client.entities.get(result.guids[name])["entity"]
    assert stored["attributes"]["description"] == description
