"""Where atlas-ml keeps its caches and finds the files it ships beside the package.

Downloads (Maven artifacts, the assembled Atlas server, built listener jars, fingerprint
caches) live under the user's cache directory so that a second run is fast; override the
root with ``ATLAS_ML_CACHE``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_cache_dir

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """Root of every cache atlas-ml writes (``$ATLAS_ML_CACHE`` or the platform cache dir)."""
    root = os.environ.get("ATLAS_ML_CACHE") or user_cache_dir("atlas-ml", appauthor=False)
    return Path(root).expanduser()


def shipped_dir(name: str) -> Path:
    """A top-level project folder (``typedefs``, ``spark_hooks``, ...).

    In a source checkout or an editable install it is the folder beside ``atlas_ml/``;
    a wheel installs it under ``<prefix>/share/atlas-ml/``.
    """
    for candidate in (_SOURCE_ROOT / name, Path(sys.prefix) / "share" / "atlas-ml" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"atlas-ml's '{name}' folder is missing: looked beside the package ({_SOURCE_ROOT}) "
        f"and in {Path(sys.prefix) / 'share' / 'atlas-ml'}. Reinstall atlas-ml."
    )
