"""``atlas-ml pin``: protect the table versions behind a model from vacuum and expiry."""

from __future__ import annotations

import json
import sys

import click

from atlas_ml.cli.options import AtlasUnreadable, atlas_options
from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.verify import TargetNotFound, collect_versions, resolve_target
from atlas_ml.verify.pin import PinStatus, pin_version

_EXIT = {PinStatus.FAILED: 2, PinStatus.WARNING: 1}


@click.command()
@click.argument("target")
@click.option(
    "--iceberg-catalog",
    metavar="NAME",
    help="pyiceberg catalog that holds the Iceberg tables (configured in ~/.pyiceberg.yaml or "
    "PYICEBERG_CATALOG__NAME__*) [default: pyiceberg's default catalog].",
)
@click.option(
    "--iceberg-property",
    "iceberg_properties",
    multiple=True,
    metavar="KEY=VALUE",
    help="A pyiceberg catalog property (uri, type, warehouse, ...); repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@atlas_options
def command(
    client: AtlasClient,
    target: str,
    iceberg_catalog: str | None,
    iceberg_properties: tuple[str, ...],
    as_json: bool,
) -> None:
    """Protect every table version a model trained on, so 'atlas-ml verify' can read it back.

    TARGET is what 'atlas-ml verify' takes: a model version, training run or dataset version
    (qualifiedName, guid or name), or a saved model's path.

    \b
      Iceberg  the recorded snapshot is tagged atlasml-<dataset version guid>; expire_snapshots
               keeps tagged snapshots (needs the table's pyiceberg catalog)
      Delta    no per-version protection exists: a warning names the retention properties
               (delta.logRetentionDuration, delta.deletedFileRetentionDuration) to raise
      DVC      a warning: keep the git commit and 'dvc push' the data

    \b
    Exit status: 0 all pinned (or nothing versioned), 1 a version needs the action the
    warning names, 2 a version could not be pinned (bad catalog, already expired),
    3 Atlas unreachable or TARGET not found.
    """
    properties = dict(_property(item) for item in iceberg_properties)
    try:
        collected = collect_versions(client, resolve_target(client, target))
    except TargetNotFound as exc:
        raise AtlasUnreadable(str(exc)) from exc
    except AtlasError as exc:
        raise AtlasUnreadable(f"cannot read from Atlas at {client.config.url}: {exc}") from exc
    results = [pin_version(v, iceberg_catalog, properties) for v in collected.file_backed]
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        for result in results:
            click.echo(f"{result.status.value:<14} {result.version.name}: {result.message}")
        if not results:
            click.echo(f"no stored dataset version behind {collected.target.label}")
    sys.exit(max((_EXIT.get(r.status, 0) for r in results), default=0))


def _property(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise click.BadParameter(f"{item!r}: expected KEY=VALUE", param_hint="--iceberg-property")
    return key, value
