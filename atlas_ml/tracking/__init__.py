"""Run tracking for pandas / scikit-learn code: training runs and data-preparation runs."""

from atlas_ml.fingerprints.datasets import DatasetRecord
from atlas_ml.tracking.context import training_run
from atlas_ml.tracking.evaluation import Evaluation
from atlas_ml.tracking.pipeline import PipelineRun, pipeline_run
from atlas_ml.tracking.run import DataLike, TrainingRun

__all__ = [
    "DataLike",
    "DatasetRecord",
    "Evaluation",
    "PipelineRun",
    "TrainingRun",
    "pipeline_run",
    "training_run",
]
