"""``atlas-ml verify`` keeps exit 2 for UNRECOVERABLE data: bad options and settings exit 3."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from atlas_ml.cli.verify import command

pytestmark = pytest.mark.unit


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
