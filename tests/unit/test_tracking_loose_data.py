"""A training run says, at its end, what it was given but cannot show in Atlas."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from atlas_ml.delivery import Spool
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.unit


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    pd.DataFrame({"name": ["Ann", "Bo"], "age": [31, 47]}).to_csv(path, index=False)
    return path


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_a_classified_dataset_no_step_or_run_uses_is_named_with_its_classifications(
    csv: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    other = csv.with_name("other.csv")
    other.write_bytes(csv.read_bytes())
    with training_run("people", deliver=False, spool=Spool(tmp_path / "spool")) as run:
        run.dataset(csv).classify("PII", columns=["name"])
        run.use(other, role="train")
    [warning] = _warnings(caplog)
    assert f"dataset {csv.name} was classified PII" in warning
    assert "run.step(...) or run.use(...)" in warning


def test_an_input_no_recorded_step_produced_is_named_with_the_fix(
    csv: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with training_run("people", deliver=False, spool=Spool(tmp_path / "spool")) as run:
        frame = pd.read_csv(csv)
        run.step("load", inputs=[csv], outputs=[frame], reason="read the file")
        run.use(frame.sample(frac=1.0, random_state=0), role="train")
    [warning] = _warnings(caplog)
    assert "in-memory data that no recorded step produced" in warning
    assert "run.step(name, inputs=[...], outputs=[frame]" in warning


def test_a_run_whose_data_all_reaches_its_events_warns_about_nothing(
    csv: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with training_run("people", deliver=False, spool=Spool(tmp_path / "spool")) as run:
        raw = run.dataset(csv).classify("PII", columns=["name"])
        frame = pd.read_csv(csv)
        run.step("load", inputs=[raw], outputs=[frame], reason="read the file")
        run.use(frame, role="train")
    assert _warnings(caplog) == []


def test_a_file_that_does_not_parse_with_default_options_is_recorded_by_its_bytes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    latin1 = tmp_path / "people.csv"
    latin1.write_bytes("name;age\nRené;31\n".encode("latin-1"))
    with training_run("people", deliver=False, spool=Spool(tmp_path / "spool")) as run:
        record = run.use(latin1, role="train")
    assert run.status == "SUCCEEDED"
    assert record.manifest is not None and record.logical is None
    [warning] = _warnings(caplog)
    assert "does not parse as a table with default reader options" in warning
