"""Render lineage as a terminal tree: a model version back to the raw data (upstream), or
a raw file forward to every model version made from it (downstream)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from rich.markup import escape
from rich.tree import Tree

from atlas_ml.client import LineageGraph
from atlas_ml.lineage.evaluations import EvaluationSummary
from atlas_ml.lineage.read import Lineage
from atlas_ml.typedefs.names import (
    DATASET_VERSION_TYPE,
    MODEL_VERSION_TYPE,
    SPARK_PROCESS_TYPE,
    TRAINING_RUN_TYPE,
    TRANSFORM_TYPE,
)

_STYLE = {
    MODEL_VERSION_TYPE: "bold green",
    TRAINING_RUN_TYPE: "bold magenta",
    TRANSFORM_TYPE: "cyan",
    DATASET_VERSION_TYPE: "yellow",
    SPARK_PROCESS_TYPE: "cyan",
}


def _classification_names(entity: dict[str, Any]) -> list[str]:
    """Each classification once, sorted.

    Lineage headers carry ``classificationNames`` with a name per source that propagates it,
    while a full entity (the root of a tree with no upstream) carries only ``classifications``.
    """
    names = list(entity.get("classificationNames") or [])
    names += [c["typeName"] for c in entity.get("classifications") or [] if c.get("typeName")]
    return sorted(set(names))


def _name(graph: LineageGraph, guid: str) -> str:
    attributes = graph.entity(guid).get("attributes") or {}
    return str(attributes.get("name") or attributes.get("qualifiedName") or guid)


def _labeller(graph: LineageGraph) -> Callable[[str], str]:
    """Labels by display name; a name several nodes share (the same Spark job run daily)
    also shows the qualifiedName, which tells them apart and is a valid lineage target."""
    shared = {
        n for n, count in Counter(map(partial(_name, graph), graph.entities)).items() if count > 1
    }

    def label(guid: str) -> str:
        entity = graph.entity(guid)
        name = _name(graph, guid)
        qualified_name = graph.qualified_name(guid)
        if name in shared and qualified_name and qualified_name != name:
            name = f"{name} ({qualified_name})"
        type_name = entity.get("typeName", "?")
        style = _STYLE.get(type_name, "white")
        tags = _classification_names(entity)
        suffix = f" [red]{', '.join(tags)}[/red]" if tags else ""
        blocked = (entity.get("attributes") or {}).get("blockedClassifications")
        if blocked:  # a step that removed what these describe: they stop here
            suffix += f" [dim](stops {escape(', '.join(blocked))})[/dim]"
        outcome = (entity.get("attributes") or {}).get("status")
        if outcome and outcome != "SUCCEEDED":  # a training run's; SUCCEEDED is the norm
            suffix = f" [bold red]{escape(str(outcome))}[/bold red]{suffix}"
        return f"[{style}]{escape(name)}[/{style}] [dim]{type_name}[/dim]{suffix}"

    return label


def upstream_tree(graph: LineageGraph, root: str) -> Tree:
    """A tree whose children are each node's inputs; shared ancestors are shown once."""
    return _tree(graph, root, graph.parents)


def downstream_tree(graph: LineageGraph, root: str) -> Tree:
    """A tree whose children are each node's outputs; shared descendants are shown once."""
    return _tree(graph, root, graph.children)


def _tree(graph: LineageGraph, root: str, next_nodes: Callable[[str], list[str]]) -> Tree:
    label = _labeller(graph)
    tree = Tree(label(root))
    seen = {root}

    def grow(node: Tree, guid: str) -> None:
        for neighbour in sorted(next_nodes(guid), key=label):
            if neighbour in seen:
                node.add(label(neighbour) + " [dim](shown above)[/dim]")
                continue
            seen.add(neighbour)
            grow(node.add(label(neighbour)), neighbour)

    grow(tree, root)
    return tree


def lineage_tree(lineage: Lineage) -> Tree:
    """The tree of ``lineage`` in its direction; upstream of a model version, its evaluations
    too (each with the dataset version it was measured on)."""
    grow = downstream_tree if lineage.downstream else upstream_tree
    tree = grow(lineage.graph, lineage.root)
    for evaluation in lineage.evaluations:
        node = tree.add(_evaluation_label(evaluation))
        for dataset in evaluation.datasets:
            node.add(_entity_label(dataset))
    return tree


def _evaluation_label(evaluation: EvaluationSummary) -> str:
    attributes = evaluation.entity.get("attributes") or {}
    name = str(attributes.get("name") or attributes.get("qualifiedName"))
    results = ", ".join(f"{k} {v:.3f}" for k, v in sorted(evaluation.metrics.items()))
    role = f" ({evaluation.role})" if evaluation.role else ""
    suffix = f" [dim]{escape(results)}[/dim]" if results else ""
    tags = _classification_names(evaluation.entity)
    suffix += f" [red]{', '.join(tags)}[/red]" if tags else ""
    return f"[bold blue]{escape(name)}[/bold blue] [dim]atlasml_evaluation{role}[/dim]{suffix}"


def _entity_label(entity: dict[str, Any]) -> str:
    attributes = entity.get("attributes") or {}
    name = str(attributes.get("name") or attributes.get("qualifiedName"))
    type_name = str(entity.get("typeName", "?"))
    style = _STYLE.get(type_name, "white")
    tags = _classification_names(entity)
    suffix = f" [red]{', '.join(tags)}[/red]" if tags else ""
    return f"[{style}]{escape(name)}[/{style}] [dim]{type_name}[/dim]{suffix}"
