"""``atlas-ml lineage`` option checks that need no server."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from atlas_ml.cli.lineage import command

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("depth", ["0", "-1"])
def test_a_depth_below_one_is_rejected(depth: str) -> None:
    outcome = CliRunner().invoke(command, ["--depth", depth, "anything"])

    assert outcome.exit_code == 2
    assert "Invalid value for '--depth'" in outcome.output


def test_an_atlas_that_cannot_be_reached_exits_3_not_the_not_found_1() -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{closed.getsockname()[1]}"  # bound, never listening: refused
    try:
        outcome = CliRunner().invoke(command, ["--url", url, "anything"])
    finally:
        closed.close()

    assert outcome.exit_code == 3, outcome.output
    assert f"cannot read from Atlas at {url}" in outcome.output
