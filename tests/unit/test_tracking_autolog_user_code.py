"""Under autolog the user's own calls return what they return without it, and never raise
because of recording."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from atlas_ml.delivery import Spool
from atlas_ml.events.facets import DATASET_VERSION
from atlas_ml.fingerprints import fingerprint_pandas
from atlas_ml.tracking import TrainingRun, training_run

pytestmark = pytest.mark.unit


def _autolog_run(tmp_path: Path) -> Any:
    return training_run("user", deliver=False, spool=Spool(tmp_path / "spool"), autolog=True)


def _fit(run: TrainingRun, frame: pd.DataFrame) -> None:
    Pipeline([("model", LogisticRegression())]).fit(frame[["x"]], frame["y"])


def _sources(spool: Spool) -> list[dict[str, Any]]:
    """The dataset version facets of what the automatic prepare steps read."""
    events = [json.loads(path.read_text()) for path in spool.pending()]
    return [
        i["facets"][DATASET_VERSION]
        for e in events
        if e["job"]["name"].endswith(".prepare")
        for i in e["inputs"]
    ]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """autolog's warnings (the run's own end-of-run advice aside)."""
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    return [m for m in messages if m.startswith("autolog ")]


def test_a_read_with_an_encoding_and_separator_returns_what_pandas_returns(
    tmp_path: Path,
) -> None:
    csv = tmp_path / "latin1.csv"
    csv.write_bytes("x;y;city\n1;0;S\xe3o Paulo\n2;1;K\xf6ln\n".encode("latin-1"))
    expected = pd.read_csv(csv, sep=";", encoding="latin-1")
    with _autolog_run(tmp_path) as run:
        frame = pd.read_csv(csv, sep=";", encoding="latin-1")
        _fit(run, frame)
    pd.testing.assert_frame_equal(frame, expected)
    [source] = _sources(run.spool)
    assert source["manifestRootHash"] and "contentHash" not in source


def test_a_read_skipping_comment_lines_records_no_schema_it_did_not_read(
    tmp_path: Path,
) -> None:
    csv = tmp_path / "commented.csv"
    csv.write_text("# comment line\nx,y\n1,0\n2,1\n")
    with _autolog_run(tmp_path) as run:
        _fit(run, pd.read_csv(csv, comment="#"))
    [source] = _sources(run.spool)
    assert source["manifestRootHash"] and "schema" not in source


def test_a_plain_read_records_the_returned_frame_without_reading_the_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = tmp_path / "plain.csv"
    pd.DataFrame({"x": [1, 2], "y": [0, 1]}).to_csv(csv, index=False)
    reads: list[Any] = []
    read_csv: Callable[..., pd.DataFrame] = pd.read_csv
    monkeypatch.setattr(pd, "read_csv", lambda *a, **k: reads.append(a) or read_csv(*a, **k))
    with _autolog_run(tmp_path) as run:
        frame = pd.read_csv(filepath_or_buffer=csv)
        _fit(run, frame)
    assert reads == [()]
    [source] = _sources(run.spool)
    assert source["contentHash"] == fingerprint_pandas(frame).content_hash


def test_a_fit_on_a_sparse_matrix_records_the_model_and_warns_about_the_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline = Pipeline([("model", LogisticRegression())])
    with _autolog_run(tmp_path) as run:
        fitted = pipeline.fit(sparse.csr_matrix(np.eye(4)), [0, 1, 0, 1])
    assert fitted is pipeline
    assert len(run.models) == 1 and run.inputs == []
    [warning] = _warnings(caplog)
    assert "could not record the training data given to Pipeline.fit (csr_matrix)" in warning
    assert "the model is recorded without its training data" in warning


def _first_items(frame: pd.DataFrame) -> Any:
    return np.array([v[0] for v in frame["a"]]).reshape(-1, 1)


def test_a_fit_on_a_list_column_records_the_model_and_warns_about_the_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline = Pipeline(
        [("first", FunctionTransformer(_first_items)), ("model", LogisticRegression())]
    )
    with _autolog_run(tmp_path) as run:
        pipeline.fit(pd.DataFrame({"a": [[1], [2], [3], [4]]}), [0, 1, 0, 1])
    assert len(run.models) == 1 and run.inputs == []
    [warning] = _warnings(caplog)
    assert "list<item: int64>" in warning


def test_a_model_that_cannot_be_saved_is_a_warning_not_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline = Pipeline([("same", FunctionTransformer(lambda d: d)), ("m", LogisticRegression())])
    with _autolog_run(tmp_path) as run:
        pipeline.fit(pd.DataFrame({"x": [1, 2, 3, 4]}), [0, 1, 0, 1])
    assert run.models == [] and len(run.inputs) == 1
    [warning] = _warnings(caplog)
    assert "could not record the model fitted by Pipeline.fit" in warning
