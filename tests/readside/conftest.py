"""One generated platform per test session, recorded into the session's Atlas (see
platform_support.py)."""

from __future__ import annotations

import uuid

import pytest
from platform_support import MONTHS, START, TEAMS, TRUTH, Platform, generate, load

from atlas_ml.client import AtlasClient


@pytest.fixture(scope="session")
def platform(
    atlas_client: AtlasClient, project_types: None, tmp_path_factory: pytest.TempPathFactory
) -> Platform:
    """The small platform, recorded and delivered once per session (about a minute)."""
    root = tmp_path_factory.mktemp("platform")
    prefix = f"p{uuid.uuid4().hex[:6]}-"  # this session's own teams, models and pipelines
    generate(
        root,
        teams=TEAMS,
        scale=0.5,
        months=MONTHS,
        start=START,
        client=atlas_client,
        prefix=prefix,
        log=False,
        verify=4,
    )
    return Platform(root, load(root / TRUTH), prefix)
