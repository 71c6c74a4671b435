"""The project's Atlas types: load, validate, diff, install and uninstall them."""

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
from atlas_ml.typedefs.validate import TypedefValidationError, check_typeset, validate_typeset

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
