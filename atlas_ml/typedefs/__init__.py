"""The project's Atlas types: load, validate, diff, install and uninstall them.

The names below load on first use: the pure layers import :mod:`atlas_ml.typedefs.names`
(the type-name constants), and that must not pull in the REST client that install needs.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from atlas_ml.typedefs.diff import TypedefPlan, plan_install
    from atlas_ml.typedefs.install import (
        InstallReport,
        TypedefInstallError,
        UninstallRefused,
        UninstallReport,
        install,
        plan,
        server_typeset,
        uninstall,
    )
    from atlas_ml.typedefs.kinds import TypedefError
    from atlas_ml.typedefs.load import load_typeset
    from atlas_ml.typedefs.model import TypeSet
    from atlas_ml.typedefs.validate import (
        TypedefValidationError,
        check_typeset,
        validate_typeset,
    )

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "TypedefPlan": "atlas_ml.typedefs.diff",
    "plan_install": "atlas_ml.typedefs.diff",
    "InstallReport": "atlas_ml.typedefs.install",
    "TypedefInstallError": "atlas_ml.typedefs.install",
    "UninstallRefused": "atlas_ml.typedefs.install",
    "UninstallReport": "atlas_ml.typedefs.install",
    "install": "atlas_ml.typedefs.install",
    "plan": "atlas_ml.typedefs.install",
    "server_typeset": "atlas_ml.typedefs.install",
    "uninstall": "atlas_ml.typedefs.install",
    "TypedefError": "atlas_ml.typedefs.kinds",
    "load_typeset": "atlas_ml.typedefs.load",
    "TypeSet": "atlas_ml.typedefs.model",
    "TypedefValidationError": "atlas_ml.typedefs.validate",
    "check_typeset": "atlas_ml.typedefs.validate",
    "validate_typeset": "atlas_ml.typedefs.validate",
}

__all__ = [
    "InstallReport",
    "TypeSet",
    "TypedefError",
    "TypedefInstallError",
    "TypedefPlan",
    "TypedefValidationError",
    "UninstallRefused",
    "UninstallReport",
    "check_typeset",
    "install",
    "load_typeset",
    "plan",
    "plan_install",
    "server_typeset",
    "uninstall",
    "validate_typeset",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """Keeps ``atlas_ml.typedefs.install`` the function: importing the submodule of the same
    name sets it as an attribute of this package, which would otherwise hide the function."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "install" and isinstance(value, types.ModuleType):
            value = value.install
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
