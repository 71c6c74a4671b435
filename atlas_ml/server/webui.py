"""Make the local server's Atlas UI show atlas-ml's lineage as a person needs to see it.

Applied to the unpacked web application by ``server build`` and again by every ``start``
(idempotent, so a server built by an older atlas-ml gets it too). Both UIs the WAR holds are
changed: the classic one at ``/`` and the "beta" one at ``/n/`` that the login page opens.

- Icons: ``img/entity-icon/<typeName>.png`` for every ``atlasml_*`` entity type, plus
  ``atlas_ml.png`` (the UI's fallback by ``serviceType``, so a type added later still gets a
  project icon) and greyed ``disabled/`` variants for deleted entities. Without them the UI
  gets 404s and draws every node as a generic table or gear.
- Lineage depth: Atlas 2.1's lineage tab asks ``/v2/lineage`` for the REST default depth of
  3 processes, and no server property changes that; the Titanic chain from model version to
  raw file is 5 deep, so the raw data was cut off. The tab now opens at
  :data:`LINEAGE_DEPTH` (the depth filter shows it and can still change it).
- Node labels: the UI cuts every name to 17 characters plus "...", which makes
  ``titanic-survival@b42e...``, ``titanic-survival run ...`` and ``titanic-survival.split``
  look alike and hides file names at the end of paths. Labels now wrap onto two lines of at
  most 18 characters at a ``@``, space, ``/`` or ``.``; paths keep their end (the file).
  The hover tooltip still shows the full name. Two-line labels sit a little higher, clear
  of their node.
- Fit: the graph opened centred on the current entity at 120%, so upstream nodes lay off
  screen; it now opens showing the whole graph when that fits at 60% or more.

The JavaScript changes are exact-text replacements in Atlas 2.1.0's minified sources. On a
release whose code differs a change is skipped (and named in :class:`UiAssets`), never
guessed; the icons work on any release. For an existing Atlas, see README "Icons in an
existing Atlas".
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

ICON_DIR = Path("img") / "entity-icon"
"""Where Atlas's UI looks for entity icons, relative to each UI's root."""
UI_ROOTS = (Path("."), Path("n"))
"""The classic UI (``/``) and the new UI (``/n/``) inside the web application folder."""
LINEAGE_DEPTH = 9
"""Processes the lineage tab shows upstream and downstream when it opens (one of the UI's
own depth choices, 3-21)."""
MARKER = "/*atlas-ml*/"
"""Marks atlas-ml's changes in Atlas's JavaScript, for a person reading the served files."""


@dataclass(frozen=True)
class JsPatch:
    """One exact-text change to a file under a UI root's ``js/`` folder."""

    name: str
    file: str
    old: str
    new: str


def assets() -> Path:
    """The project's UI files, shipped as package data: ``entity-icon/`` (drawn by
    tools/draw-entity-icons.py, laid out as in Atlas's ``img/entity-icon/``) and the label
    function ``lineage-label.js``."""
    return Path(str(resources.files("atlas_ml.server") / "ui-assets"))


def patches() -> tuple[JsPatch, ...]:
    """The lineage view changes, as exact replacements in Atlas 2.1.0's sources."""
    label = (assets() / "lineage-label.js").read_text(encoding="utf-8").strip()
    return (
        JsPatch(
            "lineage depth",
            "views/graph/LineageLayoutView.js",
            "var that = this, queryParam = options && options.queryParam || {};",
            "var that = this, queryParam = options && options.queryParam || {}; "
            f"{MARKER} queryParam.depth || (queryParam.depth = this.filterObj.depthCount "
            f"|| {LINEAGE_DEPTH});",
        ),
        JsPatch(
            "lineage depth filter",
            "views/graph/LineageLayoutView.js",
            "data: _.sortBy([ 3, 6, 9, 12, 15, 18, 21 ]),",
            f"data: _.map(_.sortBy([ 3, 6, 9, 12, 15, 18, 21 ]), {MARKER} function(d) "
            f"{{ return {{ id: d, text: String(d), selected: d === {LINEAGE_DEPTH} }}; }}),",
        ),
        JsPatch(
            "node labels",
            "views/graph/LineageLayoutView.js",
            "label: relationObj.displayText.trunc(18),",
            f"label: {MARKER} ({label})(relationObj.displayText),",
        ),
        JsPatch(
            "two-line labels above their node",
            "views/graph/LineageLayoutView.js",
            'svgGroup.selectAll("g.nodes g.label").attr("transform", "translate(2,-35)")',
            'svgGroup.selectAll("g.nodes g.label").attr("transform", function() { '
            f'{MARKER} return "translate(2," + '
            '(this.querySelectorAll("tspan").length > 1 ? -42 : -35) + ")"; })',
        ),
        JsPatch(
            "fit the whole graph",
            "views/graph/LineageUtils.js",
            "scale = 1.2, xa = -(x * scale - viewerWidth / 2), "
            "ya = -(y * scale - viewerHeight / 2);",
            f"scale = 1.2, fit = {MARKER} Math.min(scale, .95 * viewerWidth / g.graph().width, "
            ".95 * viewerHeight / g.graph().height); fit >= .6 && (scale = fit, "
            "x = g.graph().width / 2, y = g.graph().height / 2); "
            "var xa = -(x * scale - viewerWidth / 2), ya = -(y * scale - viewerHeight / 2);",
        ),
    )


@dataclass(frozen=True)
class UiAssets:
    """What :func:`install_ui_assets` found in place afterwards."""

    icons: tuple[str, ...] = ()
    """Icon file names (``<typeName>.png``) installed in every UI."""
    patched: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    """Changes whose target code this Atlas release does not have (nothing was changed)."""


def _copy_if_changed(source: Path, target: Path) -> None:
    if target.is_file() and target.read_bytes() == source.read_bytes():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _install_icons(ui_root: Path) -> tuple[str, ...]:
    source = assets() / "entity-icon"
    names = []
    for icon in sorted(source.glob("*.png")):
        _copy_if_changed(icon, ui_root / ICON_DIR / icon.name)
        disabled = source / "disabled" / icon.name
        if disabled.is_file():
            _copy_if_changed(disabled, ui_root / ICON_DIR / "disabled" / icon.name)
        names.append(icon.name)
    return tuple(names)


def _patch_file(path: Path, changes: list[JsPatch]) -> list[bool]:
    """Apply ``changes`` to Atlas's original of ``path``; which of them are in place.

    The original is kept beside the file (``.orig``) the first time, so a newer atlas-ml
    replaces its own earlier changes instead of stacking on them.
    """
    original = path.with_name(path.name + ".orig")
    try:
        if not original.is_file():
            shutil.copyfile(path, original)
        text = original.read_text(encoding="utf-8")
    except OSError:
        return [False] * len(changes)
    applied = []
    for change in changes:
        ok = text.count(change.old) == 1
        if ok:
            text = text.replace(change.old, change.new)
        applied.append(ok)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return applied


def install_ui_assets(webapp: Path) -> UiAssets:
    """Install the icons and lineage changes into the unpacked web application ``webapp``."""
    roots = [webapp / root for root in UI_ROOTS if (webapp / root / "index.html").is_file()]
    icons: tuple[str, ...] = ()
    for root in roots:
        icons = _install_icons(root)
    changes = patches()
    in_place = {change.name: bool(roots) for change in changes}
    for root in roots:
        for file in {change.file for change in changes}:
            of_file = [change for change in changes if change.file == file]
            applied = _patch_file(root / "js" / file, of_file)
            for change, ok in zip(of_file, applied, strict=True):
                in_place[change.name] = in_place[change.name] and ok
    patched = [name for name, ok in in_place.items() if ok]
    skipped = [name for name, ok in in_place.items() if not ok]
    return UiAssets(icons=icons, patched=tuple(patched), skipped=tuple(skipped))
