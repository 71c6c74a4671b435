"""``atlas-ml lineage``: show where an entity's data came from, as a tree."""

from __future__ import annotations

import click

from atlas_ml.cli.options import atlas_options
from atlas_ml.client import AtlasClient
from atlas_ml.lineage import TargetNotFound, resolve_target, ui_url, upstream_tree


@click.command("lineage")
@click.argument("target")
@click.option("--depth", default=20, show_default=True, help="How many dataset hops to walk.")
@atlas_options
def command(target: str, depth: int, client: AtlasClient) -> None:
    """Print the upstream lineage of TARGET (a guid or qualifiedName of a model version,
    dataset version, training run, path, ...) back to the raw data, and its Atlas UI address.
    """
    from rich.console import Console

    try:
        entity = resolve_target(client, target)
    except TargetNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    guid = entity["guid"]
    graph = client.lineage.get(guid, direction="INPUT", depth=depth)
    if guid not in graph.entities:
        graph.entities[guid] = entity
    console = Console()
    console.print(upstream_tree(graph, guid))
    click.echo(f"Atlas UI: {ui_url(client, guid)}")
