"""Print an entity's upstream lineage and where the Atlas UI shows it."""

from __future__ import annotations

from rich.console import Console

from atlas_ml.client import AtlasClient
from atlas_ml.lineage.resolve import resolve_target, ui_url
from atlas_ml.lineage.tree import upstream_tree


def show_upstream(client: AtlasClient, target: str, depth: int = 20) -> str:
    """Print the lineage tree of ``target`` (guid or qualifiedName); returns its UI URL."""
    entity = resolve_target(client, target)
    guid = entity["guid"]
    graph = client.lineage.get(guid, direction="INPUT", depth=depth)
    graph.entities.setdefault(guid, entity)
    Console().print(upstream_tree(graph, guid))
    url = ui_url(client, guid)
    print(f"Atlas UI: {url}")
    return url
