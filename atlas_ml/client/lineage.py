"""Lineage of an entity as a graph that can be walked in both directions.

Atlas returns ``guidEntityMap`` (guid -> entity header) and ``relations`` (edges
``fromEntityId -> toEntityId``) that run dataset -> process -> dataset, i.e. in the direction
data flows. "Upstream" of a node is everything that flows into it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from atlas_ml.client.transport import Transport


@dataclass
class LineageGraph:
    """Nodes (entity headers by guid) and directed data-flow edges."""

    base_guid: str
    entities: dict[str, dict[str, Any]]
    edges: list[tuple[str, str]]
    _out: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    _in: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for source, target in self.edges:
            self._out.setdefault(source, []).append(target)
            self._in.setdefault(target, []).append(source)

    @classmethod
    def from_response(cls, body: dict[str, Any]) -> LineageGraph:
        relations = body.get("relations") or []
        edges = list(dict.fromkeys((r["fromEntityId"], r["toEntityId"]) for r in relations))
        return cls(
            base_guid=body.get("baseEntityGuid", ""),
            entities=dict(body.get("guidEntityMap") or {}),
            edges=edges,
        )

    def add_edge(self, source: str, target: str) -> None:
        """Add a data-flow edge between nodes in ``entities``."""
        if (source, target) not in self.edges:
            self.edges.append((source, target))
            self._out.setdefault(source, []).append(target)
            self._in.setdefault(target, []).append(source)

    def entity(self, guid: str) -> dict[str, Any]:
        return self.entities[guid]

    def qualified_name(self, guid: str) -> str | None:
        value = (self.entities.get(guid, {}).get("attributes") or {}).get("qualifiedName")
        return str(value) if value is not None else None

    def guid_of(self, qualified_name: str) -> str | None:
        for guid in self.entities:
            if self.qualified_name(guid) == qualified_name:
                return guid
        return None

    def parents(self, guid: str) -> list[str]:
        """Nodes with an edge into ``guid`` (its direct inputs or producing process)."""
        return list(self._in.get(guid, []))

    def children(self, guid: str) -> list[str]:
        return list(self._out.get(guid, []))

    def upstream(self, guid: str) -> list[str]:
        """Every node data flows from into ``guid``, nearest first."""
        return list(self._walk(guid, self._in))

    def downstream(self, guid: str) -> list[str]:
        """Every node that data of ``guid`` flows into, nearest first."""
        return list(self._walk(guid, self._out))

    def find(self, type_name: str) -> list[str]:
        """guids of the nodes of ``type_name``."""
        return [g for g, e in self.entities.items() if e.get("typeName") == type_name]

    def paths(self, source: str, target: str) -> list[list[str]]:
        """Every simple data-flow path from ``source`` to ``target``."""
        found: list[list[str]] = []
        stack: list[tuple[str, list[str]]] = [(source, [source])]
        while stack:
            node, path = stack.pop()
            if node == target:
                found.append(path)
                continue
            for nxt in self._out.get(node, []):
                if nxt not in path:
                    stack.append((nxt, [*path, nxt]))
        return sorted(found, key=len)

    @staticmethod
    def _walk(start: str, adjacency: dict[str, list[str]]) -> Iterator[str]:
        seen = {start}
        queue = deque(adjacency.get(start, []))
        while queue:
            node = queue.popleft()
            if node in seen:
                continue
            seen.add(node)
            yield node
            queue.extend(adjacency.get(node, []))


class LineageAPI:
    """``/v2/lineage`` endpoints."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def get(self, guid: str, *, direction: str = "BOTH", depth: int = 3) -> LineageGraph:
        """Lineage around ``guid``; ``depth`` counts dataset hops as Atlas does."""
        body = self._t.request(
            "GET",
            f"/v2/lineage/{quote(guid)}",
            params={"direction": direction.upper(), "depth": depth},
        )
        return LineageGraph.from_response(body or {})

    def get_by_unique_attribute(
        self, type_name: str, qualified_name: str, *, direction: str = "BOTH", depth: int = 3
    ) -> LineageGraph:
        body = self._t.request(
            "GET",
            f"/v2/lineage/uniqueAttribute/type/{quote(type_name)}",
            params={
                "attr:qualifiedName": qualified_name,
                "direction": direction.upper(),
                "depth": depth,
            },
        )
        return LineageGraph.from_response(body or {})
