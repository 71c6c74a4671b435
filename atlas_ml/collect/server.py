"""Run the collector: the ASGI app on uvicorn, with a forwarder delivering the spool to Atlas."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from starlette.applications import Starlette

from atlas_ml.client import AtlasClient
from atlas_ml.collect.app import CollectorSettings, create_app
from atlas_ml.collect.forward import Forwarder
from atlas_ml.delivery import Spool
from atlas_ml.errors import AtlasMLError

log = logging.getLogger("atlas_ml.collect")


class TokenFileError(AtlasMLError, ValueError):
    """The token file cannot be used; the message says why and what to do."""


def read_token(path: Path) -> str:
    """The bearer token in ``path`` (surrounding whitespace dropped); never echoed."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise TokenFileError(f"cannot read the token file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise TokenFileError(f"the token file {path} is not UTF-8 text") from exc
    if not token or any(c.isspace() for c in token):
        raise TokenFileError(
            f"the token file {path} must hold one token (no spaces), e.g. from: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return token


def build_app(
    spool: Spool,
    settings: CollectorSettings,
    client: AtlasClient | None,
    on_start: Callable[[], None] | None = None,
) -> Starlette:
    """The app; with a ``client`` it delivers accepted events to Atlas while it runs."""
    forwarder = Forwarder(client, spool) if client is not None else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if forwarder is not None:
            forwarder.start()
        if on_start is not None:
            on_start()
        try:
            yield
        finally:
            if forwarder is not None:
                forwarder.stop(timeout=10)

    return create_app(
        spool,
        settings,
        on_accept=forwarder.notify if forwarder is not None else None,
        lifespan=lifespan,
    )


def serve(
    host: str,
    port: int,
    spool: Spool,
    settings: CollectorSettings,
    client: AtlasClient | None,
    on_start: Callable[[], None] | None = None,
) -> None:
    """Serve until interrupted (SIGINT/SIGTERM: finish the requests in flight, then stop)."""
    import uvicorn

    listening = listen(host, port)
    app = build_app(spool, settings, client, on_start)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,  # the CLI's logging; the access log would only repeat each request
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=15,
    )
    uvicorn.Server(config).run(sockets=[listening])


class PortUnavailable(AtlasMLError, OSError):
    """The collector cannot listen where it was asked to; the message names the fix."""


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` before anything starts, so a port in use is one clear
    error instead of a startup message followed by uvicorn's traceback-free exit."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listening = socket.socket(family, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((host, port))
    except OSError as exc:
        raise PortUnavailable(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port "
            "or --host"
        ) from exc
    listening.set_inheritable(True)
    return listening
