"""JDBC datasets: an ``rdbms_table`` with the ``rdbms_db`` and ``rdbms_instance`` it needs.

``rdbms_table.db`` and ``rdbms_db.instance`` are mandatory relationships in Atlas's model, so
the parents travel in the same request as the table.
"""

from __future__ import annotations

from typing import Any

from atlas_ml.mapping.changes import AtlasChanges
from atlas_ml.naming.relational import relational_names
from atlas_ml.typedefs.names import (
    RDBMS_DB_TABLES_RELATIONSHIP,
    RDBMS_DB_TYPE,
    RDBMS_INSTANCE_DATABASES_RELATIONSHIP,
    RDBMS_INSTANCE_TYPE,
    RDBMS_TABLE_TYPE,
)


def map_jdbc_table(
    ol_namespace: str, ol_name: str, changes: AtlasChanges, namespace: str
) -> dict[str, Any] | None:
    """Add the table and its parents; returns the table reference, or None if not JDBC."""
    names = relational_names(ol_namespace, ol_name, namespace)
    if names is None:
        return None
    instance_attributes = {
        "qualifiedName": names.instance,
        "name": names.instance_name,
        "rdbms_type": names.rdbms_type,
        "protocol": names.rdbms_type,
        "hostname": names.hostname,
        "port": names.port,
    }
    instance = changes.add(
        RDBMS_INSTANCE_TYPE, {k: v for k, v in instance_attributes.items() if v is not None}
    )
    database = changes.add(
        RDBMS_DB_TYPE,
        {"qualifiedName": names.database, "name": names.database_name},
        relationships={
            "instance": {**instance, "relationshipType": RDBMS_INSTANCE_DATABASES_RELATIONSHIP}
        },
    )
    return changes.add(
        RDBMS_TABLE_TYPE,
        {"qualifiedName": names.table, "name": names.table_name},
        relationships={"db": {**database, "relationshipType": RDBMS_DB_TABLES_RELATIONSHIP}},
    )
