"""The hook :func:`~atlas_ml.tracking.training_run` calls at its end to mirror into MLflow.

Kept apart from the run so that the MLflow code (``atlas_ml.mlflow_sync``) loads only when
asked; a failure is one notice on stderr, never the user's training failing.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from atlas_ml.notices import notify_once

if TYPE_CHECKING:
    from atlas_ml.client import AtlasClient
    from atlas_ml.tracking.run import TrainingRun


def mirror_quietly(run: TrainingRun, client: AtlasClient | None, mlflow: bool | None) -> None:
    """Mirror ``run`` into MLflow when ``mlflow`` is True, or None and MLFLOW_TRACKING_URI set."""
    if mlflow is False or (mlflow is None and not os.environ.get("MLFLOW_TRACKING_URI")):
        return
    try:
        from atlas_ml.mlflow_sync.mirror import mirror_run

        if client is not None or run.delivery is None:
            mirror_run(run, client)
            return
        from atlas_ml.delivery import end_of_job_client

        with end_of_job_client() as atlas:
            mirror_run(run, atlas)
    except ImportError:
        notify_once("mirroring into MLflow needs mlflow: pip install 'atlas-ml[mlflow]'")
    except Exception as exc:
        notify_once(f"could not mirror training run {run.run_id} into MLflow ({exc})")
