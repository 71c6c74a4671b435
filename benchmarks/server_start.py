"""Start-up time and memory of the local Atlas: the persistent server vs the embedded baseline.

- **persistent** (what ``atlas-ml server start`` runs): Atlas + a Solr node + HBase standalone
  with the lossless audit repository, all data under ``data/``;
- **embedded** (the baseline it replaced): Solr inside the Atlas JVM (atlas-testtools'
  ``LocalSolrRunner``, a new random folder at every start) and ``InMemoryEntityAuditRepository``.

Each round starts both from empty data (order alternated), measures the seconds to ACTIVE and
the resident memory of every process once ACTIVE, and the stop; the persistent server is also
restarted on its data, and killed with SIGKILL and started again (the baseline cannot reopen
its data at all). Both run on free ports in a temporary folder, sharing the built server's jars,
so a running local Atlas is left alone. Medians are printed, with ratios persistent/embedded.

    .venv/bin/python benchmarks/server_start.py --rounds 3

Needs ``atlas-ml server build`` (and the machine should be otherwise idle: three JVMs start).
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import socket
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from atlas_ml.server.build import DEFAULT_ATLAS_VERSION, atlas_home, is_built
from atlas_ml.server.companions import Companion
from atlas_ml.server.local import LocalAtlas, ServerSettings
from atlas_ml.server.process import is_gone, rss_bytes

EMBEDDED_PROPERTIES = {
    "atlas.graph.index.search.solr.embedded": "true",
    "atlas.graph.index.search.solr.zookeeper-url": "localhost:2181",
    "atlas.EntityAuditRepository.impl": (
        "org.apache.atlas.repository.audit.InMemoryEntityAuditRepository"
    ),
}


class EmbeddedBaseline(LocalAtlas):
    """The local server as it was before: one JVM, index and audit trail lost at every stop."""

    @property
    def companions(self) -> list[Companion]:
        return []

    def _write_conf(self) -> None:
        super()._write_conf()
        path = self.home / "conf" / "atlas-application.properties"
        lines = []
        for line in path.read_text().splitlines():
            key = line.split("=", 1)[0]
            lines.append(
                f"{key}={EMBEDDED_PROPERTIES[key]}" if key in EMBEDDED_PROPERTIES else line
            )
        path.write_text("\n".join(lines) + "\n")

    def _command(self, java: str) -> list[str]:
        command = super()._command(java)
        at = command.index("-cp")
        solr = [f"-Dembedded.solr.directory={self.home}", f"-Dsolr.log.dir={self.home / 'logs'}"]
        return command[:at] + solr + command[at:]

    def _check_layout(self) -> None:
        """Never reopened: every start of the baseline is a fresh one."""


def _free_block(size: int) -> int:
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        sockets = []
        try:
            for port in range(first, first + size):
                taken = socket.socket()
                sockets.append(taken)
                taken.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for taken in sockets:
                taken.close()
    raise RuntimeError("no free block of ports")


def _server(kind: type[LocalAtlas], home: Path) -> LocalAtlas:
    built = atlas_home(DEFAULT_ATLAS_VERSION)
    home.mkdir(parents=True)
    for part in ("lib", "server", "models", "solr", "hbase"):
        (home / part).symlink_to(built / part)
    first = _free_block(8)
    settings = replace(
        ServerSettings.from_env(),
        http_port=first + 7,
        zookeeper_port=first,
        kafka_port=first + 1,
    )
    return kind(settings, home=home)


def _rss_mb(server: LocalAtlas) -> dict[str, float]:
    pids = {"atlas": server.pid(), **{c.name: c.pid() for c in server.companions}}
    return {name: (rss_bytes(pid) or 0) / 2**20 for name, pid in pids.items() if pid}


def _timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def _round(server: LocalAtlas, figures: dict[str, list[float]], persistent: bool) -> None:
    figures["fresh start s"].append(_timed(lambda: server.start(fresh=True, quiet=True)))
    for name, mb in _rss_mb(server).items():
        figures[f"RSS {name} MB"].append(mb)
    figures["RSS total MB"].append(sum(_rss_mb(server).values()))
    figures["stop s"].append(_timed(server.stop))
    if not persistent:
        return
    figures["restart on its data s"].append(_timed(lambda: server.start(quiet=True)))
    pids = [pid for pid in (server.pid(), *(c.pid() for c in server.companions)) if pid]
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    while not all(is_gone(pid) for pid in pids):  # the crash is over: now recover
        time.sleep(0.1)
    figures["start after kill -9 s"].append(_timed(lambda: server.start(quiet=True)))
    server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not is_built(DEFAULT_ATLAS_VERSION):
        raise SystemExit("build the local Atlas first: atlas-ml server build")
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"load {os.getloadavg()[0]:.1f}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    results: dict[str, dict[str, list[float]]] = {
        "embedded": defaultdict(list),
        "persistent": defaultdict(list),
    }
    with tempfile.TemporaryDirectory(prefix="atlas-ml-bench-") as tmp:
        servers = {
            "embedded": _server(EmbeddedBaseline, Path(tmp) / "embedded"),
            "persistent": _server(LocalAtlas, Path(tmp) / "persistent"),
        }
        try:
            for number in range(args.rounds):
                order = ["embedded", "persistent"]
                if number % 2:
                    order.reverse()
                for name in order:
                    _round(servers[name], results[name], persistent=name == "persistent")
                    print(f"round {number + 1}: {name} done", flush=True)
        finally:
            for server in servers.values():
                server.stop(grace=30)
    rows = sorted({key for figures in results.values() for key in figures})
    print(
        f"\n{'median of ' + str(args.rounds) + ' rounds':<24}{'embedded':>10}{'persistent':>12}"
        f"{'ratio':>8}"
    )
    for row in rows:
        cells = []
        for name in ("embedded", "persistent"):
            values = results[name].get(row)
            cells.append(statistics.median(values) if values else None)
        shown = [f"{c:>10.1f}" if c is not None else f"{'-':>10}" for c in cells]
        base, new = cells
        ratio = f"{new / base:>8.2f}" if base and new is not None else f"{'':>8}"
        print(f"{row:<24}{shown[0]}{shown[1]:>12}{ratio}")


if __name__ == "__main__":
    main()
