"""``explain``: one model version's (or dataset version's) whole provenance as a document.

Every step from the raw sources to the target, in the order the data flowed: where the data
came from (origin, licence, location, fingerprints, schema), what each step did and why
(kind, reasoning, code fingerprint and location, parameters, team and run), the runs and
their settings, the evaluations, the compliance facts, every classification with the entity
it was set on, and the completeness verdict. :mod:`atlas_ml.reports.explain_report` renders
it as text, Markdown, HTML or JSON.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from atlas_ml._callable import callable_package
from atlas_ml._version import __version__
from atlas_ml.client import AtlasClient
from atlas_ml.errors import QueryError
from atlas_ml.lineage import resolve_target, ui_url
from atlas_ml.provenance import Node, Provenance, ProvenanceGraph, producing_runs, provenance_of
from atlas_ml.provenance.build import compliance_of
from atlas_ml.provenance.custody import check_custody
from atlas_ml.provenance.graph import Progress, _quiet
from atlas_ml.provenance.model import DATASET_VERSION, MODEL_VERSION

TARGET_TYPES = (MODEL_VERSION, DATASET_VERSION)


@dataclass
class Explanation:
    """The provenance of one target, with the order to tell it in (sources first)."""

    target: str
    provenance: Provenance
    nodes: dict[str, Node]
    order: list[str]
    """Every member (target, runs, upstream), each after everything it was made from."""
    compliance: dict[str, Any] = field(default_factory=dict)
    generated_at: str = ""
    atlas_url: str = ""
    ui_url: str = ""

    @property
    def node(self) -> Node:
        return self.nodes[self.target]

    def label(self, guid: str | None) -> str:
        if guid is None:
            return ""
        node = self.nodes.get(guid)
        return node.label if node is not None else guid

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": "atlas-ml explain",
            "atlasMlVersion": __version__,
            "generatedAt": self.generated_at,
            "atlasUrl": self.atlas_url,
            "uiUrl": self.ui_url,
            "target": self.target,
            "compliance": dict(self.compliance),
            "order": list(self.order),
            **{k: v for k, v in self.provenance.to_dict().items() if k != "target"},
            "entities": {g: n.to_dict() for g, n in sorted(self.nodes.items())},
        }


def explain(client: AtlasClient, target: str, *, progress: Progress = _quiet) -> Explanation:
    """The full provenance of ``target``, a model version or dataset version (guid,
    qualifiedName, name, data location or saved model path)."""
    entity = resolve_target(client, target)
    if entity.get("typeName") not in TARGET_TYPES:
        label = (entity.get("attributes") or {}).get("qualifiedName") or target
        raise QueryError(
            f"{label} is a {entity.get('typeName')}: explain describes a model version or a "
            "dataset version (atlas-ml lineage shows the lineage of anything else)"
        )
    graph = ProvenanceGraph(client)
    (node,) = graph.read([entity["guid"]])
    runs: list[str] = []
    if node.kind == "model_version":
        graph.read(node.producers or [], progress=progress, stage="reading training runs")
        runs = producing_runs(graph, node)
        starts = [i for r in runs for i in graph.nodes[r].inputs]
    else:
        starts = graph.parents(node.guid)
    graph.walk_upstream(starts, progress=progress, stage="reading lineage")
    model = None
    if node.model is not None:
        evaluations = graph.read(node.model.evaluation_guids, stage="reading evaluations")
        data = [d for e in evaluations if e.evaluation for d in e.evaluation.dataset_guids]
        graph.read(data, relationships=False)
        if node.model.model_guid:
            found = graph.read([node.model.model_guid], relationships=False)
            model = found[0] if found else None
    check_custody(client, graph, runs)
    provenance = provenance_of(graph, node.guid, runs if node.kind == "model_version" else [])
    return Explanation(
        target=node.guid,
        provenance=provenance,
        nodes=dict(graph.nodes),
        order=_sources_first(graph, provenance),
        compliance=compliance_of(node, model) if node.kind == "model_version" else {},
        generated_at=datetime.now(timezone.utc)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        atlas_url=client.config.url,
        ui_url=ui_url(client, node.guid),
    )


def _sources_first(graph: ProvenanceGraph, provenance: Provenance) -> list[str]:
    """The members in data-flow order (Kahn's algorithm; a cycle falls back to BFS order)."""
    members = list(dict.fromkeys(reversed(provenance.members)))
    inside = set(members)
    incoming = {g: 0 for g in members}
    outgoing: dict[str, list[str]] = {}
    for source, sink in provenance.edges:
        if source in inside and sink in inside:
            incoming[sink] += 1
            outgoing.setdefault(source, []).append(sink)
    ready = deque(sorted((g for g in members if not incoming[g]), key=graph_label(graph)))
    order: list[str] = []
    while ready:
        guid = ready.popleft()
        order.append(guid)
        for sink in outgoing.get(guid, []):
            incoming[sink] -= 1
            if not incoming[sink]:
                ready.append(sink)
    order += [g for g in members if g not in order]
    return order


def graph_label(graph: ProvenanceGraph) -> Any:
    def key(guid: str) -> str:
        node = graph.get(guid)
        return node.label if node is not None else guid

    return key


__all__ = ["Explanation", "explain"]

callable_package(__name__, explain)
