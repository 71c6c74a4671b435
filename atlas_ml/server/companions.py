"""The two processes the local Atlas keeps its index and audit trail in: Solr and HBase.

Atlas's embedded test setup (atlas-testtools' ``LocalSolrRunner``) puts its SolrCloud in a new
random folder at every start and ``InMemoryEntityAuditRepository`` loses the audit trail at
every stop. So, as a production Atlas is deployed, the index and the audit trail live in their
own services, each a JVM beside Atlas with its data under the server's ``data/`` folder:

- **Solr**: one SolrCloud node and its ZooKeeper (``io.atlasml.localserver.SolrNode``, built by
  :mod:`atlas_ml.server.extensions`), on Atlas's own Solr jars, with a fixed home, port and
  ZooKeeper data folder, so a restarted Atlas reopens the same collections.
- **HBase**: HBase standalone (master and region server in one JVM, ``hbase.rootdir`` on the
  local disk, its WAL recovered after a crash) with its ZooKeeper
  (``io.atlasml.localserver.HBaseNode``), holding Atlas's entity audit table; Atlas writes to it
  with ``SequencedHBaseAuditRepository``.

Both ZooKeepers listen on the loopback address only. Ports are the block after Atlas's own
ZooKeeper port (see :class:`CompanionPorts`).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import requests
from jinja2 import Template

from atlas_ml.errors import ServerError
from atlas_ml.server.process import owned_pid, spawn, terminate

HBASE_MAIN = "io.atlasml.localserver.HBaseNode"
SOLR_MAIN = "io.atlasml.localserver.SolrNode"
COMPANION_HEAP = "512m"


@dataclass(frozen=True)
class CompanionPorts:
    """The five ports of the companions: the block right after Atlas's ZooKeeper and Kafka.

    Derived rather than configured one by one, so that moving ``--zookeeper-port`` moves the
    whole server (two local servers on one machine then never collide).
    """

    zookeeper_port: int

    @property
    def hbase_zookeeper(self) -> int:
        return self.zookeeper_port + 2

    @property
    def hbase_master(self) -> int:
        return self.zookeeper_port + 3

    @property
    def hbase_regionserver(self) -> int:
        return self.zookeeper_port + 4

    @property
    def solr(self) -> int:
        return self.zookeeper_port + 5

    @property
    def solr_zookeeper(self) -> int:
        return self.zookeeper_port + 6

    def labelled(self) -> dict[str, int]:
        return {
            "HBase ZooKeeper": self.hbase_zookeeper,
            "HBase master": self.hbase_master,
            "HBase region server": self.hbase_regionserver,
            "Solr": self.solr,
            "Solr ZooKeeper": self.solr_zookeeper,
        }


class Companion:
    """One JVM beside Atlas: its configuration, command line, pid file and logs."""

    def __init__(
        self,
        name: str,
        home: Path,
        main_class: str,
        classpath: list[str],
        arguments: Callable[[], list[str]],
        write_conf: Callable[[], None],
        options: tuple[str, ...] = (),
        ready: Callable[[], bool] | None = None,
    ) -> None:
        self.name = name
        self.home = home
        self.main_class = main_class
        self.classpath = classpath
        self.arguments = arguments
        """The main class's arguments, read when the process starts (from the built server)."""
        self.write_conf = write_conf
        self.options = options
        self.ready = ready
        """When set, Atlas starts only once this holds (None: Atlas waits for it by itself)."""

    @property
    def pid_file(self) -> Path:
        return self.home / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / f"{self.name}.log"

    @property
    def stdout_file(self) -> Path:
        return self.home / "logs" / f"{self.name}.out"

    @property
    def marker(self) -> str:
        """The command-line argument that says this process belongs to this home."""
        return f"-Datlas-ml.home={self.home}"

    def command(self, java: str) -> list[str]:
        return [
            java,
            f"-Xmx{COMPANION_HEAP}",
            "-XX:+UseG1GC",
            "-Djava.net.preferIPv4Stack=true",
            "-Djava.awt.headless=true",
            self.marker,
            f"-Dlog4j.configuration=file:{self.home / 'conf' / 'atlas-log4j.xml'}",
            f"-Datlas.log.dir={self.home / 'logs'}",
            f"-Datlas.log.file={self.log_file.name}",
            *self.options,
            "-cp",
            ":".join(self.classpath),
            self.main_class,
            *self.arguments(),
        ]

    def pid(self) -> int | None:
        return owned_pid(self.pid_file, self.marker)

    def start(self, java: str) -> subprocess.Popen[bytes]:
        """Write the configuration and start the process (in its own session)."""
        self.write_conf()
        for stale in (self.log_file, self.stdout_file):
            if stale.exists():
                stale.replace(stale.with_suffix(stale.suffix + ".previous"))
        return spawn(self.command(java), self.home, self.stdout_file, self.pid_file)

    def stop(self, grace: float = 60) -> bool:
        """SIGTERM (HBase flushes, Solr commits), SIGKILL after ``grace``; False if not running."""
        pid = self.pid()
        if pid is not None:
            terminate(pid, grace)
        self.pid_file.unlink(missing_ok=True)
        return pid is not None


def _render(template_name: str, target: Path, **values: object) -> None:
    templates = resources.files("atlas_ml.server") / "conf"
    template = Template((templates / template_name).read_text(), keep_trailing_newline=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(template.render(**values))


def hbase(home: Path, ports: CompanionPorts) -> Companion:
    """HBase standalone for Atlas's entity audit table (data in ``data/hbase``)."""
    conf = home / "conf" / "hbase"

    def write_conf() -> None:
        _render(
            "hbase-site.xml.j2",
            conf / "hbase-site.xml",
            rootdir=(home / "data" / "hbase").as_uri(),
            tmp_dir=home / "data" / "hbase-tmp",
            ports=ports,
        )
        _render(
            "zoo.cfg.j2",
            conf / "zoo.cfg",
            data_dir=home / "data" / "hbase-zookeeper",
            port=ports.hbase_zookeeper,
        )

    return Companion(
        "hbase",
        home,
        HBASE_MAIN,
        [str(conf), f"{home / 'hbase' / 'lib'}/*"],
        lambda: [str(conf / "zoo.cfg")],
        write_conf,
    )


def solr(home: Path, ports: CompanionPorts) -> Companion:
    """One SolrCloud node for Atlas's vertex, edge and full-text indexes (``data/solr``)."""
    conf = home / "conf" / "solr"
    solr_home = home / "data" / "solr"
    templates = home / "solr"

    def write_conf() -> None:
        _render(
            "zoo.cfg.j2",
            conf / "zoo.cfg",
            data_dir=home / "data" / "solr-zookeeper",
            port=ports.solr_zookeeper,
        )
        solr_home.mkdir(parents=True, exist_ok=True)
        shutil.copy2(templates / "solr.xml", solr_home / "solr.xml")

    def arguments() -> list[str]:
        # One configset per collection, named after it: JanusGraph creates each collection
        # from the configset of the same name.
        collections = (templates / "collections.txt").read_text().split()
        return [
            str(solr_home),
            str(ports.solr),
            str(conf / "zoo.cfg"),
            f"127.0.0.1:{ports.solr_zookeeper}",
            str(templates / "core-template"),
            *collections,
        ]

    return Companion(
        "solr",
        home,
        SOLR_MAIN,
        [f"{home / 'lib'}/*"],
        arguments,
        write_conf,
        options=(f"-Dsolr.log.dir={home / 'logs'}",),
        ready=lambda: solr_ready(ports.solr),
    )


def solr_ready(port: int) -> bool:
    """The Solr node is live in its cluster and every replica it holds is active.

    Atlas opens its collections right at start-up; a replica still recovering (replaying its
    transaction log after a crash) would fail that.
    """
    try:
        response = requests.get(
            f"http://127.0.0.1:{port}/solr/admin/collections",
            params={"action": "CLUSTERSTATUS", "wt": "json"},
            timeout=5,
        )
        cluster = response.json()["cluster"] if response.ok else None
    except (requests.RequestException, ValueError, KeyError):
        return False
    if not cluster or f"127.0.0.1:{port}_solr" not in cluster.get("live_nodes", []):
        return False
    for collection in cluster.get("collections", {}).values():
        for shard in collection.get("shards", {}).values():
            for replica in shard.get("replicas", {}).values():
                if replica.get("state") != "active":
                    return False
    return True


def wait_for(
    companion: Companion,
    process: subprocess.Popen[bytes],
    ready: Callable[[], bool],
    timeout: float,
) -> None:
    """Poll ``ready`` until it holds; fail naming the log if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            raise ServerError(
                f"{companion.name} exited during start-up (exit code {process.returncode}); "
                f"see {companion.log_file} and {companion.stdout_file}"
            )
        if time.monotonic() > deadline:
            raise ServerError(
                f"{companion.name} did not come up within {timeout:.0f} s; see {companion.log_file}"
            )
        time.sleep(0.5)
