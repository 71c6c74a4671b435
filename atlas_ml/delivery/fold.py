"""Fold an event of a run into what Atlas already has for that run.

Several events describe one OpenLineage run (START, RUNNING, COMPLETE, ...), and each maps to
the same entity. Atlas replaces list attributes on upsert, so without this step the inputs a
START event recorded would vanish when a COMPLETE event names other ones. The merge rules are
pure (:func:`atlas_ml.mapping.openlineage.fold_run`); this module only reads Atlas.
"""

from __future__ import annotations

from atlas_ml.client import AtlasClient
from atlas_ml.mapping import AtlasChanges
from atlas_ml.mapping.openlineage import fold_run


def fold_runs(client: AtlasClient, changes: AtlasChanges) -> None:
    """Fold each of ``changes.folded`` into its current state in Atlas (one read per type)."""
    by_type: dict[str, list[str]] = {}
    for type_name, qualified_name in sorted(changes.folded):
        by_type.setdefault(type_name, []).append(qualified_name)
    for type_name, names in by_type.items():
        found = client.entities.get_bulk_by_unique_attributes(type_name, names)
        current = {(e.get("attributes") or {}).get("qualifiedName"): e for e in found}
        for entity in changes.entities:
            name = entity["attributes"].get("qualifiedName")
            if entity["typeName"] == type_name and name in names:
                fold_run(current.get(name), entity)
