"""DSSE envelopes: seal a statement, open one strictly, judge its signatures.

Signing and the pre-authentication encoding are securesystemslib's ``dsse.Envelope`` (the
in-toto project's implementation); this module adds what a reader of untrusted input needs:
a size limit, one clear error naming what is wrong with a damaged envelope, and a verdict
that tells a valid signature by an unknown key (UNTRUSTED) from an invalid one (TAMPERED).
"""

from __future__ import annotations

import binascii
import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import UnverifiedSignatureError, VerificationError
from securesystemslib.signer import Signature

from atlas_ml.custody.canonical import canonical, sha256_hex
from atlas_ml.custody.keys import PublicKey, SigningKey
from atlas_ml.errors import AtlasMLError

PAYLOAD_TYPE = "application/vnd.in-toto+json"
MAX_ENVELOPE_BYTES = 16 * 1024 * 1024


class EnvelopeError(AtlasMLError, ValueError):
    """Not a complete, well-formed DSSE envelope with an in-toto Statement inside."""


@dataclass(frozen=True)
class Opened:
    """An envelope that parsed: its payload bytes and the statement they hold."""

    envelope: dict[str, Any]
    payload: bytes
    statement: dict[str, Any]
    dsse: Envelope

    @property
    def payload_sha256(self) -> str:
        return sha256_hex(self.payload)

    @property
    def key_ids(self) -> list[str]:
        return list(self.dsse.signatures)


def seal(statement: dict[str, Any], key: SigningKey) -> tuple[dict[str, Any], bytes]:
    """The signed envelope of ``statement`` (payload: its RFC 8785 bytes) and the payload."""
    payload = canonical(statement)
    envelope = Envelope(payload, PAYLOAD_TYPE, {})
    envelope.sign(key.signer)
    return envelope.to_dict(), payload


def open_envelope(data: bytes | str | dict[str, Any]) -> Opened:
    """Parse an envelope (JSON text or an already parsed object); raise :class:`EnvelopeError`."""
    if isinstance(data, dict):
        document: Any = data
    else:
        raw = data.encode() if isinstance(data, str) else data
        if len(raw) > MAX_ENVELOPE_BYTES:
            raise EnvelopeError(f"{len(raw)} bytes, over the limit of {MAX_ENVELOPE_BYTES}")
        if not raw.strip():
            raise EnvelopeError("empty: no envelope left (emptied or truncated)")
        try:
            document = json.loads(raw)
        except json.JSONDecodeError as exc:
            cut = exc.msg.startswith("Unterminated") or exc.pos >= len(raw.rstrip())
            ends = "ends early" if cut else "is damaged"
            raise EnvelopeError(
                f"not complete JSON: it {ends} at byte {exc.pos} of {len(raw)} ({exc.msg})"
            ) from exc
        except (UnicodeDecodeError, RecursionError) as exc:
            raise EnvelopeError("not JSON text") from exc
    if not isinstance(document, dict):
        raise EnvelopeError("not a JSON object")
    for key, kind in (("payload", str), ("payloadType", str), ("signatures", list)):
        if not isinstance(document.get(key), kind):
            raise EnvelopeError(f"no {key!r} {kind.__name__} (not a DSSE envelope)")
    if document["payloadType"] != PAYLOAD_TYPE:
        raise EnvelopeError(f"payloadType {document['payloadType']!r} is not {PAYLOAD_TYPE!r}")
    for signature in document["signatures"]:
        if not isinstance(signature, dict) or not isinstance(signature.get("sig"), str):
            raise EnvelopeError("a signature without 'sig'")
        if not isinstance(signature.get("keyid"), str):
            raise EnvelopeError("a signature without 'keyid'")
    try:
        dsse = Envelope.from_dict(copy.deepcopy(document))  # from_dict rewrites its input
    except (binascii.Error, ValueError, KeyError) as exc:
        raise EnvelopeError(f"undecodable payload or signature: {exc}") from exc
    try:
        statement = json.loads(dsse.payload)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EnvelopeError("the payload is not a JSON statement") from exc
    if not isinstance(statement, dict):
        raise EnvelopeError("the payload is not a JSON object")
    return Opened(document, dsse.payload, statement, dsse)


class Signed(str, Enum):
    TRUSTED = "TRUSTED"
    """A signature verifies under a key trusted for the statement's team."""
    UNTRUSTED = "UNTRUSTED"
    """A signature verifies, but under a key not trusted for that team."""
    INVALID = "INVALID"
    """No signature verifies: payload or signature bytes were changed."""


@dataclass(frozen=True)
class Verdict:
    signed: Signed
    key_id: str | None
    detail: str


def judge_signatures(
    opened: Opened, trusted: Sequence[PublicKey], declared: PublicKey | None
) -> Verdict:
    """Whether a trusted key signed ``opened``; failing that, whether the key the statement
    names (its own claim, so no trust) did.

    A key trusted for the team that fails to verify its own signature proves the bytes were
    changed; a statement whose named key does not verify it either was altered or forged.
    """
    pae = opened.dsse.pae()
    signatures = opened.dsse.signatures
    if not signatures:
        return Verdict(Signed.INVALID, None, "the envelope carries no signature")
    by_id = {k.key_id: k for k in trusted}
    failed: list[str] = []
    for key_id, signature in signatures.items():
        key = by_id.get(key_id)
        if key is not None:
            if _verifies(key, signature, pae):
                return Verdict(Signed.TRUSTED, key_id, "signature valid under a trusted key")
            failed.append(key_id)
    if failed:
        return Verdict(
            Signed.INVALID,
            failed[0],
            f"the signature of trusted key {failed[0][:16]} does not match the payload",
        )
    if declared is not None and declared.key_id in signatures:
        if _verifies(declared, signatures[declared.key_id], pae):
            return Verdict(
                Signed.UNTRUSTED, declared.key_id, "valid signature by a key not trusted here"
            )
        return Verdict(Signed.INVALID, declared.key_id, "the signature does not match the payload")
    first = next(iter(signatures))
    return Verdict(
        Signed.UNTRUSTED,
        first,
        "signed by a key that is neither trusted here nor named in the statement",
    )


def _verifies(key: PublicKey, signature: Signature, pae: bytes) -> bool:
    try:
        key.key.verify_signature(signature, pae)
    except (UnverifiedSignatureError, VerificationError):
        return False
    return True
