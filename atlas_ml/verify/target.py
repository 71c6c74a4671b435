"""What verify starts from: a model version, training run or dataset version in Atlas.

Finding the entity is :func:`atlas_ml.lineage.resolve.resolve_target`'s job (a guid by its
UUID shape, else a qualifiedName tried type by type); this module limits it to the types
that have training data behind them and says so when the user names something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from atlas_ml.client import AtlasClient
from atlas_ml.lineage.by_content import digest_of
from atlas_ml.lineage.resolve import AmbiguousTarget, TargetNotFound
from atlas_ml.lineage.resolve import resolve_target as resolve_entity
from atlas_ml.typedefs.names import (
    DATASET_VERSION_TYPE,
    MODEL_VERSION_TYPE,
    PROJECT_PREFIX,
    TRAINING_RUN_TYPE,
)

# Tried in this order for a qualifiedName: what a user most often verifies comes first.
TARGET_TYPES = (MODEL_VERSION_TYPE, DATASET_VERSION_TYPE, TRAINING_RUN_TYPE)

__all__ = ["TARGET_TYPES", "Target", "TargetNotFound", "resolve_target"]


@dataclass(frozen=True)
class Target:
    guid: str
    type_name: str
    qualified_name: str
    name: str
    entity: dict[str, Any]

    def to_dict(self) -> dict[str, str]:
        return {
            "guid": self.guid,
            "typeName": self.type_name,
            "qualifiedName": self.qualified_name,
            "name": self.name,
        }

    @property
    def label(self) -> str:
        kind = self.type_name.removeprefix(PROJECT_PREFIX).replace("_", " ")
        return f"{kind} {self.qualified_name}"


def resolve_target(client: AtlasClient, text: str) -> Target:
    """The model version, dataset version or training run with guid, qualifiedName or name
    ``text``, or the model version of the model saved at path ``text``."""
    text = text.strip()
    try:
        entity = resolve_entity(client, text, TARGET_TYPES)
    except AmbiguousTarget:
        raise  # its message lists the candidates
    except TargetNotFound as exc:
        if digest_of(text) is not None:
            raise  # its message says what a sha256 can and cannot find
        raise TargetNotFound(
            f"no model version, dataset version or training run named {text!r} in Atlas at "
            f"{client.config.url}. Give its guid or exact qualifiedName (e.g. "
            "'titanic-survival#d534624c718b3473@primary', as the entity's page in the Atlas "
            "UI shows it), its name as 'atlas-ml lineage' prints it, or the path a model was "
            "saved to"
        ) from exc
    attributes = entity.get("attributes") or {}
    if entity.get("typeName") not in TARGET_TYPES:
        raise TargetNotFound(
            f"{text} is a {entity.get('typeName')} ({attributes.get('qualifiedName')}); verify "
            "starts from a model version, a training run or a dataset version. "
            f"'atlas-ml lineage --downstream {text}' shows the dataset versions and models "
            "made from it"
        )
    return Target(
        guid=str(entity["guid"]),
        type_name=str(entity["typeName"]),
        qualified_name=str(attributes.get("qualifiedName", "")),
        name=str(attributes.get("name") or attributes.get("qualifiedName", "")),
        entity=entity,
    )
