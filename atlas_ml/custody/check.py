"""Check the custody of training runs in Atlas: the one call every read command makes.

:func:`check_run` answers, for one run: is its attestation signed by a key trusted for its
team; does Atlas still hold every signed field (parameters, metrics, code revision, inputs,
outputs, every step, every dataset version's fingerprints, the model version's artifact
digest); and is the chain intact next to it (its previous attestation and that one's run
are still in Atlas, in order). :func:`check_runs` does the same for many runs at once, with
the same few bulk reads (:mod:`.reads`). ``verify`` calls it for the runs it touches;
``trace``, ``explain`` and ``audit`` call it the same way::

    from atlas_ml.custody import check_run, check_runs
    result = check_run(client, run_guid)          # or the run's qualifiedName
    result.status                                 # CustodyStatus.SIGNED_OK, TAMPERED, ...
    for finding in result.findings:               # entity, field, signed, current
        ...
    results = check_runs(client, run_guids)       # {guid: CustodyResult}, in the order given

Reading Atlas can raise :class:`~atlas_ml.client.AtlasError`; everything else is a status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from atlas_ml.client import AtlasClient
from atlas_ml.custody.compare import compare_records
from atlas_ml.custody.envelope import EnvelopeError, Signed, judge_signatures
from atlas_ml.custody.reads import Entity, Key, read_by_guid, read_by_name, read_runs
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
    ATTESTATION_TYPE,
    StoredAttestation,
    deleted_attestation,
)
from atlas_ml.errors import AtlasMLError
from atlas_ml.naming.custody import attestation_name


class RunNotFound(AtlasMLError, LookupError):
    """No training run with that guid or qualifiedName in Atlas."""


def check_run(
    client: AtlasClient,
    run: str | Mapping[str, Any],
    *,
    settings: CustodySettings | None = None,
) -> CustodyResult:
    """The custody status of one training run (guid, qualifiedName or its entity).

    Four requests, three round trips deep: the run, its attestation, then at once the
    entities the attestation names and its previous link.
    """
    return next(iter(check_runs(client, [run], settings=settings).values()))


def check_runs(
    client: AtlasClient,
    runs: Iterable[str | Mapping[str, Any]],
    *,
    settings: CustodySettings | None = None,
) -> dict[str, CustodyResult]:
    """The custody status of many training runs, keyed by the guid or qualifiedName each
    was given as (an entity: by its guid), in the order given.

    Every run is read in the same three round trips, a request per 50 runs (or entities)
    at each: the runs, their attestations, then every entity the attestations name and the
    previous links not already read. Raises :class:`RunNotFound` naming the runs Atlas does
    not hold.
    """
    settings = settings or load_custody_settings()
    entities: dict[str, Mapping[str, Any]] = {}
    refs: list[str] = []
    for run in runs:
        ref = str(run.get("guid")) if isinstance(run, Mapping) else run
        if isinstance(run, Mapping):
            entities[ref] = run
        refs.append(ref)
    refs = list(dict.fromkeys(refs))
    if not refs:
        return {}
    unread = [r for r in refs if r not in entities]
    entities.update(read_runs(client, unread, TRAINING_RUN_TYPE) if unread else {})
    absent = [r for r in refs if r not in entities]
    if absent:
        raise RunNotFound(
            f"no training run {', '.join(repr(r) for r in absent[:5])} in Atlas at "
            f"{client.config.url}"
        )
    for ref in refs:
        type_name = entities[ref].get("typeName")
        if type_name != TRAINING_RUN_TYPE:
            raise RunNotFound(f"{ref} is a {type_name}, not a training run")
    checks = {ref: _RunCheck(client, settings, entities[ref]) for ref in refs}

    guids = {g for check in checks.values() for g in check.attestation_guids()}
    attestations = {g: StoredAttestation(e) for g, e in read_by_guid(client, guids).items()}
    for check in checks.values():
        check.judge(attestations)

    # Every entity the attestations name, and the previous links not read with them, at once.
    pending = [check for check in checks.values() if check.records]
    read = {str(a.attributes.get("qualifiedName")): a.entity for a in attestations.values()}
    linked: set[Key] = set()
    plain: set[Key] = set()
    for check in pending:
        for record in check.records[1:]:
            key = (record.type_name, record.qualified_name)
            (linked if record.links else plain).add(key)
        if check.previous_name and check.previous_name not in read:
            linked.add((ATTESTATION_TYPE, check.previous_name))
    found = read_by_name(client, linked, plain) if linked or plain else {}
    read.update({qn: e for (t, qn), e in found.items() if t == ATTESTATION_TYPE})
    for check in pending:
        check.compare(found, read)
    return {ref: checks[ref].result for ref in refs}


class _RunCheck:
    """One run's check, fed with what :func:`check_runs` read for all runs at once."""

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
        self.records: list[Record] = []
        """The signed records, once the signature is judged trusted (then compared)."""
        self.custody: Custody | None = None
        self.previous_name: str | None = None
        self.findings: list[Finding] = []

    def attestation_guids(self) -> list[str]:
        """Every attestation linked to the run (deleted ones too: their removal is a finding)."""
        refs = (self.entity.get("relationshipAttributes") or {}).get("attestations") or []
        return [str(r["guid"]) for r in refs if isinstance(r, dict) and r.get("guid")]

    def judge(self, attestations: Mapping[str, StoredAttestation]) -> None:
        """Open the latest attestation and judge its signature; a run that passes keeps
        its signed records for :meth:`compare`, any other gets its final status."""
        stored = [attestations[g] for g in self.attestation_guids() if g in attestations]
        active = [a for a in stored if a.active]
        if not active:
            self._unsigned(stored)
            return
        latest = max(active, key=lambda a: (a.sequence, a.attributes.get("signedTime") or 0))
        if len(active) > 1:
            self.result.notes.append(
                f"{len(active)} attestations (the model was saved again); the latest is checked"
            )
        self._open(latest)

    def _unsigned(self, stored: list[StoredAttestation]) -> None:
        if stored:  # linked attestations exist, all deleted: evidence was removed
            gone = stored[0]
            self._finish(
                [Finding("training run", "attestation", gone.label, "deleted from Atlas")],
                "its attestation was deleted from Atlas",
            )
            return
        self.result.status = CustodyStatus.UNSIGNED
        self.result.summary = "no attestation: the run was recorded without a signing key"
        team = self.result.team
        if team and self.settings.trusted_for(team):
            self.result.notes.append(
                f"keys are trusted for team {team}: if this run was signed, its attestation "
                "is gone (the next run's chain link shows a gap)"
            )

    def _open(self, stored: StoredAttestation) -> None:
        result = self.result
        result.payload_sha256 = stored.payload_sha256
        try:
            opened = stored.open()
        except EnvelopeError as exc:
            self._finish(
                [Finding("attestation", "envelope", "a complete DSSE envelope", str(exc))],
                "its envelope in Atlas is damaged",
            )
            return
        try:
            check_statement(opened.statement)
            custody = read_custody(opened.statement)
            records = read_records(opened.statement)
        except StatementError as exc:
            self._finish(
                [Finding("attestation", "statement", "an atlas-ml training statement", str(exc))],
                "its statement is not readable",
            )
            return
        result.team, result.key_id, result.sequence = custody.team, custody.key_id, custody.sequence
        verdict = judge_signatures(
            opened, self.settings.trusted_for(custody.team), custody.public_key
        )
        if verdict.signed is Signed.INVALID:
            self._finish(
                [Finding("attestation", "signature", f"key {verdict.key_id}", verdict.detail)],
                "its signature does not verify: the attestation was changed",
            )
            return
        if verdict.signed is Signed.UNTRUSTED:
            self._untrusted(verdict.key_id or "?", custody.team)
            return
        if opened.payload_sha256 != stored.payload_sha256:
            self.findings.append(
                Finding(
                    "attestation", "payloadSha256", opened.payload_sha256, stored.payload_sha256
                )
            )
        self.custody = custody
        self.records = records
        if custody.previous is not None:
            namespace = custody.namespace or self.client.config.namespace
            self.previous_name = attestation_name(custody.previous, namespace)

    def _untrusted(self, key_id: str, team: str) -> None:
        elsewhere = [t for t in self.settings.teams_trusting(key_id) if t != team]
        trusted = f" (trusted for {', '.join(elsewhere)} only)" if elsewhere else ""
        self.result.key_id = key_id
        self.result.status = CustodyStatus.UNTRUSTED
        self.result.summary = (
            f"valid signature by key {key_id[:16]}, which is not trusted for team {team}"
            f"{trusted}: trust it with 'atlas-ml keys trust {team} <public key>' if it is yours"
        )

    def compare(
        self, found: Mapping[Key, Entity], attestations: Mapping[str, Mapping[str, Any]]
    ) -> None:
        """Findings against the entities read (``found``) and the attestations by name."""
        assert self.custody is not None
        findings = self.findings
        findings.extend(self._compare(found))
        findings.extend(self._chain(self.custody, attestations))
        self._finish(findings, "")

    def _compare(self, found: Mapping[Key, Entity]) -> list[Finding]:
        records = self.records
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
        compared = compare_records(self.client, records, self.entity, self.settings, found)
        self.result.notes.extend(compared.notes)
        return compared.findings

    def _chain(
        self, custody: Custody, attestations: Mapping[str, Mapping[str, Any]]
    ) -> list[Finding]:
        """The link to the previous attestation of the same team and key."""
        gap = CustodyStatus.CHAIN_GAP
        where = f"chain {custody.team}"
        if custody.previous is None or self.previous_name is None:
            if custody.sequence != 1:
                self.result.notes.append(
                    f"the chain of team {custody.team} restarts at #{custody.sequence} (the "
                    "signer's local chain log was lost)"
                )
            return []
        expected = f"#{custody.sequence - 1} {custody.previous[:16]}"
        entity = attestations.get(self.previous_name)
        # Atlas finds only active entities by name; a search also sees deleted ones.
        previous = (
            StoredAttestation(entity)
            if entity is not None
            else deleted_attestation(self.client, custody.previous)
        )
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

    def _finish(self, findings: list[Finding], summary: str) -> None:
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
