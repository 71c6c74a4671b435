"""The one event model of atlas-ml: OpenLineage run events plus atlas-ml's facets.

Every source (the JVM Spark listener, the PySpark ML capture, the Python training tracker,
OpenLineage producers such as openlineage-spark or Airflow) emits OpenLineage ``RunEvent``
JSON. What is ML-specific travels in custom facets whose names start with ``atlasml_``: each
is a typed class in :mod:`atlas_ml.events.facets` with a committed JSON Schema
(:mod:`atlas_ml.events.facet_schemas`). One mapper turns these events into Atlas entities.
"""

from atlas_ml.errors import EventError
from atlas_ml.events.facet_schemas import check_facets
from atlas_ml.events.facets import (
    CLASSIFICATIONS,
    DATASET_VERSION,
    EVALUATION,
    FACET_CLASSES,
    FILE_STATUS,
    MODEL_VERSION,
    PIPELINE_RUN,
    SPARK,
    TRAINING_RUN,
    TRANSFORM,
    VALIDATION,
    Classification,
    ClassificationsFacet,
    DatasetVersionFacet,
    Facet,
    ModelVersionFacet,
    SparkFacet,
    TrainingRunFacet,
    TransformFacet,
)
from atlas_ml.events.model import Dataset, Job, Run, RunEvent
from atlas_ml.events.validate import parse_event, validate_event

__all__ = [
    "CLASSIFICATIONS",
    "DATASET_VERSION",
    "EVALUATION",
    "FACET_CLASSES",
    "FILE_STATUS",
    "MODEL_VERSION",
    "PIPELINE_RUN",
    "SPARK",
    "TRAINING_RUN",
    "TRANSFORM",
    "VALIDATION",
    "Classification",
    "ClassificationsFacet",
    "Dataset",
    "DatasetVersionFacet",
    "EventError",
    "Facet",
    "Job",
    "ModelVersionFacet",
    "Run",
    "RunEvent",
    "SparkFacet",
    "TrainingRunFacet",
    "TransformFacet",
    "check_facets",
    "parse_event",
    "validate_event",
]
