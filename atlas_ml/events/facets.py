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
  ``codeReference``, ``codeRevision``, ``parameters``, ``pipeline``, ``team``, the code
  fingerprint (``codeFingerprint``: sha256 of ``codeSource``; ``codeLocation``: file:line),
  ``startTime``, ``endTime``, and ``runKind`` (``training``/``pipeline``: the type of the run
  the OpenLineage ``parent`` facet names, which the step belongs to).
- ``atlasml_trainingRun`` (run facet): ``pipeline``, ``parameters``, ``metrics``,
  ``codeReference``, ``codeRevision``, ``codeDirty``, ``environment``, ``operator``, ``team``,
  ``framework``, ``frameworkVersion``, ``startTime``, ``endTime``, ``status``, ``reasoning``,
  ``error``. The ``role`` of each input's ``atlasml_datasetVersion`` is the role it played in
  this run (train, test, validation).
- ``atlasml_pipelineRun`` (run facet): a data-preparation (ETL) run: the fields of
  ``atlasml_trainingRun`` but ``framework``; its inputs and outputs are its steps' external ones.
- ``atlasml_evaluation`` (run facet): a model version evaluated on one dataset version (the
  event's inputs: the model version and that data): ``pipeline``, ``metrics``,
  ``datasetRole``, ``team``, ``evaluator``, ``evaluatedTime``, ``codeReference``,
  ``codeRevision``, ``criteria``, ``passed``.
- ``atlasml_modelVersion`` (dataset facet on an output): ``model``, ``artifactSha256``,
  ``artifactUri``, ``artifactLocations``, ``framework``, ``frameworkVersion``, ``task``,
  ``team``, ``compliance`` (``intendedPurpose``, ``riskCategory``, ``approver``,
  ``approvalDate``: the ``atlasml_compliance`` business metadata of the model and version).
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
PIPELINE_RUN = "atlasml_pipelineRun"
EVALUATION = "atlasml_evaluation"
MODEL_VERSION = "atlasml_modelVersion"
SPARK = "atlasml_spark"


def facet(name: str, **fields: Any) -> dict[str, Any]:
    """A facet object with the ``_producer``/``_schemaURL`` OpenLineage requires."""
    body = {key: value for key, value in fields.items() if value is not None}
    return {"_producer": PRODUCER, "_schemaURL": f"{SCHEMA_BASE}#{name}", **body}
