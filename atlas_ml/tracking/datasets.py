"""Describe data a run used or produced as an OpenLineage dataset with its fingerprint."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas_ml.events.facets import CLASSIFICATIONS, DATASET_VERSION, facet
from atlas_ml.fingerprints import (
    FileManifest,
    LogicalFingerprint,
    PointerError,
    build_manifest,
    detect_pointer,
)
from atlas_ml.naming import normalise_location, openlineage_location, version_fingerprint
from atlas_ml.tracking.readers import LayoutError, dataset_format, read_frame

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

    def classify(self, name: str, propagate: bool = True, **attributes: Any) -> DatasetRecord:
        """Attach a classification such as ``PII`` (with e.g. ``columns=[...]``)."""
        self.classifications.append(
            {"name": name, "attributes": attributes, "propagate": propagate}
        )
        return self

    def openlineage(self) -> dict[str, Any]:
        """This dataset as an OpenLineage dataset with atlas-ml's facets."""
        fingerprints: dict[str, Any] = {}
        if self.manifest is not None:
            fingerprints["manifest"] = self.manifest.to_dict()
        if self.logical is not None:
            fingerprints["logical"] = self.logical.to_dict()
        version = facet(
            DATASET_VERSION,
            contentHash=self.logical.content_hash if self.logical else None,
            manifestRootHash=self.manifest.root_hash if self.manifest else None,
            rowCount=self.logical.row_count if self.logical else None,
            schemaFingerprint=self.logical.schema_fingerprint if self.logical else None,
            schema=[{"name": n, "type": t} for n, t in self.logical.schema]
            if self.logical
            else None,
            fingerprints=json.dumps(fingerprints, sort_keys=True),
            uri=self.location,
            format=self.data_format,
            versionPointer=self.pointer.get("version") if self.pointer else None,
            versionKind=self.pointer.get("kind") if self.pointer else None,
            role=self.role,
            origin=self.origin,
            licence=self.licence,
            description=self.description,
            derivedFrom=self.derivation,
        )
        facets: dict[str, Any] = {DATASET_VERSION: version}
        if self.logical is not None:
            facets["schema"] = facet(
                "schema", fields=[{"name": n, "type": t} for n, t in self.logical.schema]
            )
        if self.classifications:
            facets[CLASSIFICATIONS] = facet(CLASSIFICATIONS, classifications=self.classifications)
        if self.location is None:
            return {"namespace": "memory", "name": self.name, "facets": facets}
        namespace, name = openlineage_location(self.location)
        return {"namespace": namespace, "name": name, "facets": facets}


def _logical_from_file(
    path: Path, manifest: FileManifest, data_format: str
) -> LogicalFingerprint | None:
    """The logical fingerprint of the files ``manifest`` lists (see ``tracking.readers``);
    None without pandas, which the readers need (the manifest alone is still recorded)."""
    if importlib.util.find_spec("pandas") is None:
        return None
    from atlas_ml.fingerprints import fingerprint_pandas

    files = [entry.path for entry in manifest.entries]
    return fingerprint_pandas(read_frame(path, files, data_format))


def describe_path(
    location: str | os.PathLike[str], name: str | None = None, logical: bool = True
) -> DatasetRecord:
    """Fingerprint files at ``location``: manifest always, logical hash for tabular files.

    A layout that is not one table (a directory mixing formats, CSV parts without a shared
    header) gets the manifest only, with a warning; rows that do not parse raise, so that
    ``verify`` can say the data no longer parses.
    """
    path = Path(os.fspath(location)).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{location}: no such file or directory")
    manifest = build_manifest(path)
    logical_fingerprint = None
    try:
        data_format = dataset_format(path, [entry.path for entry in manifest.entries])
        if logical and data_format and manifest.total_bytes <= LOGICAL_HASH_MAX_BYTES:
            logical_fingerprint = _logical_from_file(path, manifest, data_format)
    except LayoutError as exc:
        log.warning("%s: %s; recorded its file manifest only", location, exc)
        data_format = None
    try:
        pointer: dict[str, Any] | None = detect_pointer(path).to_dict()
    except PointerError:
        pointer = None
    return DatasetRecord(
        name=name or path.name,
        location=normalise_location(path),
        manifest=manifest,
        logical=logical_fingerprint,
        pointer=pointer,
        data_format=data_format,
    )


def describe_frame(frame: Any, name: str) -> DatasetRecord:
    """Fingerprint an in-memory pandas or Spark DataFrame by its logical content."""
    module = type(frame).__module__
    if module.startswith("pandas"):
        from atlas_ml.fingerprints import fingerprint_pandas

        return DatasetRecord(name=name, location=None, logical=fingerprint_pandas(frame))
    if module.startswith("pyspark"):
        from atlas_ml.fingerprints import fingerprint_spark

        return DatasetRecord(name=name, location=None, logical=fingerprint_spark(frame))
    raise TypeError(
        f"cannot fingerprint {type(frame).__name__} {name!r}: pass a path, a pandas or a Spark "
        "DataFrame"
    )
