"""Ed25519 keys: generate, store (0600, optionally passphrase-protected), load, name.

The private key is a PEM PKCS#8 file written by ``cryptography`` (encrypted with its best
available scheme when a passphrase is given); signing and verifying go through
securesystemslib's ``CryptoSigner``/``SSlibKey``, so key ids follow the in-toto/TUF rule
(sha256 of the key's canonical JSON) and a KMS, HSM or Sigstore signer of the same library
could later stand in for the file without changing the envelope format.

Public keys travel as one line, ``ed25519:<64 hex digits>`` (the raw 32-byte key), so that
the config file and a chat message can carry them without PEM's line breaks.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from securesystemslib.signer import CryptoSigner, SSlibKey

from atlas_ml.custody.passphrase import PASSPHRASE_ENV
from atlas_ml.errors import AtlasMLError

PUBLIC_KEY_PREFIX = "ed25519:"
_PRIVATE_MODE = 0o600
_SIGNER_CACHE: dict[tuple[str, int, int, bytes | None], tuple[CryptoSigner, PublicKey]] = {}


class CustodyKeyError(AtlasMLError, ValueError):
    """A key cannot be used; the message names the file or value and the fix."""


@dataclass(frozen=True)
class PublicKey:
    """A public Ed25519 key: its one-line text and securesystemslib's view of it."""

    text: str
    key: SSlibKey

    @property
    def key_id(self) -> str:
        return str(self.key.keyid)

    @property
    def short_id(self) -> str:
        return self.key_id[:16]

    @classmethod
    def parse(cls, text: str, where: str = "the public key") -> PublicKey:
        """``ed25519:<hex>``, or the text of a PEM public key."""
        value = text.strip()
        if value.startswith("-----BEGIN PUBLIC KEY-----"):
            try:
                loaded = serialization.load_pem_public_key(value.encode())
            except (ValueError, UnsupportedAlgorithm) as exc:
                raise CustodyKeyError(f"{where} is not a readable PEM public key: {exc}") from exc
            if not isinstance(loaded, Ed25519PublicKey):
                raise CustodyKeyError(f"{where} is not an Ed25519 key; atlas-ml signs with Ed25519")
            return cls.of(loaded)
        raw = value.removeprefix(PUBLIC_KEY_PREFIX)
        try:
            data = bytes.fromhex(raw)
        except ValueError:
            data = b""
        if not value.startswith(PUBLIC_KEY_PREFIX) or len(data) != 32:
            raise CustodyKeyError(
                f"{where} ({value[:80]!r}) is not an Ed25519 public key: write it as "
                "'ed25519:' followed by 64 hex digits, as 'atlas-ml keys show' prints it"
            )
        return cls.of(Ed25519PublicKey.from_public_bytes(data))

    @classmethod
    def of(cls, public_key: Ed25519PublicKey) -> PublicKey:
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cls(PUBLIC_KEY_PREFIX + raw.hex(), SSlibKey.from_crypto(public_key))


@dataclass(frozen=True)
class SigningKey:
    """A loaded private key and its public half."""

    path: Path
    signer: CryptoSigner
    public: PublicKey


def generate_key(
    path: Path, passphrase: bytes | None = None, *, overwrite: bool = False
) -> PublicKey:
    """Write a new Ed25519 private key to ``path`` (mode 0600) and return its public key.

    The file is written under a temporary name that is 0600 from its creation, then renamed,
    so no other user can ever read a partial key. A folder created for it is 0700.
    """
    path = path.expanduser()
    if path.exists() and not overwrite:
        raise CustodyKeyError(
            f"{path} already exists: pass --force to replace it (the old key can then no "
            "longer sign, and what it signed stays trusted only while its public key is)"
        )
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    private = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, _PRIVATE_MODE)
        with os.fdopen(handle, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return PublicKey.of(private.public_key())


def check_private_file(path: Path) -> None:
    """Refuse a private key others can read, as ssh does: it may already have leaked."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise CustodyKeyError(
            f"signing key {path} does not exist: create one with 'atlas-ml keys generate'"
        ) from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CustodyKeyError(
            f"signing key {path} can be read by other users (mode {stat.S_IMODE(mode):04o}): "
            f"run 'chmod 600 {path}', and replace the key if it may have been copied"
        )


def load_signing_key(path: Path, passphrase: bytes | None = None) -> SigningKey:
    """The private key at ``path`` (0600), decrypted with ``passphrase`` when it is encrypted.

    Loaded keys are kept per process (by path, size and modification time): decrypting a
    passphrase-protected key is deliberately slow, and a process may finish many runs.
    """
    path = path.expanduser()
    check_private_file(path)
    info = path.stat()
    cache_key = (str(path.resolve()), info.st_size, info.st_mtime_ns, passphrase)
    loaded = _SIGNER_CACHE.get(cache_key)
    if loaded is None:
        private = _read_private(path, passphrase)
        loaded = (CryptoSigner(private), PublicKey.of(private.public_key()))
        _SIGNER_CACHE.clear()
        _SIGNER_CACHE[cache_key] = loaded
    return SigningKey(path, *loaded)


def _read_private(path: Path, passphrase: bytes | None) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CustodyKeyError(f"signing key {path} cannot be read: {exc.strerror}") from exc
    try:
        key = serialization.load_pem_private_key(data, password=passphrase or None)
    except TypeError as exc:  # encrypted without a passphrase, or a passphrase for a plain key
        if passphrase:
            raise CustodyKeyError(
                f"signing key {path} is not encrypted: unset {PASSPHRASE_ENV}"
            ) from exc
        raise CustodyKeyError(
            f"signing key {path} is passphrase-protected: set {PASSPHRASE_ENV}"
        ) from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        hint = f"is the passphrase in {PASSPHRASE_ENV} right? " if passphrase else ""
        raise CustodyKeyError(
            f"signing key {path} cannot be loaded ({hint}a PEM PKCS#8 Ed25519 key as "
            f"'atlas-ml keys generate' writes is expected): {exc}"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise CustodyKeyError(
            f"signing key {path} is not an Ed25519 key; atlas-ml signs with Ed25519"
        )
    return key


def is_encrypted(path: Path) -> bool:
    """Whether the PEM file at ``path`` is passphrase-protected (without decrypting it)."""
    try:
        return b"ENCRYPTED PRIVATE KEY" in path.expanduser().read_bytes()[:64]
    except OSError:
        return False
