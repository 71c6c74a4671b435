"""``atlas-ml lineage``: show where an entity's data came from, as a tree."""

from __future__ import annotations

import click

from atlas_ml.cli.options import atlas_options
from atlas_ml.client import AtlasClient
from atlas_ml.lineage import TargetNotFound, show_upstream


@click.command("lineage")
@click.argument("target")
@click.option("--depth", default=20, show_default=True, help="How many dataset hops to walk.")
@atlas_options
def command(target: str, depth: int, client: AtlasClient) -> None:
    """Print the upstream lineage of TARGET (a guid or qualifiedName of a model version,
    dataset version, training run, path, ...) back to the raw data, and its Atlas UI address.
    """
    try:
        show_upstream(client, target, depth=depth)
    except TargetNotFound as exc:
        raise click.ClickException(str(exc)) from exc
