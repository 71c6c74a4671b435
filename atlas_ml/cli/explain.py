"""``atlas-ml explain``: one model version's (or dataset version's) full provenance."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markdown import Markdown

from atlas_ml.cli.options import atlas_options
from atlas_ml.cli.readside import graph_progress, read_side_errors, write_output
from atlas_ml.client import AtlasClient
from atlas_ml.explain import explain
from atlas_ml.reports.explain_report import render_html, render_json, render_markdown

FORMATS = ("text", "md", "html", "json")
_BY_SUFFIX = {".html": "html", ".htm": "html", ".json": "json", ".md": "md"}


@click.command("explain")
@click.argument("target")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="text (on a terminal), md (Markdown), html (a printable document with the lineage "
    "drawn), json [default: from -o's suffix, else text].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout.",
)
@atlas_options
def command(client: AtlasClient, target: str, fmt: str | None, output: Path | None) -> None:
    """The full provenance of TARGET as a readable document.

    TARGET is a model version or dataset version: its guid, qualifiedName, name
    (titanic-survival@b42e7c4dc44f), the location of the data, or the path a model was
    saved to. The document follows the data from the raw sources to TARGET: for every
    dataset version its origin, licence, location, fingerprints and schema; for every step
    what it did and why, its code (fingerprint, location, source) and parameters, its team
    and run; the training runs with their code revision, parameters, metrics and operator;
    the evaluations; the compliance facts; every classification and the entity it was set
    on (or the step that stopped it); and the completeness verdict.

    \b
    Exit status:
      0  the document was produced
      2  bad input: TARGET not in Atlas, or neither a model nor a dataset version
      3  Atlas cannot be read (unreachable, refused credentials, types not installed)
    """
    fmt = fmt or (_BY_SUFFIX.get(output.suffix.lower(), "md") if output else "text")
    with read_side_errors(client), graph_progress() as progress:
        explanation = explain(client, target, progress=progress)
    if fmt == "text" and output is None:
        Console().print(Markdown(render_markdown(explanation)))
        return
    render = {"md": render_markdown, "text": render_markdown, "html": render_html}.get(
        fmt, render_json
    )
    write_output(render(explanation), output)
    if output is not None:
        click.echo(f"wrote {output}", err=True)
