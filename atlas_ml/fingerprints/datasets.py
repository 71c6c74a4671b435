"""Dataset versions as a run saw them: where the data lives and its fingerprints.

A :class:`DatasetRecord` is what capture (training runs, Spark ML fits) and the read side
(``verify`` recomputing a recorded version) share, so it lives here, below both; turning it
into an OpenLineage dataset is :func:`atlas_ml.events.datasets.openlineage_dataset`.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas_ml.fingerprints.file_status import FileStatus, local_file_status
from atlas_ml.fingerprints.logical import LogicalFingerprint
from atlas_ml.fingerprints.manifest import FileManifest, build_manifest
from atlas_ml.fingerprints.pointers import PointerError, detect_pointer
from atlas_ml.fingerprints.readers import LayoutError, dataset_format, read_frame
from atlas_ml.fingerprints.tables import TableVersion, VersionGone, table_kind, table_version
from atlas_ml.naming import normalise_location, version_fingerprint

log = logging.getLogger(__name__)

# Files read to compute a logical hash as well as the manifest (so verify can say which
# rows/columns changed, not only which bytes); larger ones get the manifest only.
LOGICAL_HASH_MAX_BYTES = 2 * 1024**3


@dataclass
class DatasetRecord:
    """One dataset version as a run saw it."""

    name: str
    location: str | None
    role: str | None = None
    manifest: FileManifest | None = None
    logical: LogicalFingerprint | None = None
    pointer: dict[str, Any] | None = None
    data_format: str | None = None
    origin: str | None = None
    licence: str | None = None
    description: str | None = None
    classifications: list[dict[str, Any]] = field(default_factory=list)
    derivation: str | None = None
    """For in-memory data a recorded step produced: ``naming.derivation_key`` of that step."""
    file_status: FileStatus | None = None
    """What the file system said about ``location`` when it was fingerprinted."""

    @property
    def file_sha256(self) -> str | None:
        """The sha256 of the one file this version is (a file, or a folder of one data file),
        which a regulator holding that file can search for."""
        if self.manifest is None or len(self.manifest.entries) != 1:
            return None
        return self.manifest.entries[0].sha256

    @property
    def fingerprint(self) -> str:
        """The hash its dataset version is named by (``naming.version_fingerprint``)."""
        return version_fingerprint(
            self.logical.content_hash if self.logical else None,
            self.manifest.root_hash if self.manifest else None,
        )

    @property
    def identity(self) -> str:
        """What tells this dataset version apart: where it lives (or how it was made) and
        its content."""
        where = self.location or f"memory:{self.name}"
        made = f"<{self.derivation}" if self.derivation else ""
        return f"{where}#{self.fingerprint}{made}"

    def classify(self, name: str, propagate: bool = True, **attributes: object) -> DatasetRecord:
        """Attach a classification such as ``PII`` (with e.g. ``columns=[...]``)."""
        self.classifications.append(
            {"name": name, "attributes": attributes, "propagate": propagate}
        )
        return self


def _logical_from_file(
    path: Path, manifest: FileManifest, data_format: str, table: TableVersion | None = None
) -> LogicalFingerprint | None:
    """The logical fingerprint of the files ``manifest`` lists (see ``fingerprints.readers``);
    None without pandas, which the readers need (the manifest alone is still recorded)."""
    if importlib.util.find_spec("pandas") is None:
        return None
    from atlas_ml.fingerprints.logical_pandas import fingerprint_pandas

    if table is not None and table.kind == "dvc" and table.current is not None and path.is_dir():
        return None  # an older DVC folder lives as cache objects: its bytes prove it alone
    files = [entry.path for entry in manifest.entries]
    return fingerprint_pandas(read_frame(path, files, data_format))


def _table_version(path: Path, version: str | None) -> TableVersion | None:
    """The table version whose files make this dataset version; None for plain files.

    Without ``version`` a table that its library cannot read is fingerprinted as plain files
    (as before the libraries were used); with one, the failure is the answer.
    """
    kind = table_kind(path)
    if kind is None:
        if version is not None:
            raise PointerError(
                f"{path}: no versioned table or DVC data to read version {version} of"
            )
        return None
    try:
        return table_version(path, kind, version)
    except VersionGone:
        raise
    except PointerError as exc:
        if version is not None:
            raise
        log.info("%s: read as plain files (%s)", path, exc)
        return None


def describe_path(
    location: str | os.PathLike[str],
    name: str | None = None,
    logical: bool = True,
    version: str | None = None,
) -> DatasetRecord:
    """Fingerprint files at ``location``: manifest always, logical hash for tabular files.

    A Delta or Iceberg table (or DVC-tracked data) is fingerprinted as one version of it: the
    files that version lists (``fingerprints.tables``); ``version`` reads an older one by time
    travel (raising ``tables.VersionGone`` when it was vacuumed or expired).
    A layout that is not one table (a directory mixing formats, CSV parts without a shared
    header) gets the manifest only, with a warning; rows that do not parse raise, so that
    ``verify`` can say the data no longer parses.
    """
    path = Path(os.fspath(location)).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{location}: no such file or directory")
    table = _table_version(path, version)
    manifest = build_manifest(path, files=table.files if table else None)
    logical_fingerprint = None
    try:
        data_format = dataset_format(path, [entry.path for entry in manifest.entries])
        if logical and data_format and manifest.total_bytes <= LOGICAL_HASH_MAX_BYTES:
            read_from = path
            if table is not None and table.kind == "dvc" and table.current is not None:
                read_from = table.files[0][1] if path.is_file() else path  # the cached object
            logical_fingerprint = _logical_from_file(read_from, manifest, data_format, table)
    except LayoutError as exc:
        log.warning("%s: %s; recorded its file manifest only", location, exc)
        data_format = None
    pointer: dict[str, Any] | None
    if table is not None:
        pointer = table.pointer.to_dict()
    else:
        try:
            pointer = detect_pointer(path).to_dict()
        except PointerError:
            pointer = None
    return DatasetRecord(
        name=name or path.name,
        location=normalise_location(path),
        manifest=manifest,
        logical=logical_fingerprint,
        pointer=pointer,
        data_format=data_format,
        file_status=local_file_status(path),
    )


def describe_frame(frame: Any, name: str) -> DatasetRecord:
    """Fingerprint an in-memory pandas or Spark DataFrame by its logical content."""
    module = type(frame).__module__
    if module.startswith("pandas"):
        from atlas_ml.fingerprints.logical_pandas import fingerprint_pandas

        return DatasetRecord(name=name, location=None, logical=fingerprint_pandas(frame))
    if module.startswith("pyspark"):
        from atlas_ml.fingerprints.logical_spark import fingerprint_spark

        return DatasetRecord(name=name, location=None, logical=fingerprint_spark(frame))
    raise TypeError(
        f"cannot fingerprint {type(frame).__name__} {name!r}: pass a path, a pandas or a Spark "
        "DataFrame"
    )
