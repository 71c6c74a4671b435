"""Print an entity's lineage (upstream or downstream) and where the Atlas UI shows it."""

from __future__ import annotations

from rich.console import Console
from rich.tree import Tree

from atlas_ml.client import AtlasClient
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
    add_one_sided_processes(client, graph, downstream)
    print_tree((downstream_tree if downstream else upstream_tree)(graph, guid))
    url = ui_url(client, guid)
    print(f"Atlas UI: {url}")
    return url


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
