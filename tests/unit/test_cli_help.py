"""``--help`` says what each option does on that command and where its setting can come from."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from atlas_ml.cli.main import cli

pytestmark = pytest.mark.unit


def help_of(*command: str) -> str:
    outcome = CliRunner().invoke(cli, [*command, "--help"], terminal_width=200)
    assert outcome.exit_code == 0, outcome.output
    return " ".join(outcome.output.split())


@pytest.mark.parametrize("command", ["stop", "status", "logs", "backup", "restore"])
def test_atlas_version_on_server_commands_that_only_find_a_server_does_not_promise_a_build(
    command: str,
) -> None:
    text = help_of("server", command)
    assert "--atlas-version" in text
    assert "assemble" not in text and "whose local server" in text


@pytest.mark.parametrize("command", [("typedefs", "list"), ("push",), ("lineage",), ("verify",)])
def test_tls_variables_are_named_where_the_other_atlas_variables_are(
    command: tuple[str, ...],
) -> None:
    text = help_of(*command)
    assert "ATLAS_URL" in text
    assert "ATLAS_CA_BUNDLE" in text and "ATLAS_VERIFY_TLS=false" in text


def test_running_the_cli_module_with_python_dash_m_runs_the_command() -> None:
    outcome = subprocess.run(
        [sys.executable, "-m", "atlas_ml.cli.main", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.stdout.startswith("Usage: atlas-ml ")


def test_server_status_help_gives_its_exit_status_for_a_stopped_server() -> None:
    text = help_of("server", "status")
    assert "Exit status 0" in text and "3 when it is stopped" in text


def test_server_build_help_says_where_the_models_come_from_without_a_local_copy() -> None:
    assert "archive.apache.org" in help_of("server", "build")


def test_push_help_names_the_cache_variable_that_moves_the_default_spool() -> None:
    assert "default $ATLAS_ML_CACHE/spool, else ~/.cache/atlas-ml/spool" in help_of("push")


def test_lineage_help_gives_its_exit_status() -> None:
    text = help_of("lineage")
    assert "Exit status: 0 when the tree is printed; 1 when TARGET is not in Atlas" in text


def test_spark_conf_namespace_help_tells_it_apart_from_the_atlas_namespace() -> None:
    text = help_of("spark", "conf")
    assert "Not Atlas's metadata namespace" in text and "ATLAS_NAMESPACE" in text
