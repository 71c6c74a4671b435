"""One exception family for everything that goes wrong between atlas-ml and Atlas.

Every error carries the HTTP status, Atlas's own ``errorCode`` (``ATLAS-404-00-001`` ...),
Atlas's message and the request as ``METHOD /path``: the query string is left out because it
may carry names of things a log should not hold, and credentials never reach an error.
"""

from __future__ import annotations

from typing import Any

from atlas_ml.errors import (
    AtlasAuthError,
    AtlasBadRequest,
    AtlasConflict,
    AtlasError,
    AtlasNotFound,
    AtlasUnavailable,
)

__all__ = [
    "AtlasAuthError",
    "AtlasBadRequest",
    "AtlasConflict",
    "AtlasError",
    "AtlasNotFound",
    "AtlasUnavailable",
    "error_for_status",
]

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
