"""Python names object-store data by the rule the JVM listener follows (shared cases)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from atlas_ml.naming import openlineage_dataset, openlineage_location

pytestmark = pytest.mark.unit

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "naming" / "object_stores.json").read_text()
)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["location"] for c in CASES])
def test_openlineage_location_follows_the_shared_rule(case: dict[str, Any]) -> None:
    assert openlineage_location(case["location"]) == (case["namespace"], case["name"])


def test_s3a_and_s3_data_are_one_atlas_entity() -> None:
    entities = {
        openlineage_dataset(*openlineage_location(location), "prod").qualified_name
        for location in (
            "s3a://bucket/data/x.csv",
            "s3://bucket/data/x.csv/",
            "s3n://bucket/data/x.csv",
        )
    }
    assert entities == {"s3://bucket/data/x.csv@prod"}


def test_credentials_in_an_object_store_uri_never_reach_the_name() -> None:
    namespace, name = openlineage_location("s3a://AKIAEXAMPLE:secret@bucket/x.csv")
    assert "secret" not in namespace + name and "AKIA" not in namespace + name
