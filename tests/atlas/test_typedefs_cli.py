"""``atlas-ml typedefs`` end to end against the real Atlas."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from atlas_ml.cli.typedefs import command
from atlas_ml.client import AtlasNotFound

pytestmark = pytest.mark.atlas


def test_dry_run_changes_nothing_then_install_diff_and_uninstall(
    atlas_server, atlas_client, unique, tmp_path
):
    name = f"{unique}_cli"
    typedef = {"name": name, "superTypes": ["DataSet"], "serviceType": "atlas_ml"}
    (tmp_path / "0100-cli.json").write_text(json.dumps({"entityDefs": [typedef]}))
    connection = [
        "--typedefs-dir",
        str(tmp_path),
        "--url",
        atlas_server.url,
        "--user",
        atlas_server.username,
        "--password",
        atlas_server.password,
    ]

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(command, [*args, *connection])
        return result.exit_code, result.output

    assert run("install", "--dry-run") == (
        0,
        f"+ {name}\n1 would be created, 0 would be updated, 0 unchanged\n",
    )
    with pytest.raises(AtlasNotFound):
        atlas_client.typedefs.get(name)
    assert run("diff")[0] == 1

    assert run("install")[0] == 0
    assert run("install")[1].endswith("0 created, 0 updated, 1 unchanged\n")
    assert run("diff")[0] == 0
    code, listing = run("list")
    assert code == 0 and "installed v" in listing

    assert run("uninstall", "--dry-run")[1] == (
        f"- {name}\ndry run: 1 would be deleted; nothing deleted\n"
    )
    assert atlas_client.typedefs.get(name)["name"] == name
    code, output = run("uninstall")
    assert code == 0 and f"- {name}" in output
    with pytest.raises(AtlasNotFound):
        atlas_client.typedefs.get(name)


def test_malformed_file_is_reported_with_its_name(atlas_server, tmp_path):
    (tmp_path / "0100-broken.json").write_text("{ not json")
    result = CliRunner().invoke(
        command, ["install", "--typedefs-dir", str(tmp_path), "--url", atlas_server.url]
    )
    assert result.exit_code == 1
    assert "0100-broken.json" in result.output and "not valid JSON" in result.output


def test_wrongly_shaped_file_is_an_error_naming_the_path_not_a_traceback(atlas_server, tmp_path):
    typedef = {"name": "x_shape", "superTypes": "DataSet"}
    (tmp_path / "0100-shape.json").write_text(json.dumps({"entityDefs": [typedef]}))
    result = CliRunner().invoke(
        command, ["diff", "--typedefs-dir", str(tmp_path), "--url", atlas_server.url]
    )
    assert result.exit_code == 1 and result.exception is not None
    assert not isinstance(result.exception, AttributeError)
    assert result.output == (
        f"Error: type 'x_shape', in {tmp_path / '0100-shape.json'}: "
        'entityDefs[0].superTypes must be a list of strings, got the string "DataSet"\n'
    )


def test_list_marks_a_type_whose_content_differs_at_the_same_type_version(
    atlas_server, unique, tmp_path
):
    name = f"{unique}_listed"
    typedef = {"name": name, "superTypes": ["DataSet"], "serviceType": "atlas_ml"}
    typedef["typeVersion"] = "1.0"
    path = tmp_path / "0100-listed.json"
    connection = ["--typedefs-dir", str(tmp_path), "--url", atlas_server.url]
    connection += ["--user", atlas_server.username, "--password", atlas_server.password]

    def listed() -> str:
        result = CliRunner().invoke(command, ["list", *connection])
        assert result.exit_code == 0, result.output
        return result.output.strip()

    path.write_text(json.dumps({"entityDefs": [typedef]}))
    assert CliRunner().invoke(command, ["install", *connection]).exit_code == 0
    try:
        assert listed().split() == ["entity", name, "installed", "v1.0", "local", "v1.0"]
        edited = {
            **typedef,
            "attributeDefs": [{"name": "n", "typeName": "int", "isOptional": True}],
        }
        path.write_text(json.dumps({"entityDefs": [edited]}))
        assert listed().endswith("local v1.0   differs, update pending (see typedefs diff)")
        edited["attributeDefs"][0]["isOptional"] = False
        path.write_text(json.dumps({"entityDefs": [edited]}))
        assert listed().endswith("differs in a way install refuses (see typedefs diff)")
    finally:
        path.write_text(json.dumps({"entityDefs": [typedef]}))
        assert CliRunner().invoke(command, ["uninstall", *connection]).exit_code == 0
