"""Atlas hook notifications as atlas-ml writes them for the Kafka transport: the envelope Atlas's
hooks use, and large messages compressed and split the way Atlas's hook consumer joins them."""

from __future__ import annotations

import base64
import gzip
import json
import secrets
from pathlib import Path

import pytest

from atlas_ml.config import load_config
from atlas_ml.delivery.notifications import (
    ENTITY_CREATE_V2,
    entity_create,
    entity_partial_update,
    notification_messages,
)
from atlas_ml.errors import ConfigError

pytestmark = pytest.mark.unit

ENTITY = {"typeName": "DataSet", "guid": "-1", "attributes": {"qualifiedName": "d@p", "name": "d"}}


def _join(parts: list[bytes]) -> dict:
    """What Atlas's AtlasNotificationMessageDeserializer does with the parts."""
    messages = [json.loads(part) for part in parts]
    if messages[0]["msgSplitCount"] > 1:
        assert [m["msgSplitIdx"] for m in messages] == list(range(len(messages)))
        assert len({m["msgId"] for m in messages}) == 1
        text = "".join(m["message"] for m in messages)
    else:
        [only] = messages
        if only["msgCompressionKind"] == "NONE":
            return only
        text = only["message"]
    return json.loads(gzip.decompress(base64.b64decode(text)))


def test_a_small_message_is_one_uncompressed_envelope_of_version_1() -> None:
    [value] = notification_messages(entity_create([ENTITY], "alice"), 1700000000000)
    envelope = json.loads(value)
    assert envelope["version"] == {"version": "1.0.0", "versionParts": [1]}
    assert (envelope["msgCompressionKind"], envelope["msgSplitIdx"], envelope["msgSplitCount"]) == (
        "NONE",
        1,
        1,
    )
    assert envelope["msgCreatedBy"] == "atlas-ml"
    assert envelope["msgCreationTime"] == 1700000000000
    assert envelope["message"] == {
        "type": ENTITY_CREATE_V2,
        "user": "alice",
        "entities": {"entities": [ENTITY], "referredEntities": {}},
    }


def test_a_message_over_the_limit_that_compresses_below_it_is_sent_gzipped_whole() -> None:
    big = dict(ENTITY, attributes={**ENTITY["attributes"], "description": "abc" * 20_000})
    message = entity_create([big], "alice")
    [value] = notification_messages(message, 1, max_bytes=10_000)
    assert len(value) <= 10_000
    assert json.loads(value)["msgCompressionKind"] == "GZIP"
    assert _join([value])["message"] == message


def test_a_message_too_large_even_compressed_is_split_into_parts_under_the_limit() -> None:
    noise = secrets.token_hex(60_000)  # hex compresses to about half: still over the limit
    big = dict(ENTITY, attributes={**ENTITY["attributes"], "description": noise})
    message = entity_create([big], "alice")
    parts = notification_messages(message, 1, max_bytes=20_000)
    assert len(parts) > 2
    assert all(len(part) <= 20_000 for part in parts)
    assert _join(parts)["message"] == message


def test_a_partial_update_names_the_entity_by_qualified_name() -> None:
    message = entity_partial_update("atlasml_model_version", "m#1@p", {"versionNumber": 2}, "bob")
    assert message["entityId"] == {
        "typeName": "atlasml_model_version",
        "uniqueAttributes": {"qualifiedName": "m#1@p"},
    }
    assert message["entity"]["entity"]["attributes"] == {"versionNumber": 2}


def test_kafka_settings_come_from_atlas_application_properties_as_atlas_hooks_read_them(
    tmp_path: Path,
) -> None:
    properties = tmp_path / "atlas-application.properties"
    properties.write_text(
        "atlas.kafka.bootstrap.servers=broker1:9092,broker2:9092\n"
        "atlas.kafka.security.protocol=SASL_SSL\n"
        "atlas.kafka.sasl.kerberos.service.name=kafka\n"
        "atlas.kafka.hook.group.id=atlas\n"
        "atlas.kafka.zookeeper.connect=zk:2181\n"
        "atlas.notification.message.max.length.bytes=500000\n"
    )
    config = load_config(properties_file=properties, env={"ATLAS_ML_TRANSPORT": "kafka"})
    assert config.transport == "kafka"
    assert config.kafka_bootstrap_servers == "broker1:9092,broker2:9092"
    assert dict(config.kafka_settings) == {
        "security.protocol": "SASL_SSL",
        "sasl.kerberos.service.name": "kafka",
    }
    assert config.notification_max_bytes == 500_000
    assert config.kafka_topic == "ATLAS_HOOK"


def test_an_unknown_transport_names_where_it_was_set() -> None:
    with pytest.raises(ConfigError, match=r"unknown transport 'carrier-pigeon' .*ATLAS_ML_TRANS"):
        load_config(env={"ATLAS_ML_TRANSPORT": "carrier-pigeon"})
