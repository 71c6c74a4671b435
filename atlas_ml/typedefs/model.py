"""A set of type definitions read from numbered JSON files, as Atlas's ``models/`` folder.

Each file holds an Atlas ``AtlasTypesDef`` (``enumDefs``, ``structDefs``,
``classificationDefs``, ``entityDefs``, ``relationshipDefs``, ``businessMetadataDefs``).
Files load in name order (:mod:`atlas_ml.typedefs.load`); ``patches/*.json`` are then
applied on top (see :mod:`atlas_ml.typedefs.patches`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.typedefs.kinds import CATEGORIES, KEY_OF_CATEGORY, TypeDef, TypedefError
from atlas_ml.typedefs.shape import TYPES_FILE, check_shape

__all__ = ["CATEGORIES", "KEY_OF_CATEGORY", "TypeDef", "TypeSet", "TypedefError"]


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
