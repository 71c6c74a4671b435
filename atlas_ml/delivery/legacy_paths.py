"""Paths an earlier atlas-ml recorded lower-cased: say so when a path's new entity starts.

atlas-ml up to 0.1.0 lower-cased every path it named; now a path keeps its case (see
:mod:`atlas_ml.naming.case`), so ``/data/Up/x.csv`` gets a new ``hdfs_path`` beside the
``/data/up/x.csv`` an earlier run recorded. Which of the case variants that old entity stood
for cannot be told from its name (it merged them), so delivery does not move its lineage or
classifications over; it warns, once per path and only when the old entity carries
classifications that the new one would otherwise silently lack, and names the fix.
"""

from __future__ import annotations

import logging

from atlas_ml.client import AtlasClient
from atlas_ml.mapping import AtlasChanges
from atlas_ml.naming.case import CASE_RULE_TYPES, has_legacy_twin, legacy_name

log = logging.getLogger("atlas_ml.delivery")

_checked: set[tuple[str, str]] = set()
"""(Atlas URL, qualifiedName) of path names already checked by this process."""


def warn_about_legacy_paths(client: AtlasClient, changes: AtlasChanges) -> list[str]:
    """Warn about each new case-kept path whose lower-cased twin in Atlas is classified.

    One bulk lookup per event that names a path with upper-case letters (for the first time
    in this process); returns the warnings logged.
    """
    config = client.config
    if config.lowercase_paths:
        return []
    wanted: dict[str, str] = {}
    for entity in changes.entities:
        name = entity["attributes"]["qualifiedName"]
        key = (config.url, name)
        if entity["typeName"] in CASE_RULE_TYPES and key not in _checked:
            _checked.add(key)
            if has_legacy_twin(name, config.namespace):
                wanted[name] = legacy_name(name, config.namespace)
    if not wanted:
        return []
    names = sorted({*wanted, *wanted.values()})
    found = {
        (entity.get("attributes") or {}).get("qualifiedName"): entity
        for type_name in CASE_RULE_TYPES
        for entity in client.entities.get_bulk_by_unique_attributes(type_name, names)
    }
    warnings = []
    for name, legacy in sorted(wanted.items()):
        old = found.get(legacy)
        tags = sorted({c.get("typeName", "?") for c in (old or {}).get("classifications") or []})
        if name in found or not tags:
            continue
        warnings.append(
            f"Atlas has {legacy}, recorded lower-cased by atlas-ml up to 0.1.0 and classified "
            f"{', '.join(tags)}; paths now keep their case, so {name} is a new entity without "
            "those classifications. Classify it as well (or set "
            "atlas.hook.hive.hdfs_path.convert_to_lowercase=true to keep lower-cased names); "
            "README: 'Path names keep their case'"
        )
        log.warning(warnings[-1])
    return warnings
