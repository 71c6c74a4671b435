"""A set of type definitions read from numbered JSON files, as Atlas's ``models/`` folder.

Each file holds an Atlas ``AtlasTypesDef`` (``enumDefs``, ``structDefs``,
``classificationDefs``, ``entityDefs``, ``relationshipDefs``, ``businessMetadataDefs``).
Files load in name order; ``patches/*.json`` are then applied on top (see
:mod:`atlas_ml.typedefs.patches`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas_ml.paths import shipped_dir

TypeDef = dict[str, Any]

CATEGORIES: dict[str, str] = {
    "enumDefs": "ENUM",
    "structDefs": "STRUCT",
    "classificationDefs": "CLASSIFICATION",
    "entityDefs": "ENTITY",
    "relationshipDefs": "RELATIONSHIP",
    "businessMetadataDefs": "BUSINESS_METADATA",
}
KEY_OF_CATEGORY = {category: key for key, category in CATEGORIES.items()}


class TypedefError(ValueError):
    """A type definition is malformed or cannot be applied; names file, type and problem."""

    def __init__(
        self,
        message: str,
        *,
        type_name: str | None = None,
        source: str | None = None,
        atlas_code: str | None = None,
    ) -> None:
        self.type_name = type_name
        self.source = source
        self.atlas_code = atlas_code
        where = ", ".join(
            part
            for part in (
                f"type {type_name!r}" if type_name else "",
                f"in {source}" if source else "",
            )
            if part
        )
        code = f" [{atlas_code}]" if atlas_code else ""
        super().__init__(f"{where}: {message}{code}" if where else f"{message}{code}")


@dataclass
class TypeSet:
    """Type definitions by name, remembering category and source file of each."""

    defs: dict[str, TypeDef] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def add(self, category: str, typedef: TypeDef, source: str) -> None:
        name = typedef.get("name")
        if not isinstance(name, str) or not name:
            raise TypedefError(f"a {category.lower()} def has no 'name'", source=source)
        if name in self.defs:
            raise TypedefError(
                f"defined twice (also in {self.sources[name]}); keep one definition",
                type_name=name,
                source=source,
            )
        self.defs[name] = typedef
        self.categories[name] = category
        self.sources[name] = source

    def names(self, category: str | None = None) -> list[str]:
        return [n for n in self.defs if category is None or self.categories[n] == category]

    def items(self) -> Iterator[tuple[str, str, TypeDef]]:
        """(name, category, def) in load order."""
        for name, typedef in self.defs.items():
            yield name, self.categories[name], typedef

    def to_types_def(self, names: list[str] | None = None) -> dict[str, list[TypeDef]]:
        """An ``AtlasTypesDef`` body holding ``names`` (default: all)."""
        wanted = self.defs if names is None else {n: self.defs[n] for n in names}
        body: dict[str, list[TypeDef]] = {key: [] for key in CATEGORIES}
        for name, typedef in wanted.items():
            body[KEY_OF_CATEGORY[self.categories[name]]].append(typedef)
        return body

    @classmethod
    def from_types_def(cls, body: dict[str, Any], source: str) -> TypeSet:
        types = cls()
        types.extend(body, source)
        return types

    def extend(self, body: Any, source: str) -> None:
        """Add the defs of an ``AtlasTypesDef`` body, once its JSON shape is checked."""
        from atlas_ml.typedefs.shape import TYPES_FILE, check_shape  # shape imports this module

        check_shape(body, TYPES_FILE, source)
        unknown = sorted(set(body) - set(CATEGORIES))
        if unknown:
            raise TypedefError(
                f"unknown section(s) {', '.join(unknown)}; expected {', '.join(CATEGORIES)}",
                source=source,
            )
        for key, category in CATEGORIES.items():
            for typedef in body.get(key) or []:
                self.add(category, typedef, source)


def read_json(path: Path) -> Any:
    """JSON from ``path`` with an error that names the file and the position."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TypedefError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            source=str(path),
        ) from exc
    except UnicodeDecodeError as exc:
        raise TypedefError(
            f"not UTF-8 text (byte {exc.start} cannot be decoded): save it as UTF-8 JSON",
            source=str(path),
        ) from exc
    except OSError as exc:
        raise TypedefError(f"cannot be read: {exc.strerror or exc}", source=str(path)) from exc


def load_typeset(directory: Path | None = None, *, apply_patches: bool = True) -> TypeSet:
    """The project's types from ``directory`` (default: the shipped ``typedefs/``)."""
    from atlas_ml.typedefs.patches import apply_patch_files

    directory = directory or shipped_dir("typedefs")
    files = sorted(directory.glob("*.json"))
    if not files:
        raise TypedefError(f"no *.json type definition files in {directory}")
    types = TypeSet()
    for path in files:
        types.extend(read_json(path), str(path))
    if apply_patches:
        apply_patch_files(types, sorted((directory / "patches").glob("*.json")))
    return types
