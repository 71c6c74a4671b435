"""The context managers a user opens around their work: ``training_run`` (and
``pipeline_run`` in :mod:`atlas_ml.tracking.pipeline`, built on :func:`recording`).

They tie a :class:`~atlas_ml.tracking.run.TrainingRun` to the block's outcome (SUCCEEDED, or
FAILED with the exception, which still reaches the user), turn autolog on for the block when
asked, and deliver the run's events at its end without ever failing the user's code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from atlas_ml.client import AtlasClient
from atlas_ml.compliance import compliance_facts
from atlas_ml.delivery import Spool
from atlas_ml.events.run_events import event_time
from atlas_ml.notices import notify_once
from atlas_ml.tracking.autolog import autolog as capture
from atlas_ml.tracking.mlflow_hook import mirror_quietly
from atlas_ml.tracking.run import Moment, TrainingRun

R = TypeVar("R", bound=TrainingRun)


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
    compliance: Mapping[str, Any] | None = None,
    started_at: Moment | None = None,
    ended_at: Moment | None = None,
    infer_copies: bool = True,
) -> Iterator[TrainingRun]:
    """Record a training run; exceptions from the body are recorded as FAILED and re-raised.

    ``mlflow=True`` (default: when ``MLFLOW_TRACKING_URI`` is set) mirrors the run into MLflow
    at its end (:mod:`atlas_ml.mlflow_sync.mirror`).

    ``autolog=True`` also records pandas file reads, the data given to a scikit-learn
    ``Pipeline.fit`` and the fitted pipeline without further calls (see
    :mod:`atlas_ml.tracking.autolog`). ``compliance`` sets the ``atlasml_compliance`` facts
    (``purpose``, ``risk``, ``approver``, ``approved_on``) of every model the run logs.
    ``started_at``/``ended_at`` (datetime or ISO-8601; naive = UTC) backdate the run, for
    imports and tests; by default it runs from entering the block to leaving it.
    ``infer_copies=False``: delivery does not link this run's data to classified data with
    the same bytes elsewhere (see :mod:`atlas_ml.delivery.copies`).

    >>> with training_run("titanic-survival", team="risk", reason="...") as run:
    ...     run.use("titanic.csv", role="raw")
    """
    run = TrainingRun(
        pipeline=pipeline,
        team=team,
        reason=reason,
        spool=spool or Spool(),
        infer_copies=infer_copies,
        compliance=compliance_facts(compliance),
    )
    with recording(run, deliver, client, autolog, started_at, ended_at, mlflow) as recorded:
        yield recorded


@contextmanager
def recording(
    run: R,
    deliver: bool,
    client: AtlasClient | None,
    autolog: bool = False,
    started_at: Moment | None = None,
    ended_at: Moment | None = None,
    mlflow: bool | None = False,
) -> Iterator[R]:
    """Run the block as ``run``: its outcome recorded, its events delivered at the end (and
    mirrored into MLflow when ``mlflow`` says so; ``None``: when ``MLFLOW_TRACKING_URI`` is
    set)."""
    if started_at is not None:
        run.started = event_time(started_at)
    if ended_at is not None:
        run.ended = event_time(ended_at)
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
