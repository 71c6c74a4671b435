"""One HTTP connection pool to Atlas, with timeouts, retries and error mapping.

Retries come in two kinds. Connection failures (refused, DNS, connect timeout) are retried by
urllib3's ``Retry`` inside the adapter for every method: the request never reached Atlas, so
repeating it is always safe. Answers 500/502/503/504 and read timeouts are retried here only
for requests that are idempotent: GET/PUT/DELETE, and POSTs whose caller says so (a bulk entity
upsert matches entities by qualifiedName, so sending it twice is harmless; creating a typedef
or a relationship is not, the second attempt would fail with 409).
"""

from __future__ import annotations

import logging
import os
import random
import ssl
import time
from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ProtocolError
from urllib3.util.retry import Retry

from atlas_ml._version import __version__
from atlas_ml.client.auth import (
    KERBEROS_HINT,
    build_auth,
    credentials_sent,
    no_credentials_reason,
)
from atlas_ml.client.errors import AtlasAuthError, AtlasError, AtlasUnavailable, error_for_status
from atlas_ml.config import AtlasConfig, setting_origin

log = logging.getLogger("atlas_ml.client")

API_ROOT = "/api/atlas"
RETRY_STATUSES = frozenset({500, 502, 503, 504})
"""A 500 is retried too: Atlas 2.1 answers one for transient graph conflicts (a lock held by
a concurrent write) as well as for lasting faults, which then surface after the retries."""
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
MAX_BACKOFF_SECONDS = 30.0


class Transport:
    """Sends requests below ``<url>/api/atlas`` and returns decoded JSON bodies."""

    def __init__(self, config: AtlasConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self.deadline: float | None = None
        """A ``time.monotonic()`` instant after which no request is sent or retried, and
        which cuts every timeout short: work that must not hold up its caller (delivery at
        the end of a user's job) sets it. ``None``: only the configured timeouts apply."""
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
            backoff_jitter=config.backoff_factor,
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
            timeout = self._timeout(method, API_ROOT + path)
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    timeout=timeout,
                    auth=None if auth_required else _NO_AUTH,
                    # Per request, not on the session: requests lets REQUESTS_CA_BUNDLE and
                    # CURL_CA_BUNDLE replace a session's verify, but not a request's. With no
                    # TLS setting of atlas-ml's own (True), those variables still apply.
                    verify=self.config.verify,
                )
            except requests.ReadTimeout as exc:
                if retryable and attempt <= self.config.retries and self._before_deadline():
                    self._sleep(attempt, None)
                    continue
                raise AtlasUnavailable(
                    f"Atlas did not answer within {timeout[1]:.3g}s",
                    method=method,
                    path=API_ROOT + path,
                    hint="Raise read_timeout in the atlas-ml config or check the server's load",
                ) from exc
            except requests.exceptions.SSLError as exc:  # a ConnectionError: catch it first
                raise self._tls_failure(exc, method, API_ROOT + path) from exc
            except requests.ConnectionError as exc:
                # A reset or abort after the request was sent (urllib3's ProtocolError): safe
                # to send again when idempotent. Refused connections were already retried by
                # the adapter and end here too, as MaxRetryError.
                dropped = bool(exc.args) and isinstance(exc.args[0], ProtocolError)
                again = retryable and attempt <= self.config.retries and self._before_deadline()
                if dropped and again:
                    self._sleep(attempt, None)
                    continue
                if dropped:
                    raise AtlasUnavailable(
                        f"Atlas at {self.config.url} closed the connection before answering",
                        method=method,
                        path=API_ROOT + path,
                        hint="a proxy or load balancer in between, or Atlas restarting",
                    ) from exc
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
                and self._before_deadline()
            ):
                self._sleep(attempt, response.headers.get("Retry-After"))
                continue
            try:
                return self._decode(response, method, API_ROOT + path)
            except AtlasAuthError as exc:
                if exc.status == 401 and self.config.auth == "kerberos":
                    self._explain_kerberos_refusal(exc)
                elif exc.status == 401:
                    self._explain_credentials_refusal(exc, auth_required)
                raise

    def _time_left(self) -> float | None:
        """Seconds until :attr:`deadline` (0 once it passed); ``None`` without a deadline."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())

    def _before_deadline(self) -> bool:
        left = self._time_left()
        return left is None or left > 0

    def _timeout(self, method: str, path: str) -> tuple[float, float]:
        """The configured (connect, read) timeouts, cut to the time left before the deadline."""
        left = self._time_left()
        if left is None:
            return self.config.timeout
        if left <= 0:
            raise AtlasUnavailable(
                "the time allowed for talking to Atlas ran out",
                method=method,
                path=path,
                hint="Atlas answers slowly; what was not sent waits for the next attempt",
            )
        return (min(self.config.connect_timeout, left), min(self.config.read_timeout, left))

    def _tls_failure(self, exc: Exception, method: str, path: str) -> AtlasUnavailable:
        """Name the TLS problem and the settings that fix it, not "is the server running?".

        Unavailable rather than a plain error: delivery then keeps events waiting, because the
        cure is a setting, not a change to the events.
        """
        cause = _ssl_cause(exc)
        settings = (
            "ATLAS_CA_BUNDLE or ca_bundle in the atlas-ml config file (or, for a test server "
            "only, turn verification off: ATLAS_VERIFY_TLS=false or verify_tls = false)"
        )
        if isinstance(cause, ssl.SSLCertVerificationError):
            return AtlasUnavailable(
                f"the TLS certificate of Atlas at {self.config.url} cannot be verified: "
                f"{cause.verify_message or cause.reason}",
                method=method,
                path=path,
                hint=f"It was checked against {self._trusted_cas()}. Name the CA that signed "
                f"it with {settings}",
            )
        reason = (cause.strerror or cause.reason) if cause is not None else None
        return AtlasUnavailable(
            f"TLS connection to Atlas at {self.config.url} failed: {reason or type(exc).__name__}",
            method=method,
            path=path,
            hint="Does the server speak HTTPS on that port (http:// or https:// in --url / "
            f"ATLAS_URL)? The CAs trusted are {self._trusted_cas()}; set them with {settings}",
        )

    def _trusted_cas(self) -> str:
        """Which CA bundle verified the server, as requests chose it (for error messages)."""
        verify = self.config.verify
        if verify is False:
            return "none (verification is off)"
        if isinstance(verify, str):
            return f"{verify} (from {setting_origin('ca_bundle', self.config.sources)})"
        if self.session.trust_env:
            for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
                if os.environ.get(name):
                    return f"{os.environ[name]} (from {name})"
        return "the default CA bundle of requests (certifi)"

    def _explain_credentials_refusal(self, exc: AtlasAuthError, auth_sent: bool) -> None:
        """Say who was refused and where that came from, or that nothing was sent.

        With settings from five places (and none at all for a remote server) the user cannot
        otherwise tell a wrong password from a missing one. Never the password itself.
        """
        sent = credentials_sent(self.config) if auth_sent else None
        if sent:
            exc.message = f"Atlas refused {sent}: {exc.message}"
        else:
            why = no_credentials_reason(self.config) if auth_sent else "a request sent without"
            exc.message = f"Atlas wants credentials but none were sent ({why}): {exc.message}"
        exc.args = (exc.message,)

    def _explain_kerberos_refusal(self, exc: AtlasAuthError) -> None:
        """Put the GSSAPI reason (it names what is missing and holds no secret) in the error."""
        failure = getattr(self.session.auth, "last_failure", None)
        if failure:
            exc.message = f"Kerberos/SPNEGO negotiation with Atlas failed: {failure}"
            exc.args = (exc.message,)
        exc.hint = KERBEROS_HINT

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        """Exponential backoff with jitter (half fixed, half random), so clients that failed
        together (every executor's delivery after an Atlas restart) do not retry together."""
        delay = self.config.backoff_factor * (2 ** (attempt - 1))
        delay = delay / 2 + random.uniform(0, delay / 2)
        if retry_after and retry_after.isdigit():
            delay = float(retry_after)
        delay = min(delay, MAX_BACKOFF_SECONDS)
        left = self._time_left()
        if left is not None:
            delay = min(delay, left)
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
            raise error_for_status(
                response.status_code, body, method, path, response.text, response.reason or ""
            )
        if body is None and response.content:
            raise AtlasError(
                "Atlas answered with a body that is not JSON",
                status=response.status_code,
                method=method,
                path=path,
                hint="Is the URL an Atlas server (and not a login page of a gateway)?",
            )
        return body


def _ssl_cause(exc: BaseException) -> ssl.SSLError | None:
    """The ``ssl`` module's error inside the layers requests and urllib3 wrap around it."""
    pending: list[object] = [exc]
    seen: set[int] = set()
    while pending:
        item = pending.pop(0)
        if isinstance(item, ssl.SSLError):
            return item
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        pending += [*item.args, getattr(item, "reason", None), item.__cause__, item.__context__]
    return None


class _NoAuth(requests.auth.AuthBase):
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


_NO_AUTH = _NoAuth()
