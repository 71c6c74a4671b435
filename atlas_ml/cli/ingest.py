"""``atlas-ml ingest``: record OpenLineage events from files in Atlas."""

from __future__ import annotations

from pathlib import Path

import click

from atlas_ml.cli.collect import load_rules, spec_option
from atlas_ml.cli.options import AtlasUnreadable, atlas_options
from atlas_ml.client import AtlasClient


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--spool",
    "spool_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Spool to keep the events in until Atlas has them [env: ATLAS_ML_SPOOL].",
)
@click.option("--no-push", is_flag=True, help="Only store the events in the spool.")
@spec_option
@atlas_options
def command(
    paths: tuple[Path, ...],
    spool_dir: Path | None,
    no_push: bool,
    spec_dir: Path | None,
    client: AtlasClient,
) -> None:
    """Record the OpenLineage events in FILE.jsonl (one event per line), FILE.json (an event
    or an array of events) or a folder of such files in Atlas.

    Each event is checked like atlas-ml collect checks it (openlineage-python's OpenLineage
    models, and the spec's JSON schemas with --spec);
    invalid ones are listed with file, line and field and skipped. Valid ones go to the spool
    and are then delivered (as atlas-ml push does; re-running creates nothing twice).
    Exit 0: all recorded; 1: some events invalid or still pending; 2: bad arguments;
    3: Atlas unreachable (the events wait in the spool for atlas-ml push).
    """
    from rich.console import Console
    from rich.progress import Progress

    from atlas_ml.collect.ingest import ingest
    from atlas_ml.delivery import Spool, push

    spool = Spool(spool_dir)
    rules = load_rules(spec_dir)
    try:
        report = ingest(list(paths), spool, rules)
    except OSError as exc:
        raise click.UsageError(
            f"cannot read the events or write the spool: {exc.strerror or exc}"
            f"{f' ({exc.filename})' if exc.filename else ''}"
        ) from exc
    for refusal in report.refused[:20]:
        click.echo(f"invalid: {refusal}", err=True)
    if len(report.refused) > 20:
        click.echo(f"... and {len(report.refused) - 20} more invalid event(s)", err=True)
    click.echo(
        f"Read {report.files} file(s): {report.accepted} event(s) stored in {spool.root}, "
        f"{len(report.refused)} invalid."
    )
    if no_push:
        raise SystemExit(1 if report.refused else 0)
    err = Console(stderr=True)
    with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("Delivering events", total=len(spool.pending()))
        delivered = push(client, spool, on_event=lambda _: progress.advance(task))
    click.echo(
        f"Delivered {delivered.delivered} event(s) ({delivered.entities} entities) to "
        f"{client.config.url}; rejected {delivered.rejected}; {delivered.remaining} pending."
    )
    if delivered.rejected:
        click.echo(
            f"Atlas refused {delivered.rejected} event(s), set aside in {spool.rejected_dir} "
            f"with the reasons; the first: {delivered.first_rejection}",
            err=True,
        )
    if delivered.stopped_by:
        if delivered.delivered == 0 and delivered.remaining:
            raise AtlasUnreadable(
                f"{delivered.stopped_by}; the events wait in {spool.root}: {spool.push_command()}"
            )
        click.echo(f"Stopped: {delivered.stopped_by}", err=True)
    if report.refused or delivered.rejected or delivered.remaining:
        raise SystemExit(1)
