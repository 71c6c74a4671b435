"""A dataset version as Atlas recorded it: the fingerprints verify compares against."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.fingerprints import (
    FileManifest,
    FingerprintError,
    LogicalFingerprint,
    ManifestError,
)


@dataclass(frozen=True)
class RecordedVersion:
    """The attributes of one ``atlasml_dataset_version`` entity that verification reads.

    ``manifest`` and ``logical`` are the full records from the ``fingerprints`` JSON, which
    let verify say *what* changed; the flat hashes are what older or partial records carry.
    ``problems`` lists parts of the record that could not be read.
    """

    guid: str
    qualified_name: str
    name: str
    uri: str | None
    data_format: str | None = None
    content_hash: str | None = None
    manifest_root_hash: str | None = None
    row_count: int | None = None
    schema_fingerprint: str | None = None
    manifest: FileManifest | None = None
    logical: LogicalFingerprint | None = None
    version_pointer: str | None = None
    version_kind: str | None = None
    verification_status: str | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def in_memory(self) -> bool:
        """No location was recorded (an in-memory DataFrame): its bytes cannot be re-read."""
        return not self.uri

    @property
    def has_fingerprint(self) -> bool:
        return bool(self.content_hash or self.manifest_root_hash)

    @classmethod
    def from_entity(cls, entity: dict[str, Any]) -> RecordedVersion:
        """Read an entity as returned by ``GET /v2/entity/guid/{guid}`` (its ``entity`` part)."""
        attributes = entity.get("attributes") or {}
        problems: list[str] = []
        manifest, logical = _fingerprint_records(attributes.get("fingerprints"), problems)
        row_count = attributes.get("rowCount")
        return cls(
            guid=str(entity.get("guid", "")),
            qualified_name=str(attributes.get("qualifiedName", "")),
            name=str(attributes.get("name") or attributes.get("qualifiedName", "")),
            uri=attributes.get("uri") or None,
            data_format=attributes.get("format"),
            content_hash=attributes.get("contentHash") or None,
            manifest_root_hash=attributes.get("manifestRootHash") or None,
            row_count=int(row_count) if row_count is not None else None,
            schema_fingerprint=attributes.get("schemaFingerprint") or None,
            manifest=manifest,
            logical=logical,
            version_pointer=attributes.get("versionPointer"),
            version_kind=attributes.get("versionKind"),
            verification_status=attributes.get("verificationStatus"),
            problems=tuple(problems),
        )


def _fingerprint_records(
    text: Any, problems: list[str]
) -> tuple[FileManifest | None, LogicalFingerprint | None]:
    if not text:
        return None, None
    try:
        records = json.loads(text) if isinstance(text, str) else dict(text)
    except (TypeError, ValueError) as exc:
        problems.append(f"the recorded 'fingerprints' attribute is not JSON ({exc})")
        return None, None
    manifest = logical = None
    if records.get("manifest"):
        try:
            manifest = FileManifest.from_dict(records["manifest"])
        except ManifestError as exc:
            problems.append(f"recorded manifest unreadable: {exc}")
    if records.get("logical"):
        try:
            logical = LogicalFingerprint.from_dict(records["logical"])
        except FingerprintError as exc:
            problems.append(f"recorded logical fingerprint unreadable: {exc}")
    return manifest, logical
