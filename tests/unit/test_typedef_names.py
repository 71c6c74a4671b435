"""atlas_ml.typedefs.names holds every Atlas type name atlas-ml uses, and the code uses it."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from atlas_ml.paths import shipped_dir
from atlas_ml.server.build import find_models
from atlas_ml.typedefs import names

pytestmark = pytest.mark.unit

PACKAGE = Path(names.__file__).resolve().parents[1]
DEF_KEYS = (
    "enumDefs",
    "structDefs",
    "classificationDefs",
    "entityDefs",
    "relationshipDefs",
    "businessMetadataDefs",
)
CONSTANTS = {
    key: value
    for key, value in vars(names).items()
    if key.isupper() and isinstance(value, str) and key != "PROJECT_PREFIX"
}
OWN = {value for value in CONSTANTS.values() if value not in names.STOCK_TYPES}


def _defined_in(folder: Path) -> set[str]:
    defined: set[str] = set()
    for path in folder.glob("*.json"):
        body = json.loads(path.read_text())
        for key in DEF_KEYS:
            defined.update(typedef["name"] for typedef in body.get(key, []))
    return defined


def test_every_type_in_typedefs_has_a_constant() -> None:
    missing = _defined_in(shipped_dir("typedefs")) - OWN
    assert not missing, f"add constants for {sorted(missing)} to atlas_ml/typedefs/names.py"


def test_every_own_constant_names_a_type_typedefs_define() -> None:
    unknown = OWN - _defined_in(shipped_dir("typedefs"))
    assert not unknown, f"names.py names types no typedefs/*.json defines: {sorted(unknown)}"


def test_every_type_a_patch_changes_has_a_constant() -> None:
    patched = {
        patch["typeName"]
        for path in (shipped_dir("typedefs") / "patches").glob("*.json")
        for patch in json.loads(path.read_text()).get("patches", [])
    }
    assert patched, "typedefs/patches holds no patch"
    assert patched <= set(CONSTANTS.values()), sorted(patched - set(CONSTANTS.values()))


def test_every_project_type_name_starts_with_the_prefix_but_classifications() -> None:
    classifications = {v for k, v in CONSTANTS.items() if k.endswith("_CLASSIFICATION")}
    assert classifications
    for value in OWN - classifications:
        assert value.startswith(names.PROJECT_PREFIX), value


def test_every_stock_constant_names_a_type_of_atlas_stock_models() -> None:
    models = find_models()
    assert models is not None, "stock models not found: set ATLAS_ML_MODELS"
    stock: set[str] = set()
    for path in models.rglob("*.json"):
        if path.parent.name == "patches":
            continue
        body = json.loads(path.read_text())
        for key in DEF_KEYS:
            stock.update(typedef["name"] for typedef in body.get(key, []))
    assert stock >= names.STOCK_TYPES, sorted(names.STOCK_TYPES - stock)
    assert not OWN & stock, f"atlas-ml's own names clash with stock types: {OWN & stock}"


def _type_name_literals(path: Path) -> list[str]:
    """String literals in ``path`` that are an Atlas type name; docstrings and ``__all__``
    (a function may be named like a type: ``naming.hive_table``) left out."""
    tree = ast.parse(path.read_text())
    skipped = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            skipped.update(id(item) for item in ast.walk(node.value))
    type_names = set(CONSTANTS.values()) - {
        names.PII_CLASSIFICATION,  # classification names also name columns, arguments, ...
        names.SENSITIVE_CLASSIFICATION,
        names.USER_BEHAVIOR_CLASSIFICATION,
    }
    return [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in type_names and id(node) not in skipped
    ]


def test_the_code_names_atlas_types_through_the_constants() -> None:
    found = [
        literal
        for path in sorted(PACKAGE.rglob("*.py"))
        # names.py defines them; facets.py names OpenLineage facets (atlasml_transform is
        # both a facet and a type)
        if path.relative_to(PACKAGE).as_posix() not in ("typedefs/names.py", "events/facets.py")
        for literal in _type_name_literals(path)
    ]
    assert not found, "use atlas_ml.typedefs.names instead of:\n" + "\n".join(found)
