"""Custody settings: the signing key, the trusted public keys per team, the local chain log.

They live in the atlas-ml config file (``~/.config/atlas-ml/config.toml``, or the file
``--config``/``$ATLAS_ML_CONFIG`` names), in a ``[custody]`` table beside ``[atlas]``::

    [custody]
    signing_key = "~/.config/atlas-ml/keys/signing-key.pem"   # no key: runs are UNSIGNED

    [custody.trusted_keys]          # team -> public keys whose attestations it accepts
    risk = ["ed25519:6c0f...", "ed25519:9a41..."]
    "*" = ["ed25519:..."]           # trusted for every team (e.g. the platform's CI key)

``$ATLAS_ML_SIGNING_KEY`` names the key file instead (an empty value turns signing off),
``$ATLAS_ML_SIGNING_KEY_PASSPHRASE`` holds the passphrase of an encrypted key (never the
config file), and ``$ATLAS_ML_CUSTODY_LOG`` (or ``log_dir``) moves the local chain log from
``<atlas-ml cache>/custody``. ``atlas-ml keys generate`` and ``keys trust`` edit the file
with tomlkit, which keeps the user's comments and layout.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atlas_ml.config import ConfigError, default_config_file
from atlas_ml.custody.passphrase import PASSPHRASE_ENV
from atlas_ml.paths import cache_dir

if TYPE_CHECKING:
    import tomlkit

    from atlas_ml.custody.keys import PublicKey, SigningKey

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

KEY_ENV = "ATLAS_ML_SIGNING_KEY"
LOG_ENV = "ATLAS_ML_CUSTODY_LOG"
ANY_TEAM = "*"
DEFAULT_TEAM = "default"
"""The chain and trust entry of runs recorded without a team."""
_KNOWN_KEYS = {"signing_key", "trusted_keys", "log_dir"}


@dataclass(frozen=True)
class CustodySettings:
    config_file: Path
    signing_key: Path | None = None
    passphrase: bytes | None = field(default=None, repr=False)
    trusted: Mapping[str, tuple[PublicKey, ...]] = field(default_factory=dict)
    log_dir: Path = field(default_factory=lambda: cache_dir() / "custody")

    def load_key(self) -> SigningKey | None:
        """The signing key, or None when none is configured (runs are then UNSIGNED).

        Raises :class:`CustodyKeyError` when one is configured but cannot be used.
        """
        if self.signing_key is None:
            return None
        from atlas_ml.custody.keys import load_signing_key

        return load_signing_key(self.signing_key, self.passphrase)

    def trusted_for(self, team: str) -> list[PublicKey]:
        return [*self.trusted.get(team, ()), *self.trusted.get(ANY_TEAM, ())]

    def teams_trusting(self, key_id: str) -> list[str]:
        return sorted(
            t for t, keys in self.trusted.items() if any(k.key_id == key_id for k in keys)
        )

    def all_trusted(self) -> list[PublicKey]:
        unique = {k.key_id: k for keys in self.trusted.values() for k in keys}
        return list(unique.values())


def load_custody_settings(
    config_file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    missing_ok: bool = False,
) -> CustodySettings:
    """Settings from the config file's ``[custody]`` table and the environment.

    A config file named by ``config_file`` or ``$ATLAS_ML_CONFIG`` must exist (as for the
    Atlas settings) unless ``missing_ok`` (``keys generate`` and ``keys trust`` create it).
    Raises :class:`~atlas_ml.config.ConfigError` for a malformed table or public key.
    """
    env = os.environ if env is None else env
    path = Path(config_file).expanduser() if config_file else default_config_file(env)
    named = not missing_ok and (config_file is not None or bool(env.get("ATLAS_ML_CONFIG")))
    table = _custody_table(path, must_exist=named)
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"config file {path}: unknown key(s) in [custody]: {', '.join(unknown)}")
    key_text = env[KEY_ENV] if KEY_ENV in env else table.get("signing_key")
    if key_text is not None and not isinstance(key_text, str):
        raise ConfigError(f"config file {path}: signing_key must be a path in quotes")
    log_text = env.get(LOG_ENV) or table.get("log_dir")
    passphrase = env.get(PASSPHRASE_ENV)
    return CustodySettings(
        config_file=path,
        signing_key=Path(key_text).expanduser() if key_text else None,
        passphrase=passphrase.encode() if passphrase else None,
        trusted=_trusted(table.get("trusted_keys", {}), path),
        log_dir=Path(str(log_text)).expanduser() if log_text else cache_dir() / "custody",
    )


def _custody_table(path: Path, must_exist: bool) -> dict[str, Any]:
    if not path.is_file():
        if must_exist:
            raise ConfigError(f"config file {path} does not exist")
        return {}
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    table = data.get("custody", {})
    if not isinstance(table, dict):
        raise ConfigError(f"config file {path}: [custody] must be a table")
    return table


def _trusted(table: Any, path: Path) -> dict[str, tuple[PublicKey, ...]]:
    if not table:
        return {}  # the key library is imported only when there are keys to parse
    from atlas_ml.custody.keys import CustodyKeyError, PublicKey

    if not isinstance(table, dict):
        raise ConfigError(f"config file {path}: [custody.trusted_keys] must be a table")
    trusted: dict[str, tuple[PublicKey, ...]] = {}
    for team, keys in table.items():
        if isinstance(keys, str):
            keys = [keys]
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise ConfigError(
                f"config file {path}: trusted_keys.{team} must be a list of public keys "
                'in quotes, e.g. ["ed25519:..."]'
            )
        try:
            trusted[str(team)] = tuple(
                PublicKey.parse(k, f"trusted_keys.{team} in {path}") for k in keys
            )
        except CustodyKeyError as exc:
            raise ConfigError(str(exc)) from exc
    return trusted


# --- writing the config file (keys generate / keys trust) ---------------------------------


def set_signing_key(config_file: Path, key: Path) -> None:
    """Record ``key`` as ``[custody] signing_key``, keeping the rest of the file."""
    document = _load_document(config_file)
    _table(document, "custody")["signing_key"] = str(key)
    _write_document(config_file, document)


def add_trusted_key(config_file: Path, team: str, key: PublicKey) -> bool:
    """Trust ``key`` for ``team``; False when it already was."""
    import tomlkit

    from atlas_ml.custody.keys import PublicKey

    document = _load_document(config_file)
    trusted = _table(_table(document, "custody"), "trusted_keys")
    keys = trusted.get(team)
    if keys is None:
        keys = tomlkit.array()
        trusted[team] = keys
    elif isinstance(keys, str):
        keys = tomlkit.array()
        keys.append(str(trusted[team]))
        trusted[team] = keys
    if any(PublicKey.parse(str(k)).key_id == key.key_id for k in keys):
        return False
    keys.append(key.text)
    _write_document(config_file, document)
    return True


def _load_document(path: Path) -> tomlkit.TOMLDocument:
    import tomlkit

    if not path.exists():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except Exception as exc:  # tomlkit raises its own ParseError subclasses
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


def _table(container: Any, name: str) -> Any:
    import tomlkit

    table = container.get(name)
    if table is None:
        table = tomlkit.table()
        container[name] = table
    elif not isinstance(table, dict):
        raise ConfigError(f"[{name}] in the config file must be a table")
    return table


def _write_document(path: Path, document: tomlkit.TOMLDocument) -> None:
    """Replace the file atomically, keeping its permissions (it may hold a password)."""
    import tomlkit

    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(tomlkit.dumps(document))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
