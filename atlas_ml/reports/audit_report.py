"""Render an :class:`~atlas_ml.audit.AuditReport`: HTML for people (printable, one section
per model version with its lineage drawn inline), JSON with the same content for machines,
CSV of the summary table, and a terminal summary.

HTML and JSON state their own sha256 (see :func:`~atlas_ml.reports.templating.with_digest`).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich.table import Table
from rich.text import Text

from atlas_ml._version import __version__
from atlas_ml.audit import SUMMARY_COLUMNS, AuditReport
from atlas_ml.reports.svg import lineage_svg
from atlas_ml.reports.templating import DIGEST_PLACEHOLDER, environment, with_digest

SCHEMA_ID = "https://github.com/atlas-ml/atlas-ml/blob/main/atlas_ml/reports/schemas/audit-report.schema.json"


def render_json(report: AuditReport) -> str:
    """The report as JSON (schema: ``reports/schemas/audit-report.schema.json``)."""
    body = {"$schema": SCHEMA_ID, "reportSha256": DIGEST_PLACEHOLDER, **report.to_dict()}
    return with_digest(json.dumps(body, indent=1, sort_keys=False, ensure_ascii=False) + "\n")


def render_csv(report: AuditReport) -> str:
    """The summary table, one row per model version (columns: :data:`SUMMARY_COLUMNS`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(SUMMARY_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for entry in report.entries:
        writer.writerow(report.summary_row(entry))
    return buffer.getvalue()


def render_html(report: AuditReport) -> str:
    nodes = report.nodes
    names = list(report.query.names)
    svgs = [
        lineage_svg(
            nodes,
            entry.guid,
            entry.provenance.members,
            entry.provenance.edges,
            highlight=names,
            sources=[g for guids in entry.provenance.sources.values() for g in guids],
            blocked=[g for guids in entry.provenance.blocked.values() for g in guids],
            title=f"Lineage of {entry.name}",
        )
        for entry in report.entries
    ]
    query = report.query.to_dict()
    stats = report.stats
    text = (
        environment()
        .get_template("audit.html.j2")
        .render(
            query={**query, "since_text": query["since"][:10], "until_text": query["until"][:10]},
            generated_at=report.generated_at,
            atlas_url=report.atlas_url,
            version=__version__,
            digest=DIGEST_PLACEHOLDER,
            summary=report.summary(),
            notes=report.notes,
            entries=report.entries,
            rows=[report.summary_row(e) for e in report.entries],
            nodes=nodes,
            svgs=svgs,
            label=report.label,
            stats_line=_stats_line(stats),
        )
    )
    return with_digest(text)


def _stats_line(stats: dict[str, Any]) -> str:
    parts = []
    if "trainingRunsMatched" in stats:
        parts.append(f"{stats['trainingRunsMatched']} training runs matched")
    if "bulkReads" in stats:
        parts.append(
            f"{stats['bulkReads']} bulk reads of {stats.get('entitiesRead', '?')} entities"
        )
    if "seconds" in stats:
        parts.append(f"{stats['seconds']} s")
    return ", ".join(parts)


def render_text(report: AuditReport) -> list[Any]:
    """What the terminal shows: the question, one table row per model version, the totals."""
    query = report.query
    out: list[Any] = [
        Text(f"Audit: {query.describe()}", style="bold"),
        Text(f"Atlas {report.atlas_url}, generated {report.generated_at}", style="dim"),
    ]
    if not report.entries:
        out.append(Text("No model version matches."))
        return out
    table = Table(show_lines=False, header_style="bold", pad_edge=False)
    for column in (
        "model version",
        "team",
        "trained",
        "dataset versions used",
        "custody",
        "record",
    ):
        table.add_column(column, overflow="fold")
    for entry in report.entries:
        row = report.summary_row(entry)
        record = Text(
            row["verdict"], style="green" if entry.provenance.verdict.complete else "yellow"
        )
        if row["gaps"]:
            record.append(f" {row['gaps']}", style="dim")
        table.add_row(
            row["model_version"],
            row["team"],
            row["trained"],
            row["dataset_versions"].replace("; ", "\n"),
            row["custody"],
            record,
        )
    out.append(table)
    summary = report.summary()
    out.append(
        Text(
            f"{summary['modelVersions']} model versions of {summary['teams']} teams, "
            f"{summary['complete']} complete, {summary['incomplete']} with gaps"
        )
    )
    return out
