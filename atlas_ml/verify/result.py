"""Outcomes of verification: one per dataset version, and the report for a whole target.

Exit codes: 0 when every checked dataset version (and the model artifact of a model version)
is VERIFIED, 1 when any CHANGED (a definite finding, so it wins over 2), 2 when something
cannot be checked (UNRECOVERABLE, or nothing to check at all). DERIVED versions (in-memory
data whose recorded sources all verified) do not change the exit code: they were never
stored, so there is nothing of theirs to re-read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from atlas_ml.fingerprints import FingerprintComparison, ManifestDiff
from atlas_ml.verify.recorded import RecordedVersion

if TYPE_CHECKING:
    from atlas_ml.custody.result import CustodyResult

EXIT_VERIFIED = 0
EXIT_CHANGED = 1
EXIT_UNRECOVERABLE = 2


class Status(str, Enum):
    VERIFIED = "VERIFIED"
    """Recomputed fingerprints equal the recorded ones."""
    CHANGED = "CHANGED"
    """They differ: the data at the recorded location is not what was recorded."""
    UNRECOVERABLE = "UNRECOVERABLE"
    """The data cannot be checked: location gone, unreadable, or never recorded."""
    DERIVED = "DERIVED"
    """In-memory data, not independently checkable, made from sources that all VERIFIED."""


@dataclass(frozen=True)
class ArtifactResult:
    """What verification found for the model artifact of a model version."""

    uri: str | None
    status: Status
    summary: str
    recorded: str
    current: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "status": self.status.value,
            "summary": self.summary,
            "recordedSha256": self.recorded,
            "currentSha256": self.current,
        }


@dataclass
class VersionResult:
    """What verification found for one dataset version, and why."""

    version: RecordedVersion
    status: Status
    summary: str
    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    manifest_diff: ManifestDiff | None = None
    logical: FingerprintComparison | None = None
    row_count: tuple[int | None, int | None] | None = None
    pointer: dict[str, Any] | None = None
    derived_from: list[dict[str, str]] = field(default_factory=list)
    written_back: bool = False
    write_back_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        v = self.version
        return {
            "guid": v.guid,
            "qualifiedName": v.qualified_name,
            "name": v.name,
            "uri": v.uri,
            "status": self.status.value,
            "summary": self.summary,
            "findings": list(self.findings),
            "notes": list(self.notes),
            "manifestDiff": self.manifest_diff.to_dict() if self.manifest_diff else None,
            "logical": self.logical.to_dict() if self.logical else None,
            "rowCount": {"recorded": self.row_count[0], "current": self.row_count[1]}
            if self.row_count
            else None,
            "pointer": self.pointer,
            "derivedFrom": list(self.derived_from),
            "writtenBack": self.written_back,
            "writeBackError": self.write_back_error,
        }


@dataclass
class VerifyReport:
    """Every dataset version behind one target, with the overall outcome."""

    target: dict[str, str]
    atlas_url: str
    checked_at: str
    results: list[VersionResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    artifact: ArtifactResult | None = None
    """The model artifact's check, when the target is a model version."""
    custody: list[CustodyResult] = field(default_factory=list)
    """Chain of custody of every training run the target's lineage reaches."""

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    @property
    def exit_code(self) -> int:
        artifact = self.artifact.status if self.artifact else None
        tampered = any(c.status.is_finding for c in self.custody)
        if self.count(Status.CHANGED) or artifact is Status.CHANGED or tampered:
            return EXIT_CHANGED
        unchecked = self.count(Status.UNRECOVERABLE) or artifact is Status.UNRECOVERABLE
        if unchecked or not self.count(Status.VERIFIED):
            return EXIT_UNRECOVERABLE
        return EXIT_VERIFIED

    @property
    def outcome(self) -> str:
        data_changed = self.count(Status.CHANGED) or (
            self.artifact is not None and self.artifact.status is Status.CHANGED
        )
        if self.exit_code == EXIT_CHANGED and not data_changed:
            return next(c.status.value for c in self.custody if c.status.is_finding)
        return {
            EXIT_VERIFIED: "VERIFIED",
            EXIT_CHANGED: "CHANGED",
            EXIT_UNRECOVERABLE: "UNRECOVERABLE",
        }[self.exit_code]

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": dict(self.target),
            "atlas": self.atlas_url,
            "checkedAt": self.checked_at,
            "outcome": self.outcome,
            "exitCode": self.exit_code,
            "counts": {status.value: self.count(status) for status in Status},
            "problems": list(self.problems),
            "artifact": self.artifact.to_dict() if self.artifact else None,
            "versions": [r.to_dict() for r in self.results],
            "custody": [c.to_dict() for c in self.custody],
        }
