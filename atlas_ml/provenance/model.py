"""What the read commands know about one entity of the provenance graph, as plain data.

Atlas hands back entities as nested JSON whose shape depends on the type; the read side
(audit, trace, explain) and the reports need the same few facts of each, named the same way
everywhere. :mod:`.build` makes these records from Atlas's JSON; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from atlas_ml.typedefs import names

DATASET_VERSION = names.DATASET_VERSION_TYPE
TRANSFORM = names.TRANSFORM_TYPE
TRAINING_RUN = names.TRAINING_RUN_TYPE
PIPELINE_RUN = names.PIPELINE_RUN_TYPE
MODEL = names.MODEL_TYPE
MODEL_VERSION = names.MODEL_VERSION_TYPE
EVALUATION = names.EVALUATION_TYPE
VALIDATION = names.VALIDATION_TYPE
SPARK_PROCESS = names.SPARK_PROCESS_TYPE
SPARK_APPLICATION = names.SPARK_APPLICATION_TYPE

UNSIGNED = "UNSIGNED"
"""Custody status of a run with no attestation (the only status until custody checks run)."""


@dataclass(frozen=True)
class ClassificationMark:
    """A classification an entity carries: attached to it, or propagated from
    ``source_guid`` (``None`` with ``propagated`` when the origin is not known)."""

    name: str
    source_guid: str | None
    propagated: bool
    attributes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sourceGuid": self.source_guid,
            "propagated": self.propagated,
            "attributes": dict(self.attributes),
        }


@dataclass
class Node:
    """One entity: its identity, kind, classifications and the attributes Atlas holds.

    ``kind`` is ``dataset`` (data of any type, dataset versions included), ``process``
    (steps, Spark processes, runs, evaluations), ``model_version``, ``model`` or ``other``
    (a Spark application).
    """

    guid: str
    type_name: str
    qualified_name: str
    name: str
    kind: str
    status: str = "ACTIVE"
    classifications: list[ClassificationMark] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    business: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Business metadata by name (``atlasml_compliance``, ``atlasml_provenance``)."""
    inputs: list[str] = field(default_factory=list)
    """A process's inputs (guids)."""
    outputs: list[str] = field(default_factory=list)
    """A process's outputs (guids)."""
    producers: list[str] | None = None
    """The processes that wrote a dataset (guids); ``None`` until read."""
    ref_types: dict[str, str] = field(default_factory=dict)
    """Type of every entity this one links to (inputs, outputs, producers), by guid."""
    dataset: DatasetFacts | None = None
    step: StepFacts | None = None
    run: RunFacts | None = None
    model: ModelFacts | None = None
    evaluation: EvaluationFacts | None = None
    validation: ValidationFacts | None = None

    @property
    def label(self) -> str:
        return self.name or self.qualified_name or self.guid

    @property
    def is_process(self) -> bool:
        return self.kind == "process"

    def attribute(self, name: str) -> Any:
        return self.attributes.get(name)

    def carries(self, classification: str) -> bool:
        return any(mark.name == classification for mark in self.classifications)

    def classification_names(self) -> list[str]:
        return sorted({mark.name for mark in self.classifications})

    def direct_classifications(self) -> list[ClassificationMark]:
        """Classifications attached to this entity itself (not propagated to it)."""
        return [mark for mark in self.classifications if not mark.propagated]

    def to_dict(self) -> dict[str, Any]:
        """The node as the JSON reports carry it: identity, classifications, and the facts
        of its kind (raw attributes are left out: they can hold whole source files)."""
        data: dict[str, Any] = {
            "guid": self.guid,
            "typeName": self.type_name,
            "qualifiedName": self.qualified_name,
            "name": self.name,
            "status": self.status,
            "classifications": [mark.to_dict() for mark in self.classifications],
        }
        if self.is_process:
            data["inputs"] = list(self.inputs)
            data["outputs"] = list(self.outputs)
        for key, facts in (
            ("dataset", self.dataset),
            ("step", self.step),
            ("run", self.run),
            ("modelVersion", self.model),
            ("evaluation", self.evaluation),
            ("validation", self.validation),
        ):
            if facts is not None:
                data[key] = facts.to_dict()
        if self.business:
            data["businessMetadata"] = {k: dict(v) for k, v in self.business.items()}
        return data


@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass
class DatasetFacts:
    """The recorded facts of a dataset version (or of plain data, with most of them empty)."""

    uri: str | None = None
    format: str | None = None
    version_pointer: str | None = None
    version_kind: str | None = None
    manifest_root_hash: str | None = None
    content_hash: str | None = None
    file_sha256: str | None = None
    row_count: int | None = None
    schema: list[Column] | None = None
    schema_fingerprint: str | None = None
    column_hashes: dict[str, str] = field(default_factory=dict)
    verification_status: str | None = None
    verified_time: str | None = None
    captured_time: str | None = None
    origin: str | None = None
    licence: str | None = None
    snapshot_of: str | None = None
    """The physical data (path, table) a dataset version is a snapshot of."""
    versions: list[str] = field(default_factory=list)
    """Of physical data: its recorded dataset versions (read with relationships)."""
    validation_guids: list[str] = field(default_factory=list)
    """Data-quality validations of this exact version (Great Expectations results)."""

    @property
    def has_fingerprint(self) -> bool:
        return bool(self.manifest_root_hash or self.content_hash)

    def to_dict(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "format": self.format,
            "versionPointer": self.version_pointer,
            "versionKind": self.version_kind,
            "manifestRootHash": self.manifest_root_hash,
            "contentHash": self.content_hash,
            "fileSha256": self.file_sha256,
            "rowCount": self.row_count,
            "schema": [{"name": c.name, "type": c.type} for c in self.schema]
            if self.schema is not None
            else None,
            "schemaFingerprint": self.schema_fingerprint,
            "verificationStatus": self.verification_status,
            "verifiedTime": self.verified_time,
            "capturedTime": self.captured_time,
            "origin": self.origin,
            "licence": self.licence,
        }


@dataclass
class StepFacts:
    """What a process recorded about the work it did: why, with which code and settings."""

    step_kind: str | None = None
    reasoning: str | None = None
    code_reference: str | None = None
    code_revision: str | None = None
    code_fingerprint: str | None = None
    code_location: str | None = None
    code_source: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    team: str | None = None
    owner: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    run_guid: str | None = None
    """The run (training or pipeline) this step belongs to."""
    application_guid: str | None = None
    """The Spark application of a Spark process."""
    blocked_classifications: list[str] = field(default_factory=list)
    propagation_note: str | None = None
    inferred: bool = False
    evidence: str | None = None

    @property
    def has_code(self) -> bool:
        return bool(self.code_fingerprint or self.code_reference or self.code_revision)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stepKind": self.step_kind,
            "reasoning": self.reasoning,
            "codeReference": self.code_reference,
            "codeRevision": self.code_revision,
            "codeFingerprint": self.code_fingerprint,
            "codeLocation": self.code_location,
            "parameters": dict(self.parameters),
            "team": self.team,
            "owner": self.owner,
            "startTime": self.start_time,
            "endTime": self.end_time,
            "runGuid": self.run_guid,
            "applicationGuid": self.application_guid,
            "blockedClassifications": list(self.blocked_classifications),
            "propagationNote": self.propagation_note,
            "inferred": self.inferred,
            "evidence": self.evidence,
        }


@dataclass
class RunFacts:
    """A training or pipeline run: its code, settings, who ran it, when and how it ended."""

    status: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    team: str | None = None
    operator: str | None = None
    code_reference: str | None = None
    code_revision: str | None = None
    code_dirty: bool | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    framework: str | None = None
    framework_version: str | None = None
    input_roles: dict[str, str] = field(default_factory=dict)
    """qualifiedName of each input -> the role it played (train, test, ...)."""
    attestations: list[dict[str, Any]] | None = None
    """Links to the run's signed attestations (deleted ones too), when read with its
    relationships; ``None`` when not read."""
    custody: str = UNSIGNED
    """Chain-of-custody status of the run's signed record (SIGNED-OK, TAMPERED, UNTRUSTED,
    CHAIN-GAP, UNSIGNED); see :mod:`atlas_ml.provenance.custody`."""
    custody_summary: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "startTime": self.start_time,
            "endTime": self.end_time,
            "team": self.team,
            "operator": self.operator,
            "codeReference": self.code_reference,
            "codeRevision": self.code_revision,
            "codeDirty": self.code_dirty,
            "parameters": dict(self.parameters),
            "metrics": dict(self.metrics),
            "framework": self.framework,
            "frameworkVersion": self.framework_version,
            "inputRoles": dict(self.input_roles),
            "custody": {"status": self.custody, "summary": self.custody_summary},
        }


@dataclass
class ModelFacts:
    """A model version: its artifact, its model, its team and its compliance facts."""

    model_guid: str | None = None
    model_name: str | None = None
    artifact_sha256: str | None = None
    artifact_uri: str | None = None
    artifact_locations: list[str] = field(default_factory=list)
    framework: str | None = None
    framework_version: str | None = None
    version_number: int | None = None
    stage: str | None = None
    registered_time: str | None = None
    team: str | None = None
    owner: str | None = None
    evaluation_guids: list[str] = field(default_factory=list)
    deployment_guids: list[str] = field(default_factory=list)
    compliance: dict[str, Any] = field(default_factory=dict)
    """``atlasml_compliance`` of the version, over that of its model."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model_name,
            "modelGuid": self.model_guid,
            "artifactSha256": self.artifact_sha256,
            "artifactUri": self.artifact_uri,
            "artifactLocations": list(self.artifact_locations),
            "framework": self.framework,
            "frameworkVersion": self.framework_version,
            "versionNumber": self.version_number,
            "stage": self.stage,
            "registeredTime": self.registered_time,
            "team": self.team,
            "owner": self.owner,
            "compliance": dict(self.compliance),
        }


@dataclass
class EvaluationFacts:
    metrics: dict[str, float] = field(default_factory=dict)
    passed: bool | None = None
    criteria: str | None = None
    evaluator: str | None = None
    evaluated_time: str | None = None
    dataset_role: str | None = None
    team: str | None = None
    dataset_guids: list[str] = field(default_factory=list)
    validations: list[dict[str, Any]] = field(default_factory=list)
    """Data-quality results tied to the evaluation data (Great Expectations, when recorded)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "metrics": dict(self.metrics),
            "passed": self.passed,
            "criteria": self.criteria,
            "evaluator": self.evaluator,
            "evaluatedTime": self.evaluated_time,
            "datasetRole": self.dataset_role,
            "team": self.team,
            "datasetGuids": list(self.dataset_guids),
        }


@dataclass
class ValidationFacts:
    """A data-quality validation of one dataset version (a Great Expectations result)."""

    suite: str | None = None
    success: bool | None = None
    tool: str | None = None
    statistics: dict[str, float] = field(default_factory=dict)
    failed_expectations: list[str] = field(default_factory=list)
    validated_time: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "success": self.success,
            "tool": self.tool,
            "statistics": dict(self.statistics),
            "failedExpectations": list(self.failed_expectations),
            "validatedTime": self.validated_time,
        }
