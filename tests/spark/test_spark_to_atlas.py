"""Spark jobs land in the real Atlas: listener events and Spark ML training runs, delivered
from the spool, in-process and at the end of a job that never calls ``spark.stop()``.

The session's listener spools into ``lineage_spool`` (one spool per JVM); each test copies the
events of its own writes into a spool of its own and pushes that, so tests never deliver each
other's events. Test names carry ``listener`` so that the Spark 3.5 run covers them too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from listener_support import Event, customers_and_cities, drop_table_at, wait_for_events, writes_to
from ml_support import pipeline, write_training_parquet

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool, push
from atlas_ml.fingerprints.artifacts import artifact_digest
from atlas_ml.lineage import resolve_target
from atlas_ml.naming import model_version_name, physical_dataset
from atlas_ml.spark import capture_ml, release_ml
from atlas_ml.verify import Status, verify

pytestmark = [pytest.mark.spark, pytest.mark.atlas]

ROOT = Path(__file__).resolve().parents[2]


def _deliver(
    client: AtlasClient, lineage_spool: Path, target: Path, matches: Callable[[Event], bool]
) -> dict[str, str]:
    """Push the listener events that ``matches`` (and whatever ``target`` holds) to Atlas."""
    target.mkdir(parents=True, exist_ok=True)
    for event_file in sorted(lineage_spool.glob("*.json")):
        if matches(json.loads(event_file.read_text())):
            shutil.copy(event_file, target / event_file.name)
    report = push(client, Spool(target))
    assert report.rejected == 0, [p.read_text() for p in (target / "rejected").glob("*.error")]
    assert report.remaining == 0 and report.delivered > 0, report
    return report.guids


def _path_entity(client: AtlasClient, path: Path | str) -> dict[str, Any]:
    name = physical_dataset(str(path), client.config.namespace).qualified_name
    return client.entities.get_by_unique_attribute("hdfs_path", name)["entity"]


def _producers(client: AtlasClient, path: Path | str) -> list[dict[str, Any]]:
    produced = _path_entity(client, path)["relationshipAttributes"]["outputFromProcesses"]
    return [p for p in produced if p["typeName"] == "spark_process"]


def _enrich(spark: Any, customers: Path, cities: Path, out: Path) -> None:
    """CSV -> join + filter -> Parquet, with a label for the ML tests."""
    from pyspark.sql import functions as F

    c = spark.read.csv(str(customers), header=True, inferSchema=True)
    d = spark.read.csv(str(cities), header=True, inferSchema=True)
    c.join(d, "id").where(F.col("amount") > 5).select(
        "id",
        "name",
        (F.col("amount") * 2).alias("double_amount"),
        "city",
        (F.col("amount") > 15).cast("int").alias("label"),
    ).write.parquet(str(out))


def test_listener_csv_join_to_parquet_is_one_spark_process_with_column_lineage_in_atlas(
    spark: Any, lineage_spool: Path, atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    customers, cities = customers_and_cities(spark, tmp_path)
    out = tmp_path / "enriched_parquet"
    _enrich(spark, customers, cities, out)
    wait_for_events(lineage_spool, writes_to(out))
    _deliver(atlas_client, lineage_spool, tmp_path / "spool", writes_to(out))

    (producer,) = _producers(atlas_client, out)
    process = atlas_client.entities.get(producer["guid"])["entity"]
    assert process["typeName"] == "spark_process"
    inputs = {i["guid"] for i in process["relationshipAttributes"]["inputs"]}
    assert inputs == {
        _path_entity(atlas_client, customers)["guid"],
        _path_entity(atlas_client, cities)["guid"],
    }
    application = process["relationshipAttributes"]["application"]
    assert application["typeName"] == "spark_application"
    assert atlas_client.entities.get(application["guid"])["entity"]["attributes"]["name"] == (
        spark.sparkContext.appName
    )
    columns = {
        c["displayText"]: atlas_client.entities.get(c["guid"])["entity"]
        for c in process["relationshipAttributes"]["columnLineages"]
    }
    assert {"id", "name", "double_amount", "city", "label"} <= set(columns)
    doubled = columns["double_amount"]
    assert [i["guid"] for i in doubled["relationshipAttributes"]["inputs"]] == [
        _path_entity(atlas_client, customers)["guid"]
    ]
    assert "amount [DIRECT/TRANSFORMATION]" in doubled["attributes"]["description"]
    assert [o["guid"] for o in doubled["relationshipAttributes"]["outputs"]] == [
        _path_entity(atlas_client, out)["guid"]
    ]


def test_listener_save_as_table_is_one_spark_process_in_atlas(
    spark: Any,
    lineage_spool: Path,
    atlas_client: AtlasClient,
    project_types: None,
    tmp_path: Path,
    unique: str,
) -> None:
    customers, _ = customers_and_cities(spark, tmp_path)
    table = f"people_{unique}"
    spark.read.csv(str(customers), header=True).write.saveAsTable(table)
    path = drop_table_at(spark, table)

    wait_for_events(lineage_spool, writes_to(path))
    _deliver(atlas_client, lineage_spool, tmp_path / "spool", writes_to(path))
    # no Hive hook here: the hive_table reference is dropped, the path carries the lineage
    assert len(_producers(atlas_client, path)) == 1


def test_listener_save_as_table_append_is_a_second_spark_process_of_the_table_location_in_atlas(
    spark: Any,
    lineage_spool: Path,
    atlas_client: AtlasClient,
    project_types: None,
    tmp_path: Path,
    unique: str,
) -> None:
    customers, cities = customers_and_cities(spark, tmp_path)
    table = f"appended_{unique}"
    spark.read.csv(str(customers), header=True).select("id").write.saveAsTable(table)
    spark.read.csv(str(cities), header=True).select("id").write.mode("append").saveAsTable(table)
    path = drop_table_at(spark, table)

    wait_for_events(lineage_spool, writes_to(path), count=2)
    _deliver(atlas_client, lineage_spool, tmp_path / "spool", writes_to(path))
    inputs = {
        i["guid"]
        for p in _producers(atlas_client, path)
        for i in atlas_client.entities.get(p["guid"])["entity"]["relationshipAttributes"]["inputs"]
    }
    assert inputs == {
        _path_entity(atlas_client, customers)["guid"],
        _path_entity(atlas_client, cities)["guid"],
    }


def test_listener_glob_read_links_each_column_to_every_matched_file_in_atlas(
    spark: Any, lineage_spool: Path, atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    customers, _ = customers_and_cities(spark, tmp_path)
    more = tmp_path / "customers_more_csv"
    spark.createDataFrame([(4, "dee", 4.0)], ["id", "name", "amount"]).write.csv(
        str(more), header=True
    )
    out = tmp_path / "globbed_parquet"
    spark.read.csv(str(tmp_path / "customers_*csv"), header=True).write.parquet(str(out))
    wait_for_events(lineage_spool, writes_to(out))
    _deliver(atlas_client, lineage_spool, tmp_path / "spool", writes_to(out))

    (producer,) = _producers(atlas_client, out)
    process = atlas_client.entities.get(producer["guid"])["entity"]
    files = {_path_entity(atlas_client, p)["guid"] for p in (customers, more)}
    for column in process["relationshipAttributes"]["columnLineages"]:
        stored = atlas_client.entities.get(column["guid"])["entity"]
        assert {i["guid"] for i in stored["relationshipAttributes"]["inputs"]} == files


def test_listener_jdbc_write_and_read_land_as_rdbms_tables_without_credentials(
    spark: Any,
    lineage_spool: Path,
    atlas_client: AtlasClient,
    project_types: None,
    tmp_path: Path,
    unique: str,
) -> None:
    database = f"atlasml_{unique}"
    url = f"jdbc:derby:memory:{database};create=true;user=atlas_user;password=s3cr3t"
    spark.createDataFrame([(1, "ann")], ["id", "name"]).write.option("user", "atlas_user").option(
        "password", "s3cr3t"
    ).jdbc(url, "APP.PEOPLE")
    out = tmp_path / "people_from_jdbc"
    spark.read.jdbc(url, "APP.PEOPLE").write.parquet(str(out))

    def touches(e: Event) -> bool:
        return any(d["namespace"].endswith(database) for d in e["inputs"] + e["outputs"])

    wait_for_events(lineage_spool, touches, count=2)
    guids = _deliver(atlas_client, lineage_spool, tmp_path / "spool", touches)

    table = atlas_client.entities.get_by_unique_attribute(
        "rdbms_table", f"derby:memory:{database}/APP.PEOPLE@{atlas_client.config.namespace}"
    )["entity"]
    relations = table["relationshipAttributes"]
    for side in ("outputFromProcesses", "inputToProcesses"):  # the JDBC write, the JDBC read
        assert [p["typeName"] for p in relations[side]].count("spark_process") == 1, side
    assert relations["db"]["displayText"] == "APP"
    for guid in guids.values():
        stored = json.dumps(atlas_client.entities.get(guid, min_ext_info=False))
        assert "s3cr3t" not in stored and "atlas_user" not in stored, guid


def test_listener_jdbc_write_and_v2_catalog_append_meet_on_one_rdbms_table_in_atlas(
    spark: Any,
    lineage_spool: Path,
    atlas_client: AtlasClient,
    project_types: None,
    tmp_path: Path,
    unique: str,
) -> None:
    database = f"atlasml_v2_{unique}"
    url = f"jdbc:derby:memory:{database};create=true"
    people = spark.createDataFrame([(1, "ann")], ["id", "name"])
    people.write.jdbc(url, "APP.PEOPLE")  # V1: SaveIntoDataSourceCommand
    catalog = f"v2_{unique}"
    spark.conf.set(
        f"spark.sql.catalog.{catalog}",
        "org.apache.spark.sql.execution.datasources.v2.jdbc.JDBCTableCatalog",
    )
    spark.conf.set(f"spark.sql.catalog.{catalog}.url", url)
    people.writeTo(f"{catalog}.APP.PEOPLE").append()  # V2: AppendData

    def touches(e: Event) -> bool:
        return any(d["namespace"].endswith(database) for d in e["outputs"])

    wait_for_events(lineage_spool, touches, count=2)
    _deliver(atlas_client, lineage_spool, tmp_path / "spool", touches)

    table = atlas_client.entities.get_by_unique_attribute(
        "rdbms_table", f"derby:memory:{database}/APP.PEOPLE@{atlas_client.config.namespace}"
    )["entity"]
    producers = table["relationshipAttributes"]["outputFromProcesses"]
    assert [p["typeName"] for p in producers] == ["spark_process", "spark_process"]


def test_listener_spark_ml_model_version_lineage_reaches_the_raw_csv_through_the_spark_process(
    spark: Any, lineage_spool: Path, atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    customers, cities = customers_and_cities(spark, tmp_path)
    out = tmp_path / "enriched_parquet"
    _enrich(spark, customers, cities, out)
    spool = tmp_path / "spool"
    capture_ml(spark, spool=spool, pipeline="listener-churn", deliver_at_exit=False)
    try:
        model = pipeline(("double_amount",)).fit(spark.read.parquet(str(out)))
        model.save(str(tmp_path / "model"))
    finally:
        release_ml()
    wait_for_events(lineage_spool, writes_to(out))
    guids = _deliver(atlas_client, lineage_spool, spool, writes_to(out))

    model_version = next(g for qn, g in guids.items() if qn.startswith("listener-churn#"))
    graph = atlas_client.lineage.get(model_version, direction="INPUT", depth=12)
    raw = _path_entity(atlas_client, customers)["guid"]
    expected = [
        "hdfs_path",  # the raw CSV
        "spark_process",
        "hdfs_path",  # the Parquet the Spark job wrote
        "atlasml_transform",  # snapshot
        "atlasml_dataset_version",
        "atlasml_training_run",
        "atlasml_model_version",
    ]
    path = next(p for p in graph.paths(raw, model_version) if _kinds(graph, p) == expected)
    assert (
        graph.qualified_name(path[2])
        == physical_dataset(str(out), atlas_client.config.namespace).qualified_name
    )
    # the folder the model was saved to finds its model version (it is no hdfs_path)
    assert resolve_target(atlas_client, str(tmp_path / "model"))["guid"] == model_version


def test_listener_spark_ml_fit_on_one_partition_folder_reaches_the_writer_of_its_table(
    spark: Any, lineage_spool: Path, atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    from pyspark.sql import functions as F

    source = write_training_parquet(spark, tmp_path / "train_parquet")
    parted = tmp_path / "parted"
    region = F.when(F.col("amount") < 6, "east").otherwise("west").alias("region")
    spark.read.parquet(str(source)).select("*", region).write.partitionBy("region").parquet(
        str(parted)
    )
    spool = tmp_path / "spool"
    name = f"listener-partition-{uuid.uuid4().hex[:8]}"
    capture_ml(spark, spool=spool, pipeline=name, deliver_at_exit=False)
    try:
        pipeline().fit(spark.read.parquet(f"{parted}/region=east")).save(str(tmp_path / "model"))
    finally:
        release_ml()
    wait_for_events(lineage_spool, writes_to(parted))
    guids = _deliver(atlas_client, lineage_spool, spool, writes_to(parted))

    model_version = next(g for qn, g in guids.items() if qn.startswith(f"{name}#"))
    upstream = atlas_client.lineage.get(model_version, direction="INPUT", depth=12)
    raw = _path_entity(atlas_client, source)["guid"]
    expected = [
        "hdfs_path",  # the parquet the table was written from
        "spark_process",
        "hdfs_path",  # the partitioned table's folder
        "atlasml_transform",  # partition region=east of parted
        "hdfs_path",  # the partition folder the model read
        "atlasml_transform",  # snapshot
        "atlasml_dataset_version",
        "atlasml_training_run",
        "atlasml_model_version",
    ]
    assert expected in [_kinds(upstream, p) for p in upstream.paths(raw, model_version)]
    # "which models used this data", asked of the table, finds the one trained on a partition
    table = _path_entity(atlas_client, parted)["guid"]
    downstream = atlas_client.lineage.get(table, direction="OUTPUT", depth=12)
    assert model_version in downstream.entities


def test_listener_spark_ml_fit_on_a_filtered_frame_verifies_through_the_files_it_was_read_from(
    spark: Any, atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    data = write_training_parquet(spark, tmp_path / "train_parquet")
    spool = tmp_path / "spool"
    name = f"listener-filtered-{uuid.uuid4().hex[:8]}"
    capture_ml(spark, spool=spool, pipeline=name, deliver_at_exit=False)
    try:
        model = pipeline().fit(spark.read.parquet(str(data)).where("amount > 2"))
        model.save(str(tmp_path / "model"))
    finally:
        release_ml()
    report = push(atlas_client, Spool(spool))
    assert (report.rejected, report.remaining) == (0, 0), report

    model_version = next(qn for qn in report.guids if qn.startswith(f"{name}#"))
    result = verify(atlas_client, model_version, write_back=False)
    statuses = {r.version.name: r.status for r in result.results}
    # the filtered frame is DERIVED from the parquet, which is re-read and VERIFIED
    assert sorted(statuses.values()) == [Status.DERIVED, Status.VERIFIED], statuses
    assert result.artifact is not None and result.artifact.status is Status.VERIFIED
    assert result.exit_code == 0


def _fit_directly_and_verify(
    atlas_client: AtlasClient, tmp_path: Path, frame: Any, model: Any, name: str
) -> Any:
    """Fit ``model`` on ``frame`` (a source read as is) under capture, deliver, verify."""
    spool = tmp_path / "spool"
    capture_ml(frame.sparkSession, spool=spool, pipeline=name, deliver_at_exit=False)
    try:
        model.fit(frame).save(str(tmp_path / "model"))
    finally:
        release_ml()
    report = push(atlas_client, Spool(spool))
    assert (report.rejected, report.remaining) == (0, 0), report
    model_version = next(qn for qn in report.guids if qn.startswith(f"{name}#"))
    return verify(atlas_client, model_version, write_back=False)


def test_listener_spark_ml_fit_on_int96_timestamps_and_nan_verifies_on_its_untouched_bytes(
    spark: Any, atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    from pyspark.sql import functions as F

    data = tmp_path / "extra_parquet"
    rows = [(float(i), float(i % 3), i % 2) for i in range(12)]
    spark.createDataFrame(rows, ["amount", "visits", "label"]).withColumn(
        "score", F.when(F.col("amount") > 6, F.lit(float("nan"))).otherwise(F.col("amount"))
    ).withColumn("ingested_at", F.lit("2024-05-01 12:00:00").cast("timestamp")).write.option(
        "compression", "none"
    ).parquet(str(data))  # Spark writes timestamps as INT96, which pandas reads as naive

    result = _fit_directly_and_verify(
        atlas_client,
        tmp_path,
        spark.read.parquet(str(data)),
        pipeline(),
        f"listener-int96-{uuid.uuid4().hex[:8]}",
    )

    (source,) = result.results
    assert source.status is Status.VERIFIED, (source.summary, source.findings)
    assert result.exit_code == 0
    assert any("recorded by spark" in note for note in source.notes), source.notes


def test_listener_spark_ml_fit_on_the_titanic_csv_verifies_although_pandas_parses_names_otherwise(
    spark: Any, atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import VectorAssembler

    csv = tmp_path / "titanic.csv"
    shutil.copyfile(ROOT / "examples" / "data" / "titanic.csv", csv)
    model = Pipeline(
        stages=[
            VectorAssembler(inputCols=["Pclass", "SibSp", "Parch"], outputCol="features"),
            LogisticRegression(labelCol="Survived", maxIter=3),
        ]
    )

    result = _fit_directly_and_verify(
        atlas_client,
        tmp_path,
        spark.read.csv(str(csv), header=True, inferSchema=True),
        model,
        f"listener-titanic-{uuid.uuid4().hex[:8]}",
    )

    (source,) = result.results
    assert source.status is Status.VERIFIED, (source.summary, source.findings)
    assert source.summary.startswith("1 file(s) byte-identical")
    assert result.exit_code == 0


def _kinds(graph: Any, path: list[str]) -> list[str]:
    return [graph.entity(guid)["typeName"] for guid in path]


_JOB = textwrap.dedent(
    """
    import sys
    from pyspark.sql import SparkSession
    from atlas_ml.spark import attach
    sys.path.insert(0, sys.argv[4])
    from ml_support import pipeline, write_training_parquet

    csv, out, model = sys.argv[1], sys.argv[2], sys.argv[3]
    spark = (
        SparkSession.builder.master("local[1]").appName("listener-exit-job")
        .config("spark.ui.enabled", "false").getOrCreate()
    )
    # spool from ATLAS_ML_SPOOL, delivery at exit; the job's owners from attach
    attach(spark, pipeline="listener-exit-job", team="web-analytics", owner="a.lee")
    rows = [(float(i), float(i % 3), i % 2) for i in range(12)]
    spark.createDataFrame(rows, ["amount", "visits", "label"]).write.csv(csv, header=True)
    spark.read.csv(csv, header=True, inferSchema=True).where("amount > 1").write.parquet(out)
    pipeline().fit(spark.read.parquet(out)).save(model)
    print("JOB DONE", flush=True)
    # no spark.stop(): the exit handler stops Spark, then delivers the spool
    """
)


def _job(tmp_path: Path, atlas_url: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "job.py"
    script.write_text(_JOB)
    env = {**os.environ, "ATLAS_URL": atlas_url, "ATLAS_ML_SPOOL": str(tmp_path / "spool")}
    args = [str(tmp_path / p) for p in ("raw_csv", "train_parquet", "model")]
    return subprocess.run(
        [sys.executable, str(script), *args, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def _recorded_once(client: AtlasClient, type_name: str, qualified_name: str) -> None:
    exact = {"attributeName": "qualifiedName", "operator": "eq", "attributeValue": qualified_name}
    found = list(client.search.basic(type_name, entity_filters=exact))
    assert len(found) == 1, (type_name, qualified_name, found)


def test_listener_job_exiting_without_stop_delivers_its_lineage_to_atlas(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    done = _job(tmp_path, atlas_client.config.url)

    assert done.returncode == 0 and "JOB DONE" in done.stdout, done.stderr[-3000:]
    assert Spool(tmp_path / "spool").pending() == []
    (process,) = _producers(atlas_client, tmp_path / "train_parquet")
    assert process["displayText"].startswith("listener_exit_job.")
    digest = artifact_digest(tmp_path / "model")
    name = model_version_name("listener-exit-job", digest, atlas_client.config.namespace)
    version = atlas_client.entities.get_by_unique_attribute("atlasml_model_version", name)["entity"]
    (run,) = version["relationshipAttributes"]["outputFromProcesses"]
    assert run["typeName"] == "atlasml_training_run"
    assert atlas_client.entities.get(run["guid"])["entity"]["attributes"]["team"] == "web-analytics"


def test_listener_job_attached_with_a_team_records_who_owns_its_application_and_processes(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    done = _job(tmp_path, atlas_client.config.url)

    assert done.returncode == 0 and "JOB DONE" in done.stdout, done.stderr[-3000:]
    (process,) = _producers(atlas_client, tmp_path / "train_parquet")
    stored = atlas_client.entities.get(process["guid"])["entity"]
    application = stored["relationshipAttributes"]["application"]
    for entity in (stored, atlas_client.entities.get(application["guid"])["entity"]):
        assert entity["attributes"]["owner"] == "a.lee"
        assert entity["businessAttributes"]["atlasml_provenance"] == {
            "team": "web-analytics",
            "owner": "a.lee",
        }


def test_listener_job_with_atlas_down_succeeds_and_a_later_push_delivers_once(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    done = _job(tmp_path, "http://127.0.0.1:9")

    assert done.returncode == 0 and "JOB DONE" in done.stdout, done.stderr[-3000:]
    assert "atlas-ml push" in done.stderr
    spool = tmp_path / "spool"
    kept = Spool(spool).pending()
    assert len(kept) >= 3  # two writes by the listener, one training run

    env = {**os.environ, "ATLAS_URL": atlas_client.config.url}
    atlas_ml = [str(Path(sys.executable).parent / "atlas-ml"), "push", "--spool", str(spool)]
    for _ in range(2):  # a second push has nothing left to deliver
        pushed = subprocess.run(atlas_ml, capture_output=True, text=True, env=env, check=False)
        assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert Spool(spool).pending() == []
    parquet = physical_dataset(str(tmp_path / "train_parquet"), atlas_client.config.namespace)
    _recorded_once(atlas_client, "hdfs_path", parquet.qualified_name)
    (process,) = _producers(atlas_client, tmp_path / "train_parquet")
    stored = atlas_client.entities.get(process["guid"])["entity"]
    _recorded_once(atlas_client, "spark_process", stored["attributes"]["qualifiedName"])


def test_listener_write_of_in_memory_rows_shows_its_spark_process_upstream_of_the_path(
    spark: Any,
    lineage_spool: Path,
    atlas_client: AtlasClient,
    project_types: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from atlas_ml.cli.output import print_lineage
    from atlas_ml.lineage import read_lineage

    out = tmp_path / "made_in_memory"
    spark.createDataFrame([(1, "ann")], ["id", "name"]).write.parquet(str(out))
    wait_for_events(lineage_spool, writes_to(out))
    _deliver(atlas_client, lineage_spool, tmp_path / "spool", writes_to(out))
    [producer] = _producers(atlas_client, out)

    # Atlas's lineage API leaves out a process without inputs; the tree adds it back.
    print_lineage(read_lineage(atlas_client, str(out)))
    printed = capsys.readouterr().out
    assert f"{producer['displayText']} spark_process" in printed, printed
