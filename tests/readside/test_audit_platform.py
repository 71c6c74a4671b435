"""``audit`` on the generated platform against its ground truth: exactly the model versions
(precision and recall 100 %) and exactly the dataset versions each was trained on, through
every trap the generator sets."""

from __future__ import annotations

import json
import math
from datetime import datetime
from importlib import resources

import jsonschema
import pytest
from click.testing import CliRunner
from platform_support import Platform
from truth import expected

from atlas_ml.audit import AuditReport, audit
from atlas_ml.cli.main import cli
from atlas_ml.client import AtlasClient
from atlas_ml.reports.audit_report import render_html, render_json

pytestmark = pytest.mark.atlas

WINDOW = (1, 5)  # months 1..4 of the six: runs of month 0 and month 5 are outside
MONTHS_IN_PLATFORM = 6


def window(platform: Platform) -> tuple[datetime, datetime]:
    return platform.month(WINDOW[0]), platform.month(WINDOW[1])


def found(report: AuditReport, platform: Platform) -> dict[str, frozenset[tuple[str, str]]]:
    """artifact sha256 -> (uri, manifest root hash) of every dataset version listed, for the
    platform's own model versions (the session's Atlas may hold other tests' data too)."""
    out = {}
    for entry in report.entries:
        if not (entry.team or "").startswith(platform.prefix):
            continue
        version = report.nodes[entry.guid]
        datasets = set()
        for used in entry.provenance.datasets:
            facts = report.nodes[used.guid].dataset
            assert facts is not None
            datasets.add((facts.uri, facts.manifest_root_hash))
        assert version.model is not None
        out[version.model.artifact_sha256] = frozenset(datasets)
    return out


@pytest.fixture(scope="module")
def user_behavior(atlas_client: AtlasClient, platform: Platform) -> AuditReport:
    since, until = window(platform)
    return audit(atlas_client, "UserBehavior", since, until)


def test_audit_lists_exactly_the_model_versions_trained_on_user_behavior_data(
    user_behavior: AuditReport, platform: Platform
) -> None:
    want = expected(platform.truth, "UserBehavior", *window(platform))
    got = found(user_behavior, platform)
    assert want, "the platform must have model versions to audit"
    assert set(got) == set(want), (
        f"missing: {sorted(set(want) - set(got))[:5]}, extra: {sorted(set(got) - set(want))[:5]}"
    )


def test_each_model_version_names_exactly_the_dataset_versions_it_was_trained_on(
    user_behavior: AuditReport, platform: Platform
) -> None:
    want = expected(platform.truth, "UserBehavior", *window(platform))
    for sha, datasets in found(user_behavior, platform).items():
        assert datasets == want[sha].datasets, want[sha].model


def test_the_traps_land_where_they_should(user_behavior: AuditReport, platform: Platform) -> None:
    teams = {entry.team for entry in user_behavior.entries}  # other tests' teams differ
    assert platform.team("join-two-up") in teams  # reaches the clickstream two steps up
    assert platform.team("spark") in teams  # through the Spark job's recorded event
    assert platform.team("anonymised") not in teams  # the ANONYMIZE step blocks it
    assert platform.team("pii") not in teams
    probes = [
        e
        for e in user_behavior.entries
        if e.model and e.model.startswith(platform.prefix) and e.model.endswith("clicks-probe")
    ]
    assert len(probes) == 1  # the copy of a classified file, linked as COPY
    copy_steps = [
        user_behavior.nodes[g]
        for g in probes[0].provenance.upstream
        if user_behavior.nodes[g].step and user_behavior.nodes[g].step.step_kind == "COPY"
    ]
    assert copy_steps and copy_steps[0].step.inferred
    failed = {r["runId"] for r in platform.runs(status="FAILED")}
    assert failed and not failed & {
        user_behavior.nodes[r].qualified_name.split(".run.")[-1].split("@")[0]
        for e in user_behavior.entries
        for r in e.provenance.runs
    }


def test_small_pages_give_the_same_answer(
    atlas_client: AtlasClient, platform: Platform, user_behavior: AuditReport
) -> None:
    since, until = window(platform)
    paged = audit(atlas_client, "UserBehavior", since, until, page_size=7)
    assert found(paged, platform) == found(user_behavior, platform)


def test_an_anonymising_step_keeps_its_teams_models_out_of_the_audit(
    atlas_client: AtlasClient, platform: Platform
) -> None:
    since, until = window(platform)
    report = audit(atlas_client, "UserBehavior", since, until, team=platform.team("anonymised"))
    assert report.entries == []


@pytest.mark.parametrize("classification", ["PII", "Sensitive"])
def test_other_classifications_and_their_parent_match_the_truth(
    atlas_client: AtlasClient, platform: Platform, classification: str
) -> None:
    since, until = window(platform)
    report = audit(atlas_client, classification, since, until)
    assert set(found(report, platform)) == set(
        expected(platform.truth, classification, since, until)
    )


def test_a_team_filter_keeps_only_that_teams_model_versions(
    atlas_client: AtlasClient, platform: Platform
) -> None:
    since, until = window(platform)
    team = platform.team("direct")
    report = audit(atlas_client, "UserBehavior", since, until, team=team)
    assert {e.team for e in report.entries} == {team}
    assert set(found(report, platform)) == set(
        expected(platform.truth, "UserBehavior", since, until, team)
    )


def test_every_entry_carries_runs_compliance_evaluations_and_a_verdict(
    user_behavior: AuditReport, platform: Platform
) -> None:
    for entry in user_behavior.entries:
        if not (entry.team or "").startswith(platform.prefix):
            continue
        assert entry.provenance.runs and entry.provenance.upstream
        assert entry.provenance.sources.get("UserBehavior")
        assert entry.provenance.verdict.label in ("COMPLETE", "INCOMPLETE")
        if not (entry.model or "").endswith("clicks-probe"):
            assert entry.provenance.evaluations, entry.name
    with_facts = [
        e
        for e in user_behavior.entries
        if (e.team or "").startswith(platform.prefix) and e.compliance.get("riskCategory")
    ]
    assert with_facts, "the first version of each model records its compliance facts"


def test_reports_render_and_the_json_matches_its_schema(user_behavior: AuditReport) -> None:
    schema = json.loads(
        resources.files("atlas_ml.reports").joinpath("schemas/audit-report.schema.json").read_text()
    )
    jsonschema.validate(json.loads(render_json(user_behavior)), schema)
    html = render_html(user_behavior)
    assert html.count('<section class="entity"') == len(user_behavior.entries)


def test_requests_grow_with_distinct_entities_not_with_models_times_depth(
    atlas_client: AtlasClient, platform: Platform
) -> None:
    sent = []
    hook = lambda response, *a, **k: sent.append(response.request.path_url)  # noqa: E731
    atlas_client.transport.session.hooks["response"].append(hook)
    try:
        since, until = window(platform)
        report = audit(atlas_client, "UserBehavior", since, until)
    finally:
        atlas_client.transport.session.hooks["response"].remove(hook)
    entities = report.stats["entitiesRead"]
    budget = (
        10
        + math.ceil(report.stats["trainingRunsMatched"] / 500)
        + 2 * math.ceil(entities / 50)
        + 12
    )
    assert len(sent) <= budget, sent
    assert not [p for p in sent if "/v2/lineage/" in p]  # never one lineage call per model


def test_cli_writes_each_format_and_bad_input_gets_one_line_and_exit_2(
    platform: Platform, tmp_path
) -> None:
    since, until = (m.date().isoformat() for m in window(platform))
    runner = CliRunner()
    for suffix in ("html", "json", "csv"):
        out = tmp_path / f"audit.{suffix}"
        result = runner.invoke(
            cli, ["audit", "-c", "UserBehavior", "--since", since, "--until", until, "-o", str(out)]
        )
        assert result.exit_code in (0, 1), result.output
        assert out.stat().st_size > 0
    check = runner.invoke(cli, ["audit", "--check", str(tmp_path / "audit.html")])
    assert check.exit_code == 0 and "intact" in check.output
    cases = {
        "unknown classification": ["-c", "UserBehaviour", "--since", since],
        "since after until": ["-c", "UserBehavior", "--since", until, "--until", since],
        "unknown team": ["-c", "UserBehavior", "--since", since, "--team", "no-such-team"],
        "not a date": ["-c", "UserBehavior", "--since", "last year"],
    }
    for case, arguments in cases.items():
        result = runner.invoke(cli, ["audit", *arguments])
        assert result.exit_code == 2, (case, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: "), (case, result.output)


def test_an_unreachable_atlas_exits_3_with_one_line() -> None:
    result = CliRunner().invoke(
        cli, ["audit", "-c", "PII", "--since", "2020-01-01", "--url", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 3
    assert "cannot connect to Atlas at http://127.0.0.1:9" in result.output


def test_verified_data_and_data_changed_since_recorded_show_in_the_verdict(
    atlas_client: AtlasClient, platform: Platform
) -> None:
    verified = platform.truth["verified"]
    edited = verified["edited"]
    runs = {r["runId"]: r for r in platform.truth["runs"]}
    first = min(runs[r]["month"] for r in verified["runs"])
    report = audit(
        atlas_client, "UserBehavior", platform.month(first), platform.month(MONTHS_IN_PLATFORM)
    )
    checked = {runs[r]["artifactSha256"] for r in verified["runs"]}
    entries = [e for e in report.entries if report.nodes[e.guid].model.artifact_sha256 in checked]
    assert len(entries) == len(checked)
    month_of = {runs[r]["artifactSha256"]: runs[r]["month"] for r in verified["runs"]}
    edited_month = max(month_of.values())
    for entry in entries:
        gaps = entry.provenance.verdict.gaps
        changed = [
            report.nodes[g.guid].dataset.uri
            for g in gaps
            if g.kind == "data CHANGED since recorded"
        ]
        sha = report.nodes[entry.guid].model.artifact_sha256
        assert changed == ([f"file:{edited}"] if month_of[sha] == edited_month else [])
        assert not [g for g in gaps if g.kind == "data never verified"]
