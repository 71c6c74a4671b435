"""Check that the built wheel and sdist carry every file atlas-ml needs at run time.

Run by ``make dist`` (part of ``make lint``) after ``python -m build``. The expected files
are read from the checkout, so a new typedef, patch, listener source, facet schema or
template is required in the distributions without editing this script:

- the wheel: ``atlas_ml/py.typed``, the facet JSON Schemas and ``templates/`` of any module as
  package data, and under ``<name>.data/data/share/atlas-ml/`` (where
  :func:`atlas_ml.paths.shipped_dir` finds them) the typedefs with their patches and the
  Spark listener's Java sources;
- the sdist: the same source files, so a wheel built from it is complete too.

Usage: ``python tools/check_dist.py DIST_DIR``; exits 1 naming every missing file.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _relative(patterns: list[str]) -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for pattern in patterns
        for path in ROOT.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    )


def expected_package_data() -> list[str]:
    """Files inside ``atlas_ml/`` that are not Python modules but must be installed."""
    return _relative(
        ["atlas_ml/py.typed", "atlas_ml/events/schemas/*.json", "atlas_ml/**/templates/**/*"]
    )


def expected_shared_data() -> list[str]:
    """Top-level folders installed under ``share/atlas-ml/``."""
    return _relative(
        [
            "typedefs/*.json",
            "typedefs/patches/*.json",
            "spark_hooks/src/main/java/**/*.java",
        ]
    )


def missing_from_wheel(wheel: Path) -> list[str]:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = next((n.split("/")[0] for n in names if ".data/" in n), None)
    missing = [name for name in expected_package_data() if name not in names]
    for name in expected_shared_data():
        if data is None or f"{data}/data/share/atlas-ml/{name}" not in names:
            missing.append(f"share/atlas-ml/{name}")
    return missing


def missing_from_sdist(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    return [n for n in expected_package_data() + expected_shared_data() if n not in members]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: check_dist.py DIST_DIR", file=sys.stderr)
        return 2
    dist = Path(argv[0])
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"{dist}: expected one wheel and one sdist, found {wheels + sdists}", file=sys.stderr)
        return 1
    if not expected_shared_data() or "atlas_ml/py.typed" not in expected_package_data():
        print(f"{ROOT} does not look like the atlas-ml checkout", file=sys.stderr)
        return 1
    problems = [f"{wheels[0].name}: missing {name}" for name in missing_from_wheel(wheels[0])]
    problems += [f"{sdists[0].name}: missing {name}" for name in missing_from_sdist(sdists[0])]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("add the files to [options.package_data] or [options.data_files] in setup.cfg")
        return 1
    count = len(expected_package_data()) + len(expected_shared_data())
    print(f"{wheels[0].name} and {sdists[0].name} carry all {count} data files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
