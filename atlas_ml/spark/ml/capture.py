"""Record PySpark ML training: wrap ``Estimator.fit``, follow the fitted model to its save.

PySpark's ``Pipeline.fit`` emits no Spark listener event, so training is captured in Python.
The outermost ``fit`` of an estimator becomes one training run (a Pipeline's stage fits and a
CrossValidator's inner fits are part of it, not runs of their own). A failed fit is recorded
at once as FAIL and the user's exception is re-raised. A successful fit is held until its
model is saved, because only then is the model version (the saved directory's manifest root
hash) known: the save emits the COMPLETE event with the model version as output; a model that
is never saved is recorded at exit (or :func:`release_ml`) without outputs. The save itself runs
with capture paused, so the listener does not record the model's internal metadata and data
files as ETL writes. Saving the same
model again re-emits the run with every model version so far (same run id, so Atlas updates
the one training run).

Nesting is tracked process-wide, not per thread, because CrossValidator fits its candidates on
a thread pool: two top-level fits running at the same moment in two threads are recorded as
one run (the first). Nothing here can make a fit or a save fail: recording errors are reported
once on stderr.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from atlas_ml.delivery import Spool
from atlas_ml.events.run_events import now
from atlas_ml.fingerprints.artifacts import ModelArtifact, artifact_digest
from atlas_ml.fingerprints.hadoop import build_hadoop_manifest, is_local_location
from atlas_ml.fingerprints.manifest import local_path
from atlas_ml.notices import notify_once
from atlas_ml.spark.ml.params import estimator_parameters
from atlas_ml.spark.ml.sources import training_data
from atlas_ml.spark.pause import paused
from atlas_ml.tracking.run import RecordedModel, TrainingRun

MODEL_RUN_ATTRIBUTE = "_atlasml_training_run"


@dataclass
class CaptureSettings:
    """Where runs go and how they are named (defaults: ``<app name>.<Estimator class>``)."""

    spool: Spool
    pipeline: str | None = None
    model: str | None = None
    team: str | None = None
    reason: str | None = None


@dataclass
class PendingFit:
    """A successful fit whose training run waits for its model to be saved."""

    run: TrainingRun
    model_name: str
    emitted: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class _State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.depth = 0
        self.original_fit: Any = None
        self.settings: CaptureSettings | None = None
        self.pending: list[PendingFit] = []


_state = _State()


def install(settings: CaptureSettings) -> bool:
    """Wrap ``Estimator.fit``; returns False (and only updates the settings) if wrapped."""
    from pyspark.ml.base import Estimator

    with _state.lock:
        _state.settings = settings
        if _state.original_fit is not None:
            return False
        original = Estimator.fit
        _state.original_fit = original

        @functools.wraps(original)
        def fit(self: Any, dataset: Any, *args: Any, **kwargs: Any) -> Any:
            return _recorded_fit(original, self, dataset, *args, **kwargs)

        Estimator.fit = fit  # type: ignore[method-assign]
        return True


def uninstall() -> None:
    """Record the runs still waiting for a save, then restore ``Estimator.fit``."""
    flush_pending()
    with _state.lock:
        if _state.original_fit is None:
            return
        from pyspark.ml.base import Estimator

        Estimator.fit = _state.original_fit  # type: ignore[method-assign]
        _state.original_fit = None
        _state.settings = None


def installed() -> bool:
    return _state.original_fit is not None


def flush_pending() -> int:
    """Emit every fitted-but-unsaved run without outputs; returns how many."""
    with _state.lock:
        waiting, _state.pending = _state.pending, []
    emitted = 0
    for pending in waiting:
        with pending.lock:
            if pending.emitted:
                continue
            pending.emitted = True
        _finish_quietly(pending.run, None)
        emitted += 1
    return emitted


def _recorded_fit(original: Any, estimator: Any, dataset: Any, *args: Any, **kwargs: Any) -> Any:
    with _state.lock:
        outermost = _state.depth == 0
        _state.depth += 1
    started = now()
    try:
        model = original(estimator, dataset, *args, **kwargs)
    except BaseException as exc:
        _leave()
        if outermost:
            _record_quietly(estimator, dataset, started, None, exc)
        raise
    _leave()
    if outermost:
        _record_quietly(estimator, dataset, started, model, None)
    return model


def _leave() -> None:
    with _state.lock:
        _state.depth -= 1


def _record_quietly(
    estimator: Any, dataset: Any, started: str, model: Any, error: BaseException | None
) -> None:
    try:
        _record(estimator, dataset, started, model, error)
    except Exception as exc:  # recording must never change the outcome of the fit
        notify_once(f"could not record the Spark ML fit of {type(estimator).__name__}: {exc}")


def _record(
    estimator: Any, dataset: Any, started: str, model: Any, error: BaseException | None
) -> None:
    settings = _state.settings
    if settings is None:
        return
    ended = now()
    pipeline = settings.pipeline or f"{_app_name(dataset)}.{type(estimator).__name__}"
    run = TrainingRun(
        pipeline=pipeline,
        team=settings.team,
        reason=settings.reason,
        spool=settings.spool,
        started=started,
    )
    run.ended = ended
    run.log_params(estimator_parameters(estimator))
    records = training_data(dataset, pipeline)
    derived = [r for r in records if r.location is None]
    sources = [r for r in records if r.location is not None]
    if derived and sources:
        # The frame given to fit() was derived in Spark: link it to what it was read from, so
        # its lineage (and verify) reaches the files.
        run.step(
            "training-data",
            inputs=sources,
            outputs=derived,
            reason="the DataFrame given to fit() was derived in Spark (filter, join, select, "
            "features) from these sources",
        )
    for record in derived or sources:
        run.use(record, role=record.role or "train")
    if error is not None:
        _finish_quietly(run, error)
        return
    pending = PendingFit(run, settings.model or pipeline)
    with _state.lock:
        _state.pending.append(pending)
    for fitted in model if isinstance(model, list) else [model]:
        _follow_saves(fitted, pending)


def _app_name(dataset: Any) -> str:
    try:
        return str(dataset.sparkSession.sparkContext.appName)
    except Exception:
        return "spark"


def _follow_saves(model: Any, pending: PendingFit) -> None:
    """Wrap this model object's ``write`` so that ``model.save(p)`` and
    ``model.write().overwrite().save(p)`` both report the saved path."""
    original_write = getattr(model, "write", None)
    if original_write is None:
        return

    def write() -> Any:
        writer = original_write()
        original_save = writer.save

        def save(path: str) -> None:
            with paused():  # the model's own files are the model version, not ETL output
                original_save(path)
            _saved_quietly(pending, path)

        writer.save = save
        return writer

    model.write = write
    setattr(model, MODEL_RUN_ATTRIBUTE, pending.run)


def _saved_quietly(pending: PendingFit, path: str) -> None:
    try:
        _saved(pending, path)
    except Exception as exc:
        notify_once(f"could not record the model saved to {path}: {exc}")


def _saved(pending: PendingFit, path: str) -> None:
    location = str(path)
    if is_local_location(location):
        local = local_path(location).expanduser().resolve()
        artifact = ModelArtifact(local, artifact_digest(local), "pyspark", _pyspark_version())
    else:  # HDFS, S3A, ...: hashed through the driver's Hadoop client
        manifest = build_hadoop_manifest(location)
        artifact = ModelArtifact(
            Path(urlsplit(manifest.root).path),
            manifest.root_hash,
            "pyspark",
            _pyspark_version(),
            uri=manifest.root,
        )
    with pending.lock:
        run = pending.run
        if not any(m.artifact.sha256 == artifact.sha256 for m in run.models):
            run.models.append(RecordedModel(pending.model_name, artifact, {}))
        pending.emitted = True
        _finish_quietly(run, None)
    with _state.lock:
        if pending in _state.pending:
            _state.pending.remove(pending)


def _pyspark_version() -> str | None:
    try:
        return metadata.version("pyspark")
    except metadata.PackageNotFoundError:
        return None


def _finish_quietly(run: TrainingRun, error: BaseException | None) -> None:
    try:
        run.finish(error)
    except Exception as exc:
        notify_once(f"could not record training run {run.run_id}: {exc}")
