"""What a training run captures without being told: code revision, environment, operator."""

from __future__ import annotations

import getpass
import platform
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# Packages whose versions decide whether a training run can be reproduced.
TRACKED_PACKAGES = (
    "atlas-ml",
    "numpy",
    "pandas",
    "pyarrow",
    "scikit-learn",
    "scipy",
    "pyspark",
    "xgboost",
    "lightgbm",
    "torch",
    "tensorflow",
    "mlflow",
)


@dataclass(frozen=True)
class CodeRevision:
    """The git commit the code ran from, and whether the work tree had uncommitted changes."""

    sha: str | None
    dirty: bool | None
    reference: str | None
    root: str | None = None
    """The repository's top folder (where code locations are relative to)."""


def code_revision(path: Path | None = None) -> CodeRevision:
    """The git revision of the repository holding ``path`` (the running script by default)."""
    start = Path(path) if path else Path(sys.argv[0] or ".").resolve().parent
    if start.is_file():
        start = start.parent

    def git(*args: str) -> str | None:
        try:
            result = subprocess.run(
                ["git", "-C", str(start), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return result.stdout.strip() if result.returncode == 0 else None

    sha = git("rev-parse", "HEAD")
    if sha is None:
        return CodeRevision(None, None, None)
    status = git("status", "--porcelain", "--untracked-files=no")
    remote = git("config", "--get", "remote.origin.url")
    root = git("rev-parse", "--show-toplevel")
    return CodeRevision(sha, bool(status), _without_credentials(remote), root)


def _without_credentials(remote: str | None) -> str | None:
    """A git remote as it may be recorded: no user info, query or fragment.

    CI checkouts and clones with a personal access token keep the token in the remote's URL
    (``https://gitlab-ci-token:<token>@host/repo.git``); it must not travel into the spool and
    Atlas. ``git@host:repo.git`` (scp-like syntax) names only an SSH user and is kept.
    """
    if not remote or "://" not in remote:
        return remote
    try:
        parts = urlsplit(remote)
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return None


def environment() -> dict[str, str]:
    """Python, platform and the versions of the packages that shape a model."""
    captured = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(terse=True),
    }
    for package in TRACKED_PACKAGES:
        try:
            captured[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return captured


def operator() -> str:
    """Who ran it (the OS user; CI systems set the same)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
