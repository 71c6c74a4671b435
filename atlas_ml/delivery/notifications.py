"""Atlas hook notifications: entities as the messages Atlas's own hooks put on ``ATLAS_HOOK``.

Atlas's hooks (Hive, Spark, Sqoop...) do not call REST: they publish notifications to Kafka and
Atlas's hook consumer applies them, so a busy or restarting Atlas loses nothing and the writer
never waits. The envelope is ``AtlasNotificationMessage`` version 1.0.0 around a V2 hook
message (``ENTITY_CREATE_V2``: create or update by qualifiedName; ``ENTITY_PARTIAL_UPDATE_V2``;
``ENTITY_FULL_UPDATE_V2``).

A message larger than Atlas's limit (``atlas.notification.message.max.length.bytes``, one
million bytes by default) is handled as Atlas's ``AbstractNotification`` does: gzip-compressed
and base64-encoded (``msgCompressionKind`` GZIP), and when that is still too large, split into
parts sharing a ``msgId`` with ``msgSplitIdx`` 0..n-1 of ``msgSplitCount`` n, which the hook
consumer joins again. Here the limit holds for the whole serialized part, envelope included,
so every Kafka message stays under it. Pure: no I/O.
"""

from __future__ import annotations

import base64
import gzip
import json
import socket
import uuid
from collections.abc import Iterator
from itertools import count
from typing import Any

MESSAGE_VERSION = {"version": "1.0.0", "versionParts": [1]}
DEFAULT_MAX_BYTES = 1_000_000
"""Atlas's ``atlas.notification.message.max.length.bytes`` default."""
CREATED_BY = "atlas-ml"

ENTITY_CREATE_V2 = "ENTITY_CREATE_V2"
ENTITY_PARTIAL_UPDATE_V2 = "ENTITY_PARTIAL_UPDATE_V2"
ENTITY_FULL_UPDATE_V2 = "ENTITY_FULL_UPDATE_V2"

_message_ids = count()
_message_prefix = uuid.uuid4().hex


def entity_create(entities: list[dict[str, Any]], user: str) -> dict[str, Any]:
    """``ENTITY_CREATE_V2``: create or update ``entities`` (placeholder guids resolve within)."""
    return {
        "type": ENTITY_CREATE_V2,
        "user": user,
        "entities": {"entities": entities, "referredEntities": {}},
    }


def entity_partial_update(
    type_name: str, qualified_name: str, attributes: dict[str, Any], user: str
) -> dict[str, Any]:
    """``ENTITY_PARTIAL_UPDATE_V2``: set ``attributes`` on the entity named by qualifiedName."""
    return {
        "type": ENTITY_PARTIAL_UPDATE_V2,
        "user": user,
        "entityId": {"typeName": type_name, "uniqueAttributes": {"qualifiedName": qualified_name}},
        "entity": {"entity": {"typeName": type_name, "attributes": attributes}},
    }


def notification_messages(
    message: dict[str, Any],
    created_at_ms: int,
    max_bytes: int = DEFAULT_MAX_BYTES,
    source_ip: str | None = None,
) -> list[bytes]:
    """``message`` wrapped as Atlas wraps hook messages, as one or more Kafka message values,
    each at most ``max_bytes`` long."""
    envelope = {
        "version": MESSAGE_VERSION,
        "msgSourceIP": source_ip if source_ip is not None else _host_address(),
        "msgCreatedBy": CREATED_BY,
        "msgCreationTime": created_at_ms,
        "spooled": False,
        "msgCompressionKind": "NONE",
        "msgSplitIdx": 1,
        "msgSplitCount": 1,
        "message": message,
    }
    whole = _dumps(envelope)
    if len(whole) <= max_bytes:
        return [whole]
    message_id = f"{_message_prefix}_{next(_message_ids)}"
    packed = base64.b64encode(gzip.compress(whole)).decode("ascii")
    compressed = _string_message(packed, message_id, 1, 1)
    if len(compressed) <= max_bytes:
        return [compressed]
    return list(_split(packed, message_id, max_bytes))


def _split(packed: str, message_id: str, max_bytes: int) -> Iterator[bytes]:
    """Parts of ``packed`` whose serialized messages each fit ``max_bytes``."""
    overhead = len(_string_message("", message_id, 10**6, 10**6))
    chunk = max_bytes - overhead
    if chunk < 1:
        raise ValueError(f"a notification limit of {max_bytes} bytes cannot hold a message part")
    parts = [packed[start : start + chunk] for start in range(0, len(packed), chunk)]
    for index, part in enumerate(parts):
        yield _string_message(part, message_id, index, len(parts))


def _string_message(text: str, message_id: str, index: int, total: int) -> bytes:
    """``AtlasNotificationStringMessage``: a compressed message, or one part of it."""
    return _dumps(
        {
            "version": MESSAGE_VERSION,
            "msgId": message_id,
            "msgCompressionKind": "GZIP",
            "msgSplitIdx": index,
            "msgSplitCount": total,
            "message": text,
        }
    )


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _host_address() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return ""
