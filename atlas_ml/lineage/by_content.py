"""Find what Atlas recorded for a file someone holds: ``sha256:<hex>``.

A regulator holding a file asks "which dataset versions and models have this sha256?". A
dataset version that is one file carries its sha256 as ``fileSha256`` and a model version its
artifact's as ``artifactSha256``; both are indexed, so one basic search each answers it. When
several match (the same bytes read from two places, a model saved twice), each comes with the
model versions downstream of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.client import AtlasBadRequest, AtlasClient
from atlas_ml.errors import AmbiguousTarget, AtlasMLError
from atlas_ml.typedefs.names import DATASET_VERSION_TYPE, MODEL_VERSION_TYPE

PREFIX = "sha256:"
_HEX = re.compile(r"[0-9a-f]{64}")
# (type, attribute holding a file's sha256)
SEARCHED = (
    (DATASET_VERSION_TYPE, "fileSha256"),
    (MODEL_VERSION_TYPE, "artifactSha256"),
)
_LIMIT = 100
_LINEAGE_DEPTH = 20


class BadDigest(AtlasMLError, ValueError):
    """``sha256:`` followed by something that is not 64 hex digits."""


@dataclass(frozen=True)
class ContentMatch:
    """One entity recorded with the digest, and the model versions made from it."""

    header: dict[str, Any]
    models: list[dict[str, Any]] = field(default_factory=list)

    @property
    def qualified_name(self) -> str:
        return str((self.header.get("attributes") or {}).get("qualifiedName", ""))

    @property
    def name(self) -> str:
        attributes = self.header.get("attributes") or {}
        return str(attributes.get("name") or self.qualified_name)


class SameContent(AmbiguousTarget):
    """Several entities have the digest; ``matches`` lists them with their models."""

    def __init__(self, digest: str, matches: Sequence[ContentMatch]) -> None:
        self.digest = digest
        self.matches = list(matches)
        lines = [f"{len(matches)} entities in Atlas have sha256 {digest}:"]
        for match in matches:
            lines.append(f"  {match.name} {match.header.get('typeName')} ({match.qualified_name})")
            for model in match.models:
                model_name = (model.get("attributes") or {}).get("name")
                lines.append(f"    -> model version {model_name} ({model.get('guid')})")
        lines.append("Give one's qualifiedName or guid to see its lineage or verify it.")
        super().__init__("\n".join(lines))


def digest_of(target: str) -> str | None:
    """The lower-case hex digest ``target`` names (``sha256:<hex>``), None when it is not of
    that form; raises :class:`BadDigest` for ``sha256:`` with anything but 64 hex digits."""
    if not target.lower().startswith(PREFIX):
        return None
    digest = target[len(PREFIX) :].strip().lower()
    if not _HEX.fullmatch(digest):
        raise BadDigest(
            f"{target!r} is not a sha256: give 64 hexadecimal digits after 'sha256:' "
            "(as 'sha256sum FILE' prints them)"
        )
    return digest


def find_by_sha256(
    client: AtlasClient, digest: str, types: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Headers of the dataset versions (one file) and model versions with sha256 ``digest``;
    types Atlas does not define are skipped."""
    found: list[dict[str, Any]] = []
    for type_name, attribute in SEARCHED:
        if types is not None and type_name not in types:
            continue
        equals = {"attributeName": attribute, "operator": "eq", "attributeValue": digest}
        try:
            hits = client.search.basic(
                type_name,
                entity_filters=equals,
                attributes=[attribute],
                include_subtypes=False,
                limit=_LIMIT,
            )
            found += [h for h in hits if (h.get("attributes") or {}).get(attribute) == digest]
        except AtlasBadRequest:  # the type or attribute is not installed
            continue
    return found


def with_models(client: AtlasClient, headers: list[dict[str, Any]]) -> list[ContentMatch]:
    """Each header with the model versions downstream of it (itself for a model version)."""
    matches = []
    for header in headers:
        if header.get("typeName") == MODEL_VERSION_TYPE:
            matches.append(ContentMatch(header))
            continue
        graph = client.lineage.get(header["guid"], direction="OUTPUT", depth=_LINEAGE_DEPTH)
        models = [
            graph.entity(guid)
            for guid in graph.entities
            if graph.entity(guid).get("typeName") == MODEL_VERSION_TYPE
        ]
        models.sort(key=lambda m: str((m.get("attributes") or {}).get("name")))
        matches.append(ContentMatch(header, models))
    return matches
