"""Custody results as text: shared by ``attest``, ``verify`` and the commands to come."""

from __future__ import annotations

from collections.abc import Iterable

import click

from atlas_ml.custody.result import CustodyResult, CustodyStatus, Finding

COLOURS = {
    CustodyStatus.SIGNED_OK: "green",
    CustodyStatus.TAMPERED: "red",
    CustodyStatus.UNTRUSTED: "magenta",
    CustodyStatus.CHAIN_GAP: "red",
    CustodyStatus.UNSIGNED: "yellow",
}
WIDTH = max(len(s.value) for s in CustodyStatus)


def status_text(status: CustodyStatus, colour: bool, width: int = WIDTH) -> str:
    text = status.value.ljust(width)
    return click.style(text, fg=COLOURS[status], bold=True) if colour else text


def custody_lines(
    results: Iterable[CustodyResult], colour: bool = False, width: int = WIDTH
) -> list[str]:
    """One block per result: status and subject, summary, findings, notes (``width``: the
    status column of the report they join)."""
    lines: list[str] = []
    indent = " " * (width + 2)
    for result in results:
        lines.append(f"{status_text(result.status, colour, width)}  {result.subject}")
        lines.append(f"{indent}{result.summary}")
        lines.extend(f"{indent}{finding_text(f)}" for f in result.findings)
        lines.extend(f"{indent}note: {note}" for note in result.notes)
        lines.append("")
    return lines


def finding_text(finding: Finding) -> str:
    prefix = "" if finding.status is CustodyStatus.TAMPERED else f"[{finding.status.value}] "
    return f"{prefix}{finding}"
