"""Compare signed records with what Atlas holds now, field by field.

Every signed attribute is read again (maps key by key, so a changed parameter is named by
its key) and every signed link (a run's or step's inputs and outputs) is compared as a set
of qualifiedNames, counting a link whose relationship or target entity was deleted as gone.

Entities several runs share (a dataset version read again, a step repeated with the same
data, a model whose bytes another run saved too) are written again by each run. When such a
field differs from this run's signed value, the runs downstream of it (upstream, for a model
version) are asked: if one of their attestations, signed by a trusted key, signed the value
Atlas holds now, atlas-ml wrote it and the difference is a note, not tampering.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.client import AtlasClient
from atlas_ml.custody.canonical import comparable
from atlas_ml.custody.envelope import EnvelopeError, Signed, judge_signatures
from atlas_ml.custody.records import (
    ACCUMULATED_ATTRIBUTES,
    DATASET_VERSION_TYPE,
    MODEL_VERSION_TYPE,
    SIGNED_TYPES,
    TRAINING_RUN_TYPE,
    TRANSFORM_TYPE,
    Record,
    current_value,
)
from atlas_ml.custody.result import Finding
from atlas_ml.custody.settings import CustodySettings
from atlas_ml.custody.statement import StatementError, read_custody, read_records
from atlas_ml.custody.stored import ACTIVE, StoredAttestation

LINEAGE_DEPTH = 10
"""Dataset hops searched downstream of a shared entity for the runs that wrote it again."""
MAX_OTHER_RUNS = 50


@dataclass
class Comparison:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def compare_records(
    client: AtlasClient,
    records: list[Record],
    run_entity: Mapping[str, Any],
    settings: CustodySettings,
    entities: Mapping[tuple[str, str], Mapping[str, Any]],
) -> Comparison:
    """Findings for every signed field Atlas no longer holds as signed (run record first).

    ``entities`` are the current entities by (type, qualifiedName), read beforehand (steps
    with their relationships; see :mod:`.reads`); ``client`` reads only when a shared
    entity differs (to ask the other runs that wrote it).
    """
    current = {
        (r.type_name, r.qualified_name): run_entity
        if r is records[0]
        else entities.get((r.type_name, r.qualified_name))
        for r in records
    }
    names = {
        str(e.get("guid")): str((e.get("attributes") or {}).get("qualifiedName"))
        for e in current.values()
        if e is not None
    }
    result = Comparison()
    shared: list[tuple[Record, Finding, str]] = []
    for record in records:
        entity = current.get((record.type_name, record.qualified_name))
        if entity is None or entity.get("status", ACTIVE) != ACTIVE:
            state = "missing from Atlas" if entity is None else "deleted from Atlas"
            result.findings.append(Finding(record.label, "entity", record.qualified_name, state))
            continue
        attributes = entity.get("attributes") or {}
        for finding, key in _attribute_findings(record, attributes):
            if record.type_name == TRAINING_RUN_TYPE:
                result.findings.append(finding)
            else:
                shared.append((record, finding, key))
        result.findings.extend(_link_findings(record, entity, names))
    if shared:
        _weigh_shared(client, settings, run_entity, shared, result)
    return result


def _attribute_findings(
    record: Record, attributes: Mapping[str, Any]
) -> Iterable[tuple[Finding, str]]:
    """(finding, attribute name) per signed value Atlas holds otherwise; maps key by key."""
    accumulated = ACCUMULATED_ATTRIBUTES.get(record.type_name, frozenset())
    for name, signed_value in record.attributes.items():
        signed = comparable(signed_value)
        current = current_value(attributes, name)
        if name in accumulated and isinstance(signed, list):
            held = set(map(str, current)) if isinstance(current, list) else set()
            for value in sorted(set(map(str, signed)) - held):
                yield Finding(record.label, name, value, "removed"), name
        elif isinstance(signed, dict) and isinstance(current, dict):
            for key in sorted(set(signed) | set(current)):
                if signed.get(key) != current.get(key):
                    yield (
                        Finding(record.label, f"{name}[{key}]", signed.get(key), current.get(key)),
                        name,
                    )
        elif signed != current:
            yield Finding(record.label, name, signed, current), name


def _link_findings(
    record: Record, entity: Mapping[str, Any], names: Mapping[str, str]
) -> list[Finding]:
    findings: list[Finding] = []
    for name, signed in record.links.items():
        current = current_links(entity, name, names)
        findings.extend(
            Finding(record.label, name, qn, "removed") for qn in sorted(set(signed) - current)
        )
        findings.extend(
            Finding(record.label, name, "(not signed)", qn) for qn in sorted(current - set(signed))
        )
    return findings


def current_links(entity: Mapping[str, Any], name: str, names: Mapping[str, str]) -> set[str]:
    """qualifiedNames of the signed-type entities ``name`` links to now, active links only.

    ``attributes`` carries the qualifiedNames of a process's inputs and outputs; the
    relationship view says which of those links, and their targets, are still active (Atlas
    keeps a deleted relationship there with status DELETED).
    """
    relationships = (entity.get("relationshipAttributes") or {}).get(name)
    active: set[str] | None = None
    if isinstance(relationships, list | dict):
        refs = relationships if isinstance(relationships, list) else [relationships]
        active = {
            str(r.get("guid"))
            for r in refs
            if isinstance(r, dict)
            and r.get("relationshipStatus", ACTIVE) == ACTIVE
            and r.get("entityStatus", ACTIVE) == ACTIVE
        }
    value = (entity.get("attributes") or {}).get(name)
    refs = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    current: set[str] = set()
    for ref in refs:
        if not isinstance(ref, dict) or ref.get("typeName") not in SIGNED_TYPES:
            continue
        guid = str(ref.get("guid"))
        if active is not None and guid not in active:
            continue
        qualified_name = (ref.get("uniqueAttributes") or {}).get("qualifiedName") or names.get(guid)
        if qualified_name:
            current.add(str(qualified_name))
    if not refs and active:  # a relationship-only link: name its targets by guid
        current |= {names[g] for g in active if g in names}
    return current


def _weigh_shared(
    client: AtlasClient,
    settings: CustodySettings,
    run_entity: Mapping[str, Any],
    shared: list[tuple[Record, Finding, str]],
    result: Comparison,
) -> None:
    """Keep as findings only the differences no other trusted attestation signed."""
    signed_elsewhere = _other_runs_records(
        client, settings, str(run_entity.get("guid")), [r for r, _, _ in shared]
    )
    for record, finding, attribute in shared:
        runs = [
            run
            for run, values in signed_elsewhere.get((record.type_name, record.qualified_name), [])
            if _holds(values, finding, attribute)
        ]
        if runs:
            result.notes.append(
                f"{finding.entity}: {finding.field} was recorded again, signed, by "
                f"{runs[0]}: it now reads {finding.current!r}"
            )
        else:
            result.findings.append(finding)


def _holds(values: Mapping[str, Any], finding: Finding, attribute: str) -> bool:
    if attribute not in values:
        return False
    signed = comparable(values[attribute])
    if finding.field != attribute:  # a map entry: name[key]
        key = finding.field[len(attribute) + 1 : -1]
        return isinstance(signed, dict) and signed.get(key) == finding.current
    return bool(signed == finding.current)


def _other_runs_records(
    client: AtlasClient, settings: CustodySettings, own_guid: str, records: list[Record]
) -> dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]:
    """(type, qualifiedName) -> [(run, signed attributes)] from the trusted attestations of
    the other runs that touched ``records``."""
    runs: set[str] = set()
    for record in {(r.type_name, r.qualified_name): r for r in records}.values():
        downstream = record.type_name in (DATASET_VERSION_TYPE, TRANSFORM_TYPE)
        if record.type_name not in (DATASET_VERSION_TYPE, TRANSFORM_TYPE, MODEL_VERSION_TYPE):
            continue
        graph = client.lineage.get_by_unique_attribute(
            record.type_name,
            record.qualified_name,
            direction="OUTPUT" if downstream else "INPUT",
            depth=LINEAGE_DEPTH if downstream else 1,
        )
        runs.update(graph.find(TRAINING_RUN_TYPE))
    runs.discard(own_guid)
    found: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    if not runs:
        return found
    run_entities = client.entities.get_bulk(sorted(runs)[:MAX_OTHER_RUNS])
    guids = [
        ref["guid"]
        for run in run_entities
        for ref in (run.get("relationshipAttributes") or {}).get("attestations") or []
        if isinstance(ref, dict) and ref.get("guid")
    ]
    for stored in (StoredAttestation(e) for e in client.entities.get_bulk(guids)):
        if not stored.active:
            continue
        try:
            opened = stored.open()
            custody = read_custody(opened.statement)
            signed_records = read_records(opened.statement)
        except (EnvelopeError, StatementError):
            continue
        verdict = judge_signatures(opened, settings.trusted_for(custody.team), None)
        if verdict.signed is not Signed.TRUSTED:
            continue
        label = signed_records[0].attributes.get("name") or signed_records[0].qualified_name
        for signed in signed_records[1:]:
            key = (signed.type_name, signed.qualified_name)
            found.setdefault(key, []).append((f"training run {label}", signed.attributes))
    return found
