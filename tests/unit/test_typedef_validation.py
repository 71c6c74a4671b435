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
