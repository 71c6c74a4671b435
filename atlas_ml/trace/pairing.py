"""Pair the entities of two lineages that play the same part: the train split with the
train split, the step ``clean`` with the step ``clean``, the raw file's snapshot with the
raw file's snapshot."""

from __future__ import annotations

import re
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


_DIGITS = re.compile(r"\d+")


def pair(
    left: Sequence[str],
    right: Sequence[str],
    key: Callable[[str], str],
) -> tuple[Pairs, list[str], list[str]]:
    """Pairs: the same entity; then equal ``key`` (in order); then equal key once its
    numbers are ignored (``clicks-2025-06.csv`` and ``clicks-2025-07.csv``: the same feed,
    another month); then the single leftover on each side (the same part renamed). The rest
    stays unpaired."""
    pairs: Pairs = []
    left_only = list(left)
    right_only = list(right)
    for same in (
        lambda a, b: a == b,
        lambda a, b: key(a) == key(b),
        lambda a, b: _DIGITS.sub("#", key(a)) == _DIGITS.sub("#", key(b)),
    ):
        for guid in list(left_only):
            match = next((r for r in right_only if same(guid, r)), None)
            if match is not None:
                left_only.remove(guid)
                right_only.remove(match)
                pairs.append((guid, match))
    if len(left_only) == 1 and len(right_only) == 1:
        pairs.append((left_only.pop(), right_only.pop()))
    return pairs, left_only, right_only
