"""``atlas-ml verify``: recompute the fingerprints behind a model or dataset version."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click
from rich.console import Console

from atlas_ml.cli.options import SettingsError, atlas_options
from atlas_ml.cli.output import progress_bar
from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.config import ConfigError
from atlas_ml.custody.settings import load_custody_settings
from atlas_ml.lineage import BadDigest
from atlas_ml.reports import render_json, render_text
from atlas_ml.verify import (
    RecordedVersion,
    TargetNotFound,
    collect_versions,
    resolve_target,
)
from atlas_ml.verify.collect import DEFAULT_DEPTH
from atlas_ml.verify.run import verify_collected


class VerifyCouldNotRun(click.ClickException):
    """Verification never compared anything: exit 3, so that a CI gate can tell "the data
    changed" (1) and "the data cannot be checked" (2) from "Atlas was unreachable"."""

    exit_code = 3


class _VerifyUsageError(click.UsageError):
    exit_code = VerifyCouldNotRun.exit_code


class _VerifySettingsError(SettingsError):
    exit_code = VerifyCouldNotRun.exit_code


class _VerifyCommand(click.Command):
    """Bad options and settings exit 3 as well: click's usual 2 means UNRECOVERABLE here."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            raise _VerifyUsageError(exc.format_message(), exc.ctx) from exc

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a setting the connection options refused
            if ctx.params.get("as_json"):
                click.echo(json.dumps({"status": "ERROR", "error": exc.format_message()}))
            if isinstance(exc, SettingsError):
                raise _VerifySettingsError(exc.format_message()) from exc
            raise _VerifyUsageError(exc.format_message(), exc.ctx) from exc


def _could_not_run(message: str, as_json: bool) -> NoReturn:
    if as_json:
        click.echo(json.dumps({"status": "ERROR", "error": message}))
    raise VerifyCouldNotRun(message)


@click.command(cls=_VerifyCommand)
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--no-write-back",
    is_flag=True,
    help="Do not record verificationStatus/verifiedTime on the dataset versions in Atlas.",
)
@click.option(
    "--rehash",
    is_flag=True,
    help="Re-read every byte instead of trusting cached digests of files whose size and "
    "modification and change times are unchanged.",
)
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=DEFAULT_DEPTH,
    show_default=True,
    help="How many dataset hops of lineage to walk back from the target.",
)
@atlas_options
def command(
    client: AtlasClient,
    target: str,
    as_json: bool,
    no_write_back: bool,
    rehash: bool,
    depth: int,
) -> None:
    """Recompute the fingerprints of the data behind TARGET and compare them with Atlas.

    TARGET is the qualifiedName, guid or name (as 'atlas-ml lineage' prints it) of a model
    version, a training run or a dataset version, or the path a model was saved to (its
    model version is the one whose bytes are there), or sha256:<hex>: the dataset version
    that is that one file, or the model version with those bytes (several are listed with
    the model versions made from each, exit 3). For a model version or training run,
    every dataset version upstream of it in Atlas's lineage is checked; for a model
    version, also the model artifact at its artifactUri against its recorded digest.

    \b
    Each dataset version gets one status:
      VERIFIED       the data at its recorded location has the recorded fingerprints;
                     identical file bytes are VERIFIED even where the logical
                     fingerprint, recomputed with pandas, reads them otherwise than the
                     engine that recorded it (Spark): the report notes the difference
      CHANGED        it does not; the report says which files changed, how the row
                     count moved, how the schema changed and which columns' values moved
      UNRECOVERABLE  it cannot be checked: the location is gone or unreadable; or it
                     is in-memory data and not every source it was made from VERIFIED
      DERIVED        in-memory data (never stored, so not checkable on its own) whose
                     recorded sources all VERIFIED; it does not affect the exit code

    File digests come from a cache keyed on path, size, modification and change time (as
    git trusts them: a file restored with cp -a or touch -d is read again); --rehash
    re-reads every byte. Tables (csv, parquet, json) are
    also re-read row by row for the logical fingerprint. Data on HDFS, S3 and other Hadoop
    file systems is read through a local Spark driver's Hadoop client (the spark extra and
    the cluster's HADOOP_CONF_DIR); its file manifest is compared.

    The status and time are written back to each file-backed dataset version in Atlas
    (verificationStatus, verifiedTime) unless --no-write-back is given.

    \b
    Every training run in the lineage also gets its chain-of-custody status:
      SIGNED-OK  its attestation is signed by a key trusted for its team, and Atlas
                 still holds every signed field, step, input and fingerprint
      TAMPERED   Atlas holds something else than was signed (field, signed value and
                 current value are named), or the signature does not verify
      UNTRUSTED  validly signed, by a key not trusted for the team (atlas-ml keys trust)
      CHAIN-GAP  the team's chain is broken next to it (a run before it was deleted)
      UNSIGNED   recorded without a signing key (does not change the exit status)

    \b
    Exit status:
      0  every checked dataset version (and model artifact) VERIFIED
      1  at least one CHANGED, or a run TAMPERED, UNTRUSTED or CHAIN-GAP (a definite
         finding: wins over 2)
      2  something cannot be checked (UNRECOVERABLE, or no dataset version found)
      3  verify could not run: TARGET not found, Atlas unreachable or refusing the
         credentials (with --json: {"status": "ERROR", "error": ...} on stdout), or
         an invalid option or setting
    """
    err = Console(stderr=True)
    try:
        custody = load_custody_settings(click.get_current_context().params.get("config_file"))
    except ConfigError as exc:
        _could_not_run(str(exc), as_json)
    try:
        resolved = resolve_target(client, target)
        with err.status(f"reading lineage of {resolved.label}"):
            collected = collect_versions(client, resolved, depth)
    except (TargetNotFound, BadDigest) as exc:
        _could_not_run(str(exc), as_json)
    except AtlasError as exc:
        _could_not_run(f"cannot read from Atlas at {client.config.url}: {exc}", as_json)

    with progress_bar() as progress:
        task = progress.add_task("recomputing fingerprints", total=len(collected.file_backed))
        seen: list[RecordedVersion] = []

        def checking(version: RecordedVersion) -> None:
            if seen:
                progress.advance(task)
            seen.append(version)
            progress.update(task, description=f"fingerprinting {version.name}")

        try:
            report = verify_collected(
                client,
                collected,
                write_back=not no_write_back,
                rehash=rehash,
                on_checking=checking,
                custody=custody,
            )
        except AtlasError as exc:
            _could_not_run(f"Atlas at {client.config.url} failed during verify: {exc}", as_json)
        progress.update(task, completed=len(collected.file_backed))

    if as_json:
        click.echo(render_json(report))
    else:
        click.echo(render_text(report, colour=sys.stdout.isatty()))
    sys.exit(report.exit_code)
