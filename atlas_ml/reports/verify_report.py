"""Render a verification report as text for people and as JSON for machines."""

from __future__ import annotations

import json

import click

from atlas_ml.typedefs.names import PROJECT_PREFIX
from atlas_ml.verify.result import ArtifactResult, Status, VerifyReport, VersionResult

_COLOURS = {
    Status.VERIFIED: "green",
    Status.CHANGED: "red",
    Status.UNRECOVERABLE: "yellow",
    Status.DERIVED: "cyan",
}
_WIDTH = max(len(s.value) for s in Status)


def render_json(report: VerifyReport) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=False)


def render_text(report: VerifyReport, colour: bool = False) -> str:
    """One block per dataset version (status, name, location, findings), then the outcome."""
    target = report.target
    kind = target["typeName"].removeprefix(PROJECT_PREFIX).replace("_", " ")
    lines = [
        f"{kind} {target['qualifiedName']} (guid {target['guid']})",
        f"Atlas {report.atlas_url}, checked {report.checked_at}",
        "",
    ]
    for result in report.results:
        lines.extend(_version_lines(result, colour))
    if report.artifact is not None:
        lines.extend(_artifact_lines(report.artifact, colour))
    if report.custody:
        from atlas_ml.reports.custody_text import WIDTH, custody_lines

        lines.extend(custody_lines(report.custody, colour, max(_WIDTH, WIDTH)))
    lines.extend(f"! {problem}" for problem in report.problems)
    if report.problems:
        lines.append("")
    lines.append(_outcome_line(report, colour))
    written = sum(1 for r in report.results if r.written_back)
    failed = [r for r in report.results if r.write_back_error]
    if written:
        lines.append(f"verification status written to {written} dataset version(s) in Atlas")
    if failed:
        lines.append(f"could not write the status of {len(failed)} version(s): see above")
    return "\n".join(lines)


def _version_lines(result: VersionResult, colour: bool) -> list[str]:
    version = result.version
    status = result.status.value.ljust(_WIDTH)
    if colour:
        status = click.style(status, fg=_COLOURS[result.status], bold=True)
    # In-memory versions of equal content share a name; the qualifiedName tells them apart.
    where = version.uri or f"in memory, {version.qualified_name}"
    lines = [f"{status}  {version.name}  {where}"]
    indent = " " * (_WIDTH + 2)
    if result.status is Status.CHANGED and result.findings:
        lines.extend(f"{indent}{finding}" for finding in result.findings)
    else:
        lines.append(f"{indent}{result.summary}")
    lines.extend(f"{indent}note: {note}" for note in result.notes)
    if result.write_back_error:
        lines.append(f"{indent}write-back failed: {result.write_back_error}")
    lines.append("")
    return lines


def _artifact_lines(artifact: ArtifactResult, colour: bool) -> list[str]:
    status = artifact.status.value.ljust(_WIDTH)
    if colour:
        status = click.style(status, fg=_COLOURS[artifact.status], bold=True)
    indent = " " * (_WIDTH + 2)
    return [f"{status}  model artifact  {artifact.uri or ''}", f"{indent}{artifact.summary}", ""]


def _outcome_line(report: VerifyReport, colour: bool) -> str:
    counts = [
        f"{report.count(status)} {status.value.lower()}"
        for status in Status
        if report.count(status)
    ]
    if report.artifact is not None:
        counts.append(f"model artifact {report.artifact.status.value.lower()}")
    counts.extend(f"custody {c.status.value}" for c in report.custody)
    outcome = report.outcome
    if colour:
        outcome = click.style(outcome, bold=True)
    return f"{outcome}: {', '.join(counts) or 'no dataset versions'} (exit {report.exit_code})"
