"""Turn the configured auth method into a ``requests`` auth object."""

from __future__ import annotations

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from atlas_ml.config import AtlasConfig, ConfigError


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
        try:
            from requests_kerberos import OPTIONAL, HTTPKerberosAuth
        except ImportError as exc:
            raise ConfigError(
                "Kerberos/SPNEGO authentication needs requests-kerberos: "
                "pip install 'atlas-ml[kerberos]'"
            ) from exc
        return HTTPKerberosAuth(mutual_authentication=OPTIONAL)
    if config.username is None:
        return None
    return _BasicAuth(config.username, config.password or "")
