"""What one event asks of Atlas: entities to upsert and classifications to attach."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ClassificationRequest:
    """Attach classification ``name`` to the entity ``type_name``/``qualified_name``."""

    type_name: str
    qualified_name: str
    name: str
    attributes: dict[str, Any] = field(default_factory=dict)
    propagate: bool = True

    def classification(self) -> dict[str, Any]:
        return {"typeName": self.name, "attributes": self.attributes, "propagate": self.propagate}


@dataclass(frozen=True)
class BusinessMetadataRequest:
    """Set business metadata ``name`` (attributes given; others keep their value) on the entity
    ``type_name``/``qualified_name``."""

    type_name: str
    qualified_name: str
    name: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class AtlasChanges:
    """Entities linked by placeholder guids (``-1``, ``-2``, ...) so they travel together.

    An entity already in the batch (same type and qualifiedName) is not added twice: the same
    dataset can be an output of one step and an input of the next within one event.
    """

    entities: list[dict[str, Any]] = field(default_factory=list)
    classifications: list[ClassificationRequest] = field(default_factory=list)
    business_metadata: list[BusinessMetadataRequest] = field(default_factory=list)
    infer_copies: bool = True
    """False when the event's producer asked for no inferred copies of its data (see
    :mod:`atlas_ml.delivery.copies`)."""
    optional_references: set[tuple[str, str]] = field(default_factory=set)
    """(type, qualifiedName) of entities another hook owns (``hive_table``): referenced only
    when they exist, see :meth:`drop_references`."""
    folded: set[tuple[str, str]] = field(default_factory=set)
    """(type, qualifiedName) of runs that several events describe (an OpenLineage run's START
    and COMPLETE): delivery folds each into what Atlas has, see
    :func:`atlas_ml.mapping.openlineage.fold_run`."""
    _by_name: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict, repr=False)

    def add(
        self,
        type_name: str,
        attributes: dict[str, Any],
        relationships: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Add (or merge into) an entity and return a reference to it for other entities.

        ``relationships`` are sent as ``relationshipAttributes``: needed where a stock type
        defines a relationship attribute of the same name on a supertype (``DataSet.model``
        of ``spark_ml_model_dataset``), so the reference must name its relationship type.
        """
        key = (type_name, attributes["qualifiedName"])
        existing = self._by_name.get(key)
        if existing is not None:
            existing["attributes"].update(attributes)
            if relationships:
                existing.setdefault("relationshipAttributes", {}).update(relationships)
            return {"guid": existing["guid"], "typeName": type_name}
        entity: dict[str, Any] = {
            "typeName": type_name,
            "guid": f"-{len(self.entities) + 1}",
            "attributes": dict(attributes),
        }
        if relationships:
            entity["relationshipAttributes"] = dict(relationships)
        self.entities.append(entity)
        self._by_name[key] = entity
        return {"guid": entity["guid"], "typeName": type_name}

    def reference(self, type_name: str, qualified_name: str) -> dict[str, Any]:
        """Refer to an entity this event does not create, e.g. a Hive table the Hive hook owns.

        Atlas rejects a whole request that refers to a missing entity (ATLAS-404-00-00A), so
        such references are optional: delivery drops the ones Atlas does not know.
        """
        self.optional_references.add((type_name, qualified_name))
        return {"typeName": type_name, "uniqueAttributes": {"qualifiedName": qualified_name}}

    def drop_references(self, missing: set[tuple[str, str]]) -> None:
        """Remove every reference to the ``missing`` (type, qualifiedName) entities."""

        def kept(value: Any) -> bool:
            unique = value.get("uniqueAttributes") if isinstance(value, dict) else None
            if not isinstance(unique, dict) or "guid" in value:
                return True
            return (value.get("typeName"), unique.get("qualifiedName")) not in missing

        for entity in self.entities:
            for section in ("attributes", "relationshipAttributes"):
                values = entity.get(section) or {}
                for key, value in list(values.items()):
                    if isinstance(value, list):
                        values[key] = [item for item in value if kept(item)]
                    elif not kept(value):
                        del values[key]
        self.optional_references -= missing

    def set_business_metadata(
        self, type_name: str, reference: dict[str, Any], name: str, attributes: dict[str, Any]
    ) -> None:
        """Ask delivery to set business metadata ``name`` on the entity ``reference`` names."""
        entity = next(e for e in self.entities if e["guid"] == reference["guid"])
        qualified_name = entity["attributes"]["qualifiedName"]
        self.business_metadata.append(
            BusinessMetadataRequest(type_name, qualified_name, name, dict(attributes))
        )

    def names(self, type_name: str) -> list[str]:
        return [
            e["attributes"]["qualifiedName"] for e in self.entities if e["typeName"] == type_name
        ]
