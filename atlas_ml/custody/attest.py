"""Attest a training run as it ends: sign its record, chain it, store the envelope.

:func:`attest_run` is the one call the capture side makes (``TrainingRun.finish``, which the
Spark ML capture uses too); :class:`ImportSigner` signs the runs ``atlas-ml import mlflow``
builds, once per record however often they are imported (:func:`sign_event` does both). With
no signing key configured it does nothing: the run is recorded UNSIGNED, and every read
command says so. With a key it

1. reduces the run's events to the records atlas-ml writes to Atlas (:mod:`.records`),
2. takes the next position of the team's chain (:mod:`.chain`) and builds the in-toto
   Statement (:mod:`.statement`), RFC 8785-canonical, signed into a DSSE envelope,
3. puts the envelope on the terminal event as the ``atlasml_custody`` facet, so it reaches
   Atlas with the run (through the spool, like all lineage), appends it to the local chain
   log, and writes ``<artifact>.intoto.jsonl`` beside each local model artifact.

Nothing here can fail the user's run: a problem (an unreadable key, a wrong passphrase) is
one line on stderr and the run goes on unsigned (an import reports it and imports unsigned).
A re-import finds what it signed before in the chain log, whose entries name the run and the
digest of its signed records.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from atlas_ml.custody.settings import DEFAULT_TEAM, CustodySettings, load_custody_settings
from atlas_ml.events.facets import CUSTODY, facet
from atlas_ml.fingerprints.artifacts import ModelArtifact


class SignedModel(Protocol):
    """What signing reads of a model the run saved."""

    @property
    def artifact(self) -> ModelArtifact: ...


class SignedRun(Protocol):
    """What signing reads of a run (a :class:`~atlas_ml.tracking.run.TrainingRun`); named
    here so that custody, which the read side also uses, does not import capture."""

    @property
    def run_id(self) -> str: ...

    @property
    def team(self) -> str | None: ...

    @property
    def models(self) -> Sequence[SignedModel]: ...


if TYPE_CHECKING:
    from atlas_ml.custody.keys import SigningKey


# Signing needs cryptography and securesystemslib (some 0.3 s to import): they are imported
# by the first run that has a key to sign with, never by a process that records unsigned.

log = logging.getLogger("atlas_ml.custody")
_warned: set[str] = set()


def attest_run(
    run: SignedRun,
    terminal: dict[str, Any],
    events: Iterable[Mapping[str, Any]],
    settings: CustodySettings | None = None,
) -> dict[str, Any] | None:
    """Sign ``run``'s record into ``terminal`` (its COMPLETE/FAIL event); never raises.

    ``events`` are the events the run emitted before (its steps). Returns the envelope, or
    None when the run stays unsigned.
    """
    try:
        settings = settings or load_custody_settings()
        key = settings.load_key()
        if key is None:
            return None
        from atlas_ml.config import load_config

        models = [m.artifact.path for m in run.models if m.artifact.uri is None]
        envelope = sign_event(
            terminal,
            events,
            key=key,
            team=run.team,
            log_dir=settings.log_dir,
            namespace=load_config().namespace,
            model_paths=[p for p in models if p.is_dir()],
        )
        for model in run.models:
            if model.artifact.uri is None:
                _write_bundle(model.artifact.path, envelope, model.artifact.sha256)
        return envelope
    except Exception as exc:
        _warn_once(
            f"training run {run.run_id} is recorded UNSIGNED: could not sign its record ({exc})"
        )
        return None


def sign_event(
    terminal: dict[str, Any],
    events: Iterable[Mapping[str, Any]],
    *,
    key: SigningKey,
    team: str | None,
    log_dir: Path,
    namespace: str,
    model_paths: Sequence[Path] = (),
    signed: SignedRecords | None = None,
) -> dict[str, Any]:
    """Sign the training run ``terminal`` records at the next position of ``team``'s chain,
    put the envelope on ``terminal`` (the ``atlasml_custody`` facet) and return it.

    ``signed`` (for re-imports): the runs this key signed before; a run whose records are
    the ones it signed gets that attestation again, so the chain gains no link. Raises on
    any problem (the callers decide how a run goes on unsigned).
    """
    from atlas_ml.custody.canonical import canonical, sha256_hex
    from atlas_ml.custody.chain import ChainLog
    from atlas_ml.custody.envelope import seal
    from atlas_ml.custody.records import records_from_events
    from atlas_ml.custody.statement import ChainPosition, training_statement

    run_record, records = records_from_events(list(events), terminal, namespace)
    team = team or DEFAULT_TEAM
    run_id = str(terminal["run"]["runId"])
    digest = sha256_hex(canonical([r.to_dict() for r in [run_record, *records]]))
    if signed is not None:
        before = signed.find(team, run_id, digest)
        if before is not None:
            _put_facet(terminal, before, team, key.public.key_id)
            return dict(before["envelope"])
    with ChainLog(log_dir).next_link(team, key.public.key_id) as link:
        signed_on = _now()
        statement = training_statement(
            terminal=terminal,
            run=run_record,
            records=records,
            namespace=namespace,
            position=ChainPosition(team, key.public, link.sequence, link.previous),
            signed_on=signed_on,
            model_paths=model_paths,
        )
        envelope, payload = seal(statement, key)
        details = {"runId": run_id, "recordsSha256": digest, "signedTime": signed_on}
        link.commit(envelope, payload, **details)
    entry = {
        **details,
        "envelope": envelope,
        "payloadSha256": sha256_hex(payload),
        "previous": link.previous,
        "sequence": link.sequence,
    }
    if signed is not None:
        signed.add(team, entry)
    _put_facet(terminal, entry, team, key.public.key_id)
    return envelope


class SignedRecords:
    """What one key signed, by team and run id, from its chain log (read once per team):
    lets an import sign each run once, however often it is imported."""

    def __init__(self, log_dir: Path, key_id: str) -> None:
        self.log_dir = log_dir
        self.key_id = key_id
        self._runs: dict[str, dict[str, dict[str, Any]]] = {}

    def find(self, team: str, run_id: str, records_sha256: str) -> dict[str, Any] | None:
        """The log entry of the latest attestation of ``run_id``, if it signed these records."""
        entry = self._team(team).get(run_id)
        return entry if entry and entry.get("recordsSha256") == records_sha256 else None

    def add(self, team: str, entry: dict[str, Any]) -> None:
        self._team(team)[str(entry["runId"])] = entry

    def _team(self, team: str) -> dict[str, dict[str, Any]]:
        if team not in self._runs:
            from atlas_ml.custody.chain import ChainLog

            entries = ChainLog(self.log_dir).entries(team, self.key_id)
            self._runs[team] = {str(e["runId"]): e for e in entries if e.get("runId")}
        return self._runs[team]


class ImportSigner:
    """Signs imported runs one after another (``atlas-ml import mlflow``): the key is loaded
    once, each run is chained under its team like a captured run, and a run imported again
    with the records signed before gets that attestation again, not a second one.

    ``key`` is None when no signing key is configured (the runs are imported UNSIGNED);
    building it raises :class:`~atlas_ml.custody.keys.CustodyKeyError` for a key that is
    configured but unusable.
    """

    def __init__(self, namespace: str, settings: CustodySettings | None = None) -> None:
        self.settings = settings or load_custody_settings()
        self.namespace = namespace
        self.key = self.settings.load_key()
        self._signed = (
            SignedRecords(self.settings.log_dir, self.key.public.key_id) if self.key else None
        )

    def sign(self, terminal: dict[str, Any], team: str | None) -> dict[str, Any] | None:
        """The envelope now on ``terminal`` (None without a key); raises when signing fails."""
        if self.key is None:
            return None
        return sign_event(
            terminal,
            (),
            key=self.key,
            team=team,
            log_dir=self.settings.log_dir,
            namespace=self.namespace,
            signed=self._signed,
        )


def _put_facet(terminal: dict[str, Any], entry: Mapping[str, Any], team: str, key_id: str) -> None:
    from atlas_ml.custody.statement import PREDICATE_TYPE

    terminal["run"].setdefault("facets", {})[CUSTODY] = facet(
        CUSTODY,
        envelope=entry["envelope"],
        payloadSha256=entry["payloadSha256"],
        previousSha256=entry["previous"],
        sequence=entry["sequence"],
        team=team,
        keyId=key_id,
        predicateType=PREDICATE_TYPE,
        signedTime=entry.get("signedTime"),
    )


def _write_bundle(artifact: Path, envelope: dict[str, Any], digest: str) -> None:
    from atlas_ml.custody.bundle import write_bundle

    try:
        write_bundle(artifact, envelope, digest)
    except OSError as exc:  # a read-only model folder: Atlas and the log still hold it
        _warn_once(f"could not write the attestation beside {artifact}: {exc.strerror or exc}")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        print(f"atlas-ml: {message}", file=sys.stderr)
