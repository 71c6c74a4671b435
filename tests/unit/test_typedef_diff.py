"""Diffing a local type set against a server's: what changes, what Atlas cannot apply."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from atlas_ml.typedefs import TypedefError, TypeSet, load_typeset, plan_install

pytestmark = pytest.mark.unit


def entity_def(**extra: object) -> dict:
    typedef = {
        "name": "x_thing",
        "superTypes": ["DataSet"],
        "typeVersion": "1.0",
        "attributeDefs": [
            {"name": "size", "typeName": "long", "isOptional": True, "cardinality": "SINGLE"}
        ],
    }
    typedef.update(extra)
    return typedef


def as_server(typedef: dict) -> dict:
    """What Atlas answers for a def: bookkeeping and defaults added."""
    served = copy.deepcopy(typedef)
    served.update(
        {"guid": "g-1", "createTime": 1, "version": 3, "subTypes": [], "category": "ENTITY"}
    )
    for attribute in served.get("attributeDefs", []):
        attribute.update({"valuesMinCount": 0, "isIndexable": False, "searchWeight": -1})
    return served


def plan_for(local: dict, remote: dict | None, category: str = "ENTITY"):
    local_set = TypeSet()
    local_set.add(category, local, "local.json")
    server = TypeSet()
    if remote is not None:
        server.add(category, remote, "server")
    return plan_install(local_set, server)


def test_missing_type_is_created():
    assert plan_for(entity_def(), None).create == ["x_thing"]


def test_server_bookkeeping_and_defaults_are_not_changes():
    result = plan_for(entity_def(), as_server(entity_def()))
    assert (result.unchanged, result.update, result.refused) == (["x_thing"], {}, [])


def test_new_optional_attribute_is_an_update_that_keeps_server_only_attributes():
    remote = as_server(entity_def())
    remote["attributeDefs"].append({"name": "legacy", "typeName": "string", "isOptional": True})
    local = entity_def()
    local["attributeDefs"].append({"name": "rows", "typeName": "long", "isOptional": True})
    result = plan_for(local, remote)
    merged = result.update["x_thing"]
    assert [a["name"] for a in merged["attributeDefs"]] == ["size", "legacy", "rows"]
    assert "subTypes" not in merged and merged["guid"] == "g-1"
    assert result.changes["x_thing"] == ["attribute rows: added"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            lambda t: t["attributeDefs"].append(
                {"name": "m", "typeName": "int", "isOptional": False}
            ),
            "ATLAS-400-00-00C",
        ),
        (
            lambda t: t["attributeDefs"].append({"name": "m", "typeName": "int"}),
            "ATLAS-400-00-00C",
        ),
        (lambda t: t["attributeDefs"][0].update(typeName="string"), "ATLAS-400-00-027"),
        (lambda t: t.update(superTypes=[]), "ATLAS-400-00-00E"),
        (lambda t: t["attributeDefs"][0].update(isOptional=False), None),
    ],
    ids=[
        "new-mandatory-attribute",
        "new-attribute-without-isOptional",
        "attribute-type",
        "removed-supertype",
        "optional-attribute-made-mandatory",
    ],
)
def test_changes_atlas_cannot_apply_are_refused(change, code):
    local = entity_def()
    change(local)
    result = plan_for(local, as_server(entity_def()))
    assert [(p.type_name, p.atlas_code) for p in result.refused] == [("x_thing", code)]
    assert result.update == {}


def relationship_def(**extra: object) -> dict:
    typedef = {
        "name": "x_rel",
        "relationshipCategory": "ASSOCIATION",
        "endDef1": {"type": "DataSet", "name": "a", "cardinality": "SINGLE", "isContainer": False},
        "endDef2": {"type": "DataSet", "name": "b", "cardinality": "SET", "isContainer": False},
    }
    typedef.update(extra)
    return typedef


def test_relationship_end_and_category_changes_are_refused():
    moved = relationship_def()
    moved["endDef2"] = {**moved["endDef2"], "name": "c"}
    recategorised = relationship_def(relationshipCategory="AGGREGATION")
    codes = [
        plan_for(local, relationship_def(), "RELATIONSHIP").refused[0].atlas_code
        for local in (moved, recategorised)
    ]
    assert codes == ["ATLAS-400-00-038", "ATLAS-400-00-039"]


def test_category_clash_is_refused():
    local_set = TypeSet()
    local_set.add("CLASSIFICATION", {"name": "PII"}, "local.json")
    server = TypeSet()
    server.add("ENTITY", {"name": "PII"}, "server")
    [problem] = plan_install(local_set, server).refused
    assert "exists on the server as a entity" in str(problem)


def test_patch_adds_attribute_and_bumps_version(tmp_path: Path):
    (tmp_path / "patches").mkdir()
    (tmp_path / "0100-x.json").write_text(json.dumps({"entityDefs": [entity_def()]}))
    patch = {
        "id": "P1",
        "action": "ADD_ATTRIBUTE",
        "typeName": "x_thing",
        "applyToVersion": "1.0",
        "updateToVersion": "1.1",
        "attributeDefs": [{"name": "rows", "typeName": "long", "isOptional": True}],
    }
    (tmp_path / "patches" / "001-x.json").write_text(json.dumps({"patches": [patch]}))
    typedef = load_typeset(tmp_path).defs["x_thing"]
    assert typedef["typeVersion"] == "1.1"
    assert [a["name"] for a in typedef["attributeDefs"]] == ["size", "rows"]
    result = plan_for(typedef, as_server(entity_def()))
    assert sorted(result.changes["x_thing"]) == [
        "attribute rows: added",
        "typeVersion: '1.0' -> '1.1'",
    ]


def test_patch_for_the_wrong_version_names_patch_and_type(tmp_path: Path):
    (tmp_path / "patches").mkdir()
    (tmp_path / "0100-x.json").write_text(json.dumps({"entityDefs": [entity_def()]}))
    patch = {
        "id": "P7",
        "action": "ADD_ATTRIBUTE",
        "typeName": "x_thing",
        "applyToVersion": "1.3",
        "attributeDefs": [],
    }
    (tmp_path / "patches" / "001-x.json").write_text(json.dumps({"patches": [patch]}))
    with pytest.raises(TypedefError, match=r"'x_thing'.*patch P7.*1\.3.*1\.0"):
        load_typeset(tmp_path)


def test_an_older_type_set_never_downgrades_a_newer_server_type():
    newer = as_server(entity_def(typeVersion="1.10"))
    result = plan_for(entity_def(typeVersion="1.9"), newer)
    assert result.update == {} and len(result.refused) == 1
    assert "newer than this type set's 1.9" in str(result.refused[0])
    upgrade = plan_for(entity_def(typeVersion="1.10"), as_server(entity_def(typeVersion="1.9")))
    assert upgrade.refused == [] and list(upgrade.update) == ["x_thing"]


def test_mandatory_attribute_refusals_name_type_file_attribute_and_fix():
    flagless = entity_def()
    flagless["attributeDefs"].append({"name": "region", "typeName": "string"})
    stricter = entity_def()
    stricter["attributeDefs"][0]["isOptional"] = False
    added, tightened = (
        str(plan_for(local, as_server(entity_def())).refused[0]) for local in (flagless, stricter)
    )
    assert added.startswith("type 'x_thing', in local.json: new attribute 'region' is mandatory")
    assert 'no "isOptional"' in added and 'set "isOptional": true' in added
    assert tightened.startswith("type 'x_thing', in local.json: optional attribute 'size'")
    assert 'keep "isOptional": true' in tightened


def test_a_mandatory_attribute_may_become_optional():
    remote = as_server(entity_def())
    remote["attributeDefs"][0]["isOptional"] = False
    result = plan_for(entity_def(), remote)
    assert result.refused == [] and result.changes["x_thing"] == ["attribute size: isOptional"]
