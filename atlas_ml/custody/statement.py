"""The in-toto Statement v1 atlas-ml signs for a training run, and for a report.

Subject: the model artifacts (name, uri, sha256 of the file or, for a directory, the root
hash of its file manifest), as OpenSSF model-signing names a model; a run without a model
(a failed run, a Spark ML fit never saved) is its own subject, digested by its record.

Predicate (``PREDICATE_TYPE``), with SLSA provenance v1's field names where they fit:

- ``buildDefinition``: ``buildType``; ``externalParameters`` (pipeline, team, reasoning,
  the run's parameters); ``internalParameters`` (code reference and revision, dirty flag,
  environment, operator); ``resolvedDependencies``: the dataset versions the run trained on,
  each a ResourceDescriptor (uri, digest: manifest root hash and logical content hash,
  annotations: schema fingerprint, row count, Atlas qualifiedName).
- ``runDetails``: ``builder`` (atlas-ml and its version), ``metadata`` (invocationId: the
  run id, startedOn, finishedOn).
- ``outcome``: status, metrics, error.
- ``artifacts``: per model directory, its files with size and sha256 (model-signing's
  ``resources``), so an offline check names the file that changed.
- ``records``: every entity atlas-ml wrote to Atlas for the run (training run, steps,
  dataset versions, model versions) with its signed fields (:mod:`.records`); the check
  compares exactly these with Atlas.
- ``custody``: the chain position (team, signing key id and public key, sequence, sha256
  of the previous payload), the Atlas namespace and when it was signed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas_ml._version import __version__
from atlas_ml.custody.canonical import canonical, jsonable, sha256_hex
from atlas_ml.custody.keys import PublicKey
from atlas_ml.custody.records import (
    DATASET_VERSION_TYPE,
    MODEL_VERSION_TYPE,
    Record,
)
from atlas_ml.errors import AtlasMLError
from atlas_ml.events.facets import MODEL_VERSION, PRODUCER, TRAINING_RUN

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
_BASE = "https://github.com/atlas-ml/atlas-ml/blob/main/docs/custody.md"
PREDICATE_TYPE = f"{_BASE}#training-provenance-v1"
BUILD_TYPE = f"{_BASE}#training-run-v1"
REPORT_PREDICATE_TYPE = f"{_BASE}#signed-report-v1"
MAX_RESOURCES = 10_000
"""Files of a model directory listed one by one; a larger model is signed by its root only."""


class StatementError(AtlasMLError, ValueError):
    """The payload is not an in-toto Statement v1 this atlas-ml can read."""


@dataclass(frozen=True)
class ChainPosition:
    """Where an attestation sits in its team's chain (see :mod:`.chain`)."""

    team: str
    key: PublicKey
    sequence: int
    previous: str | None


def training_statement(
    *,
    terminal: Mapping[str, Any],
    run: Record,
    records: Sequence[Record],
    namespace: str,
    position: ChainPosition,
    signed_on: str,
    model_paths: Sequence[Path] = (),
) -> dict[str, Any]:
    """The statement of one training run, from its terminal event and signed records."""
    facet = (terminal["run"].get("facets") or {}).get(TRAINING_RUN) or {}
    versions = {r.qualified_name: r for r in records if r.type_name == DATASET_VERSION_TYPE}
    inputs = [versions[qn] for qn in run.links.get("inputs", []) if qn in versions]
    predicate = {
        "buildDefinition": {
            "buildType": BUILD_TYPE,
            "externalParameters": {
                "pipeline": facet.get("pipeline"),
                "team": facet.get("team"),
                "reasoning": facet.get("reasoning"),
                "parameters": facet.get("parameters") or {},
            },
            "internalParameters": {
                "codeReference": facet.get("codeReference"),
                "codeRevision": facet.get("codeRevision"),
                "codeDirty": facet.get("codeDirty"),
                "environment": facet.get("environment") or {},
                "operator": facet.get("operator"),
            },
            "resolvedDependencies": [_dependency(v) for v in inputs],
        },
        "runDetails": {
            "builder": {"id": PRODUCER, "version": {"atlas-ml": __version__}},
            "metadata": {
                "invocationId": terminal["run"]["runId"],
                "startedOn": facet.get("startTime"),
                "finishedOn": facet.get("endTime"),
            },
        },
        "outcome": {
            "status": facet.get("status"),
            "metrics": facet.get("metrics") or {},
            "error": facet.get("error"),
        },
        "artifacts": [a for a in (_artifact(p) for p in model_paths) if a],
        "records": [r.to_dict() for r in [run, *records]],
        "custody": {
            "team": position.team,
            "keyId": position.key.key_id,
            "publicKey": position.key.text,
            "sequence": position.sequence,
            "previous": position.previous,
            "namespace": namespace,
            "signedOn": signed_on,
        },
    }
    predicate = jsonable(predicate)
    subjects = _model_subjects(terminal, records) or [_run_subject(run, predicate)]
    return {
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    }


def report_statement(body: bytes, name: str, kind: str | None = None) -> dict[str, Any]:
    """A statement whose subject is a report file's exact bytes (``sha256sum`` checks it)."""
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": sha256_hex(body)}}],
        "predicateType": REPORT_PREDICATE_TYPE,
        "predicate": {
            "kind": kind,
            "builder": {"id": PRODUCER, "version": {"atlas-ml": __version__}},
        },
    }


def _dependency(version: Record) -> dict[str, Any]:
    attributes = version.attributes
    digest = {}
    if attributes.get("manifestRootHash"):
        digest["sha256"] = str(attributes["manifestRootHash"]).removeprefix("sha256:")
    if attributes.get("contentHash"):
        digest["atlasml-content"] = str(attributes["contentHash"])
    descriptor: dict[str, Any] = {"name": attributes.get("name") or version.qualified_name}
    if attributes.get("uri"):
        descriptor["uri"] = attributes["uri"]
    descriptor["digest"] = digest
    descriptor["annotations"] = {
        "atlasQualifiedName": version.qualified_name,
        **{
            k: attributes[k]
            for k in ("schemaFingerprint", "rowCount", "versionPointer", "versionKind")
            if attributes.get(k) is not None
        },
    }
    return descriptor


def _model_subjects(terminal: Mapping[str, Any], records: Sequence[Record]) -> list[dict[str, Any]]:
    by_digest = {
        str(r.attributes.get("artifactSha256")): r.qualified_name
        for r in records
        if r.type_name == MODEL_VERSION_TYPE
    }
    subjects = []
    for output in terminal.get("outputs") or []:
        facet = (output.get("facets") or {}).get(MODEL_VERSION)
        if not facet or not facet.get("artifactSha256"):
            continue
        digest = str(facet["artifactSha256"])
        subject: dict[str, Any] = {"name": facet.get("model") or output.get("name")}
        if facet.get("artifactUri"):
            subject["uri"] = facet["artifactUri"]
        subject["digest"] = {"sha256": digest.removeprefix("sha256:")}
        if digest in by_digest:
            subject["annotations"] = {"atlasQualifiedName": by_digest[digest]}
        subjects.append(subject)
    return subjects


def _run_subject(run: Record, predicate: Mapping[str, Any]) -> dict[str, Any]:
    """A run that produced no model attests to its own record."""
    return {
        "name": run.qualified_name,
        "digest": {"sha256": sha256_hex(canonical(predicate["records"][0]))},
        "annotations": {"atlasQualifiedName": run.qualified_name, "subjectKind": "training-run"},
    }


def _artifact(path: Path) -> dict[str, Any] | None:
    """A model directory's files (model-signing's resources); None for a single file."""
    if not path.is_dir():
        return None
    from atlas_ml.fingerprints import build_manifest

    manifest = build_manifest(path)
    entry: dict[str, Any] = {
        "name": path.name,
        "uri": path.as_uri(),
        "digest": {"sha256": manifest.root_hash.removeprefix("sha256:")},
    }
    if len(manifest.entries) <= MAX_RESOURCES:
        entry["resources"] = [
            {"name": e.path, "size": e.size, "digest": {"sha256": e.sha256.removeprefix("sha256:")}}
            for e in manifest.entries
        ]
    return entry


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Custody:
    """The ``custody`` block of a training statement."""

    team: str
    key_id: str
    public_key: PublicKey | None
    sequence: int
    previous: str | None
    namespace: str | None


def check_statement(statement: Mapping[str, Any]) -> None:
    """Raise :class:`StatementError` unless ``statement`` is an in-toto Statement v1."""
    if statement.get("_type") != STATEMENT_TYPE:
        raise StatementError(f"_type is {statement.get('_type')!r}, not {STATEMENT_TYPE!r}")
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or not subjects:
        raise StatementError("subject must be a non-empty list")
    for subject in subjects:
        digest = subject.get("digest") if isinstance(subject, dict) else None
        if not isinstance(digest, dict) or not digest:
            raise StatementError("every subject needs a digest")
    if not isinstance(statement.get("predicateType"), str):
        raise StatementError("predicateType is missing")
    if not isinstance(statement.get("predicate"), dict):
        raise StatementError("predicate must be an object")


def read_custody(statement: Mapping[str, Any]) -> Custody:
    """The chain block of a training statement; raises :class:`StatementError`."""
    block = (statement.get("predicate") or {}).get("custody")
    if not isinstance(block, dict):
        raise StatementError("predicate.custody is missing")
    team, key_id, sequence = block.get("team"), block.get("keyId"), block.get("sequence")
    if not isinstance(team, str) or not isinstance(key_id, str) or not isinstance(sequence, int):
        raise StatementError("predicate.custody needs team, keyId and sequence")
    previous = block.get("previous")
    if previous is not None and not isinstance(previous, str):
        raise StatementError("predicate.custody.previous must be a sha256 or null")
    public_key = None
    if isinstance(block.get("publicKey"), str):
        try:
            public_key = PublicKey.parse(block["publicKey"])
        except ValueError:
            public_key = None
    namespace = block.get("namespace")
    return Custody(
        team,
        key_id,
        public_key,
        sequence,
        previous,
        namespace if isinstance(namespace, str) else None,
    )


def read_records(statement: Mapping[str, Any]) -> list[Record]:
    """The signed records of a training statement, the training run first."""
    raw = (statement.get("predicate") or {}).get("records")
    if not isinstance(raw, list) or not raw:
        raise StatementError("predicate.records is missing")
    try:
        return [Record.from_dict(item) for item in raw]
    except (ValueError, AttributeError) as exc:
        raise StatementError(f"predicate.records: {exc}") from exc
