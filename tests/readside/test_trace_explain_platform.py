"""``trace`` and ``explain`` on the generated platform and on a pipeline of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from platform_support import Platform

from atlas_ml.cli.main import cli
from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool
from atlas_ml.explain import explain
from atlas_ml.naming import model_version_name
from atlas_ml.trace import Kind, trace
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.atlas


def version_of(client: AtlasClient, run: dict) -> str:
    name = model_version_name(run["model"], run["artifactSha256"], client.config.namespace)
    return str(
        client.entities.get_by_unique_attribute("atlasml_model_version", name)["entity"]["guid"]
    )


def test_retrain_on_newer_data_traces_to_the_raw_data_that_changed(
    atlas_client: AtlasClient, platform: Platform
) -> None:
    team = platform.team("join-two-up")
    runs = [
        r for r in platform.runs(team=team, status="SUCCEEDED") if r["model"].endswith("-churn")
    ]
    older, newer = sorted(runs, key=lambda r: r["start"])[1:3]
    result = trace(atlas_client, version_of(atlas_client, newer), version_of(atlas_client, older))
    first = result.first
    assert first is not None and first.kind is Kind.SOURCE_DATA_CHANGED, result.conclusion()
    assert "raw" in (result.nodes[first.left].dataset.uri or "")
    assert result.exit_code == 1
    assert result.conclusion().startswith("First divergence: data changed at the source at ")


def test_a_model_version_alone_has_no_divergence_and_the_cli_prints_the_tree(
    atlas_client: AtlasClient, platform: Platform
) -> None:
    run = platform.runs(team=platform.team("direct"), status="SUCCEEDED")[0]
    guid = version_of(atlas_client, run)
    result = CliRunner().invoke(cli, ["trace", guid])
    assert result.exit_code == 0, result.output
    assert "No divergence" in result.output
    assert "[snapshot]" in result.output and "atlasml_training_run" in result.output
    as_json = CliRunner().invoke(cli, ["trace", guid, "--json"])
    assert json.loads(as_json.output)["firstDivergence"] is None


def test_trace_live_finds_data_changed_since_it_was_recorded(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    data = tmp_path / "scores.csv"
    data.write_text("user,score\n1,0.5\n2,0.7\n3,0.1\n")
    model = tmp_path / "model.bin"
    model.write_bytes(unique.encode() * 4)
    with training_run(
        unique, team="risk", client=atlas_client, spool=Spool(tmp_path / "spool")
    ) as run:
        run.use(str(data), role="train")
        run.log_model(str(model), name=unique)
    data.write_text("user,score\n1,0.5\n2,0.9\n3,0.1\n")  # someone edits the file afterwards
    result = CliRunner().invoke(
        cli, ["trace", f"{unique}@{run.models[0].artifact.sha256[:12]}", "--live"]
    )
    assert result.exit_code == 1, result.output
    assert "data changed at the source" in result.output
    assert "CHANGED" in result.output


def test_explain_tells_where_a_blocked_classification_stopped(
    atlas_client: AtlasClient, platform: Platform
) -> None:
    run = platform.runs(team=platform.team("anonymised"), status="SUCCEEDED")[0]
    explanation = explain(atlas_client, version_of(atlas_client, run))
    assert "UserBehavior" in explanation.provenance.blocked
    (step,) = explanation.provenance.blocked["UserBehavior"]
    assert explanation.nodes[step].step.step_kind == "ANONYMIZE"
    # No classified data reaches it except through the step that blocks it (Atlas may still
    # mark it, through the pipeline run's own inputs and outputs: the audit leaves it out).
    assert "UserBehavior" not in explanation.provenance.sources


def test_explain_cli_prints_the_document_and_names_bad_targets(
    atlas_client: AtlasClient, platform: Platform, tmp_path: Path
) -> None:
    run = platform.runs(team=platform.team("direct"), status="SUCCEEDED")[0]
    guid = version_of(atlas_client, run)
    result = CliRunner().invoke(cli, ["explain", guid, "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "## How it was made, from the sources" in result.output
    assert "UserBehavior (set on " in result.output
    assert "Kind: JOIN" in result.output and "Why: Spend and visits per user" in result.output
    html = tmp_path / "explain.html"
    assert CliRunner().invoke(cli, ["explain", guid, "-o", str(html)]).exit_code == 0
    assert "<svg" in html.read_text()
    missing = CliRunner().invoke(cli, ["explain", "no-such-model@000000000000"])
    assert missing.exit_code == 2 and missing.output.startswith("Error: no ")
