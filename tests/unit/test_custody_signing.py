"""Keys, settings, canonical JSON and DSSE envelopes of the chain of custody."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from atlas_ml.config import ConfigError
from atlas_ml.custody.canonical import canonical, comparable
from atlas_ml.custody.envelope import (
    EnvelopeError,
    Signed,
    judge_signatures,
    open_envelope,
    seal,
)
from atlas_ml.custody.keys import CustodyKeyError, PublicKey, generate_key, load_signing_key
from atlas_ml.custody.settings import add_trusted_key, load_custody_settings, set_signing_key

pytestmark = pytest.mark.unit

STATEMENT = {"_type": "https://in-toto.io/Statement/v1", "subject": [{"digest": {"sha256": "ab"}}]}


def test_canonical_json_is_rfc8785_and_carries_what_jcs_cannot_encode_as_text() -> None:
    assert canonical({"b": 1.0, "a": [1e21, 0.1, "é"]}) == '{"a":[1e+21,0.1,"é"],"b":1}'.encode()
    assert canonical({"m": float("nan"), "n": 2**60}) == b'{"m":"nan","n":"1152921504606846976"}'
    assert comparable({"x": 5.0}) == comparable({"x": 5})


def test_a_generated_private_key_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    key = tmp_path / "new" / "signing-key.pem"
    public = generate_key(key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert load_signing_key(key).public == public
    assert public.text.startswith("ed25519:") and len(public.key_id) == 64


def test_generate_refuses_to_replace_a_key_unless_forced(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    first = generate_key(key)
    with pytest.raises(CustodyKeyError, match="already exists: pass --force"):
        generate_key(key)
    assert generate_key(key, overwrite=True) != first


def test_a_key_others_can_read_is_refused_with_the_chmod_that_fixes_it(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    generate_key(key)
    key.chmod(0o644)
    with pytest.raises(CustodyKeyError, match=r"mode 0644\): run 'chmod 600 "):
        load_signing_key(key)


def test_an_encrypted_key_needs_its_passphrase_and_says_which_variable(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    public = generate_key(key, b"correct horse")
    with pytest.raises(CustodyKeyError, match="passphrase-protected: set ATLAS_ML_SIGNING_KEY"):
        load_signing_key(key)
    with pytest.raises(CustodyKeyError, match="is the passphrase in ATLAS_ML_SIGNING_KEY_PASS"):
        load_signing_key(key, b"wrong")
    assert load_signing_key(key, b"correct horse").public == public


def test_public_keys_parse_from_their_one_line_form_and_reject_anything_else() -> None:
    text = "ed25519:" + "11" * 32
    assert PublicKey.parse(f"  {text}\n").text == text
    with pytest.raises(CustodyKeyError, match="64 hex digits"):
        PublicKey.parse("ed25519:abc")
    with pytest.raises(CustodyKeyError, match="64 hex digits"):
        PublicKey.parse("ssh-ed25519 AAAA")


def test_settings_read_the_custody_table_and_the_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    key = generate_key(tmp_path / "k.pem")
    set_signing_key(config, tmp_path / "k.pem")
    add_trusted_key(config, "risk", key)
    settings = load_custody_settings(config, env={})
    assert settings.signing_key == tmp_path / "k.pem"
    assert [k.key_id for k in settings.trusted_for("risk")] == [key.key_id]
    assert settings.trusted_for("pricing") == []
    unsigned = load_custody_settings(config, env={"ATLAS_ML_SIGNING_KEY": ""})
    assert unsigned.signing_key is None and unsigned.load_key() is None


def test_trusting_a_key_keeps_the_users_comments_and_is_idempotent(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('# my settings\n[atlas]\nurl = "http://atlas:21000"  # prod\n')
    config.chmod(0o640)
    key = generate_key(tmp_path / "k.pem")
    assert add_trusted_key(config, "risk", key) is True
    assert add_trusted_key(config, "risk", key) is False
    text = config.read_text()
    assert text.startswith('# my settings\n[atlas]\nurl = "http://atlas:21000"  # prod\n')
    assert text.count(key.text) == 1
    assert stat.S_IMODE(config.stat().st_mode) == 0o640


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[custody]\nsigning_kye = "x"\n', r"unknown key\(s\) in \[custody\]: signing_kye"),
        ('[custody.trusted_keys]\nrisk = ["ed25519:zz"]\n', "trusted_keys.risk in .* 64 hex"),
        ("[custody.trusted_keys]\nrisk = 3\n", "must be a list of public keys"),
    ],
)
def test_a_malformed_custody_table_is_one_error_naming_the_file(
    tmp_path: Path, table: str, message: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(table)
    with pytest.raises(ConfigError, match=message):
        load_custody_settings(config, env={})


def test_a_sealed_envelope_opens_and_verifies_under_the_trusted_key(tmp_path: Path) -> None:
    key = load_signing_key(_key(tmp_path))
    envelope, payload = seal(STATEMENT, key)
    opened = open_envelope(json.dumps(envelope))
    assert opened.payload == payload == canonical(STATEMENT)
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    assert judge_signatures(opened, [key.public], None).signed is Signed.TRUSTED


def test_a_valid_signature_by_an_unknown_key_is_untrusted_not_tampered(tmp_path: Path) -> None:
    key = load_signing_key(_key(tmp_path))
    other = generate_key(tmp_path / "other.pem")
    opened = open_envelope(seal(STATEMENT, key)[0])
    verdict = judge_signatures(opened, [other], key.public)
    assert verdict.signed is Signed.UNTRUSTED and verdict.key_id == key.public.key_id


def test_a_changed_payload_fails_even_under_the_key_the_statement_names(tmp_path: Path) -> None:
    key = load_signing_key(_key(tmp_path))
    envelope = seal(STATEMENT, key)[0]
    forged = dict(envelope, payload=seal({**STATEMENT, "x": 1}, key)[0]["payload"])
    for trusted in ([key.public], []):
        verdict = judge_signatures(open_envelope(forged), trusted, key.public)
        assert verdict.signed is Signed.INVALID


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda text: text[: len(text) // 2], "not complete JSON: it ends early at byte"),
        (lambda text: "", "empty: no envelope left"),
        (lambda text: text.replace("payloadType", "kind"), "no 'payloadType'"),
    ],
)
def test_a_damaged_envelope_is_one_error_saying_how(tmp_path: Path, cut, message: str) -> None:
    envelope = seal(STATEMENT, load_signing_key(_key(tmp_path)))[0]
    with pytest.raises(EnvelopeError, match=message):
        open_envelope(cut(json.dumps(envelope)))


def _key(tmp_path: Path) -> Path:
    path = tmp_path / "signing.pem"
    generate_key(path)
    return path
