"""Versions of Delta tables, Iceberg tables and DVC-tracked data, read through their own
libraries: which data files one version holds, now or at a recorded version (time travel).

A table folder holds the files of every version the table still keeps (removed files wait for
VACUUM or snapshot expiry), so fingerprinting the folder would mix versions, and fingerprinting
it again after one appended row would report a change although the version a model trained on
is intact. A dataset version of a table is therefore the files *that version* lists:

- Delta: ``deltalake.DeltaTable(path, version=v).file_uris()`` (delta-rs); without the
  ``deltalake`` extra, the JSON commits are replayed by hand (no checkpoints).
- Iceberg: ``pyiceberg`` ``StaticTable.from_metadata(newest metadata.json)``, then
  ``scan(snapshot_id=s).plan_files()``; no catalog is needed to read. Without ``pyiceberg``
  (Iceberg manifests are Avro) the folder is fingerprinted as plain files.
- DVC: the recorded md5 names an object in the DVC cache (found through ``dvc.repo.Repo`` so the
  repository's ``cache.dir`` is honoured; by DVC's cache layout without the ``dvc`` extra).

A version that can no longer be read raises :class:`VersionGone`, whose message says why and
which retention setting keeps the next one.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from atlas_ml.fingerprints.pointers import (
    PointerError,
    VersionPointer,
    _iceberg_order,
    _iso_millis,
    delta_pointer,
    dvc_pointer,
)

log = logging.getLogger(__name__)

DELTA_RETENTION = (
    "delta.logRetentionDuration (how long commits stay readable, default 30 days) and "
    "delta.deletedFileRetentionDuration (how long VACUUM keeps removed files, default 7 days)"
)
ICEBERG_RETENTION = (
    "history.expire.max-snapshot-age-ms / history.expire.min-snapshots-to-keep, or tag the "
    "snapshot ('atlas-ml pin') so expire_snapshots keeps it"
)
DVC_RETENTION = (
    "keep the git commit that holds this .dvc file (dvc gc keeps what commits use) and "
    "'dvc push' it to a remote; 'dvc pull' restores a removed object"
)


class VersionGone(PointerError):
    """The recorded version can no longer be read (vacuumed, expired, its log cleaned up)."""

    def __init__(self, message: str, setting: str) -> None:
        super().__init__(f"{message}; to keep versions readable, set {setting}")
        self.setting = setting


@dataclass(frozen=True)
class TableVersion:
    """The data files of one version, as its versioning system lists them.

    ``files`` are (path relative to ``root``, absolute path to read the bytes from); for DVC
    the absolute path is the object in the DVC cache.
    """

    kind: str
    root: Path
    version: str
    files: tuple[tuple[str, Path], ...]
    reader: str
    pointer: VersionPointer
    current: str | None = None
    """The newest version now, when it differs from ``version`` (time travel)."""
    notes: tuple[str, ...] = field(default=())


def table_kind(path: Path) -> str | None:
    """``delta``, ``iceberg`` or ``dvc`` for a location one of them versions, else None."""
    if path.is_dir() and (path / "_delta_log").is_dir():
        return "delta"
    if path.is_dir() and any((path / "metadata").glob("*.metadata.json")):
        return "iceberg"
    if dvc_file_of(path) is not None:
        return "dvc"
    return None


def dvc_file_of(path: Path) -> Path | None:
    """The ``.dvc`` file that tracks ``path`` (``data.csv`` -> ``data.csv.dvc``), if any."""
    if path.suffix == ".dvc" and path.is_file():
        return path
    sidecar = path.with_name(path.name + ".dvc")
    return sidecar if sidecar.is_file() else None


def library_version(module: str) -> str | None:
    """The installed version of ``module``'s distribution, None when it is not installed."""
    if importlib.util.find_spec(module) is None:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version({"dvc": "dvc"}.get(module, module))
    except PackageNotFoundError:
        return "?"


def table_version(path: Path, kind: str | None = None, version: str | None = None) -> TableVersion:
    """The files of ``version`` (None: the current one) of the table or DVC data at ``path``.

    Raises :class:`VersionGone` when that version can no longer be read and
    :class:`PointerError` when the location is not versioned data this module reads.
    """
    kind = kind or table_kind(path)
    if kind == "delta":
        return _delta_version(path, version)
    if kind == "iceberg":
        return _iceberg_version(path, version)
    if kind == "dvc":
        return _dvc_version(path, version)
    raise PointerError(f"{path}: not a Delta or Iceberg table nor DVC-tracked data")


# --- Delta ------------------------------------------------------------------------------------


def _delta_version(root: Path, version: str | None) -> TableVersion:
    latest = delta_pointer(root)
    wanted = int(version) if version is not None else None
    reader = library_version("deltalake")
    if reader is not None:
        uris = _deltalake_files(root, wanted, latest)
        reader = f"deltalake {reader}"
    else:
        uris = _replay_delta_log(root, wanted if wanted is not None else int(latest.version))
        reader = "the Delta log, replayed by atlas-ml (install the deltalake extra for checkpoints)"
    files = tuple(sorted(_relative(root, uri) for uri in uris))
    _require_present(files, f"Delta version {version}", DELTA_RETENTION, "VACUUM removed")
    if wanted is None or str(wanted) == latest.version:
        return TableVersion("delta", root, latest.version, files, reader, latest)
    pointer = VersionPointer(
        kind="delta",
        location=latest.location,
        version=str(wanted),
        timestamp=_delta_commit_time(root, wanted),
        details={**latest.details, "current_version": latest.version},
    )
    return TableVersion("delta", root, str(wanted), files, reader, pointer, latest.version)


def _deltalake_files(root: Path, version: int | None, latest: VersionPointer) -> list[str]:
    from deltalake import DeltaTable

    try:
        table = DeltaTable(str(root), version=version)
    except Exception as exc:  # delta-rs raises TableNotFoundError/DeltaError for a lost log
        if version is not None and version <= int(latest.version):
            raise VersionGone(
                f"Delta version {version} of {root} can no longer be read: its commit log "
                f"was cleaned up ({type(exc).__name__}: {str(exc).splitlines()[0]})",
                DELTA_RETENTION,
            ) from exc
        raise PointerError(f"{root}: Delta version {version} cannot be read ({exc})") from exc
    if _has_deletion_vectors(table):
        log.warning("%s: the table has deletion vectors; rows are read from whole files", root)
    return list(table.file_uris())


def _has_deletion_vectors(table: Any) -> bool:
    try:
        return "deletionVectors" in (table.protocol().writer_features or [])
    except Exception:
        return False


def _replay_delta_log(root: Path, version: int) -> list[str]:
    """The files live at ``version``: every ``add`` minus every ``remove`` of commits 0..v."""
    log_dir = root / "_delta_log"
    live: dict[str, None] = {}
    for number in range(version + 1):
        commit = log_dir / f"{number:020d}.json"
        if not commit.is_file():
            raise VersionGone(
                f"Delta version {version} of {root} cannot be replayed without commit "
                f"{number} (cleaned up after a checkpoint; the deltalake extra reads checkpoints)",
                DELTA_RETENTION,
            )
        for line in commit.read_text(encoding="utf-8").splitlines():
            action = json.loads(line) if line.strip() else {}
            if "add" in action:
                live[unquote(action["add"]["path"])] = None
            elif "remove" in action:
                live.pop(unquote(action["remove"]["path"]), None)
    return [str(root / path) for path in live]


def _delta_commit_time(root: Path, version: int) -> str | None:
    commit = root / "_delta_log" / f"{version:020d}.json"
    try:
        for line in commit.read_text(encoding="utf-8").splitlines():
            info = json.loads(line).get("commitInfo") if line.strip() else None
            if info:
                return _iso_millis(info.get("timestamp"))
    except (OSError, ValueError):
        return None
    return None


# --- Iceberg ----------------------------------------------------------------------------------


def newest_iceberg_metadata(root: Path) -> Path:
    candidates = sorted((root / "metadata").glob("*.metadata.json"), key=_iceberg_order)
    if not candidates:
        raise PointerError(f"{root}/metadata holds no *.metadata.json; is this an Iceberg table?")
    return candidates[-1]


def _iceberg_version(root: Path, version: str | None) -> TableVersion:
    reader = library_version("pyiceberg")
    if reader is None:
        raise PointerError(
            f"{root}: reading an Iceberg version needs pyiceberg (pip install 'atlas-ml[iceberg]')"
        )
    from pyiceberg.table import StaticTable

    metadata_file = newest_iceberg_metadata(root)
    table = StaticTable.from_metadata(str(metadata_file))
    current = table.current_snapshot()
    if version is None:
        snapshot = current
    else:
        snapshot = table.snapshot_by_id(int(version))
        if snapshot is None:
            raise VersionGone(
                f"Iceberg snapshot {version} of {root} has been expired (the table's newest "
                f"metadata, {metadata_file.name}, no longer lists it)",
                ICEBERG_RETENTION,
            )
    if snapshot is None:
        files: tuple[tuple[str, Path], ...] = ()
        number = "empty"
    else:
        number = str(snapshot.snapshot_id)
        tasks = list(table.scan(snapshot_id=snapshot.snapshot_id).plan_files())
        if any(task.delete_files for task in tasks):
            log.warning(
                "%s: snapshot %s has delete files; rows are read from whole files", root, number
            )
        files = tuple(sorted(_relative(root, task.file.file_path) for task in tasks))
    _require_present(files, f"Iceberg snapshot {number}", ICEBERG_RETENTION, "removed")
    now = str(current.snapshot_id) if current is not None else "empty"
    pointer = VersionPointer(
        kind="iceberg",
        location=root.resolve().as_uri(),
        version=number,
        timestamp=_iso_millis(snapshot.timestamp_ms) if snapshot is not None else None,
        details={
            "table_uuid": str(table.metadata.table_uuid),
            "metadata_file": metadata_file.name,
            "operation": snapshot.summary.operation.value
            if snapshot is not None and snapshot.summary is not None
            else None,
            **({"current_version": now} if now != number else {}),
        },
    )
    return TableVersion(
        "iceberg",
        root,
        number,
        files,
        f"pyiceberg {reader}",
        pointer,
        now if now != number else None,
    )


# --- DVC --------------------------------------------------------------------------------------


def _dvc_version(path: Path, md5: str | None) -> TableVersion:
    dvc_file = dvc_file_of(path)
    if dvc_file is None:
        raise PointerError(f"{path}: no .dvc file tracks it")
    pointer = dvc_pointer(dvc_file)
    data = dvc_file.with_name(dvc_file.name.removesuffix(".dvc"))
    if md5 is None or md5 == pointer.version:
        from atlas_ml.fingerprints.manifest import data_files

        files = tuple(sorted(data_files(data))) if data.exists() else ()
        return TableVersion("dvc", data, pointer.version, files, "the .dvc file", pointer)
    legacy = pointer.details.get("hash") != "md5"
    cache, reader = _dvc_cache(dvc_file.parent, legacy)
    gone = (
        f"DVC object {md5} (recorded for {data.name}) is not in the DVC cache {cache}: "
        "'dvc gc' removed it, or it was never fetched here"
    )
    obj = _dvc_object(cache, md5)
    if not obj.is_file():
        raise VersionGone(gone, DVC_RETENTION)
    if md5.endswith(".dir"):
        entries = []
        for item in json.loads(obj.read_text(encoding="utf-8")):
            part = _dvc_object(cache, item["md5"])
            if not part.is_file():
                raise VersionGone(f"{gone} (its file {item['relpath']})", DVC_RETENTION)
            entries.append((str(item["relpath"]), part))
        files = tuple(sorted(entries))
    else:
        files = ((data.name, obj),)
    travelled = VersionPointer(
        kind="dvc",
        location=pointer.location,
        version=md5,
        details={"path": data.name, "cache_object": str(obj), "current_version": pointer.version},
    )
    return TableVersion("dvc", data, md5, files, reader, travelled, pointer.version)


def _dvc_cache(start: Path, legacy: bool) -> tuple[Path, str]:
    """The DVC cache's object folder for the repository holding ``start``."""
    version = library_version("dvc")
    if version is not None:
        from dvc.repo import Repo

        repo = Repo(str(start))
        try:
            odb = repo.cache.legacy if legacy else repo.cache.local
            return Path(odb.path), f"dvc {version}"
        finally:
            repo.close()
    for folder in (start, *start.parents):
        if (folder / ".dvc").is_dir():
            base = folder / ".dvc" / "cache"
            return (base if legacy else base / "files" / "md5"), "DVC's default cache layout"
    raise PointerError(f"{start}: not inside a DVC repository (no .dvc folder above it)")


def _dvc_object(cache: Path, md5: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}(\.dir)?", md5):
        raise PointerError(f"{md5!r} is not a DVC md5")
    return cache / md5[:2] / md5[2:]


# --- shared -----------------------------------------------------------------------------------


def _relative(root: Path, uri: str) -> tuple[str, Path]:
    parsed = urlparse(uri)
    full = Path(unquote(parsed.path)) if parsed.scheme == "file" else Path(uri)
    if not full.is_absolute():
        full = root / full
    try:
        rel = full.relative_to(root.resolve())
    except ValueError:
        try:
            rel = full.relative_to(root)
        except ValueError:
            rel = Path(full.name)
    return rel.as_posix(), full


def _require_present(
    files: tuple[tuple[str, Path], ...], what: str, setting: str, remover: str
) -> None:
    missing = [rel for rel, full in files if not full.is_file()]
    if missing:
        shown = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise VersionGone(
            f"{what} is listed but its data files are gone ({remover}: {shown})", setting
        )
