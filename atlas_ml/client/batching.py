"""Split a bulk upsert into requests without breaking placeholder-guid references.

Atlas resolves a negative placeholder guid (``"-1"``) only inside the request that defines
it, so entities linked by placeholders form connected components that must travel together.
Components are packed, in their order of first appearance, into batches of at most
``batch_size`` entities; a component larger than that is sent whole in a batch of its own.
References by ``uniqueAttributes`` need no grouping: Atlas looks them up in the store, but
they do order the batches: a batch that refers to (or writes) an entity written by an earlier
batch of the same upsert must wait for it, see :func:`batch_dependencies`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from atlas_ml.errors import AtlasMLError

Entity = dict[str, Any]


class PlanError(AtlasMLError, ValueError):
    """The entities cannot be sent as given (unknown or duplicate placeholder guid)."""


def is_placeholder(guid: Any) -> bool:
    """Whether ``guid`` is a negative placeholder guid such as ``"-12"``."""
    if isinstance(guid, int):
        return guid < 0
    return isinstance(guid, str) and guid.startswith("-") and guid[1:].isdigit()


def placeholder_references(entity: Entity) -> set[str]:
    """Placeholder guids that ``entity`` refers to in its (relationship) attributes."""
    found: set[str] = set()
    for key in ("attributes", "relationshipAttributes"):
        _collect(entity.get(key) or {}, found)
    return found


def _collect(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        guid = value.get("guid")
        if is_placeholder(guid) and ("typeName" in value or len(value) == 1):
            found.add(str(guid))
        for child in value.values():
            _collect(child, found)
    elif isinstance(value, list):
        for child in value:
            _collect(child, found)


def batch_dependencies(batches: Sequence[Sequence[Entity]]) -> list[set[int]]:
    """For every batch, the earlier batches that must have been stored before it is sent.

    Two batches are ordered (in input order) when they touch a common entity: one writes an
    entity the other writes or refers to by ``uniqueAttributes`` or by a real guid. Atlas
    resolves such a reference only against what is already stored, and two requests that
    create the same qualifiedName at once could both create it. A reference by unique
    attributes other than ``qualifiedName`` cannot be matched by name, so its batch waits
    for every earlier batch. Batches that share nothing may be sent concurrently.
    """
    last_toucher: dict[tuple[str, str], int] = {}
    dependencies: list[set[int]] = []
    for index, batch in enumerate(batches):
        keys: set[tuple[str, str]] = set()
        opaque = False
        for entity in batch:
            opaque |= _entity_keys(entity, keys)
        if opaque:
            depends = set(range(index))
        else:
            depends = {last_toucher[key] for key in keys if key in last_toucher}
        dependencies.append(depends)
        for key in keys:
            last_toucher[key] = index
    return dependencies


def _entity_keys(entity: Entity, keys: set[tuple[str, str]]) -> bool:
    """Add what ``entity`` writes or refers to; True if a reference cannot be keyed."""
    qualified_name = (entity.get("attributes") or {}).get("qualifiedName")
    if qualified_name is not None:
        keys.add(("qualifiedName", str(qualified_name)))
    guid = entity.get("guid")
    if guid is not None and not is_placeholder(guid):
        keys.add(("guid", str(guid)))
    opaque = False
    for key in ("attributes", "relationshipAttributes"):
        opaque |= _collect_references(entity.get(key) or {}, keys)
    return opaque


def _collect_references(value: Any, keys: set[tuple[str, str]]) -> bool:
    opaque = False
    if isinstance(value, dict):
        unique = value.get("uniqueAttributes")
        guid = value.get("guid")
        if isinstance(unique, dict) and "typeName" in value:
            if "qualifiedName" in unique:
                keys.add(("qualifiedName", str(unique["qualifiedName"])))
            else:
                opaque = True
        if (
            guid is not None
            and not is_placeholder(guid)
            and ("typeName" in value or len(value) == 1)
        ):
            keys.add(("guid", str(guid)))
        for child in value.values():
            opaque |= _collect_references(child, keys)
    elif isinstance(value, list):
        for child in value:
            opaque |= _collect_references(child, keys)
    return opaque


def plan_batches(entities: Sequence[Entity], batch_size: int) -> list[list[Entity]]:
    """Group ``entities`` into request-sized batches that keep placeholder links together."""
    if batch_size < 1:
        raise PlanError(f"batch size must be at least 1, got {batch_size}")
    owner: dict[str, int] = {}
    for index, entity in enumerate(entities):
        guid = entity.get("guid")
        if is_placeholder(guid):
            key = str(guid)
            if key in owner:
                raise PlanError(
                    f"placeholder guid {key} is used by two entities "
                    f"({_describe(entities[owner[key]])} and {_describe(entity)}); "
                    "give each new entity its own negative guid"
                )
            owner[key] = index
    parent = list(range(len(entities)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for index, entity in enumerate(entities):
        for ref in placeholder_references(entity):
            if ref not in owner:
                raise PlanError(
                    f"{_describe(entity)} refers to placeholder guid {ref}, which no entity "
                    "in this upsert defines; include that entity or refer to it by "
                    "uniqueAttributes"
                )
            a, b = find(index), find(owner[ref])
            if a != b:
                parent[max(a, b)] = min(a, b)
    return list(_pack(_components(entities, find), batch_size))


def _components(entities: Sequence[Entity], find: Any) -> list[list[Entity]]:
    groups: dict[int, list[Entity]] = {}
    for index, entity in enumerate(entities):
        groups.setdefault(find(index), []).append(entity)
    return list(groups.values())


def _pack(components: list[list[Entity]], batch_size: int) -> Iterator[list[Entity]]:
    batch: list[Entity] = []
    for component in components:
        if batch and len(batch) + len(component) > batch_size:
            yield batch
            batch = []
        batch.extend(component)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _describe(entity: Entity) -> str:
    qualified_name = (entity.get("attributes") or {}).get("qualifiedName")
    return f"{entity.get('typeName', '?')} {qualified_name or entity.get('guid', '?')!r}"
