"""Code fingerprints: the code behind a step, and one warning where there is no git revision."""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import logging
from pathlib import Path

import pytest

from atlas_ml.tracking import code

pytestmark = pytest.mark.unit


def _module_outside_git(tmp_path: Path) -> object:
    source = tmp_path / "prep.py"
    source.write_text("def clean(frame):\n    return frame.dropna()\n")
    spec = importlib.util.spec_from_file_location("prep_outside_git", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_function_is_fingerprinted_by_its_source_file_and_line(tmp_path: Path) -> None:
    clean = _module_outside_git(tmp_path).clean  # type: ignore[attr-defined]
    found = code.fingerprint_code(clean)

    source = "def clean(frame):\n    return frame.dropna()\n"
    assert found.source == source
    assert found.sha256 == hashlib.sha256(source.encode()).hexdigest()
    assert found.location == f"{tmp_path / 'prep.py'}:1 in clean()"


def test_a_string_is_the_code_itself_located_at_its_caller() -> None:
    line = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
    found = code.fingerprint_code("SELECT * FROM events WHERE bot = false")

    assert found.source == "SELECT * FROM events WHERE bot = false"
    assert found.location == (
        f"tests/unit/test_tracking_code.py:{line} in "
        "test_a_string_is_the_code_itself_located_at_its_caller()"
    )


def test_without_code_the_calling_function_is_the_code() -> None:
    found = code.fingerprint_code(None)

    assert found.source == inspect.getsource(test_without_code_the_calling_function_is_the_code)
    assert found.revision  # this checkout is a git repository


def test_code_outside_a_git_repository_says_so_once_instead_of_a_silent_null(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(code, "_warned", set())
    clean = _module_outside_git(tmp_path).clean  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING, logger="atlas_ml.tracking"):
        first = code.fingerprint_code(clean)
        code.fingerprint_code(clean, revisions={})

    assert first.revision is None and first.sha256
    warnings = [
        r.getMessage() for r in caplog.records if "not in a git repository" in r.getMessage()
    ]
    assert len(warnings) == 1, warnings
    assert str(tmp_path) in warnings[0]
