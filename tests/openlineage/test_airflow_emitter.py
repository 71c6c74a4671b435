"""Apache Airflow with its OpenLineage provider (own venv, tools/airflow-venv.sh; SQLite
metadata DB; ``airflow dags test``), configured with OPENLINEAGE_URL/OPENLINEAGE_API_KEY as
the README says: the DAG run, its task runs and the files and SQLite table they read and
wrote land in Atlas, the task runs under their DAG run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from collector_support import NAMESPACE, Collector, entity, related_names, wait_for

from atlas_ml.client import AtlasClient
from atlas_ml.naming.openlineage import openlineage_data

pytestmark = pytest.mark.atlas

ROOT = Path(__file__).resolve().parents[2]
DAG_ID = "atlasml_file_pipeline"


@pytest.fixture(scope="session")
def airflow_bin() -> Path:
    """The ``airflow`` command of the project's Airflow venv, installed on first use."""
    subprocess.run([str(ROOT / "tools" / "airflow-venv.sh")], check=True, timeout=1800)
    venv = Path(os.environ.get("AIRFLOW_VENV", ROOT / ".venv-airflow"))
    return (venv if venv.is_absolute() else ROOT / venv) / "bin" / "airflow"


def _airflow(airflow_bin: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(airflow_bin), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, (
        f"airflow {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout + done.stderr


def _file(path: Path) -> str:
    return openlineage_data("file", str(path), NAMESPACE).qualified_name


def test_an_airflow_dag_run_and_its_tasks_land_in_atlas(
    airflow_bin: Path,
    collector: Collector,
    atlas_client: AtlasClient,
    tmp_path: Path,
    unique: str,
) -> None:
    home, data = tmp_path / "airflow", tmp_path / "data"
    (home / "dags").mkdir(parents=True)
    data.mkdir()
    shutil.copy(Path(__file__).parent / "airflow_dags" / f"{DAG_ID}.py", home / "dags")
    (data / "orders_raw.csv").write_text("order_id,amount\n1,10.5\n2,\n3,7\n")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "ATLASML_TEST_DATA": str(data),
        "OPENLINEAGE_URL": collector.url,
        "OPENLINEAGE_API_KEY": collector.token,
        "OPENLINEAGE_NAMESPACE": f"airflow-{unique}",
    }
    _airflow(airflow_bin, env, "db", "migrate")
    _airflow(airflow_bin, env, "dags", "test", DAG_ID)
    assert (data / "warehouse.sqlite").exists(), "the DAG itself did not run"

    def task_run(output: str, task: str) -> dict[str, Any] | None:
        found = entity(atlas_client, output.split("\t")[0], output.split("\t")[1])
        for name in related_names(atlas_client, found, "outputFromProcesses") if found else ():
            run = entity(atlas_client, "atlasml_openlineage_run", name)
            attributes = run["entity"]["attributes"] if run else {}
            if attributes.get("jobName") == f"{DAG_ID}.{task}" and (
                attributes.get("state") == "COMPLETE"
                and attributes.get("jobNamespace") == f"airflow-{unique}"
            ):
                return run
        return None

    clean_csv = _file(data / "orders_clean.csv")
    table = openlineage_data(f"sqlite:{data / 'warehouse.sqlite'}", "main.orders", NAMESPACE)
    clean = wait_for(
        lambda: task_run(f"hdfs_path\t{clean_csv}", "clean_orders"), 180, collector.log.read_text
    )
    load = wait_for(
        lambda: task_run(f"rdbms_table\t{table.qualified_name}", "load_orders"),
        180,
        collector.log.read_text,
    )
    assert related_names(atlas_client, clean, "inputs") == {_file(data / "orders_raw.csv")}
    assert related_names(atlas_client, clean, "outputs") == {clean_csv}
    assert related_names(atlas_client, load, "inputs") == {clean_csv}
    assert related_names(atlas_client, load, "outputs") == {table.qualified_name}
    # the DAG -> task hierarchy: both task runs are children of one DAG run
    (dag_run,) = related_names(atlas_client, clean, "parentRun")
    assert related_names(atlas_client, load, "parentRun") == {dag_run}
    dag = wait_for(
        lambda: _complete(atlas_client, dag_run), 180, lambda: f"DAG run {dag_run} not COMPLETE"
    )
    assert dag["entity"]["attributes"]["jobName"] == DAG_ID
    assert related_names(atlas_client, dag, "childRuns") == {
        clean["entity"]["attributes"]["qualifiedName"],
        load["entity"]["attributes"]["qualifiedName"],
    }
    assert clean["entity"]["attributes"]["jobType"] == "BATCH/AIRFLOW/TASK"


def _complete(client: AtlasClient, qualified_name: str) -> dict[str, Any] | None:
    run = entity(client, "atlasml_openlineage_run", qualified_name)
    return run if run and run["entity"]["attributes"].get("state") == "COMPLETE" else None
