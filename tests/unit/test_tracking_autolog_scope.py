"""autolog records each call into the run of the calling thread, and only while it runs."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import _validation
from sklearn.model_selection._search import BaseSearchCV
from sklearn.pipeline import Pipeline

from atlas_ml.delivery import Spool
from atlas_ml.fingerprints import fingerprint_pandas
from atlas_ml.tracking import TrainingRun, training_run

pytestmark = pytest.mark.unit


def _pipeline() -> Pipeline:
    return Pipeline([("model", LogisticRegression())])


def _step_inputs(spool: Spool) -> list[str]:
    events = [json.loads(path.read_text()) for path in spool.pending()]
    return [i["name"] for e in events if e["job"]["name"].endswith(".prepare") for i in e["inputs"]]


FRAMES = {
    "a": pd.DataFrame({"x": [1, 2, 3, 4], "y": [0, 1, 0, 1]}),
    "b": pd.DataFrame({"x": [5, 6, 7, 8], "y": [1, 0, 1, 0]}),
}


def _train_in_threads(tmp_path: Path) -> dict[str, TrainingRun]:
    """Run a starts first and ends first, while b still runs: the order that leaked."""
    for name, frame in FRAMES.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    b_started, a_ended = threading.Event(), threading.Event()
    runs: dict[str, TrainingRun] = {}
    errors: list[BaseException] = []

    def train(name: str, wait: threading.Event, then: threading.Event | None) -> None:
        try:
            spool = Spool(tmp_path / f"spool-{name}")
            with training_run(f"run-{name}", deliver=False, spool=spool, autolog=True) as run:
                if name == "b":
                    b_started.set()
                assert wait.wait(10)
                data = pd.read_csv(tmp_path / f"{name}.csv")
                _pipeline().fit(data[["x"]], data["y"])
            runs[name] = run
        except BaseException as exc:
            errors.append(exc)
        finally:
            if then is not None:
                then.set()

    threads = [
        threading.Thread(target=train, args=("a", b_started, a_ended)),
        threading.Thread(target=train, args=("b", a_ended, None)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    return runs


def test_two_runs_in_threads_each_record_only_their_own_data_and_model(tmp_path: Path) -> None:
    runs = _train_in_threads(tmp_path)
    for name, frame in FRAMES.items():
        run = runs[name]
        [train_input] = run.inputs
        assert train_input.fingerprint == fingerprint_pandas(frame).content_hash
        assert len(run.models) == 1
        assert _step_inputs(run.spool) == [str(tmp_path / f"{name}.csv")]


def _patched() -> dict[str, Any]:
    return {
        "read_csv": pd.read_csv,
        "read_parquet": pd.read_parquet,
        "read_json": pd.read_json,
        "fit": Pipeline.fit,
        "search": BaseSearchCV.fit,
        "folds": _validation._fit_and_score,
    }


def test_after_both_runs_end_pandas_and_sklearn_are_the_originals(tmp_path: Path) -> None:
    originals = _patched()
    runs = _train_in_threads(tmp_path)
    assert _patched() == originals
    pd.read_csv(tmp_path / "a.csv")
    _pipeline().fit(pd.DataFrame({"x": [1, 2]}), [0, 1])
    assert [len(run.models) for run in runs.values()] == [1, 1]
    assert [len(run.inputs) for run in runs.values()] == [1, 1]


def test_a_thread_without_an_autolog_run_records_nothing(tmp_path: Path) -> None:
    csv = tmp_path / "a.csv"
    pd.DataFrame({"x": [1, 2], "y": [0, 1]}).to_csv(csv, index=False)

    def elsewhere() -> None:
        data = pd.read_csv(csv)
        _pipeline().fit(data[["x"]], data["y"])

    with training_run("main", deliver=False, spool=Spool(tmp_path / "s"), autolog=True) as run:
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join(30)
    assert run.models == [] and run.inputs == []
