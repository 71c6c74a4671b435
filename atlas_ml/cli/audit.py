"""``atlas-ml audit``: every model version trained in a window on data carrying a
classification, for a regulator."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click
from rich.console import Console

from atlas_ml.audit import AuditReport, audit
from atlas_ml.cli.options import atlas_options
from atlas_ml.cli.readside import BadInput, graph_progress, read_side_errors, write_output
from atlas_ml.client import AtlasClient
from atlas_ml.reports.audit_report import render_csv, render_html, render_json, render_text
from atlas_ml.reports.templating import check_digest

FORMATS = ("text", "html", "json", "csv")
_BY_SUFFIX = {".html": "html", ".htm": "html", ".json": "json", ".csv": "csv"}


def _check(path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from exc
    intact, stated = check_digest(text)
    if stated is None:
        raise BadInput(f"{path} states no report sha256: is it an HTML or JSON audit report?")
    if not intact:
        click.echo(f"{path}: CHANGED since it was generated (it states {stated})")
        sys.exit(1)
    click.echo(f"{path}: intact ({stated})")


def _write_signed(text: str, output: Path) -> None:
    from atlas_ml.custody import sign_report

    try:
        signed = sign_report(text.encode("utf-8"), output.name, kind="audit")
    except Exception as exc:  # an unusable key: one line, nothing written
        raise BadInput(f"cannot sign the report: {exc}") from exc
    if signed is None:
        raise BadInput("--sign needs a signing key: create one with atlas-ml keys generate")
    try:
        _, envelope = signed.write(output)
    except OSError as exc:
        raise BadInput(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"signed with key {signed.key_id}: {envelope}", err=True)


def _print(console: Console, report: AuditReport) -> None:
    for part in render_text(report):
        console.print(part)


@contextmanager
def _opened(path: Path) -> Iterator[TextIO]:
    try:
        handle = path.open("w", encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from exc
    with handle:
        yield handle


@click.command("audit")
@click.option(
    "--classification",
    "-c",
    metavar="NAME",
    help="Classification to audit, e.g. UserBehavior or PII; its sub-classifications count "
    "too (Sensitive covers both).",
)
@click.option(
    "--since",
    metavar="DATE",
    help="Start of the window: a date (2025-12-01) or ISO-8601 time; no zone means UTC.",
)
@click.option("--until", metavar="DATE", help="End of the window, not included [default: now].")
@click.option("--team", metavar="TEAM", help="Only this team's training runs (exact name).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="text (a summary table), html (the full report), json (the same content, with a "
    "JSON Schema), csv (the summary table) [default: from -o's suffix, else text].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--no-custody",
    is_flag=True,
    help="Skip the chain-of-custody check of each training run's signed record.",
)
@click.option(
    "--sign",
    is_flag=True,
    help="Sign the written report with this machine's custody key (atlas-ml keys generate): "
    "its envelope goes beside it as FILE.intoto.jsonl; atlas-ml attest verify FILE checks it.",
)
@click.option(
    "--check",
    "check_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Check that a saved HTML or JSON report still has the sha256 it states; reads no Atlas.",
)
@atlas_options
def command(
    client: AtlasClient,
    classification: str | None,
    since: str | None,
    until: str | None,
    team: str | None,
    fmt: str | None,
    output: Path | None,
    no_custody: bool,
    sign: bool,
    check_file: Path | None,
) -> None:
    """Every model version trained in a time window on data carrying a classification.

    A model version is in the audit when a training run that started in the window
    [--since, --until) trained it on data classified --classification (or a
    sub-classification), directly or through any upstream step: Atlas propagates
    classifications along lineage, a step that anonymised the data or dropped every
    classified column blocks them, and a byte-identical copy linked as COPY carries them.
    Failed runs made no model and are not listed.

    For each model version: team, owner, training runs (time, status, code revision,
    parameters, operator, custody), the exact dataset versions used (version pointer,
    manifest root hash, content hash, rows, schema fingerprint, last verification),
    everything upstream back to the raw sources (steps with their reasoning and code, Spark
    jobs and applications), evaluations, compliance facts (purpose, risk category,
    approver), where the classification was set, and a completeness verdict naming every
    gap: inputs without fingerprints, data never verified or CHANGED, steps without code,
    runs without a code revision.

    \b
    Examples:
      atlas-ml audit -c UserBehavior --since 2025-12-01
      atlas-ml audit -c UserBehavior --since 2025-12-01 --until 2026-12-01 -o audit.html
      atlas-ml audit -c PII --since 2026-01-01 --team risk --format json -o audit.json
      atlas-ml audit --check audit.html

    HTML and JSON state their own sha256 (that of the file with the digest written as 64
    zeros); --check recomputes it. --sign also signs the file with the custody key, as
    training runs are signed (atlas-ml attest verify FILE checks it offline).

    \b
    Exit status:
      0  report produced; every model version's record is complete
      1  report produced; at least one record has a gap (or --check: the file changed)
      2  bad input: unknown classification or team, --since not before --until, a
         missing option, an unwritable -o
      3  Atlas cannot be read (unreachable, refused credentials, types not installed)
    """
    if check_file is not None:
        _check(check_file)
        return
    if not classification:
        raise BadInput("--classification is required, e.g. --classification UserBehavior")
    if not since:
        raise BadInput("--since is required, e.g. --since 2025-12-01")
    fmt = fmt or (_BY_SUFFIX.get(output.suffix.lower(), "text") if output else "text")
    if sign and (output is None or fmt == "text"):
        raise BadInput("--sign needs -o FILE with --format html, json or csv")
    with read_side_errors(client), graph_progress() as progress:
        report = audit(
            client,
            classification,
            since,
            until,
            team,
            progress=progress,
            custody=not no_custody,
        )
    if fmt == "text":
        if output is None:
            console = Console()
            _print(console if console.is_terminal else Console(width=160), report)
        else:
            with _opened(output) as handle:
                _print(Console(file=handle, width=200), report)
    else:
        render = {"html": render_html, "json": render_json, "csv": render_csv}[fmt]
        text = render(report)
        if sign and output is not None:
            _write_signed(text, output)
        else:
            write_output(text, output)
    if output is not None:
        summary = report.summary()
        click.echo(
            f"wrote {output}: {summary['modelVersions']} model versions, "
            f"{summary['incomplete']} with gaps",
            err=True,
        )
    sys.exit(report.exit_code)
