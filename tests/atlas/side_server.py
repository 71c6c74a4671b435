"""A second local Atlas beside the suite's own, for tests that stop it or reconfigure it.

It gets its own home (sharing the built server's jars, webapp, Solr templates, HBase and models
by symlink), its own ports and a 1 GB heap, so stopping or Kerberizing it disturbs nothing else.
"""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from atlas_ml.server.build import DEFAULT_ATLAS_VERSION, atlas_home, is_built
from atlas_ml.server.local import LocalAtlas, ServerSettings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def free_port_block(size: int) -> int:
    """The first of ``size`` consecutive free ports (ZooKeeper, Kafka, HBase and Solr)."""
    for _ in range(50):
        first = free_port()
        if first + size > 65535:
            continue
        probes = []
        try:
            for port in range(first, first + size):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise RuntimeError(f"no block of {size} free ports found")


def side_server(home: Path, **settings: Any) -> LocalAtlas:
    """A :class:`LocalAtlas` in ``home`` on free ports; ``settings`` override the rest."""
    built = atlas_home(DEFAULT_ATLAS_VERSION)
    if not is_built(DEFAULT_ATLAS_VERSION):
        pytest.fail("the local Atlas is not built: run 'atlas-ml server build' (make test does)")
    for part in ("lib", "server", "models", "solr", "hbase"):
        (home / part).symlink_to(built / part)
    zookeeper = free_port_block(7)  # the companions take the five ports after Kafka's
    chosen = replace(
        ServerSettings.from_env(),
        http_port=free_port(),
        kafka_port=zookeeper + 1,
        zookeeper_port=zookeeper,
        heap="1g",
        **settings,
    )
    return LocalAtlas(chosen, home=home)
