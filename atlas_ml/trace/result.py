"""What a trace found: a tree of the target's lineage with a status per node, the
divergences, and the one sentence that names the first (most upstream) of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from atlas_ml.provenance import Node


class Kind(str, Enum):
    """Why two lineages (or a read and its write) differ, most telling first."""

    SOURCE_DATA_CHANGED = "data changed at the source"
    SCHEMA_CHANGED = "schema changed"
    CHANGED_AFTER_WRITE = "data changed between write and read"
    STEP_CODE_CHANGED = "step code changed"
    PARAMETERS_CHANGED = "parameters changed"
    INPUTS_CHANGED = "inputs changed"
    UNEXPLAINED = "output changed with the same code, parameters and inputs"
    DATA_MOVED = "data moved"

    @property
    def changes_data(self) -> bool:
        """A move (same bytes, new path) is no data change; everything else is."""
        return self is not Kind.DATA_MOVED


_ORDER = list(Kind)


@dataclass
class Divergence:
    """One place where the lineages differ: ``left`` in the target's lineage, ``right`` in
    the other one's (or the write the left one was read from), ``depth`` nodes upstream of
    the model version."""

    kind: Kind
    depth: int
    left: str | None
    right: str | None
    details: list[str] = field(default_factory=list)

    def sort_key(self) -> tuple[int, int]:
        return (-self.depth, _ORDER.index(self.kind))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.name,
            "description": self.kind.value,
            "depth": self.depth,
            "left": self.left,
            "right": self.right,
            "details": list(self.details),
        }


@dataclass
class TraceNode:
    """A node of the traced tree: its status (``same``, ``changed``, ``moved``, ``code
    changed``, ``VERIFIED``, ...) and what it was compared with."""

    guid: str
    status: str
    detail: str = ""
    counterpart: str | None = None
    children: list[TraceNode] = field(default_factory=list)
    shown_above: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "guid": self.guid,
            "status": self.status,
            "detail": self.detail,
            "counterpart": self.counterpart,
            "shownAbove": self.shown_above,
            "inputs": [child.to_dict() for child in self.children],
        }


@dataclass
class TraceResult:
    target: str
    against: str | None
    live: bool
    atlas_url: str
    root: TraceNode
    nodes: dict[str, Node]
    divergences: list[Divergence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def first(self) -> Divergence | None:
        """The most upstream divergence that changed data (a move only when nothing did)."""
        changing = [d for d in self.divergences if d.kind.changes_data]
        pool = changing or self.divergences
        return min(pool, key=Divergence.sort_key) if pool else None

    @property
    def exit_code(self) -> int:
        """0 when nothing changed data (moves alone are fine), 1 when something did."""
        return 1 if any(d.kind.changes_data for d in self.divergences) else 0

    def label(self, guid: str | None) -> str:
        if guid is None:
            return "(nothing)"
        node = self.nodes.get(guid)
        return node.label if node is not None else guid

    def conclusion(self) -> str:
        """One sentence naming the first divergence (or saying there is none)."""
        first = self.first
        other = f" and {self.label(self.against)}" if self.against else ""
        if first is None:
            if self.against:
                return (
                    f"No divergence: {self.label(self.target)}{other} were trained on the "
                    "same data, by the same code with the same parameters."
                )
            return (
                f"No divergence: every recorded read of {self.label(self.target)}'s lineage "
                "matches what was written, and no data was found CHANGED."
            )
        where = f"{first.depth} hop(s) upstream of the model version"
        subject = self.label(first.left or first.right)
        detail = f" ({'; '.join(first.details)})" if first.details else ""
        others = sorted(
            (d for d in self.divergences if d is not first and d.kind.changes_data),
            key=Divergence.sort_key,
        )
        rest = ""
        if others:
            named = ", ".join(
                f"{d.kind.value} at {self.label(d.left or d.right)}" for d in others[:3]
            )
            rest = f"; also {named}" + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        if not first.kind.changes_data:
            return (
                f"No data change: {subject} moved{detail}, {where}: same bytes at a new "
                "path, not a cause of drift."
            )
        return f"First divergence: {first.kind.value} at {subject}, {where}{detail}{rest}."

    def to_dict(self) -> dict[str, Any]:
        first = self.first
        return {
            "report": "atlas-ml trace",
            "target": self.target,
            "against": self.against,
            "live": self.live,
            "atlasUrl": self.atlas_url,
            "conclusion": self.conclusion(),
            "firstDivergence": first.to_dict() if first else None,
            "divergences": [d.to_dict() for d in sorted(self.divergences, key=Divergence.sort_key)],
            "notes": list(self.notes),
            "tree": self.root.to_dict(),
            "entities": {g: n.to_dict() for g, n in sorted(self.nodes.items())},
        }
