"""The Kafka transport: entities reach Atlas as hook notifications on ``ATLAS_HOOK``.

Chosen with ``transport = "kafka"`` (config file) or ``ATLAS_ML_TRANSPORT=kafka``. Each
event's entities become one ``ENTITY_CREATE_V2`` notification (split by
:mod:`atlas_ml.delivery.notifications` when larger than Atlas's limit), published by
confluent-kafka's idempotent producer (librdkafka: the client Kafka's own maintainers ship
for non-JVM languages, with idempotence, retries and every security mode Atlas's brokers
use). Publishing returns once the broker has the messages (``acks=all``); the event leaves
the spool only when Atlas has applied them, so push then waits until every entity is visible
by qualifiedName (bounded by ``kafka_visible_seconds``) and takes the guids from Atlas:
classifications, business metadata and model version numbers, which have no hook message,
follow through REST. A notification published twice (a push killed after publishing) is
applied twice by Atlas as the same create-or-update, so nothing is duplicated.

Broker address and security come from the config (``kafka_bootstrap_servers``) or, as Atlas's
hooks read them, from ``atlas-application.properties``: ``atlas.kafka.bootstrap.servers`` and
the ``atlas.kafka.*`` client settings librdkafka shares with the Java client.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from atlas_ml.client import AtlasClient, AtlasUnavailable
from atlas_ml.client.entities import UpsertResult
from atlas_ml.delivery.notifications import entity_create, notification_messages
from atlas_ml.errors import ConfigError

log = logging.getLogger("atlas_ml.delivery.kafka")

POLL_SECONDS = 0.25
KAFKA_FRAMING_BYTES = 512
"""Room left under the notification limit for Kafka's own record and batch headers: brokers
refuse a batch over ``message.max.bytes`` (1,000,012 by default), headers included."""
_producers: dict[tuple[tuple[str, str], ...], Any] = {}
_lock = threading.Lock()


def producer_settings(bootstrap: str, extra: Mapping[str, str]) -> dict[str, str]:
    """librdkafka settings: the idempotent producer, plus the broker's security settings."""
    return {
        **dict(extra),
        "bootstrap.servers": bootstrap,
        "enable.idempotence": "true",
        "acks": "all",
        "linger.ms": "5",
        "client.id": "atlas-ml",
    }


def _producer(settings: dict[str, str]) -> Any:
    """One producer per process and settings: creating one costs a broker handshake."""
    try:
        from confluent_kafka import Producer
    except ImportError as exc:
        raise ConfigError(
            "transport = kafka needs confluent-kafka: pip install 'atlas-ml[kafka]'"
        ) from exc
    key = tuple(sorted(settings.items()))
    with _lock:
        producer = _producers.get(key)
        if producer is None:
            try:
                # librdkafka's own messages (a broker that went away) go to this logger, not
                # to the stderr of the user's job
                producer = Producer({**settings, "logger": log})
            except Exception as exc:  # KafkaException for a setting librdkafka does not know
                raise ConfigError(f"cannot set up the Kafka producer: {exc}") from exc
            _producers[key] = producer
        return producer


def _discard(producer: Any) -> None:
    """Forget a producer that could not reach the broker: drop what it still queues (the
    events stay pending in the spool) so it stops retrying in the background."""
    with _lock:
        for key, cached in list(_producers.items()):
            if cached is producer:
                del _producers[key]
    try:
        producer.purge()
    except Exception:  # purge is best effort: the events are safe in the spool
        log.debug("could not purge the Kafka producer", exc_info=True)


def publish(
    client: AtlasClient, messages: list[bytes], key: str | None = None, timeout: float = 30.0
) -> None:
    """Publish ``messages`` in order and wait until the broker has every one of them."""
    config = client.config
    if not config.kafka_bootstrap_servers:
        raise ConfigError(
            "transport = kafka needs the broker: kafka_bootstrap_servers in the atlas-ml config, "
            "ATLAS_KAFKA_BOOTSTRAP_SERVERS, or atlas.kafka.bootstrap.servers in "
            "atlas-application.properties"
        )
    producer = _producer(producer_settings(config.kafka_bootstrap_servers, config.kafka_settings))
    failures: list[str] = []

    def delivered(error: Any, _message: Any) -> None:
        if error is not None:
            failures.append(str(error))

    for value in messages:
        while True:
            try:
                producer.produce(config.kafka_topic, value, key=key, on_delivery=delivered)
                break
            except BufferError:  # the local queue is full: let it drain
                producer.poll(0.1)
    left = producer.flush(timeout)
    if failures or left:
        _discard(producer)  # its queue stays in the spool; the next push starts afresh
        reason = failures[0] if failures else f"{left} message(s) not acknowledged in {timeout} s"
        raise AtlasUnavailable(
            f"could not publish to Kafka topic {config.kafka_topic} at "
            f"{config.kafka_bootstrap_servers}: {reason}"
        )


def deliver_by_kafka(client: AtlasClient, entities: list[dict[str, Any]]) -> UpsertResult:
    """Publish ``entities`` as one hook notification and wait until Atlas has applied it."""
    config = client.config
    user = config.username or "atlas-ml"
    messages = notification_messages(
        entity_create(entities, user),
        int(time.time() * 1000),
        config.notification_max_bytes - KAFKA_FRAMING_BYTES,
    )
    publish(client, messages)
    return wait_until_visible(client, entities, config.kafka_visible_seconds)


def wait_until_visible(
    client: AtlasClient, entities: list[dict[str, Any]], timeout: float
) -> UpsertResult:
    """Poll Atlas until every entity is there by type and qualifiedName; their guids.

    Atlas's hook consumer applies a notification some time after the broker has it; an
    entity still missing after ``timeout`` means the consumer is stopped or failing, and the
    event stays in the spool (publishing it again later is harmless).
    """
    wanted: dict[str, set[str]] = {}
    for entity in entities:
        name = (entity.get("attributes") or {}).get("qualifiedName")
        if name:
            wanted.setdefault(entity["typeName"], set()).add(name)
    guids: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while True:
        for type_name, names in wanted.items():
            missing = sorted(names - guids.keys())
            if not missing:
                continue
            for found in client.entities.get_bulk_by_unique_attributes(type_name, missing):
                name = (found.get("attributes") or {}).get("qualifiedName")
                if name in names and found.get("guid"):
                    guids[name] = found["guid"]
        left = sum(len(names - guids.keys()) for names in wanted.values())
        if not left:
            placeholders = {
                entity["guid"]: guids[entity["attributes"]["qualifiedName"]]
                for entity in entities
                if str(entity.get("guid", "")).startswith("-")
                and entity.get("attributes", {}).get("qualifiedName") in guids
            }
            return UpsertResult(guids=guids, placeholders=placeholders)
        if time.monotonic() >= deadline:
            raise AtlasUnavailable(
                f"published to Kafka topic {client.config.kafka_topic}, but {left} entit(y/ies) "
                f"were not in Atlas after {timeout:.0f} s: is Atlas's hook consumer running "
                "(atlas.notification.embedded / the ATLAS_HOOK consumer group 'atlas')? The "
                "events stay in the spool; push again once Atlas consumes the topic"
            )
        time.sleep(POLL_SECONDS)
