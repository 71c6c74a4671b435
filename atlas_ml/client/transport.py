"""One HTTP connection pool to Atlas, with timeouts, retries and error mapping.

Retries come in two kinds. Connection failures (refused, DNS, connect timeout) are retried by
urllib3's ``Retry`` inside the adapter for every method: the request never reached Atlas, so
repeating it is always safe. Answers 502/503/504 and read timeouts are retried here only for
requests that are idempotent: GET/PUT/DELETE, and POSTs whose caller says so (a bulk entity
upsert matches entities by qualifiedName, so sending it twice is harmless; creating a typedef
or a relationship is not, the second attempt would fail with 409).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from atlas_ml import __version__
from atlas_ml.client.auth import KERBEROS_HINT, build_auth
from atlas_ml.client.errors import AtlasAuthError, AtlasError, AtlasUnavailable, error_for_status
from atlas_ml.config import AtlasConfig

log = logging.getLogger("atlas_ml.client")

API_ROOT = "/api/atlas"
RETRY_STATUSES = frozenset({502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
MAX_BACKOFF_SECONDS = 30.0


class Transport:
    """Sends requests below ``<url>/api/atlas`` and returns decoded JSON bodies."""

    def __init__(self, config: AtlasConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self.base_url = config.url.rstrip("/") + API_ROOT
        self.session = session or requests.Session()
        self.session.auth = build_auth(config)
        self.session.headers.update(
            {"Accept": "application/json", "User-Agent": f"atlas-ml/{__version__}"}
        )
        connect_retry = Retry(
            total=None,
            connect=config.retries,
            read=0,
            redirect=3,
            status=0,
            other=0,
            backoff_factor=config.backoff_factor,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(
            max_retries=connect_retry,
            pool_connections=1,
            pool_maxsize=max(4, config.upsert_workers),
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        auth_required: bool = True,
    ) -> Any:
        """Send one request; return the decoded JSON body (``None`` for an empty body)."""
        method = method.upper()
        retryable = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        url = self.base_url + path
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    timeout=self.config.timeout,
                    auth=None if auth_required else _NO_AUTH,
                    # Per request, not on the session: requests lets REQUESTS_CA_BUNDLE and
                    # CURL_CA_BUNDLE replace a session's verify, but not a request's. With no
                    # TLS setting of atlas-ml's own (True), those variables still apply.
                    verify=self.config.verify,
                )
            except requests.ReadTimeout as exc:
                if retryable and attempt <= self.config.retries:
                    self._sleep(attempt, None)
                    continue
                raise AtlasUnavailable(
                    f"Atlas did not answer within {self.config.read_timeout:g}s",
                    method=method,
                    path=API_ROOT + path,
                    hint="Raise read_timeout in the atlas-ml config or check the server's load",
                ) from exc
            except requests.ConnectionError as exc:
                raise AtlasUnavailable(
                    f"cannot connect to Atlas at {self.config.url}",
                    method=method,
                    path=API_ROOT + path,
                    hint="Is the server running? Check --url / ATLAS_URL "
                    "(`atlas-ml server start` runs a local one)",
                ) from exc
            except requests.RequestException as exc:
                raise AtlasError(
                    f"request to Atlas failed: {type(exc).__name__}",
                    method=method,
                    path=API_ROOT + path,
                ) from exc
            elapsed = time.monotonic() - started
            log.debug(
                "%s %s%s -> %s in %.3fs", method, API_ROOT, path, response.status_code, elapsed
            )
            if (
                response.status_code in RETRY_STATUSES
                and retryable
                and attempt <= self.config.retries
            ):
                self._sleep(attempt, response.headers.get("Retry-After"))
                continue
            try:
                return self._decode(response, method, API_ROOT + path)
            except AtlasAuthError as exc:
                if exc.status == 401 and self.config.auth == "kerberos":
                    self._explain_kerberos_refusal(exc)
                raise

    def _explain_kerberos_refusal(self, exc: AtlasAuthError) -> None:
        """Put the GSSAPI reason (it names what is missing and holds no secret) in the error."""
        failure = getattr(self.session.auth, "last_failure", None)
        if failure:
            exc.message = f"Kerberos/SPNEGO negotiation with Atlas failed: {failure}"
            exc.args = (exc.message,)
        exc.hint = KERBEROS_HINT

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.config.backoff_factor * (2 ** (attempt - 1))
        if retry_after and retry_after.isdigit():
            delay = float(retry_after)
        delay = min(delay, MAX_BACKOFF_SECONDS)
        log.info("Atlas busy or unreachable; retry %d in %.1fs", attempt, delay)
        time.sleep(delay)

    @staticmethod
    def _decode(response: requests.Response, method: str, path: str) -> Any:
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = None
        if response.status_code >= 400:
            raise error_for_status(response.status_code, body, method, path, response.text)
        if body is None and response.content:
            raise AtlasError(
                "Atlas answered with a body that is not JSON",
                status=response.status_code,
                method=method,
                path=path,
                hint="Is the URL an Atlas server (and not a login page of a gateway)?",
            )
        return body


class _NoAuth(requests.auth.AuthBase):
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


_NO_AUTH = _NoAuth()
