"""The Spark configuration that registers atlas-ml's lineage listener."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypedDict
from urllib.parse import urlsplit

from atlas_ml.delivery.spool import default_spool_dir

LISTENER_CLASS = "io.atlasml.spark.LineageListener"
_TRANSPORTS = ("spool", "http")


SPOOL_DIR_KEY = "spark.atlasml.spool.dir"

CAPTURE_PROPERTY = "atlasml.capture"
"""Thread-local Spark property: ``off`` hides that thread's executions from the listener."""


def spool_dir() -> Path:
    """Where events wait for delivery to Atlas: the Python side's spool (``$ATLAS_ML_SPOOL``
    or ``<cache>/spool``), so that ``atlas-ml push`` finds what the listener wrote."""
    return default_spool_dir()


class ListenerOptions(TypedDict, total=False):
    """The keyword options of :func:`listener_conf`, as :func:`atlas_ml.spark.attach` passes
    them on."""

    transport: str
    spool: Path | None
    http_url: str | None
    namespace: str | None
    queue_capacity: int | None
    code_reference: str | None
    code_revision: str | None


def listener_conf(
    jar: Path | None = None,
    *,
    transport: str = "spool",
    spool: Path | None = None,
    http_url: str | None = None,
    namespace: str | None = None,
    queue_capacity: int | None = None,
    team: str | None = None,
    owner: str | None = None,
    code_reference: str | None = None,
    code_revision: str | None = None,
) -> dict[str, str]:
    """Spark conf entries that load the listener jar and register the listener.

    The spool is always set (also for HTTP) because it is where events fall back to when the
    endpoint is unreachable. ``team``, ``owner``, ``code_reference`` and ``code_revision``
    say who owns the job and which code ran it (see :func:`provenance_conf`).
    """
    if transport not in _TRANSPORTS:
        raise ValueError(f"unknown transport {transport!r}: use one of {', '.join(_TRANSPORTS)}")
    if transport == "http" and not http_url:
        raise ValueError("transport 'http' needs http_url (the OpenLineage endpoint to POST to)")
    if http_url and "@" in (urlsplit(http_url).netloc or ""):
        raise ValueError(
            "the endpoint URL must not carry user info (user:password@): Spark shows its conf "
            "unredacted in the UI and event logs, and the listener does not send it. Give the "
            "endpoint's token in spark.atlasml.http.token (which Spark redacts) or in the "
            "driver's environment as ATLAS_ML_HTTP_TOKEN"
        )
    if jar is None:
        from atlas_ml.spark.jar import listener_jar

        jar = listener_jar()
    conf = {
        "spark.jars": str(jar),
        "spark.extraListeners": LISTENER_CLASS,
        "spark.atlasml.transport": transport,
        SPOOL_DIR_KEY: str(spool or spool_dir()),
    }
    if http_url:
        conf["spark.atlasml.http.url"] = http_url
    if namespace:
        conf["spark.atlasml.namespace"] = namespace
    if queue_capacity is not None:
        conf["spark.atlasml.queue.capacity"] = str(queue_capacity)
    conf.update(provenance_conf(team, owner, code_reference, code_revision))
    return conf


PROVENANCE_KEYS = {
    "team": "spark.atlasml.team",
    "owner": "spark.atlasml.owner",
    "code_reference": "spark.atlasml.code.reference",
    "code_revision": "spark.atlasml.code.revision",
}
"""Spark conf keys of a job's provenance; the listener records them on the job's
``spark_application`` and ``spark_process`` entities (``atlasml_provenance``)."""


def provenance_conf(
    team: str | None = None,
    owner: str | None = None,
    code_reference: str | None = None,
    code_revision: str | None = None,
) -> dict[str, str]:
    """The ``spark.atlasml.*`` entries for the values given (the others are left out)."""
    values = {
        "team": team,
        "owner": owner,
        "code_reference": code_reference,
        "code_revision": code_revision,
    }
    return {PROVENANCE_KEYS[k]: str(v).strip() for k, v in values.items() if v and str(v).strip()}


def code_provenance(path: str | Path | None = None) -> dict[str, str]:
    """``code_reference``/``code_revision`` of the git checkout holding ``path`` (the running
    script by default): the repository URL plus the path of the script, and its commit."""
    from atlas_ml.tracking.code import revision_of

    revision = revision_of(path)
    found: dict[str, str] = {}
    if revision.sha:
        found["code_revision"] = revision.sha + ("-dirty" if revision.dirty else "")
    if path and revision.root:
        where = os.path.relpath(os.path.abspath(path), revision.root)
        found["code_reference"] = f"{revision.reference}#{where}" if revision.reference else where
    elif revision.reference:
        found["code_reference"] = revision.reference
    return found


def submit_args(conf: dict[str, str]) -> list[str]:
    """``spark-submit`` flags for ``conf``: ``--jars`` for the jar, ``--conf`` for the rest."""
    args = ["--jars", conf["spark.jars"]]
    for key, value in conf.items():
        if key != "spark.jars":
            args += ["--conf", f"{key}={value}"]
    return args
