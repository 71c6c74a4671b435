"""Model artifacts as fingerprints: where a saved model is and the digest it is named by.

A model version is named by its artifact's digest, and ``verify`` takes that digest again to
prove the bytes beside the data were not swapped, so the rule lives here, below both capture
(which saves models) and the read side (which checks them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from atlas_ml.fingerprints.manifest import build_manifest, sha256_file


@dataclass(frozen=True)
class ModelArtifact:
    """A saved model: where it is, its sha256 (file) or manifest root hash (directory)."""

    path: Path
    sha256: str
    framework: str | None
    framework_version: str | None
    uri: str | None = None
    """Set for artifacts on a non-local file system (``hdfs://nn:8020/models/m``); ``path``
    is then that URI's path component."""

    @property
    def location_uri(self) -> str:
        return self.uri or self.path.as_uri()


def artifact_digest(path: Path) -> str:
    """sha256 of a model file, or the manifest root hash of a model directory."""
    if path.is_dir():
        return build_manifest(path).root_hash.removeprefix("sha256:")
    return sha256_file(path).removeprefix("sha256:")
