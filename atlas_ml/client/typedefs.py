"""``/v2/types`` endpoints: read, create, update and delete type definitions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from atlas_ml.client.transport import Transport

TypesDef = dict[str, Any]
CATEGORY_KEYS = (
    "enumDefs",
    "structDefs",
    "classificationDefs",
    "entityDefs",
    "relationshipDefs",
    "businessMetadataDefs",
)


class TypedefsAPI:
    """Typedef reads and writes. Each write is one request, which Atlas applies atomically."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def get_all(self, **filters: str) -> TypesDef:
        """Every typedef on the server (``filters``: e.g. ``type="entity"``)."""
        result: TypesDef = self._t.request("GET", "/v2/types/typedefs", params=filters or None)
        return result

    def get(self, name: str) -> dict[str, Any]:
        """One typedef by name, any category (raises AtlasNotFound)."""
        result: dict[str, Any] = self._t.request("GET", f"/v2/types/typedef/name/{quote(name)}")
        return result

    def create(self, types_def: TypesDef) -> TypesDef:
        """Create types; fails whole (409) if any of them exists. Not retried on 5xx."""
        result: TypesDef = self._t.request(
            "POST", "/v2/types/typedefs", json=_complete(types_def), idempotent=False
        )
        return result

    def update(self, types_def: TypesDef) -> TypesDef:
        """Replace existing types with the complete definitions given."""
        result: TypesDef = self._t.request("PUT", "/v2/types/typedefs", json=_complete(types_def))
        return result

    def delete(self, types_def: TypesDef) -> None:
        """Delete the named types in one request (refused while instances exist)."""
        self._t.request("DELETE", "/v2/types/typedefs", json=_complete(types_def))

    def delete_by_name(self, name: str) -> None:
        self._t.request("DELETE", f"/v2/types/typedef/name/{quote(name)}")


def _complete(types_def: TypesDef) -> TypesDef:
    return {key: list(types_def.get(key) or []) for key in CATEGORY_KEYS}
