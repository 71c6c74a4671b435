"""The dataset versions behind a target, from Atlas's lineage walked against the data flow.

A model version or training run yields every ``atlasml_dataset_version`` upstream of it. A
file-backed dataset version yields itself only: it is checked on its own. An in-memory one
yields itself and the dataset versions it was made from, since only they can be re-read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from atlas_ml.client import AtlasClient, LineageGraph
from atlas_ml.naming import COPY_PIPELINE
from atlas_ml.typedefs.names import (
    DATASET_VERSION_TYPE,
    TRANSFORM_TYPE,
)
from atlas_ml.verify.recorded import RecordedVersion
from atlas_ml.verify.target import Target

INFERRED_COPY_PREFIX = f"{COPY_PIPELINE}."
# Atlas counts depth in dataset hops; pipelines rarely have more than a few dozen steps.
DEFAULT_DEPTH = 50


@dataclass
class Collected:
    """Dataset versions to check (nearest to the target first) and the lineage they came from."""

    target: Target
    versions: list[RecordedVersion]
    graph: LineageGraph | None = None
    skipped_deleted: list[str] = field(default_factory=list)
    depth: int | None = None
    """Dataset hops of lineage read into ``graph``."""

    @property
    def file_backed(self) -> list[RecordedVersion]:
        return [v for v in self.versions if not v.in_memory]

    def sources_of(self, version: RecordedVersion) -> list[RecordedVersion]:
        """File-backed dataset versions upstream of ``version`` (what it was made from)."""
        if self.graph is None:
            return []
        upstream = set(self.graph.upstream(version.guid))
        return [v for v in self.file_backed if v.guid in upstream]

    def steps_between(self, source: RecordedVersion, version: RecordedVersion) -> list[str]:
        """Names of the processes on the shortest recorded path from ``source`` to ``version``."""
        if self.graph is None:
            return []
        paths = self.graph.paths(source.guid, version.guid)
        if not paths:
            return []
        # Lineage paths alternate data set, process, data set, ...
        return [_name(self.graph, guid) for guid in paths[0][1::2]]


def _name(graph: LineageGraph, guid: str) -> str:
    header = graph.entity(guid)
    attributes = header.get("attributes") or {}
    return str(header.get("displayText") or attributes.get("name") or guid)


def collect_versions(client: AtlasClient, target: Target, depth: int = DEFAULT_DEPTH) -> Collected:
    """Read every dataset version behind ``target`` from Atlas (full entities, not headers)."""
    if target.type_name == DATASET_VERSION_TYPE:
        own = RecordedVersion.from_entity(target.entity)
        if not own.in_memory:
            return Collected(target, [own])
    graph = _without_inferred_steps(
        client, client.lineage.get(target.guid, direction="INPUT", depth=depth)
    )
    versions = set(graph.find(DATASET_VERSION_TYPE))
    guids = [target.guid] if target.type_name == DATASET_VERSION_TYPE else []
    guids += [g for g in graph.upstream(target.guid) if g in versions]
    collected = Collected(target, [], graph, depth=depth)
    for guid in guids:
        entity = target.entity if guid == target.guid else client.entities.get(guid)["entity"]
        if entity.get("status") == "DELETED":
            collected.skipped_deleted.append(
                str((entity.get("attributes") or {}).get("qualifiedName", guid))
            )
            continue
        collected.versions.append(RecordedVersion.from_entity(entity))
    return collected


def _without_inferred_steps(client: AtlasClient, graph: LineageGraph) -> LineageGraph:
    """``graph`` without the steps atlas-ml inferred (a byte-identical copy made outside any
    run, :mod:`atlas_ml.delivery.copies`) and what lies only behind them.

    They carry classifications to the copy; the data the target was made from is the copy
    itself, checked on its own, and the original may have changed since without making the
    copy wrong.
    """
    candidates = [
        guid
        for guid in graph.find(TRANSFORM_TYPE)
        if (graph.qualified_name(guid) or "").startswith(INFERRED_COPY_PREFIX)
    ]
    if not candidates:
        return graph
    inferred = {
        e["guid"]
        for e in client.entities.get_bulk(candidates)
        if (e.get("attributes") or {}).get("inferred")
    }
    if not inferred:
        return graph
    return LineageGraph(
        base_guid=graph.base_guid,
        entities={g: e for g, e in graph.entities.items() if g not in inferred},
        edges=[(a, b) for a, b in graph.edges if a not in inferred and b not in inferred],
    )
