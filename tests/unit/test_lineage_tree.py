"""The printed lineage tree's labels."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from atlas_ml.cli.output import print_tree
from atlas_ml.client import LineageGraph
from atlas_ml.reports import downstream_tree, upstream_tree

pytestmark = pytest.mark.unit


def node(guid: str, type_name: str, **extra: Any) -> dict[str, Any]:
    return {"guid": guid, "typeName": type_name, "attributes": {"name": guid}, **extra}


def test_a_root_without_upstream_shows_the_classifications_of_its_full_entity() -> None:
    # show_lineage adds the full entity when Atlas's lineage answer is empty: it has
    # ``classifications`` but no ``classificationNames``.
    raw = node("raw", "hdfs_path", classifications=[{"typeName": "PII", "propagate": True}])
    graph = LineageGraph(base_guid="raw", entities={"raw": raw}, edges=[])

    assert str(upstream_tree(graph, "raw").label).endswith("[red]PII[/red]")


def test_a_classification_propagated_from_several_sources_is_shown_once() -> None:
    run = node("run", "atlasml_training_run", classificationNames=["PII", "Finance", "PII", "PII"])
    train = node("train", "atlasml_dataset_version", classificationNames=["PII", "PII"])
    graph = LineageGraph(
        base_guid="run", entities={"run": run, "train": train}, edges=[("train", "run")]
    )

    tree = upstream_tree(graph, "run")

    assert str(tree.label).endswith("[red]Finance, PII[/red]")
    assert str(tree.children[0].label).endswith("[red]PII[/red]")


def test_a_tree_printed_into_a_pipe_keeps_deep_lines_whole(
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = "/data/" + "very-long-directory-name/" * 4 + "titanic.csv"
    raw = node("raw", "hdfs_path", attributes={"name": name}, classificationNames=["PII"])
    steps = {f"step{i}": node(f"step{i}", "atlasml_transform") for i in range(8)}
    chain = ["raw", *steps]
    graph = LineageGraph(
        base_guid="step7", entities={"raw": raw, **steps}, edges=list(itertools.pairwise(chain))
    )

    print_tree(upstream_tree(graph, "step7"))

    lines = capsys.readouterr().out.splitlines()
    assert any(line.endswith(f"{name} hdfs_path PII") for line in lines), lines


def test_runs_of_the_same_job_are_told_apart_by_their_qualified_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def run(guid: str, qualified_name: str) -> dict[str, Any]:
        attributes = {"name": "etl.insert_into.city_stats", "qualifiedName": qualified_name}
        return node(guid, "spark_process", attributes=attributes)

    out = node("out", "hdfs_path")
    monday, tuesday = run("p1", "local-1700000000001-3"), run("p2", "local-1700086400002-3")
    graph = LineageGraph(
        base_guid="out",
        entities={"out": out, "p1": monday, "p2": tuesday},
        edges=[("p1", "out"), ("p2", "out")],
    )

    print_tree(upstream_tree(graph, "out"))

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "out hdfs_path", "a name no other node has stays as it was"
    for qualified_name in ("local-1700000000001-3", "local-1700086400002-3"):
        expected = f"etl.insert_into.city_stats ({qualified_name}) spark_process"
        assert any(line.endswith(expected) for line in lines), lines


def test_a_name_with_brackets_is_printed_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    raw = node("raw", "hdfs_path", attributes={"name": "/data/[b]/rows.csv"})
    graph = LineageGraph(base_guid="raw", entities={"raw": raw}, edges=[])

    print_tree(upstream_tree(graph, "raw"))

    assert capsys.readouterr().out.splitlines() == ["/data/[b]/rows.csv hdfs_path"]


def test_a_failed_training_run_says_so_and_a_succeeded_one_prints_as_before(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def run(guid: str, status: str) -> dict[str, Any]:
        return node(guid, "atlasml_training_run", attributes={"name": guid, "status": status})

    raw = node("raw", "hdfs_path")
    graph = LineageGraph(
        base_guid="raw",
        entities={"raw": raw, "ok": run("ok", "SUCCEEDED"), "bad": run("bad", "FAILED")},
        edges=[("raw", "ok"), ("raw", "bad")],
    )

    print_tree(downstream_tree(graph, "raw"))

    lines = capsys.readouterr().out.splitlines()
    assert any(line.endswith("bad atlasml_training_run FAILED") for line in lines), lines
    assert any(line.endswith("ok atlasml_training_run") for line in lines), lines


def test_a_model_versions_tree_shows_each_evaluation_with_its_metrics_and_data(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from atlas_ml.lineage import Lineage
    from atlas_ml.lineage.evaluations import EvaluationSummary
    from atlas_ml.reports import lineage_tree

    version = node("m@1", "atlasml_model_version")
    graph = LineageGraph(base_guid="m@1", entities={"m@1": version}, edges=[])
    evaluation = node("m evaluated on test@2", "atlasml_evaluation")
    evaluation["attributes"] |= {"metrics": {"f1": 0.5, "accuracy": 0.75}, "datasetRole": "test"}
    test = node("test@2", "atlasml_dataset_version", classifications=[{"typeName": "PII"}])
    lineage = Lineage("m@1", graph, False, "http://ui", (EvaluationSummary(evaluation, [test]),))

    print_tree(lineage_tree(lineage))

    assert capsys.readouterr().out.splitlines() == [
        "m@1 atlasml_model_version",
        "└── m evaluated on test@2 atlasml_evaluation (test) accuracy 0.750, f1 0.500",
        "    └── test@2 atlasml_dataset_version PII",
    ]


def test_a_step_that_stops_a_classification_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    attributes = {"name": "clean", "blockedClassifications": ["PII"]}
    clean = node("clean", "atlasml_transform", attributes=attributes, classificationNames=["PII"])
    out = node("out", "atlasml_dataset_version")
    graph = LineageGraph(
        base_guid="out", entities={"clean": clean, "out": out}, edges=[("clean", "out")]
    )

    print_tree(upstream_tree(graph, "out"))

    assert "clean atlasml_transform PII (stops PII)" in capsys.readouterr().out
