"""Native version pointers: what the data-versioning system itself calls this version.

A pointer costs O(1) to read (table metadata, not data) and identifies a version; verifying
that the bytes are still the same needs the manifest or the logical hash. Everything here is
read from plain metadata files; no Delta, Iceberg, DVC or lakeFS library is needed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from atlas_ml.errors import AtlasMLError
from atlas_ml.fingerprints.manifest import data_files, local_path


class PointerError(AtlasMLError, ValueError):
    """The location's version metadata is missing or unreadable."""


@dataclass(frozen=True)
class VersionPointer:
    """One dataset version as its versioning system names it.

    ``resolved`` is False when the version is a movable name (a lakeFS branch) that only a
    server can turn into an immutable commit.
    """

    kind: str
    location: str
    version: str
    timestamp: str | None = None
    resolved: bool = True
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "location": self.location,
            "version": self.version,
            "timestamp": self.timestamp,
            "resolved": self.resolved,
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VersionPointer:
        return cls(
            kind=str(data["kind"]),
            location=str(data["location"]),
            version=str(data["version"]),
            timestamp=data.get("timestamp"),
            resolved=bool(data.get("resolved", True)),
            details=dict(data.get("details") or {}),
        )


def _iso_millis(millis: int | None) -> str | None:
    if millis is None:
        return None
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc).isoformat()


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PointerError(f"{path}: cannot read version metadata ({exc})") from exc


_DELTA_COMMIT = re.compile(r"^(\d{20})\.json$")


def delta_pointer(table: Path) -> VersionPointer:
    """Latest commit of a Delta table: version, table id and the commit's commitInfo."""
    log = table / "_delta_log"
    versions = sorted(int(m.group(1)) for p in log.iterdir() if (m := _DELTA_COMMIT.match(p.name)))
    if not versions:
        raise PointerError(
            f"{log} holds no commit files (NNNNNNNNNNNNNNNNNNNN.json); is this a Delta table?"
        )
    latest = versions[-1]
    commit_info: dict[str, Any] = {}
    table_id = None
    for version in reversed(versions):
        for action in _delta_actions(log / f"{version:020d}.json"):
            if version == latest and "commitInfo" in action:
                commit_info = action["commitInfo"]
            if "metaData" in action and table_id is None:
                table_id = action["metaData"].get("id")
        if table_id is not None:
            break
    details = {
        "table_id": table_id,
        "operation": commit_info.get("operation"),
        "user": commit_info.get("userName"),
        "engine": commit_info.get("engineInfo"),
    }
    if table_id is None:
        details["note"] = "table id lives in a checkpoint older than the retained JSON commits"
    return VersionPointer(
        kind="delta",
        location=table.resolve().as_uri(),
        version=str(latest),
        timestamp=_iso_millis(commit_info.get("timestamp")),
        details={k: v for k, v in details.items() if v is not None},
    )


def _delta_actions(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise PointerError(f"{path}: unreadable Delta commit ({exc})") from exc


_ICEBERG_VERSION = re.compile(r"^v?(\d+)[-.]")


def iceberg_pointer(table: Path) -> VersionPointer:
    """Current snapshot of an Iceberg table from its newest ``metadata/*.metadata.json``."""
    metadata_dir = table / "metadata"
    hint = metadata_dir / "version-hint.text"
    candidates = sorted(metadata_dir.glob("*.metadata.json"), key=_iceberg_order)
    if hint.is_file():
        hinted = metadata_dir / f"v{hint.read_text().strip()}.metadata.json"
        if hinted.is_file():
            candidates.append(hinted)
    if not candidates:
        raise PointerError(f"{metadata_dir} holds no *.metadata.json; is this an Iceberg table?")
    metadata_file = candidates[-1]
    metadata = _read_json(metadata_file)
    snapshot_id = metadata.get("current-snapshot-id")
    if snapshot_id in (None, -1):
        snapshot: dict[str, Any] = {}
        version = "empty"
    else:
        version = str(snapshot_id)
        snapshot = next(
            (s for s in metadata.get("snapshots", []) if s.get("snapshot-id") == snapshot_id), {}
        )
    return VersionPointer(
        kind="iceberg",
        location=table.resolve().as_uri(),
        version=version,
        timestamp=_iso_millis(snapshot.get("timestamp-ms")),
        details={
            "table_uuid": metadata.get("table-uuid"),
            "metadata_file": metadata_file.name,
            "operation": (snapshot.get("summary") or {}).get("operation"),
            "sequence_number": snapshot.get("sequence-number"),
        },
    )


def _iceberg_order(path: Path) -> tuple[int, float]:
    match = _ICEBERG_VERSION.match(path.name)
    return (int(match.group(1)) if match else -1, path.stat().st_mtime)


def dvc_pointer(dvc_file: Path) -> VersionPointer:
    """The md5 (``.dir`` md5 for directories) recorded in a ``.dvc`` file's ``outs``."""
    outs = _dvc_outs(dvc_file)
    if not outs:
        raise PointerError(f"{dvc_file}: no 'outs' entry with an md5; is it a DVC-tracked file?")
    out = outs[0]
    md5 = out.get("md5")
    if not md5:
        raise PointerError(f"{dvc_file}: the first output has no md5 (run 'dvc commit')")
    details: dict[str, Any] = {k: out[k] for k in ("path", "size", "nfiles", "hash") if k in out}
    if len(outs) > 1:
        details["other_outs"] = [o.get("path") for o in outs[1:]]
    return VersionPointer(
        kind="dvc", location=dvc_file.resolve().as_uri(), version=str(md5), details=details
    )


def _dvc_outs(dvc_file: Path) -> list[dict[str, Any]]:
    """The ``outs`` list of a ``.dvc`` file (YAML; PyYAML when present, else DVC's own layout)."""
    try:
        text = dvc_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise PointerError(f"{dvc_file}: {exc}") from exc
    try:
        import yaml

        loaded = yaml.safe_load(text) or {}
        return list(loaded.get("outs") or [])
    except ImportError:
        return _parse_dvc_outs(text)


def _parse_dvc_outs(text: str) -> list[dict[str, Any]]:
    """The flat ``outs:`` mapping list exactly as DVC writes it (``- key: value`` items)."""
    outs: list[dict[str, Any]] = []
    in_outs = False
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith((" ", "-")):
            in_outs = line.rstrip() == "outs:"
            continue
        if not in_outs:
            continue
        stripped = line.strip()
        if stripped.startswith("- "):
            outs.append({})
            stripped = stripped[2:]
        if outs and ":" in stripped and line.startswith(("- ", "  ")):
            key, _, value = stripped.partition(":")
            value = value.strip().strip("'\"")
            outs[-1][key.strip()] = int(value) if value.isdigit() else value
    return outs


def lakefs_pointer(uri: str) -> VersionPointer:
    """Parse ``lakefs://repo/ref/path``; the ref resolves to a commit only with a server.

    A 64-hex-digit ref is already a commit id (immutable), so it counts as resolved.
    """
    parsed = urlparse(uri)
    repo = parsed.netloc
    ref, _, path = parsed.path.lstrip("/").partition("/")
    if not repo or not ref:
        raise PointerError(f"{uri}: expected lakefs://<repository>/<ref>/<path>")
    is_commit = re.fullmatch(r"[0-9a-f]{64}", ref) is not None
    details: dict[str, Any] = {"repository": repo, "ref": ref, "path": path}
    if not is_commit:
        details["note"] = (
            "ref is a branch or tag: resolve it to a commit id with the lakeFS API "
            "(GET /repositories/{repo}/refs/{ref}) and record that id"
        )
    return VersionPointer(
        kind="lakefs", location=uri, version=ref, resolved=is_commit, details=details
    )


def file_pointer(path: Path) -> VersionPointer:
    """Path + size + mtime: for a directory, a sha256 over every data file's (path, size, mtime)."""
    if path.is_file():
        st = path.stat()
        return VersionPointer(
            kind="file",
            location=path.resolve().as_uri(),
            version=f"{st.st_size}:{st.st_mtime_ns}",
            timestamp=datetime.fromtimestamp(st.st_mtime, tz=timezone.utc).isoformat(),
            details={"size": st.st_size, "mtime_ns": st.st_mtime_ns},
        )
    listing = []
    newest = 0
    total = 0
    for rel, full in sorted(data_files(path)):
        st = full.stat()
        listing.append(f"{json.dumps(rel, ensure_ascii=False)} {st.st_size} {st.st_mtime_ns}\n")
        newest = max(newest, st.st_mtime_ns)
        total += st.st_size
    digest = hashlib.sha256("".join(listing).encode("utf-8")).hexdigest()
    return VersionPointer(
        kind="directory",
        location=path.resolve().as_uri(),
        version=digest,
        timestamp=datetime.fromtimestamp(newest / 1e9, tz=timezone.utc).isoformat()
        if listing
        else None,
        details={"files": len(listing), "size": total, "newest_mtime_ns": newest},
    )


def detect_pointer(location: str | os.PathLike[str]) -> VersionPointer:
    """The most specific pointer for a location: lakeFS, Delta, Iceberg, DVC, else raw files."""
    text = os.fspath(location)
    if text.startswith("lakefs://"):
        return lakefs_pointer(text)
    scheme = urlparse(text).scheme
    if len(scheme) > 1 and scheme != "file":
        raise PointerError(
            f"{text}: no version pointer reader for the {scheme!r} scheme; supported are "
            "local paths, file:// and lakefs:// URIs"
        )
    path = local_path(text)
    if not path.exists():
        raise PointerError(f"{text}: no such file or directory")
    if path.is_dir() and (path / "_delta_log").is_dir():
        return delta_pointer(path)
    if path.is_dir() and any((path / "metadata").glob("*.metadata.json")):
        return iceberg_pointer(path)
    if path.suffix == ".dvc" and path.is_file():
        return dvc_pointer(path)
    sidecar = path.with_name(path.name + ".dvc")
    if sidecar.is_file():
        return dvc_pointer(sidecar)
    return file_pointer(path)
