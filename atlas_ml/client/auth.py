"""Turn the configured auth method into a ``requests`` auth object."""

from __future__ import annotations

from typing import Any

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from atlas_ml.config import AtlasConfig, setting_origin
from atlas_ml.errors import ConfigError

KERBEROS_HINT = (
    "Get a Kerberos ticket first (kinit <principal>, or point KRB5_CLIENT_KTNAME at a keytab), "
    "check KRB5_CONFIG names the realm's KDC, and that the KDC knows the server's "
    "HTTP/<host>@REALM principal for the host in the URL"
)


class BearerAuth(AuthBase):
    """``Authorization: Bearer <token>`` (Atlas behind Knox/OAuth gateways)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"


class _BasicAuth(HTTPBasicAuth):
    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r}, password=***)"


def build_auth(config: AtlasConfig) -> AuthBase | None:
    """The auth object for ``config``; Kerberos needs the ``kerberos`` extra."""
    if config.auth == "none":
        return None
    if config.auth == "bearer":
        if not config.token:
            raise ConfigError("auth method 'bearer' needs a token: set ATLAS_TOKEN or --token")
        return BearerAuth(config.token)
    if config.auth == "kerberos":
        return kerberos_auth()
    if config.username is None:
        return None
    return _BasicAuth(config.username, config.password or "")


def credentials_sent(config: AtlasConfig) -> str | None:
    """Who the requests authenticate as and where that came from; ``None`` when nobody.

    For error messages: names a user and the setting that gave it, never a password or token.
    """
    if config.auth == "bearer" and config.token:
        return f"the bearer token from {setting_origin('token', config.sources)}"
    if config.auth != "basic" or config.username is None:
        return None
    origin = setting_origin("username", config.sources)
    if config.password is None:
        return f"user {config.username!r} (from {origin}, no password)"
    if config.sources.get("password") == config.sources.get("username"):
        return f"user {config.username!r} (from {origin})"
    password_origin = setting_origin("password", config.sources)
    return f"user {config.username!r} (from {origin}, password from {password_origin})"


def no_credentials_reason(config: AtlasConfig) -> str:
    """Why :func:`credentials_sent` found nobody, naming the setting to change."""
    if config.auth == "none":
        return f"auth is 'none', from {setting_origin('auth', config.sources)}"
    if config.is_local:
        return "no user is set"
    return "no user is set, and only a loopback URL gets the local dev server's default user"


def kerberos_auth() -> AuthBase:
    """SPNEGO with the caller's ticket cache (``KRB5CCNAME``) or client keytab.

    requests-kerberos answers a failed GSSAPI step by handing back the server's 401, so the
    reason (no ticket, unknown server principal, KDC unreachable) is kept in ``last_failure``
    for the error message.
    """
    try:
        from requests_kerberos import OPTIONAL, HTTPKerberosAuth
        from requests_kerberos.exceptions import KerberosExchangeError
    except ImportError as exc:
        raise ConfigError(
            "Kerberos/SPNEGO authentication needs requests-kerberos: "
            "pip install 'atlas-ml[kerberos]'"
        ) from exc

    class KerberosAuth(HTTPKerberosAuth):
        last_failure: str | None = None

        def generate_request_header(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().generate_request_header(*args, **kwargs)
            except KerberosExchangeError as exc:
                self.last_failure = str(exc)
                raise

    # OPTIONAL: Atlas (Hadoop's auth filter) does not always send the mutual-auth token.
    return KerberosAuth(mutual_authentication=OPTIONAL)
