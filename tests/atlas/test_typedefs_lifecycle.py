"""Installing, upgrading, refusing and removing type definitions on a real Atlas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_ml.cli.typedefs import command
from atlas_ml.client import AtlasClient, AtlasNotFound
from atlas_ml.typedefs import (
    TypedefInstallError,
    TypedefValidationError,
    UninstallRefused,
    install,
    load_typeset,
    server_typeset,
    uninstall,
)

pytestmark = pytest.mark.atlas


def write_types(directory: Path, **sections: list) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "0100-test.json").write_text(json.dumps(sections))
    return directory


def thing_type(name: str, supers: list[str] | None = None) -> dict:
    return {
        "name": name,
        "superTypes": supers or ["DataSet"],
        "serviceType": "atlas_ml",
        "typeVersion": "1.0",
        "attributeDefs": [
            {"name": "colour", "typeName": "string", "isOptional": True, "cardinality": "SINGLE"}
        ],
    }


def assert_absent(client: AtlasClient, *names: str) -> None:
    for name in names:
        with pytest.raises(AtlasNotFound):
            client.typedefs.get(name)


def test_install_puts_every_project_type_on_the_server_and_is_idempotent(atlas_client):
    local = load_typeset()
    install(atlas_client, local)
    server = server_typeset(atlas_client)
    assert set(local.defs) <= set(server.defs)
    for name, category, _ in local.items():
        assert server.categories[name] == category
    again = install(atlas_client, local)
    assert (again.created, again.updated) == ([], [])


def test_patch_adding_an_optional_attribute_upgrades_and_keeps_entities(
    atlas_client, unique, tmp_path
):
    name = f"{unique}_thing"
    types_dir = write_types(tmp_path / "types", entityDefs=[thing_type(name)])
    first = install(atlas_client, load_typeset(types_dir))
    assert first.created == [name]
    qualified_name = f"{unique}.entity@test"
    entity = {
        "typeName": name,
        "attributes": {"qualifiedName": qualified_name, "name": "e", "colour": "teal"},
    }
    guid = atlas_client.entities.upsert([entity]).guids[qualified_name]

    patch = {
        "id": "TEST_PATCH_001",
        "description": "add rows",
        "action": "ADD_ATTRIBUTE",
        "typeName": name,
        "applyToVersion": "1.0",
        "updateToVersion": "1.1",
        "attributeDefs": [
            {"name": "rows", "typeName": "long", "isOptional": True, "cardinality": "SINGLE"}
        ],
    }
    (types_dir / "patches").mkdir()
    (types_dir / "patches" / "001-add-rows.json").write_text(json.dumps({"patches": [patch]}))
    upgrade = install(atlas_client, load_typeset(types_dir))
    assert (upgrade.created, upgrade.updated) == ([], [name])
    served = atlas_client.typedefs.get(name)
    assert served["typeVersion"] == "1.1"
    assert {a["name"] for a in served["attributeDefs"]} == {"colour", "rows"}

    kept = atlas_client.entities.get(guid)["entity"]
    assert kept["attributes"]["colour"] == "teal"
    atlas_client.entities.upsert([{**entity, "attributes": {**entity["attributes"], "rows": 42}}])
    updated = atlas_client.entities.get(guid)["entity"]["attributes"]
    assert (updated["colour"], updated["rows"]) == ("teal", 42)
    assert install(atlas_client, load_typeset(types_dir)).updated == []


@pytest.mark.parametrize(
    ("broken", "code"),
    [
        (
            lambda u: {"entityDefs": [thing_type(f"{u}_orphan", [f"{u}_no_such_super"])]},
            "ATLAS-404-00-001",
        ),
        (lambda u: {"entityDefs": [thing_type(f"{u} bad-name!")]}, "ATLAS-400-00-019"),
        (
            lambda u: {
                "relationshipDefs": [
                    {
                        "name": f"{u}_two_parents",
                        "serviceType": "atlas_ml",
                        "relationshipCategory": "AGGREGATION",
                        "endDef1": {
                            "type": f"{u}_ok",
                            "name": "kids",
                            "isContainer": True,
                            "cardinality": "SET",
                        },
                        "endDef2": {
                            "type": "DataSet",
                            "name": f"{u}_parent",
                            "isContainer": True,
                            "cardinality": "SINGLE",
                        },
                    }
                ]
            },
            "ATLAS-400-00-02D",
        ),
    ],
    ids=["unknown-supertype", "invalid-name", "two-container-ends"],
)
def test_broken_typedefs_are_refused_before_anything_is_sent(
    atlas_client, unique, tmp_path, broken, code
):
    sections = broken(unique)
    sections.setdefault("entityDefs", []).append(thing_type(f"{unique}_ok"))
    types = load_typeset(write_types(tmp_path, **sections))
    with pytest.raises(TypedefValidationError) as caught:
        install(atlas_client, types)
    bad = next(n for n in types.defs if n != f"{unique}_ok")
    assert caught.value.type_name == bad
    assert caught.value.atlas_code == code
    assert bad in str(caught.value) and code in str(caught.value)
    assert_absent(atlas_client, f"{unique}_ok")


def test_changes_that_leave_existing_entities_without_a_mandatory_value_are_refused(
    atlas_client, unique, tmp_path
):
    name = f"{unique}_thing"
    first = thing_type(name)
    first["attributeDefs"].append({"name": "flagless", "typeName": "string"})
    types = load_typeset(write_types(tmp_path / "v1", entityDefs=[first]))
    install(atlas_client, types)
    try:
        served = atlas_client.typedefs.get(name)["attributeDefs"]
        # What the local refusal relies on: Atlas reads a missing isOptional as mandatory.
        assert {a["name"]: a["isOptional"] for a in served} == {"colour": True, "flagless": False}
        added = thing_type(name)
        added["attributeDefs"].append({"name": "region", "typeName": "string"})
        tightened = thing_type(name)
        tightened["attributeDefs"][0]["isOptional"] = False
        for version, changed, words in (
            ("v2", added, "new attribute 'region' is mandatory"),
            ("v3", tightened, "optional attribute 'colour' cannot become mandatory"),
        ):
            with pytest.raises(TypedefValidationError) as caught:
                install(
                    atlas_client,
                    load_typeset(write_types(tmp_path / version, entityDefs=[changed])),
                )
            assert caught.value.type_name == name and words in str(caught.value)
            assert atlas_client.typedefs.get(name)["attributeDefs"] == served
    finally:
        uninstall(atlas_client, types, force=True)


def test_server_side_rejection_leaves_nothing_behind(atlas_client, unique, tmp_path):
    """Without local validation Atlas rejects the one create request whole."""
    sections = {
        "entityDefs": [
            thing_type(f"{unique}_fine"),
            thing_type(f"{unique}_orphan", [f"{unique}_nope"]),
        ]
    }
    with pytest.raises(TypedefInstallError) as caught:
        install(atlas_client, load_typeset(write_types(tmp_path, **sections)), validate=False)
    # Atlas 2.4 answers ATLAS-404-00-001; 2.1 wraps the same message in ATLAS-400-00-029.
    assert caught.value.atlas_code in ("ATLAS-404-00-001", "ATLAS-400-00-029")
    assert f"typename {unique}_nope was invalid" in str(caught.value)
    assert_absent(atlas_client, f"{unique}_fine", f"{unique}_orphan")


def test_rejected_update_rolls_back_the_types_created_with_it(atlas_client, unique, tmp_path):
    existing = thing_type(f"{unique}_old")
    install(atlas_client, load_typeset(write_types(tmp_path / "v1", entityDefs=[existing])))
    changed = json.loads(json.dumps(existing))
    changed["attributeDefs"].append(
        {"name": "bad", "typeName": f"{unique}_missing_enum", "isOptional": True}
    )
    v2 = write_types(tmp_path / "v2", entityDefs=[changed, thing_type(f"{unique}_new")])
    with pytest.raises(TypedefInstallError) as caught:
        install(atlas_client, load_typeset(v2), validate=False)
    assert caught.value.atlas_code is not None
    assert_absent(atlas_client, f"{unique}_new")
    kept = atlas_client.typedefs.get(f"{unique}_old")
    assert [a["name"] for a in kept["attributeDefs"]] == ["colour"]


def test_uninstall_refuses_while_entities_exist_and_force_purges_them(
    atlas_client, unique, tmp_path
):
    parent, child = f"{unique}_parent", f"{unique}_child"
    child_type = {**thing_type(child, [parent]), "attributeDefs": []}
    types = load_typeset(write_types(tmp_path, entityDefs=[thing_type(parent), child_type]))
    install(atlas_client, types)
    qualified_name = f"{unique}.c@test"
    atlas_client.entities.upsert(
        [{"typeName": child, "attributes": {"qualifiedName": qualified_name, "name": "c"}}]
    )
    with pytest.raises(UninstallRefused, match=child):
        uninstall(atlas_client, types)
    server_before = server_typeset(atlas_client)
    assert {parent, child} <= set(server_before.defs)

    report = uninstall(atlas_client, types, force=True)
    assert report.entities_purged == 1
    assert report.deleted.index(child) < report.deleted.index(parent)
    assert_absent(atlas_client, parent, child)
    assert "DataSet" in server_typeset(atlas_client).defs


def tag_type(name: str, supers: list[str] | None = None) -> dict:
    return {
        "name": name,
        "superTypes": supers or [],
        "serviceType": "atlas_ml",
        "typeVersion": "1.0",
        "attributeDefs": [],
    }


def hdfs_path(qualified_name: str, tags: list[dict]) -> dict:
    name = qualified_name.split("@")[0]
    return {
        "typeName": "hdfs_path",
        "attributes": {"qualifiedName": qualified_name, "name": name, "path": name},
        "classifications": tags,
    }


def hdfs_ref(qualified_name: str) -> dict:
    return {"typeName": "hdfs_path", "uniqueAttributes": {"qualifiedName": qualified_name}}


def tagged_lineage(client: AtlasClient, unique: str, tag: str) -> tuple[str, str]:
    """raw (tagged with ``tag``, propagating) -> a Process -> clean; their qualifiedNames."""
    raw, clean = f"/{unique}/raw@test", f"/{unique}/clean@test"
    client.entities.upsert(
        [hdfs_path(raw, [{"typeName": tag, "propagate": True}]), hdfs_path(clean, [])]
    )
    process = {"qualifiedName": f"{unique}.clean@test", "name": "clean"}
    client.entities.upsert(
        [
            {
                "typeName": "Process",
                "attributes": {**process, "inputs": [hdfs_ref(raw)], "outputs": [hdfs_ref(clean)]},
            }
        ]
    )
    return raw, clean


def tags_of(client: AtlasClient, qualified_name: str) -> list[str]:
    entity = client.entities.get_by_unique_attribute("hdfs_path", qualified_name)
    return [t["typeName"] for t in entity["entity"].get("classifications") or []]


def test_force_uninstall_untags_stock_entities_tagged_with_a_subclassification_or_propagated(
    atlas_client, unique, tmp_path
):
    parent_tag, child_tag = f"{unique}_Sensitive", f"{unique}_PII"
    types = load_typeset(
        write_types(
            tmp_path, classificationDefs=[tag_type(parent_tag), tag_type(child_tag, [parent_tag])]
        )
    )
    install(atlas_client, types)
    raw, clean = tagged_lineage(atlas_client, unique, child_tag)

    assert tags_of(atlas_client, clean) == [child_tag]  # propagated from raw
    with pytest.raises(UninstallRefused, match=child_tag) as refused:
        uninstall(atlas_client, types)
    assert parent_tag not in str(refused.value)  # nothing carries the parent tag itself

    uninstall(atlas_client, types, force=True)
    assert_absent(atlas_client, parent_tag, child_tag)
    # untagged, not deleted: they are stock entities
    assert tags_of(atlas_client, raw) == [] and tags_of(atlas_client, clean) == []


def test_force_uninstall_dry_run_counts_only_the_entities_it_untags_not_propagated_copies(
    atlas_server, atlas_client, unique, tmp_path
):
    tag = f"{unique}_PII"
    types_dir = write_types(tmp_path, classificationDefs=[tag_type(tag)])
    types = load_typeset(types_dir)
    install(atlas_client, types)
    raw, clean = tagged_lineage(atlas_client, unique, tag)
    assert tags_of(atlas_client, clean) == [tag]

    dry = uninstall(atlas_client, types, force=True, dry_run=True)
    # raw was tagged; the process and clean only inherited the tag
    assert (dry.instances, dry.propagated) == ({tag: 1}, {tag: 2})
    connection = ["--url", atlas_server.url, "--user", atlas_server.username]
    connection += ["--password", atlas_server.password, "--typedefs-dir", str(types_dir)]
    result = CliRunner().invoke(command, ["uninstall", "--dry-run", "--force", *connection])
    assert result.output.splitlines()[0] == (
        f"{tag}: 1 entity tagged with it directly would be untagged; "
        "2 entities that only inherited it by propagation would lose it too"
    )

    real = uninstall(atlas_client, types, force=True)
    assert (real.instances, real.propagated) == (dry.instances, dry.propagated)
    assert tags_of(atlas_client, raw) == [] and tags_of(atlas_client, clean) == []


def test_uninstall_leaves_same_named_types_it_did_not_install(atlas_client, unique, tmp_path):
    foreign = thing_type(f"{unique}_foreign")
    foreign["serviceType"] = "someone_else"
    install(atlas_client, load_typeset(write_types(tmp_path, entityDefs=[foreign])))
    report = uninstall(atlas_client, load_typeset(tmp_path))
    assert report.deleted == [] and f"{unique}_foreign" in report.skipped
    assert atlas_client.typedefs.get(f"{unique}_foreign")["name"] == f"{unique}_foreign"
