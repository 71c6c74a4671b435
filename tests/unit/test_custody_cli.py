"""``atlas-ml keys`` and ``atlas-ml attest verify``: what a user types and sees, no Atlas."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from atlas_ml.cli.main import cli
from atlas_ml.custody import CustodyStatus, sign_report, verify_file
from atlas_ml.custody.bundle import bundle_path
from atlas_ml.custody.keys import generate_key
from atlas_ml.custody.settings import load_custody_settings
from atlas_ml.delivery import Spool
from atlas_ml.tracking import training_run

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("unsigned")]


def _cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _signed_model(tmp_path: Path) -> Path:
    with training_run("offline", team="risk", deliver=False, spool=_spool(tmp_path)) as run:
        run.log_model({"w": [1, 2, 3]}, name="offline", directory=tmp_path / "model")
    return run.models[0].artifact.path


def _spool(tmp_path: Path) -> Spool:
    return Spool(tmp_path / "spool")


def test_keys_generate_writes_a_0600_key_sets_it_and_trusts_it_for_the_team(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "cfg" / "config.toml"
    monkeypatch.setenv("ATLAS_ML_CONFIG", str(config))
    monkeypatch.delenv("ATLAS_ML_SIGNING_KEY", raising=False)
    outcome = _cli("keys", "generate", "--team", "risk")
    assert outcome.exit_code == 0, outcome.output
    key = tmp_path / "cfg" / "keys" / "signing-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    settings = load_custody_settings(config)
    loaded = settings.load_key()
    assert settings.signing_key == key and loaded is not None
    assert [k.key_id for k in settings.trusted_for("risk")] == [loaded.public.key_id]
    assert f"public key  {loaded.public.text}" in outcome.output
    again = _cli("keys", "generate")
    assert again.exit_code == 2 and "already exists: pass --force" in again.output


def test_keys_generate_encrypt_without_a_terminal_needs_the_passphrase_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_ML_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("ATLAS_ML_SIGNING_KEY_PASSPHRASE", raising=False)
    outcome = _cli("keys", "generate", "--encrypt")
    assert outcome.exit_code == 2
    assert "set ATLAS_ML_SIGNING_KEY_PASSPHRASE" in outcome.output


def test_keys_show_says_unsigned_when_no_key_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_ML_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / "config.toml").write_text("")
    monkeypatch.delenv("ATLAS_ML_SIGNING_KEY", raising=False)
    outcome = _cli("keys", "show")
    assert outcome.exit_code == 0
    assert "signing key  none: runs are recorded UNSIGNED" in outcome.output


def test_keys_show_prints_the_public_key_others_trust(signing) -> None:
    outcome = _cli("keys", "show", "--json")
    body = json.loads(outcome.output)
    assert body["signingKey"]["publicKey"] == signing.public.text
    assert body["signingKey"]["mode"] == "0600"
    assert body["trustedKeys"]["*"][0]["keyId"] == signing.public.key_id


def test_keys_trust_takes_the_pub_file_and_refuses_a_malformed_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("ATLAS_ML_CONFIG", str(config))
    public = generate_key(tmp_path / "theirs.pem")
    (tmp_path / "theirs.pub").write_text(public.text + "\n")
    outcome = _cli("keys", "trust", "pricing", str(tmp_path / "theirs.pub"))
    assert outcome.exit_code == 0, outcome.output
    assert load_custody_settings(config).trusted_for("pricing")[0].key_id == public.key_id
    bad = _cli("keys", "trust", "pricing", "ed25519:nothex")
    assert bad.exit_code == 2 and "64 hex digits" in bad.output


def test_attest_verify_of_a_signed_model_is_signed_ok(tmp_path: Path, signing) -> None:
    model = _signed_model(tmp_path)
    outcome = _cli("attest", "verify", str(model))
    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.startswith(f"SIGNED-OK  {bundle_path(model)}")
    assert "artifact's digest matches" in outcome.output


def test_a_truncated_envelope_file_is_tampered(tmp_path: Path, signing) -> None:
    model = _signed_model(tmp_path)
    bundle = bundle_path(model)
    bundle.write_bytes(bundle.read_bytes()[: bundle.stat().st_size // 2])
    outcome = _cli("attest", "verify", str(bundle), "--json")
    assert outcome.exit_code == 1
    [result] = json.loads(outcome.output)["results"]
    assert result["status"] == "TAMPERED"
    assert result["findings"][0]["field"] == "content"
    assert "ends early" in result["findings"][0]["current"]


def test_a_model_replaced_beside_its_envelope_is_tampered_naming_both_digests(
    tmp_path: Path, signing
) -> None:
    model = _signed_model(tmp_path)
    signed = model.read_bytes()
    model.write_bytes(signed + b"\0")
    [result] = verify_file(model)
    assert result.status is CustodyStatus.TAMPERED
    [finding] = result.findings
    assert finding.field == "sha256" and finding.current != finding.signed


def test_an_envelope_signed_by_a_key_trusted_elsewhere_is_untrusted(
    tmp_path: Path, signing
) -> None:
    model = _signed_model(tmp_path)
    config = tmp_path / "checker.toml"
    config.write_text(f'[custody.trusted_keys]\nother = ["{signing.public.text}"]\n')
    outcome = _cli("attest", "verify", str(model), "--config", str(config))
    assert outcome.exit_code == 1
    assert outcome.output.startswith("UNTRUSTED")
    assert "not trusted for team risk" in outcome.output


def test_a_model_without_an_envelope_is_unsigned_exit_2(tmp_path: Path) -> None:
    model = tmp_path / "model.bin"
    model.write_bytes(b"weights")
    outcome = _cli("attest", "verify", str(model))
    assert outcome.exit_code == 2
    assert outcome.output.startswith("UNSIGNED")
    missing = _cli("attest", "verify", str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_a_signed_report_verifies_and_an_edited_one_does_not(tmp_path: Path, signing) -> None:
    signed = sign_report({"models": [{"name": "m", "trainedOn": "x"}]}, "audit.json", kind="audit")
    assert signed is not None
    report, _ = signed.write(tmp_path / "audit.json")
    [ok] = verify_file(report)
    assert ok.status is CustodyStatus.SIGNED_OK
    report.write_bytes(report.read_bytes().replace(b'"x"', b'"y"'))
    [edited] = verify_file(report)
    assert edited.status is CustodyStatus.TAMPERED


def test_sign_report_without_a_key_returns_none(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "c.toml").write_text("")
    monkeypatch.setenv("ATLAS_ML_CONFIG", str(tmp_path / "c.toml"))
    monkeypatch.delenv("ATLAS_ML_SIGNING_KEY", raising=False)
    assert sign_report({"a": 1}, "r.json") is None


@pytest.mark.parametrize(
    "command",
    [
        ("keys", "generate"),
        ("keys", "show"),
        ("keys", "trust"),
        ("attest", "verify"),
        ("attest", "chain"),
    ],
)
def test_every_custody_command_explains_itself_with_help(command: tuple[str, ...]) -> None:
    outcome = _cli(*command, "--help")
    assert outcome.exit_code == 0 and outcome.output.startswith("Usage: ")


def test_attest_and_verify_help_name_the_statuses_and_exit_codes() -> None:
    attest = " ".join(_cli("attest", "--help").output.split())
    for status in ("SIGNED-OK", "TAMPERED", "UNTRUSTED", "CHAIN-GAP", "UNSIGNED"):
        assert status in attest
    verify = " ".join(_cli("attest", "verify", "--help").output.split())
    assert "0 every envelope SIGNED-OK; 1 TAMPERED or UNTRUSTED" in verify
    assert "CHAIN-GAP" in " ".join(_cli("verify", "--help").output.split())
