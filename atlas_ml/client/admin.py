"""``/admin`` endpoints: is the server up, and which version is it."""

from __future__ import annotations

from typing import Any

from atlas_ml.client.transport import Transport


class AdminAPI:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def status(self) -> str:
        """``ACTIVE``, ``PASSIVE``, ``BECOMING_ACTIVE`` ... (needs no credentials)."""
        body = self._t.request("GET", "/admin/status", auth_required=False) or {}
        return str(body.get("Status", "UNKNOWN"))

    def version(self) -> dict[str, Any]:
        """``{"Version": "2.1.0", "Name": "apache-atlas", ...}``."""
        result: dict[str, Any] = self._t.request("GET", "/admin/version")
        return result
