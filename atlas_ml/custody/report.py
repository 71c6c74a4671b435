"""Signed reports: ``audit --sign`` (and any report) signed the way runs are.

:func:`sign_report` returns the exact bytes to write as the report and a DSSE envelope whose
in-toto subject is their sha256, so a regulator can check with ``sha256sum`` alone that the
file is the one signed, and with ``atlas-ml attest verify report.json`` (no Atlas needed)
that a trusted key signed it::

    signed = sign_report(report_dict, "audit-2025.json", kind="audit")
    if signed is None:
        ...  # no signing key configured: say the report is UNSIGNED
    else:
        report_path, envelope_path = signed.write(Path("audit-2025.json"))
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from atlas_ml.custody.settings import DEFAULT_TEAM, CustodySettings, load_custody_settings


@dataclass(frozen=True)
class SignedReport:
    body: bytes
    """The report as written: RFC 8785 JSON of the report given (or the bytes given)."""
    envelope: dict[str, Any]
    key_id: str

    def write(self, path: Path) -> tuple[Path, Path]:
        """Write the report to ``path`` and its envelope to ``<path>.intoto.jsonl``."""
        from atlas_ml.custody.bundle import bundle_path

        envelope_path = bundle_path(path)
        _write(path, self.body)
        _write(envelope_path, json.dumps(self.envelope, separators=(",", ":")).encode() + b"\n")
        return path, envelope_path


def sign_report(
    report: Mapping[str, Any] | bytes,
    name: str,
    *,
    kind: str | None = None,
    team: str | None = None,
    settings: CustodySettings | None = None,
) -> SignedReport | None:
    """Sign a report; None when no signing key is configured.

    ``team`` selects whose trusted keys a verifier uses (default: keys trusted for every
    team, ``"*"``, and for ``default``). Raises
    :class:`~atlas_ml.custody.keys.CustodyKeyError` when a key is configured but unusable.
    """
    settings = settings or load_custody_settings()
    key = settings.load_key()
    if key is None:
        return None
    from atlas_ml.custody.canonical import canonical
    from atlas_ml.custody.envelope import seal
    from atlas_ml.custody.statement import report_statement

    body = report if isinstance(report, bytes) else canonical(report)
    statement = report_statement(body, name, kind)
    statement["predicate"]["custody"] = {
        "team": team or DEFAULT_TEAM,
        "keyId": key.public.key_id,
        "publicKey": key.public.text,
        "sequence": 0,
        "previous": None,
        "signedOn": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    envelope, _ = seal(statement, key)
    return SignedReport(body, envelope, key.public.key_id)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
