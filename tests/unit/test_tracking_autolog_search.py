"""Under autolog a search records the model it keeps, not the fits it made to choose it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_predict, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from atlas_ml.delivery import Spool
from atlas_ml.fingerprints import fingerprint_pandas
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.unit

DATA = pd.DataFrame({"x": [1, 2, 3, 4, 5, 6] * 5, "y": [0, 0, 1, 0, 1, 1] * 5})


def _pipeline() -> Pipeline:
    return Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])


def _autolog_run(tmp_path: Path) -> Any:
    return training_run("search", deliver=False, spool=Spool(tmp_path / "spool"), autolog=True)


def test_a_grid_search_records_its_best_estimator_with_the_data_given_to_the_search(
    tmp_path: Path,
) -> None:
    with _autolog_run(tmp_path) as run:
        search = GridSearchCV(_pipeline(), {"model__C": [0.1, 1.0]}, cv=3)
        search.fit(DATA[["x"]], DATA["y"])
    [model] = run.models
    saved = joblib.load(model.artifact.path)
    assert saved.get_params()["model__C"] == search.best_params_["model__C"]
    [train] = run.inputs
    assert train.logical is not None and train.logical.row_count == len(DATA)
    assert train.fingerprint == fingerprint_pandas(DATA).content_hash


def test_a_search_without_refit_records_no_model(tmp_path: Path) -> None:
    with _autolog_run(tmp_path) as run:
        GridSearchCV(_pipeline(), {"model__C": [0.1, 1.0]}, cv=3, refit=False).fit(
            DATA[["x"]], DATA["y"]
        )
    assert run.models == [] and run.inputs == []


def test_cross_validation_records_only_the_final_fit(tmp_path: Path) -> None:
    with _autolog_run(tmp_path) as run:
        cross_val_score(_pipeline(), DATA[["x"]], DATA["y"], cv=3)
        cross_val_predict(_pipeline(), DATA[["x"]], DATA["y"], cv=3)
        _pipeline().fit(DATA[["x"]], DATA["y"])
    assert len(run.models) == 1
    [train] = run.inputs
    assert train.logical is not None and train.logical.row_count == len(DATA)
