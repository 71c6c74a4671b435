"""Broken type definitions are refused locally, naming file, type and Atlas error code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas_ml.typedefs import TypedefError, TypeSet, check_typeset, load_typeset

pytestmark = pytest.mark.unit


def known() -> TypeSet:
    base = TypeSet()
    base.add(
        "ENTITY",
        {
            "name": "Referenceable",
            "attributeDefs": [{"name": "qualifiedName", "typeName": "string"}],
        },
        "stock",
    )
    base.add("ENTITY", {"name": "DataSet", "superTypes": ["Referenceable"]}, "stock")
    base.add("CLASSIFICATION", {"name": "Tag"}, "stock")
    return base


def problems_of(**sections: list) -> list[TypedefError]:
    return check_typeset(TypeSet.from_types_def(sections, "f.json"), known())


def entity(name: str, supers: list[str] | None = None, attrs: list | None = None) -> dict:
    return {"name": name, "superTypes": supers or ["DataSet"], "attributeDefs": attrs or []}


def relationship(name: str, category: str, end1: dict, end2: dict) -> dict:
    return {"name": name, "relationshipCategory": category, "endDef1": end1, "endDef2": end2}


def end(type_name: str, name: str, container: bool = False, cardinality: str = "SINGLE") -> dict:
    return {"type": type_name, "name": name, "isContainer": container, "cardinality": cardinality}


def single(problems: list[TypedefError]) -> TypedefError:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_valid_definitions_pass():
    assert (
        problems_of(
            entityDefs=[entity("x_ok", attrs=[{"name": "n", "typeName": "map<string,array<int>>"}])]
        )
        == []
    )


def test_unknown_supertype():
    problem = single(problems_of(entityDefs=[entity("x_child", ["x_missing"])]))
    assert (problem.type_name, problem.atlas_code, problem.source) == (
        "x_child",
        "ATLAS-404-00-001",
        "f.json",
    )
    assert "x_missing" in str(problem)


def test_invalid_name():
    problem = single(problems_of(entityDefs=[entity("9-bad-name")]))
    assert (problem.type_name, problem.atlas_code) == ("9-bad-name", "ATLAS-400-00-019")


def test_relationship_with_two_container_ends():
    rel = relationship(
        "x_rel", "AGGREGATION", end(("DataSet"), "a", True), end("DataSet", "b", True)
    )
    problem = single(problems_of(relationshipDefs=[rel]))
    assert (problem.type_name, problem.atlas_code) == ("x_rel", "ATLAS-400-00-02D")


@pytest.mark.parametrize(
    ("rel", "code"),
    [
        (
            relationship("r", "ASSOCIATION", end("DataSet", "a", True), end("DataSet", "b")),
            "ATLAS-400-00-030",
        ),
        (
            relationship("r", "COMPOSITION", end("DataSet", "a"), end("DataSet", "b")),
            "ATLAS-400-00-031",
        ),
        (
            relationship(
                "r",
                "COMPOSITION",
                end("DataSet", "a", True, "SET"),
                end("DataSet", "b", False, "SET"),
            ),
            "ATLAS-400-00-033",
        ),
        (
            relationship(
                "r", "ASSOCIATION", end("DataSet", "a", False, "LIST"), end("DataSet", "b")
            ),
            "ATLAS-400-00-034",
        ),
        (
            relationship("r", "ASSOCIATION", end("x_none", "a"), end("DataSet", "b")),
            "ATLAS-404-00-00E",
        ),
    ],
)
def test_relationship_rules(rel, code):
    assert single(problems_of(relationshipDefs=[rel])).atlas_code == code


def test_attribute_rules():
    attrs = [
        {"name": "a", "typeName": "x_unknown"},
        {"name": "b", "typeName": "string", "cardinality": "SET"},
        {"name": "qualifiedName", "typeName": "string"},
    ]
    codes = sorted(p.atlas_code or "" for p in problems_of(entityDefs=[entity("x_e", attrs=attrs)]))
    assert codes == ["ATLAS-400-00-012", "ATLAS-400-00-09D", "ATLAS-404-00-001"]


def test_supertype_of_wrong_category():
    problem = single(problems_of(entityDefs=[entity("x_e", ["Tag"])]))
    assert problem.atlas_code == "ATLAS-400-00-003"


def test_business_metadata_string_needs_max_length_and_known_entity_types():
    bm = {
        "name": "x_bm",
        "attributeDefs": [
            {
                "name": "s",
                "typeName": "string",
                "options": {"applicableEntityTypes": '["DataSet"]'},
            },
            {"name": "t", "typeName": "int", "options": {"applicableEntityTypes": '["x_nope"]'}},
        ],
    }
    codes = sorted(p.atlas_code or "" for p in problems_of(businessMetadataDefs=[bm]))
    assert codes == ["ATLAS-400-00-02B", "ATLAS-404-00-001"]


def test_malformed_json_names_the_file(tmp_path: Path):
    (tmp_path / "0100-x.json").write_text('{"entityDefs": [ {"name": "x_a",}]}')
    with pytest.raises(TypedefError, match=r"0100-x\.json.*not valid JSON.*line 1"):
        load_typeset(tmp_path)


def test_a_typedef_file_that_is_not_utf8_is_named_not_a_traceback(tmp_path: Path):
    (tmp_path / "0100-x.json").write_bytes(b'\xff\xfe{"entityDefs": []}')
    with pytest.raises(TypedefError, match=r"0100-x\.json.*not UTF-8 text"):
        load_typeset(tmp_path)


def test_type_defined_in_two_files_names_both(tmp_path: Path):
    for name in ("0100-a.json", "0110-b.json"):
        (tmp_path / name).write_text(
            json.dumps({"enumDefs": [{"name": "x_e", "elementDefs": [{"value": "A"}]}]})
        )
    with pytest.raises(TypedefError, match=r"'x_e'.*0110-b\.json.*also in .*0100-a\.json"):
        load_typeset(tmp_path)


def test_unknown_section_is_refused(tmp_path: Path):
    (tmp_path / "0100-a.json").write_text('{"entityDef": []}')
    with pytest.raises(TypedefError, match=r"unknown section.*entityDef"):
        load_typeset(tmp_path)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"entityDefs": [entity("x_e", attrs=["x"])]},
            "type 'x_e', in {file}: entityDefs[0].attributeDefs[0] must be an object, "
            'got the string "x"',
        ),
        (
            {"entityDefs": [{**entity("x_e"), "attributeDefs": {"name": "x"}}]},
            "type 'x_e', in {file}: entityDefs[0].attributeDefs must be a list of objects, "
            "got an object",
        ),
        (
            {"entityDefs": [{**entity("x_e"), "superTypes": "DataSet"}]},
            "type 'x_e', in {file}: entityDefs[0].superTypes must be a list of strings, "
            'got the string "DataSet"',
        ),
        (
            {"enumDefs": [{"name": "x_en", "elementDefs": ["A", "B"]}]},
            "type 'x_en', in {file}: enumDefs[0].elementDefs[0] must be an object, "
            'got the string "A"',
        ),
        (
            {"entityDefs": [{**entity("x_e"), "typeVersion": 1.10}]},
            "type 'x_e', in {file}: entityDefs[0].typeVersion must be a string, got the number 1.1",
        ),
        (
            {
                "entityDefs": [
                    entity("x_e", attrs=[{"name": "a", "typeName": "int", "isOptional": "true"}])
                ]
            },
            "type 'x_e', in {file}: entityDefs[0].attributeDefs[0].isOptional must be true or "
            'false, got the string "true"',
        ),
        (
            {"entityDefs": {"name": "x_e"}},
            "in {file}: entityDefs must be a list of objects, got an object",
        ),
        ([], "in {file}: the top level must be an object, got a list"),
    ],
    ids=[
        "string-for-attribute",
        "object-for-attribute-list",
        "string-for-supertypes",
        "strings-for-enum-elements",
        "number-for-type-version",
        "string-for-isOptional",
        "object-for-section",
        "list-for-file",
    ],
)
def test_wrongly_shaped_typedef_file_names_file_json_path_and_expected_shape(
    tmp_path: Path, body: object, error: str
):
    path = tmp_path / "0100-x.json"
    path.write_text(json.dumps(body))
    with pytest.raises(TypedefError) as caught:
        load_typeset(tmp_path)
    assert str(caught.value) == error.format(file=path)


@pytest.mark.parametrize(
    ("patches", "error"),
    [
        ({"patches": ["oops"]}, 'in {file}: patches[0] must be an object, got the string "oops"'),
        (
            {"patches": [{"typeName": "x_e", "action": "ADD_ATTRIBUTE", "attributeDefs": {}}]},
            "type 'x_e', in {file}: patches[0].attributeDefs must be a list of objects, "
            "got an object",
        ),
        ({"patch": []}, "in {file}: patches is missing; it must be a list of objects"),
    ],
    ids=["string-for-patch", "object-for-attribute-list", "no-patches-key"],
)
def test_wrongly_shaped_patch_file_names_file_json_path_and_expected_shape(
    tmp_path: Path, patches: object, error: str
):
    (tmp_path / "0100-x.json").write_text(json.dumps({"entityDefs": [entity("x_e")]}))
    (tmp_path / "patches").mkdir()
    path = tmp_path / "patches" / "001-x.json"
    path.write_text(json.dumps(patches))
    with pytest.raises(TypedefError) as caught:
        load_typeset(tmp_path)
    assert str(caught.value) == error.format(file=path)
