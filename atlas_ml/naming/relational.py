"""JDBC tables as Atlas's stock relational types: ``rdbms_instance`` > ``rdbms_db`` >
``rdbms_table``.

Atlas ships these types but no hook writes them, so atlas-ml names them after the OpenLineage
dataset identity the Spark listener produces (the JDBC URL without ``jdbc:``, user info and
properties, e.g. ``postgres://db-host:5432`` + ``sales.public.orders``): the table's
qualifiedName is ``<namespace>/<name>@<cluster>``, its database everything before the last
dot of the name (a schema for databases whose URL names the database), its instance the
OpenLineage namespace. Credentials never reach a name: the listener strips them before.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

# JDBC subprotocols as OpenLineage names them (postgresql:// is normalised to postgres://).
JDBC_SCHEMES = frozenset(
    {
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "sqlserver",
        "oracle",
        "db2",
        "derby",
        "h2",
        "hsqldb",
        "sqlite",
        "redshift",
        "teradata",
        "snowflake",
        "trino",
        "presto",
        "clickhouse",
        "vertica",
    }
)


@dataclass(frozen=True)
class RelationalNames:
    """qualifiedNames and display names of a JDBC table and its parents."""

    rdbms_type: str
    instance: str
    instance_name: str
    database: str
    database_name: str
    table: str
    table_name: str
    hostname: str | None = None
    port: int | None = None


def jdbc_scheme(ol_namespace: str) -> str | None:
    """The JDBC subprotocol of an OpenLineage namespace, if it names a JDBC database."""
    scheme = ol_namespace.split(":", 1)[0].lower()
    return scheme if scheme in JDBC_SCHEMES else None


def relational_names(ol_namespace: str, ol_name: str, namespace: str) -> RelationalNames | None:
    """Names for the OpenLineage dataset ``ol_namespace`` + ``ol_name``; None if not JDBC."""
    scheme = jdbc_scheme(ol_namespace)
    if scheme is None:
        return None
    database, _, table = ol_name.rpartition(".")
    if not database:
        database = urlsplit(ol_namespace).path.strip("/") or "default"
    parts = urlsplit(ol_namespace) if "//" in ol_namespace else None
    try:
        port = parts.port if parts else None
    except ValueError:
        port = None
    return RelationalNames(
        rdbms_type=scheme,
        instance=f"{ol_namespace}@{namespace}",
        instance_name=ol_namespace,
        database=f"{ol_namespace}/{database}@{namespace}",
        database_name=database,
        table=f"{ol_namespace}/{ol_name}@{namespace}",
        table_name=table,
        hostname=parts.hostname if parts else None,
        port=port,
    )
