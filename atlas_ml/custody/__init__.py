"""Chain of custody: signed, hash-chained provenance that shows edits made behind atlas-ml.

At the end of every training run (and Spark ML fit) with a signing key configured, the run's
record is signed: an in-toto Statement v1 (:mod:`.statement`; subject: the model artifact,
predicate: the training provenance, SLSA-style, plus every record atlas-ml wrote to Atlas,
:mod:`.records`), canonicalised with RFC 8785 (:mod:`.canonical`), in a DSSE envelope signed
with Ed25519 (:mod:`.envelope`, :mod:`.keys`), naming the sha256 of its team's previous
attestation (:mod:`.chain`). The envelope travels to Atlas with the run's lineage (an
``atlasml_attestation`` entity), into the local chain log, and beside the model artifact as
``<artifact>.intoto.jsonl`` (:mod:`.bundle`).

Read side, for every command that touches a run:

- :func:`check_run` (client, run guid or qualifiedName) -> :class:`CustodyResult` with a
  :class:`CustodyStatus` (SIGNED-OK, TAMPERED, UNTRUSTED, CHAIN-GAP, UNSIGNED) and
  :class:`Finding` s (entity, field, signed value, current value);
- :func:`check_chain` (client, team): the team's whole chain in Atlas and in the local log;
- :func:`verify_file` (path): an envelope file or signed artifact, offline;
- :func:`sign_report` (report, name): a report signed the same way (``audit --sign``).

The names are imported lazily: a training run imports :mod:`.attest` only, and signing's
libraries (cryptography, securesystemslib) load when there is a key to sign with.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from atlas_ml.custody.chain_check import ChainReport, check_chain
    from atlas_ml.custody.check import RunNotFound, check_run, check_runs
    from atlas_ml.custody.offline import NothingToVerify, verify_file
    from atlas_ml.custody.report import SignedReport, sign_report
    from atlas_ml.custody.result import CustodyResult, CustodyStatus, Finding

_EXPORTS = {
    "ChainReport": "atlas_ml.custody.chain_check",
    "check_chain": "atlas_ml.custody.chain_check",
    "RunNotFound": "atlas_ml.custody.check",
    "check_run": "atlas_ml.custody.check",
    "check_runs": "atlas_ml.custody.check",
    "NothingToVerify": "atlas_ml.custody.offline",
    "verify_file": "atlas_ml.custody.offline",
    "SignedReport": "atlas_ml.custody.report",
    "sign_report": "atlas_ml.custody.report",
    "CustodyResult": "atlas_ml.custody.result",
    "CustodyStatus": "atlas_ml.custody.result",
    "Finding": "atlas_ml.custody.result",
}
__all__ = [
    "ChainReport",
    "CustodyResult",
    "CustodyStatus",
    "Finding",
    "NothingToVerify",
    "RunNotFound",
    "SignedReport",
    "check_chain",
    "check_run",
    "check_runs",
    "sign_report",
    "verify_file",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'atlas_ml.custody' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
