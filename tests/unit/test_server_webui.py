"""The local server's UI assets: icons for every atlas-ml type and the lineage view changes,
installed idempotently into an unpacked web application (no Atlas needed)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from atlas_ml.server.local import LocalAtlas, ServerSettings
from atlas_ml.server.webui import (
    ICON_DIR,
    MARKER,
    UI_ROOTS,
    assets,
    install_ui_assets,
    patches,
)
from atlas_ml.typedefs import load_typeset

pytestmark = pytest.mark.unit

ATLAS_AROUND = "define(['require'], function(require) {\n    'use strict';\n"


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _webapp(root: Path) -> Path:
    """A web application laid out like Atlas 2.1.0's, with the code the changes target."""
    for ui in UI_ROOTS:
        (root / ui).mkdir(parents=True, exist_ok=True)
        (root / ui / "index.html").write_text("<html></html>")
        for change in patches():
            path = root / ui / "js" / change.file
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                path.write_text(ATLAS_AROUND)
            path.write_text(path.read_text() + f"        {change.old}\n")
    return root


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_every_atlas_ml_entity_type_and_its_service_type_have_an_icon() -> None:
    types = load_typeset()
    entities = [name for name, cat in types.categories.items() if cat == "ENTITY"]
    expected = {*entities, *(types.defs[name]["serviceType"] for name in entities)}
    for name in expected:
        for folder in (assets() / "entity-icon", assets() / "entity-icon" / "disabled"):
            icon = folder / f"{name}.png"
            assert icon.is_file(), f"no {icon}: draw it with tools/draw-entity-icons.py"
            # the stock icons' size, so the UI scales ours like its own
            assert _png_size(icon) == (144, 128)
            assert icon.stat().st_size < 16_000


def test_install_puts_icons_and_lineage_changes_into_both_uis(tmp_path: Path) -> None:
    webapp = _webapp(tmp_path)
    installed = install_ui_assets(webapp)
    assert installed.skipped == ()
    assert set(installed.patched) == {change.name for change in patches()}
    assert "atlasml_model_version.png" in installed.icons
    for ui in UI_ROOTS:
        icons = webapp / ui / ICON_DIR
        shipped = assets() / "entity-icon" / "atlasml_training_run.png"
        assert (icons / "atlasml_training_run.png").read_bytes() == shipped.read_bytes()
        assert (icons / "disabled" / "atlas_ml.png").is_file()
        for change in patches():
            text = (webapp / ui / "js" / change.file).read_text()
            assert change.new in text
            assert text.startswith(ATLAS_AROUND), "the rest of Atlas's code is kept"


def test_a_second_install_changes_nothing(tmp_path: Path) -> None:
    webapp = _webapp(tmp_path)
    first = install_ui_assets(webapp)
    before = _tree(webapp)
    assert install_ui_assets(webapp) == first
    assert _tree(webapp) == before


def test_changes_of_an_older_atlas_ml_are_replaced_not_stacked(tmp_path: Path) -> None:
    webapp = _webapp(tmp_path)
    install_ui_assets(webapp)
    view = webapp / "js" / patches()[0].file
    view.write_text(view.read_text().replace(MARKER, "/*atlas-ml 0.0.1*/"))  # an older change
    install_ui_assets(webapp)
    original = view.with_name(view.name + ".orig").read_text()
    expected = original
    for change in patches():
        if change.file == patches()[0].file:
            expected = expected.replace(change.old, change.new)
    assert view.read_text() == expected


def test_code_of_another_atlas_release_is_left_alone_and_named(tmp_path: Path) -> None:
    webapp = _webapp(tmp_path)
    utils = webapp / "n" / "js" / "views" / "graph" / "LineageUtils.js"
    utils.write_text("// another release's code\n")
    installed = install_ui_assets(webapp)
    assert installed.skipped == ("fit the whole graph",)
    assert utils.read_text() == "// another release's code\n"
    assert (webapp / "n" / ICON_DIR / "atlasml_transform.png").is_file(), "icons still go in"


def test_server_start_installs_the_ui_assets(tmp_path: Path) -> None:
    """``start`` (whose file work is ``_prepare``) fixes up a server built before them."""
    server = LocalAtlas(ServerSettings(http_port=1, kafka_port=2, zookeeper_port=3), home=tmp_path)
    _webapp(server.webapp)
    server._prepare(fresh=True)
    assert server.ui_assets is not None and server.ui_assets.skipped == ()
    assert (server.webapp / "n" / ICON_DIR / "atlasml_dataset_version.png").is_file()
