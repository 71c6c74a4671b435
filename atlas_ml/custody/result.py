"""Outcomes of a custody check: one status per run (or envelope file), with its findings.

Statuses, worst first (a run gets the worst that applies):

- ``TAMPERED``: a signature does not verify, or Atlas (or the file) no longer holds what was
  signed; each finding names the field, its signed value and its current one.
- ``UNTRUSTED``: the signature is valid, but the key is not trusted for the run's team.
- ``CHAIN-GAP``: the record is intact, but its team's chain is broken next to it: the
  previous attestation or its training run was deleted, or the order does not add up.
- ``UNSIGNED``: no attestation (the run was recorded without a signing key).
- ``SIGNED-OK``: signed by a trusted key, identical to what Atlas holds, chain intact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class CustodyStatus(str, Enum):
    SIGNED_OK = "SIGNED-OK"
    TAMPERED = "TAMPERED"
    UNTRUSTED = "UNTRUSTED"
    CHAIN_GAP = "CHAIN-GAP"
    UNSIGNED = "UNSIGNED"

    @property
    def is_finding(self) -> bool:
        """Whether it means something was changed or cannot be trusted (exit status 1)."""
        return self in (CustodyStatus.TAMPERED, CustodyStatus.UNTRUSTED, CustodyStatus.CHAIN_GAP)


_SEVERITY = [
    CustodyStatus.TAMPERED,
    CustodyStatus.UNTRUSTED,
    CustodyStatus.CHAIN_GAP,
    CustodyStatus.UNSIGNED,
    CustodyStatus.SIGNED_OK,
]


def worst(statuses: list[CustodyStatus]) -> CustodyStatus:
    """The most severe of ``statuses`` (SIGNED-OK for none)."""
    return min(statuses, key=_SEVERITY.index) if statuses else CustodyStatus.SIGNED_OK


@dataclass(frozen=True)
class Finding:
    """One difference: in ``entity``, ``field`` was signed as ``signed`` and is ``current``."""

    entity: str
    field: str
    signed: Any
    current: Any
    status: CustodyStatus = CustodyStatus.TAMPERED

    def __str__(self) -> str:
        return (
            f"{self.entity}: {self.field}: signed {_show(self.signed)}, now {_show(self.current)}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "field": self.field,
            "signed": self.signed,
            "current": self.current,
            "status": self.status.value,
        }


def _show(value: Any) -> str:
    if value is None:
        return "(absent)"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


@dataclass
class CustodyResult:
    """The custody of one training run (or one envelope of a file)."""

    subject: str
    """The run's qualifiedName, or the file (and line) checked."""
    status: CustodyStatus
    summary: str
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    guid: str | None = None
    team: str | None = None
    key_id: str | None = None
    sequence: int | None = None
    payload_sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "guid": self.guid,
            "status": self.status.value,
            "summary": self.summary,
            "team": self.team,
            "keyId": self.key_id,
            "sequence": self.sequence,
            "payloadSha256": self.payload_sha256,
            "findings": [f.to_dict() for f in self.findings],
            "notes": list(self.notes),
        }
