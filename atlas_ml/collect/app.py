"""The OpenLineage HTTP endpoint: what the OpenLineage clients' HTTP transport sends.

``POST /api/v1/lineage`` takes one event, ``POST /api/v1/lineage/batch`` a JSON array of them
(the spec's batch endpoint). Each event is validated against the official schema and written
to the durable spool before the answer, so 202 means the event is kept whatever happens to
Atlas; a :class:`~atlas_ml.collect.forward.Forwarder` then delivers it. Concurrent requests'
events are made durable together (:class:`~atlas_ml.collect.commit.GroupCommit`).

Answers: 202 accepted; 400 invalid (``{"error", "field"}``); 401 without the bearer token
when one is configured; 413 over ``max_body`` (compressed or not); 415 not JSON or an encoding
other than gzip; 503 when the spool cannot be written (nothing was kept: retry). Logs name
the status and the field, never the body.

Starlette on uvicorn: an ASGI app keeps thousands of slow clients open on one thread, the
spool's sync runs in the group commit's thread, and both are maintained, small and typed;
Flask on a WSGI server would hold a thread per open request instead.
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from atlas_ml.collect.commit import GroupCommit
from atlas_ml.collect.intake import (
    DEFAULT_MAX_BODY,
    BodyTooLarge,
    InvalidEvent,
    Refusal,
    Rules,
    check_event,
    decode_body,
    parse_json,
)
from atlas_ml.delivery import Spool

log = logging.getLogger("atlas_ml.collect")

LINEAGE_PATH = "/api/v1/lineage"
BATCH_PATH = "/api/v1/lineage/batch"


@dataclass(frozen=True)
class CollectorSettings:
    """What a collector accepts; ``token`` None means no authentication; ``rules`` what
    events are checked against (None: openlineage-python's models)."""

    max_body: int = DEFAULT_MAX_BODY
    token: str | None = None
    rules: Rules | None = None


class _Refused(Exception):
    def __init__(self, status: int, error: str, field: str | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.field = status, error, field

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"error": self.error}
        if self.field is not None:
            body["field"] = self.field
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse(body, status_code=self.status, headers=headers)


def create_app(
    spool: Spool,
    settings: CollectorSettings | None = None,
    on_accept: Callable[[], None] | None = None,
    lifespan: Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]] | None = None,
) -> Starlette:
    """The collector's ASGI app writing accepted events to ``spool``; ``on_accept`` is
    called after each accepted request (to wake the forwarder)."""
    settings = settings or CollectorSettings()
    expected = f"Bearer {settings.token}".encode() if settings.token else None
    rules = settings.rules
    commit = GroupCommit(spool)

    def authorise(request: Request) -> None:
        if expected is None:
            return
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            raise _Refused(401, "missing or wrong bearer token (Authorization: Bearer <token>)")

    async def body_of(request: Request) -> Any:
        content_type = request.headers.get("content-type", "")
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            raise _Refused(415, "Content-Type must be application/json")
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_body:
            raise _Refused(413, f"the body is over the limit of {settings.max_body} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > settings.max_body:
                raise _Refused(413, f"the body is over the limit of {settings.max_body} bytes")
            chunks.append(chunk)
        try:
            data = decode_body(
                b"".join(chunks), request.headers.get("content-encoding"), settings.max_body
            )
            return parse_json(data)
        except BodyTooLarge as exc:
            raise _Refused(413, str(exc)) from None
        except InvalidEvent as exc:
            raise _Refused(400, str(exc), exc.field) from None
        except ValueError as exc:  # an unsupported Content-Encoding
            raise _Refused(415, str(exc)) from None

    async def store(events: list[dict[str, Any]]) -> None:
        try:
            await commit.store(events)
        except OSError as exc:
            log.error("cannot write to the spool %s: %s", spool.root, exc.strerror or exc)
            raise _Refused(503, "the collector cannot store events now; retry later") from None
        if on_accept is not None:
            on_accept()

    @_guarded
    async def lineage(request: Request) -> Response:
        try:
            authorise(request)
            event = await body_of(request)
            try:
                check_event(event, rules)
            except InvalidEvent as exc:
                raise _Refused(400, str(exc), exc.field) from None
            await store([event])
        except _Refused as refused:
            _log_refusal(request, refused)
            return refused.response()
        return JSONResponse({"accepted": 1}, status_code=202)

    @_guarded
    async def batch(request: Request) -> Response:
        try:
            authorise(request)
            events = await body_of(request)
            if not isinstance(events, list):
                raise _Refused(400, "the batch endpoint takes a JSON array of events", "event")
            accepted, refused = _sort(events, rules)
            if events and not accepted:
                first = refused[0]
                raise _Refused(400, f"every event was refused; [0]: {first.reason}", first.field)
            await store(accepted)
        except _Refused as refusal:
            _log_refusal(request, refusal)
            return refusal.response()
        summary = {"received": len(events), "successful": len(accepted), "failed": len(refused)}
        summary.update(retriable=0, non_retriable=len(refused))
        body: dict[str, Any] = {
            "status": "partial_success" if refused else "success",
            "summary": summary,
        }
        if refused:
            body["failed_events"] = [
                {"index": r.index, "reason": r.reason, "field": r.field, "retriable": False}
                for r in refused
            ]
            return JSONResponse(body, status_code=200)
        return JSONResponse(body, status_code=202)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan_and_commit(app: Starlette) -> AsyncIterator[None]:
        try:
            async with (lifespan or no_lifespan)(app):
                yield
        finally:
            commit.close()

    return Starlette(
        routes=[
            Route(LINEAGE_PATH, lineage, methods=["POST"]),
            Route(BATCH_PATH, batch, methods=["POST"]),
            Route("/api/v1/health", health, methods=["GET"]),
        ],
        lifespan=lifespan_and_commit,
    )


def _guarded(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """A failure the handler did not foresee answers 500 and logs only its type: a traceback
    or message could carry parts of the body."""

    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except Exception as exc:
            log.error("%s %s failed: %s", request.method, request.url.path, type(exc).__name__)
            return JSONResponse({"error": "internal error; the event was not kept"}, 500)

    return guarded


def _sort(events: list[Any], rules: Rules | None) -> tuple[list[dict[str, Any]], list[Refusal]]:
    accepted: list[dict[str, Any]] = []
    refused: list[Refusal] = []
    for index, event in enumerate(events):
        try:
            accepted.append(check_event(event, rules))
        except InvalidEvent as exc:
            field = f"[{index}]" if exc.field == "event" else f"[{index}].{exc.field}"
            refused.append(Refusal(index, field, str(exc)))
    return accepted, refused


def _log_refusal(request: Request, refused: _Refused) -> None:
    client = request.client.host if request.client else "?"
    where = f" ({refused.field})" if refused.field else ""
    log.info("%s %s from %s: %d%s", request.method, request.url.path, client, refused.status, where)


@contextlib.asynccontextmanager
async def no_lifespan(app: Starlette) -> AsyncIterator[None]:
    yield
