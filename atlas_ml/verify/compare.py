"""Judge one dataset version: recorded fingerprints against recomputed ones.

Identical file bytes are VERIFIED: the manifest is the cryptographic record. The logical
fingerprint depends on the reader (Spark and pandas parse INT96 timestamps, NaN and CSV
escapes differently), so it decides only when the bytes could not be compared, and
otherwise explains a byte change: which rows, columns and schema changed. Bytes that changed
while the logical content did not (a rewrite, a compaction) still count as CHANGED: the
record is of those bytes, and the finding says the rows are the same. VERIFIED needs at
least one fingerprint compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from atlas_ml.fingerprints import (
    FingerprintComparison,
    LogicalFingerprint,
    ManifestDiff,
    compare,
    diff_manifests,
)
from atlas_ml.fingerprints.datasets import DatasetRecord
from atlas_ml.fingerprints.logical import ALGORITHM as LOGICAL_ALGORITHM
from atlas_ml.fingerprints.manifest import ALGORITHM as MANIFEST_ALGORITHM
from atlas_ml.verify.recompute import Recomputed
from atlas_ml.verify.recorded import RecordedVersion
from atlas_ml.verify.result import Status, VersionResult

# Pointer kinds whose version moves when the table gets new commits (atlasml_version_kind).
_TABLE_KINDS = {"DELTA": "delta", "ICEBERG": "iceberg", "DVC": "dvc"}
_TIME_TRAVEL = {
    "DELTA": "Delta time travel (VERSION AS OF {v}) may still read the recorded version "
    "until VACUUM or log retention removes it",
    "ICEBERG": "Iceberg time travel (FOR VERSION AS OF {v}) may still read the recorded "
    "snapshot until expire_snapshots removes it",
    "DVC": "'dvc checkout' of the commit that recorded md5 {v} may restore it",
}
MAX_LISTED = 20


def compare_version(recorded: RecordedVersion, now: Recomputed) -> VersionResult:
    """The status of a file-backed dataset version, with what changed or why it is unknown."""
    if now.record is None:
        return VersionResult(
            recorded, Status.UNRECOVERABLE, now.error or "the data could not be read"
        )
    if not recorded.has_fingerprint:
        return VersionResult(
            recorded,
            Status.UNRECOVERABLE,
            "Atlas holds no fingerprint for this dataset version, so there is nothing to "
            "compare the data with",
        )
    current = now.record
    result = VersionResult(recorded, Status.VERIFIED, "")
    result.notes.extend(recorded.problems)
    result.notes.extend(now.notes)
    bytes_equal = _compare_bytes(recorded, current, result)
    rows_equal, row_findings = _compare_rows(recorded, current, now.logical_error, result)
    rows_equal = _weigh_rows(
        bytes_equal, rows_equal, row_findings, _engines(recorded, current), result
    )
    result.pointer = _compare_pointer(recorded, current, result)
    compared = [x for x in (bytes_equal, rows_equal) if x is not None]
    if not compared:
        result.status = Status.UNRECOVERABLE
        result.summary = "no recorded fingerprint could be recomputed here"
    elif all(compared):
        result.summary = _verified_summary(bytes_equal, rows_equal, recorded)
        if (result.pointer or {}).get("movedOn") and recorded.version_kind not in _TABLE_KINDS:
            result.notes.append(
                "rewritten since capture (modification time changed) with identical content"
            )
    else:
        result.status = Status.CHANGED
        if bytes_equal is False and rows_equal is True:
            result.findings.append(
                "the bytes changed but the rows, values and schema are identical "
                "(rewritten or compacted, not altered)"
            )
        result.summary = "; ".join(result.findings[:3]) or "the fingerprints differ"
    return result


def _compare_bytes(
    recorded: RecordedVersion, current: DatasetRecord, result: VersionResult
) -> bool | None:
    """True/False when the file bytes could be compared, None when they could not."""
    manifest = current.manifest
    if manifest is None or not recorded.manifest_root_hash:
        return None
    if recorded.manifest is not None and recorded.manifest.algorithm != manifest.algorithm:
        result.notes.append(
            f"recorded with manifest algorithm {recorded.manifest.algorithm}, this atlas-ml "
            f"computes {MANIFEST_ALGORITHM}: file bytes not compared"
        )
        return None
    if recorded.manifest_root_hash == manifest.root_hash:
        return True
    if recorded.manifest is not None:
        diff = diff_manifests(recorded.manifest, manifest)
        result.manifest_diff = diff
        result.findings.extend(describe_manifest_diff(diff))
    else:
        result.findings.append(
            f"file manifest root hash {recorded.manifest_root_hash[:12]} -> "
            f"{manifest.root_hash[:12]} (no per-file record to say which files)"
        )
    return False


def describe_manifest_diff(diff: ManifestDiff) -> list[str]:
    """One line per changed file (at most ``MAX_LISTED`` of each kind)."""
    lines: list[str] = []
    for old, new in diff.modified[:MAX_LISTED]:
        lines.append(f"file {old.path} modified ({old.size} -> {new.size} bytes)")
    lines.extend(f"file {e.path} added ({e.size} bytes)" for e in diff.added[:MAX_LISTED])
    lines.extend(f"file {e.path} removed" for e in diff.removed[:MAX_LISTED])
    for label, items in (
        ("modified", diff.modified),
        ("added", diff.added),
        ("removed", diff.removed),
    ):
        if len(items) > MAX_LISTED:
            lines.append(f"... and {len(items) - MAX_LISTED} more files {label}")
    return lines


def _weigh_rows(
    bytes_equal: bool | None,
    rows_equal: bool | None,
    findings: list[str],
    engines: tuple[str, str] | None,
    result: VersionResult,
) -> bool | None:
    """Whether the rows count towards the status: not when the bytes are identical.

    Identical bytes hold identical rows, so a logical difference then comes from the reader
    (another engine or reader options recorded it) and is only noted.
    """
    readers = f" (recorded by {engines[0]}, recomputed here by {engines[1]})" if engines else ""
    if bytes_equal and rows_equal is False:
        result.notes.append(
            f"the logical fingerprint{readers} differs although "
            "the bytes are identical, so the readers parse these bytes differently; not "
            "counted as a change: " + "; ".join(findings)
        )
        return None
    result.findings.extend(findings)
    if rows_equal is False and engines and engines[0] != engines[1]:
        result.notes.append(
            f"logical fingerprint{readers}: some row and column findings may come from how "
            "the two read the data rather than from the data"
        )
    return rows_equal


def _engines(recorded: RecordedVersion, current: DatasetRecord) -> tuple[str, str] | None:
    """The engines that computed the recorded and the recomputed logical fingerprints."""
    if recorded.logical is None or current.logical is None:
        return None
    return recorded.logical.engine or "an unnamed engine", current.logical.engine or "?"


def _compare_rows(
    recorded: RecordedVersion,
    current: DatasetRecord,
    logical_error: str | None,
    result: VersionResult,
) -> tuple[bool | None, list[str]]:
    """True/False when the logical content could be compared, None when it could not; and
    what differs, in words (the caller decides whether that is a finding)."""
    findings: list[str] = []
    if not recorded.content_hash:
        return None, findings
    logical = current.logical
    if logical is None:
        result.notes.append(
            f"the data no longer parses as {recorded.data_format or 'a table'} ({logical_error})"
            if logical_error
            else "logical fingerprint not recomputed here (it needs pandas and a local csv, "
            "parquet or json file of at most 2 GiB); compared the file bytes only"
        )
        if logical_error and recorded.row_count is not None:
            result.row_count = (recorded.row_count, None)
        return None, findings
    result.row_count = (recorded.row_count, logical.row_count)
    if recorded.logical is None:
        equal = (recorded.content_hash, recorded.row_count) == (
            logical.content_hash,
            logical.row_count,
        )
        if recorded.row_count is not None and recorded.row_count != logical.row_count:
            findings.append(f"row count {recorded.row_count} -> {logical.row_count}")
        if (
            recorded.schema_fingerprint
            and recorded.schema_fingerprint != logical.schema_fingerprint
        ):
            findings.append("schema changed (no recorded column list to say how)")
            equal = False
        if not equal and not findings:
            findings.append("row content changed (no per-column record to say where)")
        return equal, findings
    if recorded.logical.algorithm != logical.algorithm:
        result.notes.append(
            f"recorded with logical algorithm {recorded.logical.algorithm}, this atlas-ml "
            f"computes {LOGICAL_ALGORITHM}: rows not compared"
        )
        return None, findings
    comparison = compare(recorded.logical, logical)
    result.logical = comparison
    if comparison.identical:
        return True, findings
    return False, describe_logical(comparison, recorded.logical)


def describe_logical(comparison: FingerprintComparison, recorded: LogicalFingerprint) -> list[str]:
    """Row count, schema and per-column findings of a logical comparison, in words."""
    lines: list[str] = []
    if comparison.row_count_delta:
        current = recorded.row_count + comparison.row_count_delta
        lines.append(f"row count {recorded.row_count} -> {current}")
    if comparison.added_columns:
        lines.append("columns added: " + ", ".join(comparison.added_columns))
    if comparison.removed_columns:
        lines.append("columns removed: " + ", ".join(comparison.removed_columns))
    for name, (old, new) in comparison.type_changes.items():
        lines.append(f"column {name} type {old} -> {new}")
    if not comparison.schema_equal and not (
        comparison.added_columns or comparison.removed_columns or comparison.type_changes
    ):
        lines.append("column order changed")
    moved = [c for c in comparison.changed_columns if c not in comparison.type_changes]
    common = [c for c in recorded.columns if c not in comparison.removed_columns]
    if comparison.row_count_delta and len(common) > 1 and moved == common:
        lines.append(
            f"values changed in every column ({len(common)}), as adding or removing rows does"
        )
    elif moved:
        lines.append("columns whose values changed: " + ", ".join(moved))
    elif (
        not comparison.content_equal and not comparison.row_count_delta and comparison.schema_equal
    ):
        # With columns added, removed, retyped or reordered every row hash moves while the
        # common columns keep their values: that is the schema finding above, not moved values.
        lines.append(
            "rows changed although every column holds the same values: values moved between rows"
        )
    return lines


def _compare_pointer(
    recorded: RecordedVersion, current: DatasetRecord, result: VersionResult
) -> dict[str, Any] | None:
    """Whether the native version (Delta version, Iceberg snapshot, DVC md5) moved on."""
    if not recorded.version_pointer:
        return None
    now = current.pointer or {}
    kind = str(recorded.version_kind or "")
    moved = now.get("version") != recorded.version_pointer
    pointer = {
        "kind": kind or None,
        "recorded": recorded.version_pointer,
        "current": now.get("version"),
        "movedOn": moved,
    }
    if kind in _TABLE_KINDS and moved:
        label = _TABLE_KINDS[kind].capitalize()
        result.notes.append(
            f"the {label} table has moved on: recorded version {recorded.version_pointer}, "
            f"now {now.get('version') or 'unknown'}; "
            + _TIME_TRAVEL[kind].format(v=recorded.version_pointer)
        )
    return pointer


def _verified_summary(
    bytes_equal: bool | None, rows_equal: bool | None, recorded: RecordedVersion
) -> str:
    parts = []
    if bytes_equal:
        files = len(recorded.manifest.entries) if recorded.manifest else None
        parts.append(f"{files} file(s) byte-identical" if files else "file bytes identical")
    if rows_equal:
        rows = f"{recorded.row_count} rows" if recorded.row_count is not None else "rows"
        parts.append(f"{rows} identical")
    return ", ".join(parts)


def judge_in_memory(
    recorded: RecordedVersion,
    sources: Sequence[VersionResult],
    steps: dict[str, list[str]] | None = None,
    depth: int | None = None,
) -> VersionResult:
    """An in-memory dataset version: DERIVED when every file-backed source VERIFIED.

    Its bytes were never stored, so it cannot be checked on its own; what can be said is
    whether the stored data it was made from (by the recorded steps) is still as recorded.
    ``depth``: how many dataset hops of lineage were read, so that a source beyond them is
    not reported as missing from Atlas.
    """
    steps = steps or {}
    derived_from = [
        {
            "guid": s.version.guid,
            "qualifiedName": s.version.qualified_name,
            "name": s.version.name,
            "status": s.status.value,
            "steps": " -> ".join(steps.get(s.version.guid, [])),
        }
        for s in sources
    ]
    if not sources:
        within = (
            f" within the {depth} dataset hop(s) of lineage read (a larger --depth may reach one)"
            if depth is not None
            else ""
        )
        return VersionResult(
            recorded,
            Status.UNRECOVERABLE,
            "in-memory data with no recorded location, and no file-backed dataset version "
            f"upstream of it in Atlas{within}: nothing can be recomputed",
        )
    described = ", ".join(
        f"{s['name']} ({s['status']})" + (f" by {s['steps']}" if s["steps"] else "")
        for s in derived_from
    )
    if all(s.status is Status.VERIFIED for s in sources):
        return VersionResult(
            recorded,
            Status.DERIVED,
            f"not independently checkable (in-memory); derived from {described}",
            derived_from=derived_from,
        )
    return VersionResult(
        recorded,
        Status.UNRECOVERABLE,
        "in-memory, so only its sources could vouch for it, and not all of them still hold "
        f"the recorded data: {described}",
        derived_from=derived_from,
    )
