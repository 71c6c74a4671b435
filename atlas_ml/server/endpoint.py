"""Where an Atlas server answers and which credentials it takes."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AtlasEndpoint:
    """Base URL (``http://host:port``, without ``/api/atlas``) plus basic-auth credentials."""

    url: str
    username: str = "admin"
    password: str = field(default="admin", repr=False)

    @classmethod
    def from_env(cls) -> AtlasEndpoint:
        """The Atlas named by ``ATLAS_URL``/``ATLAS_USER``/``ATLAS_PASSWORD``."""
        url = os.environ.get("ATLAS_URL")
        if not url:
            raise RuntimeError("ATLAS_URL is not set: export ATLAS_URL=http://host:21000")
        return cls(
            url=url.rstrip("/"),
            username=os.environ.get("ATLAS_USER", "admin"),
            password=os.environ.get("ATLAS_PASSWORD", "admin"),
        )
