"""Load the project's type definitions: the numbered files, then their patches."""

from __future__ import annotations

from pathlib import Path

from atlas_ml.paths import shipped_dir
from atlas_ml.typedefs.kinds import TypedefError, read_json
from atlas_ml.typedefs.model import TypeSet
from atlas_ml.typedefs.patches import apply_patch_files


def load_typeset(directory: Path | None = None, *, apply_patches: bool = True) -> TypeSet:
    """The project's types from ``directory`` (default: the shipped ``typedefs/``)."""
    directory = directory or shipped_dir("typedefs")
    files = sorted(directory.glob("*.json"))
    if not files:
        raise TypedefError(f"no *.json type definition files in {directory}")
    types = TypeSet()
    for path in files:
        types.extend(read_json(path), str(path))
    if apply_patches:
        apply_patch_files(types, sorted((directory / "patches").glob("*.json")))
    return types
