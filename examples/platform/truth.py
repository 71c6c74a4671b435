"""The answer an audit must give, from ``ground_truth.json`` (no Atlas involved)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

SUBCLASSIFICATIONS = {"Sensitive": {"Sensitive", "PII", "UserBehavior"}}


@dataclass(frozen=True)
class Expected:
    """A model version the audit must list, and the exact data it must name."""

    artifact_sha256: str
    team: str
    model: str
    datasets: frozenset[tuple[str, str]]
    """(uri, manifest root hash) of every dataset version its runs in the window used."""


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def expected(
    truth: dict[str, Any],
    classification: str,
    since: datetime,
    until: datetime,
    team: str | None = None,
) -> dict[str, Expected]:
    """Model versions (by artifact sha256) a successful run started in ``[since, until)``
    trained on data carrying ``classification`` (or a sub-classification)."""
    names = SUBCLASSIFICATIONS.get(classification, {classification})
    found: dict[str, dict[str, Any]] = {}
    for run in truth["runs"]:
        start = datetime.fromisoformat(run["start"])
        if run["status"] != "SUCCEEDED" or not since <= start < until:
            continue
        if team is not None and run["team"] != team:
            continue
        if not names & set(run["reaches"]):
            continue
        entry = found.setdefault(
            run["artifactSha256"],
            {"team": run["team"], "model": run["model"], "datasets": set()},
        )
        entry["datasets"].update((d["uri"], d["manifestRootHash"]) for d in run["datasets"])
    return {
        sha: Expected(sha, e["team"], e["model"], frozenset(e["datasets"]))
        for sha, e in found.items()
    }


def precision_recall(found: set[str], wanted: set[str]) -> tuple[float, float]:
    hits = len(found & wanted)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(wanted) if wanted else 1.0
    return precision, recall
