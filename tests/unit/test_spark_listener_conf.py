"""How atlas-ml registers its Spark listener: conf, spark-submit flags, jar cache key."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_ml.cli.spark import command
from atlas_ml.spark.conf import LISTENER_CLASS, listener_conf, submit_args
from atlas_ml.spark.jar import ListenerBuildError, SparkLine, jar_path, spark_line

pytestmark = pytest.mark.unit


def _fake_jars(root: Path, scala: str, spark: str) -> Path:
    root.mkdir()
    (root / f"spark-core_{scala}-{spark}.jar").touch()
    (root / f"scala-library-{scala}.18.jar").touch()
    return root


def test_conf_registers_the_listener_and_always_names_a_spool(tmp_path: Path) -> None:
    conf = listener_conf(tmp_path / "l.jar", transport="http", http_url="http://ol:5000")

    assert conf["spark.extraListeners"] == LISTENER_CLASS
    assert conf["spark.jars"] == str(tmp_path / "l.jar")
    assert conf["spark.atlasml.http.url"] == "http://ol:5000"
    assert conf["spark.atlasml.spool.dir"].endswith("spool")


def test_http_transport_without_url_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match="needs http_url"):
        listener_conf(Path("l.jar"), transport="http")


def test_an_endpoint_url_with_a_password_is_refused_without_echoing_it(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(
        command,
        [
            "conf",
            "--transport",
            "http",
            "--http-url",
            "http://ol:S3cr3t@ol-host:5000/api/v1/lineage",
        ],
    )
    assert outcome.exit_code == 1
    assert "must not carry user info" in outcome.output
    assert "spark.atlasml.http.token" in outcome.output
    assert "S3cr3t" not in outcome.output


def test_submit_args_put_the_jar_in_jars_and_the_rest_in_conf(tmp_path: Path) -> None:
    args = submit_args(listener_conf(tmp_path / "l.jar", namespace="etl"))

    assert args[:2] == ["--jars", str(tmp_path / "l.jar")]
    assert "spark.atlasml.namespace=etl" in args
    assert args.count("--conf") == len(args[2:]) // 2


def test_spark_line_is_read_from_the_jars_folder(tmp_path: Path) -> None:
    line = spark_line(_fake_jars(tmp_path / "jars", "2.12", "3.5.9"))

    assert (line.major_minor, line.scala_binary, line.java_release) == ("3.5", "2.12", "8")
    assert SparkLine("4.1.0", "2.13", tmp_path).java_release == "17"


def test_a_folder_without_spark_jars_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ListenerBuildError, match="does not look like a Spark jars folder"):
        spark_line(tmp_path)


def test_each_spark_line_gets_its_own_cached_jar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_ML_CACHE", str(tmp_path / "cache"))
    spark35 = jar_path(SparkLine("3.5.9", "2.12", tmp_path))
    spark4 = jar_path(SparkLine("4.3.0", "2.13", tmp_path))

    assert spark35.parent == tmp_path / "cache" / "spark_hooks"
    assert spark35.name.startswith("atlas-ml-spark-3.5_2.12-")
    assert spark4.name.startswith("atlas-ml-spark-4.3_2.13-")


def test_cli_conf_prints_spark_submit_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jar = tmp_path / "listener.jar"
    monkeypatch.setattr("atlas_ml.spark.jar.listener_jar", lambda *a, **k: jar)

    result = CliRunner().invoke(command, ["conf", "--spool-dir", str(tmp_path / "s")])

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"--jars {jar} --conf spark.extraListeners={LISTENER_CLASS}")
    assert f"spark.atlasml.spool.dir={tmp_path / 's'}" in result.output


def test_cli_conf_quotes_a_spool_path_with_spaces_and_says_how_to_keep_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shlex

    jar = tmp_path / "listener.jar"
    monkeypatch.setattr("atlas_ml.spark.jar.listener_jar", lambda *a, **k: jar)
    spool = tmp_path / "my lineage"

    result = CliRunner().invoke(command, ["conf", "--spool-dir", str(spool)])

    assert result.exit_code == 0, result.output
    assert f"spark.atlasml.spool.dir={spool}" in shlex.split(result.stdout)
    assert 'eval "spark-submit $(atlas-ml spark conf) job.py"' in result.stderr


def test_cli_conf_takes_spool_like_push_and_expands_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("atlas_ml.spark.jar.listener_jar", lambda *a, **k: tmp_path / "l.jar")
    monkeypatch.setenv("HOME", str(tmp_path))

    result = CliRunner().invoke(command, ["conf", "--spool", "~/lineage"])

    assert result.exit_code == 0, result.output
    assert f"spark.atlasml.spool.dir={tmp_path / 'lineage'}" in result.output
