"""atlas-ml: Apache Atlas as the system of record for ML training-data lineage and provenance.

The public API, importable from here (each loads on first use, so ``import atlas_ml`` and
the CLI stay fast and need no optional extra):

- capture: :func:`training_run`, :class:`TrainingRun`, :func:`pipeline_run`,
  :class:`PipelineRun`, :class:`DatasetRecord`;
- Atlas: :class:`AtlasClient`, :class:`AtlasConfig`, :func:`load_config`;
- read side: :func:`read_lineage` (:class:`Lineage`), :func:`resolve_target`,
  :func:`verify` (:class:`VerifyReport`), :func:`audit` (:class:`AuditReport`),
  :func:`trace` (:class:`TraceResult`), :func:`explain` (:class:`Explanation`);
- errors: :class:`AtlasMLError` and every error of its tree (:mod:`atlas_ml.errors`).
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from atlas_ml._version import __version__

# A library's loggers stay silent until the application configures logging (no last-resort
# stderr output inside a user's job); what the user must act on goes through notices.py.
logging.getLogger("atlas_ml").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from atlas_ml.audit import AuditReport, audit
    from atlas_ml.client import AtlasClient
    from atlas_ml.client.batching import PlanError
    from atlas_ml.collect.intake import BodyTooLarge, InvalidEvent
    from atlas_ml.collect.models import SchemaError
    from atlas_ml.collect.schema import SpecFolderError
    from atlas_ml.collect.server import PortUnavailable, TokenFileError
    from atlas_ml.compliance import ComplianceError
    from atlas_ml.config import AtlasConfig, load_config
    from atlas_ml.custody.check import RunNotFound
    from atlas_ml.custody.envelope import EnvelopeError
    from atlas_ml.custody.keys import CustodyKeyError
    from atlas_ml.custody.offline import NothingToVerify
    from atlas_ml.custody.statement import StatementError
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
        ServerBuildError,
        ServerError,
        SpoolBusy,
        TargetNotFound,
        TypedefError,
        UnknownClassification,
        UnknownTeam,
    )
    from atlas_ml.explain import Explanation, explain
    from atlas_ml.fingerprints import DatasetRecord
    from atlas_ml.fingerprints.hadoop import ManifestTooLargeError
    from atlas_ml.fingerprints.manifest import ManifestError, UnsupportedSchemeError
    from atlas_ml.fingerprints.pointers import PointerError
    from atlas_ml.fingerprints.readers import LayoutError
    from atlas_ml.fingerprints.tables import VersionGone
    from atlas_ml.lineage import Lineage, read_lineage, resolve_target
    from atlas_ml.lineage.by_content import BadDigest, SameContent
    from atlas_ml.lineage.resolve import TypesNotInstalled
    from atlas_ml.server.kerberos import KerberosSetupError
    from atlas_ml.server.snapshot import SnapshotError
    from atlas_ml.spark.jar import ListenerBuildError
    from atlas_ml.trace import TraceResult, trace
    from atlas_ml.tracking import PipelineRun, TrainingRun, pipeline_run, training_run
    from atlas_ml.typedefs.install import TypedefInstallError, UninstallRefused
    from atlas_ml.typedefs.validate import TypedefValidationError
    from atlas_ml.verify import VerifyReport, verify

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "training_run": "atlas_ml.tracking",
    "TrainingRun": "atlas_ml.tracking",
    "pipeline_run": "atlas_ml.tracking",
    "PipelineRun": "atlas_ml.tracking",
    "DatasetRecord": "atlas_ml.fingerprints",
    "AtlasClient": "atlas_ml.client",
    "AtlasConfig": "atlas_ml.config",
    "load_config": "atlas_ml.config",
    "read_lineage": "atlas_ml.lineage",
    "Lineage": "atlas_ml.lineage",
    "resolve_target": "atlas_ml.lineage",
    "verify": "atlas_ml.verify",  # the package, callable as the function
    "VerifyReport": "atlas_ml.verify",
    "audit": "atlas_ml.audit",  # the packages below are callable as their function too
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
            "ServerBuildError",
        ),
        "atlas_ml.errors",
    ),
    # the errors that live beside the code raising them (see the tree in atlas_ml.errors)
    "TypesNotInstalled": "atlas_ml.lineage.resolve",
    "PlanError": "atlas_ml.client.batching",
    "TypedefValidationError": "atlas_ml.typedefs.validate",
    "TypedefInstallError": "atlas_ml.typedefs.install",
    "UninstallRefused": "atlas_ml.typedefs.install",
    "ManifestError": "atlas_ml.fingerprints.manifest",
    "UnsupportedSchemeError": "atlas_ml.fingerprints.manifest",
    "ManifestTooLargeError": "atlas_ml.fingerprints.hadoop",
    "PointerError": "atlas_ml.fingerprints.pointers",
    "LayoutError": "atlas_ml.fingerprints.readers",
    "ListenerBuildError": "atlas_ml.spark.jar",
    "SnapshotError": "atlas_ml.server.snapshot",
    "KerberosSetupError": "atlas_ml.server.kerberos",
    "VersionGone": "atlas_ml.fingerprints.tables",
    "CustodyKeyError": "atlas_ml.custody.keys",
    "EnvelopeError": "atlas_ml.custody.envelope",
    "StatementError": "atlas_ml.custody.statement",
    "RunNotFound": "atlas_ml.custody.check",
    "NothingToVerify": "atlas_ml.custody.offline",
    "BadDigest": "atlas_ml.lineage.by_content",
    "SameContent": "atlas_ml.lineage.by_content",
    "ComplianceError": "atlas_ml.compliance",
    "InvalidEvent": "atlas_ml.collect.intake",
    "SchemaError": "atlas_ml.collect.models",
    "BodyTooLarge": "atlas_ml.collect.intake",
    "TokenFileError": "atlas_ml.collect.server",
    "SpecFolderError": "atlas_ml.collect.schema",
    "PortUnavailable": "atlas_ml.collect.server",
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
    "BadDigest",
    "BodyTooLarge",
    "ComplianceError",
    "ConfigError",
    "CustodyKeyError",
    "DatasetRecord",
    "EnvelopeError",
    "EventError",
    "Explanation",
    "FingerprintError",
    "InvalidEvent",
    "InvalidWindow",
    "KerberosSetupError",
    "LayoutError",
    "Lineage",
    "ListenerBuildError",
    "ManifestError",
    "ManifestTooLargeError",
    "NothingToVerify",
    "PipelineRun",
    "PlanError",
    "PointerError",
    "PortUnavailable",
    "QueryError",
    "RunNotFound",
    "SameContent",
    "SchemaError",
    "ServerBuildError",
    "ServerError",
    "SnapshotError",
    "SpecFolderError",
    "SpoolBusy",
    "StatementError",
    "TargetNotFound",
    "TokenFileError",
    "TraceResult",
    "TrainingRun",
    "TypedefError",
    "TypedefInstallError",
    "TypedefValidationError",
    "TypesNotInstalled",
    "UninstallRefused",
    "UnknownClassification",
    "UnknownTeam",
    "UnsupportedSchemeError",
    "VerifyReport",
    "VersionGone",
    "__version__",
    "audit",
    "explain",
    "load_config",
    "pipeline_run",
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
