"""``atlas-ml verify`` keeps exit 2 for UNRECOVERABLE data: bad options and settings exit 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_ml.cli.main import cli
from atlas_ml.cli.verify import command

pytestmark = pytest.mark.unit

ATLAS_VARIABLES = (
    *("ATLAS_URL", "ATLAS_USER", "ATLAS_PASSWORD", "ATLAS_TOKEN", "ATLAS_AUTH"),
    *("ATLAS_CA_BUNDLE", "ATLAS_VERIFY_TLS", "ATLAS_NAMESPACE"),
)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--depth", "0"], "Invalid value for '--depth'"),
        (["x", "--password", "pw", "--url", "http://127.0.0.1:1"], "but no user"),
        ([], "Missing argument 'TARGET'"),
    ],
)
def test_invalid_options_and_settings_exit_3_not_the_unrecoverable_2(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ATLAS_USER", raising=False)
    outcome = CliRunner().invoke(command, args)
    assert outcome.exit_code == 3, outcome.output
    assert message in outcome.output


@pytest.fixture
def settings_only_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No ATLAS_* variable of the caller's, and the config file the test writes."""
    for name in ATLAS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config.toml"
    config.write_text("[atlas]\n")
    monkeypatch.setenv("ATLAS_ML_CONFIG", str(config))
    return config


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("[atlas]\nurl = 21000\n", {}, "url must be text in quotes, got 21000"),
        ("[atlas]\n", {"ATLAS_CA_BUNDLE": "/nonexistent/ca.pem"}, "(from ATLAS_CA_BUNDLE)"),
    ],
)
def test_broken_settings_end_verify_with_exit_3_and_a_json_error_not_a_traceback(
    settings_only_from, monkeypatch, toml, env, message
):
    settings_only_from.write_text(toml)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    outcome = CliRunner().invoke(command, ["x", "--json"])
    assert outcome.exit_code == 3, outcome.output
    assert outcome.exc_info is not None and outcome.exc_info[0] is SystemExit
    report = json.loads(outcome.output.splitlines()[0])
    assert report["status"] == "ERROR" and message in report["error"]


def test_broken_settings_end_other_commands_with_one_error_line(settings_only_from):
    settings_only_from.write_text("[atlas]\nurl = 21000\n")
    outcome = CliRunner().invoke(cli, ["typedefs", "list"])
    assert outcome.exc_info is not None and outcome.exc_info[0] is SystemExit
    assert outcome.exit_code == 2
    assert outcome.output.startswith("Error: config file ")
    assert "url must be text in quotes" in outcome.output
    assert len(outcome.output.strip().splitlines()) == 1
