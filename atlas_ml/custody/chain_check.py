"""Walk a team's whole chain: every attestation Atlas holds for it, and the local log.

Per signing key, the attestations must run #1, #2, ... without a hole, each naming the
payload of the one before, each still linked to its training run, each signed by a key
trusted for the team. Two attestations at one position are a fork. The local chain log (on
the machine that signed) adds what Atlas alone cannot show: the newest runs deleted from
Atlas together with their attestations, which no later link names yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.client import AtlasClient
from atlas_ml.custody.chain import ChainLog
from atlas_ml.custody.envelope import EnvelopeError, Signed, judge_signatures
from atlas_ml.custody.result import CustodyStatus, Finding, worst
from atlas_ml.custody.settings import CustodySettings, load_custody_settings
from atlas_ml.custody.statement import StatementError, read_custody
from atlas_ml.custody.stored import StoredAttestation, team_attestations


@dataclass
class KeyChain:
    """One chain: a team's attestations by one signing key."""

    key_id: str
    length: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> CustodyStatus:
        return worst([f.status for f in self.findings])

    def to_dict(self) -> dict[str, Any]:
        return {
            "keyId": self.key_id,
            "length": self.length,
            "status": self.status.value,
            "findings": [f.to_dict() for f in self.findings],
            "notes": list(self.notes),
        }


@dataclass
class ChainReport:
    team: str
    chains: list[KeyChain] = field(default_factory=list)

    @property
    def status(self) -> CustodyStatus:
        if not self.chains:
            return CustodyStatus.UNSIGNED
        return worst([c.status for c in self.chains])

    def to_dict(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "status": self.status.value,
            "chains": [c.to_dict() for c in self.chains],
        }


def check_chain(
    client: AtlasClient, team: str, *, settings: CustodySettings | None = None
) -> ChainReport:
    """Every chain of ``team`` in Atlas (and in this machine's log), with its breaks."""
    settings = settings or load_custody_settings()
    by_key: dict[str, list[tuple[StoredAttestation, Any]]] = defaultdict(list)
    report = ChainReport(team)
    unreadable: list[Finding] = []
    for stored in team_attestations(client, team):
        try:
            opened = stored.open()
            custody = read_custody(opened.statement)
        except (EnvelopeError, StatementError) as exc:
            unreadable.append(Finding(stored.label, "envelope", "a signed attestation", str(exc)))
            continue
        by_key[custody.key_id].append((stored, (opened, custody)))
    log = ChainLog(settings.log_dir)
    for key_id in sorted(set(by_key) | set(log.key_ids(team))):
        report.chains.append(_walk(key_id, by_key.get(key_id, []), log, team, settings))
    if unreadable:
        report.chains.append(KeyChain("(unreadable)", len(unreadable), unreadable))
    return report


def _walk(
    key_id: str,
    items: list[tuple[StoredAttestation, Any]],
    log: ChainLog,
    team: str,
    settings: CustodySettings,
) -> KeyChain:
    chain = KeyChain(key_id)
    gap = CustodyStatus.CHAIN_GAP
    at: dict[int, list[tuple[StoredAttestation, Any]]] = defaultdict(list)
    untrusted = 0
    for stored, parsed in sorted(items, key=lambda item: item[1][1].sequence):
        opened, custody = parsed
        label = f"chain {team} #{custody.sequence}"
        verdict = judge_signatures(opened, settings.trusted_for(team), custody.public_key)
        if verdict.signed is Signed.INVALID:
            chain.findings.append(Finding(label, "signature", f"key {key_id}", verdict.detail))
            continue
        untrusted += verdict.signed is Signed.UNTRUSTED
        if not stored.active:
            chain.findings.append(
                Finding(label, "attestation", opened.payload_sha256, "deleted from Atlas", gap)
            )
            continue
        if not stored.run_present():
            chain.findings.append(
                Finding(label, "training run", "present", "deleted from Atlas", gap)
            )
        at[custody.sequence].append((stored, parsed))
    if untrusted:
        chain.findings.insert(
            0,
            Finding(
                f"chain {team}",
                "signing key",
                f"key {key_id[:16]} ({untrusted} attestation(s))",
                "not trusted for this team",
                CustodyStatus.UNTRUSTED,
            ),
        )
    highest = max(at, default=0)
    chain.length = sum(len(v) for v in at.values())
    for sequence in range(1, highest + 1):
        here = at.get(sequence, [])
        label = f"chain {team} #{sequence}"
        payloads = {parsed[0].payload_sha256 for _, parsed in here}
        if not here:
            chain.findings.append(
                Finding(label, "attestation", f"#{sequence}", "not in Atlas", gap)
            )
            continue
        if len(payloads) > 1:
            chain.findings.append(
                Finding(label, "fork", "one attestation", f"{len(payloads)} attestations", gap)
            )
        before = {p[0].payload_sha256 for _, p in at.get(sequence - 1, [])}
        for _, (_, custody) in here:
            if sequence > 1 and before and custody.previous not in before:
                chain.findings.append(
                    Finding(
                        label, "previous", str(custody.previous), ", ".join(sorted(before)), gap
                    )
                )
    in_atlas = {parsed[0].payload_sha256 for stored, parsed in items}
    local = list(log.entries(team, key_id))
    missing = [e for e in local if e["payloadSha256"] not in in_atlas]
    for entry in missing:
        chain.findings.append(
            Finding(
                f"chain {team} #{entry['sequence']}",
                "attestation",
                f"signed on this machine ({str(entry['payloadSha256'])[:16]})",
                "not in Atlas",
                gap,
            )
        )
    if missing:
        chain.notes.append(
            "attestations signed here but absent from Atlas may still wait in the spool: "
            "'atlas-ml push' delivers them, after which a remaining gap is a deletion"
        )
    if local:
        chain.notes.append(f"local chain log: {len(local)} attestation(s) for this key")
    return chain
