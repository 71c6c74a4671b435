"""Rendering the audit and explain reports: self-contained HTML with the lineage drawn, JSON
that its schema accepts, the CSV summary, and a digest that catches any edit."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone
from importlib import resources

import jsonschema
import pytest
from readside_graphs import Builder, pipeline

from atlas_ml.audit import SUMMARY_COLUMNS, AuditEntry, AuditQuery, AuditReport
from atlas_ml.explain import Explanation
from atlas_ml.provenance import provenance_of
from atlas_ml.reports import audit_report, explain_report
from atlas_ml.reports.templating import check_digest

pytestmark = pytest.mark.unit


def report() -> AuditReport:
    builder = Builder()
    pipeline(builder, "a", "v1")
    pipeline(builder, "b", "v2", raw_path="/raw/other.csv")
    builder.classify("path:/raw/clicks.csv", "UserBehavior")
    for guid in ("a-raw", "a-snap", "a-clean", "a-features", "a-run", "a-mv"):
        builder.classify(guid, "UserBehavior", source="path:/raw/clicks.csv")
    builder.entities["b-clean"]["attributes"]["blockedClassifications"] = ["UserBehavior"]
    builder.entities["b-clean"]["attributes"]["propagationNote"] = "anonymised <ids> & dwell"
    graph = builder.graph()
    query = AuditQuery(
        "UserBehavior",
        datetime(2025, 1, 1, tzinfo=timezone.utc),
        datetime(2026, 1, 1, tzinfo=timezone.utc),
        None,
        ("UserBehavior",),
    )
    result = AuditReport(query, "2026-01-02T00:00:00Z", "http://atlas:21000")
    for side in ("a", "b"):
        provenance = provenance_of(graph, f"{side}-mv", [f"{side}-run"], {"UserBehavior"})
        result.entries.append(
            AuditEntry(
                f"{side}-mv",
                f"model@{side}",
                "model",
                1,
                "risk",
                "alice",
                provenance,
                {"intendedPurpose": "churn <scoring>", "riskCategory": "HIGH"},
            )
        )
    result.nodes = dict(graph.nodes)
    return result


def test_html_has_the_summary_first_then_one_section_per_model_version_with_its_lineage() -> None:
    html = audit_report.render_html(report())
    summary = html.index("<h2>Summary</h2>")
    sections = [m.start() for m in re.finditer(r'<section class="entity" id="mv-', html)]
    assert len(sections) == 2 and summary < sections[0]
    assert html.count("<svg") == 2
    assert "model@a" in html and "model@b" in html
    assert "Apache Atlas at http://atlas:21000" in html
    assert "churn &lt;scoring&gt;" in html  # escaped, never markup
    assert "anonymised &lt;ids&gt; &amp; dwell" in html


def test_html_is_self_contained() -> None:
    html = audit_report.render_html(report())
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html and "@import" not in html


def test_html_and_json_state_their_own_digest_and_any_edit_breaks_it() -> None:
    for text in (audit_report.render_html(report()), audit_report.render_json(report())):
        intact, stated = check_digest(text)
        assert intact and stated is not None and stated.startswith("sha256:")
        edited = text.replace("model@a", "model@z", 1)
        assert check_digest(edited) == (False, stated)


def test_json_report_matches_its_schema_and_names_the_exact_data() -> None:
    body = json.loads(audit_report.render_json(report()))
    schema = json.loads(
        resources.files("atlas_ml.reports").joinpath("schemas/audit-report.schema.json").read_text()
    )
    jsonschema.validate(body, schema)
    first = body["modelVersions"][0]
    assert [d["guid"] for d in first["datasets"]] == ["a-features"]
    assert first["classificationSources"] == {"UserBehavior": ["path:/raw/clicks.csv"]}
    assert body["modelVersions"][1]["blockedAt"] == {"UserBehavior": ["b-clean"]}
    assert body["entities"]["a-features"]["typeName"] == "atlasml_dataset_version"


def test_csv_is_the_summary_table() -> None:
    rows = list(csv.DictReader(io.StringIO(audit_report.render_csv(report()))))
    assert list(rows[0]) == list(SUMMARY_COLUMNS)
    assert [r["model_version"] for r in rows] == ["model@a", "model@b"]
    assert rows[0]["classified_via"] == "/raw/clicks.csv"
    assert rows[0]["dataset_versions"] == "features@a"


def test_explain_markdown_tells_the_story_from_the_source_to_the_model() -> None:
    audit = report()
    provenance = provenance_of(audit_report_graph(audit), "a-mv", ["a-run"])
    explanation = Explanation(
        "a-mv",
        provenance,
        audit.nodes,
        order=["path:/raw/clicks.csv", "a-snap", "a-raw", "a-clean", "a-features", "a-run", "a-mv"],
    )
    text = explain_report.render_markdown(explanation)
    headings = re.findall(r"^### \d+\. (.+)$", text, flags=re.M)
    assert headings == [
        "/raw/clicks.csv",
        "snapshot clicks.csv",
        "clicks.csv@v1",
        "pipe.clean",
        "features@a",
        "model run a",
        "model@a",
    ]
    assert "UserBehavior (set on /raw/clicks.csv)" in text
    html = explain_report.render_html(explanation)
    assert check_digest(html)[0] and "<svg" in html


def audit_report_graph(audit: AuditReport):  # type: ignore[no-untyped-def]
    from atlas_ml.provenance import ProvenanceGraph

    graph = ProvenanceGraph(client=None)  # type: ignore[arg-type]
    graph.nodes.update(audit.nodes)
    return graph
