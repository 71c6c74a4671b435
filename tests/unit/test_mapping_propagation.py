"""When a classification stops at a step (the rule, without Atlas)."""

from __future__ import annotations

import json

import pytest

from atlas_ml.mapping.propagation import block_reason, blocks_for_output, may_block, output_columns

pytestmark = pytest.mark.unit

PII = {"typeName": "PII", "entityGuid": "raw", "attributes": {"columns": ["Name", "Ticket"]}}


def test_pii_stops_where_the_output_has_none_of_its_columns_and_passes_where_one_remains():
    assert "has none of those columns" in str(block_reason("CLEAN", PII, ["Age"], "clean@1"))
    assert block_reason("CLEAN", PII, ["Age", "ticket"], "clean@1") is None  # case-insensitive


def test_anonymize_stops_everything_and_snapshots_and_copies_stop_nothing():
    whole = {"typeName": "UserBehavior", "entityGuid": "raw", "attributes": {}}
    assert "anonymises" in str(block_reason("ANONYMIZE", whole, None, "x"))
    assert block_reason("INGEST", PII, ["Age"], "x") is None
    assert block_reason("COPY", PII, ["Age"], "x") is None
    assert not may_block("INGEST", [["Age"]])
    assert may_block("ANONYMIZE", [None])


def test_no_columns_no_schema_or_no_propagation_means_no_block():
    whole = {"typeName": "UserBehavior", "entityGuid": "raw", "attributes": {"columns": []}}
    assert block_reason("CLEAN", whole, ["Age"], "x") is None
    assert block_reason("CLEAN", PII, None, "x") is None
    assert block_reason("CLEAN", {**PII, "propagate": False}, ["Age"], "x") is None
    assert not may_block("CLEAN", [None])


def test_each_classification_is_blocked_by_the_entity_it_was_set_on():
    other = {**PII, "entityGuid": "copy", "attributes": {"columns": ["Age"]}}
    blocks = blocks_for_output("CLEAN", [PII, other], ["Age"], "clean@1")
    assert [(b.type_name, b.entity_guid) for b in blocks] == [("PII", "raw")]


def test_output_columns_reads_a_recorded_schema_and_nothing_else():
    schema = json.dumps([{"name": "Age", "type": "float64"}])
    assert output_columns(schema) == ["Age"]
    assert output_columns(None) is None
    assert output_columns("not json") is None
