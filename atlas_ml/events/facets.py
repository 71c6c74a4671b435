"""atlas-ml's custom OpenLineage facets: names and the fields each carries.

Facets are plain JSON objects inside the event (OpenLineage requires ``_producer`` and
``_schemaURL`` on each). The fields below are what the mapper reads; producers may add more.

- ``atlasml_datasetVersion`` (dataset facet): the exact version of the data that was read or
  written: ``contentHash`` (logical, order-independent), ``manifestRootHash`` (file bytes),
  ``rowCount``, ``schemaFingerprint``, ``schema`` (list of {name, type}), ``columnHashes``,
  ``versionPointer``/``versionKind`` (Delta version, Iceberg snapshot, DVC md5, ...), ``uri``
  (where verify can read it again), ``format``, ``role`` (raw/train/test/...), ``origin``,
  ``licence``, ``derivedFrom`` (in-memory data a recorded step made: digest of the step and
  the versions it read; part of the version's name).
- ``atlasml_classifications`` (dataset facet): ``classifications``: list of {``name``,
  ``attributes``, ``propagate``}; e.g. ``PII`` on the raw data with the personal columns.
- ``atlasml_transform`` (run facet): a preparation step: ``stepKind``, ``reasoning``,
  ``codeReference``, ``codeRevision``, ``parameters``, ``pipeline``.
- ``atlasml_trainingRun`` (run facet): ``pipeline``, ``parameters``, ``metrics``,
  ``codeReference``, ``codeRevision``, ``codeDirty``, ``environment``, ``operator``, ``team``,
  ``framework``, ``frameworkVersion``, ``startTime``, ``endTime``, ``status``, ``reasoning``,
  ``error``; ``mlflowRunId``, ``mlflowRunUri``, ``mlflowExperiment`` (runs imported from or
  mirrored into MLflow).
- ``atlasml_modelVersion`` (dataset facet on an output): ``model``, ``artifactSha256``,
  ``artifactUri``, ``framework``, ``frameworkVersion``, ``task``; from MLflow's registry:
  ``stage``, ``registeredTime``, ``mlflowRunId``, ``mlflowModelUri``, ``mlflowRegisteredModel``,
  ``mlflowVersion``, ``mlflowAliases``. ``atlasml_datasetVersion`` of data only MLflow knows
  carries ``mlflowDigest`` (it names the version then), ``mlflowSource``, ``mlflowName``.
- ``atlasml_validation`` (run facet): a data-quality validation of its one input dataset:
  ``suite``, ``success``, ``statistics``, ``failedExpectations``, ``tool``, ``validationId``,
  ``validatedTime``, ``dataAsset``, ``resultJson`` (:mod:`atlas_ml.quality`).
- ``atlasml_custody`` (run facet of a training run's terminal event): the signed attestation
  of the run (``envelope``: a DSSE envelope) and its chain position: ``payloadSha256``,
  ``previousSha256``, ``sequence``, ``team``, ``keyId``, ``predicateType``, ``signedTime``
  (see :mod:`atlas_ml.custody`).
- ``atlasml_spark`` (run facet, written by the JVM listener): ``applicationId``, ``appName``,
  ``rootExecutionId``, write ``mode``/``format``, ``droppedEvents``.
"""

from __future__ import annotations

from typing import Any

PRODUCER = "https://github.com/atlas-ml/atlas-ml"
SCHEMA_BASE = "https://github.com/atlas-ml/atlas-ml/blob/main/docs/facets.md"

DATASET_VERSION = "atlasml_datasetVersion"
CLASSIFICATIONS = "atlasml_classifications"
TRANSFORM = "atlasml_transform"
TRAINING_RUN = "atlasml_trainingRun"
MODEL_VERSION = "atlasml_modelVersion"
SPARK = "atlasml_spark"
VALIDATION = "atlasml_validation"
CUSTODY = "atlasml_custody"


def facet(name: str, **fields: Any) -> dict[str, Any]:
    """A facet object with the ``_producer``/``_schemaURL`` OpenLineage requires."""
    body = {key: value for key, value in fields.items() if value is not None}
    return {"_producer": PRODUCER, "_schemaURL": f"{SCHEMA_BASE}#{name}", **body}
