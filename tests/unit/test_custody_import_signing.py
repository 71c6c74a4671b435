"""Runs ``atlas-ml import mlflow`` builds are signed once: an unchanged run imported again
carries the attestation of its first import, a changed one is signed at the next link."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace
from typing import Any

import pytest

from atlas_ml.custody.attest import ImportSigner
from atlas_ml.custody.chain import ChainLog
from atlas_ml.events.facets import CUSTODY
from atlas_ml.mlflow_sync.importer import _run_event

pytestmark = pytest.mark.unit

RUN_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def _mlflow_run(params: dict[str, str]) -> tuple[Any, Any]:
    experiment = SimpleNamespace(name="housing", experiment_id="1")
    info = SimpleNamespace(
        run_id=RUN_ID,
        experiment_id="1",
        status="FINISHED",
        user_id="ada",
        start_time=1_700_000_000_000,
        end_time=1_700_000_060_000,
    )
    data = SimpleNamespace(tags={"mlflow.source.name": "train.py"}, params=params, metrics={})
    return experiment, SimpleNamespace(info=info, data=data)


def _imported(signing: Any, params: dict[str, str]) -> dict[str, Any]:
    """One import of the run by a new process (a new signer), its event as spooled."""
    experiment, run = _mlflow_run(params)
    event = _run_event("sqlite:///mlflow.db", experiment, run, [], [], "risk")
    ImportSigner("primary", signing.settings()).sign(event, "risk")
    return event


def test_an_unchanged_run_imported_again_carries_its_first_attestation(signing: Any) -> None:
    first = _imported(signing, {"alpha": "0.5"})["run"]["facets"][CUSTODY]
    again = _imported(signing, {"alpha": "0.5"})["run"]["facets"][CUSTODY]

    assert again == first
    assert (first["team"], first["sequence"], first.get("previousSha256")) == ("risk", 1, None)
    assert len(list(ChainLog(signing.log_dir).entries("risk", signing.public.key_id))) == 1


def test_a_run_changed_in_mlflow_is_signed_again_at_the_next_link(signing: Any) -> None:
    first = _imported(signing, {"alpha": "0.5"})["run"]["facets"][CUSTODY]
    changed = _imported(signing, {"alpha": "0.7"})["run"]["facets"][CUSTODY]

    assert (changed["sequence"], changed["previousSha256"]) == (2, first["payloadSha256"])
    statement = json.loads(base64.b64decode(changed["envelope"]["payload"]))
    [run_record] = [r for r in statement["predicate"]["records"] if r["typeName"].endswith("run")]
    assert run_record["attributes"]["parameters"] == {"alpha": "0.7"}
    assert run_record["attributes"]["team"] == "risk"


@pytest.mark.usefixtures("unsigned")
def test_without_a_signing_key_imported_runs_stay_unsigned() -> None:
    experiment, run = _mlflow_run({"alpha": "0.5"})
    event = _run_event("sqlite:///mlflow.db", experiment, run, [], [], "risk")
    signer = ImportSigner("primary")

    assert signer.key is None and signer.sign(event, "risk") is None
    assert CUSTODY not in event["run"]["facets"]
