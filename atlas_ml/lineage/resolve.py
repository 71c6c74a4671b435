"""Turn what a user types (a guid or a qualifiedName) into an Atlas entity."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from atlas_ml.client import AtlasClient, AtlasNotFound

# Types a user most often asks about, in the order a bare qualifiedName is tried.
DEFAULT_TYPES = (
    "atlasml_model_version",
    "atlasml_dataset_version",
    "atlasml_training_run",
    "atlasml_model",
    "hdfs_path",
    "spark_process",
)


class TargetNotFound(LookupError):
    """No entity matches the guid or qualifiedName given."""


def _is_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def resolve_target(
    client: AtlasClient, target: str, types: Sequence[str] = DEFAULT_TYPES
) -> dict[str, Any]:
    """The entity whose guid or qualifiedName is ``target``."""
    if _is_guid(target):
        try:
            return client.entities.get(target)["entity"]
        except AtlasNotFound as exc:
            raise TargetNotFound(
                f"no entity with guid {target} in Atlas at {client.config.url}"
            ) from exc
    for type_name in types:
        try:
            found = client.entities.get_by_unique_attribute(type_name, target)
        except AtlasNotFound:
            continue
        return found["entity"]
    raise TargetNotFound(
        f"no {' / '.join(types)} with qualifiedName {target!r} in Atlas at {client.config.url}"
    )


def ui_url(client: AtlasClient, guid: str) -> str:
    """Where the Atlas UI shows this entity (and its Lineage tab)."""
    return f"{client.config.url.rstrip('/')}/index.html#!/detailPage/{guid}"
