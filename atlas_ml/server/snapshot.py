"""Copy a local Atlas's metadata out and in with Atlas's own export and import: ``server
backup`` and ``server restore``.

The export (``POST /admin/export``, ``fetchType=full``) holds every active entity and the
typedefs they use; the import (``POST /admin/import``) puts them back with their guids,
attributes, relationships, lineage and classifications, into the same server after ``start
--fresh`` or into another Atlas 2.x. Entity audit history and deleted entities are not in an
export: they stay in the server's own data, which survives stops and crashes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from atlas_ml.errors import AtlasMLError

EXPORT_PATH = "/api/atlas/admin/export"
IMPORT_PATH = "/api/atlas/admin/import"
METRICS_PATH = "/api/atlas/admin/metrics"
_INTERNAL_TYPES = ("AtlasServer",)


class SnapshotError(AtlasMLError, RuntimeError):
    """An export or import failed; the message names the step and Atlas's answer."""


@dataclass(frozen=True)
class SnapshotResult:
    entities: int
    path: Path


def _active_entity_types(url: str, auth: tuple[str, str], timeout: float) -> dict[str, int]:
    response = requests.get(url + METRICS_PATH, auth=auth, timeout=timeout)
    _check(response, "reading the entity counts (admin/metrics)")
    counts = response.json().get("data", {}).get("entity", {}).get("entityActive", {})
    return {
        name: int(count)
        for name, count in counts.items()
        if not name.startswith("__") and name not in _INTERNAL_TYPES and count
    }


def export_snapshot(
    url: str, auth: tuple[str, str], target: Path, timeout: float = 600
) -> SnapshotResult:
    """Export every active entity (and its types) to ``target``, written atomically."""
    types = _active_entity_types(url, auth, timeout=30)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    if not types:  # nothing to export: an empty file says "saved, and empty"
        partial.write_bytes(b"")
        os.replace(partial, target)
        return SnapshotResult(0, target)
    request = {
        "itemsToExport": [
            {"typeName": name, "uniqueAttributes": {"qualifiedName": ".*"}}
            for name in sorted(types)
        ],
        "options": {"fetchType": "full", "matchType": "matches"},
    }
    with requests.post(
        url + EXPORT_PATH, json=request, auth=auth, timeout=timeout, stream=True
    ) as response:
        _check(response, "exporting the metadata (admin/export)")
        with partial.open("wb") as out:
            for chunk in response.iter_content(chunk_size=1 << 20):
                out.write(chunk)
    os.replace(partial, target)
    return SnapshotResult(sum(types.values()), target)


def import_snapshot(
    url: str, auth: tuple[str, str], source: Path, timeout: float = 3600
) -> SnapshotResult:
    """Import an export zip into the running Atlas; returns how many entities it wrote."""
    if source.stat().st_size == 0:
        return SnapshotResult(0, source)
    with source.open("rb") as data:
        parts: dict[str, Any] = {
            "data": (source.name, data, "application/octet-stream"),
            "request": (None, json.dumps({"options": {}}), "application/json"),
        }
        response = requests.post(
            url + IMPORT_PATH,
            files=parts,
            auth=auth,
            timeout=timeout,
        )
    _check(response, f"importing {source} (admin/import)")
    metrics = response.json().get("metrics", {})
    written = sum(
        int(count)
        for key, count in metrics.items()
        if key.startswith("entity:") and key.endswith((":created", ":updated"))
    )
    return SnapshotResult(written, source)


def _check(response: requests.Response, step: str) -> None:
    if response.ok:
        return
    try:
        detail = response.json().get("errorMessage") or response.text
    except ValueError:
        detail = response.text
    raise SnapshotError(f"{step} failed: HTTP {response.status_code}: {detail[:300]}")
