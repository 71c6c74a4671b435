"""Print an entity's lineage (upstream or downstream) and where the Atlas UI shows it."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.tree import Tree

from atlas_ml.client import AtlasClient, LineageGraph
from atlas_ml.lineage.one_sided import add_one_sided_processes
from atlas_ml.lineage.resolve import resolve_target, ui_url
from atlas_ml.lineage.tree import downstream_tree, upstream_tree


def show_lineage(
    client: AtlasClient, target: str, depth: int = 20, downstream: bool = False
) -> str:
    """Print where ``target``'s data came from, or (``downstream``) everything made from it;
    returns its UI URL."""
    entity = resolve_target(client, target)
    guid = entity["guid"]
    graph = client.lineage.get(guid, direction="OUTPUT" if downstream else "INPUT", depth=depth)
    graph.entities.setdefault(guid, entity)
    full = {e["guid"]: e for e in client.entities.get_bulk(list(graph.entities))}
    add_one_sided_processes(client, graph, full, downstream)
    _add_run_outcomes(graph, full)
    print_tree((downstream_tree if downstream else upstream_tree)(graph, guid))
    url = ui_url(client, guid)
    print(f"Atlas UI: {url}")
    return url


def _add_run_outcomes(graph: LineageGraph, entities: dict[str, dict[str, Any]]) -> None:
    """Copy each training run's ``status`` into its lineage header, which Atlas sends without
    it: a failed run must not print like one that trained the model."""
    for guid, header in graph.entities.items():
        status = (entities.get(guid, {}).get("attributes") or {}).get("status")
        if header.get("typeName") == "atlasml_training_run" and status:
            header.setdefault("attributes", {})["status"] = status


def print_tree(tree: Tree) -> None:
    """Print ``tree`` wrapped to the terminal, or in full lines into a file or pipe.

    Rich lays out a non-terminal as 80 columns and would wrap or cut deep nodes there, which
    breaks names and drops the classifications at the end of a line.
    """
    console = Console()
    if not console.is_terminal:
        console = Console(width=_UNWRAPPED)
    console.print(tree)


_UNWRAPPED = 10_000
