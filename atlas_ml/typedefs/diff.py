"""What installing a type set would change on a server, and what Atlas could not apply.

Only the fields a local definition declares are compared, so the defaults and bookkeeping
Atlas adds (``guid``, ``version``, ``searchWeight`` ...) never show up as changes and a second
install finds nothing to do. An update is sent as the server's complete definition with the
local changes laid over it: Atlas requires a PUT to carry every existing attribute.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.typedefs.model import TypeDef, TypedefError, TypeSet

# Fields Atlas computes or maintains; sending them back is pointless or confusing.
_DERIVED_FIELDS = (
    "subTypes",
    "relationshipAttributeDefs",
    "businessAttributeDefs",
    "createTime",
    "updateTime",
    "createdBy",
    "updatedBy",
    "version",
)
_MERGED_FIELDS = {"name", "attributeDefs", "superTypes", "elementDefs", "endDef1", "endDef2"}
_END_IDENTITY = ("type", "name", "isContainer", "cardinality")


@dataclass
class TypedefPlan:
    """The outcome of comparing a local type set with a server."""

    create: list[str] = field(default_factory=list)
    update: dict[str, TypeDef] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=dict)
    refused: list[TypedefError] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.create or self.update)


def plan_install(local: TypeSet, server: TypeSet) -> TypedefPlan:
    """Compare every local type with its server counterpart."""
    plan = TypedefPlan()
    for name, category, typedef in local.items():
        remote = server.defs.get(name)
        if remote is None:
            plan.create.append(name)
            continue
        source = local.sources.get(name)
        refusals: list[tuple[str, str | None]] = []
        if server.categories[name] != category:
            refusals.append(
                (
                    f"exists on the server as a {server.categories[name].lower()} type, "
                    f"not a {category.lower()}; rename the local type",
                    None,
                )
            )
            changes: list[str] = []
        else:
            changes = _compare(typedef, remote, category, refusals)
        problems = [
            TypedefError(message, type_name=name, source=source, atlas_code=code)
            for message, code in refusals
        ]
        if problems:
            plan.refused.extend(problems)
        elif changes:
            plan.changes[name] = changes
            plan.update[name] = merge_for_update(typedef, remote)
        else:
            plan.unchanged.append(name)
    return plan


def _compare(
    local: TypeDef, remote: TypeDef, category: str, refusals: list[tuple[str, str | None]]
) -> list[str]:
    """Changes Atlas can apply; what it cannot goes to ``refusals`` as (message, code)."""
    changes: list[str] = []

    def refuse(message: str, code: str | None = None) -> None:
        refusals.append((message, code))

    local_version, remote_version = local.get("typeVersion"), remote.get("typeVersion")
    if (
        local_version
        and remote_version
        and _version(str(local_version)) < _version(str(remote_version))
    ):
        refuse(
            f"the server has typeVersion {remote_version}, newer than this type set's "
            f"{local_version}; a downgrade would relabel the type but keep everything the "
            "newer version added (Atlas cannot remove attributes). Install the newer typedefs"
        )
        return changes

    for key, value in local.items():
        if key in _MERGED_FIELDS:
            continue
        if key == "relationshipCategory" and value != remote.get(key):
            refuse(
                f"relationshipCategory cannot change ({remote.get(key)} -> {value})",
                "ATLAS-400-00-039",
            )
        elif _differs(value, remote.get(key)):
            changes.append(f"{key}: {remote.get(key)!r} -> {value!r}")
    removed_supers = sorted(
        set(remote.get("superTypes") or []) - set(local.get("superTypes") or [])
    )
    if removed_supers and "superTypes" in local:
        refuse(f"cannot remove supertype(s) {', '.join(removed_supers)}", "ATLAS-400-00-00E")
    added_supers = [
        s for s in local.get("superTypes") or [] if s not in (remote.get("superTypes") or [])
    ]
    if added_supers:
        changes.append(f"superTypes: add {', '.join(added_supers)}")
    for number, code in (("1", "ATLAS-400-00-037"), ("2", "ATLAS-400-00-038")):
        local_end, remote_end = local.get(f"endDef{number}"), remote.get(f"endDef{number}")
        if isinstance(local_end, dict) and isinstance(remote_end, dict):
            moved = [
                k
                for k in _END_IDENTITY
                if k in local_end and _differs(local_end[k], remote_end.get(k))
            ]
            if moved:
                refuse(f"endDef{number} cannot change ({', '.join(moved)})", code)
            elif _differs(local_end, remote_end):
                changes.append(f"endDef{number}: description/options")
    if category == "ENUM":
        local_values = [e.get("value") for e in local.get("elementDefs") or []]
        remote_values = [e.get("value") for e in remote.get("elementDefs") or []]
        removed = [v for v in remote_values if v not in local_values]
        if removed:
            refuse(
                f"enum value(s) {', '.join(map(str, removed))} would be removed; existing "
                "entities may hold them, so keep them (mark them deprecated in the description)"
            )
        added = [v for v in local_values if v not in remote_values]
        if added:
            changes.append(f"elementDefs: add {', '.join(map(str, added))}")
    remote_attrs = {a.get("name"): a for a in remote.get("attributeDefs") or []}
    for attribute in local.get("attributeDefs") or []:
        attr = attribute.get("name")
        existing = remote_attrs.get(attr)
        refusal = _attribute_refusal(attribute, existing)
        if refusal:
            refuse(*refusal)
        elif existing is None:
            changes.append(f"attribute {attr}: added")
        else:
            differing = [k for k, v in attribute.items() if _differs(v, existing.get(k))]
            if differing:
                changes.append(f"attribute {attr}: {', '.join(sorted(differing))}")
    return changes


def _attribute_refusal(local: TypeDef, remote: TypeDef | None) -> tuple[str, str | None] | None:
    """Why an attribute change cannot or should not reach a type that may have entities.

    Entities created before the change lack a new or newly mandatory attribute: Atlas refuses
    to add a mandatory one, and accepts making an existing one mandatory but then rejects every
    entity written without it, so both are refused here.
    """
    attr = local.get("name")
    if remote is None:
        if local.get("isOptional") is True:
            return None
        flag = (
            '"isOptional": false'
            if "isOptional" in local
            else 'no "isOptional", which Atlas reads as false'
        )
        return (
            f"new attribute {attr!r} is mandatory ({flag}); Atlas can only add optional "
            'attributes to an existing type (set "isOptional": true)',
            "ATLAS-400-00-00C",
        )
    if local.get("typeName") != remote.get("typeName"):
        return (
            f"attribute {attr!r} cannot change type ({remote.get('typeName')} -> "
            f"{local.get('typeName')}); add a new attribute instead",
            "ATLAS-400-00-027",
        )
    if local.get("cardinality", remote.get("cardinality")) != remote.get("cardinality"):
        return (
            f"attribute {attr!r} cannot change cardinality "
            f"({remote.get('cardinality')} -> {local.get('cardinality')})",
            "ATLAS-400-00-027",
        )
    if local.get("isOptional") is False and remote.get("isOptional") is True:
        return (
            f'optional attribute {attr!r} cannot become mandatory ("isOptional": false): '
            "existing entities lack it, and Atlas would reject every entity written without "
            'it; keep "isOptional": true',
            None,
        )
    return None


def _version(text: str) -> tuple[tuple[int, str], ...]:
    """``"1.10"`` sorts after ``"1.9"``; non-numeric parts compare as text, before numbers."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in text.split("."))


def _differs(local: Any, remote: Any) -> bool:
    """Whether a locally declared value differs from the server's (missing == empty)."""
    if isinstance(local, dict):
        remote = remote if isinstance(remote, dict) else {}
        return any(_differs(v, remote.get(k)) for k, v in local.items())
    if local in (None, "", [], {}) and remote in (None, "", [], {}):
        return False
    if isinstance(local, list) and isinstance(remote, list):
        return [_plain(x) for x in local] != [_plain(x) for x in remote]
    return _plain(local) != _plain(remote)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def merge_for_update(local: TypeDef, remote: TypeDef) -> TypeDef:
    """The server's definition with the local one laid over it, complete for a PUT."""
    merged = {k: copy.deepcopy(v) for k, v in remote.items() if k not in _DERIVED_FIELDS}
    for key, value in local.items():
        if key not in _MERGED_FIELDS:
            merged[key] = copy.deepcopy(value)
    if "superTypes" in local:
        supers = list(remote.get("superTypes") or [])
        supers.extend(s for s in local["superTypes"] if s not in supers)
        merged["superTypes"] = supers
    if "elementDefs" in local:
        merged["elementDefs"] = copy.deepcopy(local["elementDefs"])
    for end in ("endDef1", "endDef2"):
        if isinstance(local.get(end), dict):
            merged[end] = {**(remote.get(end) or {}), **local[end]}
    local_attrs = {a.get("name"): a for a in local.get("attributeDefs") or []}
    attributes = []
    for existing in remote.get("attributeDefs") or []:
        attributes.append({**existing, **copy.deepcopy(local_attrs.pop(existing.get("name"), {}))})
    attributes.extend(copy.deepcopy(list(local_attrs.values())))
    if attributes or "attributeDefs" in remote:
        merged["attributeDefs"] = attributes
    return merged
