"""Helpers of the collector tests: run ``atlas-ml collect`` as users run it (a subprocess of
this Python, so the checkout's code, with a bearer token and its own spool), and wait for what
it delivered to Atlas."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests

from atlas_ml.client import AtlasClient
from atlas_ml.config import DEFAULT_NAMESPACE
from atlas_ml.server.endpoint import AtlasEndpoint

T = TypeVar("T")
STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class Collector:
    """A running ``atlas-ml collect``."""

    url: str
    token: str
    spool: Path
    log: Path

    @property
    def lineage_url(self) -> str:
        return f"{self.url}/api/v1/lineage"

    def headers(self, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json", **more}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_collector(workdir: Path, atlas: AtlasEndpoint | None, *extra: str) -> Iterator[Collector]:
    """Run ``atlas-ml collect`` until the generator is closed; ``atlas`` None: --no-push."""
    workdir.mkdir(parents=True, exist_ok=True)
    token = "tok-" + os.urandom(12).hex()
    token_file = workdir / "token"
    token_file.write_text(token + "\n")
    port = free_port()
    spool = workdir / "spool"
    log = workdir / "collector.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATLAS_", "OPENLINEAGE"))}
    command = [sys.executable, "-m", "atlas_ml.cli.main", "-v", "collect", "--port", str(port)]
    command += ["--token-file", str(token_file), "--spool", str(spool), *extra]
    if atlas is None:
        command.append("--no-push")
    else:
        config = workdir / "config.toml"  # hermetic: no user config file, default namespace
        config.write_text("[atlas]\n")
        command += ["--url", atlas.url, "--config", str(config)]
        env.update(ATLAS_USER=atlas.username, ATLAS_PASSWORD=atlas.password)
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    collector = Collector(f"http://127.0.0.1:{port}", token, spool, log)
    try:
        wait_for(
            lambda: _healthy(collector.url, process),
            STARTUP_SECONDS,
            lambda: f"the collector did not start:\n{log.read_text()[-3000:]}",
        )
        yield collector
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(url: str, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"the collector exited with {process.returncode}")
    try:
        return requests.get(f"{url}/api/v1/health", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def wait_for(
    probe: Callable[[], T | None],
    timeout: float,
    failure: Callable[[], str] | str = "timed out",
    interval: float = 0.5,
) -> T:
    """The first truthy result of ``probe`` within ``timeout`` seconds, else AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(failure() if callable(failure) else failure)
        time.sleep(interval)


def entity(client: AtlasClient, type_name: str, qualified_name: str) -> dict[str, Any] | None:
    """The entity with ``qualified_name`` (and its referred entities), or None."""
    found = client.entities.get_bulk_by_unique_attributes(type_name, [qualified_name])
    if not found:
        return None
    return client.entities.get(found[0]["guid"], min_ext_info=False)


def related_names(client: AtlasClient, full: dict[str, Any], attribute: str) -> set[str]:
    """qualifiedNames of the active entities ``full["entity"]``'s relationship ``attribute``
    names (its inputs, outputs, parentRun...)."""
    value = (full["entity"].get("relationshipAttributes") or {}).get(attribute) or []
    refs = value if isinstance(value, list) else [value]
    guids = [r["guid"] for r in refs if r.get("relationshipStatus", "ACTIVE") == "ACTIVE"]
    if not guids:
        return set()
    return {e["attributes"]["qualifiedName"] for e in client.entities.get_bulk(guids)}


NAMESPACE = DEFAULT_NAMESPACE
"""The cluster name in the collector's qualifiedNames (its config file sets none)."""


OPENLINEAGE_SPARK_VERSION = "1.53.0"
"""openlineage-spark from Maven Central, the release benchmarks/spark_hook_overhead.py uses
(1.54.0, openlineage-python's release, has no openlineage-spark on Central)."""


def openlineage_spark_jar(scala_binary: str) -> Path:
    """The unmodified openlineage-spark jar for a Scala line, from Maven Central, cached in
    atlas-ml's Maven repository (``<cache>/m2``) and copied to ``<cache>/maven``."""
    from atlas_ml.paths import cache_dir
    from atlas_ml.server.build import maven_repository

    name = f"openlineage-spark_{scala_binary}"
    target = cache_dir() / "maven"
    jar = target / f"{name}-{OPENLINEAGE_SPARK_VERSION}.jar"
    if not jar.exists():
        subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "dependency:copy",
                f"-Dartifact=io.openlineage:{name}:{OPENLINEAGE_SPARK_VERSION}",
                f"-DoutputDirectory={target}",
                f"-Dmaven.repo.local={maven_repository()}",
            ],
            check=True,
            timeout=600,
        )
    return jar
