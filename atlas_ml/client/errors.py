"""One exception family for everything that goes wrong between atlas-ml and Atlas.

Every error carries the HTTP status, Atlas's own ``errorCode`` (``ATLAS-404-00-001`` ...),
Atlas's message and the request as ``METHOD /path``: the query string is left out because it
may carry names of things a log should not hold, and credentials never reach an error.
"""

from __future__ import annotations

from typing import Any


class AtlasError(Exception):
    """Base of every atlas-ml client error."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: str | None = None,
        method: str | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.method = method
        self.path = path
        self.hint = hint

    @property
    def request(self) -> str | None:
        if self.method and self.path:
            return f"{self.method} {self.path}"
        return None

    def __str__(self) -> str:
        parts = []
        if self.request:
            parts.append(self.request)
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.error_code:
            parts.append(self.error_code)
        text = f"{self.message} ({', '.join(parts)})" if parts else self.message
        return f"{text}. {self.hint}" if self.hint else text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"error_code={self.error_code!r}, request={self.request!r})"
        )


class AtlasBadRequest(AtlasError):
    """Atlas rejected the request's content (HTTP 400): invalid type or entity."""


class AtlasAuthError(AtlasError):
    """Missing or wrong credentials (401) or not allowed (403)."""


class AtlasNotFound(AtlasError):
    """The type, entity or relationship does not exist (404)."""


class AtlasConflict(AtlasError):
    """The thing already exists or is still referenced (409)."""


class AtlasUnavailable(AtlasError):
    """Atlas cannot be reached or answered 502/503/504 after every retry."""


_BY_STATUS: dict[int, type[AtlasError]] = {
    400: AtlasBadRequest,
    401: AtlasAuthError,
    403: AtlasAuthError,
    404: AtlasNotFound,
    409: AtlasConflict,
    502: AtlasUnavailable,
    503: AtlasUnavailable,
    504: AtlasUnavailable,
}

_HINTS = {
    401: "Check the credentials: --user/--password, ATLAS_USER/ATLAS_PASSWORD, ~/.netrc, "
    "ATLAS_TOKEN, or the [atlas] table of the atlas-ml config file",
    403: "The user is authenticated but Atlas's authorizer denies this operation",
}


def error_for_status(
    status: int, body: Any, method: str, path: str, fallback_text: str = "", reason: str = ""
) -> AtlasError:
    """Build the right :class:`AtlasError` subclass from an HTTP error response.

    Without a JSON message, a plain-text body or else the status line's reason is the message
    (Atlas puts "Wrong password" there); an HTML error page is not, it would only be noise.
    """
    error_code = None
    message = ""
    if isinstance(body, dict):
        error_code = body.get("errorCode")
        message = str(body.get("errorMessage") or body.get("error") or body.get("message") or "")
    if not message:
        text = fallback_text.strip()
        if text.startswith("<"):
            text = ""
        message = text[:300] or reason.strip() or "Atlas gave no reason"
    cls = _BY_STATUS.get(status, AtlasError)
    return cls(
        message,
        status=status,
        error_code=error_code,
        method=method,
        path=path,
        hint=_HINTS.get(status),
    )
