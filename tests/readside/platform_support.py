"""The generated platform the read-side tests audit (fixture ``platform`` in conftest.py).

``examples/platform/generate.py`` at a small scale: six teams (one per recipe, so every
trap is there), six months, one training run per model and month. Its ground truth says
what every audit must answer.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "platform"))

from generate import TRUTH, generate  # noqa: E402
from truth import load  # noqa: E402

__all__ = ["MONTHS", "START", "TEAMS", "TRUTH", "Platform", "generate", "load"]

TEAMS = 6
MONTHS = 6
START = datetime(2019, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Platform:
    root: Path
    truth: dict[str, Any]
    prefix: str

    def month(self, index: int) -> datetime:
        year, month = divmod(START.month - 1 + index, 12)
        return START.replace(year=START.year + year, month=month + 1)

    def team(self, recipe: str) -> str:
        return next(t["name"] for t in self.truth["teams"] if t["recipe"] == recipe)

    def runs(self, **match: Any) -> list[dict[str, Any]]:
        return [r for r in self.truth["runs"] if all(r.get(k) == v for k, v in match.items())]
