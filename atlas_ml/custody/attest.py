"""Attest a training run as it ends: sign its record, chain it, store the envelope.

:func:`attest_run` is the one call the capture side makes (``TrainingRun.finish``, which the
Spark ML capture uses too). With no signing key configured it does nothing: the run is
recorded UNSIGNED, and every read command says so. With a key it

1. reduces the run's events to the records atlas-ml writes to Atlas (:mod:`.records`),
2. takes the next position of the team's chain (:mod:`.chain`) and builds the in-toto
   Statement (:mod:`.statement`), RFC 8785-canonical, signed into a DSSE envelope,
3. puts the envelope on the terminal event as the ``atlasml_custody`` facet, so it reaches
   Atlas with the run (through the spool, like all lineage), appends it to the local chain
   log, and writes ``<artifact>.intoto.jsonl`` beside each local model artifact.

Nothing here can fail the user's run: a problem (an unreadable key, a wrong passphrase) is
one line on stderr and the run goes on unsigned.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

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
        from atlas_ml.custody.canonical import sha256_hex
        from atlas_ml.custody.chain import ChainLog
        from atlas_ml.custody.envelope import seal
        from atlas_ml.custody.records import records_from_events
        from atlas_ml.custody.statement import PREDICATE_TYPE, ChainPosition, training_statement

        namespace = load_config().namespace
        run_record, records = records_from_events(list(events), terminal, namespace)
        team = run.team or DEFAULT_TEAM
        models = [m.artifact.path for m in run.models if m.artifact.uri is None]
        with ChainLog(settings.log_dir).next_link(team, key.public.key_id) as link:
            signed_on = _now()
            statement = training_statement(
                terminal=terminal,
                run=run_record,
                records=records,
                namespace=namespace,
                position=ChainPosition(team, key.public, link.sequence, link.previous),
                signed_on=signed_on,
                model_paths=[p for p in models if p.is_dir()],
            )
            envelope, payload = seal(statement, key)
            link.commit(envelope, payload)
        terminal["run"].setdefault("facets", {})[CUSTODY] = facet(
            CUSTODY,
            envelope=envelope,
            payloadSha256=sha256_hex(payload),
            previousSha256=link.previous,
            sequence=link.sequence,
            team=team,
            keyId=key.public.key_id,
            predicateType=PREDICATE_TYPE,
            signedTime=signed_on,
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
