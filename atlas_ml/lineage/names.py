"""Which naming rule a path's qualifiedName follows, and which of its names Atlas holds.

Answers ``atlas-ml naming explain``: for a path, a URI or a path's qualifiedName, the entity
type it is recorded as, its name under the current rule (:mod:`atlas_ml.naming.case`), where the
setting that decided the case came from, and the lower-cased name atlas-ml up to 0.1.0 gave
it; each with whether Atlas has it and its classifications.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from atlas_ml import naming
from atlas_ml.client import AtlasBadRequest, AtlasClient, AtlasNotFound
from atlas_ml.naming.case import SETTING, case_rule, has_legacy_twin, legacy_name
from atlas_ml.typedefs.names import DATASET_VERSION_TYPE

VERSION_TYPE = DATASET_VERSION_TYPE


@dataclass(frozen=True)
class NameInAtlas:
    """One qualifiedName and the entity Atlas has under it (guid None: none)."""

    qualified_name: str
    guid: str | None = None
    classifications: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NameExplanation:
    target: str
    type_name: str
    current: NameInAtlas
    rule: str
    setting: str
    """Where the case setting came from, e.g. ``default`` or ``atlas-application.properties``."""
    legacy: NameInAtlas | None = None
    """The name atlas-ml up to 0.1.0 gave the path, when it differs."""
    note: str | None = None


def explain_name(client: AtlasClient, target: str) -> NameExplanation:
    """How ``target`` (a path, URI, or a path's or dataset version's qualifiedName) is named."""
    config = client.config
    namespace = config.namespace
    setting = config.sources.get("lowercase_paths", "default")
    shown = f"{SETTING}={str(config.lowercase_paths).lower()} (from {setting})"
    suffix = f"@{namespace}"
    if target.endswith(suffix) and "#" in target:
        return NameExplanation(
            target,
            VERSION_TYPE,
            _lookup(client, VERSION_TYPE, target),
            "a dataset version is named by its location with the path's case kept, whatever "
            f"{SETTING} says, then the hash of its bytes: two files differing in case are two "
            "versions",
            shown,
        )
    if target.endswith(suffix):
        location = target.removesuffix(suffix)
        note = None
        physical = naming.physical_dataset(location, namespace, config.lowercase_paths)
        if physical.qualified_name != target:
            note = f"{target} does not follow the current rule: it is " + (
                "the lower-cased name atlas-ml up to 0.1.0 gave every path"
                if target == legacy_name(physical.qualified_name, namespace)
                else "a name another tool wrote"
            )
    else:
        physical = naming.physical_dataset(target, namespace, config.lowercase_paths)
        note = None
    name = physical.qualified_name
    legacy = None
    if has_legacy_twin(name, namespace):
        legacy = _lookup(client, physical.type_name, legacy_name(name, namespace))
    return NameExplanation(
        target,
        physical.type_name,
        _lookup(client, physical.type_name, name),
        case_rule(physical.type_name, config.lowercase_paths).reason,
        shown,
        legacy,
        note,
    )


def _lookup(client: AtlasClient, type_name: str, qualified_name: str) -> NameInAtlas:
    try:
        entity: dict[str, Any] = client.entities.get_by_unique_attribute(type_name, qualified_name)[
            "entity"
        ]
    except (AtlasNotFound, AtlasBadRequest):
        return NameInAtlas(qualified_name)
    tags = sorted({c.get("typeName", "?") for c in entity.get("classifications") or []})
    return NameInAtlas(qualified_name, entity.get("guid"), tags)
