"""Compile the local server's own Java classes into the assembled server.

A few small classes make the local Atlas keep its data (sources in ``java/``, next to this
module):

- ``java/atlas``: ``SolrNode`` (a SolrCloud node with a fixed home and ZooKeeper folder),
  ``SequencedHBaseAuditRepository`` (Atlas's HBase audit repository with collision-free row
  keys) and ``ZooKeeperSessionSweep`` (clears a killed Kafka's ZooKeeper sessions), compiled
  against the Atlas runtime in ``lib/`` into ``lib/atlas-ml-local-server.jar``, so that
  Atlas's class path and the Solr process both find them;
- ``java/hbase``: ``HBaseNode`` (HBase standalone with a loopback-only ZooKeeper), compiled
  against HBase's jars into ``hbase/lib/atlas-ml-hbase-node.jar``;
- ``java/common``: ``LocalZooKeeper``, compiled into both.

They are built with the machine's JDK (``javac --release 11``, the Java the server runs on),
the one Maven runs on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from importlib import resources
from pathlib import Path

from atlas_ml.errors import ServerBuildError

ATLAS_JAR = Path("lib") / "atlas-ml-local-server.jar"
HBASE_JAR = Path("hbase") / "lib" / "atlas-ml-hbase-node.jar"


def sources_dir() -> Path:
    return Path(str(resources.files("atlas_ml.server") / "java"))


def javac() -> str:
    """``$JAVA_HOME/bin/javac`` or the ``javac`` on PATH (any JDK 11 or newer)."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "javac").exists():
        return str(Path(home) / "bin" / "javac")
    found = shutil.which("javac")
    if found:
        return found
    raise ServerBuildError(
        "No JDK found (javac is missing): building the local Atlas compiles three small Java "
        "classes. Install a JDK 11 or newer (e.g. apt-get install openjdk-17-jdk-headless) "
        "or set JAVA_HOME, then run 'atlas-ml server build' again."
    )


def _compile(sources: list[Path], classpath: Path, target: Path) -> None:
    files = sorted(str(path) for root in sources for path in root.rglob("*.java"))
    with tempfile.TemporaryDirectory(prefix="atlas-ml-server-classes-") as tmp:
        classes = Path(tmp)
        command = [
            javac(),
            "--release",
            "11",
            "-nowarn",
            "-encoding",
            "UTF-8",
            "-cp",
            f"{classpath}/*",
            "-d",
            str(classes),
            *files,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ServerBuildError(
                f"compiling the classes for {target.name} failed: "
                f"{(done.stderr or done.stdout).strip()[-2000:]}"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as jar:
            jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
            # Directory entries too: Spring's component scan finds a package in a jar only
            # through its directory entry.
            for path in sorted(classes.rglob("*")):
                jar.write(path, path.relative_to(classes).as_posix())


def build_extensions(home: Path) -> None:
    """Compile both jars into the server assembled in ``home`` (``lib/`` and ``hbase/lib``)."""
    root = sources_dir()
    _compile([root / "common", root / "atlas"], home / "lib", home / ATLAS_JAR)
    _compile([root / "common", root / "hbase"], home / "hbase" / "lib", home / HBASE_JAR)
