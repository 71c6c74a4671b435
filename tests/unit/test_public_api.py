"""``import atlas_ml`` is the public API: complete, importable, light, and one error tree.

Modelled on httpx's ``test_exported_members``: what the package documents is in ``__all__``,
what ``__all__`` names resolves, and the errors drawn in :mod:`atlas_ml.errors` are the
errors the package defines.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import atlas_ml
import atlas_ml.errors

pytestmark = pytest.mark.unit

INIT = Path(atlas_ml.__file__)
HEAVY = ("pandas", "numpy", "pyarrow", "pyspark", "sklearn", "requests", "rich", "jsonschema")


CALLABLE_PACKAGES = {
    "verify": "atlas_ml.verify.run",
    "audit": "atlas_ml.audit.run",
    "trace": "atlas_ml.trace.run",
    "explain": "atlas_ml.explain",
}
"""Exported names that are packages callable as their function, and where it is defined."""


def _function(name: str) -> object:
    return getattr(importlib.import_module(CALLABLE_PACKAGES[name]), name)


def test_every_name_in_all_resolves_and_is_what_it_is_called() -> None:
    for name in atlas_ml.__all__:
        value = getattr(atlas_ml, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__name__ == name, f"atlas_ml.{name} is {value!r}"
    assert callable(atlas_ml.verify)
    assert atlas_ml.__version__ == importlib.import_module("atlas_ml._version").__version__


def test_all_lists_every_lazy_export_and_nothing_else() -> None:
    exports = vars(atlas_ml)["_EXPORTS"]
    assert atlas_ml.__all__ == sorted({*exports, "__version__"})


def test_from_atlas_ml_import_star_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from atlas_ml import *", namespace)
    assert set(atlas_ml.__all__) <= set(namespace)


def test_dir_lists_every_public_name() -> None:
    assert set(atlas_ml.__all__) <= set(dir(atlas_ml))


def test_type_checkers_see_the_same_names_as_all() -> None:
    """The ``if TYPE_CHECKING:`` imports are what mypy and IDEs see: the same set, from the
    same modules as the lazy loader uses."""
    tree = ast.parse(INIT.read_text())
    [block] = [
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    ]
    seen = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    exports = vars(atlas_ml)["_EXPORTS"]
    assert set(seen) == set(exports)
    for name, module in seen.items():
        if name in CALLABLE_PACKAGES:  # the package, callable as the function mypy sees
            function = _function(name)
            assert getattr(atlas_ml, name).__signature__ == inspect.signature(function)
            assert callable(getattr(atlas_ml, name))
            continue
        assert getattr(importlib.import_module(str(module)), name) is getattr(atlas_ml, name)


def test_every_name_the_package_docstring_documents_is_exported() -> None:
    documented = set(re.findall(r":(?:func|class):`~?([A-Za-z_]+)`", atlas_ml.__doc__ or ""))
    assert documented, "the package docstring names no API"
    assert documented <= set(atlas_ml.__all__), sorted(documented - set(atlas_ml.__all__))


def test_import_atlas_ml_loads_no_heavy_dependency() -> None:
    code = (
        "import sys, atlas_ml; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_the_api_reference_page_documents_every_public_name() -> None:
    """docs/api.md (rendered by mkdocstrings) has a ``::: path`` for each name in ``__all__``,
    or for the module that defines it."""
    page = INIT.parents[1] / "docs" / "api.md"
    documented: set[int] = set()
    for path in re.findall(r"^::: ([\w.]+)$", page.read_text(), flags=re.M):
        try:
            value = importlib.import_module(path)
        except ImportError:
            module, _, name = path.rpartition(".")
            value = getattr(importlib.import_module(module), name)
        documented.add(id(value))
        if inspect.ismodule(value):
            documented.update(
                id(v) for v in vars(value).values() if getattr(v, "__module__", None) == path
            )
    for name in atlas_ml.__all__:
        if name == "__version__":
            continue
        value = _function(name) if name in CALLABLE_PACKAGES else getattr(atlas_ml, name)
        assert id(value) in documented, f"docs/api.md does not document atlas_ml.{name}"


# --- the error tree --------------------------------------------------------------------------
def _drawn_tree() -> dict[str, str | None]:
    """Class name -> parent class name, as drawn in atlas_ml.errors' docstring."""
    doc = atlas_ml.errors.__doc__ or ""
    lines = [line for line in doc.splitlines() if re.search(r"(├──|└──|^\s*AtlasMLError\b)", line)]
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in lines:
        match = re.match(r"^(\s*(?:[│ ]\s*)*(?:├──|└──)?\s*)([A-Za-z]+)", line)
        assert match, line
        depth, name = len(match.group(1)), match.group(2)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((depth, name))
    return parents


def _defined_exceptions() -> dict[str, type[BaseException]]:
    """Every public exception class a module of atlas_ml (outside atlas_ml.cli) defines.

    A private one (``_Refused`` of the collector: an HTTP answer on its way out of a request
    handler) never leaves its module, so it belongs to no tree."""
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(atlas_ml.__path__, "atlas_ml."):
        if info.name == "atlas_ml.cli" or info.name.startswith("atlas_ml.cli."):
            continue  # click's exceptions, for exit codes and usage messages
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found[name] = value
    return found


def test_every_exception_atlas_ml_defines_is_an_atlas_ml_error_drawn_in_the_tree() -> None:
    drawn = _drawn_tree()
    defined = _defined_exceptions()
    assert len(defined) > 20
    for name, cls in defined.items():
        assert issubclass(cls, atlas_ml.AtlasMLError), f"{cls.__module__}.{name}"
        assert name in drawn, f"{cls.__module__}.{name} is not drawn in atlas_ml/errors.py"
    assert set(drawn) == set(defined), f"drawn but not defined: {set(drawn) - set(defined)}"


def test_the_tree_draws_each_error_under_its_nearest_atlas_ml_base() -> None:
    defined = _defined_exceptions()
    for name, parent in _drawn_tree().items():
        cls = defined[name]
        nearest = next(
            (base for base in cls.__mro__[1:] if base in defined.values()),
            None,
        )
        assert (nearest.__name__ if nearest else None) == parent, name


def test_every_error_of_the_tree_is_exported_from_atlas_ml() -> None:
    for name in _drawn_tree():
        assert name in atlas_ml.__all__, name
        assert getattr(atlas_ml, name).__name__ == name
