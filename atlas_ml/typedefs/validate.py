"""Check type definitions before anything is sent, with the error code Atlas would give.

Atlas applies a typedef request atomically, but a rejected request still leaves the user
guessing which of many types was wrong. These checks name the file, the type and the fix,
and report the ``ATLAS-...`` code that the server would have answered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from atlas_ml.typedefs.model import TypeDef, TypedefError, TypeSet

PRIMITIVES = frozenset(
    {
        "boolean",
        "byte",
        "short",
        "int",
        "long",
        "float",
        "double",
        "biginteger",
        "bigdecimal",
        "string",
        "date",
        "object",
    }
)
TYPE_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_ ]*$")
_ARRAY = re.compile(r"^array<(.+)>$")
_MAP = re.compile(r"^map<([^,]+),(.+)>$")


class TypedefValidationError(TypedefError):
    """One or more problems in a type set; ``problems`` lists each of them."""

    def __init__(self, problems: list[TypedefError]) -> None:
        first = problems[0]
        super().__init__(
            "\n".join(
                [f"{len(problems)} problem(s) in type definitions:"]
                + [f"  - {p}" for p in problems]
            ),
            atlas_code=None,
        )
        self.problems = problems
        self.type_name = first.type_name
        self.source = first.source
        self.atlas_code = first.atlas_code


def referenced_types(type_name: str) -> list[str]:
    """Type names inside an attribute type: ``map<string,array<x>>`` -> ``[string, x]``."""
    type_name = type_name.strip()
    array = _ARRAY.match(type_name)
    if array:
        return referenced_types(array.group(1))
    mapping = _MAP.match(type_name)
    if mapping:
        return referenced_types(mapping.group(1)) + referenced_types(mapping.group(2))
    return [type_name]


def check_typeset(types: TypeSet, known: TypeSet) -> list[TypedefError]:
    """Every problem found in ``types``, resolving references against ``types`` + ``known``."""
    return list(_Checker(types, known).run())


def validate_typeset(types: TypeSet, known: TypeSet) -> None:
    """Raise :class:`TypedefValidationError` if :func:`check_typeset` finds anything."""
    problems = check_typeset(types, known)
    if problems:
        raise TypedefValidationError(problems)


class _Checker:
    def __init__(self, types: TypeSet, known: TypeSet) -> None:
        self.types = types
        self.known = known

    def category(self, name: str) -> str | None:
        if name in self.types.categories:
            return self.types.categories[name]
        return self.known.categories.get(name)

    def definition(self, name: str) -> TypeDef | None:
        return self.types.defs.get(name) or self.known.defs.get(name)

    def problem(self, name: str, message: str, code: str | None = None) -> TypedefError:
        return TypedefError(
            message, type_name=name, source=self.types.sources.get(name), atlas_code=code
        )

    def run(self) -> Iterator[TypedefError]:
        for name, category, typedef in self.types.items():
            if not TYPE_NAME.match(name):
                yield self.problem(
                    name,
                    "invalid name: use a letter followed by letters, digits, '_' or spaces",
                    "ATLAS-400-00-019",
                )
            if category == "ENUM":
                yield from self.check_enum(name, typedef)
            elif category == "RELATIONSHIP":
                yield from self.check_relationship(name, typedef)
                yield from self.check_attributes(name, typedef, primitives_only=True)
            else:
                yield from self.check_attributes(name, typedef)
            if category in ("ENTITY", "CLASSIFICATION", "STRUCT"):
                yield from self.check_supertypes(name, category, typedef)
            if category == "CLASSIFICATION":
                for entity_type in typedef.get("entityTypes") or []:
                    if self.category(entity_type) != "ENTITY":
                        yield self.problem(
                            name,
                            f"entityTypes names {entity_type!r}, which is not an entity type",
                            "ATLAS-404-00-001",
                        )
            if category == "BUSINESS_METADATA":
                yield from self.check_business_metadata(name, typedef)

    def check_enum(self, name: str, typedef: TypeDef) -> Iterator[TypedefError]:
        values = [e.get("value") for e in typedef.get("elementDefs") or []]
        if not values:
            yield self.problem(name, "an enum needs at least one elementDefs entry")
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            yield self.problem(name, f"duplicate enum value(s) {', '.join(map(str, duplicates))}")

    def check_attributes(
        self, name: str, typedef: TypeDef, *, primitives_only: bool = False
    ) -> Iterator[TypedefError]:
        seen: set[str] = set()
        inherited = self.inherited_attributes(typedef)
        for attribute in typedef.get("attributeDefs") or []:
            attr = attribute.get("name")
            type_name = attribute.get("typeName")
            if not attr or not type_name:
                yield self.problem(name, "every attributeDefs entry needs 'name' and 'typeName'")
                continue
            if attr in seen:
                yield self.problem(name, f"attribute {attr!r} is defined twice")
            seen.add(attr)
            if attr in inherited:
                yield self.problem(
                    name,
                    f"attribute {attr!r} is already defined by supertype {inherited[attr]!r}",
                    "ATLAS-400-00-09D",
                )
            for ref in referenced_types(type_name):
                ref_category = self.category(ref)
                if ref not in PRIMITIVES and ref_category is None:
                    yield self.problem(
                        name, f"attribute {attr!r} has unknown type {ref!r}", "ATLAS-404-00-001"
                    )
                elif ref_category == "CLASSIFICATION":
                    yield self.problem(
                        name,
                        f"attribute {attr!r} cannot be of classification type",
                        "ATLAS-400-00-081",
                    )
                elif primitives_only and ref not in PRIMITIVES and ref_category != "ENUM":
                    yield self.problem(
                        name,
                        f"relationship attribute {attr!r} must be primitive or enum",
                        "ATLAS-400-00-02F",
                    )
            cardinality = attribute.get("cardinality", "SINGLE")
            if cardinality in ("SET", "LIST") and not _ARRAY.match(type_name):
                yield self.problem(
                    name,
                    f"attribute {attr!r} has cardinality {cardinality} but type {type_name!r}; "
                    "use array<...>",
                    "ATLAS-400-00-012",
                )

    def inherited_attributes(self, typedef: TypeDef) -> dict[str, str]:
        """Attribute name -> supertype defining it, over the whole supertype closure."""
        found: dict[str, str] = {}
        stack = list(typedef.get("superTypes") or [])
        seen: set[str] = set()
        while stack:
            parent = stack.pop()
            if parent in seen:
                continue
            seen.add(parent)
            parent_def = self.definition(parent)
            if parent_def is None:
                continue
            for attribute in parent_def.get("attributeDefs") or []:
                found.setdefault(attribute.get("name", ""), parent)
            stack.extend(parent_def.get("superTypes") or [])
        return found

    def check_supertypes(
        self, name: str, category: str, typedef: TypeDef
    ) -> Iterator[TypedefError]:
        for parent in typedef.get("superTypes") or []:
            parent_category = self.category(parent)
            if parent_category is None:
                yield self.problem(name, f"unknown supertype {parent!r}", "ATLAS-404-00-001")
            elif parent_category != category:
                yield self.problem(
                    name,
                    f"supertype {parent!r} is a {parent_category.lower()}, "
                    f"not a {category.lower()}",
                    "ATLAS-400-00-003",
                )
        if self.in_cycle(name):
            yield self.problem(name, "supertype cycle", "ATLAS-400-00-002")

    def in_cycle(self, name: str) -> bool:
        stack = list((self.definition(name) or {}).get("superTypes") or [])
        seen: set[str] = set()
        while stack:
            parent = stack.pop()
            if parent == name:
                return True
            if parent not in seen:
                seen.add(parent)
                stack.extend((self.definition(parent) or {}).get("superTypes") or [])
        return False

    def check_relationship(self, name: str, typedef: TypeDef) -> Iterator[TypedefError]:
        ends = [typedef.get("endDef1"), typedef.get("endDef2")]
        if not all(isinstance(e, dict) and e.get("type") and e.get("name") for e in ends):
            yield self.problem(
                name, "endDef1 and endDef2 both need 'type' and 'name'", "ATLAS-400-00-02C"
            )
            return
        for end in ends:
            assert isinstance(end, dict)
            if self.category(end["type"]) != "ENTITY":
                code = (
                    "ATLAS-404-00-00E" if self.category(end["type"]) is None else "ATLAS-400-00-035"
                )
                yield self.problem(name, f"end type {end['type']!r} is not an entity type", code)
            if end.get("cardinality") == "LIST":
                yield self.problem(
                    name, f"end {end['name']!r} has LIST cardinality; use SET", "ATLAS-400-00-034"
                )
        containers = [e for e in ends if isinstance(e, dict) and e.get("isContainer")]
        category = typedef.get("relationshipCategory", "ASSOCIATION")
        if len(containers) == 2:
            yield self.problem(
                name, "both ends are containers; only the parent end may be", "ATLAS-400-00-02D"
            )
        elif category == "ASSOCIATION" and containers:
            yield self.problem(
                name, "an ASSOCIATION cannot have a container end", "ATLAS-400-00-030"
            )
        elif category in ("COMPOSITION", "AGGREGATION") and not containers:
            code = "ATLAS-400-00-031" if category == "COMPOSITION" else "ATLAS-400-00-032"
            yield self.problem(name, f"a {category} needs exactly one container end", code)
        if category == "COMPOSITION" and len(containers) == 1:
            child = ends[1] if containers[0] is ends[0] else ends[0]
            if isinstance(child, dict) and child.get("cardinality") == "SET":
                yield self.problem(
                    name,
                    "a COMPOSITION child end cannot be SET (a child has one parent)",
                    "ATLAS-400-00-033",
                )
        if category not in ("ASSOCIATION", "AGGREGATION", "COMPOSITION"):
            yield self.problem(name, f"unknown relationshipCategory {category!r}")

    def check_business_metadata(self, name: str, typedef: TypeDef) -> Iterator[TypedefError]:
        for attribute in typedef.get("attributeDefs") or []:
            attr = attribute.get("name")
            options = attribute.get("options") or {}
            for ref in referenced_types(attribute.get("typeName", "")):
                if ref not in PRIMITIVES and self.category(ref) not in ("ENUM", None):
                    yield self.problem(
                        name,
                        f"attribute {attr!r}: business metadata takes only primitive/enum types",
                        "ATLAS-400-00-094",
                    )
            if referenced_types(attribute.get("typeName", "")) == ["string"] and not options.get(
                "maxStrLength"
            ):
                yield self.problem(
                    name,
                    f"string attribute {attr!r} needs options.maxStrLength",
                    "ATLAS-400-00-02B",
                )
            raw = options.get("applicableEntityTypes")
            try:
                applicable = json.loads(raw) if raw else []
            except (TypeError, ValueError):
                yield self.problem(
                    name,
                    f"attribute {attr!r}: options.applicableEntityTypes must be a JSON list "
                    'in a string, e.g. "[\\"hive_table\\"]"',
                )
                continue
            for entity_type in applicable:
                if self.category(entity_type) != "ENTITY":
                    yield self.problem(
                        name,
                        f"attribute {attr!r}: applicableEntityTypes names {entity_type!r}, "
                        "which is not an entity type",
                        "ATLAS-404-00-001",
                    )
