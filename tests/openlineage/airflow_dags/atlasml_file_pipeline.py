"""A small Airflow DAG for the collector's Airflow test: files in, a CSV and a SQLite table out.

The data folder comes from ATLASML_TEST_DATA (the test's temporary folder). Lineage is declared
the way Airflow users declare it: file Assets as inlets/outlets (translated by the OpenLineage
provider through the common-io provider), and an OpenLineage Dataset for the SQLite table,
which Airflow's SQLite hook does not report by itself.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Asset
from openlineage.client.event_v2 import Dataset

DATA = Path(os.environ.get("ATLASML_TEST_DATA", "/tmp/atlasml-airflow-data"))
RAW = DATA / "orders_raw.csv"
CLEAN = DATA / "orders_clean.csv"
DB = DATA / "warehouse.sqlite"


def _clean() -> None:
    with RAW.open() as source, CLEAN.open("w", newline="") as target:
        rows = [r for r in csv.DictReader(source) if r["amount"]]
        writer = csv.DictWriter(target, fieldnames=["order_id", "amount"])
        writer.writeheader()
        writer.writerows(rows)


def _load() -> None:
    with CLEAN.open() as source, sqlite3.connect(DB) as db:
        db.execute("CREATE TABLE IF NOT EXISTS orders (order_id TEXT, amount REAL)")
        db.executemany(
            "INSERT INTO orders VALUES (?, ?)",
            [(r["order_id"], float(r["amount"])) for r in csv.DictReader(source)],
        )


with DAG(
    dag_id="atlasml_file_pipeline",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    description="orders: raw CSV -> clean CSV -> SQLite table",
) as dag:
    clean = PythonOperator(
        task_id="clean_orders",
        python_callable=_clean,
        inlets=[Asset(f"file://{RAW}")],
        outlets=[Asset(f"file://{CLEAN}")],
    )
    load = PythonOperator(
        task_id="load_orders",
        python_callable=_load,
        inlets=[Asset(f"file://{CLEAN}")],
        outlets=[Dataset(namespace=f"sqlite:{DB}", name="main.orders")],
    )
    clean >> load
