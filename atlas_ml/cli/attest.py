"""``atlas-ml attest``: check signed attestations offline, or a team's chain in Atlas."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from atlas_ml.cli.options import AtlasUnreadable, atlas_options
from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.config import ConfigError
from atlas_ml.custody.result import CustodyStatus, worst
from atlas_ml.custody.settings import CustodySettings, load_custody_settings
from atlas_ml.reports.custody_text import WIDTH, custody_lines, finding_text, status_text

EXIT_OK, EXIT_FINDING, EXIT_UNSIGNED = 0, 1, 2


class AttestInputError(click.ClickException):
    exit_code = 2


def _exit_code(status: CustodyStatus) -> int:
    if status.is_finding:
        return EXIT_FINDING
    return EXIT_UNSIGNED if status is CustodyStatus.UNSIGNED else EXIT_OK


def _settings(config_file: str | None) -> CustodySettings:
    try:
        return load_custody_settings(config_file)
    except ConfigError as exc:
        raise AttestInputError(str(exc)) from exc


@click.group("attest")
def command() -> None:
    """Check signed attestations of training runs (chain of custody).

    \b
    Statuses:
      SIGNED-OK  signed by a key trusted for the run's team, and what was signed holds
      TAMPERED   the signature does not verify, or the data it signs changed (each
                 finding names the field, its signed and its current value)
      UNTRUSTED  valid signature, by a key not trusted for that team here
      CHAIN-GAP  the team's chain of attestations is broken (a run deleted, a fork)
      UNSIGNED   nothing signs it (recorded without a signing key)
    """


@command.command("verify")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--statement", is_flag=True, help="Also print each signed statement (decoded).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="atlas-ml config file with the trusted keys [env: ATLAS_ML_CONFIG].",
)
def verify(file: Path, as_json: bool, statement: bool, config_file: str | None) -> None:
    """Check FILE's attestations offline, with no Atlas.

    FILE is an envelope file (MODEL.intoto.jsonl, one DSSE envelope per line), or the
    signed artifact itself (a model file or folder, a report written by 'audit --sign'),
    whose envelopes are read from FILE.intoto.jsonl beside it. Each envelope must be
    signed by a key trusted for its team (the [custody.trusted_keys] of your config), and
    the artifact, when present, must have the sha256 (a folder: the file manifest's root
    hash) its subject names. The chain between runs needs Atlas: 'atlas-ml verify'.

    \b
    Exit status: 0 every envelope SIGNED-OK; 1 TAMPERED or UNTRUSTED (including an
    envelope file that is damaged or truncated); 2 UNSIGNED (no envelope beside FILE) or
    bad input (FILE missing, a malformed config).
    """
    from atlas_ml.custody.envelope import EnvelopeError, open_envelope
    from atlas_ml.custody.offline import NothingToVerify, locate, verify_file

    settings = _settings(config_file)
    try:
        results = verify_file(file, settings)
    except NothingToVerify as exc:
        raise AttestInputError(str(exc)) from exc
    status = worst([r.status for r in results])
    statements = []
    if statement:
        located = locate(file)
        if located.envelopes is not None:
            for line in located.envelopes.read_bytes().splitlines():
                try:
                    statements.append(open_envelope(line).statement)
                except EnvelopeError:
                    continue
    if as_json:
        body = {"status": status.value, "results": [r.to_dict() for r in results]}
        if statement:
            body["statements"] = statements
        click.echo(json.dumps(body, indent=2))
    else:
        click.echo("\n".join(custody_lines(results, colour=sys.stdout.isatty())).rstrip())
        for decoded in statements:
            click.echo(json.dumps(decoded, indent=2))
    sys.exit(_exit_code(status))


@command.command("chain")
@click.argument("team")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@atlas_options
def chain(client: AtlasClient, team: str, as_json: bool) -> None:
    """Walk TEAM's chain of attestations in Atlas (and in this machine's chain log).

    Per signing key the attestations must run #1, #2, ... with no hole, each naming the
    one before and still linked to its training run; two at one position are a fork. An
    attestation in the local log but not in Atlas is a run deleted from Atlas (or still
    waiting in the spool: run 'atlas-ml push' first).

    \b
    Exit status: 0 intact; 1 CHAIN-GAP, TAMPERED or UNTRUSTED; 2 no attestation of TEAM;
    3 Atlas could not be read.
    """
    from atlas_ml.custody.chain_check import check_chain

    settings = _settings(click.get_current_context().params.get("config_file"))
    try:
        report = check_chain(client, team, settings=settings)
    except AtlasError as exc:
        raise AtlasUnreadable(f"cannot read from Atlas at {client.config.url}: {exc}") from exc
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        sys.exit(_exit_code(report.status))
    colour = sys.stdout.isatty()
    if not report.chains:
        click.echo(f"{status_text(CustodyStatus.UNSIGNED, colour)}  no attestation of team {team}")
    for key_chain in report.chains:
        click.echo(
            f"{status_text(key_chain.status, colour)}  team {team}, key {key_chain.key_id[:16]}: "
            f"{key_chain.length} attestation(s) in Atlas"
        )
        for finding in key_chain.findings:
            click.echo(f"{'':{WIDTH + 2}}{finding_text(finding)}")
        for note in key_chain.notes:
            click.echo(f"{'':{WIDTH + 2}}note: {note}")
    sys.exit(_exit_code(report.status))
