"""The Docker files reference what exists and run the same launcher as developers use."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def test_compose_builds_from_the_repository_with_the_dockerfile() -> None:
    compose = (ROOT / "docker" / "docker-compose.yml").read_text()
    assert "context: .." in compose
    assert "dockerfile: docker/Dockerfile" in compose
    assert "127.0.0.1:21000:21000" in compose
    assert (ROOT / "docker" / "Dockerfile").is_file()


def test_dockerfile_builds_and_starts_atlas_with_the_atlas_ml_cli() -> None:
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert "FROM maven:3.9-eclipse-temurin-11 AS build" in dockerfile
    assert "FROM eclipse-temurin:11-jre" in dockerfile
    assert "atlas-ml server build" in dockerfile
    assert "server start --foreground --bind-address 0.0.0.0" in dockerfile
    assert "--fresh" not in dockerfile.split("CMD", 1)[1], "a restarted container keeps its data"


def test_compose_keeps_the_servers_data_folder_in_a_volume() -> None:
    compose = (ROOT / "docker" / "docker-compose.yml").read_text()
    assert "atlas-data:/opt/atlas-ml/atlas/2.1.0/data" in compose
    assert "\nvolumes:\n  atlas-data:" in compose
