"""Session-wide fixtures: one real Apache Atlas per test run (Spark: tests/spark/conftest.py).

The Atlas fixture starts the local server built by ``atlas-ml server build`` (or uses an
existing Atlas named by ``ATLAS_URL``/``ATLAS_USER``/``ATLAS_PASSWORD``) once per session and
stops it at the end. It never skips: when Atlas cannot be reached the tests that need it fail.
``atlas_client``, ``project_types`` and ``unique`` live here too, because tests/atlas and the
Spark-to-Atlas tests under tests/spark (which need the listener's own Spark session) share them;
so does ``signing`` (a signing key for the chain-of-custody tests of all three folders).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from demo_support import Demo, record_titanic_demo
from hypothesis import settings

from atlas_ml.client import AtlasClient
from atlas_ml.config import AtlasConfig
from atlas_ml.custody.settings import (
    ANY_TEAM,
    KEY_ENV,
    LOG_ENV,
    PASSPHRASE_ENV,
    CustodySettings,
    add_trusted_key,
    load_custody_settings,
    set_signing_key,
)

if TYPE_CHECKING:
    from atlas_ml.custody.keys import PublicKey
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


@dataclass(frozen=True)
class Signing:
    """A signing key in a private config file, trusted for every team (``signing``)."""

    config: Path
    key: Path
    public: PublicKey
    log_dir: Path

    def settings(self) -> CustodySettings:
        return load_custody_settings(self.config)


@pytest.fixture
def unsigned(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No signing key nor trusted keys from the caller's config file or environment."""
    empty = tmp_path_factory.mktemp("config") / "config.toml"
    empty.write_text("")
    monkeypatch.setenv("ATLAS_ML_CONFIG", str(empty))
    for name in (KEY_ENV, PASSPHRASE_ENV, LOG_ENV):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def signing(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Signing:
    """Runs from now on are signed with a fresh Ed25519 key (config file via
    ``ATLAS_ML_CONFIG``, chain log via ``ATLAS_ML_CUSTODY_LOG``, both private to the test)."""
    from atlas_ml.custody.keys import generate_key  # the signing libraries load only here

    root = tmp_path_factory.mktemp("custody")
    config, key = root / "config.toml", root / "keys" / "signing-key.pem"
    public = generate_key(key)
    set_signing_key(config, key)
    add_trusted_key(config, ANY_TEAM, public)
    monkeypatch.setenv("ATLAS_ML_CONFIG", str(config))
    monkeypatch.setenv(LOG_ENV, str(root / "log"))
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    return Signing(config, key, public, root / "log")
