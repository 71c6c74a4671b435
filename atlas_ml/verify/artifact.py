"""The model artifact behind a model version: its digest, taken again and compared.

A model version is named by its artifact's digest: the sha256 of a model file, or the file
manifest's root hash of a model directory (``fingerprints.artifacts.artifact_digest``; Spark ML
models saved to HDFS or S3 get the same manifest through the Hadoop client). Data that still
verifies proves little if the model file beside it was swapped, so verify checks it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from atlas_ml.fingerprints import ManifestError, UnsupportedSchemeError
from atlas_ml.fingerprints.artifacts import artifact_digest
from atlas_ml.fingerprints.hadoop import is_local_location
from atlas_ml.fingerprints.manifest import local_path
from atlas_ml.verify.recompute import recompute, refresh_digests
from atlas_ml.verify.result import ArtifactResult, Status


def verify_artifact(model_version: Mapping[str, Any], *, rehash: bool = False) -> ArtifactResult:
    """Compare the digest of the artifact at ``artifactUri`` with ``artifactSha256``."""
    attributes = model_version.get("attributes") or {}
    recorded = str(attributes.get("artifactSha256") or "").removeprefix("sha256:")
    uri = attributes.get("artifactUri")
    if not recorded or not uri:
        missing = "digest" if not recorded else "location"
        return ArtifactResult(
            uri, Status.UNRECOVERABLE, f"no artifact {missing} was recorded", recorded
        )
    current, error = _digest(str(uri), rehash)
    if current is None:
        return ArtifactResult(uri, Status.UNRECOVERABLE, str(error), recorded)
    if current == recorded:
        summary = "digest matches the model version"
        return ArtifactResult(uri, Status.VERIFIED, summary, recorded, current)
    return ArtifactResult(
        uri,
        Status.CHANGED,
        f"artifact digest {recorded[:16]}... -> {current[:16]}...: this is not the model "
        "the version records",
        recorded,
        current,
    )


def _digest(uri: str, rehash: bool) -> tuple[str | None, str | None]:
    """The artifact's digest now, or why it could not be taken."""
    if not is_local_location(uri):
        recomputed = recompute(uri, rehash=rehash)
        manifest = recomputed.record.manifest if recomputed.record else None
        if manifest is None:
            return None, recomputed.error
        return manifest.root_hash.removeprefix("sha256:"), None
    try:
        path = local_path(uri)
        if not path.exists():
            return None, f"{uri} no longer exists"
        if rehash and path.is_dir():
            refresh_digests(path)
        return artifact_digest(path), None
    except (UnsupportedSchemeError, ManifestError, OSError) as exc:
        return None, f"{uri} cannot be read: {exc}"
