"""Session-wide fixtures: one real Apache Atlas per test run (Spark: tests/spark/conftest.py).

The Atlas fixture starts the local server built by ``atlas-ml server build`` (or uses an
existing Atlas named by ``ATLAS_URL``/``ATLAS_USER``/``ATLAS_PASSWORD``) once per session and
stops it at the end. It never skips: when Atlas cannot be reached the tests that need it fail.
``atlas_client``, ``project_types`` and ``unique`` live here too, because tests/atlas and the
Spark-to-Atlas tests under tests/spark (which need the listener's own Spark session) share them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from demo_support import Demo, record_titanic_demo
from hypothesis import settings

from atlas_ml.client import AtlasClient
from atlas_ml.config import AtlasConfig
from atlas_ml.server.endpoint import AtlasEndpoint
from atlas_ml.typedefs import install, load_typeset


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


@pytest.fixture(scope="session")
def atlas_client(atlas_server: AtlasEndpoint) -> Iterator[AtlasClient]:
    """A client for the session's Atlas (small batches so tests cross batch boundaries)."""
    config = AtlasConfig(
        url=atlas_server.url,
        username=atlas_server.username,
        password=atlas_server.password,
        batch_size=100,
    )
    with AtlasClient(config) as client:
        yield client


@pytest.fixture(scope="session")
def project_types(atlas_client: AtlasClient) -> None:
    """The shipped atlas-ml types, installed (idempotently) once per session."""
    install(atlas_client, load_typeset())


@pytest.fixture
def unique() -> str:
    """A prefix that keeps this test's names apart from every other test on the server."""
    return f"t{uuid.uuid4().hex[:12]}"


# Property-based tests: a few hundred inputs per property in every run, thousands in
# `make fuzz` (pytest --hypothesis-profile=long).
settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("long", max_examples=20_000, deadline=None)
settings.load_profile("default")


@pytest.fixture(scope="session")
def titanic_demo(
    atlas_server: AtlasEndpoint,
    atlas_client: AtlasClient,
    project_types: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Demo:
    """``examples/titanic/train.py`` recorded once per session, as ``make demo`` records it."""
    return record_titanic_demo(
        atlas_client, atlas_server.password, tmp_path_factory.mktemp("titanic-demo")
    )
