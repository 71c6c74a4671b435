"""Training-run tracking for pandas / scikit-learn code."""

from atlas_ml.fingerprints.datasets import DatasetRecord
from atlas_ml.tracking.context import training_run
from atlas_ml.tracking.run import DataLike, TrainingRun

__all__ = ["DataLike", "DatasetRecord", "TrainingRun", "training_run"]
