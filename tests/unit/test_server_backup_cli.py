"""``server backup`` and ``server restore`` refuse what they cannot do, with verify's exit codes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_ml.cli.main import cli

pytestmark = pytest.mark.unit


@pytest.fixture
def no_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty atlas-ml cache: no local server runs from it."""
    monkeypatch.setenv("ATLAS_ML_CACHE", str(tmp_path / "cache"))
    for env in ("ATLAS_ML_SERVER_PORT", "ATLAS_ML_SERVER_KAFKA_PORT", "ATLAS_ML_SERVER_ZK_PORT"):
        monkeypatch.delenv(env, raising=False)
    return tmp_path


def test_backup_of_a_stopped_server_exits_3_and_says_how_to_start_it(no_server: Path) -> None:
    outcome = CliRunner().invoke(cli, ["server", "backup", str(no_server / "b.zip")])
    assert outcome.exit_code == 3
    assert "is not running; start it with 'atlas-ml server start'" in outcome.output
    assert not (no_server / "b.zip").exists()


def test_restore_of_a_file_that_is_not_a_backup_exits_2_naming_it(no_server: Path) -> None:
    bogus = no_server / "notes.txt"
    bogus.write_text("not a zip")
    outcome = CliRunner().invoke(cli, ["server", "restore", str(bogus)])
    assert outcome.exit_code == 2
    assert f"{bogus} is not a zip written by 'server backup'" in outcome.output


def test_restore_into_a_stopped_server_exits_3(no_server: Path) -> None:
    backup = no_server / "atlas-backup.zip"
    with zipfile.ZipFile(backup, "w") as archive:
        archive.writestr("atlas-export-info.json", "{}")
    outcome = CliRunner().invoke(cli, ["server", "restore", str(backup)])
    assert outcome.exit_code == 3
    assert "is not running" in outcome.output
