"""The JSON shape of type definition and patch files, checked before anything reads them.

A value of the wrong shape would otherwise surface as a Python traceback, or as nonsense: a
``superTypes`` string is iterated character by character. One declarative description,
mirroring Atlas's model classes (``AtlasEntityDef``, ``AtlasAttributeDef`` ...), lets every
reader trust the shapes and gives one error naming the file, the JSON path and the shape
expected. Keys it does not describe are left to Atlas; ``null`` counts as absent, as it does
for Atlas.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from atlas_ml.typedefs.model import CATEGORIES, TypedefError


@dataclass(frozen=True)
class ListOf:
    item: Shape


@dataclass(frozen=True)
class Obj:
    fields: Mapping[str, Shape] = field(default_factory=dict)
    required: tuple[str, ...] = ()


# ``str``, ``bool``, ``int``: a JSON scalar of that kind; ``dict``: any object.
Shape: TypeAlias = type | ListOf | Obj

ATTRIBUTE = Obj(
    {
        "name": str,
        "typeName": str,
        "description": str,
        "isOptional": bool,
        "cardinality": str,
        "valuesMinCount": int,
        "valuesMaxCount": int,
        "isUnique": bool,
        "isIndexable": bool,
        "includeInNotification": bool,
        "searchWeight": int,
        "constraints": ListOf(dict),
        "options": dict,
    }
)
ENUM_ELEMENT = Obj({"value": str, "ordinal": int, "description": str})
RELATIONSHIP_END = Obj(
    {
        "type": str,
        "name": str,
        "description": str,
        "isContainer": bool,
        "cardinality": str,
        "isLegacyAttribute": bool,
    }
)
# typeVersion must be text: a JSON number 1.10 would read as "1.1".
_BASE: dict[str, Shape] = {
    "name": str,
    "description": str,
    "typeVersion": str,
    "serviceType": str,
    "options": dict,
}
_STRUCT: dict[str, Shape] = {**_BASE, "attributeDefs": ListOf(ATTRIBUTE)}
TYPEDEF: dict[str, Obj] = {
    "ENUM": Obj({**_BASE, "elementDefs": ListOf(ENUM_ELEMENT), "defaultValue": str}),
    "STRUCT": Obj(_STRUCT),
    "CLASSIFICATION": Obj({**_STRUCT, "superTypes": ListOf(str), "entityTypes": ListOf(str)}),
    "ENTITY": Obj({**_STRUCT, "superTypes": ListOf(str)}),
    "RELATIONSHIP": Obj(
        {
            **_STRUCT,
            "relationshipCategory": str,
            "relationshipLabel": str,
            "propagateTags": str,
            "endDef1": RELATIONSHIP_END,
            "endDef2": RELATIONSHIP_END,
        }
    ),
    "BUSINESS_METADATA": Obj(_STRUCT),
}
TYPES_FILE = Obj({key: ListOf(TYPEDEF[category]) for key, category in CATEGORIES.items()})
PATCH = Obj(
    {
        "typeName": str,
        "action": str,
        "applyToVersion": str,
        "updateToVersion": str,
        "attributeDefs": ListOf(ATTRIBUTE),
        "attributeName": str,
        "params": ATTRIBUTE,
        "typeDefOptions": dict,
        "superTypes": ListOf(str),
        "elementDefs": ListOf(ENUM_ELEMENT),
    }
)
PATCH_FILE = Obj({"patches": ListOf(PATCH)}, required=("patches",))


def check_shape(body: Any, shape: Shape, source: str) -> None:
    """Raise :class:`TypedefError` for the first value in ``body`` not of ``shape``.

    The error names ``source``, the JSON path (``entityDefs[2].attributeDefs[0]``) and, when
    the value sits inside a type definition or patch that has a name, that type.
    """
    for path, message in _problems(body, shape, []):
        raise TypedefError(
            f"{_render(path)} {message}", type_name=_type_named(body, path), source=source
        )


def _problems(value: Any, shape: Shape, path: list[str | int]) -> Iterator[tuple[list, str]]:
    if not _is(value, shape):
        yield path, f"must be {_describe(shape)}, got {_got(value)}"
    elif isinstance(shape, ListOf):
        for index, item in enumerate(value):
            yield from _problems(item, shape.item, [*path, index])
    elif isinstance(shape, Obj):
        for key in shape.required:
            if value.get(key) is None:
                yield [*path, key], f"is missing; it must be {_describe(shape.fields[key])}"
        for key, inner in shape.fields.items():
            if value.get(key) is not None:
                yield from _problems(value[key], inner, [*path, key])


def _is(value: Any, shape: Shape) -> bool:
    if isinstance(shape, ListOf):
        return isinstance(value, list)
    if isinstance(shape, Obj) or shape is dict:
        return isinstance(value, dict)
    if shape is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, shape)


def _describe(shape: Shape, *, plural: bool = False) -> str:
    if isinstance(shape, ListOf):
        return f"{'lists' if plural else 'a list'} of {_describe(shape.item, plural=True)}"
    singular, many = {
        str: ("a string", "strings"),
        bool: ("true or false", "true or false values"),
        int: ("a whole number", "whole numbers"),
    }.get(shape if isinstance(shape, type) else dict, ("an object", "objects"))
    return many if plural else singular


def _got(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"the string {json.dumps(value)}" if len(value) <= 40 else "a string"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return "a list" if isinstance(value, list) else "an object"


def _render(path: list[str | int]) -> str:
    if not path:
        return "the top level"
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def _type_named(body: Any, path: list[str | int]) -> str | None:
    """The name of the type definition or patch target that ``path`` lies in, if any."""
    if len(path) < 2:
        return None
    entry = body[path[0]][path[1]]
    if not isinstance(entry, dict):
        return None
    name = entry.get("name", entry.get("typeName"))
    return name if isinstance(name, str) else None
