"""Entity endpoints: bulk upsert (planned into batches), reads, deletes, classifications."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from atlas_ml.client.batching import Entity, batch_dependencies, is_placeholder, plan_batches
from atlas_ml.client.scheduling import run_in_dependency_order
from atlas_ml.client.transport import Transport

log = logging.getLogger("atlas_ml.client")

# GET URLs carry qualifiedNames; keep them well below common 8 KiB request-line limits.
_MAX_NAMES_PER_GET = 50


@dataclass
class UpsertResult:
    """What a (possibly multi-request) bulk upsert did and the guid of every entity sent."""

    guids: dict[str, str] = field(default_factory=dict)
    """qualifiedName -> guid of every entity sent."""
    placeholders: dict[str, str] = field(default_factory=dict)
    """placeholder guid sent (``"-1"``) -> guid Atlas assigned."""
    created: int = 0
    updated: int = 0
    batches: int = 0


class EntitiesAPI:
    """``/v2/entity`` endpoints."""

    def __init__(
        self, transport: Transport, batch_size: int = 100, workers: int | None = None
    ) -> None:
        self._t = transport
        self.batch_size = batch_size
        self.workers = workers if workers is not None else transport.config.upsert_workers

    def upsert(
        self,
        entities: Sequence[Entity],
        batch_size: int | None = None,
        workers: int | None = None,
    ) -> UpsertResult:
        """Create or update ``entities`` (Atlas JSON shape) in as few safe requests as fit.

        Batches keep entities linked by placeholder guids together; list-valued attributes
        are sent whole because Atlas replaces them. Up to ``workers`` batches that share no
        entity are in flight at once (Atlas stores independent requests in parallel); batches
        that do share one go in input order. Returns the guid of every entity sent.
        """
        batches = plan_batches(entities, batch_size or self.batch_size)
        responses = self._send(batches, self.workers if workers is None else workers)
        result = UpsertResult(batches=len(batches))
        pending: dict[str, str] = {}
        for batch, response in zip(batches, responses, strict=True):
            _merge(result, batch, response, pending)
        unresolved = {q: t for q, t in pending.items() if q not in result.guids}
        if unresolved:
            result.guids.update(self._lookup_guids(unresolved))
        return result

    def _send(self, batches: list[list[Entity]], workers: int) -> list[dict[str, Any]]:
        """Every batch's response, in batch order whatever order they were answered in."""
        if workers < 1:
            raise ValueError(f"upsert workers must be at least 1, got {workers}")
        if workers == 1 or len(batches) < 2:
            return [self.upsert_batch(batch) for batch in batches]
        return run_in_dependency_order(
            batches, batch_dependencies(batches), self.upsert_batch, workers
        )

    def upsert_batch(self, entities: Sequence[Entity]) -> dict[str, Any]:
        """One ``POST /v2/entity/bulk``; retried on 502/503/504 (upserts are idempotent)."""
        body = {"entities": list(entities), "referredEntities": {}}
        response: dict[str, Any] = self._t.request(
            "POST", "/v2/entity/bulk", json=body, idempotent=True
        )
        return response or {}

    def _lookup_guids(self, names: dict[str, str]) -> dict[str, str]:
        """guids of entities Atlas left out of a mutation response (unchanged ones)."""
        by_type: dict[str, list[str]] = {}
        for qualified_name, type_name in names.items():
            by_type.setdefault(type_name, []).append(qualified_name)
        found: dict[str, str] = {}
        for type_name, qualified_names in by_type.items():
            for entity in self.get_bulk_by_unique_attributes(type_name, qualified_names):
                qn = (entity.get("attributes") or {}).get("qualifiedName")
                if qn and entity.get("guid"):
                    found[qn] = entity["guid"]
        return found

    def get(self, guid: str, *, min_ext_info: bool = True) -> dict[str, Any]:
        """The entity with ``guid`` (``{"entity": ..., "referredEntities": ...}``)."""
        params = {"minExtInfo": str(min_ext_info).lower()}
        result: dict[str, Any] = self._t.request(
            "GET", f"/v2/entity/guid/{quote(guid)}", params=params
        )
        return result

    def get_by_unique_attribute(
        self, type_name: str, qualified_name: str, *, min_ext_info: bool = True
    ) -> dict[str, Any]:
        """The entity of ``type_name`` (or a subtype) with ``qualified_name``."""
        params = {"attr:qualifiedName": qualified_name, "minExtInfo": str(min_ext_info).lower()}
        result: dict[str, Any] = self._t.request(
            "GET", f"/v2/entity/uniqueAttribute/type/{quote(type_name)}", params=params
        )
        return result

    def get_bulk_by_unique_attributes(
        self,
        type_name: str,
        qualified_names: Iterable[str],
        *,
        ignore_relationships: bool = False,
    ) -> list[dict[str, Any]]:
        """Entities by qualifiedName; names that do not exist are simply absent.

        ``ignore_relationships`` leaves out ``relationshipAttributes``: a dataset version many
        runs read carries one per run, which makes the answer grow with history.
        """
        names = list(qualified_names)
        entities: list[dict[str, Any]] = []
        for start in range(0, len(names), _MAX_NAMES_PER_GET):
            chunk = names[start : start + _MAX_NAMES_PER_GET]
            params = [(f"attr_{i}:qualifiedName", name) for i, name in enumerate(chunk)]
            params.append(("minExtInfo", "true"))
            if ignore_relationships:
                params.append(("ignoreRelationships", "true"))
            response = self._t.request(
                "GET", f"/v2/entity/bulk/uniqueAttribute/type/{quote(type_name)}", params=params
            )
            entities.extend((response or {}).get("entities") or [])
        return entities

    def get_bulk(
        self, guids: Iterable[str], *, ignore_relationships: bool = False
    ) -> list[dict[str, Any]]:
        """Entities by guid, with their relationship attributes; unknown guids are absent.

        ``ignore_relationships`` leaves the relationship attributes out: Atlas then skips
        reading every link of an entity that thousands of processes read (seconds each).
        """
        wanted = list(guids)
        entities: list[dict[str, Any]] = []
        for start in range(0, len(wanted), _MAX_NAMES_PER_GET):
            params = [("guid", guid) for guid in wanted[start : start + _MAX_NAMES_PER_GET]]
            params.append(("minExtInfo", "true"))
            if ignore_relationships:
                params.append(("ignoreRelationships", "true"))
            response = self._t.request("GET", "/v2/entity/bulk", params=params)
            entities.extend((response or {}).get("entities") or [])
        return entities

    def delete(self, guids: Iterable[str]) -> dict[str, Any]:
        """Soft-delete entities by guid (Atlas keeps them with status DELETED)."""
        params = [("guid", guid) for guid in guids]
        if not params:
            return {}
        result: dict[str, Any] = self._t.request("DELETE", "/v2/entity/bulk", params=params)
        return result or {}

    def delete_by_unique_attribute(self, type_name: str, qualified_name: str) -> dict[str, Any]:
        result: dict[str, Any] = self._t.request(
            "DELETE",
            f"/v2/entity/uniqueAttribute/type/{quote(type_name)}",
            params={"attr:qualifiedName": qualified_name},
        )
        return result or {}

    def purge(self, guids: Iterable[str]) -> dict[str, Any]:
        """Remove soft-deleted entities for good (``PUT /admin/purge``, Atlas 2.1+)."""
        body = list(guids)
        if not body:
            return {}
        result: dict[str, Any] = self._t.request("PUT", "/admin/purge/", json=body)
        return result or {}

    def add_classifications(self, guid: str, classifications: Sequence[dict[str, Any]]) -> None:
        """Attach classifications (``{"typeName": ..., "attributes": {...}}``) to one entity."""
        self._t.request(
            "POST", f"/v2/entity/guid/{quote(guid)}/classifications", json=list(classifications)
        )

    def add_classification_bulk(self, classification: dict[str, Any], guids: Sequence[str]) -> None:
        """Attach one classification to many entities in a single request."""
        body = {"classification": classification, "entityGuids": list(guids)}
        self._t.request("POST", "/v2/entity/bulk/classification", json=body)

    def remove_classification(self, guid: str, classification: str) -> None:
        self._t.request(
            "DELETE", f"/v2/entity/guid/{quote(guid)}/classification/{quote(classification)}"
        )


def _merge(
    result: UpsertResult, batch: Sequence[Entity], response: dict[str, Any], pending: dict[str, str]
) -> None:
    """Fold one batch's mutation response into ``result``; names left unresolved go to
    ``pending`` (Atlas omits entities a request did not change)."""
    assigned = response.get("guidAssignments") or {}
    result.placeholders.update(assigned)
    mutated = response.get("mutatedEntities") or {}
    result.created += len(mutated.get("CREATE") or [])
    result.updated += len(mutated.get("UPDATE") or []) + len(mutated.get("PARTIAL_UPDATE") or [])
    by_name = {
        (header.get("attributes") or {}).get("qualifiedName"): header.get("guid")
        for headers in mutated.values()
        for header in headers or []
    }
    for entity in batch:
        qualified_name = (entity.get("attributes") or {}).get("qualifiedName")
        if not qualified_name:
            continue
        guid = entity.get("guid")
        real = assigned.get(str(guid)) if is_placeholder(guid) else guid
        real = real or by_name.get(qualified_name)
        if real:
            result.guids[qualified_name] = real
        else:
            pending[qualified_name] = entity["typeName"]
