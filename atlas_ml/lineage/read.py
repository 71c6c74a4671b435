"""Read an entity's lineage (upstream or downstream) as Atlas holds it, completed.

Returns data; :mod:`atlas_ml.reports.lineage_tree` renders it and ``atlas-ml lineage``
prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from atlas_ml.client import AtlasClient, LineageGraph
from atlas_ml.lineage.evaluations import EvaluationSummary, read_evaluations
from atlas_ml.lineage.one_sided import add_one_sided_processes
from atlas_ml.lineage.resolve import resolve_target, ui_url
from atlas_ml.typedefs.names import (
    MODEL_VERSION_TYPE,
    TRAINING_RUN_TYPE,
)


@dataclass(frozen=True)
class Lineage:
    """The lineage graph around ``root``: its inputs back to the raw data, or (``downstream``)
    everything made from it, with the address of ``root`` in the Atlas UI."""

    root: str
    graph: LineageGraph
    downstream: bool
    ui_url: str
    evaluations: tuple[EvaluationSummary, ...] = ()
    """Upstream of a model version: how it was evaluated, on which exact data."""


def read_lineage(
    client: AtlasClient, target: str, depth: int = 20, downstream: bool = False
) -> Lineage:
    """Where ``target``'s data came from, or (``downstream``) everything made from it.

    Adds the processes Atlas's lineage API leaves out (see :mod:`.one_sided`) and each
    training run's outcome, which lineage headers lack.
    """
    entity = resolve_target(client, target)
    guid = entity["guid"]
    graph = client.lineage.get(guid, direction="OUTPUT" if downstream else "INPUT", depth=depth)
    graph.entities.setdefault(guid, entity)
    full = {e["guid"]: e for e in client.entities.get_bulk(list(graph.entities))}
    add_one_sided_processes(client, graph, full, downstream)
    _add_run_outcomes(graph, full)
    _add_blocked_classifications(graph, full)
    evaluations: tuple[EvaluationSummary, ...] = ()
    if not downstream and entity.get("typeName") == MODEL_VERSION_TYPE:
        evaluations = tuple(read_evaluations(client, full.get(guid, entity)))
    return Lineage(guid, graph, downstream, ui_url(client, guid), evaluations)


def _add_run_outcomes(graph: LineageGraph, entities: dict[str, dict[str, Any]]) -> None:
    """Copy each training run's ``status`` into its lineage header, which Atlas sends without
    it: a failed run must not print like one that trained the model."""
    for guid, header in graph.entities.items():
        status = (entities.get(guid, {}).get("attributes") or {}).get("status")
        if header.get("typeName") == TRAINING_RUN_TYPE and status:
            header.setdefault("attributes", {})["status"] = status


def _add_blocked_classifications(graph: LineageGraph, entities: dict[str, dict[str, Any]]) -> None:
    """Copy each step's ``blockedClassifications`` into its lineage header: where a
    classification stops is part of reading the tree (the header lacks it)."""
    for guid, header in graph.entities.items():
        blocked = (entities.get(guid, {}).get("attributes") or {}).get("blockedClassifications")
        if blocked:
            header.setdefault("attributes", {})["blockedClassifications"] = sorted(blocked)
