"""Turn what a user types (a guid, a qualifiedName or a data location) into an Atlas entity."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas_ml import naming
from atlas_ml.client import AtlasBadRequest, AtlasClient, AtlasError, AtlasNotFound
from atlas_ml.errors import AmbiguousTarget, TargetNotFound
from atlas_ml.fingerprints.artifacts import artifact_digest
from atlas_ml.fingerprints.manifest import ManifestError
from atlas_ml.lineage.by_content import SameContent, digest_of, find_by_sha256, with_models
from atlas_ml.naming.case import has_legacy_twin, legacy_name
from atlas_ml.typedefs.names import (
    DATASET_VERSION_TYPE,
    HDFS_PATH_TYPE,
    MODEL_TYPE,
    MODEL_VERSION_TYPE,
    PROJECT_PREFIX,
    SPARK_PROCESS_TYPE,
    TRAINING_RUN_TYPE,
)

_log = logging.getLogger(__name__)

# Types a user most often asks about, in the order a bare qualifiedName is tried.
DEFAULT_TYPES = (
    MODEL_VERSION_TYPE,
    DATASET_VERSION_TYPE,
    TRAINING_RUN_TYPE,
    MODEL_TYPE,
    HDFS_PATH_TYPE,
    SPARK_PROCESS_TYPE,
)

PROJECT_TYPE_PREFIX = PROJECT_PREFIX
# Above this, a saved model's path is matched by the location recorded for it, not its bytes.
ARTIFACT_DIGEST_MAX_BYTES = 4 << 30
TYPES_NOT_INSTALLED = "the atlas-ml types are not installed in Atlas: run atlas-ml typedefs install"

# Atlas 2.1 answers a lookup by a type it does not define with HTTP 400 ATLAS-400-00-014
# "Type ENTITY with name X does not exist"; the text is matched too, in case the code moves.
_UNKNOWN_TYPE_CODE = "ATLAS-400-00-014"


class TypesNotInstalled(AtlasError):
    """Atlas defines none of the types the target could be.

    An :class:`AtlasError` (not a :class:`TargetNotFound`), so callers that reword "not found"
    (``verify``) still pass this on as a problem with the server.
    """


def _is_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _is_unknown_type(exc: AtlasBadRequest, type_name: str) -> bool:
    """Whether Atlas refused the lookup because it does not define ``type_name``."""
    if exc.error_code == _UNKNOWN_TYPE_CODE:
        return True
    return type_name in exc.message and "does not exist" in exc.message


@dataclass
class _Search:
    """Lookups by type and qualifiedName, remembering which types Atlas does not define."""

    client: AtlasClient
    searched: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def find(self, type_name: str, qualified_name: str) -> dict[str, Any] | None:
        """The entity, or None when there is none or Atlas does not define ``type_name``."""
        try:
            found = self.client.entities.get_by_unique_attribute(type_name, qualified_name)
        except AtlasNotFound:
            self.searched.append((type_name, qualified_name))
            return None
        except AtlasBadRequest as exc:
            if not _is_unknown_type(exc, type_name):
                raise
            self.unknown.append(type_name)
            return None
        entity: dict[str, Any] = found["entity"]
        return entity

    def first(self, type_names: Sequence[str], qualified_name: str) -> dict[str, Any] | None:
        for type_name in type_names:
            entity = self.find(type_name, qualified_name)
            if entity is not None:
                return entity
        return None


def _as_location(client: AtlasClient, target: str) -> naming.PhysicalDataset | None:
    """The physical entity named after ``target`` if it is a path or URI, not a qualifiedName.

    Paths are recorded under Hadoop-style names (``file:/abs/path@namespace``), which nobody
    types; the naming rules turn what they do type into that name.
    """
    if target.endswith(f"@{client.config.namespace}"):
        return None
    if "://" in target or target.startswith(("file:", "/", "~", ".")) or os.path.exists(target):
        config = client.config
        return naming.physical_dataset(target, config.namespace, config.lowercase_paths)
    return None


def _find_path(
    search: _Search, location: naming.PhysicalDataset, target: str
) -> dict[str, Any] | None:
    """The entity of the data at ``location``: under its name, else under the lower-cased name
    atlas-ml up to 0.1.0 gave every path (with a warning that says so)."""
    entity = search.find(location.type_name, location.qualified_name)
    if entity is None:
        entity = _find_legacy(search, location.type_name, location.qualified_name, target)
    return entity


def _find_legacy(
    search: _Search, type_name: str, qualified_name: str, target: str
) -> dict[str, Any] | None:
    """The ``type_name`` entity under the lower-cased form of ``qualified_name``, which
    atlas-ml up to 0.1.0 gave every path; None when that is the same name or absent."""
    namespace = search.client.config.namespace
    if not has_legacy_twin(qualified_name, namespace):
        return None
    legacy = legacy_name(qualified_name, namespace)
    entity = search.find(type_name, legacy)
    if entity is not None:
        _log.warning(
            "%s is recorded as %s: the lower-cased name atlas-ml up to 0.1.0 gave every path "
            "(now a path keeps its case; 'atlas-ml naming explain %s' says more)",
            target,
            legacy,
            target,
        )
    return entity


def _legacy_path_name(search: _Search, target: str) -> dict[str, Any] | None:
    """The ``hdfs_path`` an earlier atlas-ml recorded under the lower-cased form of the
    qualifiedName ``target`` (a path's name as it is written now)."""
    if ":" not in target:
        return None
    return _find_legacy(search, HDFS_PATH_TYPE, target, target)


def _by_guid(client: AtlasClient, guid: str) -> dict[str, Any]:
    try:
        entity: dict[str, Any] = client.entities.get(guid)["entity"]
    except AtlasNotFound as exc:
        raise TargetNotFound(f"no entity with guid {guid} in Atlas at {client.config.url}") from exc
    return entity


def _not_found(search: _Search, target: str) -> AtlasError | TargetNotFound:
    """The error for a target nothing matched, saying what was looked for and where."""
    if not search.searched:
        return TypesNotInstalled(TYPES_NOT_INSTALLED)
    literal = [t for t, name in search.searched if name == target]
    namespace = search.client.config.namespace
    wanted = [
        f"{t} {name!r} (that location's name in namespace {namespace!r})"
        for t, name in search.searched
        if name != target
    ]
    if literal:
        wanted.append(f"{' / '.join(literal)} with qualifiedName {target!r}")
    message = f"no {' nor '.join(wanted)} in Atlas at {search.client.config.url}"
    if any(t.startswith(PROJECT_TYPE_PREFIX) for t in search.unknown):
        message += f"; {TYPES_NOT_INSTALLED}"
    return TargetNotFound(message)


def resolve_target(
    client: AtlasClient, target: str, types: Sequence[str] = DEFAULT_TYPES
) -> dict[str, Any]:
    """The entity whose guid, qualifiedName or display name is ``target``, the data at
    location ``target``, or (``sha256:<hex>``) the dataset or model version with that sha256.

    Types Atlas does not define are skipped; raises :class:`TargetNotFound` when nothing
    matches and :class:`TypesNotInstalled` when Atlas defines none of the types tried.
    """
    if _is_guid(target):
        return _by_guid(client, target)
    digest = digest_of(target)
    if digest is not None:
        return _by_sha256(client, digest, types)
    search = _Search(client)
    location = _as_location(client, target)
    if location is not None:
        entity = _find_path(search, location, target)
        if entity is None and MODEL_VERSION_TYPE in types:
            entity = _by_artifact_location(client, target)
        if entity is not None:
            return entity
    entity = search.first(types, target)
    if entity is None and location is None and HDFS_PATH_TYPE in types:
        entity = _legacy_path_name(search, target)
    if entity is None and location is None:
        known = [t for t in types if t not in search.unknown]
        entity = _by_display_name(client, known, target)
    if entity is not None:
        return entity
    raise _not_found(search, target)


def _by_sha256(client: AtlasClient, digest: str, types: Sequence[str]) -> dict[str, Any]:
    """The one dataset version (a single file) or model version with sha256 ``digest``;
    several are a :class:`SameContent` listing each with the model versions made from it."""
    headers = find_by_sha256(client, digest, types)
    if not headers:
        raise TargetNotFound(
            f"no dataset version or model version with sha256 {digest} in Atlas at "
            f"{client.config.url} (dataset versions recorded by atlas-ml 0.1.0 carry no "
            "fileSha256: record the file again, or give its path)"
        )
    if len(headers) > 1:
        raise SameContent(digest, with_models(client, headers))
    entity: dict[str, Any] = client.entities.get(headers[0]["guid"])["entity"]
    return entity


def _by_artifact_location(client: AtlasClient, target: str) -> dict[str, Any] | None:
    """The model version of the model saved at ``target``.

    A saved model is no ``hdfs_path`` (atlas-ml pauses capture while Spark ML saves). A model
    version is named by its artifact's digest, so the bytes there now find it wherever they were
    first saved (``artifactUri``; later places are in ``artifactLocations``); bytes that match
    no version fall back to the version first saved at that location, with a warning.
    """
    normal = naming.normalise_location(target)
    local_file = Path(normal.removeprefix("file:")) if normal.startswith("file:") else None
    uri = local_file.as_uri() if local_file is not None else normal
    digest = _artifact_digest(local_file) if local_file is not None else None
    if digest is not None:
        hits = _model_versions(client, "artifactSha256", digest)
        here = [h for h in hits if h["attributes"].get("artifactUri") == uri]
        chosen = _one(client, here or hits, lambda n: f"{n} model versions have the bytes at {uri}")
        if chosen is not None:
            return chosen
    saved_here = _model_versions(client, "artifactUri", uri)
    chosen = _one(client, saved_here, lambda n: f"{n} model versions were saved to {uri}")
    if chosen is not None and digest is not None:
        _log.warning(
            "the bytes at %s match no recorded model version; showing %s, the last one saved "
            "there (atlas-ml verify %s says what changed)",
            uri,
            chosen["attributes"].get("qualifiedName"),
            target,
        )
    return chosen


def _model_versions(client: AtlasClient, attribute: str, value: str) -> list[dict[str, Any]]:
    """Headers of the model versions whose ``attribute`` equals ``value``."""
    equals = {"attributeName": attribute, "operator": "eq", "attributeValue": value}
    try:
        return [
            header
            for header in client.search.basic(
                MODEL_VERSION_TYPE,
                entity_filters=equals,
                attributes=["artifactUri", "artifactSha256"],
                include_subtypes=False,
                sort_by=None,
                limit=50,
            )
            if (header.get("attributes") or {}).get(attribute) == value
        ]
    except AtlasBadRequest as exc:
        if _is_unknown_type(exc, MODEL_VERSION_TYPE):
            return []
        raise


def _one(
    client: AtlasClient, headers: list[dict[str, Any]], several: Callable[[int], str]
) -> dict[str, Any] | None:
    """The full entity of the only header; several are an :class:`AmbiguousTarget` whose
    message starts with ``several(how many)`` and lists them."""
    if not headers:
        return None
    if len(headers) > 1:
        names = ", ".join(str(h["attributes"].get("qualifiedName")) for h in headers)
        raise AmbiguousTarget(f"{several(len(headers))} ({names}); give the qualifiedName or guid")
    entity: dict[str, Any] = client.entities.get(headers[0]["guid"])["entity"]
    return entity


def _artifact_digest(path: Path) -> str | None:
    """The model digest of the bytes at ``path``; None when they are gone, unreadable or
    larger than ``ARTIFACT_DIGEST_MAX_BYTES`` (a mistyped data folder must not be read whole
    just to say it is no model)."""
    try:
        if not _at_most(path, ARTIFACT_DIGEST_MAX_BYTES):
            return None
        return artifact_digest(path)
    except (OSError, ManifestError):
        return None


def _at_most(path: Path, limit: int) -> bool:
    """Whether the files under ``path`` (or the file) hold at most ``limit`` bytes; stops
    listing as soon as they do not."""
    if path.is_file():
        return path.stat().st_size <= limit
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            total += os.stat(os.path.join(folder, name)).st_size
            if total > limit:
                return False
    return True


_NAMES_LISTED = 5
"""How many entities an ambiguous name lists."""


def _by_display_name(client: AtlasClient, types: Sequence[str], name: str) -> dict[str, Any] | None:
    """The one entity whose ``name`` is ``name``: what the lineage tree prints, e.g.
    ``titanic-survival@b42e7c4dc44f``, so a user can paste it back. Several matches are an
    error that lists them."""
    name_is = {"attributeName": "name", "operator": "eq", "attributeValue": name}
    hits: list[dict[str, Any]] = []
    more = False  # a type has more matches than were fetched
    for type_name in types:
        found = list(
            client.search.basic(
                type_name,
                entity_filters=name_is,
                include_subtypes=False,
                sort_by=None,
                limit=_NAMES_LISTED + 1,
            )
        )
        more = more or len(found) > _NAMES_LISTED
        hits += [h for h in found if (h.get("attributes") or {}).get("name") == name]
    if more or len(hits) > _NAMES_LISTED:
        return _one(
            client,
            hits[:_NAMES_LISTED],
            lambda n: f"{name!r} is the name of more than {_NAMES_LISTED} entities, e.g.",
        )
    return _one(client, hits, lambda n: f"{name!r} is the name of {n} entities")


def ui_url(client: AtlasClient, guid: str) -> str:
    """Where the Atlas UI shows this entity (and its Lineage tab)."""
    return f"{client.config.url.rstrip('/')}/index.html#!/detailPage/{guid}"
