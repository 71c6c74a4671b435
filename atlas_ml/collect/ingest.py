"""``atlas-ml ingest``: OpenLineage events from files, by the collector's rules.

A ``.jsonl``/``.ndjson`` file holds one event per line (what the OpenLineage file transport
and most exports write); a ``.json`` file one event or an array of them. A folder is read in
name order, its ``*.json``, ``*.jsonl`` and ``*.ndjson`` files only. Each valid event is
written to the spool (in groups, one sync each); an invalid one is named (file, line, field)
and skipped, so one bad line never loses the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas_ml.collect.intake import InvalidEvent, Rules, check_event, parse_json
from atlas_ml.delivery import Spool
from atlas_ml.delivery.spool import GROUP_SIZE

SUFFIXES = (".jsonl", ".ndjson", ".json")
MAX_LINE_BYTES = 8 * 1024 * 1024


@dataclass
class IngestReport:
    """What ingest stored and what it refused (``file:line: field: reason``)."""

    files: int = 0
    accepted: int = 0
    refused: list[str] = field(default_factory=list)


def event_files(paths: list[Path]) -> list[Path]:
    """The files to read: each file given, and the event files in each folder given."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
        else:
            found.append(path)
    return found


def _documents(path: Path) -> Iterator[tuple[int, Any]]:
    """(line, parsed JSON or the InvalidEvent) of every event in ``path``."""
    if path.name.endswith(".json"):
        try:
            document: Any = parse_json(path.read_bytes(), "the file")
        except InvalidEvent as exc:
            yield 1, exc
            return
        for item in document if isinstance(document, list) else [document]:
            yield 1, item
        return
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if len(line) > MAX_LINE_BYTES:
                yield number, InvalidEvent(f"the line is over {MAX_LINE_BYTES} bytes")
                continue
            try:
                yield number, parse_json(line, "the line")
            except InvalidEvent as exc:
                yield number, exc


def ingest(paths: list[Path], spool: Spool, rules: Rules | None = None) -> IngestReport:
    """Validate every event in ``paths`` (against ``rules``; None: openlineage-python's
    models) and store the valid ones in ``spool``."""
    report = IngestReport()
    valid: list[dict[str, Any]] = []
    for path in event_files(paths):
        report.files += 1
        for line, document in _documents(path):
            try:
                if isinstance(document, InvalidEvent):
                    raise document
                valid.append(check_event(document, rules))
            except InvalidEvent as exc:
                report.refused.append(f"{path}:{line}: {exc}")
                continue
            if len(valid) == GROUP_SIZE:
                report.accepted += len(spool.write_many(valid))
                valid = []
    report.accepted += len(spool.write_many(valid))
    return report
