"""The provenance graph the read commands share: entities read once per command run,
turned into plain records (:mod:`.model`), walked upstream level by level (:mod:`.graph`),
cut per target (:mod:`.views`) and judged for completeness (:mod:`.completeness`)."""

from atlas_ml.provenance.completeness import Gap, Verdict
from atlas_ml.provenance.graph import ProvenanceGraph
from atlas_ml.provenance.model import ClassificationMark, Node
from atlas_ml.provenance.views import Provenance, UsedDataset, producing_runs, provenance_of

__all__ = [
    "ClassificationMark",
    "Gap",
    "Node",
    "Provenance",
    "ProvenanceGraph",
    "UsedDataset",
    "Verdict",
    "producing_runs",
    "provenance_of",
]
