"""atlas-ml's custom OpenLineage facets, as typed classes.

Facets are JSON objects inside an OpenLineage event; OpenLineage requires ``_producer`` and
``_schemaURL`` on each. What is ML-specific travels in the facets below, whose names start
with ``atlasml_``. Each class is the one description of its facet: the Python producers build
it, :meth:`Facet.to_dict` turns it into the event's JSON (fields that are None left out), and
``tools/generate_facet_schemas.py`` writes its JSON Schema to
``atlas_ml/events/schemas/<facet name>.json``, where ``_schemaURL`` points. The mapper reads
the JSON (``facet.get("rowCount")``), so events written by older versions and other producers
still map.

**Adding a field** is one line in the class (camelCase, as in the JSON, with a docstring
below it), then ``python tools/generate_facet_schemas.py`` to update the committed schema
(``tests/unit/test_event_facets.py`` fails until it is). **Adding a facet** is a
:class:`Facet` subclass with its ``NAME`` constant, one entry in :data:`FACET_CLASSES`, and
the same command. The schemas are closed
(``additionalProperties: false``), so a producer writing a field no class declares (the JVM
listener's ``atlasml_spark`` included, checked in ``tests/spark/``) fails the tests.

- ``atlasml_datasetVersion`` (dataset facet): :class:`DatasetVersionFacet`.
- ``atlasml_fileStatus`` (dataset facet): :class:`FileStatusFacet`.
- ``atlasml_classifications`` (dataset facet): :class:`ClassificationsFacet`.
- ``atlasml_transform`` (run facet): :class:`TransformFacet`.
- ``atlasml_trainingRun`` (run facet): :class:`TrainingRunFacet`.
- ``atlasml_pipelineRun`` (run facet of a data-preparation run): :class:`PipelineRunFacet`.
- ``atlasml_evaluation`` (run facet): :class:`EvaluationFacet`.
- ``atlasml_modelVersion`` (dataset facet on an output): :class:`ModelVersionFacet`.
- ``atlasml_validation`` (run facet): :class:`ValidationFacet`.
- ``atlasml_custody`` (run facet of a training run's terminal event): :class:`CustodyFacet`.
- ``atlasml_spark`` (run facet, written by the JVM listener): :class:`SparkFacet`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

PRODUCER = "https://github.com/atlas-ml/atlas-ml"
SCHEMA_BASE = "https://raw.githubusercontent.com/atlas-ml/atlas-ml/main/atlas_ml/events/schemas"
"""Where the committed facet schemas are published: ``<SCHEMA_BASE>/<facet name>.json``."""
BASE_FACET_SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/BaseFacet"

DATASET_VERSION = "atlasml_datasetVersion"
CLASSIFICATIONS = "atlasml_classifications"
FILE_STATUS = "atlasml_fileStatus"
TRANSFORM = "atlasml_transform"
TRAINING_RUN = "atlasml_trainingRun"
PIPELINE_RUN = "atlasml_pipelineRun"
EVALUATION = "atlasml_evaluation"
MODEL_VERSION = "atlasml_modelVersion"
SPARK = "atlasml_spark"
VALIDATION = "atlasml_validation"
CUSTODY = "atlasml_custody"


def to_json(value: Any) -> Any:
    """``value`` as JSON-ready data: dataclasses become objects without their None fields
    (a facet also gets ``_producer``/``_schemaURL``), lists and dicts are converted inside."""
    if isinstance(value, Facet):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_json(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    return value


@dataclass(kw_only=True)
class Facet:
    """Base of every facet: its name in the event and where its schema is published."""

    NAME: ClassVar[str]
    SCHEMA_URL: ClassVar[str | None] = None
    """Set by facets whose schema someone else publishes (OpenLineage's own facets)."""

    @classmethod
    def schema_url(cls) -> str:
        return cls.SCHEMA_URL or f"{SCHEMA_BASE}/{cls.NAME}.json"

    def to_dict(self) -> dict[str, Any]:
        """The facet's JSON: ``_producer``, ``_schemaURL``, then every field that is set."""
        body = {
            f.name: to_json(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not None
        }
        return {"_producer": PRODUCER, "_schemaURL": self.schema_url(), **body}


# --- atlasml_datasetVersion ----------------------------------------------------------------
@dataclass
class SchemaField:
    """One column: its name and type as the reader saw it."""

    name: str
    type: str | None = None


@dataclass(kw_only=True)
class DatasetVersionFacet(Facet):
    """The exact version of data that was read or written: its fingerprints, where it can
    be read again, and what the user declared about it."""

    NAME: ClassVar[str] = DATASET_VERSION

    contentHash: str | None = None
    """Logical content hash: order-independent, identical in pandas and Spark."""
    manifestRootHash: str | None = None
    """Root hash of the file manifest (``sha256:`` + hex): the exact bytes."""
    rowCount: int | None = None
    schemaFingerprint: str | None = None
    schema: list[SchemaField] | None = None
    fingerprints: str | None = None
    """JSON of the full manifest and the logical fingerprint with per-column sums, so that
    ``verify`` can say what changed."""
    uri: str | None = None
    """Where ``verify`` can read the data again."""
    format: str | None = None
    versionPointer: str | None = None
    """What Delta/Iceberg/Hudi/DVC/git calls this version."""
    versionKind: str | None = None
    """Which system ``versionPointer`` comes from (``delta``, ``iceberg``, ``dvc``, ...)."""
    role: str | None = None
    """How the run used it: raw, train, test, validation, ..."""
    origin: str | None = None
    licence: str | None = None
    description: str | None = None
    derivedFrom: str | None = None
    """In-memory data a recorded step made: digest of the step and the versions it read
    (part of the version's name)."""
    capturedTime: str | None = None
    """When the version was fingerprinted (ISO 8601); the event's time when absent."""
    fileSha256: str | None = None
    """The sha256 (hex) of a version that is one file: searchable in Atlas."""
    mlflowDigest: str | None = None
    """MLflow's digest of data only MLflow knows (``mlflow.log_input``); it names the version
    then."""
    mlflowSource: str | None = None
    mlflowName: str | None = None


# --- atlasml_fileStatus --------------------------------------------------------------------
@dataclass(kw_only=True)
class FileStatusFacet(Facet):
    """What the file system says about the location, as Atlas's ``hdfs_path`` records it;
    written by the Python tracker and the JVM listener where known."""

    NAME: ClassVar[str] = FILE_STATUS

    isFile: bool | None = None
    fileSize: int | None = None
    """Bytes, for a file (a folder has none)."""
    modifiedTime: str | None = None
    """ISO 8601, UTC."""
    numberOfReplicas: int | None = None


# --- atlasml_classifications ---------------------------------------------------------------
@dataclass
class Classification:
    """An Atlas classification to set on the data, e.g. ``PII`` with the personal columns."""

    name: str
    attributes: dict[str, Any] = field(default_factory=dict)
    """The classification's attributes, e.g. ``columns``."""
    propagate: bool = True
    """Whether Atlas propagates it downstream along lineage."""


@dataclass(kw_only=True)
class ClassificationsFacet(Facet):
    """Classifications the user set on a dataset (on raw data they go on the physical
    entity, so that lineage carries them on)."""

    NAME: ClassVar[str] = CLASSIFICATIONS

    classifications: list[Classification]


# --- atlasml_transform ---------------------------------------------------------------------
@dataclass(kw_only=True)
class TransformFacet(Facet):
    """A preparation step of a run: what kind of step, why, and the code that did it."""

    NAME: ClassVar[str] = TRANSFORM

    pipeline: str | None = None
    """The pipeline (training run) the step belongs to."""
    stepKind: str | None = None
    """One of the ``atlasml_step_kind`` enum (CLEAN, SPLIT, ...); OTHER when absent."""
    reasoning: str | None = None
    codeReference: str | None = None
    codeRevision: str | None = None
    codeFingerprint: str | None = None
    """sha256 of ``codeSource``: a changed step shows without a new revision."""
    codeSource: str | None = None
    """The source of the function or cell that did the step."""
    codeLocation: str | None = None
    """File and line of that code, e.g. ``train.py:42 in clean()``."""
    parameters: dict[str, str] | None = None
    team: str | None = None
    startTime: str | None = None
    endTime: str | None = None
    runKind: str | None = None
    """``training`` or ``pipeline``: the type of the run the ``parent`` facet names."""
    inferCopies: bool | None = None
    """False: infer no COPY links for the step's data (:mod:`atlas_ml.delivery.copies`)."""


# --- atlasml_trainingRun -------------------------------------------------------------------
@dataclass(kw_only=True)
class TrainingRunFacet(Facet):
    """A training run: its parameters, metrics, code, environment and outcome."""

    NAME: ClassVar[str] = TRAINING_RUN

    pipeline: str | None = None
    parameters: dict[str, str] | None = None
    metrics: dict[str, float] | None = None
    codeReference: str | None = None
    codeRevision: str | None = None
    """The git commit the code ran at."""
    codeDirty: bool | None = None
    """Whether the working tree had uncommitted changes."""
    environment: dict[str, str] | None = None
    """Python, platform and the versions of the packages that shape a model."""
    operator: str | None = None
    team: str | None = None
    reasoning: str | None = None
    framework: str | None = None
    frameworkVersion: str | None = None
    startTime: str | None = None
    endTime: str | None = None
    status: str | None = None
    """One of the ``atlasml_run_status`` enum (SUCCEEDED, FAILED, ...)."""
    error: str | None = None
    """The exception a failed run ended with."""
    inferCopies: bool | None = None
    """False: infer no COPY links for the run's data (:mod:`atlas_ml.delivery.copies`)."""
    mlflowRunId: str | None = None
    """The MLflow run this run was imported from or mirrored into."""
    mlflowRunUri: str | None = None
    mlflowExperiment: str | None = None


# --- atlasml_pipelineRun -------------------------------------------------------------------
@dataclass(kw_only=True)
class PipelineRunFacet(TrainingRunFacet):
    """A data-preparation (ETL) run: the fields of a training run (``framework`` unused); its
    inputs and outputs are the data its steps read from and wrote to outside the run."""

    NAME: ClassVar[str] = PIPELINE_RUN


# --- atlasml_evaluation --------------------------------------------------------------------
@dataclass(kw_only=True)
class EvaluationFacet(Facet):
    """A model version measured on one dataset version (the event's inputs: both)."""

    NAME: ClassVar[str] = EVALUATION

    pipeline: str | None = None
    model: str | None = None
    metrics: dict[str, float] | None = None
    datasetRole: str | None = None
    """Role of the evaluation data in its run: test, validation, holdout, ..."""
    team: str | None = None
    evaluator: str | None = None
    evaluatedTime: str | None = None
    criteria: str | None = None
    passed: bool | None = None


# --- atlasml_modelVersion ------------------------------------------------------------------
@dataclass(kw_only=True)
class ModelVersionFacet(Facet):
    """A trained model's version, named by the digest of its artifact."""

    NAME: ClassVar[str] = MODEL_VERSION

    model: str
    """The model's name; its versions are grouped under it."""
    artifactSha256: str
    """Digest of the saved artifact (file sha256, or a directory's manifest root hash)."""
    artifactUri: str | None = None
    framework: str | None = None
    frameworkVersion: str | None = None
    task: str | None = None
    versionNumber: int | None = None
    artifactLocations: list[str] | None = None
    """Every location the artifact's bytes were saved to (``artifactUri`` first)."""
    team: str | None = None
    compliance: dict[str, Any] | None = None
    """The model's ``atlasml_compliance`` facts: intendedPurpose, riskCategory, approver,
    approvalDate (epoch milliseconds)."""
    stage: str | None = None
    """One of the ``atlasml_model_stage`` enum (NONE, STAGING, PRODUCTION, ARCHIVED)."""
    registeredTime: str | None = None
    mlflowRunId: str | None = None
    """From MLflow's model registry: the run, the model URI, name, version and aliases."""
    mlflowModelUri: str | None = None
    mlflowRegisteredModel: str | None = None
    mlflowVersion: str | None = None
    mlflowAliases: list[str] | None = None


# --- atlasml_spark -------------------------------------------------------------------------
@dataclass
class SparkWrite:
    """One SQL execution under the root execution that wrote data."""

    executionId: int
    command: str
    """Spark's logical plan node of the write (``InsertIntoHadoopFsRelationCommand``, ...)."""
    mode: str | None
    format: str | None
    planReadMicros: int
    """Time the listener spent reading the plan."""


@dataclass
class SparkDelivery:
    """The listener's event queue when this event was built."""

    droppedEventsBefore: int
    """Events dropped so far because the queue was full."""
    queueCapacity: int


@dataclass(kw_only=True)
class SparkFacet(Facet):
    """A Spark write as the JVM listener (``spark_hooks/``) records it: one root SQL
    execution of one application."""

    NAME: ClassVar[str] = SPARK

    applicationId: str
    appName: str
    rootExecutionId: int
    executionIds: list[int]
    """Every SQL execution merged into this event (the root and its children)."""
    writes: list[SparkWrite]
    mode: str | None
    """The write's save mode (Overwrite, Append, ...), if known."""
    format: str | None
    inMemorySources: list[str]
    """Sources with no location (local relations, RDDs), by their plan node."""
    columnLineageTruncated: bool
    """Whether column lineage was cut at the listener's size limit."""
    delivery: SparkDelivery
    user: str | None = None
    """The Spark user (``currUser`` of the ``spark_process``)."""
    plan: str | None = None
    """The plan's text (``details`` of the ``spark_process``)."""
    team: str | None = None
    """Who owns the job and which code ran it (``spark.atlasml.team``, ``.owner``,
    ``.code.reference``, ``.code.revision``): the ``atlasml_provenance`` business metadata."""
    owner: str | None = None
    codeReference: str | None = None
    codeRevision: str | None = None


# --- atlasml_validation -------------------------------------------------------------------
@dataclass(kw_only=True)
class ValidationFacet(Facet):
    """A data-quality validation (Great Expectations) of the run's one input dataset version
    (:mod:`atlas_ml.quality`)."""

    NAME: ClassVar[str] = VALIDATION

    suite: str | None = None
    success: bool | None = None
    statistics: dict[str, Any] | None = None
    failedExpectations: list[str] | None = None
    """One line per failed expectation: its type, arguments and a sample of what failed."""
    tool: str | None = None
    """The validating tool and version, e.g. ``great_expectations 1.24.1``."""
    validationId: str | None = None
    validatedTime: str | None = None
    dataAsset: str | None = None
    resultJson: str | None = None
    """The tool's own result as JSON (capped)."""


# --- atlasml_custody ----------------------------------------------------------------------
@dataclass(kw_only=True)
class CustodyFacet(Facet):
    """The signed attestation of a training run and its place in its team's chain
    (:mod:`atlas_ml.custody`)."""

    NAME: ClassVar[str] = CUSTODY

    envelope: dict[str, Any] | None = None
    """The DSSE envelope: the in-toto Statement (base64) and its Ed25519 signature(s)."""
    payloadSha256: str | None = None
    previousSha256: str | None = None
    """sha256 of the same team's previous attestation: the chain."""
    sequence: int | None = None
    team: str | None = None
    keyId: str | None = None
    predicateType: str | None = None
    signedTime: str | None = None


FACET_CLASSES: dict[str, type[Facet]] = {
    cls.NAME: cls
    for cls in (
        DatasetVersionFacet,
        FileStatusFacet,
        ClassificationsFacet,
        TransformFacet,
        TrainingRunFacet,
        PipelineRunFacet,
        EvaluationFacet,
        ModelVersionFacet,
        SparkFacet,
        ValidationFacet,
        CustodyFacet,
    )
}
"""Every ``atlasml_*`` facet by name."""


def facet(name: str, **fields: Any) -> dict[str, Any]:
    """A facet's JSON from its name and fields (None left out), with ``_producer`` and
    ``_schemaURL``. An ``atlasml_*`` facet accepts only the fields its class declares.

    Builders use the classes; this is for code and tests that write a facet as a dict.
    """
    cls = FACET_CLASSES.get(name)
    if cls is None:
        url = BASE_FACET_SCHEMA_URL
    else:
        declared = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(fields) - declared)
        if unknown:
            raise TypeError(
                f"facet {name} has no field {', '.join(unknown)}: declare it in {cls.__name__} "
                "(atlas_ml/events/facets.py) and run tools/generate_facet_schemas.py"
            )
        url = cls.schema_url()
    body = {key: to_json(value) for key, value in fields.items() if value is not None}
    return {"_producer": PRODUCER, "_schemaURL": url, **body}
