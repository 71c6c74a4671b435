"""Render a :class:`~atlas_ml.trace.TraceResult`: a tree with a status per node and the
closing sentence (terminal), or JSON."""

from __future__ import annotations

import json

from rich.text import Text
from rich.tree import Tree

from atlas_ml.trace import TraceNode, TraceResult

_GOOD = {"same", "same content", "VERIFIED", "DERIVED", "code recorded", "SUCCEEDED", "snapshot"}
_NEUTRAL = {"moved", "model version", "shown above", "in memory", "never verified"}


def _style(status: str) -> str:
    if status in _GOOD:
        return "green"
    if status in _NEUTRAL:
        return "cyan"
    if status.startswith(("changed", "CHANGED", "code changed", "parameters", "inputs", "only")):
        return "bold red"
    return "yellow"


def _label(result: TraceResult, node: TraceNode) -> Text:
    entity = result.nodes.get(node.guid)
    text = Text(entity.label if entity else node.guid)
    if entity is not None:
        text.append(f" {entity.type_name}", style="dim")
    if node.counterpart and node.counterpart != node.guid and not node.shown_above:
        text.append(f" vs {result.label(node.counterpart)}", style="dim")
    if node.status:
        text.append(f" [{node.status}]", style=_style(node.status))
    if node.detail:
        text.append(f" {node.detail}", style="dim" if _style(node.status) == "green" else "")
    return text


def trace_tree(result: TraceResult) -> Tree:
    tree = Tree(_label(result, result.root))

    def grow(branch: Tree, node: TraceNode) -> None:
        for child in node.children:
            grow(branch.add(_label(result, child)), child)

    grow(tree, result.root)
    return tree


def render_conclusion(result: TraceResult) -> Text:
    style = "bold red" if result.exit_code else "bold green"
    return Text(result.conclusion(), style=style)


def render_json(result: TraceResult) -> str:
    return json.dumps(result.to_dict(), indent=1, ensure_ascii=False)
