"""The JSON shape of type definition and patch files, checked before anything reads them.

A value of the wrong shape would otherwise surface as a Python traceback, or as nonsense: a
``superTypes`` string is iterated character by character. JSON Schemas mirroring Atlas's
model classes (``AtlasEntityDef``, ``AtlasAttributeDef`` ...) let every reader trust the
shapes, and the first violation becomes one error naming the file, the JSON path and the
shape expected. Keys the schemas do not describe are left to Atlas; ``null`` counts as absent,
as it does for Atlas.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from jsonschema import Draft202012Validator

from atlas_ml.typedefs.kinds import CATEGORIES, TypedefError

Schema = dict[str, Any]

TEXT: Schema = {"type": ["string", "null"]}
FLAG: Schema = {"type": ["boolean", "null"]}
WHOLE: Schema = {"type": ["integer", "null"]}
ANY_OBJECT: Schema = {"type": ["object", "null"]}


def list_of(item: Schema) -> Schema:
    """A list (or null) of ``item``; the items themselves are never null."""
    kinds = item["type"] if isinstance(item["type"], list) else [item["type"]]
    return {"type": ["array", "null"], "items": {**item, "type": [k for k in kinds if k != "null"]}}


def obj(fields: dict[str, Schema], required: Sequence[str] = (), file: bool = False) -> Schema:
    """An object with ``fields``; a whole file (``file``) may not be null, unlike a value."""
    kind: str | list[str] = "object" if file else ["object", "null"]
    return {"type": kind, "properties": fields, "required": list(required)}


ATTRIBUTE = obj(
    {
        "name": TEXT,
        "typeName": TEXT,
        "description": TEXT,
        "isOptional": FLAG,
        "cardinality": TEXT,
        "valuesMinCount": WHOLE,
        "valuesMaxCount": WHOLE,
        "isUnique": FLAG,
        "isIndexable": FLAG,
        "includeInNotification": FLAG,
        "searchWeight": WHOLE,
        "constraints": list_of(ANY_OBJECT),
        "options": ANY_OBJECT,
    }
)
ENUM_ELEMENT = obj({"value": TEXT, "ordinal": WHOLE, "description": TEXT})
RELATIONSHIP_END = obj(
    {
        "type": TEXT,
        "name": TEXT,
        "description": TEXT,
        "isContainer": FLAG,
        "cardinality": TEXT,
        "isLegacyAttribute": FLAG,
    }
)
# typeVersion must be text: a JSON number 1.10 would read as "1.1".
_BASE: dict[str, Schema] = {
    "name": TEXT,
    "description": TEXT,
    "typeVersion": TEXT,
    "serviceType": TEXT,
    "options": ANY_OBJECT,
}
_STRUCT: dict[str, Schema] = {**_BASE, "attributeDefs": list_of(ATTRIBUTE)}
TYPEDEF: dict[str, Schema] = {
    "ENUM": obj({**_BASE, "elementDefs": list_of(ENUM_ELEMENT), "defaultValue": TEXT}),
    "STRUCT": obj(_STRUCT),
    "CLASSIFICATION": obj({**_STRUCT, "superTypes": list_of(TEXT), "entityTypes": list_of(TEXT)}),
    "ENTITY": obj({**_STRUCT, "superTypes": list_of(TEXT)}),
    "RELATIONSHIP": obj(
        {
            **_STRUCT,
            "relationshipCategory": TEXT,
            "relationshipLabel": TEXT,
            "propagateTags": TEXT,
            "endDef1": RELATIONSHIP_END,
            "endDef2": RELATIONSHIP_END,
        }
    ),
    "BUSINESS_METADATA": obj(_STRUCT),
}
TYPES_FILE = obj(
    {key: list_of(TYPEDEF[category]) for key, category in CATEGORIES.items()}, file=True
)
PATCH = obj(
    {
        "typeName": TEXT,
        "action": TEXT,
        "applyToVersion": TEXT,
        "updateToVersion": TEXT,
        "attributeDefs": list_of(ATTRIBUTE),
        "attributeName": TEXT,
        "params": ATTRIBUTE,
        "typeDefOptions": ANY_OBJECT,
        "superTypes": list_of(TEXT),
        "elementDefs": list_of(ENUM_ELEMENT),
    }
)
PATCH_FILE = obj({"patches": list_of(PATCH)}, required=["patches"], file=True)


def check_shape(body: Any, schema: Schema, source: str) -> None:
    """Raise :class:`TypedefError` for the first value in ``body`` not of ``schema``'s shape.

    The error names ``source``, the JSON path (``entityDefs[2].attributeDefs[0]``) and, when
    the value sits inside a type definition or patch that has a name, that type.
    """
    errors = Draft202012Validator(schema).iter_errors(body)
    first = min(
        errors, key=lambda e: [(isinstance(p, str), p) for p in e.absolute_path], default=None
    )
    if first is None:
        return
    path = list(first.absolute_path)
    if first.validator == "required":
        missing = next(k for k in first.validator_value if k not in first.instance)
        path.append(missing)
        message = f"is missing; it must be {_describe(first.schema['properties'][missing])}"
    else:
        message = f"must be {_describe(first.schema)}, got {_got(first.instance)}"
    raise TypedefError(
        f"{_render(path)} {message}", type_name=_type_named(body, path), source=source
    )


def _describe(schema: Schema, *, plural: bool = False) -> str:
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    kind = next(k for k in kinds if k != "null")
    if kind == "array":
        return f"{'lists' if plural else 'a list'} of {_describe(schema['items'], plural=True)}"
    singular, many = {
        "string": ("a string", "strings"),
        "boolean": ("true or false", "true or false values"),
        "integer": ("a whole number", "whole numbers"),
    }.get(kind, ("an object", "objects"))
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
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
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
