"""Automatic capture for pandas + scikit-learn code: reads, training data, the model.

Inside ``training_run(..., autolog=True)``:
- every ``pandas.read_csv``/``read_parquet``/``read_json`` of a file records that file as a
  dataset version without reading it again: its manifest, and the logical fingerprint of the
  frame the call returned when the call passed no parsing options (with options the frame is
  not what ``verify`` recomputes from the file, so only the bytes are recorded);
- every ``fit(X, y)`` of a scikit-learn model (a ``Pipeline``, a bare estimator, a
  meta-estimator such as ``CalibratedClassifierCV``) records the training data it was given
  as a dataset version, an automatic step from the files read so far to that data (the code
  in between is the user's, so the step says it was captured, not described), and the fitted
  model as the run's model, step by step. Only the outermost fit is a model: the fits made
  inside it (a pipeline's steps, a meta-estimator's clones) are part of it. A transformer
  fitted alone (a scaler, a PCA) prepares data and is not a model, so it is not recorded;
- a hyper-parameter search (``GridSearchCV`` and the other ``BaseSearchCV``) records its
  ``best_estimator_`` (when it refits one) with the data given to the search. The fits it
  makes per candidate and fold, and those of cross-validation helpers (``cross_val_score``,
  ``cross_validate``, ``cross_val_predict``, ``learning_curve``, ...), are not models the
  user keeps, so they are not recorded;
- ``score``/``predict`` of a recorded model on held-out data records an evaluation on that
  exact data (see :mod:`atlas_ml.tracking.autolog_evaluation`).

The patches are process-wide (pandas and scikit-learn have no hooks), so they are installed
once while any autolog run is active and removed when the last one ends. Each call is
recorded into the autolog run of the calling context (thread or asyncio task), and into
none when that context has no autolog run: concurrent runs never see each other's data. A
thread started inside a run has a context of its own, so its calls are not recorded unless it
runs in a copy of the run's context (``contextvars.copy_context().run``).

Recording must never break the user's code: a wrapper returns what the wrapped call returned,
and what it could not record becomes one warning saying what is missing.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from atlas_ml.fingerprints.datasets import DatasetRecord, describe_path
from atlas_ml.tracking.autolog_evaluation import (
    EVALUATING,
    evaluation_wrapper,
    patch_for,
    same_data,
    score_metric,
)
from atlas_ml.tracking.quiet import is_quiet, quiet

if TYPE_CHECKING:
    from atlas_ml.tracking.run import TrainingRun

log = logging.getLogger("atlas_ml.tracking")

# pandas reader -> (name of its path argument, the format describe_path gives such files)
_READERS = {
    "read_csv": ("filepath_or_buffer", "csv"),
    "read_parquet": ("path", "parquet"),
    "read_json": ("path_or_buf", "json"),
}
# sklearn.model_selection._validation functions that fit one fold each.
_FOLD_FITS = ("_fit_and_score", "_fit_and_predict", "_permutation_test_score")
# What a fitted estimator offers when it is a model kept for predictions; a transformer
# fitted alone (a scaler, a PCA) offers none of them.
_PREDICTING = ("predict", "predict_proba", "decision_function", "fit_predict")
Wrap = Callable[[Callable[..., Any]], Callable[..., Any]]


@dataclass
class _Capture:
    """One autolog run: the run and the files it read so far."""

    run: TrainingRun
    sources: list[DatasetRecord] = field(default_factory=list)
    fitted_on: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    """id of each recorded model -> (the model, the X it was fitted on)."""


_current: ContextVar[_Capture | None] = ContextVar("atlas_ml_autolog", default=None)


def _active() -> _Capture | None:
    """The autolog run to record the current call into, if any."""
    return None if is_quiet() else _current.get()


def _training_frame(x: Any, y: Any) -> Any:
    import pandas as pd

    frame = x if isinstance(x, pd.DataFrame) else pd.DataFrame(x)
    if y is None:
        return frame
    target = y if isinstance(y, pd.Series | pd.DataFrame) else pd.Series(y, name="target")
    return pd.concat([frame.reset_index(drop=True), target.reset_index(drop=True)], axis=1)


@contextmanager
def _or_warn(what: str, instead: str) -> Iterator[None]:
    """Turn a failure to record ``what`` into one warning: the user's call has succeeded."""
    try:
        yield
    except Exception as exc:
        log.warning(
            "autolog could not record %s (%s: %s); %s", what, type(exc).__name__, exc, instead
        )


def _reader(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    argument, data_format = _READERS[name]

    @functools.wraps(original)
    def reader(*args: Any, **kwargs: Any) -> Any:
        frame = original(*args, **kwargs)
        capture = _active()
        if capture is not None:
            options = dict(kwargs)
            path = args[0] if args else options.pop(argument, None)
            plain = len(args) <= 1 and not options
            with quiet(), _or_warn(f"the file read by pandas.{name}", "it is not recorded"):
                _record_read(capture, path, frame, data_format if plain else None)
        return frame

    return reader


def _record_read(capture: _Capture, path: Any, frame: Any, data_format: str | None) -> None:
    """Record the file at ``path`` as a source, with ``frame``'s logical fingerprint when
    ``data_format`` says it is what a plain read of that file gives."""
    if not isinstance(path, str | os.PathLike) or not os.path.exists(path):
        return
    record = describe_path(path, logical=False)
    if data_format is not None and record.data_format == data_format:
        from atlas_ml.fingerprints import fingerprint_pandas

        with _or_warn(f"the rows of {record.name}", "its file manifest is recorded only"):
            record.logical = fingerprint_pandas(frame)
    record = capture.run.dataset(record, role="source")
    if record not in capture.sources:
        capture.sources.append(record)


def _fit_data(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """``X`` and ``y`` of a scikit-learn ``fit`` call, given by position or by name."""
    x = args[0] if args else kwargs.get("X")
    y = args[1] if len(args) > 1 else kwargs.get("y")
    return x, y


def _estimator_fit(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def fit(estimator: Any, *args: Any, **kwargs: Any) -> Any:
        capture = _active()
        if capture is None:
            return original(estimator, *args, **kwargs)
        # The fits made inside this one (a pipeline's steps, a meta-estimator's clones, a
        # search's candidates) are part of this model, not models of their own.
        with quiet():
            fitted = original(estimator, *args, **kwargs)
            model = _kept_model(estimator)
            if model is not None:
                call = f"{type(estimator).__name__}.fit"
                _record_fit(capture, model, *_fit_data(args, kwargs), call)
        return fitted

    return fit


def _kept_model(estimator: Any) -> Any:
    """The model a fit leaves the user with, or None when it leaves none: a search keeps its
    refitted ``best_estimator_``; anything else is a model when it can predict."""
    from sklearn.model_selection._search import BaseSearchCV

    if isinstance(estimator, BaseSearchCV):
        return getattr(estimator, "best_estimator_", None)
    return estimator if any(hasattr(estimator, m) for m in _PREDICTING) else None


def _quietly(original: Callable[..., Any]) -> Callable[..., Any]:
    """``original`` with nothing recorded inside it (the fits of cross-validation folds)."""

    @functools.wraps(original)
    def call(*args: Any, **kwargs: Any) -> Any:
        with quiet():
            return original(*args, **kwargs)

    return call


def _record_fit(capture: _Capture, model: Any, x: Any, y: Any, call: str) -> None:
    """Record the data given to ``call`` (with a step from the files read so far) and the
    fitted model; each that cannot be recorded is a warning, not an error."""
    run = capture.run
    with _or_warn(
        f"the training data given to {call} ({type(x).__name__})",
        "the model is recorded without its training data",
    ):
        training = run.use(_training_frame(x, y), role="train", name="train")
        _derived_from_sources(capture, "prepare", training, f"the data passed to {call}")
    with _or_warn(f"the model fitted by {call}", "the run has no model for this fit"):
        run.log_model(model, name=run.pipeline)
        capture.fitted_on[id(model)] = (model, x)


def _derived_from_sources(capture: _Capture, step: str, data: DatasetRecord, what: str) -> None:
    """An automatic step from the files read so far to ``data`` (made from them in user code)."""
    if capture.sources:
        capture.run.step(
            step,
            inputs=list(capture.sources),
            outputs=[data],
            kind="OTHER",
            reason=f"Captured automatically: {what}, derived in user code from the files read "
            "during this run.",
        )


def _record_evaluation(
    capture: _Capture, model: Any, x: Any, y: Any, call: str, result: Any
) -> None:
    """Record ``model``'s ``call`` on ``x`` (and ``y``) as an evaluation when that is data it
    was not fitted on; ``score`` brings its metric, ``predict`` waits for the next metrics."""
    fitted = capture.fitted_on.get(id(model))
    if fitted is None or fitted[0] is not model or same_data(x, fitted[1]):
        return
    run = capture.run
    what = f"the held-out data given to {type(model).__name__}.{call}"
    with quiet(), _or_warn(what, "no evaluation is recorded for it"):
        data = run.dataset(_training_frame(x, y), name="test", role="test")
        _derived_from_sources(capture, "prepare-test", data, what)
        metrics = {score_metric(model): float(result)} if call == "score" else {}
        evaluation = run.log_metrics(metrics, dataset=data, role="test", model=model)
        if call != "score":
            run.awaiting_metrics = evaluation


def _patches() -> list[tuple[Any, str, Wrap]]:
    """(owner, attribute, wrapper factory) of every function autolog replaces."""
    patches: list[tuple[Any, str, Wrap]] = []
    try:
        import pandas as pd
    except ImportError:
        pass
    else:
        patches += [(pd, name, functools.partial(_reader, name)) for name in _READERS]
    try:
        from sklearn.model_selection import _validation
    except ImportError:
        return patches
    patches += [(owner, "fit", _estimator_fit) for owner in _fit_owners()]
    for name in EVALUATING:
        factory = evaluation_wrapper(name, _active, _kept_model, _record_evaluation)
        patches += [
            (owner, name, functools.partial(patch_for, factory=factory))
            for owner in _method_owners(name)
        ]
    # Private, looked up by the public helpers at call time; absent ones are skipped.
    patches += [(_validation, name, _quietly) for name in _FOLD_FITS]
    return patches


@functools.cache
def _fit_owners() -> tuple[type, ...]:
    """The classes that define the ``fit`` of scikit-learn's estimators, each once: a plain
    function only (a descriptor such as ``available_if`` would need its own wrapper)."""
    return _owners("fit", lambda method: isinstance(method, types.FunctionType))


@functools.cache
def _method_owners(name: str) -> tuple[type, ...]:
    """The classes that define method ``name`` of scikit-learn's estimators (a function or an
    ``available_if`` descriptor), each once."""
    return _owners(name, lambda method: hasattr(method, "__get__"))


def _owners(name: str, patchable: Callable[[Any], bool]) -> tuple[type, ...]:
    """The classes that define ``name`` for scikit-learn's estimators, where ``patchable``.

    Patching where a method is defined covers every subclass, the user's own included.
    ``all_estimators`` imports all of scikit-learn (about a second), once per process.
    """
    from sklearn.utils import all_estimators

    owners: dict[type, None] = {}
    for _, estimator_class in all_estimators():
        owner = next((c for c in estimator_class.__mro__ if name in vars(c)), None)
        if owner is not None and patchable(vars(owner)[name]):
            owners[owner] = None
    return tuple(owners)


class _Patches:
    """The process-wide patches, installed while at least one autolog run is active."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._installed: list[tuple[Any, str, Callable[..., Any], Callable[..., Any]]] = []

    def acquire(self) -> None:
        with self._lock:
            if self._users == 0:
                for owner, name, wrap in _patches():
                    if any((o, n) == (owner, name) for o, n, _, _ in self._installed):
                        continue
                    original = vars(owner).get(name)
                    if original is None:
                        continue
                    wrapper = wrap(original)
                    setattr(owner, name, wrapper)
                    self._installed.append((owner, name, original, wrapper))
            self._users += 1

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users:
                return
            kept = []
            for owner, name, original, wrapper in reversed(self._installed):
                if vars(owner).get(name) is wrapper:
                    setattr(owner, name, original)
                else:
                    # Another tool patched on top of ours: ours stays beneath it (recording
                    # nothing without an autolog run) and is reused, never stacked twice.
                    kept.append((owner, name, original, wrapper))
            self._installed = kept


_PATCHES = _Patches()


@contextmanager
def autolog(run: TrainingRun) -> Iterator[None]:
    """Record pandas reads and scikit-learn fits of this context into ``run``."""
    _PATCHES.acquire()
    token = _current.set(_Capture(run))
    try:
        yield
    finally:
        _current.reset(token)
        _PATCHES.release()
