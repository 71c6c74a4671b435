"""``atlas-ml server``: build, start, stop and inspect the local Apache Atlas."""

from __future__ import annotations

import json
import time
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import requests

from atlas_ml.server.build import DEFAULT_ATLAS_VERSION, ServerBuildError, build
from atlas_ml.server.diagnose import log_tail
from atlas_ml.server.kerberos import KerberosSettings, KerberosSetupError
from atlas_ml.server.local import LocalAtlas, ServerError, ServerSettings
from atlas_ml.server.snapshot import SnapshotError


def _server(
    version: str,
    port: int | None = None,
    kafka_port: int | None = None,
    zookeeper_port: int | None = None,
    heap: str | None = None,
    bind_address: str | None = None,
    kerberos: KerberosSettings | None = None,
) -> LocalAtlas:
    chosen: dict[str, Any] = {
        "kerberos": kerberos,
        "bind_address": bind_address,
        "http_port": port,
        "kafka_port": kafka_port,
        "zookeeper_port": zookeeper_port,
        "heap": heap,
    }
    overrides = {name: value for name, value in chosen.items() if value is not None}
    return LocalAtlas(replace(ServerSettings.from_env(), version=version, **overrides))


def console_status(message: str) -> Any:
    from rich.console import Console

    return Console(stderr=True).status(message)


def version_option(purpose: str) -> Any:
    """``--atlas-version``: each release has its own home, so every command takes it."""
    return click.option(
        "--atlas-version",
        "version",
        default=DEFAULT_ATLAS_VERSION,
        show_default=True,
        help=f"Apache Atlas release {purpose}.",
    )


@click.group("server")
def command() -> None:
    """A real local Apache Atlas (Java 11; BerkeleyDB graph, Solr index, HBase audit trail).

    Assembled from Maven Central into the user's cache directory; no Docker needed. It keeps
    its data across stops and crashes; 'backup' and 'restore' copy the metadata out and in.
    """


@command.command("build")
@version_option("to assemble")
@click.option(
    "--models",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of Atlas's stock type models (addons/models). "
    "Default: $ATLAS_ML_MODELS or ../shared/atlas-models; without either, they are "
    "downloaded from the Atlas source release on archive.apache.org.",
)
@click.option("--force", is_flag=True, help="Rebuild even when nothing changed.")
def build_command(version: str, models: Path | None, force: bool) -> None:
    """Assemble Atlas from Maven Central (a second run is a no-op)."""
    try:
        with console_status(f"Assembling Apache Atlas {version} from Maven Central..."):
            result = build(version=version, models=models, force=force)
    except ServerBuildError as exc:
        raise click.ClickException(str(exc)) from exc
    verb = "Built" if result.rebuilt else "Already built (nothing changed):"
    click.echo(f"{verb} Apache Atlas {result.version} in {result.home}")


@command.command("start")
@version_option("to run (as assembled by 'server build')")
@click.option("--port", type=int, help="HTTP port of the UI and REST API. [default: 21000]")
@click.option("--kafka-port", type=int, help="Port of the embedded Kafka. [default: 29027]")
@click.option(
    "--zookeeper-port",
    type=int,
    help="Port of the embedded ZooKeeper; HBase and Solr take the five ports after this one + 1. "
    "[default: 29026]",
)
@click.option("--heap", help="Java heap size, e.g. 2g. [default: 2g]")
@click.option(
    "--bind-address",
    help="Address to listen on. [default: 127.0.0.1; containers use 0.0.0.0]",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Wipe the server's data (graph, index, audit trail, Kafka) first.",
)
@click.option("--timeout", default=900, show_default=True, help="Seconds to wait for ACTIVE.")
@click.option(
    "--foreground",
    is_flag=True,
    help="Run Atlas in this process (logs to files; for containers and supervisors).",
)
@click.option(
    "--kerberos-principal",
    metavar="HTTP/HOST@REALM",
    help="Turn on SPNEGO with this service principal (Basic auth keeps working) "
    "[env: ATLAS_ML_SERVER_KERBEROS_PRINCIPAL].",
)
@click.option(
    "--kerberos-keytab",
    type=click.Path(dir_okay=False),
    help="Keytab holding the principal's keys [env: ATLAS_ML_SERVER_KERBEROS_KEYTAB].",
)
@click.option(
    "--krb5-conf",
    type=click.Path(dir_okay=False),
    help="krb5.conf naming the realm's KDC. [default: $KRB5_CONFIG, else /etc/krb5.conf]",
)
def start_command(
    version: str,
    port: int | None,
    kafka_port: int | None,
    zookeeper_port: int | None,
    heap: str | None,
    bind_address: str | None,
    fresh: bool,
    timeout: int,
    foreground: bool,
    kerberos_principal: str | None,
    kerberos_keytab: str | None,
    krb5_conf: str | None,
) -> None:
    """Start the local Atlas (with its Solr and HBase) and wait until it is ACTIVE.

    It opens the data of the last run: the same entities, deleted entities and audit trail,
    after 'server stop' and after a crash alike (a killed run is recovered from the logs of
    the graph, the index and HBase).
    """
    try:
        kerberos = KerberosSettings.resolve(kerberos_principal, kerberos_keytab, krb5_conf)
    except KerberosSetupError as exc:
        raise click.UsageError(str(exc)) from exc
    server = _server(version, port, kafka_port, zookeeper_port, heap, bind_address, kerberos)
    if foreground:
        try:
            raise SystemExit(server.run_foreground(fresh=fresh, timeout=timeout))
        except ServerError as exc:
            raise click.ClickException(str(exc)) from exc
    already = server.is_running()
    try:
        seconds = server.start(fresh=fresh, timeout=timeout)
    except ServerError as exc:
        raise click.ClickException(str(exc)) from exc
    if already:
        click.echo(f"Atlas is already running at {server.url} (pid {server.pid()}).")
        if kerberos is not None:
            click.echo(
                "  Kerberos:        NOT applied: the running server keeps its settings; "
                "stop it first (atlas-ml server stop) to start it with SPNEGO",
                err=True,
            )
            kerberos = None
    else:
        click.echo(f"Atlas is ACTIVE after {seconds:.0f} s (pid {server.pid()}).")
        if server.recovered:
            click.echo(
                "  Recovered:       the previous run ended without 'server stop'; its graph, "
                "index and audit trail were reopened"
            )
    click.echo(f"  UI and REST API: {server.url}")
    click.echo(f"  Credentials:     {server.settings.username}/{server.settings.password}")
    if kerberos is not None:
        click.echo(f"  Kerberos:        SPNEGO as {kerberos.principal} (Basic auth still works)")
    click.echo(f"  Logs:            {server.log_file}")


@command.command("stop")
@version_option("whose local server to stop")
@click.option("--no-snapshot", is_flag=True, hidden=True)  # accepted from older scripts
def stop_command(version: str, no_snapshot: bool) -> None:
    """Stop the local Atlas started by 'atlas-ml server start', then its HBase and Solr.

    Nothing else is signalled. The data stays in place for the next 'server start'.
    """
    server = _server(version)
    if server.stop():
        click.echo("Atlas stopped.")
    else:
        click.echo("Atlas is not running (no live process from 'server start').")


def _running_server(version: str) -> LocalAtlas:
    server = _server(version)
    if not server.is_running():
        click.echo(
            f"Error: the local Atlas ({server.home}) is not running; start it with "
            "'atlas-ml server start'.",
            err=True,
        )
        raise SystemExit(3)
    return server


@command.command("backup")
@version_option("whose local server to back up")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(version: str, target: Path | None) -> None:
    """Export every entity and the types they use into a zip (Atlas's admin/export).

    TARGET defaults to backups/atlas-<time>.zip in the server's home. The zip holds the
    active entities with their guids, attributes, relationships and classifications; the
    audit trail and deleted entities stay in the server's own data, which survives restarts.
    'server restore' imports it, here or into another Atlas 2.x. Exit status 3 when the
    server is not running.
    """
    server = _running_server(version)
    if target is None:
        target = server.backups_dir / f"atlas-{time.strftime('%Y%m%d-%H%M%S')}.zip"
    try:
        with console_status("Exporting the metadata (admin/export)..."):
            saved = server.backup(target)
    except (ServerError, SnapshotError, requests.RequestException) as exc:
        click.echo(f"Error: no backup written: {exc}", err=True)
        raise SystemExit(3) from exc
    click.echo(f"Saved {saved.entities} entities to {saved.path}.")


@command.command("restore")
@version_option("whose local server to restore into")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(version: str, source: Path) -> None:
    """Import a zip written by 'server backup' (or Atlas's admin/export) into the server.

    Entities keep their guids; ones that exist already are updated, so running it twice
    changes nothing. To replace everything: 'server start --fresh', then 'server restore'.
    Exit status 2 when Atlas rejects the file, 3 when the server is not running.
    """
    if source.stat().st_size and not zipfile.is_zipfile(source):
        raise click.BadParameter(
            f"{source} is not a zip written by 'server backup'", param_hint="SOURCE"
        )
    server = _running_server(version)
    try:
        with console_status(f"Importing {source.name} (admin/import)..."):
            restored = server.restore(source)
    except SnapshotError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from exc
    except (ServerError, requests.RequestException) as exc:
        click.echo(f"Error: nothing restored: {exc}", err=True)
        raise SystemExit(3) from exc
    click.echo(f"Restored {restored.entities} entities from {source}.")


@command.command("status")
@version_option("whose local server to report on")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def status_command(version: str, as_json: bool) -> None:
    """URL, state, version, pids (Atlas, HBase, Solr) and memory (all three) of the local Atlas.

    Exit status 0 while the server 'server start' started is running (ACTIVE or not yet),
    3 when it is stopped (as an init script's status). An Atlas started otherwise, e.g.
    by another user or with another ATLAS_ML_CACHE, is not this server.
    """
    info = _server(version).status()
    if as_json:
        click.echo(json.dumps(info, indent=2))
    else:
        for key, value in info.items():
            click.echo(f"{key:>9}: {'-' if value is None else value}")
    if info["state"] == "stopped":
        raise SystemExit(3)


@command.command("logs")
@version_option("whose local server's log to show")
@click.option(
    "-n",
    "--lines",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="How many lines to show.",
)
@click.option(
    "--component",
    type=click.Choice(["atlas", "hbase", "solr"]),
    default="atlas",
    show_default=True,
    help="Whose log: Atlas, or the HBase (audit trail) or Solr (index) beside it.",
)
@click.option("--stdout", "stdout_log", is_flag=True, help="Show the JVM's stdout instead.")
def logs_command(version: str, lines: int, component: str, stdout_log: bool) -> None:
    """Show the end of the local Atlas's log (or of its HBase or Solr)."""
    server = _server(version)
    if component == "atlas":
        path = server.stdout_file if stdout_log else server.log_file
    else:
        companion = next(c for c in server.companions if c.name == component)
        path = companion.stdout_file if stdout_log else companion.log_file
    text = log_tail(path, lines=lines)
    if not text:
        raise click.ClickException(f"No log at {path} yet: start the server first.")
    click.echo(f"==> {path} <==")
    click.echo(text)
