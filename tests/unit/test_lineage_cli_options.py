"""``atlas-ml lineage`` option checks that need no server."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from atlas_ml.cli.lineage import command

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("depth", ["0", "-1"])
def test_a_depth_below_one_is_rejected(depth: str) -> None:
    outcome = CliRunner().invoke(command, ["--depth", depth, "anything"])

    assert outcome.exit_code == 2
    assert "Invalid value for '--depth'" in outcome.output
