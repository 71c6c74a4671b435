#!/usr/bin/env python3
"""Draw the Atlas UI icons of atlas-ml's entity types (needs Pillow: pip install pillow).

    python tools/draw-entity-icons.py        # rewrites atlas_ml/server/ui-assets/entity-icon/

The Atlas UI shows ``img/entity-icon/<typeName>.png`` for each node, falling back to
``<serviceType>.png`` and then a generic table/gear; deleted entities use
``img/entity-icon/disabled/``. The icons follow the stock ones' shape (a 144x128 flat-topped
hexagon with a white glyph) so they sit well beside ``hdfs_path`` and ``spark_process``, with
one colour per role: data blue, preparation green, training orange, models purple.

The PNGs are committed; run this again only when a type is added or a design changes. Every
entity type in typedefs/ must have a design here (the unit tests check the committed files).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "atlas_ml" / "server" / "ui-assets" / "entity-icon"
WIDTH, HEIGHT = 144, 128
SS = 4  # drawn 4x larger, then downsampled: antialiased edges without extra tools
WHITE = (255, 255, 255, 255)
LINE = 6 * SS

Colour = tuple[int, int, int]
# (canvas, centre x, centre y, the hexagon's colour for glyph parts cut out of white)
Glyph = Callable[[ImageDraw.ImageDraw, float, float, Colour], None]


def _p(x: float, y: float) -> tuple[float, float]:
    return (x * SS, y * SS)


def _hexagon(draw: ImageDraw.ImageDraw, colour: Colour) -> None:
    cx, cy, r = WIDTH / 2, HEIGHT / 2, WIDTH / 2 - 2
    points = [
        _p(cx + r * math.cos(math.radians(a)), cy + r * math.sin(math.radians(a)) * 0.96)
        for a in range(0, 360, 60)
    ]
    draw.polygon(points, fill=(*colour, 255))


def _database(draw: ImageDraw.ImageDraw, cx: float, cy: float, colour: Colour) -> None:
    """Three stacked discs: stored data."""
    w, h, gap = 23, 8, 13
    top = cy - gap - 4
    for i in range(3):
        y = top + i * gap
        draw.ellipse([_p(cx - w, y - h), _p(cx + w, y + h)], outline=WHITE, width=LINE // 2)
    draw.line([_p(cx - w, top), _p(cx - w, top + 2 * gap)], fill=WHITE, width=LINE // 2)
    draw.line([_p(cx + w, top), _p(cx + w, top + 2 * gap)], fill=WHITE, width=LINE // 2)


def _dataset_version(draw: ImageDraw.ImageDraw, cx: float, cy: float, colour: Colour) -> None:
    """Stored data with a version tag: an immutable, fingerprinted snapshot."""
    _database(draw, cx - 6, cy, colour)
    tx, ty = cx + 20, cy + 18
    draw.ellipse([_p(tx - 13, ty - 13), _p(tx + 13, ty + 13)], fill=WHITE)
    # a small check inside the tag: the bytes are fingerprinted and verifiable
    draw.line(
        [_p(tx - 6, ty), _p(tx - 1, ty + 6), _p(tx + 7, ty - 6)],
        fill=(*colour, 255),
        width=LINE // 2,
        joint="curve",
    )


def _transform(draw: ImageDraw.ImageDraw, cx: float, cy: float, colour: Colour) -> None:
    """A funnel: data going in, prepared data coming out (a preparation step)."""
    top, mid, bottom = cy - 26, cy + 2, cy + 28
    draw.polygon(
        [_p(cx - 28, top), _p(cx + 28, top), _p(cx + 6, mid), _p(cx - 6, mid)],
        outline=WHITE,
        width=LINE // 2,
    )
    draw.rectangle([_p(cx - 6, mid), _p(cx + 6, bottom)], fill=WHITE)


def _network(draw: ImageDraw.ImageDraw, cx: float, cy: float, colour: Colour) -> None:
    """A small neural network: 2-3-1 nodes fully connected."""
    layers = [
        [(cx - 26, cy - 14), (cx - 26, cy + 14)],
        [(cx, cy - 24), (cx, cy), (cx, cy + 24)],
        [(cx + 26, cy)],
    ]
    for left, right in itertools.pairwise(layers):
        for a in left:
            for b in right:
                draw.line([_p(*a), _p(*b)], fill=WHITE, width=LINE // 3)
    for layer in layers:
        for x, y in layer:
            draw.ellipse([_p(x - 7, y - 7), _p(x + 7, y + 7)], fill=WHITE)


def _training_run(draw: ImageDraw.ImageDraw, cx: float, cy: float, colour: Colour) -> None:
    """A network with a play mark: one execution that trains a model."""
    _network(draw, cx - 4, cy, colour)
    draw.polygon([_p(cx + 24, cy + 16), _p(cx + 24, cy + 34), _p(cx + 38, cy + 25)], fill=WHITE)


def _cube(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float = 26) -> None:
    """An isometric cube: a packaged model."""
    s, h = size, size * 0.55
    top = [_p(cx, cy - s), _p(cx + s, cy - s + h), _p(cx, cy - s + 2 * h), _p(cx - s, cy - s + h)]
    draw.polygon(top, fill=WHITE)
    left = [
        _p(cx - s, cy - s + h),
        _p(cx, cy - s + 2 * h),
        _p(cx, cy + s),
        _p(cx - s, cy + s - h),
    ]
    right = [
        _p(cx + s, cy - s + h),
        _p(cx, cy - s + 2 * h),
        _p(cx, cy + s),
        _p(cx + s, cy + s - h),
    ]
    draw.polygon(left, outline=WHITE, width=LINE // 2)
    draw.polygon(right, outline=WHITE, width=LINE // 2)


def _model(draw: ImageDraw.ImageDraw, cx: float, cy: float, colour: Colour) -> None:
    _cube(draw, cx, cy)


def _model_version(draw: ImageDraw.ImageDraw, cx: float, cy: float, colour: Colour) -> None:
    """A model with a version tag: one trained artifact (its bytes' sha256)."""
    _cube(draw, cx - 6, cy, size=23)
    tx, ty = cx + 22, cy + 20
    draw.ellipse([_p(tx - 13, ty - 13), _p(tx + 13, ty + 13)], fill=WHITE)
    draw.line(
        [_p(tx - 6, ty - 6), _p(tx, ty + 6), _p(tx + 6, ty - 6)],
        fill=(*colour, 255),
        width=LINE // 2,
        joint="curve",
    )


def _evaluation(draw: ImageDraw.ImageDraw, cx: float, cy: float, colour: Colour) -> None:
    """Bars with a check mark: a model judged on held-out data."""
    base = cy + 26
    for i, height in enumerate((18, 32, 46)):
        x = cx - 34 + i * 15
        draw.rectangle([_p(x, base - height), _p(x + 10, base)], fill=WHITE)
    draw.line(
        [_p(cx + 10, cy + 2), _p(cx + 19, cy + 12), _p(cx + 36, cy - 12)],
        fill=WHITE,
        width=LINE,
        joint="curve",
    )


def _deployment(draw: ImageDraw.ImageDraw, cx: float, cy: float, colour: Colour) -> None:
    """An arrow leaving a tray: a model shipped to a serving target."""
    draw.line([_p(cx, cy + 10), _p(cx, cy - 28)], fill=WHITE, width=LINE)
    draw.polygon([_p(cx - 16, cy - 14), _p(cx + 16, cy - 14), _p(cx, cy - 32)], fill=WHITE)
    draw.line(
        [_p(cx - 28, cy + 6), _p(cx - 28, cy + 26), _p(cx + 28, cy + 26), _p(cx + 28, cy + 6)],
        fill=WHITE,
        width=LINE // 2,
        joint="curve",
    )


def _validation(draw: ImageDraw.ImageDraw, cx: float, cy: float, colour: Colour) -> None:
    """A table with a check mark: data checked against expectations."""
    left, top, right, bottom = cx - 34, cy - 24, cx + 10, cy + 24
    draw.rectangle([_p(left, top), _p(right, bottom)], outline=WHITE, width=LINE // 2)
    for y in (top + 16, top + 32):
        draw.line([_p(left, y), _p(right, y)], fill=WHITE, width=LINE // 3)
    draw.line(
        [_p(cx + 4, cy + 2), _p(cx + 15, cy + 14), _p(cx + 36, cy - 14)],
        fill=WHITE,
        width=LINE,
        joint="curve",
    )


def _seal(draw: ImageDraw.ImageDraw, cx: float, cy: float, colour: Colour) -> None:
    """A round seal with a check mark: a signed attestation."""
    r = 30
    draw.ellipse([_p(cx - r, cy - r), _p(cx + r, cy + r)], outline=WHITE, width=LINE // 2)
    draw.polygon([_p(cx - 14, cy + 24), _p(cx - 22, cy + 44), _p(cx - 4, cy + 36)], fill=WHITE)
    draw.polygon([_p(cx + 14, cy + 24), _p(cx + 22, cy + 44), _p(cx + 4, cy + 36)], fill=WHITE)
    draw.line(
        [_p(cx - 14, cy), _p(cx - 4, cy + 10), _p(cx + 16, cy - 12)],
        fill=WHITE,
        width=LINE,
        joint="curve",
    )


# typeName (or serviceType, the UI's fallback for a type without its own icon) -> design
DESIGNS: dict[str, tuple[Colour, Glyph]] = {
    "atlasml_dataset_version": ((63, 125, 214), _dataset_version),
    "atlasml_transform": ((46, 160, 120), _transform),
    "atlasml_training_run": ((230, 126, 34), _training_run),
    "atlasml_pipeline_run": ((46, 160, 120), _training_run),
    "atlasml_validation": ((32, 150, 160), _validation),
    "atlasml_attestation": ((176, 132, 36), _seal),
    "atlasml_openlineage_run": ((230, 126, 34), _network),
    "atlasml_openlineage_dataset": ((63, 125, 214), _database),
    "atlasml_openlineage_column_lineage": ((46, 160, 120), _transform),
    "atlasml_evaluation": ((32, 150, 160), _evaluation),
    "atlasml_deployment": ((70, 86, 110), _deployment),
    "atlasml_model": ((128, 84, 196), _model),
    "atlasml_model_version": ((128, 84, 196), _model_version),
    "atlas_ml": ((44, 122, 123), _network),
}
DISABLED = (190, 190, 190)


def entity_types() -> list[str]:
    """The atlasml_* entity types defined in typedefs/ (base files; patches add no types)."""
    names: list[str] = []
    for path in sorted((ROOT / "typedefs").glob("*.json")):
        names += [t["name"] for t in json.loads(path.read_text()).get("entityDefs", [])]
    return [n for n in names if n.startswith("atlasml_")]


def draw(colour: Colour, glyph: Glyph) -> Image.Image:
    big = Image.new("RGBA", (WIDTH * SS, HEIGHT * SS), (0, 0, 0, 0))
    canvas = ImageDraw.Draw(big)
    _hexagon(canvas, colour)
    glyph(canvas, WIDTH / 2, HEIGHT / 2, colour)
    return big.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)


def main() -> None:
    missing = [t for t in entity_types() if t not in DESIGNS]
    if missing:
        raise SystemExit(f"no icon design for {', '.join(missing)}: add one to DESIGNS")
    (OUT / "disabled").mkdir(parents=True, exist_ok=True)
    for name, (colour, glyph) in DESIGNS.items():
        for folder, fill in ((OUT, colour), (OUT / "disabled", DISABLED)):
            # optimize + no metadata: small files that are identical on every run
            draw(fill, glyph).save(folder / f"{name}.png", optimize=True)
    print(f"{len(DESIGNS)} icons (and their disabled variants) in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
