"""The one event model of atlas-ml: OpenLineage run events plus atlas-ml's facets.

Every source (the JVM Spark listener, the PySpark ML capture, the Python training tracker,
OpenLineage producers such as openlineage-spark or Airflow) emits OpenLineage ``RunEvent``
JSON. What is ML-specific travels in custom facets whose names start with ``atlasml_``
(see :mod:`atlas_ml.events.facets`). One mapper turns these events into Atlas entities.
"""

from atlas_ml.events.facets import (
    CLASSIFICATIONS,
    DATASET_VERSION,
    MODEL_VERSION,
    SPARK,
    TRAINING_RUN,
    TRANSFORM,
    VALIDATION,
)
from atlas_ml.events.validate import EventError, parse_event, validate_event

__all__ = [
    "CLASSIFICATIONS",
    "DATASET_VERSION",
    "MODEL_VERSION",
    "SPARK",
    "TRAINING_RUN",
    "TRANSFORM",
    "VALIDATION",
    "EventError",
    "parse_event",
    "validate_event",
]
