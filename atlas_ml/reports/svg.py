"""An inline SVG picture of one provenance: raw data at the top, the model at the bottom.

Drawn by the project (no JavaScript, no external CSS), so a report is one self-contained file
that prints as it shows. Layout: each node's level is its longest distance upstream of the
target; within a level, nodes follow the average position of what they feed (one sweep),
which keeps most edges straight for the chain-like lineage of ML pipelines. Top to bottom
because ML lineage is deep and narrow: it fits a portrait page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from atlas_ml.provenance import Node

BOX_W, BOX_H = 196, 38
COL_GAP, ROW_GAP = 16, 30
PAD = 12
PER_ROW = 5
MAX_NODES = 120
LABEL_CHARS = 30

# Colours of the atlas-ml icons in the Atlas UI: data blue, steps green, runs orange,
# models purple; other systems' processes (Spark) grey.
_FILL = {
    "dataset": ("#e8f0fb", "#2f6db5"),
    "step": ("#e7f5ea", "#2e8540"),
    "run": ("#fdf0e2", "#c26a12"),
    "model_version": ("#f1e9f9", "#7040a8"),
    "other": ("#f2f2f2", "#666666"),
}


def _style(node: Node) -> str:
    if node.kind == "model_version":
        return "model_version"
    if node.run is not None or node.evaluation is not None:
        return "run"
    if node.is_process:
        return "step" if node.type_name.startswith("atlasml_") else "other"
    return "dataset" if node.kind == "dataset" else "other"


def _columns(target: str, members: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Column of each node: its longest distance (in edges) upstream of ``target``."""
    parents: dict[str, list[str]] = {}
    for source, sink in edges:
        parents.setdefault(sink, []).append(source)
    column = {target: 0}
    frontier = [target]
    steps = 0
    while frontier and steps <= len(members):
        steps += 1
        following = []
        for guid in frontier:
            for parent in parents.get(guid, []):
                if column.get(parent, -1) < column[guid] + 1:
                    column[parent] = column[guid] + 1
                    following.append(parent)
        frontier = list(dict.fromkeys(following))
    beyond = max(column.values()) + 1
    for guid in members:  # not connected to the target within the drawing: one more level
        column.setdefault(guid, beyond)
    return column


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters; a path keeps its end (the file name)."""
    if len(text) <= limit:
        return text
    if "/" in text:
        return "\u2026" + text[-(limit - 1) :]
    return text[: limit - 1] + "\u2026"


def lineage_svg(
    nodes: Mapping[str, Node],
    target: str,
    members: Iterable[str],
    edges: Iterable[tuple[str, str]],
    highlight: Iterable[str] = (),
    sources: Iterable[str] = (),
    blocked: Iterable[str] = (),
    title: str = "",
) -> str:
    """The SVG of ``members`` (guids in ``nodes``) and ``edges`` around ``target``.

    ``highlight``: classification names to mark on the nodes carrying them; ``sources``:
    nodes they are attached to (drawn bold); ``blocked``: steps that stop their propagation
    (drawn dashed).
    """
    everything = [g for g in dict.fromkeys([target, *members]) if g in nodes]
    shown = everything[:MAX_NODES]
    hidden = len(everything) - len(shown)
    inside = set(shown)
    links = [(a, b) for a, b in dict.fromkeys(edges) if a in inside and b in inside]
    place = _place(nodes, target, shown, links)
    columns = max((c for c, _ in place.values()), default=0) + 1
    rows = max((r for _, r in place.values()), default=0) + 1
    width = PAD * 2 + columns * BOX_W + (columns - 1) * COL_GAP
    height = PAD * 2 + rows * BOX_H + (rows - 1) * ROW_GAP + (18 if hidden else 0)

    def x_of(guid: str) -> float:
        return PAD + place[guid][0] * (BOX_W + COL_GAP)

    def y_of(guid: str) -> float:
        return PAD + place[guid][1] * (BOX_H + ROW_GAP)

    marks = set(highlight)
    attached = set(sources)
    stops = set(blocked)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title or "lineage")}">',
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#777"/></marker></defs>',
    ]
    if title:
        out.append(f"<title>{escape(title)}</title>")
    for source, sink in links:
        x1, y1 = x_of(source) + BOX_W / 2, y_of(source) + BOX_H
        x2, y2 = x_of(sink) + BOX_W / 2, y_of(sink)
        mid = (y1 + y2) / 2
        out.append(
            f'<path d="M{x1:.0f},{y1:.0f} C{x1:.0f},{mid:.0f} {x2:.0f},{mid:.0f} {x2:.0f},'
            f'{y2 - 2:.0f}" fill="none" stroke="#999" stroke-width="1.2" '
            'marker-end="url(#arrow)"/>'
        )
    for guid in shown:
        out.append(
            _box(nodes[guid], x_of(guid), y_of(guid), marks, guid in attached, guid in stops)
        )
    if hidden:
        out.append(
            f'<text x="{PAD}" y="{height - 6}" font-size="10" font-family="sans-serif" '
            f'fill="#555">{hidden} more upstream entities are listed in the tables below</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _place(
    nodes: Mapping[str, Node], target: str, shown: list[str], links: list[tuple[str, str]]
) -> dict[str, tuple[int, int]]:
    """(column, row) of each node: rows run from the sources (top) down to ``target``; a
    level wider than :data:`PER_ROW` wraps onto more rows."""
    level = _columns(target, shown, links)
    deepest = max(level.values(), default=0)
    children: dict[str, list[str]] = {}
    for source, sink in links:
        children.setdefault(source, []).append(sink)
    order: dict[str, float] = {}
    place: dict[str, tuple[int, int]] = {}
    row = 0
    for depth in range(0, deepest + 1):  # the target first, so parents can follow children
        here = [g for g in shown if level[g] == depth]

        def key(guid: str) -> tuple[float, str]:
            fed = [order[c] for c in children.get(guid, []) if c in order]
            return (sum(fed) / len(fed) if fed else 0.0, nodes[guid].label)

        for index, guid in enumerate(sorted(here, key=key)):
            order[guid] = float(index)
    rows_of = {d: -(-len([g for g in shown if level[g] == d]) // PER_ROW) for d in level.values()}
    for depth in range(deepest, -1, -1):
        here = sorted((g for g in shown if level[g] == depth), key=lambda g: order[g])
        for index, guid in enumerate(here):
            place[guid] = (index % PER_ROW, row + index // PER_ROW)
        row += max(rows_of.get(depth, 0), 1 if here else 0)
    return place


def _box(node: Node, x: float, y: float, marks: set[str], attached: bool, stops: bool) -> str:
    fill, stroke = _FILL[_style(node)]
    carried = sorted(marks.intersection(node.classification_names()))
    border = 3 if attached else 1.4
    dash = ' stroke-dasharray="5,3"' if stops else ""
    colour = "#b3261e" if attached or stops else stroke
    kind = node.type_name.removeprefix("atlasml_").replace("_", " ")
    tag = kind if not carried else f"{kind} \u25cf {', '.join(carried)}"
    if stops:
        tag = f"{kind} \u2715 blocks"
    tag_colour = "#b3261e" if carried or stops else "#555"
    return (
        f'<g class="node"><title>{escape(node.qualified_name or node.label)}</title>'
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="5" '
        f'fill="{fill}" stroke="{colour}" stroke-width="{border}"{dash}/>'
        f'<text x="{x + 7:.0f}" y="{y + 15:.0f}" font-size="11" font-family="sans-serif" '
        f'fill="#222">{escape(_short(node.label))}</text>'
        f'<text x="{x + 7:.0f}" y="{y + 30:.0f}" font-size="9.5" font-family="sans-serif" '
        f'fill="{tag_colour}">{escape(_short(tag, 34))}</text></g>'
    )
