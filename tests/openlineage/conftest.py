"""Fixtures for the OpenLineage collector tests: real ``atlas-ml collect`` processes, started
once per session. Emitters (the openlineage-python client, openlineage-spark, Airflow) talk
to them over HTTP exactly as they would in production."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from collector_support import Collector, start_collector

from atlas_ml.server.endpoint import AtlasEndpoint


@pytest.fixture(scope="session")
def collector(
    atlas_server: AtlasEndpoint, project_types: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Collector]:
    """``atlas-ml collect`` delivering to the session's Atlas (with atlas-ml's types)."""
    yield from start_collector(tmp_path_factory.mktemp("collector"), atlas_server)


@pytest.fixture(scope="session")
def spool_only_collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collector]:
    """``atlas-ml collect --no-push --max-body 64KiB``: for what the HTTP layer refuses."""
    workdir = tmp_path_factory.mktemp("collector-spool-only")
    yield from start_collector(workdir, None, "--max-body", "64KiB")
