"""Whether a classification should stop at a step: the rule, without a server.

Atlas propagates a classification from a dataset along every process downstream. That is right
for a classification of the whole dataset, and wrong once a step has removed what it describes:
``PII`` on the columns ``Name``, ``Ticket``, ``Cabin`` of a raw file must not reach the cleaned
data (and every model trained on it) after the step that dropped those columns. So a
classification stops on a step's edge to one of its outputs when

- the step's kind is ``ANONYMIZE`` (its purpose is to remove what classifications describe), or
- the classification names its ``columns`` (set by atlas-ml's ``classify(..., columns=[...])``
  or by a data steward in Atlas) and the output's recorded schema has none of them.

A classification without ``columns`` describes the whole dataset and propagates as before; so
does one reaching an output whose schema was not recorded (nothing proves the columns gone).
Column names match case-insensitively (Spark and Hive resolve them so), which errs towards
keeping a classification.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ANONYMIZE = "ANONYMIZE"
NEVER_BLOCKING_KINDS = frozenset({"INGEST", "COPY"})
"""Steps whose output holds every byte of their input: nothing they could have removed."""


@dataclass(frozen=True)
class Block:
    """One classification (by type and the entity it was set on) stopped at one output."""

    type_name: str
    entity_guid: str
    reason: str


def output_columns(schema_json: str | None) -> list[str] | None:
    """Column names of a dataset version's ``schemaJson``; None when no schema was recorded."""
    if not schema_json:
        return None
    try:
        fields = json.loads(schema_json)
    except ValueError:
        return None
    if not isinstance(fields, list):
        return None
    return [str(f["name"]) for f in fields if isinstance(f, dict) and "name" in f]


def may_block(step_kind: str | None, outputs_schemas: Iterable[list[str] | None]) -> bool:
    """Whether a step could stop any classification, so that delivery asks Atlas about it."""
    kind = (step_kind or "OTHER").upper()
    if kind in NEVER_BLOCKING_KINDS:
        return False
    return kind == ANONYMIZE or any(s is not None for s in outputs_schemas)


def block_reason(
    step_kind: str | None,
    classification: dict[str, Any],
    columns_out: list[str] | None,
    output_label: str,
) -> str | None:
    """Why ``classification`` (Atlas JSON) stops on the edge to an output whose schema has
    ``columns_out``; None when it propagates."""
    if not classification.get("propagate", True):
        return None  # Atlas does not propagate it anyway
    name = classification.get("typeName", "?")
    kind = (step_kind or "OTHER").upper()
    if kind in NEVER_BLOCKING_KINDS:
        return None
    if kind == ANONYMIZE:
        return f"{name} stops here: the step anonymises its data (kind {ANONYMIZE})"
    classified = [str(c) for c in (classification.get("attributes") or {}).get("columns") or []]
    if not classified or columns_out is None:
        return None
    present = {c.lower() for c in columns_out}
    if any(c.lower() in present for c in classified):
        return None
    return (
        f"{name} (columns {', '.join(classified)}) stops here: {output_label} has none of "
        "those columns"
    )


def blocks_for_output(
    step_kind: str | None,
    classifications: Iterable[dict[str, Any]],
    columns_out: list[str] | None,
    output_label: str,
) -> list[Block]:
    """Every classification of the step (as Atlas lists them on it) that stops at one output."""
    blocks = []
    for classification in classifications:
        reason = block_reason(step_kind, classification, columns_out, output_label)
        if reason is not None and classification.get("entityGuid"):
            blocks.append(
                Block(str(classification["typeName"]), str(classification["entityGuid"]), reason)
            )
    return blocks
