"""What custody signs about a training run: the records atlas-ml writes into Atlas for it.

A record is one entity as the project's mapping (:func:`atlas_ml.mapping.map_event`) sends
it, reduced to the fields that stay true for as long as the entity exists: the training run
itself, each preparation step (transform) it recorded, every dataset version it or its steps
read or wrote, and its model versions. Because the signed values are the very values sent to
Atlas, the check can compare them field by field with what Atlas holds now, and a field
atlas-ml adds later (a step's code fingerprint, a run link) is signed as soon as the mapping
writes it.

Left out are the fields Atlas or atlas-ml legitimately change after the run: verification
status and times written back by ``verify``, the capture time a later read refreshes, the
times of a step another run repeats, the registration details of a model version that a
later run registers again (its number, first registration, latest location, stage). A large
field (a dataset version's full ``fingerprints``) is signed by its sha256.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.custody.canonical import comparable, jsonable, sha256_hex
from atlas_ml.events import TRAINING_RUN
from atlas_ml.mapping import map_event
from atlas_ml.typedefs.names import (
    DATASET_VERSION_TYPE,
    MODEL_VERSION_TYPE,
    TRAINING_RUN_TYPE,
    TRANSFORM_TYPE,
)

SIGNED_TYPES = (TRAINING_RUN_TYPE, TRANSFORM_TYPE, DATASET_VERSION_TYPE, MODEL_VERSION_TYPE)
PROCESS_TYPES = (TRAINING_RUN_TYPE, TRANSFORM_TYPE)

UNSIGNED_ATTRIBUTES: dict[str, frozenset[str]] = {
    DATASET_VERSION_TYPE: frozenset({"capturedTime", "verificationStatus", "verifiedTime"}),
    TRANSFORM_TYPE: frozenset({"startTime", "endTime"}),
    MODEL_VERSION_TYPE: frozenset({"registeredTime", "versionNumber", "artifactUri", "stage"}),
}
ACCUMULATED_ATTRIBUTES: dict[str, frozenset[str]] = {
    MODEL_VERSION_TYPE: frozenset({"artifactLocations"}),
}
"""Lists every run adds to (each run that saved the same bytes adds where it saved them): a
signed run's values must all still be there; values other runs added are no tampering."""
DIGESTED_ATTRIBUTES = frozenset({"fingerprints"})
DIGEST_SUFFIX = "#sha256"
LINK_ATTRIBUTES = ("inputs", "outputs")

TYPE_LABELS = {
    TRAINING_RUN_TYPE: "training run",
    TRANSFORM_TYPE: "step",
    DATASET_VERSION_TYPE: "dataset version",
    MODEL_VERSION_TYPE: "model version",
}


@dataclass(frozen=True)
class Record:
    """One signed entity: its identity, signed attribute values and links by qualifiedName."""

    type_name: str
    qualified_name: str
    attributes: dict[str, Any] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How a finding names it: ``dataset version titanic.csv@411730e9cddb``."""
        name = self.attributes.get("name") or self.qualified_name
        return f"{TYPE_LABELS.get(self.type_name, self.type_name)} {name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "typeName": self.type_name,
            "qualifiedName": self.qualified_name,
            "attributes": jsonable(self.attributes),
            "links": {k: sorted(v) for k, v in sorted(self.links.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Record:
        """A record from a statement; raises ``ValueError`` when it is not one."""
        type_name, qualified_name = data.get("typeName"), data.get("qualifiedName")
        attributes, links = data.get("attributes") or {}, data.get("links") or {}
        if not isinstance(type_name, str) or not isinstance(qualified_name, str):
            raise ValueError("a record needs typeName and qualifiedName")
        if not isinstance(attributes, dict) or not isinstance(links, dict):
            raise ValueError(f"record {qualified_name}: attributes and links must be objects")
        if not all(isinstance(v, list) for v in links.values()):
            raise ValueError(f"record {qualified_name}: every link must be a list of names")
        return cls(
            type_name, qualified_name, dict(attributes), {k: list(v) for k, v in links.items()}
        )


def signed_attributes(type_name: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes of a mapped entity that custody signs (links excluded)."""
    skipped = UNSIGNED_ATTRIBUTES.get(type_name, frozenset())
    signed: dict[str, Any] = {}
    for name, value in attributes.items():
        if name in skipped or name in LINK_ATTRIBUTES or value is None or _is_reference(value):
            continue
        if name in DIGESTED_ATTRIBUTES:
            signed[name + DIGEST_SUFFIX] = digest_of(value)
        else:
            signed[name] = jsonable(value)
    return signed


def digest_of(value: Any) -> str | None:
    """sha256 of a large attribute's text as Atlas stores it."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return sha256_hex(text.encode())


def current_value(attributes: Mapping[str, Any], name: str) -> Any:
    """What Atlas holds now for signed attribute ``name`` (a digest for digested ones)."""
    if name.endswith(DIGEST_SUFFIX):
        return digest_of(attributes.get(name.removesuffix(DIGEST_SUFFIX)))
    return comparable(attributes.get(name))


def _is_reference(value: Any) -> bool:
    if isinstance(value, dict):
        return "guid" in value or "uniqueAttributes" in value
    if isinstance(value, list) and value:
        return all(isinstance(v, dict) and ("guid" in v or "uniqueAttributes" in v) for v in value)
    return False


def records_from_events(
    events: Iterable[Mapping[str, Any]], terminal: Mapping[str, Any], namespace: str
) -> tuple[Record, list[Record]]:
    """The run's own record and every other signed record, from the events it emitted.

    ``events`` are the run's step events (an earlier terminal event of the same run, which a
    Spark ML model saved twice emits, is superseded by ``terminal`` and skipped).
    """
    merged: dict[tuple[str, str], Record] = {}
    run_record: Record | None = None
    for event in [*events, terminal]:
        facets = (event.get("run") or {}).get("facets") or {}
        if TRAINING_RUN in facets and event is not terminal:
            continue
        changes = map_event(dict(event), namespace)
        own = _own_process(changes.entities)
        names = {
            e["guid"]: (e["typeName"], e["attributes"]["qualifiedName"]) for e in changes.entities
        }
        for entity in changes.entities:
            type_name = entity["typeName"]
            attributes = entity["attributes"]
            if type_name not in SIGNED_TYPES:
                continue
            if type_name in PROCESS_TYPES and entity is not own:
                continue  # the snapshot and partition transforms mapping adds around data
            record = Record(
                type_name,
                attributes["qualifiedName"],
                signed_attributes(type_name, attributes),
                _links(entity, names),
            )
            key = (type_name, record.qualified_name)
            earlier = merged.get(key)
            if earlier is not None:
                earlier.attributes.update(record.attributes)
                earlier.links.update(record.links)
                record = earlier
            merged[key] = record
            if type_name == TRAINING_RUN_TYPE:
                run_record = record
    if run_record is None:
        raise ValueError("the terminal event does not record a training run")
    others = [r for r in merged.values() if r is not run_record]
    return run_record, others


def _own_process(entities: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The event's own process (its training run or step): mapping adds it after the data
    sets and the snapshot transforms that connect them."""
    processes = [e for e in entities if e["typeName"] in PROCESS_TYPES]
    return processes[-1] if processes else None


def _links(entity: Mapping[str, Any], names: Mapping[str, tuple[str, str]]) -> dict[str, list[str]]:
    """qualifiedNames of the signed-type entities each reference attribute points at."""
    links: dict[str, list[str]] = {}
    for section in ("attributes", "relationshipAttributes"):
        for name, value in (entity.get(section) or {}).items():
            if not _is_reference(value):
                continue
            targets = value if isinstance(value, list) else [value]
            found = [names[t["guid"]] for t in targets if t.get("guid") in names]
            signed = sorted({qn for type_name, qn in found if type_name in SIGNED_TYPES})
            if signed or name in LINK_ATTRIBUTES:
                links[name] = signed
    return links
