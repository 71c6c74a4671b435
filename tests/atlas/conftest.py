"""Fixtures for tests against the real Atlas: a client, and the project's types installed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from atlas_ml.client import AtlasClient
from atlas_ml.config import AtlasConfig
from atlas_ml.server.endpoint import AtlasEndpoint
from atlas_ml.typedefs import install, load_typeset


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
