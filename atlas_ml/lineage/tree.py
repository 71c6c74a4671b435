"""Render lineage as a terminal tree: a model version back to the raw data (upstream), or
a raw file forward to every model version made from it (downstream)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.tree import Tree

from atlas_ml.client import LineageGraph

_STYLE = {
    "atlasml_model_version": "bold green",
    "atlasml_training_run": "bold magenta",
    "atlasml_transform": "cyan",
    "atlasml_dataset_version": "yellow",
    "spark_process": "cyan",
}


def _classification_names(entity: dict[str, Any]) -> list[str]:
    """Each classification once, sorted.

    Lineage headers carry ``classificationNames`` with a name per source that propagates it,
    while a full entity (the root of a tree with no upstream) carries only ``classifications``.
    """
    names = list(entity.get("classificationNames") or [])
    names += [c["typeName"] for c in entity.get("classifications") or [] if c.get("typeName")]
    return sorted(set(names))


def _label(graph: LineageGraph, guid: str) -> str:
    entity = graph.entity(guid)
    attributes = entity.get("attributes") or {}
    name = attributes.get("name") or attributes.get("qualifiedName") or guid
    type_name = entity.get("typeName", "?")
    style = _STYLE.get(type_name, "white")
    tags = _classification_names(entity)
    suffix = f" [red]{', '.join(tags)}[/red]" if tags else ""
    return f"[{style}]{name}[/{style}] [dim]{type_name}[/dim]{suffix}"


def upstream_tree(graph: LineageGraph, root: str) -> Tree:
    """A tree whose children are each node's inputs; shared ancestors are shown once."""
    return _tree(graph, root, graph.parents)


def downstream_tree(graph: LineageGraph, root: str) -> Tree:
    """A tree whose children are each node's outputs; shared descendants are shown once."""
    return _tree(graph, root, graph.children)


def _tree(graph: LineageGraph, root: str, next_nodes: Callable[[str], list[str]]) -> Tree:
    tree = Tree(_label(graph, root))
    seen = {root}

    def grow(node: Tree, guid: str) -> None:
        for neighbour in sorted(next_nodes(guid), key=lambda g: _label(graph, g)):
            if neighbour in seen:
                node.add(_label(graph, neighbour) + " [dim](shown above)[/dim]")
                continue
            seen.add(neighbour)
            grow(node.add(_label(graph, neighbour)), neighbour)

    grow(tree, root)
    return tree
