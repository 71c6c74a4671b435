"""Copies made outside any run: link byte-identical data to the classified data it copies.

A ``cp`` or ``hdfs dfs -cp`` of a classified file makes a new path with no lineage and so no
classification, and a model trained on the copy would look clean. A dataset version's bytes
are fingerprinted, though: when an event records data at a location whose bytes (the file's
sha256 for one file, the manifest root hash for a folder: every file's relative path, size and
sha256) equal those of a dataset version Atlas already holds elsewhere, and that version
carries classifications this one lacks, delivery adds an ``atlasml_transform`` of kind
``COPY`` from that version to the new data's path, marked ``inferred`` with its ``evidence``.
Atlas then propagates the classifications to the copy and everything made from it, and
audits see where they came from.

Found with one basic search on an indexed attribute (``fileSha256`` or ``manifestRootHash``)
per recorded location, never by crawling. Data a recorded step of the same event produced is
explained by that step and left alone. Idempotent: the COPY step is named by the versions it
connects. Off with ``infer_copies = false`` in the atlas-ml config, ``atlas-ml push
--no-infer-copies`` or ``training_run(..., infer_copies=False)``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from atlas_ml.client import AtlasBadRequest, AtlasClient
from atlas_ml.mapping import AtlasChanges
from atlas_ml.naming import COPY_PIPELINE, location_label, transform_name
from atlas_ml.typedefs.names import DATASET_VERSION_TYPE, TRANSFORM_TYPE

log = logging.getLogger("atlas_ml.delivery")

VERSION_TYPE = DATASET_VERSION_TYPE
MAX_SOURCES = 5
"""Classified copies linked per location at most (the earliest recorded first)."""
_SEARCHED = 50


def infer_copies(client: AtlasClient, changes: AtlasChanges) -> list[dict[str, Any]]:
    """Add a COPY step to ``changes`` for every located dataset version whose bytes equal a
    classified version elsewhere in Atlas; returns the steps added."""
    by_guid = {e["guid"]: e for e in changes.entities}
    produced = _produced_by_steps(changes)
    added = []
    for version in list(changes.entities):
        attributes = version["attributes"]
        path_ref = attributes.get("snapshotOf")
        if version["typeName"] != VERSION_TYPE or version["guid"] in produced or not path_ref:
            continue
        path = by_guid.get(path_ref.get("guid"))
        key = _content_key(attributes)
        if path is None or key is None:
            continue
        for source in _classified_twins(client, key, attributes, path):
            added.append(_add_copy_step(changes, key, source, attributes, path_ref, by_guid))
    return added


def _produced_by_steps(changes: AtlasChanges) -> set[str]:
    """Placeholder guids of what a recorded process (not a snapshot) of the event wrote."""
    produced: set[str] = set()
    for entity in changes.entities:
        outputs = entity["attributes"].get("outputs")
        if outputs and entity["attributes"].get("stepKind") != "INGEST":
            produced.update(str(o.get("guid")) for o in outputs)
    return produced


def _content_key(attributes: dict[str, Any]) -> tuple[str, str] | None:
    """(indexed attribute, value) that names the version's bytes wherever they are."""
    if attributes.get("fileSha256"):
        return "fileSha256", str(attributes["fileSha256"])
    if attributes.get("manifestRootHash"):
        return "manifestRootHash", str(attributes["manifestRootHash"])
    return None


def _classified_twins(
    client: AtlasClient, key: tuple[str, str], version: dict[str, Any], path: dict[str, Any]
) -> list[dict[str, Any]]:
    """Versions elsewhere with the same bytes and classifications this version lacks."""
    attribute, value = key
    try:
        hits = list(
            client.search.basic(
                VERSION_TYPE,
                entity_filters={
                    "attributeName": attribute,
                    "operator": "eq",
                    "attributeValue": value,
                },
                attributes=[attribute, "snapshotOf", "capturedTime"],
                include_subtypes=False,
                sort_by=None,
                limit=_SEARCHED,
            )
        )
    except AtlasBadRequest:  # an Atlas without the 010 patch has no fileSha256 to search
        log.debug("cannot search dataset versions by %s", attribute, exc_info=True)
        return []
    here = path["attributes"]["qualifiedName"]
    own = next((h for h in hits if _name(h) == version["qualifiedName"]), None)
    has = set((own or {}).get("classificationNames") or [])
    twins = [
        hit
        for hit in hits
        if (hit.get("attributes") or {}).get(attribute) == value
        and _name(hit) != version["qualifiedName"]
        and _snapshot_of(hit).lower() != here.lower()
        and set(hit.get("classificationNames") or []) - has
    ]
    twins.sort(key=lambda h: ((h.get("attributes") or {}).get("capturedTime") or 0, _name(h)))
    return twins[:MAX_SOURCES]


def _name(header: dict[str, Any]) -> str:
    return str((header.get("attributes") or {}).get("qualifiedName") or "")


def _snapshot_of(header: dict[str, Any]) -> str:
    ref = (header.get("attributes") or {}).get("snapshotOf") or {}
    return str((ref.get("uniqueAttributes") or {}).get("qualifiedName") or "")


def _add_copy_step(
    changes: AtlasChanges,
    key: tuple[str, str],
    source: dict[str, Any],
    version: dict[str, Any],
    path_ref: dict[str, Any],
    by_guid: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    attribute, value = key
    path = by_guid[path_ref["guid"]]
    path_name, _, namespace = path["attributes"]["qualifiedName"].rpartition("@")
    label = location_label(path_name)
    captured = (source.get("attributes") or {}).get("capturedTime")
    when = (
        f", recorded {datetime.fromtimestamp(captured / 1000, timezone.utc):%Y-%m-%d %H:%M} UTC"
        if captured
        else ""
    )
    what = "sha256 of the file" if attribute == "fileSha256" else "file manifest root hash"
    evidence = (
        f"The {what} at {version.get('uri') or path['attributes']['qualifiedName']} "
        f"({value.removeprefix('sha256:')}) equals that of dataset version {_name(source)}"
        f"{when}; no recorded run made this copy."
    )
    tags = ", ".join(sorted(source.get("classificationNames") or []))
    attributes = {
        "qualifiedName": transform_name(
            COPY_PIPELINE, label, [_name(source)], [path["attributes"]["qualifiedName"]], namespace
        ),
        "name": f"copy {label} (inferred)",
        "stepKind": "COPY",
        "inferred": True,
        "evidence": evidence,
        "reasoning": "Inferred by atlas-ml: these bytes equal those of data classified "
        f"{tags}, so they are taken to be a copy of it and carry its classifications.",
        "description": evidence,
        "inputs": [{"guid": source["guid"], "typeName": VERSION_TYPE}],
        "outputs": [path_ref],
    }
    changes.add(TRANSFORM_TYPE, attributes)
    log.info("inferred that %s is a copy of %s", path["attributes"]["qualifiedName"], _name(source))
    return attributes
