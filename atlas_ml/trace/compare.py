"""Compare two recorded dataset versions: same bytes, same rows, or what changed.

Pure: reads the facts Atlas recorded (manifest root hash, content hash, row count, schema,
per-column hashes) and says how the second differs from the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from atlas_ml.provenance.model import DatasetFacts


@dataclass
class DataDiff:
    """How dataset version ``b`` differs from ``a``."""

    same_bytes: bool = False
    same_content: bool = False
    same_location: bool = True
    row_delta: int | None = None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    retyped: dict[str, tuple[str, str]] = field(default_factory=dict)
    changed_columns: list[str] = field(default_factory=list)

    @property
    def schema_changed(self) -> bool:
        return bool(self.added or self.removed or self.retyped)

    @property
    def identical(self) -> bool:
        return self.same_bytes or self.same_content

    def findings(self) -> list[str]:
        """What changed, one phrase each (empty for identical data)."""
        if self.identical:
            return []
        found = []
        if self.row_delta:
            found.append(f"rows {self.row_delta:+,}")
        if self.added:
            found.append(f"columns added: {', '.join(self.added)}")
        if self.removed:
            found.append(f"columns removed: {', '.join(self.removed)}")
        for name, (old, new) in sorted(self.retyped.items()):
            found.append(f"column {name} retyped {old} -> {new}")
        if self.changed_columns:
            found.append(f"values changed in: {', '.join(self.changed_columns)}")
        return found or ["content differs (no per-column hashes recorded to say where)"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sameBytes": self.same_bytes,
            "sameContent": self.same_content,
            "sameLocation": self.same_location,
            "rowDelta": self.row_delta,
            "columnsAdded": list(self.added),
            "columnsRemoved": list(self.removed),
            "columnsRetyped": {k: list(v) for k, v in self.retyped.items()},
            "columnsChanged": list(self.changed_columns),
        }


def compare_data(a: DatasetFacts, b: DatasetFacts) -> DataDiff:
    """How ``b`` differs from ``a`` by their recorded fingerprints."""
    diff = DataDiff()
    diff.same_bytes = bool(a.manifest_root_hash) and a.manifest_root_hash == b.manifest_root_hash
    diff.same_content = bool(a.content_hash) and a.content_hash == b.content_hash
    diff.same_location = (a.uri or None) == (b.uri or None)
    if a.row_count is not None and b.row_count is not None:
        diff.row_delta = b.row_count - a.row_count
    old = {c.name: c.type for c in a.schema or []}
    new = {c.name: c.type for c in b.schema or []}
    if a.schema is not None and b.schema is not None:
        diff.added = [n for n in new if n not in old]
        diff.removed = [n for n in old if n not in new]
        diff.retyped = {n: (old[n], new[n]) for n in old if n in new and old[n] != new[n]}
    diff.changed_columns = sorted(
        name
        for name, value in b.column_hashes.items()
        if name in a.column_hashes and a.column_hashes[name] != value and name not in diff.retyped
    )
    return diff
