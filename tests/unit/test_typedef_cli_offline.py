"""The typedefs commands against a stub Atlas: what a dry run names, what diff exits with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from atlas_ml.cli import options
from atlas_ml.cli.typedefs import command
from atlas_ml.client import AtlasUnavailable
from atlas_ml.typedefs import load_typeset
from atlas_ml.typedefs.install import uninstall

pytestmark = pytest.mark.unit


def entity(name: str, supertype: str) -> dict[str, Any]:
    return {"name": name, "superTypes": [supertype], "serviceType": "atlas_ml"}


class StubTypedefs:
    def __init__(self, served: dict[str, Any]) -> None:
        self.served = served
        self.deleted: list[Any] = []

    def get_all(self) -> dict[str, Any]:
        return self.served

    def delete(self, body: Any) -> None:
        self.deleted.append(body)


class StubSearch:
    def basic(self, *args: Any, **kwargs: Any) -> Any:
        return iter(())  # no entity of any type


class StubClient:
    """An Atlas holding a parent type and its subtype, and no entities."""

    def __init__(self) -> None:
        parent = {**entity("x_parent", "DataSet"), "category": "ENTITY"}
        child = {**entity("x_child", "x_parent"), "category": "ENTITY"}
        dataset = {"name": "DataSet", "superTypes": [], "category": "ENTITY"}
        self.typedefs = StubTypedefs({"entityDefs": [dataset, parent, child]})
        self.search = StubSearch()

    def __enter__(self) -> StubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def typedefs_dir(tmp_path: Path) -> Path:
    types = [entity("x_parent", "DataSet"), entity("x_child", "x_parent")]
    (tmp_path / "0100-x.json").write_text(json.dumps({"entityDefs": types}))
    return tmp_path


def test_dry_run_report_lists_the_types_it_would_delete_subtypes_first(typedefs_dir: Path):
    client = StubClient()
    report = uninstall(client, load_typeset(typedefs_dir), dry_run=True)  # type: ignore[arg-type]
    assert report.deleted == ["x_child", "x_parent"]
    assert client.typedefs.deleted == []


def test_dry_run_cli_prints_each_type_it_would_delete(
    typedefs_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    client = StubClient()
    monkeypatch.setattr(options, "AtlasClient", lambda config: client)
    result = CliRunner().invoke(
        command, ["uninstall", "--dry-run", "--typedefs-dir", str(typedefs_dir)]
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        "- x_child\n- x_parent\ndry run: 2 would be deleted; nothing deleted\n"
    )
    assert client.typedefs.deleted == []


class UnreachableTypedefs:
    def get_all(self) -> dict[str, Any]:
        raise AtlasUnavailable("cannot connect to Atlas at http://atlas.invalid:21000")


@pytest.mark.parametrize(
    ("served", "exit_code"),
    [("same", 0), ("missing", 1), ("unreachable", 3)],
)
def test_diff_exit_status_tells_drift_from_an_atlas_it_cannot_read(
    typedefs_dir: Path, monkeypatch: pytest.MonkeyPatch, served: str, exit_code: int
):
    client = StubClient()
    if served == "missing":
        client.typedefs.served["entityDefs"].pop()  # x_child
    elif served == "unreachable":
        client.typedefs = UnreachableTypedefs()  # type: ignore[assignment]
    monkeypatch.setattr(options, "AtlasClient", lambda config: client)
    result = CliRunner().invoke(command, ["diff", "--typedefs-dir", str(typedefs_dir)])
    assert result.exit_code == exit_code, result.output
