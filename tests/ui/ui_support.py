"""What the UI tests share besides fixtures."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Demo:
    """The Titanic example's model version as recorded in the session's Atlas."""

    guid: str
    name: str
    """The model version's name as the UI shows it (``titanic-survival@<sha256[:12]>``)."""
    run_guid: str
    """This session's training run (an earlier run of the demo may have made the same bytes)."""
