"""Session-wide fixtures: one real Apache Atlas per test run (Spark: tests/spark/conftest.py).

The Atlas fixture starts the local server built by ``atlas-ml server build`` (or uses an
existing Atlas named by ``ATLAS_URL``/``ATLAS_USER``/``ATLAS_PASSWORD``) once per session and
stops it at the end. It never skips: when Atlas cannot be reached the tests that need it fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from atlas_ml.server.endpoint import AtlasEndpoint


@pytest.fixture(scope="session")
def atlas_server() -> Iterator[AtlasEndpoint]:
    """A running, ACTIVE Atlas with the stock models loaded."""
    if os.environ.get("ATLAS_URL"):
        yield AtlasEndpoint.from_env()
        return
    from atlas_ml.server.local import LocalAtlas

    server = LocalAtlas.default()
    started_here = not server.is_running()
    if started_here:
        server.start(fresh=True, quiet=True)
    server.wait_until_active()
    try:
        yield server.endpoint()
    finally:
        if started_here and not os.environ.get("ATLAS_ML_KEEP_SERVER"):
            server.stop()
