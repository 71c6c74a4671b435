"""Classifications stop at the step that removed what they describe (issue 13, defect 2).

``PII`` on the Titanic CSV's ``Name``, ``Ticket``, ``Cabin`` reaches the clean step that reads
it, and stops on that step's edge to its output, which no longer has those columns: the
cleaned data and every model trained on it are not PII. The step records why.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest
from fidelity_support import classification_names, entity, model_version, titanic_copy
from sklearn.linear_model import LogisticRegression

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool, push
from atlas_ml.lineage import read_lineage
from atlas_ml.tracking import TrainingRun, training_run

pytestmark = pytest.mark.atlas

ROOT = Path(__file__).resolve().parents[2]


def _titanic_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "titanic_blocking", ROOT / "examples" / "titanic" / "train.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TITANIC = _titanic_example()


def _titanic(client: AtlasClient, csv: Path, pipeline: str, spool: Path) -> TrainingRun:
    """The example's preparation (PII on Name/Ticket/Cabin, dropped by the clean step)."""
    with training_run(pipeline, client=client, spool=Spool(spool)) as run:
        train, _ = TITANIC.prepare(run, csv)
        run.use(train, role="train")
        features = [c for c in train.columns if c != "Survived"]
        model = LogisticRegression(max_iter=500).fit(train[features], train["Survived"])
        run.log_model(model, name=pipeline, directory=spool.parent / "model")
    assert run.delivery is not None and run.delivery.remaining == 0, run.delivery
    assert run.delivery.rejected == 0
    return run


def _by_name(client: AtlasClient, run: TrainingRun, prefix: str) -> dict[str, Any]:
    """The entity the run delivered whose qualifiedName starts with ``prefix``."""
    assert run.delivery is not None
    (guid,) = [g for qn, g in run.delivery.guids.items() if qn.startswith(prefix)]
    found: dict[str, Any] = client.entities.get(guid)["entity"]
    return found


def _one_step(
    client: AtlasClient,
    csv: Path,
    pipeline: str,
    spool: Path,
    kind: str,
    keep: list[str],
    classify: dict[str, Any] | None = None,
) -> TrainingRun:
    """Raw CSV -> one step of ``kind`` keeping the columns ``keep`` -> a model on it."""
    with training_run(pipeline, client=client, spool=Spool(spool)) as run:
        raw = run.dataset(csv, role="raw")
        if classify:
            raw.classify(**classify)
        frame = pd.read_csv(csv)
        out = frame[keep].fillna(0)
        run.step("prepare", inputs=[raw], outputs={"out": out}, kind=kind, reason="t")
        run.use(out, role="train")
        model = LogisticRegression(max_iter=200).fit(out[["Pclass"]], out["Survived"])
        run.log_model(model, name=pipeline, directory=spool.parent / "model")
    assert run.delivery is not None and run.delivery.remaining == 0, run.delivery
    return run


def test_pii_on_dropped_columns_stops_at_the_clean_step_and_the_step_says_why(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    csv = titanic_copy(tmp_path / "titanic.csv", unique)
    run = _titanic(atlas_client, csv, unique, tmp_path / "spool")

    clean_step = _by_name(atlas_client, run, f"{unique}.clean#")
    clean_version = _by_name(atlas_client, run, f"memory:{unique}/clean#")
    raw_version = _by_name(atlas_client, run, f"file:{csv}#")
    assert "PII" in classification_names(raw_version)
    assert "PII" in classification_names(clean_step), "the step itself read PII"
    assert "PII" not in classification_names(clean_version)
    assert "PII" not in classification_names(model_version(atlas_client, run))
    assert clean_step["attributes"]["blockedClassifications"] == ["PII"]
    note = clean_step["attributes"]["propagationNote"]
    assert "PII (columns Name, Ticket, Cabin) stops here" in note
    assert clean_version["attributes"]["name"] in note
    shown = read_lineage(atlas_client, clean_version["guid"]).graph.entity(clean_step["guid"])
    assert shown["attributes"]["blockedClassifications"] == ["PII"], "the tree says it stops"


def test_delivering_the_same_events_again_keeps_the_block_and_changes_nothing(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    csv = titanic_copy(tmp_path / "titanic.csv", unique)
    spool = tmp_path / "spool"
    run = _titanic(atlas_client, csv, unique, spool)
    before = _by_name(atlas_client, run, f"{unique}.clean#")

    for delivered in sorted((spool / "delivered").glob("*.json")):
        shutil.copy(delivered, spool / delivered.name)
    report = push(atlas_client, Spool(spool))

    assert (report.delivered, report.rejected, report.remaining) == (4, 0, 0)
    after = _by_name(atlas_client, run, f"{unique}.clean#")
    assert after["attributes"]["blockedClassifications"] == ["PII"]
    assert after["attributes"]["propagationNote"] == before["attributes"]["propagationNote"]
    assert after["updateTime"] == before["updateTime"], "nothing to write on a replay"
    assert "PII" not in classification_names(model_version(atlas_client, run))


def test_an_anonymize_step_stops_pii_even_where_the_columns_remain(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    csv = titanic_copy(tmp_path / "titanic.csv", unique)
    pii = {"name": "PII", "columns": ["Name"]}
    keep = ["Name", "Pclass", "Survived"]

    anonymised = _one_step(atlas_client, csv, f"{unique}-a", tmp_path / "a", "ANONYMIZE", keep, pii)
    cleaned = _one_step(atlas_client, csv, f"{unique}-c", tmp_path / "c", "CLEAN", keep)

    assert "PII" not in classification_names(model_version(atlas_client, anonymised))
    step = _by_name(atlas_client, anonymised, f"{unique}-a.prepare#")
    assert "the step anonymises its data" in step["attributes"]["propagationNote"]
    # the same step as CLEAN keeps Name, so the PII set on the file reaches that model
    assert "PII" in classification_names(model_version(atlas_client, cleaned))


def test_a_classification_without_columns_still_reaches_the_model(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    csv = titanic_copy(tmp_path / "titanic.csv", unique)
    behaviour = {"name": "UserBehavior"}

    run = _one_step(
        atlas_client, csv, unique, tmp_path / "s", "CLEAN", ["Pclass", "Survived"], behaviour
    )

    assert "UserBehavior" in classification_names(model_version(atlas_client, run))
    step = _by_name(atlas_client, run, f"{unique}.prepare#")
    assert not step["attributes"].get("blockedClassifications")


def test_columns_a_data_steward_set_in_atlas_decide_the_block_too(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    csv = titanic_copy(tmp_path / "titanic.csv", unique)
    name = f"file:{csv}@{atlas_client.config.namespace}"
    guid = atlas_client.entities.upsert(
        [{"typeName": "hdfs_path", "attributes": {"qualifiedName": name, "name": "t", "path": "t"}}]
    ).guids[name]
    steward = {"typeName": "PII", "attributes": {"columns": ["Ticket"]}, "propagate": True}
    atlas_client.entities.add_classifications(guid, [steward])

    run = _one_step(atlas_client, csv, unique, tmp_path / "s", "CLEAN", ["Pclass", "Survived"])

    assert "PII" not in classification_names(model_version(atlas_client, run))
    raw = entity(atlas_client, "hdfs_path", name)
    assert "PII" in classification_names(raw)
    step = _by_name(atlas_client, run, f"{unique}.prepare#")
    assert "PII (columns Ticket) stops here" in step["attributes"]["propagationNote"]
