"""Processes Atlas's lineage API leaves out: those that read data and wrote nothing.

Atlas builds lineage from process outputs, so a failed training run, or one that logged no
model, is missing from the downstream lineage of the data it read. An auditor asking "which
runs used this file" needs them, so they are added from each node's ``inputToProcesses``.
"""

from __future__ import annotations

from typing import Any

from atlas_ml.client import AtlasClient, LineageGraph


def add_consumers_without_outputs(client: AtlasClient, graph: LineageGraph) -> None:
    """Add to ``graph`` every live process that reads one of its nodes and has no outputs."""
    readers: dict[str, list[str]] = {}
    for entity in client.entities.get_bulk(list(graph.entities)):
        relations = entity.get("relationshipAttributes") or {}
        for ref in relations.get("inputToProcesses") or []:
            guid = ref.get("guid")
            if guid and guid not in graph.entities and _live(ref):
                readers.setdefault(guid, []).append(entity["guid"])
    if not readers:
        return
    for process in client.entities.get_bulk(readers):
        if process.get("status", "ACTIVE") != "ACTIVE" or _outputs(process):
            continue  # one with outputs is in Atlas's own lineage (or beyond its depth)
        for source in readers[process["guid"]]:
            graph.add_edge(source, process["guid"], _header(process))


def _live(ref: dict[str, Any]) -> bool:
    return ref.get("entityStatus", "ACTIVE") == "ACTIVE" and (
        ref.get("relationshipStatus", "ACTIVE") == "ACTIVE"
    )


def _outputs(process: dict[str, Any]) -> list[Any]:
    attributes = process.get("attributes") or {}
    relations = process.get("relationshipAttributes") or {}
    return list(attributes.get("outputs") or relations.get("outputs") or [])


def _header(entity: dict[str, Any]) -> dict[str, Any]:
    """The shape of a lineage ``guidEntityMap`` entry, which the tree labels read."""
    attributes = entity.get("attributes") or {}
    return {
        "guid": entity["guid"],
        "typeName": entity.get("typeName"),
        "status": entity.get("status"),
        "attributes": {k: attributes.get(k) for k in ("name", "qualifiedName")},
        "classificationNames": [
            c["typeName"] for c in entity.get("classifications") or [] if c.get("typeName")
        ],
    }
