"""Attestations as Atlas holds them: one entity, a deleted one by its payload hash, a team's
whole log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from atlas_ml.client import AtlasClient
from atlas_ml.custody.envelope import Opened, open_envelope
from atlas_ml.typedefs.names import ATTESTATION_TYPE

ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class StoredAttestation:
    """One ``atlasml_attestation`` entity."""

    entity: Mapping[str, Any]

    @property
    def guid(self) -> str:
        return str(self.entity.get("guid"))

    @property
    def active(self) -> bool:
        return self.entity.get("status", ACTIVE) == ACTIVE

    @property
    def attributes(self) -> Mapping[str, Any]:
        return self.entity.get("attributes") or {}

    @property
    def sequence(self) -> int:
        value = self.attributes.get("sequence")
        return value if isinstance(value, int) else 0

    @property
    def payload_sha256(self) -> str | None:
        value = self.attributes.get("payloadSha256")
        return str(value) if value else None

    @property
    def label(self) -> str:
        return f"attestation #{self.sequence} {str(self.payload_sha256 or '')[:16]}"

    def run_reference(self) -> Mapping[str, Any] | None:
        """The ``trainingRun`` relationship (guid, entityStatus, relationshipStatus)."""
        ref = (self.entity.get("relationshipAttributes") or {}).get("trainingRun")
        return ref if isinstance(ref, dict) else None

    def run_present(self) -> bool:
        """Whether the run it records is still in Atlas, ACTIVE and linked to it."""
        ref = self.run_reference()
        return bool(
            ref
            and ref.get("entityStatus", ACTIVE) == ACTIVE
            and ref.get("relationshipStatus", ACTIVE) == ACTIVE
        )

    def open(self) -> Opened:
        """The envelope (raises :class:`~atlas_ml.custody.envelope.EnvelopeError`)."""
        envelope = self.attributes.get("envelope")
        return open_envelope(envelope if isinstance(envelope, str) else "")


def deleted_attestation(client: AtlasClient, payload_sha256: str) -> StoredAttestation | None:
    """The attestation of that payload even when deleted (Atlas finds only active entities
    by name; a search sees deleted ones too), so that a check can tell deleted from never
    delivered or purged; None when Atlas has none."""
    headers = client.search.basic(
        ATTESTATION_TYPE,
        entity_filters={
            "attributeName": "payloadSha256",
            "operator": "eq",
            "attributeValue": payload_sha256,
        },
        exclude_deleted=False,
        limit=1,
    )
    guids = [h["guid"] for h in headers if h.get("guid")]
    found = client.entities.get_bulk(guids) if guids else []
    return StoredAttestation(found[0]) if found else None


def team_attestations(client: AtlasClient, team: str) -> list[StoredAttestation]:
    """Every attestation of ``team`` in Atlas (deleted ones included), as full entities."""
    headers = client.search.basic(
        ATTESTATION_TYPE,
        entity_filters={"attributeName": "team", "operator": "eq", "attributeValue": team},
        exclude_deleted=False,
    )
    guids = [h["guid"] for h in headers if h.get("guid")]
    if not guids:
        return []
    entities = client.entities.get_bulk(guids)
    # A filter on an attribute Atlas indexes case-insensitively may match other teams.
    return [
        StoredAttestation(e) for e in entities if (e.get("attributes") or {}).get("team") == team
    ]
