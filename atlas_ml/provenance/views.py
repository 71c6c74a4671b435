"""One target's provenance, cut out of the shared graph: its runs, the exact data they used,
everything upstream, its evaluations, and where its classifications came from.

The audit builds one of these per model version, ``explain`` one for its target; both render
them the same way. Nothing here reads Atlas: the graph must already hold the nodes (see
:meth:`~atlas_ml.provenance.graph.ProvenanceGraph.walk_upstream`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.provenance.completeness import Verdict, judge
from atlas_ml.provenance.graph import ProvenanceGraph
from atlas_ml.provenance.model import TRAINING_RUN, Node


@dataclass(frozen=True)
class UsedDataset:
    """A dataset version a run read, and the role it played there (train, test, ...)."""

    guid: str
    role: str | None
    run: str

    def to_dict(self) -> dict[str, Any]:
        return {"guid": self.guid, "role": self.role, "run": self.run}


@dataclass
class Provenance:
    """The provenance of one target (a model version or a dataset version), as guids into
    the graph's nodes."""

    target: str
    runs: list[str] = field(default_factory=list)
    """Training runs that produced the target (for an audit: those that qualified)."""
    datasets: list[UsedDataset] = field(default_factory=list)
    """The exact data the runs read."""
    upstream: list[str] = field(default_factory=list)
    """Every entity upstream of the runs (or of a dataset version), nearest first."""
    edges: list[tuple[str, str]] = field(default_factory=list)
    """Data-flow edges among the target, its runs and ``upstream``."""
    evaluations: list[str] = field(default_factory=list)
    validations: list[str] = field(default_factory=list)
    """Data-quality validations of the dataset versions used and upstream (as read)."""
    sources: dict[str, list[str]] = field(default_factory=dict)
    """Classification name -> the entities (target, runs or upstream) it is attached to."""
    blocked: dict[str, list[str]] = field(default_factory=dict)
    """Classification name -> the steps upstream that stopped its propagation."""
    verdict: Verdict = field(default_factory=Verdict)

    @property
    def members(self) -> list[str]:
        return [self.target, *self.runs, *self.upstream]

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "runs": list(self.runs),
            "datasets": [d.to_dict() for d in self.datasets],
            "upstream": list(self.upstream),
            "edges": [list(edge) for edge in self.edges],
            "evaluations": list(self.evaluations),
            "validations": list(self.validations),
            "classificationSources": {k: list(v) for k, v in self.sources.items()},
            "blockedAt": {k: list(v) for k, v in self.blocked.items()},
            "verdict": self.verdict.to_dict(),
        }


def producing_runs(graph: ProvenanceGraph, version: Node) -> list[str]:
    """The training runs that wrote ``version`` (a model version), as read."""
    return [
        guid
        for guid in version.producers or []
        if (node := graph.get(guid)) is not None and node.type_name == TRAINING_RUN
    ]


def provenance_of(
    graph: ProvenanceGraph,
    target: str,
    runs: Collection[str] | None = None,
    classifications: Collection[str] | None = None,
) -> Provenance:
    """The provenance of ``target`` from what ``graph`` holds.

    ``runs``: the runs to show (by default every training run that produced a model
    version); ``classifications``: the names whose sources and blocks to trace (by default
    every classification found upstream).
    """
    node = graph.get(target)
    if node is None:
        raise KeyError(target)
    chosen = list(runs) if runs is not None else producing_runs(graph, node)
    provenance = Provenance(target=target, runs=chosen)
    if node.kind == "model_version":
        provenance.evaluations = list(node.model.evaluation_guids if node.model else [])
        starts = chosen
    else:
        starts = [target]
    upstream: dict[str, None] = {}
    for start in starts:
        for guid in graph.upstream(start):
            if guid not in chosen and guid != target:
                upstream.setdefault(guid)
    provenance.upstream = list(upstream)
    for run in chosen:
        run_node = graph.get(run)
        roles = run_node.run.input_roles if run_node is not None and run_node.run else {}
        for guid in run_node.inputs if run_node is not None else []:
            used = graph.get(guid)
            role = roles.get(used.qualified_name) if used is not None else None
            provenance.datasets.append(UsedDataset(guid, role, run))
    members = set(provenance.members)
    # The chosen runs wrote the target (a model version read from a search may not name them).
    provenance.edges = sorted(set(graph.edges(members)) | {(run, target) for run in chosen})
    provenance.validations = [
        v
        for guid in provenance.members
        if (n := graph.get(guid)) is not None and n.dataset is not None
        for v in n.dataset.validation_guids
        if v in graph.nodes
    ]
    _trace_classifications(graph, provenance, classifications)
    provenance.verdict = judge(graph, provenance.members, {d.guid for d in provenance.datasets})
    return provenance


def _trace_classifications(
    graph: ProvenanceGraph, provenance: Provenance, wanted: Collection[str] | None
) -> None:
    """Where each classification reaching the target was set, by the lineage walked upstream
    around the steps that block it; and which steps upstream block one."""
    names: set[str] = set()
    for guid in provenance.members:
        node = graph.get(guid)
        if node is None:
            continue
        names.update(m.name for m in node.direct_classifications())
        if node.step is not None:
            for name in node.step.blocked_classifications:
                if wanted is None or name in wanted:
                    provenance.blocked.setdefault(name, []).append(guid)
    starts = [provenance.target, *provenance.runs]
    for name in sorted(names):
        if wanted is not None and name not in wanted:
            continue
        found = reachable_sources(graph, starts, name)
        if found:
            provenance.sources[name] = found


def reachable_sources(graph: ProvenanceGraph, starts: Collection[str], name: str) -> list[str]:
    """The entities ``name`` is set on that reach ``starts`` through lineage no step blocks.

    Atlas propagates a classification along every process edge except the blocked ones; a
    run-level process (a pipeline run names the data its steps read and wrote) could carry it
    around a step that blocked it, so the walk follows the steps (see
    :meth:`ProvenanceGraph.parents`) and stops at a step that blocks ``name``.
    """
    found: list[str] = []
    seen = set(starts)
    queue = list(starts)
    while queue:
        guid = queue.pop(0)
        node = graph.get(guid)
        if node is None:
            continue
        if any(m.name == name for m in node.direct_classifications()):
            found.append(guid)
        for parent in graph.parents(guid):
            if parent in seen:
                continue
            seen.add(parent)
            above = graph.get(parent)
            if (
                above is not None
                and above.step is not None
                and name in above.step.blocked_classifications
            ):
                continue
            queue.append(parent)
    return found
