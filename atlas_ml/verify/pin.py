"""Protect the table versions a model trained on from vacuum and snapshot expiry.

Iceberg can keep a snapshot for good: a tag on it is a reference that ``expire_snapshots``
does not remove, so ``pin`` tags each recorded snapshot (through a pyiceberg catalog, which
holds the table's current metadata). Delta and DVC have no per-version protection: the answer
there is a warning naming the settings that decide how long the version stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from atlas_ml.fingerprints.manifest import local_path
from atlas_ml.fingerprints.tables import DELTA_RETENTION, DVC_RETENTION
from atlas_ml.verify.recorded import RecordedVersion
from atlas_ml.verify.time_travel import TIME_TRAVEL_KINDS

TAG_PREFIX = "atlasml-"


class PinStatus(str, Enum):
    PINNED = "PINNED"
    """Protected by the versioning system itself (an Iceberg tag, new or already there)."""
    WARNING = "WARNING"
    """Not protectable per version: the message names the retention settings to change."""
    NOT_VERSIONED = "NOT_VERSIONED"
    """Plain files or in-memory data: no versioning system to ask."""
    FAILED = "FAILED"
    """Could not be pinned; the message says why and what to do."""


@dataclass(frozen=True)
class PinResult:
    version: RecordedVersion
    status: PinStatus
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "guid": self.version.guid,
            "qualifiedName": self.version.qualified_name,
            "kind": self.version.version_kind,
            "version": self.version.version_pointer,
            "status": self.status.value,
            "message": self.message,
        }


def pin_version(
    recorded: RecordedVersion,
    iceberg_catalog: str | None = None,
    iceberg_properties: dict[str, str] | None = None,
) -> PinResult:
    """Pin one recorded dataset version (see the module docstring).

    ``iceberg_catalog``/``iceberg_properties``: the pyiceberg catalog name and any properties
    (``uri``, ``type``, ``warehouse``) beyond its configuration in ``~/.pyiceberg.yaml``.
    """
    kind = TIME_TRAVEL_KINDS.get(str(recorded.version_kind or "").upper())
    pointer = recorded.version_pointer
    if kind is None or not pointer or not recorded.uri:
        return PinResult(recorded, PinStatus.NOT_VERSIONED, "not a table or DVC version")
    if kind == "delta":
        path = local_path(recorded.uri)
        return PinResult(
            recorded,
            PinStatus.WARNING,
            f"Delta version {pointer} of {path} cannot be pinned: Delta has no per-version "
            f"protection. It stays readable as long as {DELTA_RETENTION} allow; raise them, "
            f"e.g. DeltaTable('{path}').alter.set_table_properties("
            "{'delta.logRetentionDuration': 'interval 3650 days', "
            "'delta.deletedFileRetentionDuration': 'interval 3650 days'}) or ALTER TABLE ... "
            "SET TBLPROPERTIES in Spark, or copy the version out (CLONE)",
        )
    if kind == "dvc":
        return PinResult(
            recorded,
            PinStatus.WARNING,
            f"DVC object {pointer} cannot be pinned by atlas-ml: {DVC_RETENTION}",
        )
    return _pin_iceberg(
        recorded, local_path(recorded.uri), int(pointer), iceberg_catalog, iceberg_properties or {}
    )


def _pin_iceberg(
    recorded: RecordedVersion,
    location: Path,
    snapshot_id: int,
    catalog_name: str | None,
    properties: dict[str, str],
) -> PinResult:
    try:
        from pyiceberg.catalog import load_catalog
        from pyiceberg.exceptions import CommitFailedException
    except ImportError:
        return PinResult(
            recorded,
            PinStatus.FAILED,
            "tagging an Iceberg snapshot needs pyiceberg: pip install 'atlas-ml[iceberg]'",
        )
    how = (
        "name the table's catalog with --iceberg-catalog NAME, configured as pyiceberg reads "
        "it (~/.pyiceberg.yaml, PYICEBERG_CATALOG__NAME__URI/TYPE/WAREHOUSE) or given with "
        "--iceberg-property uri=... --iceberg-property type=sql"
    )
    try:
        catalog = load_catalog(catalog_name, **properties)
        table = _table_at(catalog, location)
    except Exception as exc:  # pyiceberg raises many kinds for a missing or broken catalog
        return PinResult(
            recorded, PinStatus.FAILED, f"no Iceberg catalog to commit to ({exc}): {how}"
        )
    if table is None:
        return PinResult(
            recorded,
            PinStatus.FAILED,
            f"catalog {catalog.name!r} has no table at {location}: {how}",
        )
    tag = f"{TAG_PREFIX}{recorded.guid}"
    name = ".".join(table.name())
    existing = table.refs().get(tag)
    if existing is not None and existing.snapshot_id == snapshot_id:
        return PinResult(
            recorded,
            PinStatus.PINNED,
            f"Iceberg snapshot {snapshot_id} of {name} already tagged {tag}",
        )
    if table.snapshot_by_id(snapshot_id) is None:
        return PinResult(
            recorded,
            PinStatus.FAILED,
            f"Iceberg snapshot {snapshot_id} of {name} has already been expired: too late to pin",
        )
    try:
        table.manage_snapshots().create_tag(snapshot_id=snapshot_id, tag_name=tag).commit()
    except CommitFailedException as exc:
        return PinResult(
            recorded, PinStatus.FAILED, f"{name}: tag not committed ({exc}); run pin again"
        )
    return PinResult(
        recorded,
        PinStatus.PINNED,
        f"tagged Iceberg snapshot {snapshot_id} of {name} as {tag} (expire_snapshots keeps it)",
    )


def _table_at(catalog: Any, location: Path) -> Any:
    """The catalog's table whose location is ``location`` (catalogs index tables by name)."""
    wanted = location.resolve()

    def walk(namespace: tuple[str, ...]) -> Any:
        for identifier in catalog.list_tables(namespace):
            table = catalog.load_table(identifier)
            if local_path(table.location()).resolve() == wanted:
                return table
        for child in catalog.list_namespaces(namespace):
            found = walk(tuple(child))
            if found is not None:
                return found
        return None

    for namespace in catalog.list_namespaces():
        found = walk(tuple(namespace))
        if found is not None:
            return found
    return None
