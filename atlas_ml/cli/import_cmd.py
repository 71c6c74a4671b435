"""``atlas-ml import``: bring records of other tools into Atlas (``import mlflow``)."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import click
from rich.console import Console

from atlas_ml.cli.options import AtlasUnreadable, SettingsError, atlas_options
from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.config import ConfigError
from atlas_ml.custody.settings import load_custody_settings
from atlas_ml.delivery import Spool


@click.group()
def command() -> None:
    """Import training runs, datasets and models recorded by other tools into Atlas."""


@command.command("mlflow")
@click.option(
    "--tracking-uri",
    required=True,
    metavar="URI",
    help="MLflow tracking URI: http(s)://server, sqlite:///mlflow.db, file:///mlruns.",
)
@click.option("--experiment", metavar="NAME", help="Only this experiment [default: all].")
@click.option(
    "--since",
    metavar="DATE",
    help="Only runs started at or after DATE (ISO 8601: 2025-01-31 or 2025-01-31T12:00).",
)
@click.option(
    "--team",
    metavar="NAME",
    help="Team the imported runs belong to (their owner, and their signing chain).",
)
@atlas_options
def mlflow_command(
    client: AtlasClient,
    tracking_uri: str,
    experiment: str | None,
    since: str | None,
    team: str | None,
) -> None:
    """Import MLflow runs, their logged datasets and registered model versions into Atlas.

    \b
      run                    -> atlasml_training_run (params, metrics, tags, user, source
                                code and commit, status; mlflowRunId and mlflowRunUri)
      mlflow.log_input       -> atlasml_dataset_version (MLflow's digest and source; linked
                                to the physical data at the source's path or URI)
      registered model vers. -> atlasml_model_version named by its artifacts' sha256
                                (stage, aliases, registry name and version)

    Re-importing changes nothing (entities are named by MLflow's run id and the artifacts'
    digest). Runs that atlas-ml mirrored into MLflow are in Atlas already: only their
    registry facts are added. Needs the mlflow extra: pip install 'atlas-ml[mlflow]'.

    With a signing key configured (atlas-ml keys generate), each run is signed as it is
    imported and chained under --team (chain of custody: verify then says SIGNED-OK, or
    TAMPERED after an edit behind atlas-ml's back); a re-import of an unchanged run keeps
    its first attestation.

    Exit status: 0 imported, 1 some model versions could not be read or runs could not be
    signed, 2 bad input (no such experiment, bad date), 3 Atlas unreachable.
    """
    try:
        from atlas_ml.mlflow_sync.importer import import_mlflow
    except ImportError as exc:  # pragma: no cover - import guard
        raise click.UsageError(f"{exc}: pip install 'atlas-ml[mlflow]'") from exc
    start = _date(since) if since else None
    try:
        custody = load_custody_settings(click.get_current_context().params.get("config_file"))
    except ConfigError as exc:
        raise SettingsError(str(exc)) from exc
    err = Console(stderr=True)
    try:
        with err.status("reading MLflow runs") as status:
            report = import_mlflow(
                client,
                tracking_uri,
                experiment=experiment,
                since=start,
                spool=Spool(),
                on_run=lambda run_id: status.update(f"importing MLflow run {run_id}"),
                team=team,
                custody=custody,
            )
    except LookupError as exc:
        raise click.BadParameter(str(exc), param_hint="--experiment") from exc
    except AtlasError as exc:
        raise AtlasUnreadable(f"cannot write to Atlas at {client.config.url}: {exc}") from exc
    delivery = report.delivery
    click.echo(
        f"imported {report.runs} run(s), {report.datasets} dataset(s), "
        f"{report.model_versions} model version(s); {report.skipped_mirrored} run(s) mirrored "
        "by atlas-ml were already in Atlas"
        + (f"; {report.signed} run(s) signed" if report.signed else "")
    )
    if delivery is not None and (delivery.remaining or delivery.rejected):
        click.echo(
            f"{delivery.remaining} event(s) kept in the spool, {delivery.rejected} rejected: "
            f"{delivery.stopped_by or delivery.first_rejection}",
            err=True,
        )
        sys.exit(3)
    for problem in report.problems:
        click.echo(f"warning: {problem}", err=True)
    sys.exit(1 if report.problems else 0)


def _date(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not an ISO date", param_hint="--since") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
