"""atlas-ml: Apache Atlas as the system of record for ML training-data lineage and provenance.

The public API, importable from here (each loads on first use, so ``import atlas_ml`` and
the CLI stay fast and need no optional extra):

- capture: :func:`training_run`, :class:`TrainingRun`, :class:`DatasetRecord`;
- Atlas: :class:`AtlasClient`, :class:`AtlasConfig`, :func:`load_config`;
- read side: :func:`read_lineage` (:class:`Lineage`), :func:`resolve_target`,
  :func:`verify` (:class:`VerifyReport`), :func:`audit` (:class:`AuditReport`),
  :func:`trace` (:class:`TraceResult`), :func:`explain` (:class:`Explanation`);
- errors: :class:`AtlasMLError` and its tree (:mod:`atlas_ml.errors`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from atlas_ml._version import __version__

if TYPE_CHECKING:
    from atlas_ml.audit import AuditReport, audit
    from atlas_ml.client import AtlasClient
    from atlas_ml.config import AtlasConfig, load_config
    from atlas_ml.errors import (
        AmbiguousTarget,
        AtlasAuthError,
        AtlasBadRequest,
        AtlasConflict,
        AtlasError,
        AtlasMLError,
        AtlasNotFound,
        AtlasUnavailable,
        ConfigError,
        EventError,
        FingerprintError,
        InvalidWindow,
        QueryError,
        ServerError,
        SpoolBusy,
        TargetNotFound,
        TypedefError,
        UnknownClassification,
        UnknownTeam,
    )
    from atlas_ml.explain import Explanation, explain
    from atlas_ml.fingerprints import DatasetRecord
    from atlas_ml.lineage import Lineage, read_lineage, resolve_target
    from atlas_ml.trace import TraceResult, trace
    from atlas_ml.tracking import TrainingRun, training_run
    from atlas_ml.verify import VerifyReport, verify

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "training_run": "atlas_ml.tracking",
    "TrainingRun": "atlas_ml.tracking",
    "DatasetRecord": "atlas_ml.fingerprints",
    "AtlasClient": "atlas_ml.client",
    "AtlasConfig": "atlas_ml.config",
    "load_config": "atlas_ml.config",
    "read_lineage": "atlas_ml.lineage",
    "Lineage": "atlas_ml.lineage",
    "resolve_target": "atlas_ml.lineage",
    "verify": "atlas_ml.verify",  # the package, callable as the function
    "VerifyReport": "atlas_ml.verify",
    "audit": "atlas_ml.audit",
    "AuditReport": "atlas_ml.audit",
    "trace": "atlas_ml.trace",
    "TraceResult": "atlas_ml.trace",
    "explain": "atlas_ml.explain",
    "Explanation": "atlas_ml.explain",
    **dict.fromkeys(
        (
            "AtlasMLError",
            "ConfigError",
            "AtlasError",
            "AtlasBadRequest",
            "AtlasAuthError",
            "AtlasNotFound",
            "AtlasConflict",
            "AtlasUnavailable",
            "EventError",
            "SpoolBusy",
            "TypedefError",
            "FingerprintError",
            "TargetNotFound",
            "AmbiguousTarget",
            "QueryError",
            "UnknownClassification",
            "InvalidWindow",
            "UnknownTeam",
            "ServerError",
        ),
        "atlas_ml.errors",
    ),
}

__all__ = [
    "AmbiguousTarget",
    "AtlasAuthError",
    "AtlasBadRequest",
    "AtlasClient",
    "AtlasConfig",
    "AtlasConflict",
    "AtlasError",
    "AtlasMLError",
    "AtlasNotFound",
    "AtlasUnavailable",
    "AuditReport",
    "ConfigError",
    "DatasetRecord",
    "EventError",
    "Explanation",
    "FingerprintError",
    "InvalidWindow",
    "Lineage",
    "QueryError",
    "ServerError",
    "SpoolBusy",
    "TargetNotFound",
    "TraceResult",
    "TrainingRun",
    "TypedefError",
    "UnknownClassification",
    "UnknownTeam",
    "VerifyReport",
    "__version__",
    "audit",
    "explain",
    "load_config",
    "read_lineage",
    "resolve_target",
    "trace",
    "training_run",
    "verify",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'atlas_ml' has no attribute {name!r}")
    imported = importlib.import_module(module)
    # ``verify`` names the function and its package alike: the package is callable as the
    # function, so both ``atlas_ml.verify(...)`` and ``atlas_ml.verify.run`` keep working.
    value = imported if module == f"{__name__}.{name}" else getattr(imported, name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
