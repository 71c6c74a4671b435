"""trace's lockstep walk on hand-built lineages: each kind of divergence is named, at the
right place, and the first one is the most upstream."""

from __future__ import annotations

import pytest
from readside_graphs import Builder, pipeline

from atlas_ml.trace.lockstep import Lockstep
from atlas_ml.trace.result import Kind, TraceResult
from atlas_ml.trace.single import SingleTrace

pytestmark = pytest.mark.unit


def walk(builder: Builder, left: str = "a", right: str = "b") -> TraceResult:
    graph = builder.graph()
    walker = Lockstep(graph)
    root = walker.models(f"{left}-mv", f"{right}-mv", f"{left}-run", f"{right}-run")
    return TraceResult(
        target=f"{left}-mv",
        against=f"{right}-mv",
        live=False,
        atlas_url="http://atlas",
        root=root,
        nodes=graph.nodes,
        divergences=walker.divergences,
    )


def test_lineages_with_the_same_content_have_no_divergence() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1")
    pipeline(builder, "b", "v1")
    result = walk(builder)
    assert result.divergences == []
    assert result.exit_code == 0
    assert result.conclusion().startswith("No divergence")


def test_raw_data_that_changed_at_its_source_is_the_first_divergence() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1")
    pipeline(builder, "b", "v2")
    result = walk(builder)
    first = result.first
    assert first is not None and first.kind is Kind.SOURCE_DATA_CHANGED
    assert (first.left, first.right) == ("a-raw", "b-raw")
    assert "values changed in: page, user" in first.details
    assert result.exit_code == 1
    assert "data changed at the source at clicks.csv@v1" in result.conclusion()


def test_a_column_added_at_the_source_is_a_schema_change() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1")
    pipeline(
        builder, "b", "v2", raw_schema=[("user", "int64"), ("page", "string"), ("ua", "string")]
    )
    first = walk(builder).first
    assert first is not None and first.kind is Kind.SCHEMA_CHANGED
    assert "columns added: ua" in first.details


def test_changed_step_code_with_the_same_input_is_named_at_the_step() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1", code="sha-old")
    pipeline(builder, "b", "v1", code="sha-new")
    result = walk(builder)
    first = result.first
    assert first is not None and first.kind is Kind.STEP_CODE_CHANGED
    assert (first.left, first.right) == ("a-clean", "b-clean")
    assert first.details == ["code sha256 sha-old -> sha-new"]
    assert [d.kind for d in result.divergences] == [Kind.STEP_CODE_CHANGED]


def test_changed_step_parameters_are_named_with_old_and_new_values() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1", params={"min_visits": "1"})
    pipeline(builder, "b", "v1", params={"min_visits": "3"})
    first = walk(builder).first
    assert first is not None and first.kind is Kind.PARAMETERS_CHANGED
    assert first.details == ["min_visits: 1 -> 3"]


def test_the_most_upstream_divergence_comes_first_and_the_others_are_kept() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1", code="sha-old")
    pipeline(builder, "b", "v2", code="sha-new")
    result = walk(builder)
    kinds = {d.kind for d in result.divergences}
    assert kinds == {Kind.SOURCE_DATA_CHANGED, Kind.STEP_CODE_CHANGED}
    assert result.first is not None and result.first.kind is Kind.SOURCE_DATA_CHANGED
    assert "; also step code changed at pipe.clean." in result.conclusion()


def test_same_bytes_at_a_new_path_are_a_move_not_a_data_change() -> None:
    builder = Builder()
    builder.path("p1", "/data/a.csv")
    builder.path("p2", "/archive/a.csv")
    builder.version(
        "a-data", "a.csv@1", uri="file:/data/a.csv", manifest="m1", content="c1", snapshot_of="p1"
    )
    builder.version(
        "b-data",
        "a.csv@1",
        uri="file:/archive/a.csv",
        manifest="m1",
        content="c1",
        snapshot_of="p2",
    )
    for side in ("a", "b"):
        builder.model_version(f"{side}-mv", f"m@{side}")
        builder.process(
            f"{side}-run",
            f"run {side}",
            [f"{side}-data"],
            [f"{side}-mv"],
            type_name="atlasml_training_run",
            codeRevision="r",
        )
    result = walk(builder)
    assert [d.kind for d in result.divergences] == [Kind.DATA_MOVED]
    assert result.exit_code == 0
    assert result.conclusion().startswith("No data change: a.csv@1 moved")
    assert "file:/data/a.csv -> file:/archive/a.csv" in result.conclusion()


def test_an_input_only_one_run_read_is_named() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1")
    pipeline(builder, "b", "v1")
    builder.version("extra", "labels@9", uri="file:/labels.csv", manifest="m9", content="c9")
    builder.entities["b-run"]["attributes"]["inputs"].append(
        {"guid": "extra", "typeName": "atlasml_dataset_version"}
    )
    result = walk(builder)
    assert [d.kind for d in result.divergences] == [Kind.INPUTS_CHANGED]
    assert result.divergences[0].details == ["only in the other lineage: labels@9"]


def test_a_read_that_differs_from_the_last_recorded_write_is_named() -> None:
    builder = Builder()
    builder.path("p", "/features/f.csv")
    builder.version(
        "written",
        "f.csv@1",
        uri="file:/features/f.csv",
        manifest="m1",
        content="c1",
        schema=[("x", "int64")],
        columns={"x": "h1"},
        snapshot_of="p",
    )
    builder.entities["written"]["attributes"]["capturedTime"] = 1000
    builder.version("source", "raw@1", uri="file:/raw.csv", manifest="m0", content="c0")
    builder.process("job", "etl.build", ["source"], ["written"], codeFingerprint="sha")
    builder.version(
        "read",
        "f.csv@2",
        uri="file:/features/f.csv",
        manifest="m2",
        content="c2",
        schema=[("x", "int64")],
        columns={"x": "h2"},
        snapshot_of="p",
    )
    builder.entities["read"]["attributes"]["capturedTime"] = 2000
    builder.process("snap", "snapshot f.csv", ["p"], ["read"], stepKind="INGEST")
    builder.model_version("mv", "m@1")
    builder.process("run", "run", ["read"], ["mv"], type_name="atlasml_training_run")
    trace = SingleTrace(builder.graph())
    trace.tree("mv", "run")
    (divergence,) = trace.divergences
    assert divergence.kind is Kind.CHANGED_AFTER_WRITE
    assert (divergence.left, divergence.right) == ("read", "written")
    assert divergence.details[0] == "last written by etl.build as f.csv@1"
    assert "values changed in: x" in divergence.details
