"""JSON Schemas of atlas-ml's facets: generated from the classes, committed, checked.

:func:`facet_schema` derives a facet's JSON Schema (draft 2020-12) from its class in
:mod:`atlas_ml.events.facets`: field types from the annotations, descriptions from the
docstrings, ``required`` from the fields without a default. ``tools/generate_facet_schemas.py``
writes them to ``atlas_ml/events/schemas/`` (shipped in the wheel, published where
``_schemaURL`` points); a unit test fails when a committed schema differs from its class.
:func:`check_facets` validates the ``atlasml_*`` facets of an event against the committed
schemas: the tests run it on what the Python producers and the JVM listener write.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import textwrap
import types
import typing
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from atlas_ml.events.facets import FACET_CLASSES, Facet

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _field_docs(cls: type) -> dict[str, str]:
    """Attribute docstrings (the string right below a field) of ``cls``, by field name."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    body = ast.parse(source).body[0]
    docs: dict[str, str] = {}
    if not isinstance(body, ast.ClassDef):
        return docs
    for node, after in zip(body.body, body.body[1:], strict=False):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[node.target.id] = _plain(after.value.value)
    return docs


def _plain(docstring: str) -> str:
    """A docstring as one line of text (reST ``literals`` as `literals`)."""
    return " ".join(docstring.split()).replace("``", "`")


def _description(cls: type) -> str:
    return _plain(cls.__doc__ or "")


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def of(self, hint: Any) -> dict[str, Any]:
        """The schema of a type annotation."""
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint is Any:
            return {}
        if hint in _SCALARS:
            return {"type": _SCALARS[hint]}
        if origin in (typing.Union, types.UnionType):
            options = [a for a in args if a is not type(None)]
            inner = self.of(options[0]) if len(options) == 1 else {"anyOf": self.all(options)}
            if len(options) == len(args):
                return inner
            if set(inner) == {"type"} and isinstance(inner["type"], str):
                return {"type": [inner["type"], "null"]}
            return {"anyOf": [inner, {"type": "null"}]}
        if origin is typing.Literal:
            return {"enum": list(args)}
        if origin is list:
            return {"type": "array", "items": self.of(args[0])}
        if origin is dict:
            return {"type": "object", "additionalProperties": self.of(args[1])}
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            if hint.__name__ not in self.defs:
                self.defs[hint.__name__] = {}  # placeholder: recursion stops here
                self.defs[hint.__name__] = self.object(hint)
            return {"$ref": f"#/$defs/{hint.__name__}"}
        raise TypeError(f"no JSON Schema for the annotation {hint!r}: use JSON types")

    def all(self, hints: list[Any]) -> list[dict[str, Any]]:
        return [self.of(hint) for hint in hints]

    def object(self, cls: type, head: dict[str, Any] | None = None) -> dict[str, Any]:
        """An object schema of the dataclass ``cls``: closed, required = no default."""
        hints = typing.get_type_hints(cls)
        docs = _field_docs(cls)
        properties: dict[str, Any] = dict(head or {})
        required = list(head or {})
        for item in dataclasses.fields(cls):
            schema = self.of(hints[item.name])
            if item.name in docs:
                schema = {"description": docs[item.name], **schema}
            properties[item.name] = schema
            missing = dataclasses.MISSING
            if item.default is missing and item.default_factory is missing:
                required.append(item.name)
        return {
            "description": _description(cls),
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }


def facet_schema(cls: type[Facet]) -> dict[str, Any]:
    """The JSON Schema of the facet class ``cls``, as committed under ``schemas/``."""
    builder = _Builder()
    head = {
        "_producer": {"description": "URI of the code that wrote the facet.", "type": "string"},
        "_schemaURL": {"description": "URL of this schema.", "type": "string"},
    }
    body = builder.object(cls, head)
    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": cls.schema_url(),
        "title": cls.NAME,
        **body,
    }
    if builder.defs:
        schema["$defs"] = dict(sorted(builder.defs.items()))
    return schema


def render(schema: dict[str, Any]) -> str:
    """A schema as committed: 2-space JSON with a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every facet's schema into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, cls in sorted(FACET_CLASSES.items()):
        path = folder / f"{name}.json"
        path.write_text(render(facet_schema(cls)))
        written.append(path)
    return written


@cache
def committed_schema(name: str) -> dict[str, Any]:
    """The committed (shipped) schema of the facet ``name``."""
    text = resources.files("atlas_ml.events").joinpath(f"schemas/{name}.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def check_facets(event: dict[str, Any]) -> list[str]:
    """Every way the ``atlasml_*`` facets of ``event`` break their committed schemas, one
    line each (``run.facets.atlasml_spark: 'x' is not of type 'integer'``); empty if none.

    Facets atlas-ml does not define are not looked at.
    """
    import jsonschema

    problems = []
    for where, facets in _facet_maps(event):
        for name, body in facets.items():
            if name not in FACET_CLASSES:
                continue
            validator = jsonschema.Draft202012Validator(committed_schema(name))
            for error in validator.iter_errors(body):
                path = "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in error.path)
                problems.append(f"{where}.{name}{path}: {error.message}")
    return problems


def _facet_maps(event: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    maps = [
        ("run.facets", (event.get("run") or {}).get("facets") or {}),
        ("job.facets", (event.get("job") or {}).get("facets") or {}),
    ]
    for side in ("inputs", "outputs"):
        for index, dataset in enumerate(event.get(side) or []):
            for key in ("facets", "inputFacets", "outputFacets"):
                maps.append((f"{side}[{index}].{key}", dataset.get(key) or {}))
    return maps
