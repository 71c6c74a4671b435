"""What the JVM listener writes validates against the facet schemas Python generates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from listener_support import read_events, wait_for_events, writes_to

from atlas_ml.events.facet_schemas import check_facets
from atlas_ml.events.facets import SPARK, SparkFacet

pytestmark = pytest.mark.spark


def test_every_atlasml_facet_the_listener_writes_validates_against_its_committed_schema(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    from pyspark.sql import functions as F

    out, again, failed = tmp_path / "facets", tmp_path / "facets_again", tmp_path / "never"
    frame = spark.range(6).selectExpr("id", "id % 2 AS odd")
    frame.write.parquet(str(out))
    spark.read.parquet(str(out)).groupBy("odd").count().write.mode("overwrite").json(str(again))
    with pytest.raises(Exception, match="facet-schema-boom"):
        frame.select(F.raise_error(F.lit("facet-schema-boom")).cast("string")).write.csv(
            str(failed)
        )
    for path in (out, again, failed):
        wait_for_events(lineage_spool, writes_to(path))

    events = read_events(lineage_spool)  # also every event earlier Spark tests made
    written = [e["run"]["facets"][SPARK] for e in events if SPARK in e["run"]["facets"]]
    assert len(written) >= 3
    assert {facet["_schemaURL"] for facet in written} == {SparkFacet.schema_url()}
    problems = [f"{e['job']['name']}: {p}" for e in events for p in check_facets(e)]
    assert problems == []
