"""Trace one model version on its own: is the data it trained on still as recorded, and did
every step read what the step before it wrote?

Pure, over a graph that holds the lineage and, for each dataset version with a location,
the other versions recorded at that location (read by :func:`atlas_ml.trace.run.trace`).
A dataset version is *written* when a recorded step or job produced it, not only the
snapshot taken when it was read; a read whose bytes differ from the last recorded write of
the same location means the data changed between the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from atlas_ml.provenance import Node, ProvenanceGraph
from atlas_ml.provenance.model import DATASET_VERSION
from atlas_ml.trace.compare import compare_data
from atlas_ml.trace.result import Divergence, Kind, TraceNode

_OWN_STEPS = {"INGEST"}


@dataclass(frozen=True)
class Checked:
    """A dataset version's verification: recorded in Atlas, or recomputed (``--live``)."""

    status: str
    findings: tuple[str, ...] = ()
    live: bool = False


@dataclass
class SingleTrace:
    graph: ProvenanceGraph
    checked: Mapping[str, Checked] = field(default_factory=dict)
    divergences: list[Divergence] = field(default_factory=list)

    def tree(self, version: str, run: str) -> TraceNode:
        root = TraceNode(version, "model version")
        seen: set[str] = set()
        root.children.append(self._grow(run, 1, seen))
        return root

    def _grow(self, guid: str, depth: int, seen: set[str]) -> TraceNode:
        if guid in seen:
            return TraceNode(guid, "shown above", shown_above=True)
        seen.add(guid)
        node = self.graph.get(guid)
        status, detail = self._judge(node, guid, depth) if node is not None else ("unread", "")
        tree = TraceNode(guid, status, detail)
        for parent in sorted(self.graph.parents(guid), key=self._label):
            tree.children.append(self._grow(parent, depth + 1, seen))
        return tree

    def _judge(self, node: Node, guid: str, depth: int) -> tuple[str, str]:
        if node.type_name == DATASET_VERSION and node.dataset is not None:
            return self._judge_data(node, depth)
        if node.step is not None:
            step = node.step
            if (step.step_kind or "").upper() in _OWN_STEPS:
                return "snapshot", ""
            if step.code_fingerprint:
                return "code recorded", f"sha256 {step.code_fingerprint[:12]}"
            if step.code_revision or step.code_reference:
                return "code recorded", step.code_revision or step.code_reference or ""
            return "no code recorded", ""
        if node.run is not None:
            return node.run.status or "run", node.run.start_time or ""
        return "", ""

    def _judge_data(self, node: Node, depth: int) -> tuple[str, str]:
        facts = node.dataset
        assert facts is not None
        checked = self.checked.get(node.guid)
        if checked is None:
            status = facts.verification_status or (
                "in memory" if not facts.uri else "never verified"
            )
            checked = Checked(status)
        details = list(checked.findings)
        if checked.status == "CHANGED":
            self.divergences.append(
                Divergence(Kind.SOURCE_DATA_CHANGED, depth, node.guid, None, details)
            )
        written = self.last_write(node)
        if written is not None and written.guid != node.guid and written.dataset is not None:
            diff = compare_data(written.dataset, facts)
            if not diff.identical:
                writer = ", ".join(self._label(p) for p in self._writers(written))
                found = [f"last written by {writer} as {written.label}", *diff.findings()]
                self.divergences.append(
                    Divergence(Kind.CHANGED_AFTER_WRITE, depth, node.guid, written.guid, found)
                )
                details += found
                return f"{checked.status}, read differs from write", "; ".join(details)
        return checked.status, "; ".join(details)

    def last_write(self, version: Node) -> Node | None:
        """The latest recorded write of ``version``'s location at or before it was captured
        (the version itself when a recorded step wrote it)."""
        if self._writers(version):
            return version
        where = version.dataset.snapshot_of if version.dataset else None
        physical = self.graph.get(where) if where else None
        if physical is None or physical.dataset is None:
            return None
        captured = version.dataset.captured_time if version.dataset else None
        candidates = []
        for guid in physical.dataset.versions:
            sibling = self.graph.get(guid)
            if sibling is None or sibling.dataset is None or not self._writers(sibling):
                continue
            when = sibling.dataset.captured_time or ""
            if captured is None or when <= captured:
                candidates.append((when, sibling.guid, sibling))
        return max(candidates)[2] if candidates else None

    def _writers(self, version: Node) -> list[str]:
        """Producers of ``version`` other than its own snapshot step."""
        writers = []
        for guid in self.graph.parents(version.guid):
            node = self.graph.get(guid)
            if node is not None and node.step is not None and _own(node):
                continue
            writers.append(guid)
        return writers

    def _label(self, guid: str) -> str:
        node = self.graph.get(guid)
        return node.label if node is not None else guid


def _own(node: Node) -> bool:
    return node.step is not None and (node.step.step_kind or "").upper() in _OWN_STEPS
