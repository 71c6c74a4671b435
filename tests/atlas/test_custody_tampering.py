"""Chain of custody against a real Atlas: edits made behind atlas-ml's back are found.

Each tampering is done as an insider would: plain HTTP requests to Atlas's REST API with admin
credentials, never through atlas-ml. Every test signs its own runs on data of its own (a CSV
with the test's unique token, a team of its own), so one test's tampering cannot touch
another test's entities or chain.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests
from click.testing import CliRunner

from atlas_ml.cli.main import cli
from atlas_ml.client import AtlasClient
from atlas_ml.custody import CustodyStatus, check_chain, check_run
from atlas_ml.custody.bundle import bundle_path
from atlas_ml.custody.envelope import seal
from atlas_ml.custody.keys import generate_key, load_signing_key
from atlas_ml.delivery import Spool
from atlas_ml.naming import model_version_name, training_run_name
from atlas_ml.tracking import TrainingRun, training_run

pytestmark = pytest.mark.atlas

RUN_TYPE, VERSION_TYPE, MODEL_TYPE = (
    "atlasml_training_run",
    "atlasml_dataset_version",
    "atlasml_model_version",
)


class Insider:
    """Someone with Atlas admin credentials editing Atlas directly, without atlas-ml."""

    def __init__(self, client: AtlasClient) -> None:
        config = client.config
        self.base = f"{config.url}/api/atlas"
        self.auth = (str(config.username), str(config.password))

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, self.base + path, auth=self.auth, timeout=60, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def entity(self, type_name: str, qualified_name: str) -> dict[str, Any]:
        return self._call(
            "GET",
            f"/v2/entity/uniqueAttribute/type/{type_name}",
            params={"attr:qualifiedName": qualified_name},
        )["entity"]

    def set_attributes(self, type_name: str, qualified_name: str, **attributes: Any) -> None:
        self._call(
            "PUT",
            f"/v2/entity/uniqueAttribute/type/{type_name}",
            params={"attr:qualifiedName": qualified_name},
            json={"entity": {"typeName": type_name, "attributes": attributes}},
        )

    def delete_relationship(self, guid: str) -> None:
        self._call("DELETE", f"/v2/relationship/guid/{guid}")

    def delete_entity(self, guid: str) -> None:
        self._call("DELETE", f"/v2/entity/guid/{guid}")


@pytest.fixture
def insider(atlas_client: AtlasClient) -> Insider:
    return Insider(atlas_client)


@pytest.fixture
def team(unique: str) -> str:
    return f"{unique}-team"


def _signed_run(
    client: AtlasClient, root: Path, unique: str, team: str, number: int = 1
) -> TrainingRun:
    """A small signed run on data only this test has, delivered to Atlas."""
    folder = root / f"run{number}"
    folder.mkdir(parents=True)
    csv = folder / "loans.csv"
    csv.write_text(f"id,amount,token,label\n1,{number}00,{unique},0\n2,250,{unique},1\n3,75,x,0\n")
    spool = Spool(folder / "spool")
    with training_run(f"{unique}-loans", team=team, client=client, spool=spool) as run:
        raw = run.dataset(csv, role="raw", origin="test data")
        frame = pd.read_csv(csv)
        (clean,) = run.step(
            "clean",
            inputs=[raw],
            outputs={"clean": frame[frame.amount > 80]},
            reason="drop tiny loans",
            params={"min_amount": 80},
        )
        run.use(clean, role="train")
        run.log_params(max_depth=4, seed=number)
        run.log_metrics(auc=0.81)
        model = {"weights": [number, 2, 3], "token": unique}
        run.log_model(model, name=f"{unique}-model", directory=folder / "model")
    assert run.delivery is not None and run.delivery.delivered and not run.delivery.rejected
    return run


def _qn(run: TrainingRun) -> str:
    return training_run_name(run.pipeline, run.run_id, "primary")


def _check(client: AtlasClient, run: TrainingRun, signing: Any) -> Any:
    return check_run(client, _qn(run), settings=signing.settings())


def _signed_records(insider: Insider, run: TrainingRun) -> list[dict[str, Any]]:
    """The records the run's attestation signed, read from Atlas."""
    statement = _statement(insider, run)
    return list(statement["predicate"]["records"])


def _attestation(insider: Insider, run: TrainingRun) -> dict[str, Any]:
    [ref] = insider.entity(RUN_TYPE, _qn(run))["relationshipAttributes"]["attestations"]
    return insider._call("GET", f"/v2/entity/guid/{ref['guid']}")["entity"]


def _statement(insider: Insider, run: TrainingRun) -> dict[str, Any]:
    envelope = json.loads(_attestation(insider, run)["attributes"]["envelope"])
    return json.loads(base64.b64decode(envelope["payload"]))


def test_an_untouched_signed_run_is_signed_ok_and_verify_says_so(
    atlas_client: AtlasClient,
    project_types: None,
    signing: Any,
    tmp_path: Path,
    unique: str,
    team: str,
) -> None:
    run = _signed_run(atlas_client, tmp_path, unique, team)
    result = _check(atlas_client, run, signing)
    assert result.status is CustodyStatus.SIGNED_OK, result
    assert (result.sequence, result.key_id) == (1, signing.public.key_id)
    version = model_version_name(f"{unique}-model", run.models[0].artifact.sha256, "primary")
    outcome = CliRunner().invoke(
        cli, ["verify", version, "--json", "--no-write-back", *_conn(atlas_client)]
    )
    body = json.loads(outcome.output)
    assert [(c["subject"], c["status"]) for c in body["custody"]] == [(_qn(run), "SIGNED-OK")]
    assert outcome.exit_code == 0, outcome.output


def test_a_changed_manifest_root_hash_is_tampered_naming_the_dataset_version(
    atlas_client: AtlasClient,
    project_types: None,
    signing: Any,
    tmp_path: Path,
    unique: str,
    team: str,
    insider: Insider,
) -> None:
    run = _signed_run(atlas_client, tmp_path, unique, team)
    [raw] = [r for r in _signed_records(insider, run) if r["qualifiedName"].startswith("file:")]
    signed = raw["attributes"]["manifestRootHash"]
    insider.set_attributes(VERSION_TYPE, raw["qualifiedName"], manifestRootHash="0" * 64)

    result = _check(atlas_client, run, signing)

    assert result.status is CustodyStatus.TAMPERED
    [finding] = result.findings
    assert finding.entity.startswith("dataset version loans.csv@")
    assert (finding.field, finding.signed, finding.current) == (
        "manifestRootHash",
        signed,
        "0" * 64,
    )


def test_a_changed_run_parameter_is_tampered_naming_the_parameter(
    atlas_client: AtlasClient,
    project_types: None,
    signing: Any,
    tmp_path: Path,
    unique: str,
    team: str,
    insider: Insider,
) -> None:
    run = _signed_run(atlas_client, tmp_path, unique, team)
    parameters = insider.entity(RUN_TYPE, _qn(run))["attributes"]["parameters"]
    insider.set_attributes(RUN_TYPE, _qn(run), parameters={**parameters, "max_depth": "12"})

    result = _check(atlas_client, run, signing)

    assert result.status is CustodyStatus.TAMPERED
    [finding] = result.findings
    assert finding.entity == f"training run {run.pipeline} run {run.run_id[:8]}"
    assert (finding.field, finding.signed, finding.current) == ("parameters[max_depth]", "4", "12")


def test_a_removed_input_relationship_is_tampered_naming_the_input(
    atlas_client: AtlasClient,
    project_types: None,
    signing: Any,
    tmp_path: Path,
    unique: str,
    team: str,
    insider: Insider,
) -> None:
    run = _signed_run(atlas_client, tmp_path, unique, team)
    [link] = insider.entity(RUN_TYPE, _qn(run))["relationshipAttributes"]["inputs"]
    insider.delete_relationship(link["relationshipGuid"])

    result = _check(atlas_client, run, signing)

    assert result.status is CustodyStatus.TAMPERED
    [finding] = result.findings
    assert finding.field == "inputs" and finding.current == "removed"
    assert finding.signed.startswith(f"memory:{run.pipeline}/clean#")


def test_a_swapped_model_artifact_digest_is_tampered(
    atlas_client: AtlasClient,
    project_types: None,
    signing: Any,
    tmp_path: Path,
    unique: str,
    team: str,
    insider: Insider,
) -> None:
    run = _signed_run(atlas_client, tmp_path, unique, team)
    digest = run.models[0].artifact.sha256
    version = model_version_name(f"{unique}-model", digest, "primary")
    insider.set_attributes(MODEL_TYPE, version, artifactSha256="e" * 64)

    result = _check(atlas_client, run, signing)

    assert result.status is CustodyStatus.TAMPERED
    [finding] = result.findings
    assert finding.entity.startswith(f"model version {unique}-model@")
    assert (finding.field, finding.signed, finding.current) == ("artifactSha256", digest, "e" * 64)


def test_a_deleted_training_run_is_a_chain_gap_seen_from_the_next_run(
    atlas_client: AtlasClient,
    project_types: None,
    signing: Any,
    tmp_path: Path,
    unique: str,
    team: str,
    insider: Insider,
) -> None:
    first, second, third = (_signed_run(atlas_client, tmp_path, unique, team, n) for n in (1, 2, 3))
    assert _check(atlas_client, third, signing).status is CustodyStatus.SIGNED_OK
    second_attestation = _attestation(insider, second)["guid"]
    insider.delete_entity(insider.entity(RUN_TYPE, _qn(second))["guid"])

    after = _check(atlas_client, third, signing)
    assert after.status is CustodyStatus.CHAIN_GAP
    [finding] = after.findings
    assert (finding.field, finding.signed, finding.current) == (
        "training run of #2",
        _qn(second),
        "deleted from Atlas",
    )
    assert _check(atlas_client, first, signing).status is CustodyStatus.SIGNED_OK
    chain = check_chain(atlas_client, team, settings=signing.settings())
    assert chain.status is CustodyStatus.CHAIN_GAP
    assert [f.entity for f in chain.chains[0].findings] == [f"chain {team} #2"]

    # Deleting the attestation too leaves the next run's link pointing at nothing.
    insider.delete_entity(second_attestation)
    [gone] = _check(atlas_client, third, signing).findings
    assert (gone.field, gone.current) == ("previous attestation", "deleted from Atlas")


def test_an_attestation_resigned_with_an_untrusted_key_is_untrusted(
    atlas_client: AtlasClient,
    project_types: None,
    signing: Any,
    tmp_path: Path,
    unique: str,
    team: str,
    insider: Insider,
) -> None:
    run = _signed_run(atlas_client, tmp_path, unique, team)
    attestation = _attestation(insider, run)
    statement = _statement(insider, run)
    statement["predicate"]["records"][0]["attributes"]["parameters"]["max_depth"] = "12"
    forger = generate_key(tmp_path / "forger.pem")
    statement["predicate"]["custody"].update(keyId=forger.key_id, publicKey=forger.text)
    forged, _ = seal(statement, load_signing_key(tmp_path / "forger.pem"))
    parameters = insider.entity(RUN_TYPE, _qn(run))["attributes"]["parameters"]
    insider.set_attributes(RUN_TYPE, _qn(run), parameters={**parameters, "max_depth": "12"})
    insider.set_attributes(
        "atlasml_attestation",
        attestation["attributes"]["qualifiedName"],
        envelope=json.dumps(forged),
    )

    result = _check(atlas_client, run, signing)

    assert result.status is CustodyStatus.UNTRUSTED
    assert result.key_id == forger.key_id
    assert f"not trusted for team {team}" in result.summary


def test_a_truncated_envelope_file_beside_the_model_is_tampered(
    atlas_client: AtlasClient,
    project_types: None,
    signing: Any,
    tmp_path: Path,
    unique: str,
    team: str,
) -> None:
    run = _signed_run(atlas_client, tmp_path, unique, team)
    bundle = bundle_path(run.models[0].artifact.path)
    assert CliRunner().invoke(cli, ["attest", "verify", str(bundle)]).exit_code == 0
    bundle.write_bytes(bundle.read_bytes()[:-40])

    outcome = CliRunner().invoke(cli, ["attest", "verify", str(bundle), "--json"])

    assert outcome.exit_code == 1, outcome.output
    [result] = json.loads(outcome.output)["results"]
    assert result["status"] == "TAMPERED" and result["findings"][0]["field"] == "content"


def _conn(client: AtlasClient) -> list[str]:
    config = client.config
    return ["--url", config.url, "--user", str(config.username), "--password", str(config.password)]


def test_a_step_rerun_by_a_later_signed_run_stays_the_earlier_runs_and_edits_show_on_their_own_run(
    atlas_client: AtlasClient,
    project_types: None,
    signing: Any,
    tmp_path: Path,
    unique: str,
    team: str,
    insider: Insider,
) -> None:
    first = _rerun_with_reason(atlas_client, tmp_path / "a", unique, team, "drop tiny loans")
    second = _rerun_with_reason(atlas_client, tmp_path / "b", unique, team, "policy 7 says so")

    # Each run's step is its own entity (it names its run), so the later run's reasoning
    # never lands on the earlier run's signed step.
    assert _check(atlas_client, first, signing).status is CustodyStatus.SIGNED_OK
    assert _check(atlas_client, second, signing).status is CustodyStatus.SIGNED_OK
    step = next(r for r in _signed_records(insider, second) if r["typeName"] == "atlasml_transform")
    insider.set_attributes("atlasml_transform", step["qualifiedName"], reasoning="no reason")

    edited = _check(atlas_client, second, signing)
    assert edited.status is CustodyStatus.TAMPERED
    assert any(f.field == "reasoning" for f in edited.findings), edited.to_dict()
    assert _check(atlas_client, first, signing).status is CustodyStatus.SIGNED_OK


def _rerun_with_reason(
    client: AtlasClient, folder: Path, unique: str, team: str, reason: str
) -> TrainingRun:
    """The same step on the same bytes (so the same transform entity), with ``reason``."""
    folder.mkdir(parents=True)
    csv = folder.parent / "shared.csv"
    if not csv.exists():
        csv.write_text(f"id,amount,token\n1,100,{unique}\n2,50,{unique}\n")
    with training_run(
        f"{unique}-shared", team=team, client=client, spool=Spool(folder / "spool")
    ) as run:
        raw = run.dataset(csv, role="raw")
        frame = pd.read_csv(csv)
        (clean,) = run.step("clean", inputs=[raw], outputs={"clean": frame}, reason=reason)
        run.use(clean)
        run.log_model({"token": unique, "reason": reason}, name=f"{unique}-m", directory=folder)
    assert run.delivery is not None and run.delivery.delivered
    return run
