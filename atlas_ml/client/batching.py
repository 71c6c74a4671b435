"""Split a bulk upsert into requests without breaking placeholder-guid references.

Atlas resolves a negative placeholder guid (``"-1"``) only inside the request that defines
it, so entities linked by placeholders form connected components that must travel together.
Components are packed, in their order of first appearance, into batches of at most
``batch_size`` entities; a component larger than that is sent whole in a batch of its own.
References by ``uniqueAttributes`` need no grouping: Atlas looks them up in the store.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

Entity = dict[str, Any]


class PlanError(ValueError):
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
