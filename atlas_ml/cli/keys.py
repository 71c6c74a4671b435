"""``atlas-ml keys``: the Ed25519 key that signs training runs, and the keys trusted per team."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from atlas_ml.config import ConfigError
from atlas_ml.custody.settings import (
    KEY_ENV,
    PASSPHRASE_ENV,
    CustodySettings,
    add_trusted_key,
    load_custody_settings,
    set_signing_key,
)

if TYPE_CHECKING:
    from atlas_ml.custody.keys import PublicKey

_CONFIG_HELP = (
    "atlas-ml config file [env: ATLAS_ML_CONFIG; default ~/.config/atlas-ml/config.toml]."
)


class KeysError(click.ClickException):
    """Bad input for a keys command (exit 2), one line naming the fix."""

    exit_code = 2


def _settings(config_file: str | None, missing_ok: bool = False) -> CustodySettings:
    try:
        return load_custody_settings(config_file, missing_ok=missing_ok)
    except ConfigError as exc:
        raise KeysError(str(exc)) from exc


@click.group("keys")
def command() -> None:
    """The key that signs training runs, and the public keys trusted per team.

    \b
    A run recorded while a signing key is configured gets a signed attestation (an
    in-toto Statement in a DSSE envelope, Ed25519): in Atlas, in the local chain log and
    beside the model artifact. Without one, runs are recorded UNSIGNED. Whoever checks
    runs ('atlas-ml verify', 'atlas-ml attest') trusts a team's runs only when signed by a
    key trusted for that team in their config file.
    """


@command.command("generate")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the private key [default: keys/signing-key.pem beside the config file].",
)
@click.option(
    "--team",
    "teams",
    multiple=True,
    metavar="TEAM",
    help="Also trust the new key for TEAM's runs in this config (repeatable).",
)
@click.option(
    "--encrypt",
    is_flag=True,
    help=f"Protect the key with a passphrase: ${PASSPHRASE_ENV}, or asked on a terminal. Runs "
    f"then need ${PASSPHRASE_ENV} to sign.",
)
@click.option("--force", is_flag=True, help="Replace an existing key file.")
@click.option(
    "--no-configure",
    is_flag=True,
    help="Only write the key; do not make it the config's signing_key.",
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help=_CONFIG_HELP)
def generate(
    out: Path | None,
    teams: tuple[str, ...],
    encrypt: bool,
    force: bool,
    no_configure: bool,
    config_file: str | None,
) -> None:
    """Create an Ed25519 signing key (file mode 0600) and make it the one runs sign with.

    The public key is written beside it (FILE.pub) and printed: give it to whoever checks
    your team's runs, who trusts it with 'atlas-ml keys trust TEAM KEY'.

    \b
    Example:
      atlas-ml keys generate --team risk
    """
    from atlas_ml.custody.keys import CustodyKeyError, generate_key

    settings = _settings(config_file, missing_ok=True)
    target = (out or settings.config_file.parent / "keys" / "signing-key.pem").expanduser()
    passphrase = _passphrase() if encrypt else None
    try:
        public = generate_key(target, passphrase, overwrite=force)
    except CustodyKeyError as exc:
        raise KeysError(str(exc)) from exc
    target.with_name(target.name + ".pub").write_text(public.text + "\n")
    protection = "encrypted with a passphrase" if passphrase else "not encrypted"
    done = [
        f"wrote Ed25519 signing key {target} (mode 0600, {protection})",
        f"public key  {public.text}",
        f"key id      {public.key_id}",
    ]
    try:
        if not no_configure:
            set_signing_key(settings.config_file, target)
            done.append(f"signing_key set in {settings.config_file}: runs are signed from now on")
            if os.environ.get(KEY_ENV) is not None:
                done.append(f"note: ${KEY_ENV} is set and wins over the config file")
        for team in teams:
            add_trusted_key(settings.config_file, team, public)
            done.append(f"trusted for team {team} in {settings.config_file}")
    except (ConfigError, OSError) as exc:
        raise KeysError(f"could not update the config file: {exc}") from exc
    for line in done:  # printed once all is written: a closed pipe cannot leave it half done
        click.echo(line)
    click.echo(f"others trust it with: atlas-ml keys trust <team> {public.text}")


def _passphrase() -> bytes:
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env.encode()
    if not sys.stdin.isatty():
        raise KeysError(
            f"--encrypt needs a passphrase: set {PASSPHRASE_ENV} (no terminal to ask on)"
        )
    value = click.prompt("Passphrase", hide_input=True, confirmation_prompt=True)
    if not value:
        raise KeysError("an empty passphrase protects nothing: leave out --encrypt instead")
    return str(value).encode()


@command.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help=_CONFIG_HELP)
def show(as_json: bool, config_file: str | None) -> None:
    """Show the signing key (path, public key, key id) and the keys trusted per team."""
    from atlas_ml.custody.keys import CustodyKeyError, is_encrypted

    settings = _settings(config_file)
    signing: dict[str, object] = {"configured": settings.signing_key is not None}
    problem = None
    if settings.signing_key is not None:
        path = settings.signing_key
        source = f"${KEY_ENV}" if os.environ.get(KEY_ENV) else str(settings.config_file)
        signing.update(path=str(path), source=source, encrypted=is_encrypted(path))
        if path.exists():
            signing["mode"] = f"{stat.S_IMODE(path.stat().st_mode):04o}"
        try:
            key = settings.load_key()
            public = key.public if key else None
        except CustodyKeyError as exc:
            problem = str(exc)
            public = _public_beside(path)
        if public is not None:
            signing.update(publicKey=public.text, keyId=public.key_id)
        if problem:
            signing["problem"] = problem
    trusted = {
        team: [{"publicKey": k.text, "keyId": k.key_id} for k in keys]
        for team, keys in sorted(settings.trusted.items())
    }
    if as_json:
        click.echo(json.dumps({"signingKey": signing, "trustedKeys": trusted}, indent=2))
        return
    if settings.signing_key is None:
        click.echo("signing key  none: runs are recorded UNSIGNED")
        click.echo("             create one with: atlas-ml keys generate --team <team>")
    else:
        click.echo(f"signing key  {signing['path']} (from {signing['source']})")
        if "mode" in signing:
            encrypted = "encrypted" if signing["encrypted"] else "not encrypted"
            click.echo(f"             mode {signing['mode']}, {encrypted}")
        if "publicKey" in signing:
            click.echo(f"public key   {signing['publicKey']}")
            click.echo(f"key id       {signing['keyId']}")
        if problem:
            click.echo(f"problem      {problem}: runs are recorded UNSIGNED until it is fixed")
    click.echo(f"trusted keys ({settings.config_file}):")
    if not trusted:
        click.echo("  none: every signed run checks as UNTRUSTED (atlas-ml keys trust TEAM KEY)")
    for team, keys in trusted.items():
        for entry in keys:
            click.echo(f"  {team}: {entry['publicKey']} (key id {str(entry['keyId'])[:16]})")
    if problem:
        sys.exit(2)


def _public_beside(path: Path) -> PublicKey | None:
    """The ``.pub`` file 'keys generate' wrote, for a key that cannot be opened now."""
    from atlas_ml.custody.keys import CustodyKeyError, PublicKey

    try:
        return PublicKey.parse(path.with_name(path.name + ".pub").read_text())
    except (OSError, CustodyKeyError):
        return None


@command.command("trust")
@click.argument("team")
@click.argument("public_key", metavar="KEY")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help=_CONFIG_HELP)
def trust(team: str, public_key: str, config_file: str | None) -> None:
    """Trust KEY for TEAM's runs: their attestations then check as SIGNED-OK.

    KEY is a public key as 'atlas-ml keys show' prints it (ed25519:<64 hex digits>), or a
    file holding one (the .pub beside a key, or a PEM public key). TEAM '*' trusts it for
    every team.

    \b
    Example:
      atlas-ml keys trust risk ed25519:6c0f...
    """
    from atlas_ml.custody.keys import CustodyKeyError, PublicKey

    settings = _settings(config_file, missing_ok=True)
    text = public_key
    candidate = Path(public_key).expanduser()
    if not public_key.startswith("ed25519:") and candidate.is_file():
        text = candidate.read_text(encoding="utf-8", errors="replace")
    try:
        key = PublicKey.parse(text, f"KEY {public_key[:80]!r}")
        added = add_trusted_key(settings.config_file, team, key)
    except (CustodyKeyError, ConfigError, OSError) as exc:
        raise KeysError(str(exc)) from exc
    if added:
        click.echo(f"trusted key {key.short_id} for team {team} in {settings.config_file}")
    else:
        click.echo(f"key {key.short_id} was already trusted for team {team}")
