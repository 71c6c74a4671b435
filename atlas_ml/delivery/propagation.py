"""Stop classifications at the steps that removed what they describe (Atlas propagation control).

Runs after an event's entities and classifications are in Atlas, because only then does Atlas
know which classifications reach each step (set by atlas-ml or by a data steward, with their
``columns``) and the guid of each step-to-output relationship. The rule is
:mod:`atlas_ml.mapping.propagation`; this module applies it with Atlas 2.1's relationship
``blockedPropagatedClassifications`` (``PUT /v2/relationship``), and records on the step which
classifications it stops and why (``blockedClassifications``, ``propagationNote``).

Idempotent: a classification already blocked on an edge is kept, the blocks a steward set by
hand on the same edge too (Atlas replaces the whole list, so it is read and merged first), and
nothing is written when nothing changes. A classification that reaches a step only after its
event was delivered (a steward classifies the raw file later) is not re-examined until the
step's event is delivered again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.client import AtlasClient
from atlas_ml.client.entities import UpsertResult
from atlas_ml.mapping import AtlasChanges
from atlas_ml.mapping.propagation import Block, blocks_for_output, may_block, output_columns
from atlas_ml.typedefs.names import TRANSFORM_TYPE

log = logging.getLogger("atlas_ml.delivery")

STEP_TYPE = TRANSFORM_TYPE


@dataclass
class StepBlocks:
    """What one step stops: classification names and the reasons, one per blocked edge."""

    qualified_name: str
    names: set[str] = field(default_factory=set)
    reasons: list[str] = field(default_factory=list)
    recorded: tuple[Any, Any] = (None, None)
    """``blockedClassifications`` and ``propagationNote`` the step had in Atlas."""

    @property
    def note(self) -> str:
        return "; ".join(dict.fromkeys(self.reasons))


def block_propagation(
    client: AtlasClient, changes: AtlasChanges, result: UpsertResult
) -> list[StepBlocks]:
    """Block, on each step of ``changes``, the classifications its outputs no longer carry."""
    by_guid = {e["guid"]: e for e in changes.entities}
    names = {guid: name for name, guid in result.guids.items()}
    done = []
    for step in changes.entities:
        if step["typeName"] != STEP_TYPE:
            continue
        attributes = step["attributes"]
        outputs = [by_guid.get(o.get("guid")) for o in attributes.get("outputs") or []]
        schemas = {
            e["attributes"]["qualifiedName"]: output_columns(e["attributes"].get("schemaJson"))
            for e in outputs
            if e is not None
        }
        guid = result.guids.get(attributes["qualifiedName"])
        if guid is None or not may_block(attributes.get("stepKind"), schemas.values()):
            continue
        blocks = _block_step(client, guid, attributes, schemas, names)
        if blocks.names:
            _record(client, attributes, blocks)
            done.append(blocks)
    return done


def _block_step(
    client: AtlasClient,
    guid: str,
    attributes: dict[str, Any],
    schemas: dict[str, Any],
    names: dict[str, str],
) -> StepBlocks:
    entity = client.entities.get(guid)["entity"]
    current = entity.get("attributes") or {}
    blocks = StepBlocks(
        attributes["qualifiedName"],
        recorded=(current.get("blockedClassifications"), current.get("propagationNote")),
    )
    classifications = entity.get("classifications") or []
    if not classifications:
        return blocks
    for output in (entity.get("relationshipAttributes") or {}).get("outputs") or []:
        if output.get("relationshipStatus", "ACTIVE") != "ACTIVE":
            continue
        qualified_name = names.get(str(output.get("guid"))) or _qualified_name(client, output) or ""
        label = str(output.get("displayText") or qualified_name or output.get("guid"))
        found = blocks_for_output(
            attributes.get("stepKind"), classifications, schemas.get(qualified_name), label
        )
        if found and output.get("relationshipGuid"):
            _block_edge(client, str(output["relationshipGuid"]), found)
            blocks.names.update(b.type_name for b in found)
            blocks.reasons.extend(b.reason for b in found)
    return blocks


def _qualified_name(client: AtlasClient, related: dict[str, Any]) -> str | None:
    unique = related.get("uniqueAttributes") or {}
    if unique.get("qualifiedName"):
        return str(unique["qualifiedName"])
    entity = client.entities.get(str(related["guid"]))["entity"]
    return (entity.get("attributes") or {}).get("qualifiedName")


def _block_edge(client: AtlasClient, relationship_guid: str, blocks: list[Block]) -> None:
    """Add ``blocks`` to the relationship's blocked classifications (kept: those already
    there); no request when every one is blocked already."""
    relationship = client.relationships.get(relationship_guid)["relationship"]
    current = [
        {"typeName": c["typeName"], "entityGuid": c["entityGuid"]}
        for c in relationship.get("blockedPropagatedClassifications") or []
    ]
    known = {(c["typeName"], c["entityGuid"]) for c in current}
    wanted = current + [
        {"typeName": b.type_name, "entityGuid": b.entity_guid}
        for b in blocks
        if (b.type_name, b.entity_guid) not in known
    ]
    if len(wanted) == len(current):
        return
    body = {
        key: relationship[key]
        for key in ("typeName", "guid", "end1", "end2", "propagateTags")
        if key in relationship
    }
    body["blockedPropagatedClassifications"] = wanted
    client.relationships.update(body)
    log.info("blocked %s on relationship %s", [b.type_name for b in blocks], relationship_guid)


def _record(client: AtlasClient, attributes: dict[str, Any], blocks: StepBlocks) -> None:
    """``blockedClassifications`` and ``propagationNote`` on the step (upsert of just those),
    unless it has them already."""
    names, note = blocks.recorded
    if sorted(names or []) == sorted(blocks.names) and note == blocks.note:
        return
    client.entities.upsert_batch(
        [
            {
                "typeName": STEP_TYPE,
                "attributes": {
                    "qualifiedName": attributes["qualifiedName"],
                    "name": attributes["name"],
                    "blockedClassifications": sorted(blocks.names),
                    "propagationNote": blocks.note,
                },
            }
        ]
    )
