"""Pair the entities of two lineages that play the same part: the train split with the
train split, the step ``clean`` with the step ``clean``, the raw file's snapshot with the
raw file's snapshot."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from atlas_ml.provenance import Node

Pairs = list[tuple[str, str]]


def part_of(node: Node | None) -> str:
    """What a node is, without what makes one run's copy of it unique: a dataset version
    without its ``@hash``, a step by name, a snapshot as ``snapshot``."""
    if node is None:
        return ""
    if node.step is not None and (node.step.step_kind or "").upper() == "INGEST":
        return "snapshot"
    name = node.name or node.qualified_name
    if node.kind == "dataset" and "@" in name:
        name = name.rsplit("@", 1)[0]
    return f"{node.type_name}:{name}"


def pair(
    left: Sequence[str],
    right: Sequence[str],
    key: Callable[[str], str],
) -> tuple[Pairs, list[str], list[str]]:
    """Pairs with equal ``key`` (in order), then the single leftover on each side (the same
    part under another name); the rest stays unpaired."""
    pairs: Pairs = []
    right_left = list(right)
    left_only: list[str] = []
    for guid in left:
        match = next((r for r in right_left if r == guid), None)
        if match is None:
            match = next((r for r in right_left if key(r) == key(guid)), None)
        if match is None:
            left_only.append(guid)
            continue
        right_left.remove(match)
        pairs.append((guid, match))
    if len(left_only) == 1 and len(right_left) == 1:
        pairs.append((left_only.pop(), right_left.pop()))
    return pairs, left_only, right_left
