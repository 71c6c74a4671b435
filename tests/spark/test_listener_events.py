"""The JVM lineage listener, observed through the events it spools for real Spark writes."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from listener_support import (
    Event,
    customers_and_cities,
    drop_table_at,
    read_events,
    wait_for_events,
    writes_to,
)
from openlineage_schema import RUN_EVENT_SCHEMA

pytestmark = pytest.mark.spark


def _only(events: list[Event]) -> Event:
    assert len(events) == 1, [e["job"]["name"] for e in events]
    return events[0]


def _tables(dataset: Event) -> list[str]:
    return [s["name"] for s in dataset["facets"].get("symlinks", {}).get("identifiers", [])]


def _lineage(event: Event) -> dict[str, Any]:
    facet: dict[str, Any] = event["outputs"][0]["facets"]["columnLineage"]
    return facet


def test_csv_join_to_parquet_is_one_complete_event_with_inputs_schema_and_lineage(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    from pyspark.sql import functions as F

    customers, cities = customers_and_cities(spark, tmp_path)
    out = tmp_path / "enriched_parquet"
    c = spark.read.csv(str(customers), header=True, inferSchema=True)
    d = spark.read.csv(str(cities), header=True, inferSchema=True)
    c.join(d, "id").where(F.col("amount") > 5).select(
        "id", "name", (F.col("amount") * 2).alias("double_amount"), "city"
    ).write.parquet(str(out))

    event = _only(wait_for_events(lineage_spool, writes_to(out)))
    assert event["eventType"] == "COMPLETE"
    assert {(i["namespace"], i["name"]) for i in event["inputs"]} == {
        ("file", str(customers)),
        ("file", str(cities)),
    }
    output = event["outputs"][0]
    assert (output["namespace"], output["name"]) == ("file", str(out))
    assert output["outputFacets"]["outputStatistics"]["rowCount"] == 2
    assert [f["name"] for f in output["facets"]["schema"]["fields"]] == [
        "id",
        "name",
        "double_amount",
        "city",
    ]
    fields = _lineage(event)["fields"]
    [name_source] = fields["name"]["inputFields"]
    assert (name_source["name"], name_source["field"]) == (str(customers), "name")
    assert name_source["transformations"][0]["subtype"] == "IDENTITY"
    [amount_source] = fields["double_amount"]["inputFields"]
    assert amount_source["field"] == "amount"
    assert amount_source["transformations"][0]["subtype"] == "TRANSFORMATION"
    indirect = {
        (d["name"], d["field"], t["subtype"])
        for d in _lineage(event)["dataset"]
        for t in d["transformations"]
    }
    assert (str(customers), "id", "JOIN") in indirect
    assert (str(cities), "id", "JOIN") in indirect
    assert (str(customers), "amount", "FILTER") in indirect


def test_aggregation_is_direct_aggregation_and_group_keys_are_indirect(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    from pyspark.sql import functions as F

    customers, _ = customers_and_cities(spark, tmp_path)
    out = tmp_path / "totals_parquet"
    spark.read.csv(str(customers), header=True, inferSchema=True).groupBy("name").agg(
        F.sum("amount").alias("total")
    ).write.parquet(str(out))

    lineage = _lineage(_only(wait_for_events(lineage_spool, writes_to(out))))
    [total_source] = lineage["fields"]["total"]["inputFields"]
    assert (total_source["field"], total_source["transformations"][0]["subtype"]) == (
        "amount",
        "AGGREGATION",
    )
    assert any(
        d["field"] == "name" and d["transformations"][0]["subtype"] == "GROUP_BY"
        for d in lineage["dataset"]
    )


def test_union_output_columns_come_from_both_inputs(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    from pyspark.sql import functions as F

    customers, cities = customers_and_cities(spark, tmp_path)
    out = tmp_path / "union_parquet"
    c = spark.read.csv(str(customers), header=True).select("id", "name")
    d = spark.read.csv(str(cities), header=True).select("id", F.col("city").alias("name"))
    c.unionByName(d).write.parquet(str(out))

    fields = _lineage(_only(wait_for_events(lineage_spool, writes_to(out))))["fields"]
    sources = {(i["name"], i["field"]) for i in fields["name"]["inputFields"]}
    assert sources == {(str(customers), "name"), (str(cities), "city")}
    assert {(i["name"], i["field"]) for i in fields["id"]["inputFields"]} == {
        (str(customers), "id"),
        (str(cities), "id"),
    }


def test_listener_glob_read_gives_every_matched_file_as_source_of_each_column(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    for part in ("one", "two"):
        spark.createDataFrame([(1, part)], ["id", "name"]).coalesce(1).write.csv(
            str(tmp_path / f"people_{part}"), header=True
        )
    out = tmp_path / "globbed_parquet"
    spark.read.csv(str(tmp_path / "people_*"), header=True).write.parquet(str(out))

    event = _only(wait_for_events(lineage_spool, writes_to(out)))
    files = {str(tmp_path / "people_one"), str(tmp_path / "people_two")}
    assert {i["name"] for i in event["inputs"]} == files
    for column in ("id", "name"):
        sources = _lineage(event)["fields"][column]["inputFields"]
        assert {(i["name"], i["field"]) for i in sources} == {(f, column) for f in files}
        assert {i["transformations"][0]["subtype"] for i in sources} == {"IDENTITY"}


def _direct(event: Event) -> dict[str, set[tuple[str, str, str]]]:
    """Output column -> its (dataset, field, subtype) sources."""
    return {
        column: {
            (i["name"], i["field"], i["transformations"][0]["subtype"]) for i in f["inputFields"]
        }
        for column, f in _lineage(event)["fields"].items()
    }


def _indirect(event: Event) -> set[tuple[str, str, str]]:
    return {
        (d["name"], d["field"], t["subtype"])
        for d in _lineage(event)["dataset"]
        for t in d["transformations"]
    }


def test_listener_column_copied_through_a_temp_view_is_identity(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    customers, _ = customers_and_cities(spark, tmp_path)
    spark.read.csv(str(customers), header=True, inferSchema=True).createOrReplaceTempView("cust")
    spark.sql(
        "CREATE OR REPLACE TEMP VIEW named AS SELECT c.name, c.amount * 2 AS doubled FROM cust c"
    )
    out = tmp_path / "through_view_parquet"
    spark.sql("SELECT name, doubled FROM named").write.parquet(str(out))

    direct = _direct(_only(wait_for_events(lineage_spool, writes_to(out))))
    assert direct == {
        "name": {(str(customers), "name", "IDENTITY")},
        "doubled": {(str(customers), "amount", "TRANSFORMATION")},
    }


def test_listener_drop_duplicates_groups_by_its_keys_and_aggregates_the_other_columns(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    customers, _ = customers_and_cities(spark, tmp_path)
    out = tmp_path / "deduplicated_parquet"
    spark.read.csv(str(customers), header=True).select("id", "name").dropDuplicates(
        ["name"]
    ).write.parquet(str(out))

    event = _only(wait_for_events(lineage_spool, writes_to(out)))
    assert _direct(event) == {
        "id": {(str(customers), "id", "AGGREGATION")},
        "name": {(str(customers), "name", "IDENTITY")},
    }
    assert _indirect(event) == {(str(customers), "name", "GROUP_BY")}


def test_listener_intersect_joins_on_every_column_of_both_inputs(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    customers, cities = customers_and_cities(spark, tmp_path)
    out = tmp_path / "intersected_parquet"
    c = spark.read.csv(str(customers), header=True).select("id")
    d = spark.read.csv(str(cities), header=True).select("id")
    c.intersect(d).write.parquet(str(out))

    event = _only(wait_for_events(lineage_spool, writes_to(out)))
    assert _direct(event) == {"id": {(str(customers), "id", "IDENTITY")}}
    assert _indirect(event) == {(str(customers), "id", "JOIN"), (str(cities), "id", "JOIN")}


def test_window_function_is_direct_aggregation_and_its_partition_and_order_are_indirect(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    customers, _ = customers_and_cities(spark, tmp_path)
    out = tmp_path / "window_parquet"
    by_name = Window.partitionBy("name").orderBy("id")
    spark.read.csv(str(customers), header=True, inferSchema=True).select(
        "id", F.sum("amount").over(by_name).alias("running_total")
    ).write.parquet(str(out))

    lineage = _lineage(_only(wait_for_events(lineage_spool, writes_to(out))))
    [total_source] = lineage["fields"]["running_total"]["inputFields"]
    assert (total_source["field"], total_source["transformations"][0]["subtype"]) == (
        "amount",
        "AGGREGATION",
    )
    window_inputs = {
        d["field"]
        for d in lineage["dataset"]
        for t in d["transformations"]
        if t["subtype"] == "WINDOW"
    }
    assert window_inputs == {"name", "id"}


def test_save_as_table_is_exactly_one_event_naming_the_table_and_its_path(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    customers, _ = customers_and_cities(spark, tmp_path)
    spark.read.csv(str(customers), header=True).write.saveAsTable("customers_copy")

    def names_table(e: Event) -> bool:
        return any(
            s["name"].endswith("customers_copy")
            for o in e["outputs"]
            for s in o["facets"].get("symlinks", {}).get("identifiers", [])
        )

    event = _only(wait_for_events(lineage_spool, names_table, timeout=10))
    assert event["outputs"][0]["name"].endswith("/customers_copy")
    assert len(event["run"]["facets"]["atlasml_spark"]["executionIds"]) > 1
    spark.sql("DROP TABLE customers_copy")


def test_listener_save_as_table_append_to_an_existing_table_is_written_to_its_location(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    customers, cities = customers_and_cities(spark, tmp_path)
    table = f"appended_{uuid.uuid4().hex[:8]}"
    spark.read.csv(str(customers), header=True).select("id").write.saveAsTable(table)
    spark.read.csv(str(cities), header=True).select("id").write.mode("append").saveAsTable(table)
    path = drop_table_at(spark, table)

    events = wait_for_events(lineage_spool, writes_to(path), count=2)
    assert [e["run"]["facets"]["atlasml_spark"]["writes"][-1]["mode"] for e in events] == [
        "ErrorIfExists",
        "Append",
    ]
    # both name the table the way a plain insertInto does, with its database
    assert [_tables(e["outputs"][0]) for e in events] == [[f"default.{table}"]] * 2
    assert events[1]["inputs"][0]["name"] == str(cities)
    assert events[1]["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] == 2


def test_jdbc_write_and_read_name_the_table_and_never_carry_credentials(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    url = "jdbc:derby:memory:atlasml_listener;create=true;user=lineage_user;password=s3cr3t"
    spark.createDataFrame([(1, "ann")], ["id", "name"]).write.option("user", "lineage_user").option(
        "password", "s3cr3t"
    ).jdbc(url, "APP.PEOPLE")
    out = tmp_path / "people_from_jdbc"
    spark.read.option("user", "lineage_user").option("password", "s3cr3t").jdbc(
        url, "APP.PEOPLE"
    ).write.parquet(str(out))

    def touches_people(e: Event) -> bool:
        return any(d["name"] == "APP.PEOPLE" for d in e["inputs"] + e["outputs"])

    write, read = wait_for_events(lineage_spool, touches_people, count=2)
    assert write["outputs"][0]["namespace"] == "derby:memory:atlasml_listener"
    assert read["inputs"][0]["namespace"] == "derby:memory:atlasml_listener"
    for spooled in lineage_spool.glob("*.json"):
        text = spooled.read_text()
        assert "s3cr3t" not in text and "lineage_user" not in text, spooled.name


def test_hive_insert_and_ctas_are_one_event_each_naming_the_table_and_its_path(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    customers, _ = customers_and_cities(spark, tmp_path)
    spark.read.csv(str(customers), header=True).createOrReplaceTempView("hive_src")
    spark.sql("CREATE TABLE hive_people (id STRING, name STRING) STORED AS PARQUET")
    spark.sql("INSERT INTO hive_people SELECT id, name FROM hive_src")
    spark.sql("CREATE TABLE hive_names STORED AS PARQUET AS SELECT name FROM hive_people")

    def names_table(table: str) -> Callable[[Event], bool]:
        return lambda e: any(_tables(o) == [table] for o in e["outputs"])

    insert = _only(wait_for_events(lineage_spool, names_table("default.hive_people")))
    ctas = _only(wait_for_events(lineage_spool, names_table("default.hive_names")))
    assert insert["outputs"][0]["name"].endswith("/hive_people")
    assert [i["name"] for i in insert["inputs"]] == [str(customers)]
    assert insert["outputs"][0]["facets"]["dataSource"]["name"] == "file"
    (source,) = ctas["inputs"]  # the Hive table is read through its files, and named
    assert source["name"] == insert["outputs"][0]["name"]
    assert _tables(source) == ["default.hive_people"]
    assert _lineage(ctas)["fields"]["name"]["inputFields"][0]["field"] == "name"
    spark.sql("DROP TABLE hive_people")
    spark.sql("DROP TABLE hive_names")


def test_v2_catalog_append_overwrite_and_ctas_name_the_database_table_like_jdbc(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    from pyspark.sql import functions as F

    catalog = "org.apache.spark.sql.execution.datasources.v2.jdbc.JDBCTableCatalog"
    spark.conf.set("spark.sql.catalog.v2db", catalog)
    spark.conf.set("spark.sql.catalog.v2db.url", "jdbc:derby:memory:atlasml_v2;create=true")
    people = spark.createDataFrame([(1, "ann"), (2, "bob")], ["id", "name"])
    spark.sql("CREATE TABLE v2db.APP.V2_PEOPLE (id BIGINT, name STRING)")
    people.writeTo("v2db.APP.V2_PEOPLE").append()  # AppendData
    people.writeTo("v2db.APP.V2_PEOPLE").overwrite(F.lit(True))  # OverwriteByExpression
    spark.table("v2db.APP.V2_PEOPLE").writeTo("v2db.APP.V2_NAMES").create()  # CTAS

    def writes(table: str) -> Callable[[Event], bool]:
        return lambda e: (
            [(o["namespace"], o["name"]) for o in e["outputs"]]
            == [("derby:memory:atlasml_v2", table)]
        )

    append, overwrite = wait_for_events(lineage_spool, writes("APP.V2_PEOPLE"), count=2)
    assert "lifecycleStateChange" not in append["outputs"][0]["facets"]
    change = overwrite["outputs"][0]["facets"]["lifecycleStateChange"]
    assert change["lifecycleStateChange"] == "OVERWRITE"
    ctas = _only(wait_for_events(lineage_spool, writes("APP.V2_NAMES")))
    assert [(i["namespace"], i["name"]) for i in ctas["inputs"]] == [
        ("derby:memory:atlasml_v2", "APP.V2_PEOPLE")
    ]
    assert set(_lineage(ctas)["fields"]) == {"id", "name"}


def test_count_and_collect_emit_no_event(spark: Any, lineage_spool: Path, tmp_path: Path) -> None:
    customers, cities = customers_and_cities(spark, tmp_path)
    wait_for_events(lineage_spool, writes_to(cities))
    before = len(read_events(lineage_spool))
    df = spark.read.csv(str(customers), header=True)
    df.count()
    df.collect()
    marker = tmp_path / "marker_parquet"
    df.write.parquet(str(marker))
    wait_for_events(lineage_spool, writes_to(marker))

    new = read_events(lineage_spool)[before:]
    assert [e["outputs"][0]["name"] for e in new] == [str(marker)]


def test_listener_ignore_mode_records_no_write_on_an_existing_path_and_a_write_on_a_new_one(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    customers, cities = customers_and_cities(spark, tmp_path)
    existing, new = tmp_path / "existing_parquet", tmp_path / "new_parquet"
    spark.read.csv(str(cities), header=True).write.parquet(str(existing))
    wait_for_events(lineage_spool, writes_to(existing))
    before = len(read_events(lineage_spool))
    df = spark.read.csv(str(customers), header=True)
    df.write.mode("ignore").parquet(str(existing))  # Spark skips it: the path exists
    df.write.mode("ignore").parquet(str(new))
    wait_for_events(lineage_spool, writes_to(new))

    assert [e["outputs"][0]["name"] for e in read_events(lineage_spool)[before:]] == [str(new)]
    assert spark.read.parquet(str(existing)).columns == ["id", "city"]


def test_writes_inside_paused_are_not_recorded_and_capture_resumes_after(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    from atlas_ml.spark import paused

    scratch, table, marker = tmp_path / "scratch_parquet", "paused_scratch", tmp_path / "after"
    before = len(read_events(lineage_spool))
    with paused(spark):
        spark.range(3).write.parquet(str(scratch))
        spark.range(3).write.saveAsTable(table)  # three nested executions, one decision
        assert spark.sparkContext.getLocalProperty("atlasml.capture") == "off"
    assert spark.sparkContext.getLocalProperty("atlasml.capture") is None
    spark.range(3).write.parquet(str(marker))
    wait_for_events(lineage_spool, writes_to(marker))

    new = read_events(lineage_spool)[before:]  # one queue: the marker's event comes last
    assert [e["outputs"][0]["name"] for e in new] == [str(marker)]


def test_failing_write_is_a_fail_event_with_the_error(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    from pyspark.sql import functions as F

    out = tmp_path / "never_written"
    with pytest.raises(Exception, match="listener-test-boom"):
        # cast: Spark 3.5 refuses to write the VOID type before the job even starts
        boom = F.raise_error(F.lit("listener-test-boom")).cast("string")
        spark.range(3).select(boom.alias("x")).write.parquet(str(out))

    event = _only(wait_for_events(lineage_spool, writes_to(out)))
    assert event["eventType"] == "FAIL"
    assert "listener-test-boom" in event["run"]["facets"]["errorMessage"]["message"]
    assert event["run"]["facets"]["atlasml_spark"]["inMemorySources"] == ["Range"]


def test_run_id_is_stable_per_application_and_root_execution(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ids"
    spark.range(2).write.parquet(str(out))
    event = _only(wait_for_events(lineage_spool, writes_to(out)))
    facet = event["run"]["facets"]["atlasml_spark"]
    # Java's UUID.nameUUIDFromBytes: an MD5 name-based (version 3) UUID without a namespace
    digest = bytearray(
        hashlib.md5(
            f"atlas-ml:{facet['applicationId']}:{facet['rootExecutionId']}".encode()
        ).digest()
    )
    digest[6] = (digest[6] & 0x0F) | 0x30
    digest[8] = (digest[8] & 0x3F) | 0x80
    expected = uuid.UUID(bytes=bytes(digest))
    assert event["run"]["runId"] == str(expected)


def test_every_spooled_event_validates_against_the_openlineage_schema(
    spark: Any, lineage_spool: Path, tmp_path: Path
) -> None:
    out = tmp_path / "schema_check"
    spark.range(5).selectExpr("id", "id * 2 AS twice").write.parquet(str(out))
    wait_for_events(lineage_spool, writes_to(out))

    events = read_events(lineage_spool)
    assert events
    checker = jsonschema.Draft202012Validator(
        RUN_EVENT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for event in events:
        checker.validate(event)
