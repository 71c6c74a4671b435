"""``atlas-ml push``: deliver the lineage events waiting in the local spool."""

from __future__ import annotations

import os
from pathlib import Path

import click

from atlas_ml.cli.options import atlas_options
from atlas_ml.cli.output import progress_bar
from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool, push
from atlas_ml.delivery.spool import SPOOL_ENV, default_spool_dir


@click.command("push")
@click.option(
    "--spool",
    "spool_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Spool directory [env: ATLAS_ML_SPOOL; default $ATLAS_ML_CACHE/spool, else "
    "~/.cache/atlas-ml/spool].",
)
@click.option(
    "--retry-rejected",
    is_flag=True,
    help="Move previously rejected events back to pending first (after fixing the cause).",
)
@click.option(
    "--no-infer-copies",
    is_flag=True,
    help="Do not link data to classified data with the same bytes elsewhere in Atlas (an "
    "inferred COPY step that carries its classifications) [config: infer_copies = false].",
)
@atlas_options
def command(
    spool_dir: Path | None, retry_rejected: bool, no_infer_copies: bool, client: AtlasClient
) -> None:
    """Deliver pending lineage events (from Spark jobs and training runs) to Atlas.

    Events are upserted by qualifiedName, so pushing the same events again creates nothing
    twice. Events that can never be mapped are moved to <spool>/rejected with the reason.
    Data whose bytes equal classified data recorded elsewhere (a cp or hdfs dfs -cp made
    outside any run) is linked to it by an inferred COPY step, so its classifications follow;
    --no-infer-copies turns that off.
    Exit code 0 when the spool is empty afterwards, 1 when events remain or were rejected.
    """
    named = f"{spool_dir} (--spool)" if spool_dir else None
    if spool_dir is None and os.environ.get(SPOOL_ENV):
        spool_dir = default_spool_dir()  # the folder the variable names, as every reader reads it
        named = f"{spool_dir} (named by {SPOOL_ENV})"
    if spool_dir is not None and not spool_dir.is_dir():
        # A named spool that is missing is a typo: the events are elsewhere.
        raise click.UsageError(f"spool directory {named} does not exist")
    spool = Spool(spool_dir)
    if retry_rejected:
        try:
            requeued = spool.requeue_rejected()
        except OSError as exc:
            raise click.ClickException(
                f"cannot move rejected events back into the spool {spool.root}: "
                f"{exc.strerror or exc}; make it writable and try again"
            ) from exc
        click.echo(f"Re-queued {requeued} rejected event(s).")
    total = len(spool.pending())
    if total == 0 and not spool.partial_writes():
        click.echo(f"Nothing to push: {spool.root} has no pending events.")
        rejected = len(spool.rejected())
        if rejected:
            click.echo(
                f"{rejected} rejected event(s) wait in {spool.rejected_dir} (reasons in the "
                ".error files beside them); fix the cause, then: atlas-ml push --retry-rejected",
                err=True,
            )
        return
    with progress_bar() as progress:
        task = progress.add_task("Pushing events", total=total)
        report = push(
            client,
            spool,
            on_event=lambda _: progress.advance(task),
            infer_copies=False if no_infer_copies else None,
        )
    if report.recovered_partial or report.torn_partial:
        click.echo(
            f"Found {report.recovered_partial + report.torn_partial} event(s) a killed writer "
            f"left half-stored: {report.recovered_partial} complete (delivered with the rest), "
            f"{report.torn_partial} incomplete (set aside in {spool.rejected_dir}).",
            err=True,
        )
    click.echo(
        f"Delivered {report.delivered} event(s) ({report.entities} entities) to "
        f"{client.config.url}; rejected {report.rejected}; {report.remaining} still pending."
    )
    if report.rejected:
        click.echo(f"Rejected events and their reasons: {spool.rejected_dir}", err=True)
    if report.stopped_by:
        click.echo(f"Stopped: {report.stopped_by}", err=True)
    if report.rejected or report.remaining or report.torn_partial:
        raise SystemExit(1)
