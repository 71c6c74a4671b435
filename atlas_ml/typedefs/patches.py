"""Upgrades of the project's types, written as patches in the style of Atlas's models.

A patch file holds ``{"patches": [...]}``; each patch names a type, the ``typeVersion`` it
applies to and the one it produces, and one action:

* ``ADD_ATTRIBUTE``: ``attributeDefs`` to append (must be optional: Atlas cannot add a
  mandatory attribute to a type that may have instances);
* ``UPDATE_TYPEDEF_OPTIONS``: ``typeDefOptions`` merged into the type's ``options``;
* ``UPDATE_ATTRIBUTE_METADATA``: ``attributeName`` plus ``params`` (``description``,
  ``isIndexable``, ``options`` ...) changed on an existing attribute (not its type);
* ``ADD_SUPER_TYPES``: ``superTypes`` to add;
* ``ADD_ENUM_ELEMENTS``: ``elementDefs`` appended to an enum.

Unlike Atlas, which applies patches inside the server at start-up, atlas-ml applies them to
the loaded definitions: the result is the desired state, which ``install`` diffs against the
server. The patch files stay the reviewed, append-only history of every change, and a server
at any older version is brought up to date by the same computed PUT.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from atlas_ml.typedefs.kinds import TypeDef, TypedefError, read_json
from atlas_ml.typedefs.model import TypeSet
from atlas_ml.typedefs.shape import PATCH, PATCH_FILE, check_shape

Patch = dict[str, Any]


def apply_patch_files(types: TypeSet, files: Iterable[Path]) -> None:
    """Apply every patch of ``files`` (in order) to ``types`` in place."""
    for path in files:
        body = read_json(path)
        check_shape(body, PATCH_FILE, str(path))
        for patch in body["patches"]:
            apply_patch(types, patch, str(path))


def apply_patch(types: TypeSet, patch: Patch, source: str) -> None:
    """Apply one patch; raises :class:`TypedefError` naming the patch and type."""
    name = patch.get("typeName")
    label = f"{source} (patch {patch.get('id', '?')})"
    check_shape(patch, PATCH, label)
    if not isinstance(name, str) or name not in types.defs:
        raise TypedefError(
            "patch targets a type this type set does not define", type_name=name, source=label
        )
    typedef = types.defs[name]
    current = str(typedef.get("typeVersion", "1.0"))
    wanted = str(patch.get("applyToVersion", ""))
    if current != wanted:
        raise TypedefError(
            f"patch applies to typeVersion {wanted} but the type is at {current}; "
            "patches must form an unbroken chain of versions",
            type_name=name,
            source=label,
        )
    action = patch.get("action")
    handler = _ACTIONS.get(str(action))
    if handler is None:
        raise TypedefError(
            f"unknown patch action {action!r}; use one of {', '.join(_ACTIONS)}",
            type_name=name,
            source=label,
        )
    updated = copy.deepcopy(typedef)
    handler(updated, patch, label)
    updated["typeVersion"] = str(patch.get("updateToVersion") or _next_version(current))
    types.defs[name] = updated


def _next_version(version: str) -> str:
    major, _, minor = version.partition(".")
    return f"{major}.{int(minor or 0) + 1}"


def _add_attribute(typedef: TypeDef, patch: Patch, label: str) -> None:
    existing = {a.get("name") for a in typedef.get("attributeDefs") or []}
    for attribute in patch.get("attributeDefs") or []:
        if attribute.get("name") in existing:
            raise TypedefError(
                f"ADD_ATTRIBUTE: attribute {attribute.get('name')!r} already exists",
                type_name=typedef["name"],
                source=label,
            )
        if attribute.get("isOptional") is False:
            raise TypedefError(
                f"ADD_ATTRIBUTE: new attribute {attribute.get('name')!r} must be optional "
                '(set "isOptional": true)',
                type_name=typedef["name"],
                source=label,
                atlas_code="ATLAS-400-00-00C",
            )
        typedef.setdefault("attributeDefs", []).append(dict(attribute, isOptional=True))


def _update_options(typedef: TypeDef, patch: Patch, label: str) -> None:
    typedef["options"] = {**(typedef.get("options") or {}), **(patch.get("typeDefOptions") or {})}


def _update_attribute_metadata(typedef: TypeDef, patch: Patch, label: str) -> None:
    params = dict(patch.get("params") or {})
    if "typeName" in params or "name" in params:
        raise TypedefError(
            "UPDATE_ATTRIBUTE_METADATA cannot change an attribute's name or type",
            type_name=typedef["name"],
            source=label,
            atlas_code="ATLAS-400-00-027",
        )
    for attribute in typedef.get("attributeDefs") or []:
        if attribute.get("name") == patch.get("attributeName"):
            attribute.update(params)
            return
    raise TypedefError(
        f"UPDATE_ATTRIBUTE_METADATA: no attribute {patch.get('attributeName')!r}",
        type_name=typedef["name"],
        source=label,
    )


def _add_super_types(typedef: TypeDef, patch: Patch, label: str) -> None:
    supers = list(typedef.get("superTypes") or [])
    supers.extend(s for s in patch.get("superTypes") or [] if s not in supers)
    typedef["superTypes"] = supers


def _add_enum_elements(typedef: TypeDef, patch: Patch, label: str) -> None:
    elements = typedef.setdefault("elementDefs", [])
    values = {e.get("value") for e in elements}
    for element in patch.get("elementDefs") or []:
        if element.get("value") not in values:
            elements.append(dict(element, ordinal=element.get("ordinal", len(elements))))


_ACTIONS: dict[str, Callable[[TypeDef, Patch, str], None]] = {
    "ADD_ATTRIBUTE": _add_attribute,
    "UPDATE_TYPEDEF_OPTIONS": _update_options,
    "UPDATE_ATTRIBUTE_METADATA": _update_attribute_metadata,
    "ADD_SUPER_TYPES": _add_super_types,
    "ADD_ENUM_ELEMENTS": _add_enum_elements,
}
