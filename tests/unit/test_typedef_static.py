"""The shipped type definitions are well-formed against the stock Atlas models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas_ml.typedefs import TypeSet, check_typeset, load_typeset
from atlas_ml.typedefs.model import CATEGORIES

pytestmark = pytest.mark.unit

STOCK_MODELS = Path(__file__).resolve().parents[2] / ".." / "shared" / "atlas-models"


def stock_typeset() -> TypeSet:
    """Stock models plus the attributes and supertypes their patches add."""
    stock = TypeSet()
    files = sorted(p for p in STOCK_MODELS.rglob("*.json") if p.parent.name != "patches")
    assert files, f"no stock models under {STOCK_MODELS}"
    for path in files:
        stock.extend(json.loads(path.read_text()), str(path))
    for path in sorted(STOCK_MODELS.rglob("patches/*.json")):
        for patch in json.loads(path.read_text()).get("patches", []):
            typedef = stock.defs.get(patch.get("typeName"))
            if typedef is None:
                continue
            if patch["action"] == "ADD_ATTRIBUTE":
                typedef.setdefault("attributeDefs", []).extend(patch["attributeDefs"])
            elif patch["action"] == "ADD_SUPER_TYPES":
                typedef["superTypes"] = [*typedef.get("superTypes", []), *patch["superTypes"]]
    return stock


def stock_names() -> set[str]:
    names: set[str] = set()
    for path in STOCK_MODELS.rglob("*.json"):
        body = json.loads(path.read_text())
        for key in CATEGORIES:
            names.update(t["name"] for t in body.get(key, []))
    return names


def test_no_project_type_collides_with_a_stock_type():
    assert set(load_typeset().defs) & stock_names() == set()


def test_every_reference_resolves_in_stock_plus_project_types():
    assert check_typeset(load_typeset(), stock_typeset()) == []


def test_every_project_entity_type_bears_lineage():
    project, stock = load_typeset(), stock_typeset()

    def ancestors(name: str) -> set[str]:
        typedef = project.defs.get(name) or stock.defs[name]
        found = set(typedef.get("superTypes") or [])
        for parent in list(found):
            found |= ancestors(parent)
        return found

    for name in project.names("ENTITY"):
        assert ancestors(name) & {"DataSet", "Process"}, name


def test_every_project_type_is_marked_as_atlas_ml_for_safe_uninstall():
    project = load_typeset()
    unmarked = [n for n, _, t in project.items() if t.get("serviceType") != "atlas_ml"]
    assert unmarked == []


def test_sensitivity_taxonomy_is_rooted_at_sensitive():
    project = load_typeset()
    for name in ("PII", "UserBehavior"):
        assert project.defs[name]["superTypes"] == ["Sensitive"]


def test_compliance_metadata_applies_to_models_and_model_versions():
    compliance = load_typeset().defs["atlasml_compliance"]
    for attribute in compliance["attributeDefs"]:
        applicable = json.loads(attribute["options"]["applicableEntityTypes"])
        assert applicable == ["atlasml_model", "atlasml_model_version"]
