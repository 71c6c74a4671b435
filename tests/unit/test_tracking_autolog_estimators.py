"""Under autolog every scikit-learn model the user fits is recorded once: the outermost fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
import pandas as pd
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import RFECV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from atlas_ml.delivery import Spool
from atlas_ml.fingerprints import fingerprint_pandas
from atlas_ml.fingerprints.artifacts import artifact_digest
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.unit

DATA = pd.DataFrame(
    {"x": [1, 2, 3, 4, 5, 6] * 5, "z": [3, 1, 2, 2, 1, 3] * 5, "y": [0, 0, 1, 0, 1, 1] * 5}
)
X, Y = DATA[["x", "z"]], DATA["y"]


def _autolog_run(tmp_path: Path) -> Any:
    return training_run("models", deliver=False, spool=Spool(tmp_path / "spool"), autolog=True)


def test_a_bare_estimator_fit_records_the_model_and_its_training_data(tmp_path: Path) -> None:
    with _autolog_run(tmp_path) as run:
        RandomForestClassifier(n_estimators=5, random_state=0).fit(X, Y)
    [model] = run.models
    assert type(joblib.load(model.artifact.path)) is RandomForestClassifier
    assert model.steps["RandomForestClassifier__n_estimators"] == "5"
    [train] = run.inputs
    assert train.fingerprint == fingerprint_pandas(DATA).content_hash


def test_a_meta_estimator_records_itself_not_the_pipelines_it_fits_inside(tmp_path: Path) -> None:
    pipeline = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])
    with _autolog_run(tmp_path) as run:
        CalibratedClassifierCV(pipeline, cv=3).fit(X, Y)
        RFECV(LogisticRegression(), cv=3).fit(X, Y)
    saved = [type(joblib.load(model.artifact.path)) for model in run.models]
    assert saved == [CalibratedClassifierCV, RFECV]


def test_a_transformer_fitted_alone_prepares_data_and_is_not_a_model(tmp_path: Path) -> None:
    with _autolog_run(tmp_path) as run:
        StandardScaler().fit(X)
        PCA(n_components=1).fit_transform(X)
        Pipeline([("scale", StandardScaler()), ("pca", PCA(n_components=1))]).fit(X)
    assert run.models == []
    assert run.inputs == []


def test_two_models_of_one_run_keep_their_own_artifact_files(tmp_path: Path) -> None:
    with _autolog_run(tmp_path) as run:
        LogisticRegression().fit(X, Y)
        RandomForestClassifier(n_estimators=3, random_state=0).fit(X, Y)
    first, second = run.models
    assert type(joblib.load(first.artifact.path)) is LogisticRegression
    assert type(joblib.load(second.artifact.path)) is RandomForestClassifier
    for model in run.models:
        assert artifact_digest(model.artifact.path) == model.artifact.sha256
