"""Processes Atlas's lineage API leaves out: those with inputs only, or outputs only.

Atlas builds lineage from processes that have both ends, so a failed training run (or one
that logged no model) is missing from the downstream lineage of the data it read, and a Spark
write of data made in memory (no input) is missing from the upstream lineage of what it wrote.
An auditor asking "which runs used this file" or "what wrote this path" needs them, so they
are added from each node's relationship attributes.
"""

from __future__ import annotations

from typing import Any

from atlas_ml.client import AtlasClient, LineageGraph

# Per direction: the dataset's relationship to the processes beyond it, and the end of such a
# process that Atlas found empty (so left the process out).
_DOWNSTREAM = ("inputToProcesses", "outputs")
_UPSTREAM = ("outputFromProcesses", "inputs")


def add_one_sided_processes(
    client: AtlasClient,
    graph: LineageGraph,
    entities: dict[str, dict[str, Any]],
    downstream: bool,
) -> None:
    """Add to ``graph`` every live process one step beyond its nodes that Atlas left out:
    downstream, readers with no outputs; upstream, writers with no inputs.

    ``entities`` are the graph's nodes in full (with relationship attributes), by guid; the
    processes added are put there too.
    """
    relation, missing_end = _DOWNSTREAM if downstream else _UPSTREAM
    neighbours: dict[str, list[str]] = {}
    for entity in list(entities.values()):
        for ref in (entity.get("relationshipAttributes") or {}).get(relation) or []:
            guid = ref.get("guid")
            if guid and guid not in graph.entities and _live(ref):
                neighbours.setdefault(guid, []).append(entity["guid"])
    if not neighbours:
        return
    for process in client.entities.get_bulk(neighbours):
        if process.get("status", "ACTIVE") != "ACTIVE" or _end(process, missing_end):
            continue  # one with both ends is in Atlas's own lineage (or beyond its depth)
        graph.entities[process["guid"]] = _header(process)
        entities[process["guid"]] = process
        for node in neighbours[process["guid"]]:
            edge = (node, process["guid"]) if downstream else (process["guid"], node)
            graph.add_edge(*edge)


def _live(ref: dict[str, Any]) -> bool:
    return ref.get("entityStatus", "ACTIVE") == "ACTIVE" and (
        ref.get("relationshipStatus", "ACTIVE") == "ACTIVE"
    )


def _end(process: dict[str, Any], name: str) -> list[Any]:
    attributes = process.get("attributes") or {}
    relations = process.get("relationshipAttributes") or {}
    return list(attributes.get(name) or relations.get(name) or [])


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
