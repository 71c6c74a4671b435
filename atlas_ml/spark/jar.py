"""Build and locate the listener jar for the running Spark line.

The listener is compiled from the Java sources in ``spark_hooks/`` against the jars of the
installed PySpark (Spark 3.5 is Scala 2.12 on Java 8 bytecode, Spark 4 is Scala 2.13 on Java 17),
so one jar per line lives in the cache, keyed by a hash of the sources: a source change gives a
new jar, an unchanged tree reuses the old one.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from atlas_ml._version import __version__
from atlas_ml.errors import AtlasMLError
from atlas_ml.paths import cache_dir, shipped_dir

_JDK_CANDIDATES = ("/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/java-17-openjdk-arm64")


class ListenerBuildError(AtlasMLError, RuntimeError):
    """The listener jar cannot be built; the message names the missing piece and the fix."""


@dataclass(frozen=True)
class SparkLine:
    """A Spark release line as far as binary compatibility goes."""

    spark_version: str
    scala_binary: str
    jars_dir: Path

    @property
    def major_minor(self) -> str:
        return ".".join(self.spark_version.split(".")[:2])

    @property
    def java_release(self) -> str:
        """Bytecode level: Spark 3.x still runs on Java 8, Spark 4 requires 17."""
        return "17" if int(self.spark_version.split(".")[0]) >= 4 else "8"


def spark_line(jars_dir: Path | None = None) -> SparkLine:
    """The Spark line of the installed PySpark (or of an explicit ``jars`` folder)."""
    if jars_dir is None:
        try:
            import pyspark
        except ImportError as exc:
            raise ListenerBuildError(
                "PySpark is not installed: install it (pip install 'atlas-ml[spark]') or pass the "
                "Spark jars folder explicitly."
            ) from exc
        jars_dir = Path(pyspark.__file__).parent / "jars"
    core = sorted(jars_dir.glob("spark-core_*.jar"))
    scala = sorted(jars_dir.glob("scala-library-*.jar"))
    if not core or not scala:
        raise ListenerBuildError(
            f"{jars_dir} does not look like a Spark jars folder (no spark-core_*.jar or "
            "scala-library-*.jar); point at $SPARK_HOME/jars or pyspark/jars."
        )
    match = re.match(r"spark-core_(\d+\.\d+)-(.+)\.jar", core[0].name)
    if not match:
        raise ListenerBuildError(f"cannot read the Spark version from {core[0].name}")
    scala_binary, version = match.group(1), match.group(2)
    return SparkLine(spark_version=version, scala_binary=scala_binary, jars_dir=jars_dir)


def _sources() -> list[Path]:
    root = shipped_dir("spark_hooks") / "src" / "main" / "java"
    files = sorted(root.rglob("*.java"))
    if not files:
        raise ListenerBuildError(f"no listener sources under {root}; reinstall atlas-ml")
    return files


def sources_hash(line: SparkLine) -> str:
    """Hash of atlas-ml's version, the sources and the target line: the jar's cache key."""
    digest = hashlib.sha256(f"{__version__}|{line.spark_version}|{line.java_release}".encode())
    root = shipped_dir("spark_hooks")
    for path in _sources():
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def jar_path(line: SparkLine) -> Path:
    name = f"atlas-ml-spark-{line.major_minor}_{line.scala_binary}-{sources_hash(line)}.jar"
    return cache_dir() / "spark_hooks" / name


def java_home() -> Path:
    """A JDK (17+) with ``javac`` and ``jar``: ``$JAVA_HOME``, the system JDK 17, or ``PATH``."""
    candidates = [os.environ.get("JAVA_HOME", ""), *_JDK_CANDIDATES]
    for home in filter(None, candidates):
        if (Path(home) / "bin" / "javac").exists():
            return Path(home)
    javac = shutil.which("javac")
    if javac:
        return Path(javac).resolve().parent.parent
    raise ListenerBuildError(
        "no JDK found to build the Spark listener (javac missing): install a JDK 17 "
        "(e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME."
    )


def listener_jar(line: SparkLine | None = None, rebuild: bool = False) -> Path:
    """The listener jar for ``line`` (default: the installed PySpark), built when missing."""
    line = line or spark_line()
    target = jar_path(line)
    if target.exists() and not rebuild:
        return target
    jdk = java_home()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="atlas-ml-listener-", dir=target.parent) as tmp:
        classes = Path(tmp) / "classes"
        classes.mkdir()
        javac = [
            str(jdk / "bin" / "javac"),
            "--release",
            line.java_release,
            "-nowarn",
            "-Xlint:-options",
            "-encoding",
            "UTF-8",
            "-cp",
            str(line.jars_dir / "*"),
            "-d",
            str(classes),
            *map(str, _sources()),
        ]
        _run(javac, "compiling the listener")
        stamp = classes / "io" / "atlasml" / "spark" / "version.txt"
        stamp.write_text(__version__ + "\n", encoding="utf-8")
        staged = Path(tmp) / target.name
        _run([str(jdk / "bin" / "jar"), "cf", str(staged), "-C", str(classes), "."], "packaging")
        os.replace(staged, target)
    return target


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ListenerBuildError(
            f"{what} failed (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
        )
