"""Entry point of the ``atlas-ml`` command.

Each sub-command lives in its own module under ``atlas_ml.cli`` and exposes a click command
or group named ``command``; they are imported lazily so that ``atlas-ml --help`` stays fast and
a missing optional extra only affects the sub-command that needs it.
"""

from __future__ import annotations

import importlib
import logging

import click

from atlas_ml._version import __version__

# sub-command name -> module that defines ``command``
COMMAND_MODULES: dict[str, str] = {
    "server": "atlas_ml.cli.server",
    "typedefs": "atlas_ml.cli.typedefs",
    "push": "atlas_ml.cli.push",
    "lineage": "atlas_ml.cli.lineage",
    "naming": "atlas_ml.cli.naming",
    "verify": "atlas_ml.cli.verify",
    "spark": "atlas_ml.cli.spark",
    "pin": "atlas_ml.cli.pin",
    "import": "atlas_ml.cli.import_cmd",
    "audit": "atlas_ml.cli.audit",
    "trace": "atlas_ml.cli.trace",
    "explain": "atlas_ml.cli.explain",
    "keys": "atlas_ml.cli.keys",
    "attest": "atlas_ml.cli.attest",
    "collect": "atlas_ml.cli.collect",
    "ingest": "atlas_ml.cli.ingest",
    "compliance": "atlas_ml.cli.compliance",
}


class _HideConnectRetries(logging.Filter):
    """Drops urllib3's per-attempt "Retrying (Retry(...))" warnings.

    The transport retries refused connections on purpose and turns the final failure into one
    clear error, so at the default level these warnings are only noise before that error.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Retrying (")


URLLIB3_POOL_LOGGER = "urllib3.connectionpool"
_HIDE_CONNECT_RETRIES = _HideConnectRetries()


def quiet_connect_retries(quiet: bool) -> None:
    """Hide (or show again, for -v/-vv) urllib3's connect-retry warnings; no other logger."""
    pool_log = logging.getLogger(URLLIB3_POOL_LOGGER)
    if quiet:
        pool_log.addFilter(_HIDE_CONNECT_RETRIES)
    else:
        pool_log.removeFilter(_HIDE_CONNECT_RETRIES)


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        command: click.Command = importlib.import_module(module_name).command
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="atlas-ml")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """atlas-ml: ML training-data lineage and provenance in Apache Atlas."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    quiet_connect_retries(verbose == 0)


def main() -> None:
    cli(prog_name="atlas-ml")


if __name__ == "__main__":  # python -m atlas_ml.cli.main, e.g. to run a checkout's code
    main()
