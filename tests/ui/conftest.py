"""Fixtures for the Atlas UI tests: the local server's UI, a headless Chromium, and a folder
for the screenshots (the Titanic demo they look at comes from tests/conftest.py).

Why Selenium with Debian's chromedriver rather than Playwright: ``chromium`` and
``chromium-driver`` are built from one Debian source package, so the driver always speaks the
browser's protocol version, and both come from apt (tools/install-chromium.sh) with no
browser download. Playwright drives a Chromium through the protocol of the build it pins and
only tries its best with another one, and it brings its own Node.js runtime; here it could not
fetch its own browser anyway (``playwright install`` is not possible on a closed network).
Selenium's explicit waits are enough for the few pages these tests visit.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from atlas_ml.server.endpoint import AtlasEndpoint
from atlas_ml.server.local import LocalAtlas
from atlas_ml.server.webui import install_ui_assets

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# Headless Chromium on a closed network: without these it waits on connection attempts
# (component updates, sync, QUIC probes) and a shared profile would leak state between runs.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1920,1080",
)
ARTIFACTS_KEY = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def local_ui(atlas_server: AtlasEndpoint) -> str:
    """The session's Atlas, which must be atlas-ml's local server: its UI carries the
    project's icons and lineage view changes (atlas_ml/server/webui.py).

    ``server build`` and ``start`` install those; a server already running since before this
    checkout's atlas-ml gets them here (static files, served as soon as they are written).
    """
    local = LocalAtlas.default()
    if atlas_server.url.rstrip("/") != local.url or not local.is_running():
        pytest.fail(
            f"The UI tests check the UI of atlas-ml's local server ({local.url}), not "
            f"{atlas_server.url}: run them without ATLAS_URL, or deselect them with -m 'not ui'"
        )
    installed = install_ui_assets(local.webapp)
    assert not installed.skipped, f"Atlas's UI code differs; not applied: {installed.skipped}"
    return local.url


@pytest.fixture(scope="session")
def ui_artifacts(request: pytest.FixtureRequest) -> Path:
    """A git-ignored folder for the screenshots, emptied per session; named at the end of
    the test output (see pytest_terminal_summary)."""
    folder = request.config.rootpath / "test-artifacts" / "ui"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    request.config.stash[ARTIFACTS_KEY] = folder
    return folder


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    folder = config.stash.get(ARTIFACTS_KEY, None)
    if folder is not None and any(folder.iterdir()):
        shots = ", ".join(sorted(p.name for p in folder.iterdir()))
        terminalreporter.write_line(f"Atlas UI screenshots in {folder}: {shots}")


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's headless Chromium through its chromedriver, with a fresh profile."""
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not binary.exists():
            pytest.fail(f"{binary} is missing: run tools/install-chromium.sh (make test does)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
