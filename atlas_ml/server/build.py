"""Assemble a runnable Apache Atlas from Maven Central into the user's cache.

The Atlas distribution tarball is not on Maven Central; the web application's WAR is, and its
``WEB-INF/lib`` is the exact runtime Atlas ships. ``maven/pom.xml`` unpacks it (plus the Solr
collection templates of ``atlas-testtools``) and copies HBase standalone; this module drives
Maven, compiles the server's own Java classes (:mod:`atlas_ml.server.extensions`), adds the
stock type models, and records what it built so that a second build is a no-op.

Apache Atlas publishes the server artifacts (``atlas-webapp``, ``atlas-repository``) to Central
only up to 2.1.0; 2.2.0 and later ship only client/hook modules there. The default version is
therefore the newest one that can be assembled from Central.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from atlas_ml.errors import ServerBuildError
from atlas_ml.paths import cache_dir
from atlas_ml.server.extensions import build_extensions, sources_dir
from atlas_ml.server.webui import install_ui_assets

DEFAULT_ATLAS_VERSION = "2.1.0"
MODELS_ENV = "ATLAS_ML_MODELS"
# The release whose stock type models every server atlas-ml assembles loads, whatever the
# server's own version: the ones in ../shared/atlas-models that the tests run against. The
# 2.1.0 server loads them, and the newer models carry cloud path types atlas-ml maps to.
MODELS_VERSION = "2.4.0"
# Where the stock models come from when no local copy is found. Atlas keeps them in
# ``addons/models`` of the source release; no Maven artifact carries them.
MODELS_SOURCE_RELEASE = (
    "https://archive.apache.org/dist/atlas/{version}/apache-atlas-{version}-sources.tar.gz"
)


@dataclass(frozen=True)
class BuildResult:
    home: Path
    version: str
    rebuilt: bool


def atlas_home(version: str = DEFAULT_ATLAS_VERSION) -> Path:
    """Where the assembled server of ``version`` lives (``<cache>/atlas/<version>``)."""
    return cache_dir() / "atlas" / version


def maven_repository() -> Path:
    """Maven's local repository, kept in atlas-ml's cache instead of ``~/.m2``."""
    return cache_dir() / "m2"


def find_models(explicit: Path | None = None) -> Path | None:
    """The stock Atlas type models: ``--models``, ``$ATLAS_ML_MODELS`` or ../shared/atlas-models.

    The last is looked up beside the current directory and beside the source checkout, which
    is where developer machines and CI keep it.
    """
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(explicit)
    elif os.environ.get(MODELS_ENV):
        candidates.append(Path(os.environ[MODELS_ENV]))
    else:
        source_root = Path(__file__).resolve().parents[2]
        candidates += [
            Path.cwd() / "../shared/atlas-models",
            source_root / "../shared/atlas-models",
        ]
    for candidate in candidates:
        if (candidate / "0000-Area0").is_dir():
            return candidate.resolve()
    if explicit is not None or os.environ.get(MODELS_ENV):
        raise ServerBuildError(
            f"{candidates[0]} holds no Atlas type models (expected a '0000-Area0' folder). "
            "Point --models / ATLAS_ML_MODELS at Atlas's addons/models folder."
        )
    return None


def _tree_digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _pom_dir() -> Path:
    return Path(str(resources.files("atlas_ml.server") / "maven"))


def _fetch_models(version: str, destination: Path) -> Path:
    """Download Atlas's source release and extract ``addons/models`` (general internet only)."""
    import tarfile
    import tempfile

    url = MODELS_SOURCE_RELEASE.format(version=version)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "atlas-sources.tar.gz"
        try:
            with urllib.request.urlopen(url, timeout=30) as response, archive.open("wb") as out:
                shutil.copyfileobj(response, out)
        except OSError as exc:
            raise ServerBuildError(
                "The stock Atlas type models were not found locally and could not be "
                f"downloaded from {url} ({exc}). They live in addons/models of the Apache Atlas "
                "source release; pass --models DIR or set ATLAS_ML_MODELS to a copy "
                "(developer checkouts have one at ../shared/atlas-models)."
            ) from exc
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if "/addons/models/" in m.name]
            tar.extractall(tmp, members=members, filter="data")
        extracted = next(Path(tmp).glob("*/addons/models"))
        shutil.copytree(extracted, destination)
    return destination


def _install_models(models: Path, home: Path) -> None:
    target = home / "models"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    # Only the numbered model folders: Atlas tries to parse every file it finds there.
    for folder in sorted(p for p in models.iterdir() if p.is_dir()):
        shutil.copytree(folder, target / folder.name)


def _run_maven(version: str, work: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServerBuildError(
            "Maven ('mvn') is not on PATH. Install Maven 3.6+ (e.g. 'apt-get install maven') "
            "and run 'atlas-ml server build' again."
        )
    pom_dir = _pom_dir()
    # Maven writes target/ beside the pom: run a copy in the cache, never in site-packages.
    project = work.parent / "maven-project"
    project.mkdir(parents=True, exist_ok=True)
    shutil.copy2(pom_dir / "pom.xml", project / "pom.xml")
    command = [
        mvn,
        "-B",
        "-q",
        "-f",
        str(project / "pom.xml"),
        "-s",
        str(pom_dir / "settings.xml"),
        f"-Dmaven.repo.local={maven_repository()}",
        f"-Datlas.version={version}",
        f"-Datlas.out={work}",
        "package",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(project, ignore_errors=True)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        missing = [line for line in output if "Could not find artifact" in line]
        hint = ""
        if missing:
            hint = (
                f"\nAtlas {version}'s server WAR is not on Maven Central (Apache publishes "
                f"atlas-webapp there only up to {DEFAULT_ATLAS_VERSION}). "
                f"Use --atlas-version {DEFAULT_ATLAS_VERSION}, or point atlas-ml at an existing "
                "Atlas with ATLAS_URL."
            )
        tail = "\n".join(output[-15:])
        raise ServerBuildError(f"Maven could not assemble Atlas {version}:\n{tail}{hint}")


def build(
    version: str = DEFAULT_ATLAS_VERSION,
    models: Path | None = None,
    force: bool = False,
) -> BuildResult:
    """Assemble Atlas ``version`` under :func:`atlas_home`; a no-op when nothing changed."""
    home = atlas_home(version)
    models_dir = find_models(models)
    if models_dir is None:
        models_dir = _fetch_models(MODELS_VERSION, cache_dir() / "atlas-models" / MODELS_VERSION)
    inputs = {
        "version": version,
        "pom": _tree_digest([_pom_dir()]),
        "java": _tree_digest([sources_dir()]),
        "models": _tree_digest([models_dir]),
    }
    stamp = home / "build.json"
    if not force and stamp.is_file() and json.loads(stamp.read_text()) == inputs:
        return BuildResult(home=home, version=version, rebuilt=False)

    staging = home.with_name(home.name + ".staging")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        _run_maven(version, staging)
        (staging / "war-lib" / "WEB-INF" / "lib").rename(staging / "lib")
        shutil.rmtree(staging / "war-lib")
        build_extensions(staging)
        _install_models(models_dir, staging)
        install_ui_assets(staging / "server" / "webapp" / "atlas")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # a failed build leaves nothing behind
        raise

    # Keep the data and logs of an earlier build of the same version: a rebuild is not a wipe.
    for keep in ("data", "logs", "conf", "backups", "atlas.pid", "hbase.pid", "solr.pid"):
        if (home / keep).exists():
            (home / keep).rename(staging / keep)
    if home.exists():
        shutil.rmtree(home)
    staging.rename(home)
    stamp.write_text(json.dumps(inputs, indent=2))
    return BuildResult(home=home, version=version, rebuilt=True)


def is_built(version: str = DEFAULT_ATLAS_VERSION) -> bool:
    return (atlas_home(version) / "build.json").is_file()
