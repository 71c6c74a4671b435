"""Check the custody of a training run in Atlas: the one call every read command makes.

:func:`check_run` answers, for one run: is its attestation signed by a key trusted for its
team; does Atlas still hold every signed field (parameters, metrics, code revision, inputs,
outputs, every step, every dataset version's fingerprints, the model version's artifact
digest); and is the chain intact next to it (its previous attestation and that one's run
are still in Atlas, in order). ``verify`` calls it for the runs it touches; ``trace``,
``explain`` and ``audit`` call it the same way::

    from atlas_ml.custody import check_run
    result = check_run(client, run_guid)          # or the run's qualifiedName
    result.status                                 # CustodyStatus.SIGNED_OK, TAMPERED, ...
    for finding in result.findings:               # entity, field, signed, current
        ...

Reading Atlas can raise :class:`~atlas_ml.client.AtlasError`; everything else is a status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from atlas_ml.client import AtlasClient, AtlasNotFound
from atlas_ml.custody.compare import compare_records
from atlas_ml.custody.envelope import EnvelopeError, Signed, judge_signatures
from atlas_ml.custody.records import TRAINING_RUN_TYPE, Record
from atlas_ml.custody.result import CustodyResult, CustodyStatus, Finding, worst
from atlas_ml.custody.settings import CustodySettings, load_custody_settings
from atlas_ml.custody.statement import (
    Custody,
    StatementError,
    check_statement,
    read_custody,
    read_records,
)
from atlas_ml.custody.stored import (
    ACTIVE,
    StoredAttestation,
    attestation_by_payload,
    run_attestations,
)
from atlas_ml.errors import AtlasMLError

_UUID_LENGTH = 36
READERS = 4
"""Reads in flight at once: the previous link and the records of up to three types."""


class RunNotFound(AtlasMLError, LookupError):
    """No training run with that guid or qualifiedName in Atlas."""


def check_run(
    client: AtlasClient,
    run: str | Mapping[str, Any],
    *,
    settings: CustodySettings | None = None,
) -> CustodyResult:
    """The custody status of one training run (guid, qualifiedName or its entity)."""
    settings = settings or load_custody_settings()
    entity = run if isinstance(run, Mapping) else _run_entity(client, run)
    return _RunCheck(client, settings, entity).run()


def check_runs(
    client: AtlasClient, runs: Iterable[str], *, settings: CustodySettings | None = None
) -> list[CustodyResult]:
    settings = settings or load_custody_settings()
    return [check_run(client, run, settings=settings) for run in runs]


def _run_entity(client: AtlasClient, run: str) -> Mapping[str, Any]:
    try:
        if len(run) == _UUID_LENGTH and run.count("-") == 4:
            body = client.entities.get(run)
        else:
            body = client.entities.get_by_unique_attribute(TRAINING_RUN_TYPE, run)
    except AtlasNotFound as exc:
        raise RunNotFound(f"no training run {run!r} in Atlas at {client.config.url}") from exc
    entity = body.get("entity") or {}
    if entity.get("typeName") != TRAINING_RUN_TYPE:
        raise RunNotFound(f"{run} is a {entity.get('typeName')}, not a training run")
    return entity


class _RunCheck:
    def __init__(
        self, client: AtlasClient, settings: CustodySettings, entity: Mapping[str, Any]
    ) -> None:
        self.client = client
        self.settings = settings
        self.entity = entity
        attributes = entity.get("attributes") or {}
        self.result = CustodyResult(
            subject=str(attributes.get("qualifiedName") or entity.get("guid")),
            status=CustodyStatus.SIGNED_OK,
            summary="",
            guid=str(entity.get("guid")),
            team=attributes.get("team"),
        )

    def run(self) -> CustodyResult:
        stored = run_attestations(self.client, self.entity)
        active = [a for a in stored if a.active]
        if not active:
            return self._unsigned(stored)
        latest = max(active, key=lambda a: (a.sequence, a.attributes.get("signedTime") or 0))
        if len(active) > 1:
            self.result.notes.append(
                f"{len(active)} attestations (the model was saved again); the latest is checked"
            )
        return self._check(latest)

    def _unsigned(self, stored: list[StoredAttestation]) -> CustodyResult:
        if stored:  # linked attestations exist, all deleted: evidence was removed
            gone = stored[0]
            return self._finish(
                [Finding("training run", "attestation", gone.label, "deleted from Atlas")],
                "its attestation was deleted from Atlas",
            )
        self.result.status = CustodyStatus.UNSIGNED
        self.result.summary = "no attestation: the run was recorded without a signing key"
        team = self.result.team
        if team and self.settings.trusted_for(team):
            self.result.notes.append(
                f"keys are trusted for team {team}: if this run was signed, its attestation "
                "is gone (the next run's chain link shows a gap)"
            )
        return self.result

    def _check(self, stored: StoredAttestation) -> CustodyResult:
        result = self.result
        result.payload_sha256 = stored.payload_sha256
        try:
            opened = stored.open()
        except EnvelopeError as exc:
            return self._finish(
                [Finding("attestation", "envelope", "a complete DSSE envelope", str(exc))],
                "its envelope in Atlas is damaged",
            )
        try:
            check_statement(opened.statement)
            custody = read_custody(opened.statement)
            records = read_records(opened.statement)
        except StatementError as exc:
            return self._finish(
                [Finding("attestation", "statement", "an atlas-ml training statement", str(exc))],
                "its statement is not readable",
            )
        result.team, result.key_id, result.sequence = custody.team, custody.key_id, custody.sequence
        verdict = judge_signatures(
            opened, self.settings.trusted_for(custody.team), custody.public_key
        )
        if verdict.signed is Signed.INVALID:
            return self._finish(
                [Finding("attestation", "signature", f"key {verdict.key_id}", verdict.detail)],
                "its signature does not verify: the attestation was changed",
            )
        if verdict.signed is Signed.UNTRUSTED:
            return self._untrusted(verdict.key_id or "?", custody.team)
        findings: list[Finding] = []
        if opened.payload_sha256 != stored.payload_sha256:
            findings.append(
                Finding(
                    "attestation", "payloadSha256", opened.payload_sha256, stored.payload_sha256
                )
            )
        # The chain link and the records of each type are independent reads: in parallel.
        with ThreadPoolExecutor(READERS, thread_name_prefix="atlas-ml-custody") as pool:
            chain = pool.submit(self._chain, custody)
            findings.extend(self._compare(records, pool))
            findings.extend(chain.result())
        return self._finish(findings, "")

    def _untrusted(self, key_id: str, team: str) -> CustodyResult:
        elsewhere = [t for t in self.settings.teams_trusting(key_id) if t != team]
        trusted = f" (trusted for {', '.join(elsewhere)} only)" if elsewhere else ""
        self.result.key_id = key_id
        self.result.status = CustodyStatus.UNTRUSTED
        self.result.summary = (
            f"valid signature by key {key_id[:16]}, which is not trusted for team {team}"
            f"{trusted}: trust it with 'atlas-ml keys trust {team} <public key>' if it is yours"
        )
        return self.result

    def _compare(self, records: list[Record], pool: Executor) -> list[Finding]:
        own = self.result.subject
        if records[0].type_name != TRAINING_RUN_TYPE or records[0].qualified_name != own:
            return [Finding("attestation", "training run", records[0].qualified_name, own)]
        if self.entity.get("status", ACTIVE) != ACTIVE:
            return [
                Finding(
                    records[0].label,
                    "entity",
                    records[0].qualified_name,
                    "deleted from Atlas",
                    CustodyStatus.CHAIN_GAP,
                )
            ]
        compared = compare_records(self.client, records, self.entity, self.settings, pool)
        self.result.notes.extend(compared.notes)
        return compared.findings

    def _chain(self, custody: Custody) -> list[Finding]:
        """The link to the previous attestation of the same team and key."""
        gap = CustodyStatus.CHAIN_GAP
        where = f"chain {custody.team}"
        if custody.previous is None:
            if custody.sequence != 1:
                self.result.notes.append(
                    f"the chain of team {custody.team} restarts at #{custody.sequence} (the "
                    "signer's local chain log was lost)"
                )
            return []
        expected = f"#{custody.sequence - 1} {custody.previous[:16]}"
        namespace = custody.namespace or self.client.config.namespace
        previous = attestation_by_payload(self.client, custody.previous, namespace)
        if previous is None or not previous.active:
            state = "not in Atlas" if previous is None else "deleted from Atlas"
            return [Finding(where, "previous attestation", expected, state, gap)]
        try:
            opened = previous.open()
            before = read_custody(opened.statement)
            before_run = read_records(opened.statement)[0]
        except (EnvelopeError, StatementError) as exc:
            return [Finding(where, "previous attestation", expected, f"unreadable: {exc}", gap)]
        findings = []
        if opened.payload_sha256 != custody.previous:
            findings.append(
                Finding(where, "previous payload", custody.previous, opened.payload_sha256, gap)
            )
        if (before.sequence, before.team, before.key_id) != (
            custody.sequence - 1,
            custody.team,
            custody.key_id,
        ):
            findings.append(
                Finding(
                    where,
                    "previous position",
                    f"#{custody.sequence - 1} of {custody.team}",
                    f"#{before.sequence} of {before.team}",
                    gap,
                )
            )
        if not previous.run_present():
            findings.append(
                Finding(
                    where,
                    f"training run of #{before.sequence}",
                    before_run.qualified_name,
                    "deleted from Atlas",
                    gap,
                )
            )
        return findings

    def _finish(self, findings: list[Finding], summary: str) -> CustodyResult:
        result = self.result
        result.findings = findings
        result.status = worst([f.status for f in findings])
        if summary:
            result.summary = summary
        elif result.status is CustodyStatus.SIGNED_OK:
            result.summary = (
                f"signed by trusted key {str(result.key_id)[:16]} (team {result.team}, "
                f"#{result.sequence}); Atlas holds every signed field; chain intact"
            )
        else:
            kinds = sorted({f.field for f in findings})
            result.summary = (
                f"{len(findings)} difference(s) with what was signed: {', '.join(kinds[:5])}"
                if result.status is CustodyStatus.TAMPERED
                else f"the chain of team {result.team} is broken before #{result.sequence}"
            )
        return result
