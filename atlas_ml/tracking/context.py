"""The context managers a user opens around their work: ``training_run``.

They tie a :class:`~atlas_ml.tracking.run.TrainingRun` to the block's outcome (SUCCEEDED, or
FAILED with the exception, which still reaches the user), turn autolog on for the block when
asked, and deliver the run's events at its end without ever failing the user's code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool
from atlas_ml.notices import notify_once
from atlas_ml.tracking.autolog import autolog as capture
from atlas_ml.tracking.mlflow_hook import mirror_quietly
from atlas_ml.tracking.run import TrainingRun


@contextmanager
def training_run(
    pipeline: str,
    team: str | None = None,
    reason: str | None = None,
    deliver: bool = True,
    client: AtlasClient | None = None,
    spool: Spool | None = None,
    autolog: bool = False,
    mlflow: bool | None = None,
) -> Iterator[TrainingRun]:
    """Record a training run; exceptions from the body are recorded as FAILED and re-raised.

    ``mlflow=True`` (default: when ``MLFLOW_TRACKING_URI`` is set) mirrors the run into MLflow
    at its end (:mod:`atlas_ml.mlflow_sync.mirror`).

    ``autolog=True`` also records pandas file reads, the data given to a scikit-learn
    ``Pipeline.fit`` and the fitted pipeline without further calls (see
    :mod:`atlas_ml.tracking.autolog`).

    >>> with training_run("titanic-survival", team="risk", reason="...") as run:
    ...     run.use("titanic.csv", role="raw")
    """
    run = TrainingRun(pipeline=pipeline, team=team, reason=reason, spool=spool or Spool())
    try:
        if autolog:
            with capture(run):
                yield run
        else:
            yield run
    except BaseException as exc:
        _finish_quietly(run, exc)
        if deliver:
            run.deliver(client)
        mirror_quietly(run, client, mlflow)
        raise
    _finish_quietly(run, None)
    if deliver:
        run.deliver(client)
    mirror_quietly(run, client, mlflow)


def _finish_quietly(run: TrainingRun, error: BaseException | None) -> None:
    try:
        run.finish(error)
    except Exception as exc:  # recording must never replace the user's own outcome
        notify_once(f"could not record the end of training run {run.run_id}: {exc}")
