"""Notices to the person whose job atlas-ml is recording: one stderr line each, once.

Capture and end-of-job delivery run inside the user's own training script or Spark job,
where there is no atlas-ml command to print for them and a logging setup may hide warnings.
What the user must act on (lineage kept in the spool, events Atlas refused) therefore goes
to stderr directly, prefixed ``atlas-ml:``, and only once per process however often it
recurs. Everything else in the library returns data or logs.
"""

from __future__ import annotations

import sys

_said: set[str] = set()


def notify_once(message: str) -> None:
    """Print ``atlas-ml: <message>`` on stderr unless this process already did."""
    if message not in _said:
        _said.add(message)
        print(f"atlas-ml: {message}", file=sys.stderr)
