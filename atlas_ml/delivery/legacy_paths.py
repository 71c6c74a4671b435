"""Paths an earlier atlas-ml recorded lower-cased: say so when a path's new entity starts.

atlas-ml up to 0.1.0 lower-cased every path it named; now a path keeps its case (see
:mod:`atlas_ml.naming.case`), so ``/data/Up/x.csv`` gets a new ``hdfs_path`` beside the
``/data/up/x.csv`` an earlier run recorded. Which of the case variants that old entity stood
for cannot be told from its name (it merged them), so delivery does not move its lineage or
classifications over; it warns, once per path and only when the old entity carries
classifications that the new one lacks, and names the fix.

The names are collected event by event and looked up once at the end of a push (one bulk
request per 50 names), so a Spark job's hundreds of events cost a handful of requests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.client import AtlasClient
from atlas_ml.mapping import AtlasChanges
from atlas_ml.naming.case import CASE_RULE_TYPES, has_legacy_twin, legacy_name

log = logging.getLogger("atlas_ml.delivery")

_checked: set[tuple[str, str]] = set()
"""(Atlas URL, qualifiedName) of path names already checked by this process."""


@dataclass
class LegacyPaths:
    """Case-kept path names delivered, and the lower-cased names an earlier atlas-ml gave them."""

    wanted: dict[str, str] = field(default_factory=dict)

    def note(self, client: AtlasClient, changes: AtlasChanges) -> None:
        """Remember the path names of ``changes`` that have a lower-cased twin (no request)."""
        config = client.config
        if config.lowercase_paths:
            return
        for entity in changes.entities:
            name = entity["attributes"]["qualifiedName"]
            key = (config.url, name)
            if entity["typeName"] in CASE_RULE_TYPES and key not in _checked:
                _checked.add(key)
                if has_legacy_twin(name, config.namespace):
                    self.wanted[name] = legacy_name(name, config.namespace)

    def warn(self, client: AtlasClient) -> list[str]:
        """Warn about each noted path whose lower-cased twin in Atlas carries classifications
        the path's own entity lacks (bulk lookups); returns the warnings logged."""
        if not self.wanted:
            return []
        names = sorted({*self.wanted, *self.wanted.values()})
        found = {
            (entity.get("attributes") or {}).get("qualifiedName"): entity
            for type_name in CASE_RULE_TYPES
            for entity in client.entities.get_bulk_by_unique_attributes(type_name, names)
        }
        warnings = []
        for name, legacy in sorted(self.wanted.items()):
            tags = sorted(_tags(found.get(legacy)) - _tags(found.get(name)))
            if not tags:
                continue
            warnings.append(
                f"Atlas has {legacy}, recorded lower-cased by atlas-ml up to 0.1.0 and classified "
                f"{', '.join(tags)}; paths now keep their case, so {name} is a new entity without "
                "those classifications. Classify it as well (or set "
                "atlas.hook.hive.hdfs_path.convert_to_lowercase=true to keep lower-cased names); "
                "README: 'Path names keep their case'"
            )
            log.warning(warnings[-1])
        self.wanted.clear()
        return warnings


def _tags(entity: dict[str, Any] | None) -> set[str]:
    classifications = (entity or {}).get("classifications") or []
    return {str(c.get("typeName", "?")) for c in classifications}
