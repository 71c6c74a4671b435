"""``atlas-ml spark``: build the listener jar and print how to register it."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from atlas_ml.spark.conf import code_provenance, listener_conf, submit_args
from atlas_ml.spark.jar import ListenerBuildError, listener_jar, spark_line


@click.group(name="spark")
def command() -> None:
    """Spark lineage listener: build it and print its spark-submit flags."""


@command.command(name="build-jar")
@click.option(
    "--spark-jars",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Spark jars folder to compile against (default: the installed PySpark's).",
)
@click.option("--rebuild", is_flag=True, help="Build even when a jar for these sources exists.")
def build_jar(spark_jars: Path | None, rebuild: bool) -> None:
    """Compile the listener for this Spark line into the cache and print the jar's path."""
    try:
        line = spark_line(spark_jars)
        jar = listener_jar(line, rebuild=rebuild)
    except ListenerBuildError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(str(jar))


@command.command(name="conf")
@click.option(
    "--transport",
    type=click.Choice(["spool", "http"]),
    default="spool",
    show_default=True,
    help="spool: write events to local files that 'atlas-ml push' delivers; http: POST them "
    "to an OpenLineage endpoint (--http-url), falling back to the spool when it is down.",
)
@click.option("--http-url", help="OpenLineage endpoint for --transport http.")
@click.option(
    "--spool",
    "--spool-dir",
    "spool_dir",
    type=click.Path(path_type=Path),
    help="Spool directory, as 'atlas-ml push --spool' takes it (made absolute: the job may "
    "run in another working directory).",
)
@click.option(
    "--namespace",
    help="OpenLineage job namespace (default: spark). Not Atlas's metadata namespace (the "
    "@suffix of qualifiedNames), which 'atlas-ml push' takes from ATLAS_NAMESPACE or "
    "atlas.metadata.namespace.",
)
@click.option("--team", help="Team that owns the job (recorded on its Spark application).")
@click.option("--owner", help="Person or role accountable for the job.")
@click.option(
    "--code",
    "code_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The job's script: its git checkout's revision and repository are recorded as the "
    "code that ran (spark.atlasml.code.revision / code.reference).",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["submit", "properties"]),
    default="submit",
    help="spark-submit flags, or spark-defaults.conf lines.",
)
def conf(
    transport: str,
    http_url: str | None,
    spool_dir: Path | None,
    namespace: str | None,
    team: str | None,
    owner: str | None,
    code_file: Path | None,
    output: str,
) -> None:
    """Print the --jars/--conf flags that attach the listener to a spark-submit job.

    \b
    spark-submit $(atlas-ml spark conf) job.py
    spark-submit $(atlas-ml spark conf --team web-analytics --owner a.lee --code job.py) job.py
    eval "spark-submit $(atlas-ml spark conf) job.py"   # when a path contains spaces
    """
    if transport == "http" and not http_url:
        raise click.UsageError("--transport http needs --http-url (the OpenLineage endpoint)")
    code = code_provenance(code_file) if code_file else {}
    try:
        entries = listener_conf(
            transport=transport,
            spool=spool_dir.expanduser().resolve() if spool_dir else None,
            http_url=http_url,
            namespace=namespace,
            team=team,
            owner=owner,
            code_reference=code.get("code_reference"),
            code_revision=code.get("code_revision"),
        )
    except (ListenerBuildError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if output == "properties":
        for key, value in entries.items():
            click.echo(f"{key} {value}")
        return
    flags = submit_args(entries)
    click.echo(shlex.join(flags))
    if any(any(c.isspace() for c in flag) for flag in flags):
        click.echo(
            "warning: a path above contains spaces, which spark-submit $(atlas-ml spark conf) "
            "would split. The flags are shell-quoted: run "
            'eval "spark-submit $(atlas-ml spark conf) job.py", or write '
            "--format properties into a file for spark-submit --properties-file.",
            err=True,
        )
