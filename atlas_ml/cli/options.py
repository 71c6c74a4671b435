"""Connection options shared by every command that talks to Atlas.

``@atlas_options`` adds ``--url``, ``--user``, ``--password``, ``--token``, ``--config`` and
``--atlas-conf`` to a click command and passes it a ready :class:`AtlasClient` as ``client``.
TLS has no option of its own (it is set once per machine): ``--url``'s help names its variables.
Nothing prompts: a missing option falls back to the environment and config files (see
:mod:`atlas_ml.config`), so the same command works in CI and on a laptop.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import IO, Any, TypeVar

import click

from atlas_ml.client import AtlasClient
from atlas_ml.config import load_config
from atlas_ml.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])


class AtlasUnreadable(click.ClickException):
    """Atlas could not be read (unreachable, refused credentials), so the command has no
    answer: exit 3 in every command, apart from its own findings (1) and usage errors (2)."""

    exit_code = 3


class SettingsError(click.UsageError):
    """A connection setting is wrong: exit 2 like a usage error, but one ``Error:`` line.

    The mistake is usually in the environment or a config file, so click's usage banner would
    point at the command line for nothing.
    """

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {self.format_message()}", file=file, err=file is None)


def atlas_options(func: F) -> F:
    """Add the Atlas connection options; the command receives ``client: AtlasClient``."""

    @click.option(
        "--url",
        metavar="URL",
        help="Atlas base URL, e.g. http://host:21000 [env: ATLAS_URL]. For https: the CA "
        "bundle to trust [env: ATLAS_CA_BUNDLE], or no verification [env: ATLAS_VERIFY_TLS=false]"
        "; both win over REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE.",
    )
    @click.option("--user", metavar="NAME", help="Basic-auth user [env: ATLAS_USER].")
    @click.option(
        "--password",
        metavar="SECRET",
        help="Basic-auth password [env: ATLAS_PASSWORD; prefer the env or ~/.netrc].",
    )
    @click.option("--token", metavar="TOKEN", help="Bearer token [env: ATLAS_TOKEN].")
    @click.option(
        "--auth",
        type=click.Choice(["basic", "bearer", "kerberos", "none"]),
        help="Authentication method [env: ATLAS_AUTH; default: bearer with a token, kerberos "
        "when atlas-application.properties turns it on, else basic].",
    )
    @click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False),
        help="atlas-ml config file [env: ATLAS_ML_CONFIG; default ~/.config/atlas-ml/config.toml].",
    )
    @click.option(
        "--atlas-conf",
        "properties_file",
        type=click.Path(dir_okay=False),
        help="atlas-application.properties to read "
        "(default: $ATLAS_CONF/atlas-application.properties).",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        url: str | None,
        user: str | None,
        password: str | None,
        token: str | None,
        auth: str | None,
        config_file: str | None,
        properties_file: str | None,
        **kwargs: Any,
    ) -> Any:
        try:
            config = load_config(
                url=url,
                username=user,
                password=password,
                token=token,
                auth=auth,
                config_file=config_file,
                properties_file=properties_file,
            )
            client = AtlasClient(config)
        except ConfigError as exc:
            raise SettingsError(str(exc)) from exc
        with client:
            return func(*args, client=client, **kwargs)

    return wrapper  # type: ignore[return-value]
