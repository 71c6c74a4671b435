"""``<artifact>.intoto.jsonl`` beside a model artifact: its envelopes, one JSON line each.

The in-toto bundle format (JSON Lines of DSSE envelopes) lets the model travel with its
provenance: ``atlas-ml attest verify model.joblib`` checks it with no Atlas. Only envelopes
whose subject is the artifact's current digest are kept: the file attests to the bytes
beside it, and an overwritten model does not carry the old model's records along.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

BUNDLE_SUFFIX = ".intoto.jsonl"
MAX_BUNDLE_BYTES = 64 * 1024 * 1024


def bundle_path(artifact: Path) -> Path:
    return artifact.with_name(artifact.name + BUNDLE_SUFFIX)


def write_bundle(artifact: Path, envelope: dict[str, Any], digest: str) -> Path:
    """Add ``envelope`` to the artifact's bundle (atomically), dropping envelopes about other
    bytes than ``digest``."""
    path = bundle_path(artifact)
    kept = [line for line in _lines(path) if _names_digest(line, digest)]
    kept.append(json.dumps(envelope, separators=(",", ":")))
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in kept))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def read_lines(path: Path) -> list[bytes]:
    """The non-empty lines of a bundle (raises ``OSError``, ``ValueError`` when too large)."""
    size = path.stat().st_size
    if size > MAX_BUNDLE_BYTES:
        raise ValueError(f"{path} is {size} bytes, over the limit of {MAX_BUNDLE_BYTES}")
    data = path.read_bytes()
    lines = [line for line in data.split(b"\n") if line.strip()]
    return lines or [b""]


def _lines(path: Path) -> list[str]:
    try:
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError):
        return []


def _names_digest(line: str, digest: str) -> bool:
    from atlas_ml.custody.envelope import EnvelopeError, open_envelope

    try:
        statement = open_envelope(line).statement
    except EnvelopeError:
        return False
    subjects = statement.get("subject") or []
    wanted = digest.removeprefix("sha256:")
    return any(
        isinstance(s, dict) and (s.get("digest") or {}).get("sha256") == wanted for s in subjects
    )
