"""Training-run tracking for pandas / scikit-learn code."""

from atlas_ml.tracking.datasets import DatasetRecord
from atlas_ml.tracking.run import TrainingRun, training_run

__all__ = ["DatasetRecord", "TrainingRun", "training_run"]
