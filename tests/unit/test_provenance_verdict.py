"""The provenance of one target cut from the shared graph: the exact data used, where each
classification came from (around the steps that block it), and the completeness verdict."""

from __future__ import annotations

import pytest
from readside_graphs import Builder, pipeline

from atlas_ml.provenance import provenance_of
from atlas_ml.provenance.build import node_from_entity
from atlas_ml.provenance.completeness import (
    CHANGED,
    NO_FINGERPRINT,
    RUN_WITHOUT_REVISION,
    STEP_WITHOUT_CODE,
    UNVERIFIED,
)

pytestmark = pytest.mark.unit


def test_a_fully_recorded_and_verified_lineage_is_complete() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1")
    builder.entities["a-raw"]["attributes"]["verificationStatus"] = "VERIFIED"
    provenance = provenance_of(builder.graph(), "a-mv", ["a-run"])
    assert provenance.verdict.complete
    assert provenance.verdict.summary() == "COMPLETE"
    assert [(d.guid, d.role) for d in provenance.datasets] == [("a-features", "train")]
    assert set(provenance.upstream) == {
        "a-features",
        "a-clean",
        "a-raw",
        "a-snap",
        "path:/raw/clicks.csv",
    }


def test_every_gap_is_named_by_kind_and_entity() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1", code="")
    builder.entities["a-raw"]["attributes"]["verificationStatus"] = "CHANGED"
    builder.entities["a-run"]["attributes"]["codeRevision"] = None
    builder.version("loose", "labels@1", uri="file:/labels.csv")  # no fingerprint
    builder.version("fresh", "extra@1", uri="file:/extra.csv", manifest="m", content="c")
    for guid in ("loose", "fresh"):
        builder.entities["a-run"]["attributes"]["inputs"].append(
            {"guid": guid, "typeName": "atlasml_dataset_version"}
        )
    verdict = provenance_of(builder.graph(), "a-mv", ["a-run"]).verdict
    named = [(g.kind, g.name) for g in verdict.gaps]
    assert named == [
        (NO_FINGERPRINT, "labels@1"),
        (CHANGED, "clicks.csv@v1"),
        (UNVERIFIED, "extra@1"),
        (STEP_WITHOUT_CODE, "pipe.clean"),
        (RUN_WITHOUT_REVISION, "model run a"),
    ]
    assert verdict.label == "INCOMPLETE"
    assert verdict.summary().startswith("INCOMPLETE: 1 input without fingerprint, 1 data CHANGED")


def test_atlas_ml_own_snapshot_steps_and_in_memory_data_are_no_gaps() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1")
    builder.entities["a-raw"]["attributes"]["verificationStatus"] = "VERIFIED"
    kinds = {g.kind for g in provenance_of(builder.graph(), "a-mv", ["a-run"]).verdict.gaps}
    assert kinds == set()  # the snapshot has no code, the in-memory features no location


def test_a_classification_is_traced_to_the_entity_it_was_set_on() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1")
    builder.classify("path:/raw/clicks.csv", "UserBehavior")
    for guid in ("a-raw", "a-snap", "a-clean", "a-features", "a-run", "a-mv"):
        builder.classify(guid, "UserBehavior", source="path:/raw/clicks.csv")
    provenance = provenance_of(builder.graph(), "a-mv", ["a-run"], {"UserBehavior"})
    assert provenance.sources == {"UserBehavior": ["path:/raw/clicks.csv"]}
    assert provenance.blocked == {}


def test_a_classification_reaching_only_around_a_blocking_step_has_no_source() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1")
    builder.entities["a-clean"]["attributes"]["blockedClassifications"] = ["UserBehavior"]
    builder.classify("path:/raw/clicks.csv", "UserBehavior")
    builder.classify("a-mv", "UserBehavior", source="path:/raw/clicks.csv")  # Atlas's mark
    provenance = provenance_of(builder.graph(), "a-mv", ["a-run"], {"UserBehavior"})
    assert provenance.sources == {}
    assert provenance.blocked == {"UserBehavior": ["a-clean"]}


def test_search_headers_never_claim_a_classification_was_set_on_them() -> None:
    header = {
        "guid": "r1",
        "typeName": "atlasml_training_run",
        "attributes": {"qualifiedName": "r@x", "name": "r", "inputs": [], "outputs": []},
        "classificationNames": ["PII"],
    }
    node = node_from_entity(header)
    assert node.classification_names() == ["PII"]
    assert node.direct_classifications() == []


def test_deleted_links_are_not_lineage() -> None:
    builder = Builder()
    pipeline(builder, "a", "v1")
    builder.entities["a-features"]["relationshipAttributes"]["outputFromProcesses"][0][
        "relationshipStatus"
    ] = "DELETED"
    graph = builder.graph()
    assert graph.parents("a-features") == []
