"""``atlas-ml collect``: an OpenLineage HTTP endpoint that records lineage in Atlas."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from atlas_ml.cli.options import SettingsError, atlas_options
from atlas_ml.client import AtlasClient

if TYPE_CHECKING:
    from atlas_ml.collect.intake import Rules

F = TypeVar("F", bound=Callable[..., Any])


def spec_option(func: F) -> F:
    """``--spec DIR``: the OpenLineage spec's JSON schemas to check events against as well
    (collect and ingest)."""
    return click.option(
        "--spec",
        "spec_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="ATLAS_ML_OPENLINEAGE_SPEC",
        help="Also check events against the OpenLineage spec's JSON schemas in DIR (a copy "
        "of the OpenLineage repository's spec/ folder: OpenLineage.json, facets/*.json) "
        "[env: ATLAS_ML_OPENLINEAGE_SPEC; default: ../shared/openlineage-spec when it "
        "exists]. Events are always checked against openlineage-python's models.",
    )(func)


def load_rules(spec_dir: Path | None) -> Rules:
    """The rules events are checked against, or exit 2 naming what is wrong with the folder."""
    from atlas_ml.collect.intake import load_rules as load
    from atlas_ml.collect.schema import SpecFolderError

    try:
        return load(spec_dir)
    except SpecFolderError as exc:
        raise SettingsError(str(exc)) from exc


def _size(value: str) -> int:
    from atlas_ml.collect.intake import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("collect")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="ATLAS_ML_COLLECT_TOKEN_FILE",
    help="File holding the bearer token clients must send (OpenLineage's api_key) "
    "[env: ATLAS_ML_COLLECT_TOKEN_FILE]. Without it anyone who reaches the port may post.",
)
@click.option(
    "--max-body",
    default="1MiB",
    show_default=True,
    metavar="SIZE",
    help="Largest request body, compressed or not (413 above it), e.g. 512KiB, 4MiB.",
)
@click.option(
    "--spool",
    "spool_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where accepted events are kept until Atlas has them [env: ATLAS_ML_SPOOL; default "
    "$ATLAS_ML_CACHE/spool, else ~/.cache/atlas-ml/spool].",
)
@click.option(
    "--no-push",
    is_flag=True,
    help="Only store accepted events in the spool; deliver them later with atlas-ml push.",
)
@spec_option
@atlas_options
def command(
    host: str,
    port: int,
    token_file: Path | None,
    max_body: str,
    spool_dir: Path | None,
    no_push: bool,
    spec_dir: Path | None,
    client: AtlasClient,
) -> None:
    """Receive OpenLineage events over HTTP and record them in Atlas.

    Point any OpenLineage producer's HTTP transport at http://HOST:PORT (it posts to
    /api/v1/lineage; /api/v1/lineage/batch takes a JSON array). Each event is checked against
    the official OpenLineage models (openlineage-python's, and the spec's JSON schemas with
    --spec) and kept in the durable spool before the 202 answer, then
    delivered to Atlas by the same mapper as atlas-ml push; while Atlas is down, events wait in
    the spool. Answers 400 (naming the invalid field), 401, 413 and 415 as HTTP says.

    \b
    Airflow:  OPENLINEAGE_URL=http://127.0.0.1:5000
    Spark:    --conf spark.openlineage.transport.type=http
              --conf spark.openlineage.transport.url=http://127.0.0.1:5000
    """
    from atlas_ml.collect.app import CollectorSettings
    from atlas_ml.collect.server import PortUnavailable, TokenFileError, read_token, serve
    from atlas_ml.delivery import Spool

    limit = _size(max_body)
    rules = load_rules(spec_dir)
    token = None
    if token_file is not None:
        try:
            token = read_token(token_file)
        except TokenFileError as exc:
            raise click.UsageError(str(exc)) from exc
    if token is None and not _loopback(host):
        click.echo(
            f"Warning: listening on {host} without --token-file: anyone who reaches this port "
            "can write lineage.",
            err=True,
        )
    spool = Spool(spool_dir)
    try:
        spool.root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.UsageError(
            f"cannot create the spool {spool.root}: {exc.strerror or exc}; choose one with --spool"
        ) from exc
    target = "the spool only (--no-push)" if no_push else client.config.url

    def started() -> None:
        click.echo(
            f"Collecting OpenLineage events on http://{host}:{port}/api/v1/lineage into "
            f"{spool.root}, delivering to {target}, checking them against "
            f"{rules.describe()}. Ctrl-C stops.",
            err=True,
        )

    settings = CollectorSettings(max_body=limit, token=token, rules=rules)
    try:
        serve(host, port, spool, settings, None if no_push else client, on_start=started)
    except PortUnavailable as exc:
        raise CouldNotListen(str(exc)) from exc


class CouldNotListen(click.ClickException):
    """The collector could not run at all: exit 3, as every command that could not run."""

    exit_code = 3
