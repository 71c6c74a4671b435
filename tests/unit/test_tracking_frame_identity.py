"""A run records the content a frame has when it is used, not what its ``id`` once had."""

from __future__ import annotations

import builtins
import logging
from pathlib import Path

import pandas as pd
import pytest

import atlas_ml.tracking.run as run_module
from atlas_ml.delivery import Spool
from atlas_ml.fingerprints import fingerprint_pandas
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.unit


def test_a_frame_changed_in_place_after_a_step_is_used_with_its_new_content(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with training_run("people", deliver=False, spool=Spool(tmp_path / "spool")) as run:
        raw = run.dataset(pd.DataFrame({"age": [1.0, None, 3.0]}), name="raw")
        clean = pd.DataFrame({"age": [1.0, None, 3.0]})
        [written] = run.step("clean", inputs=[raw], outputs={"clean": clean}, reason="copy")
        clean["age"] = clean["age"].fillna(-1)
        train = run.use(clean, role="train")
    assert train is not written
    assert train.fingerprint == fingerprint_pandas(clean).content_hash
    assert written.fingerprint != train.fingerprint
    assert train.name == written.name and train.derivation is None
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("changed in place after it was recorded" in m for m in messages)
    assert any("no recorded step produced" in m for m in messages)


def test_a_frame_used_unchanged_keeps_the_record_its_step_wrote(tmp_path: Path) -> None:
    with training_run("people", deliver=False, spool=Spool(tmp_path / "spool")) as run:
        clean = pd.DataFrame({"age": [1, 2]})
        [written] = run.step("load", inputs=[], outputs={"clean": clean}, reason="made here")
        assert run.use(clean, role="train") is written


def test_a_frame_with_the_id_of_an_earlier_frame_gets_its_own_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CPython reuses the id of a collected object; make every frame share one id."""
    monkeypatch.setattr(
        run_module,
        "id",
        lambda obj: 1 if isinstance(obj, pd.DataFrame) else builtins.id(obj),
        raising=False,
    )
    with training_run("people", deliver=False, spool=Spool(tmp_path / "spool")) as run:
        first = run.dataset(pd.DataFrame({"x": [1, 1, 1]}), name="first")
        other = pd.DataFrame({"x": [2, 2, 2]})
        second = run.dataset(other, name="second")
    assert second is not first
    assert second.fingerprint == fingerprint_pandas(other).content_hash
