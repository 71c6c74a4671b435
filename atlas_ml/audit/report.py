"""What an audit found, as data: one entry per model version, and every entity they name.

:mod:`atlas_ml.reports.audit_report` renders it (HTML, JSON, CSV, text); the JSON form is
described by ``atlas_ml/reports/schemas/audit-report.schema.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from atlas_ml._version import __version__
from atlas_ml.audit.query import AuditQuery
from atlas_ml.provenance import Node, Provenance

SUMMARY_COLUMNS = (
    "model_version",
    "model",
    "version_number",
    "team",
    "owner",
    "trained",
    "runs",
    "dataset_versions",
    "classified_via",
    "custody",
    "verdict",
    "gaps",
    "guid",
)


@dataclass
class AuditEntry:
    """One model version in the audit, with its provenance (guids into the report's nodes)."""

    guid: str
    name: str
    model: str | None
    version_number: int | None
    team: str | None
    owner: str | None
    provenance: Provenance
    compliance: dict[str, Any] = field(default_factory=dict)
    classified_inputs: list[str] = field(default_factory=list)
    """The dataset versions used that carry the audited classification (or a subtype)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "guid": self.guid,
            "name": self.name,
            "model": self.model,
            "versionNumber": self.version_number,
            "team": self.team,
            "owner": self.owner,
            "compliance": dict(self.compliance),
            "classifiedInputs": list(self.classified_inputs),
            **self.provenance.to_dict(),
        }


@dataclass
class AuditReport:
    query: AuditQuery
    generated_at: str
    atlas_url: str
    entries: list[AuditEntry] = field(default_factory=list)
    nodes: dict[str, Node] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    """How the answer was found: runs matched, HTTP requests, seconds."""
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(entry.provenance.verdict.complete for entry in self.entries)

    @property
    def exit_code(self) -> int:
        """0 when every model version's record is complete, 1 when one has a gap."""
        return 0 if self.complete else 1

    def node(self, guid: str) -> Node | None:
        return self.nodes.get(guid)

    def label(self, guid: str) -> str:
        node = self.nodes.get(guid)
        return node.label if node is not None else guid

    def summary_row(self, entry: AuditEntry) -> dict[str, Any]:
        """One line of the summary table (the CSV's row)."""
        runs = [self.nodes[r] for r in entry.provenance.runs if r in self.nodes]
        trained = sorted(r.run.start_time for r in runs if r.run and r.run.start_time)
        versions = [self.label(d.guid) for d in entry.provenance.datasets]
        sources = sorted(
            {self.label(g) for guids in entry.provenance.sources.values() for g in guids}
        )
        custody = sorted({r.run.custody for r in runs if r.run})
        return {
            "model_version": entry.name,
            "model": entry.model or "",
            "version_number": entry.version_number or "",
            "team": entry.team or "",
            "owner": entry.owner or "",
            "trained": trained[-1] if trained else "",
            "runs": len(runs),
            "dataset_versions": "; ".join(dict.fromkeys(versions)),
            "classified_via": "; ".join(sources),
            "custody": "/".join(custody),
            "verdict": entry.provenance.verdict.label,
            "gaps": entry.provenance.verdict.summary().partition(": ")[2],
            "guid": entry.guid,
        }

    def summary(self) -> dict[str, Any]:
        teams = sorted({e.team or "" for e in self.entries})
        complete = sum(1 for e in self.entries if e.provenance.verdict.complete)
        return {
            "modelVersions": len(self.entries),
            "teams": len([t for t in teams if t]),
            "complete": complete,
            "incomplete": len(self.entries) - complete,
            "trainingRuns": len({r for e in self.entries for r in e.provenance.runs}),
            "datasetVersions": len({d.guid for e in self.entries for d in e.provenance.datasets}),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": "atlas-ml audit",
            "atlasMlVersion": __version__,
            "query": self.query.to_dict(),
            "generatedAt": self.generated_at,
            "atlasUrl": self.atlas_url,
            "summary": self.summary(),
            "stats": dict(self.stats),
            "notes": list(self.notes),
            "modelVersions": [entry.to_dict() for entry in self.entries],
            "entities": {guid: node.to_dict() for guid, node in sorted(self.nodes.items())},
        }
