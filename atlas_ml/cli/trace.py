"""``atlas-ml trace``: where did a model version's data (or its drift) come from?"""

from __future__ import annotations

import sys

import click
from rich.console import Console

from atlas_ml.cli.options import atlas_options
from atlas_ml.cli.output import print_tree
from atlas_ml.cli.readside import graph_progress, read_side_errors
from atlas_ml.client import AtlasClient
from atlas_ml.reports.trace_report import render_conclusion, render_json, trace_tree
from atlas_ml.trace import trace


@click.command("trace")
@click.argument("model_version")
@click.option(
    "--against",
    metavar="MODEL_VERSION",
    help="Walk this model version's lineage in lockstep with MODEL_VERSION's (e.g. the good "
    "one and the drifted one) and name the first divergence.",
)
@click.option(
    "--live",
    is_flag=True,
    help="Recompute the fingerprints of the data behind MODEL_VERSION now (as atlas-ml verify "
    "does, without writing the result back) instead of trusting the last recorded check.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the trace as JSON.")
@atlas_options
def command(
    client: AtlasClient, model_version: str, against: str | None, live: bool, as_json: bool
) -> None:
    """Walk back from MODEL_VERSION to find where its data changed.

    MODEL_VERSION is a guid, qualifiedName, name (titanic-survival@b42e7c4dc44f) or the
    path the model was saved to. trace finds the run that trained it, checks the recorded
    fingerprints of its training data (--live recomputes them), then walks the lineage
    backwards edge by edge: a step's input must be what the step before it wrote, so a
    read whose bytes differ from the last recorded write of the same location is named,
    with the rows, columns (added, removed, retyped) and per-column hashes that differ.

    With --against OTHER, both lineages are walked in lockstep from the two model versions
    to their sources, pairing runs, inputs (by role), steps (by name) and data, comparing
    fingerprints, schemas, per-column hashes, step parameters and step code fingerprints.
    The first (most upstream) divergence is named with its kind: data changed at the
    source, schema changed, data changed between write and read, step code changed,
    parameters changed, inputs changed, or data moved (same bytes at a new path, which is
    not a data change).

    \b
    Output: the lineage tree with a status per node, then one sentence naming the
    divergence. --json prints the same as JSON.

    \b
    Exit status:
      0  no divergence (moves alone are none)
      1  a divergence that changed data, or data found CHANGED
      2  bad input: MODEL_VERSION not in Atlas, or not a model version
      3  Atlas cannot be read (unreachable, refused credentials, types not installed)
    """
    with read_side_errors(client), graph_progress() as progress:
        result = trace(client, model_version, against, live=live, progress=progress)
    if as_json:
        click.echo(render_json(result))
    else:
        print_tree(trace_tree(result))
        console = Console()
        for note in result.notes:
            console.print(f"note: {note}", style="dim")
        console.print(render_conclusion(result))
    sys.exit(result.exit_code)
