"""``/v2/relationship`` endpoints."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from atlas_ml.client.transport import Transport


class RelationshipsAPI:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def create(
        self,
        type_name: str,
        end1: dict[str, Any],
        end2: dict[str, Any],
        attributes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create a relationship between two object ids (``{"guid"}`` or ``uniqueAttributes``)."""
        body = {"typeName": type_name, "end1": end1, "end2": end2, "attributes": attributes or {}}
        result: dict[str, Any] = self._t.request(
            "POST", "/v2/relationship", json=body, idempotent=False
        )
        return result

    def get(self, guid: str) -> dict[str, Any]:
        result: dict[str, Any] = self._t.request("GET", f"/v2/relationship/guid/{quote(guid)}")
        return result

    def update(self, relationship: dict[str, Any]) -> dict[str, Any]:
        """Update a relationship (``PUT /v2/relationship``): its attributes, or the
        classifications it stops (``blockedPropagatedClassifications``, replaced whole)."""
        result: dict[str, Any] = self._t.request(
            "PUT", "/v2/relationship", json=relationship, idempotent=True
        )
        return result

    def delete(self, guid: str) -> None:
        self._t.request("DELETE", f"/v2/relationship/guid/{quote(guid)}")
