"""Small recorded runs for the record-fidelity tests (issue 13): a CSV, a model, Atlas reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.linear_model import LogisticRegression

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool
from atlas_ml.naming import model_version_name
from atlas_ml.tracking import TrainingRun, training_run

TITANIC = Path(__file__).resolve().parents[2] / "examples" / "data" / "titanic.csv"
FEATURES = ["Pclass", "SibSp", "Parch"]


def titanic_copy(target: Path, marker: str | None = None, drop_last_rows: int = 0) -> Path:
    """The Titanic CSV at ``target``, without its last ``drop_last_rows`` passengers, and with
    one more passenger named ``marker``.

    The marker makes the bytes this test's own: other tests' classified copies of the same
    bytes would otherwise be linked to it as inferred copies (and their classifications
    reach it).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = TITANIC.read_text().splitlines(keepends=True)
    if drop_last_rows:
        lines = lines[:-drop_last_rows]
    if marker:
        lines.append(f'999,0,3,"{marker}, Mr. Test",male,30,0,0,{marker},7.25,,S\n')
    target.write_text("".join(lines))
    return target


def train_on(
    client: AtlasClient,
    csv: Path,
    pipeline: str,
    spool: Path,
    classify: dict[str, Any] | None = None,
    **options: Any,
) -> TrainingRun:
    """A run that trains a small model on ``csv`` read as it is (the CSV is the run's input),
    ``classify`` (name and attributes) set on the CSV; delivered, nothing left or rejected."""
    with training_run(pipeline, client=client, spool=Spool(spool), **options) as run:
        raw = run.use(csv, role="train")
        if classify:
            raw.classify(**classify)
        frame = pd.read_csv(csv)
        model = LogisticRegression(max_iter=200).fit(frame[FEATURES], frame["Survived"])
        run.log_model(model, name=pipeline, directory=spool.parent / f"{pipeline}-model")
    assert run.delivery is not None and run.delivery.remaining == 0, run.delivery
    assert run.delivery.rejected == 0, list(Path(spool, "rejected").glob("*.error"))
    return run


def model_version(client: AtlasClient, run: TrainingRun) -> dict[str, Any]:
    """The model version ``run`` logged, as Atlas holds it."""
    model = run.models[0]
    name = model_version_name(model.name, model.artifact.sha256, client.config.namespace)
    return entity(client, "atlasml_model_version", name)


def entity(client: AtlasClient, type_name: str, qualified_name: str) -> dict[str, Any]:
    found: dict[str, Any] = client.entities.get_by_unique_attribute(type_name, qualified_name)[
        "entity"
    ]
    return found


def classification_names(found: dict[str, Any]) -> set[str]:
    """Every classification on an entity, its own or propagated to it."""
    return {c["typeName"] for c in found.get("classifications") or []}
