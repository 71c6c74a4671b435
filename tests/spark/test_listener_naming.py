"""The JVM listener names data by the rule Python follows: the shared cases in
tests/data/naming/, run through the listener's own code (py4j)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.spark

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "naming" / "object_stores.json").read_text()
)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["location"] for c in CASES])
def test_the_listener_names_locations_by_the_rule_python_follows(
    spark: Any, case: dict[str, Any]
) -> None:
    named = spark.sparkContext._jvm.io.atlasml.spark.Naming.openLineageName(case["location"])
    assert list(named) == [case["namespace"], case["name"]]
