"""Spark ML capture: the outermost fit is one training run, its saved model the model version.

Named ``*listener*`` so that the Spark 3.5 run (spark_hooks/test-spark35.sh) covers it too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from listener_support import Event, mount_viewfs, read_events, wait_for_events, writes_to
from ml_support import pipeline, write_training_parquet

from atlas_ml.events.facets import DATASET_VERSION, MODEL_VERSION, TRAINING_RUN
from atlas_ml.fingerprints import build_manifest, fingerprint_spark
from atlas_ml.fingerprints.artifacts import artifact_digest
from atlas_ml.spark import capture_ml, release_ml

pytestmark = pytest.mark.spark


@pytest.fixture
def ml_spool(spark: Any, tmp_path: Path) -> Iterator[Path]:
    spool = tmp_path / "ml-spool"
    capture_ml(spark, spool=spool, pipeline="churn", deliver_at_exit=False)
    try:
        yield spool
    finally:
        release_ml()


def _runs(spool: Path) -> list[Event]:
    return [e for e in read_events(spool) if TRAINING_RUN in e["run"]["facets"]]


def _steps(spool: Path) -> list[Event]:
    return [e for e in read_events(spool) if TRAINING_RUN not in e["run"]["facets"]]


def test_listener_ml_pipeline_fit_and_save_is_one_run_from_parquet_version_to_model_version(
    spark: Any, ml_spool: Path, tmp_path: Path
) -> None:
    data = write_training_parquet(spark, tmp_path / "train_parquet")
    frame = spark.read.parquet(str(data))
    model = pipeline().fit(frame)
    assert _runs(ml_spool) == []  # held until the model version is known
    model.write().overwrite().save(str(tmp_path / "model"))

    (run,) = _runs(ml_spool)  # the stage fits inside Pipeline.fit are not runs of their own
    assert run["eventType"] == "COMPLETE"
    facet = run["run"]["facets"][TRAINING_RUN]
    assert facet["pipeline"] == "churn"
    assert facet["parameters"]["estimator"] == "pyspark.ml.pipeline.Pipeline"
    assert facet["parameters"]["stages"] == "VectorAssembler, LogisticRegression"
    assert facet["parameters"]["stages.1.LogisticRegression.regParam"] == "0.1"
    (source,) = run["inputs"]
    assert (source["namespace"], source["name"]) == ("file", str(data.resolve()))
    version = source["facets"][DATASET_VERSION]
    assert version["manifestRootHash"] == build_manifest(data).root_hash
    assert version["contentHash"] == fingerprint_spark(frame).content_hash
    (output,) = run["outputs"]
    model_version = output["facets"][MODEL_VERSION]
    assert model_version["artifactSha256"] == artifact_digest(tmp_path / "model")
    assert model_version["model"] == "churn"


def test_listener_ml_model_save_records_no_etl_writes_for_the_models_own_files(
    spark: Any, ml_spool: Path, lineage_spool: Path, tmp_path: Path
) -> None:
    data = write_training_parquet(spark, tmp_path / "train_parquet")
    model_dir = tmp_path / "model"
    pipeline().fit(spark.read.parquet(str(data))).write().overwrite().save(str(model_dir))
    marker = tmp_path / "after_save"
    spark.range(1).write.parquet(str(marker))
    wait_for_events(lineage_spool, writes_to(marker))

    written = [o["name"] for e in read_events(lineage_spool) for o in e["outputs"]]
    assert str(data) in written and str(marker) in written
    assert [name for name in written if name.startswith(str(model_dir))] == []
    (run,) = _runs(ml_spool)  # the model version is still recorded, by the training run
    assert run["outputs"][0]["facets"][MODEL_VERSION]["artifactSha256"] == artifact_digest(
        model_dir
    )


def test_listener_ml_model_saved_to_a_non_local_file_system_gets_its_model_version(
    spark: Any, ml_spool: Path, tmp_path: Path
) -> None:
    data = write_training_parquet(spark, tmp_path / "train_parquet")
    target = tmp_path / "models"
    target.mkdir()
    uri = mount_viewfs(spark, "ml-capture", "models", target) + "/churn"
    pipeline().fit(spark.read.parquet(str(data))).write().save(uri)

    (run,) = _runs(ml_spool)
    (output,) = run["outputs"]
    assert (output["namespace"], output["name"]) == ("viewfs://ml-capture", "/models/churn")
    model_version = output["facets"][MODEL_VERSION]
    assert model_version["artifactUri"] == uri
    # the same bytes as a local directory: the same model version
    assert model_version["artifactSha256"] == artifact_digest(target / "churn")


def test_listener_ml_source_on_a_non_local_file_system_gets_a_version_with_its_manifest(
    spark: Any, ml_spool: Path, tmp_path: Path
) -> None:
    data = write_training_parquet(spark, tmp_path / "train_parquet")
    uri = mount_viewfs(spark, "ml-sources", "warehouse", tmp_path) + "/train_parquet"
    derived = spark.read.parquet(uri).where("amount > 2")  # a derived frame of remote data
    pipeline().fit(derived)
    release_ml()

    (step,) = _steps(ml_spool)  # the derived frame is made from the remote source
    (source,) = step["inputs"]
    assert (source["namespace"], source["name"]) == (
        "viewfs://ml-sources",
        "/warehouse/train_parquet",
    )
    version = source["facets"][DATASET_VERSION]
    assert version["role"] == "source"
    assert version["manifestRootHash"] == build_manifest(data).root_hash


def test_listener_ml_failed_fit_is_a_fail_run_and_the_error_reaches_the_user(
    spark: Any, ml_spool: Path
) -> None:
    from pyspark.ml.classification import LogisticRegression

    frame = spark.createDataFrame([(1.0, 0)], ["amount", "label"])  # no features column
    with pytest.raises(Exception, match="features"):
        LogisticRegression().fit(frame)

    (run,) = _runs(ml_spool)
    assert run["eventType"] == "FAIL"
    assert "features" in run["run"]["facets"][TRAINING_RUN]["error"]
    assert run["outputs"] == []


def test_listener_ml_unsaved_model_of_derived_data_is_recorded_at_release_without_outputs(
    spark: Any, ml_spool: Path, tmp_path: Path
) -> None:
    data = write_training_parquet(spark, tmp_path / "train_parquet")
    derived = spark.read.parquet(str(data)).where("amount > 2")
    pipeline().fit(derived)
    release_ml()

    (run,) = _runs(ml_spool)
    assert run["eventType"] == "COMPLETE" and run["outputs"] == []
    # the filtered frame is not the parquet's content: it is a version of its own, trained on
    (frame_version,) = run["inputs"]
    assert (frame_version["namespace"], frame_version["name"]) == ("memory", "churn/training-data")
    assert frame_version["facets"][DATASET_VERSION]["rowCount"] == 9
    # ... made from the parquet by a step, so its lineage reaches the files
    (step,) = _steps(ml_spool)
    assert step["job"]["name"] == "churn.training-data"
    assert [(i["name"], i["facets"][DATASET_VERSION]["role"]) for i in step["inputs"]] == [
        (str(data.resolve()), "source")
    ]
    assert [o["name"] for o in step["outputs"]] == ["churn/training-data"]


def test_listener_ml_frame_with_a_features_vector_still_gets_its_fingerprint(
    spark: Any, ml_spool: Path, tmp_path: Path
) -> None:
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import LinearRegression

    data = write_training_parquet(spark, tmp_path / "train_parquet")
    assembler = VectorAssembler(inputCols=["amount", "visits"], outputCol="features")
    features = assembler.transform(spark.read.parquet(str(data)).where("amount > 2"))
    LinearRegression(maxIter=2).fit(features)
    release_ml()

    (run,) = _runs(ml_spool)
    (frame_version,) = run["inputs"]
    version = frame_version["facets"][DATASET_VERSION]
    assert version["rowCount"] == 9
    assert ("features", "string") in {(f["name"], f["type"]) for f in version["schema"]}


def test_listener_ml_release_restores_pysparks_own_fit(spark: Any, tmp_path: Path) -> None:
    from pyspark.ml.base import Estimator

    original = Estimator.fit
    capture_ml(spark, spool=tmp_path / "spool", deliver_at_exit=False)
    assert Estimator.fit is not original
    release_ml()
    assert Estimator.fit is original
    data = write_training_parquet(spark, tmp_path / "train_parquet")
    pipeline().fit(spark.read.parquet(str(data)))
    assert read_events(tmp_path / "spool") == []
