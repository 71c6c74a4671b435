"""Check envelopes in a file with no Atlas: ``atlas-ml attest verify FILE``.

FILE is an envelope file (``*.intoto.jsonl``, one envelope per line, or one JSON envelope), or
the artifact itself (a model file or folder, a signed report), whose envelopes are read from
``<FILE>.intoto.jsonl`` beside it. Each envelope is checked for a signature by a key trusted
for its team, and, when the artifact is there, for a subject whose digest is the artifact's
sha256 (a folder's: its file manifest's root hash) now. The chain needs Atlas: ``atlas-ml
verify`` checks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas_ml.custody.bundle import BUNDLE_SUFFIX, bundle_path, read_lines
from atlas_ml.custody.envelope import EnvelopeError, Opened, Signed, judge_signatures, open_envelope
from atlas_ml.custody.result import CustodyResult, CustodyStatus, Finding
from atlas_ml.custody.settings import DEFAULT_TEAM, CustodySettings, load_custody_settings
from atlas_ml.custody.statement import StatementError, check_statement, read_custody
from atlas_ml.errors import AtlasMLError


class NothingToVerify(AtlasMLError, FileNotFoundError):
    """The path does not exist."""


@dataclass(frozen=True)
class Located:
    envelopes: Path | None
    artifact: Path | None


def locate(path: Path) -> Located:
    """Which file holds the envelopes and which (if any) is the artifact they sign."""
    if not path.exists():
        raise NothingToVerify(f"{path} does not exist")
    if path.is_file() and (
        path.name.endswith(BUNDLE_SUFFIX) or (path.suffix == ".json" and _looks_like_envelope(path))
    ):
        name = path.name.removesuffix(BUNDLE_SUFFIX)
        artifact = path.with_name(name) if name != path.name else None
        return Located(path, artifact if artifact and artifact.exists() else None)
    bundle = bundle_path(path)
    return Located(bundle if bundle.exists() else None, path)


def _looks_like_envelope(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return b'"payloadType"' in head or b'"payload"' in head


def verify_file(path: Path, settings: CustodySettings | None = None) -> list[CustodyResult]:
    """One result per envelope of ``path`` (UNSIGNED when there is none to read)."""
    settings = settings or load_custody_settings()
    located = locate(path)
    if located.envelopes is None:
        return [
            CustodyResult(
                str(path),
                CustodyStatus.UNSIGNED,
                f"no {bundle_path(path).name} beside it: nothing signs this file",
            )
        ]
    digest = _artifact_digest(located.artifact)
    try:
        lines = read_lines(located.envelopes)
    except (OSError, ValueError) as exc:
        return [_damaged(str(located.envelopes), f"cannot be read: {exc}")]
    results = []
    for number, line in enumerate(lines, start=1):
        where = f"{located.envelopes}" + (f" line {number}" if len(lines) > 1 else "")
        results.append(_verify_one(where, line, digest, located.artifact, settings))
    return results


def _verify_one(
    where: str, line: bytes, digest: str | None, artifact: Path | None, settings: CustodySettings
) -> CustodyResult:
    try:
        opened = open_envelope(line)
        check_statement(opened.statement)
    except (EnvelopeError, StatementError) as exc:
        return _damaged(where, str(exc))
    result = CustodyResult(where, CustodyStatus.SIGNED_OK, "", payload_sha256=opened.payload_sha256)
    team, declared = _signer(opened, result)
    verdict = judge_signatures(opened, settings.trusted_for(team), declared)
    result.key_id = verdict.key_id
    if verdict.signed is Signed.INVALID:
        result.status = CustodyStatus.TAMPERED
        result.findings.append(
            Finding("envelope", "signature", f"key {verdict.key_id}", verdict.detail)
        )
        result.summary = "the signature does not verify: the envelope was changed"
        return result
    if verdict.signed is Signed.UNTRUSTED:
        result.status = CustodyStatus.UNTRUSTED
        result.summary = (
            f"valid signature by key {str(verdict.key_id)[:16]}, not trusted for team {team}"
        )
        return result
    subjects = opened.statement.get("subject") or []
    if digest is not None:
        signed = [
            str((s.get("digest") or {}).get("sha256")) for s in subjects if isinstance(s, dict)
        ]
        if digest not in signed:
            result.status = CustodyStatus.TAMPERED
            result.findings.append(
                Finding(f"artifact {artifact}", "sha256", ", ".join(signed), digest)
            )
            result.summary = "the artifact beside it is not the one signed"
            return result
    names = ", ".join(str(s.get("name")) for s in subjects if isinstance(s, dict))
    checked = "and the artifact's digest matches" if digest else "(artifact not present here)"
    result.summary = f"signed by trusted key {str(verdict.key_id)[:16]} for {names} {checked}"
    result.notes.append("the chain of custody needs Atlas: 'atlas-ml verify' checks it")
    return result


def _signer(opened: Opened, result: CustodyResult) -> tuple[str, Any]:
    """The team a statement belongs to and the public key it names (reports have neither)."""
    try:
        custody = read_custody(opened.statement)
    except StatementError:
        return DEFAULT_TEAM, None
    result.team, result.sequence = custody.team, custody.sequence
    return custody.team, custody.public_key


def _damaged(where: str, problem: str) -> CustodyResult:
    return CustodyResult(
        where,
        CustodyStatus.TAMPERED,
        f"not a complete signed envelope: {problem}",
        findings=[Finding("envelope", "content", "a complete DSSE envelope", problem)],
    )


def _artifact_digest(artifact: Path | None) -> str | None:
    if artifact is None or not artifact.exists():
        return None
    from atlas_ml.fingerprints.artifacts import artifact_digest

    return artifact_digest(artifact)
