"""No false alarms: the Titanic and housing examples, signed and run twice each, check as
SIGNED-OK, although the second runs write the same dataset versions, steps and model
versions again."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from atlas_ml.cli.main import cli
from atlas_ml.client import AtlasClient
from atlas_ml.custody import CustodyStatus, check_chain, check_run
from atlas_ml.naming import training_run_name

pytestmark = pytest.mark.atlas

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {"titanic": "titanic-survival", "housing": "housing-prices"}
TEAMS = {"titanic": "data-science", "housing": "pricing"}


def _main(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(
        f"{name}_example", ROOT / "examples" / name / "train.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_the_titanic_and_housing_examples_stay_signed_ok(
    atlas_client: AtlasClient,
    project_types: None,
    signing: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = atlas_client.config
    monkeypatch.setenv("ATLAS_URL", config.url)
    monkeypatch.setenv("ATLAS_USER", str(config.username))
    monkeypatch.setenv("ATLAS_PASSWORD", str(config.password))
    monkeypatch.setattr(sys, "argv", ["train.py"])
    runs: list[tuple[str, str]] = []
    for name in ("titanic", "housing", "titanic", "housing"):
        _main(name)()
        printed = capsys.readouterr().out
        run_id = re.search(r"training run ([0-9a-f-]{36}): SUCCEEDED", printed)
        assert run_id is not None, printed
        runs.append((name, training_run_name(EXAMPLES[name], run_id.group(1), "primary")))

    settings = signing.settings()
    results = {qn: check_run(atlas_client, qn, settings=settings) for _, qn in runs}
    assert {qn: r.status for qn, r in results.items()} == {
        qn: CustodyStatus.SIGNED_OK for _, qn in runs
    }, [r.to_dict() for r in results.values() if r.status is not CustodyStatus.SIGNED_OK]
    assert [results[qn].sequence for name, qn in runs] == [1, 1, 2, 2]
    for team in TEAMS.values():  # this test's key; an Atlas used before may hold others
        [chain] = [
            c
            for c in check_chain(atlas_client, team, settings=settings).chains
            if c.key_id == signing.public.key_id
        ]
        assert (chain.status, chain.length) == (CustodyStatus.SIGNED_OK, 2), chain.to_dict()

    # verify shows the same for the runs behind the Titanic model version.
    first_titanic = runs[0][1]
    outcome = CliRunner().invoke(
        cli,
        [
            "verify",
            first_titanic,
            "--json",
            "--no-write-back",
            "--url",
            config.url,
            "--user",
            str(config.username),
            "--password",
            str(config.password),
        ],
    )
    custody = {c["subject"]: c["status"] for c in json.loads(outcome.output)["custody"]}
    assert custody[first_titanic] == "SIGNED-OK"
