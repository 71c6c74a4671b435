"""qualifiedName rules for every entity atlas-ml writes, in one place.

Physical data is named exactly as Atlas's own hooks name it (``AtlasPathExtractorUtil`` for
paths, ``db.table@namespace`` for Hive), so that lineage recorded by atlas-ml joins what the
Hive hook and other Atlas hooks already recorded. The project's own types (dataset versions,
transforms, training runs, models) are named here too, so that re-running the same work
upserts the same entities.
"""

from atlas_ml.naming.ml import (
    COPY_PIPELINE,
    dataset_version_name,
    derivation_key,
    evaluation_name,
    model_name,
    model_version_name,
    pipeline_run_name,
    training_run_name,
    transform_name,
    version_fingerprint,
)
from atlas_ml.naming.physical import (
    PhysicalDataset,
    hive_table,
    location_label,
    normalise_location,
    openlineage_dataset,
    openlineage_location,
    partition_root,
    physical_dataset,
    version_location,
)

__all__ = [
    "COPY_PIPELINE",
    "PhysicalDataset",
    "dataset_version_name",
    "derivation_key",
    "evaluation_name",
    "hive_table",
    "location_label",
    "model_name",
    "model_version_name",
    "normalise_location",
    "openlineage_dataset",
    "openlineage_location",
    "partition_root",
    "physical_dataset",
    "pipeline_run_name",
    "training_run_name",
    "transform_name",
    "version_fingerprint",
    "version_location",
]
