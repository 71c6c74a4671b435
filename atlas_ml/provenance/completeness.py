"""The completeness verdict of one provenance: what a regulator could not rely on, by name.

Gaps make a record incomplete: data used without a fingerprint (nothing to verify it
against), data never verified or found CHANGED by ``atlas-ml verify``, preparation steps that
recorded no code, runs that recorded no code revision, and runs whose signed record does not
check out. Notes say what is worth knowing but is no gap (runs recorded without signing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from atlas_ml.provenance.model import (
    DATASET_VERSION,
    PIPELINE_RUN,
    SPARK_PROCESS,
    TRAINING_RUN,
    TRANSFORM,
    UNSIGNED,
    Node,
)

if TYPE_CHECKING:
    from atlas_ml.provenance.graph import ProvenanceGraph

NO_FINGERPRINT = "input without fingerprint"
UNVERIFIED = "data never verified"
CHANGED = "data CHANGED since recorded"
STEP_WITHOUT_CODE = "step without code"
RUN_WITHOUT_REVISION = "run without code revision"
CUSTODY = "custody"
GAP_KINDS = (NO_FINGERPRINT, CHANGED, UNVERIFIED, STEP_WITHOUT_CODE, RUN_WITHOUT_REVISION, CUSTODY)

# Steps atlas-ml itself adds to connect the graph (no user code ran in them).
_OWN_STEP_KINDS = {"INGEST", "COPY"}
_CUSTODY_FINDINGS = {"TAMPERED", "UNTRUSTED", "CHAIN-GAP"}


@dataclass(frozen=True)
class Gap:
    kind: str
    guid: str
    name: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.name}" + (f" ({self.detail})" if self.detail else "")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "guid": self.guid, "name": self.name, "detail": self.detail}


@dataclass
class Verdict:
    gaps: list[Gap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.gaps

    @property
    def label(self) -> str:
        return "COMPLETE" if self.complete else "INCOMPLETE"

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for gap in self.gaps:
            counts[gap.kind] = counts.get(gap.kind, 0) + 1
        return counts

    def summary(self) -> str:
        """``COMPLETE``, or the gaps counted by kind, e.g. ``INCOMPLETE: 2 data never
        verified, 1 step without code``."""
        if self.complete:
            return self.label
        parts = [f"{n} {kind}" for kind, n in self.counts().items()]
        return f"{self.label}: {', '.join(parts)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.label,
            "gaps": [g.to_dict() for g in self.gaps],
            "notes": list(self.notes),
        }


def judge(graph: ProvenanceGraph, members: list[str], used: set[str]) -> Verdict:
    """Name every gap among ``members`` (a provenance's target, runs and upstream; ``used``:
    the data its runs read), in the order of :data:`GAP_KINDS`."""
    verdict = Verdict()
    members = [g for g in members if g in graph.nodes]
    gaps: list[Gap] = []
    unsigned = []
    for guid in members:
        node = graph.nodes[guid]
        gaps.extend(_data_gaps(node, guid in used))
        gaps.extend(_step_gaps(node))
        if node.run is not None:
            if not node.run.code_revision and node.type_name in (TRAINING_RUN, PIPELINE_RUN):
                gaps.append(Gap(RUN_WITHOUT_REVISION, guid, node.label))
            if node.run.custody in _CUSTODY_FINDINGS:
                gaps.append(
                    Gap(CUSTODY, guid, node.label, node.run.custody_summary or node.run.custody)
                )
            elif node.run.custody == UNSIGNED and node.type_name == TRAINING_RUN:
                unsigned.append(node.label)
    order = {kind: index for index, kind in enumerate(GAP_KINDS)}
    verdict.gaps = sorted(gaps, key=lambda g: (order[g.kind], g.name))
    if unsigned:
        verdict.notes.append(
            f"{len(unsigned)} training run(s) recorded without a signed attestation: "
            + ", ".join(sorted(unsigned))
        )
    return verdict


def _data_gaps(node: Node, used: bool) -> list[Gap]:
    if node.kind != "dataset":
        return []
    facts = node.dataset
    if node.type_name != DATASET_VERSION:
        # Plain data (a path) read directly by a run has no recorded version at all.
        return (
            [Gap(NO_FINGERPRINT, node.guid, node.label, "read without a recorded version")]
            if (used)
            else []
        )
    if facts is None:
        return []
    if not facts.has_fingerprint:
        return [Gap(NO_FINGERPRINT, node.guid, node.label)]
    status = (facts.verification_status or "").upper()
    if status == "CHANGED":
        return [Gap(CHANGED, node.guid, node.label, f"verified {facts.verified_time or '?'}")]
    if status in ("VERIFIED", "DERIVED"):
        return []
    if facts.uri:  # in-memory data cannot be re-read: its sources are what verify checks
        return [Gap(UNVERIFIED, node.guid, node.label)]
    return []


def _step_gaps(node: Node) -> list[Gap]:
    step = node.step
    if step is None or node.type_name not in (TRANSFORM, SPARK_PROCESS):
        return []
    if (step.step_kind or "").upper() in _OWN_STEP_KINDS or step.inferred:
        return []
    if node.type_name == TRANSFORM and node.name.startswith("partition "):
        return []
    if step.has_code:
        return []
    return [Gap(STEP_WITHOUT_CODE, node.guid, node.label)]
