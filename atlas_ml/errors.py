"""One tree of errors: everything atlas-ml raises on purpose is an :class:`AtlasMLError`.

Catch ``AtlasMLError`` to handle any of them; catch a branch to handle one kind of problem.
Where a standard exception says the same thing, it stays a base too (a ``ConfigError`` is
a ``ValueError``, ``TargetNotFound`` a ``LookupError``), so code written against those keeps
working. Every message names the problem and, where there is one, the fix.

::

    AtlasMLError
    ├── ConfigError (ValueError)            a setting or config file is malformed  [config]
    ├── AtlasError                          Atlas refused a request or cannot be reached  [client]
    │   ├── AtlasBadRequest                     400: invalid type or entity
    │   ├── AtlasAuthError                      401/403: credentials missing, wrong or not allowed
    │   ├── AtlasNotFound                       404
    │   ├── AtlasConflict                       409
    │   ├── AtlasUnavailable                    unreachable, or 502/503/504 after every retry
    │   └── TypesNotInstalled                   Atlas lacks atlas-ml's types  [lineage]
    ├── PlanError (ValueError)              entities cannot be batched as linked  [client.batching]
    ├── EventError (ValueError)             not a usable OpenLineage run event  [events]
    │   ├── InvalidEvent                        refused by the collector, field named  [collect]
    │   └── SchemaError                         breaks the OpenLineage spec (its models)  [collect]
    ├── SpoolBusy (TimeoutError)            another process holds the spool's lock  [delivery]
    ├── TypedefError (ValueError)           a type definition is malformed or cannot apply
    │   ├── TypedefValidationError              Atlas would refuse it
    │   ├── TypedefInstallError                 install failed on the server
    │   └── UninstallRefused                    entities still use the types
    ├── FingerprintError (ValueError)       data cannot be fingerprinted as given  [fingerprints]
    ├── ManifestError (ValueError)          no file manifest for this location  [fingerprints]
    │   ├── UnsupportedSchemeError              no byte-level access to the URI scheme here
    │   └── ManifestTooLargeError               over the size cap for the driver
    ├── PointerError (ValueError)           version metadata missing or unreadable  [fingerprints]
    │   └── VersionGone                         a table version vacuumed or expired  [tables]
    ├── LayoutError (ValueError)            bytes, but not one readable table  [fingerprints]
    ├── ComplianceError (ValueError)        a compliance fact cannot be recorded  [compliance]
    ├── BadDigest (ValueError)              sha256: not followed by 64 hex digits  [lineage]
    ├── TargetNotFound (LookupError)        nothing in Atlas matches what was named  [lineage]
    │   └── AmbiguousTarget                     several entities match; the message lists them
    │       └── SameContent                         several share a sha256  [lineage]
    ├── QueryError (ValueError)             a read command's question cannot be asked as given
    │   ├── UnknownClassification               Atlas defines no such classification  [audit]
    │   ├── InvalidWindow                       since is not before until  [audit]
    │   └── UnknownTeam                         no run in Atlas names that team  [audit]
    ├── ListenerBuildError (RuntimeError)   the Spark listener jar cannot be built  [spark]
    ├── ServerError (RuntimeError)          the local Atlas cannot start, be reached or stop
    ├── ServerBuildError (RuntimeError)     the local Atlas cannot be assembled
    ├── SnapshotError (RuntimeError)        export/import of the local Atlas failed  [server]
    ├── KerberosSetupError (ValueError)     the local Atlas's SPNEGO settings are incomplete
    ├── CustodyKeyError (ValueError)        a signing or trusted key cannot be used  [custody]
    ├── EnvelopeError (ValueError)          not a DSSE envelope atlas-ml can check  [custody]
    ├── StatementError (ValueError)         not an atlas-ml in-toto Statement  [custody]
    ├── RunNotFound (LookupError)           no training run to check custody of  [custody]
    ├── NothingToVerify (FileNotFoundError) no attestation beside the file  [custody]
    ├── BodyTooLarge (ValueError)           a request body over the collector's limit  [collect]
    ├── TokenFileError (ValueError)         the collector's token file cannot be used  [collect]
    ├── SpecFolderError (ValueError)        the OpenLineage spec folder cannot be used  [collect]
    └── PortUnavailable (OSError)           the collector cannot listen on its port  [collect]

The branches used across the package are defined here; the others live beside the code that
raises them (the module in brackets; typedefs' and the server's below their branch) and are
re-exported by :mod:`atlas_ml`.
"""

from __future__ import annotations


class AtlasMLError(Exception):
    """Base of every error atlas-ml raises on purpose."""


class ConfigError(AtlasMLError, ValueError):
    """A setting is malformed or a named config file cannot be read."""


class AtlasError(AtlasMLError):
    """Atlas refused a request or could not be reached; carries the HTTP status, Atlas's
    ``errorCode`` (``ATLAS-404-00-001`` ...), its message and the request as ``METHOD /path``
    (the query string is left out: it may carry names a log should not hold)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: str | None = None,
        method: str | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.method = method
        self.path = path
        self.hint = hint

    @property
    def request(self) -> str | None:
        if self.method and self.path:
            return f"{self.method} {self.path}"
        return None

    def __str__(self) -> str:
        parts = []
        if self.request:
            parts.append(self.request)
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.error_code:
            parts.append(self.error_code)
        text = f"{self.message} ({', '.join(parts)})" if parts else self.message
        return f"{text}. {self.hint}" if self.hint else text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"error_code={self.error_code!r}, request={self.request!r})"
        )


class AtlasBadRequest(AtlasError):
    """Atlas rejected the request's content (HTTP 400): invalid type or entity."""


class AtlasAuthError(AtlasError):
    """Missing or wrong credentials (401) or not allowed (403)."""


class AtlasNotFound(AtlasError):
    """The type, entity or relationship does not exist (404)."""


class AtlasConflict(AtlasError):
    """The thing already exists or is still referenced (409)."""


class AtlasUnavailable(AtlasError):
    """Atlas cannot be reached or answered 502/503/504 after every retry."""


class EventError(AtlasMLError, ValueError):
    """The event is not a valid OpenLineage run event; the message names what is wrong."""


class SpoolBusy(AtlasMLError, TimeoutError):
    """Another process (an ``atlas-ml push``, another job's delivery) holds the spool's lock."""


class TypedefError(AtlasMLError, ValueError):
    """A type definition is malformed or cannot be applied; names file, type and problem."""

    def __init__(
        self,
        message: str,
        *,
        type_name: str | None = None,
        source: str | None = None,
        atlas_code: str | None = None,
    ) -> None:
        self.type_name = type_name
        self.source = source
        self.atlas_code = atlas_code
        where = ", ".join(
            part
            for part in (
                f"type {type_name!r}" if type_name else "",
                f"in {source}" if source else "",
            )
            if part
        )
        code = f" [{atlas_code}]" if atlas_code else ""
        super().__init__(f"{where}: {message}{code}" if where else f"{message}{code}")


class FingerprintError(AtlasMLError, ValueError):
    """The data cannot be fingerprinted as given (unsupported type, duplicate columns...)."""


class TargetNotFound(AtlasMLError, LookupError):
    """No entity matches the guid, qualifiedName, name or location given."""


class AmbiguousTarget(TargetNotFound):
    """Several entities match a name or location; the message lists them."""


class QueryError(AtlasMLError, ValueError):
    """A read command's question cannot be asked as given (bad input: exit 2)."""


class UnknownClassification(QueryError):
    """Atlas defines no classification of that name; the message lists those it has."""


class InvalidWindow(QueryError):
    """The time window is empty or malformed (``since`` not before ``until``)."""


class UnknownTeam(QueryError):
    """No training run in Atlas names that team."""


class ServerError(AtlasMLError, RuntimeError):
    """The local Atlas could not be started, reached or stopped; the message says why."""


class ServerBuildError(AtlasMLError, RuntimeError):
    """The local Atlas could not be assembled; the message says what to do."""
