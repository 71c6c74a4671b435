"""Add attributes to an entity that is already in Atlas, leaving the others alone."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from atlas_ml.client import AtlasClient


def set_attributes(
    atlas: AtlasClient, type_name: str, qualified_name: str, attributes: dict[str, Any]
) -> None:
    """Atlas's partial update by unique attribute: only ``attributes`` change (an upsert of
    the whole entity would also reset its inputs and outputs)."""
    atlas.transport.request(
        "PUT",
        f"/v2/entity/uniqueAttribute/type/{quote(type_name)}",
        params={"attr:qualifiedName": qualified_name},
        json={"entity": {"typeName": type_name, "attributes": attributes}},
    )
