"""Automatic capture for pandas + scikit-learn code: reads, training data, the model.

Inside ``training_run(..., autolog=True)``:
- every ``pandas.read_csv``/``read_parquet``/``read_json`` of a file records that file as a
  dataset version (manifest + logical fingerprint);
- every ``Pipeline.fit(X, y)`` records the training data it was given as a dataset version,
  an automatic step from the files read so far to that data (the code in between is the
  user's, so the step says it was captured, not described), and the fitted pipeline as the
  run's model, step by step.

The patches are process-wide (pandas and scikit-learn have no hooks), so they are installed
once while any autolog run is active and removed when the last one ends. Each call is
recorded into the autolog run of the calling context (thread or asyncio task), and into
none when that context has no autolog run: concurrent runs never see each other's data.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from atlas_ml.tracking.datasets import DatasetRecord
    from atlas_ml.tracking.run import TrainingRun

_READERS = ("read_csv", "read_parquet", "read_json")


@dataclass
class _Capture:
    """One autolog run: the run and the files it read so far."""

    run: TrainingRun
    sources: list[DatasetRecord] = field(default_factory=list)


_current: ContextVar[_Capture | None] = ContextVar("atlas_ml_autolog", default=None)
_quiet: ContextVar[bool] = ContextVar("atlas_ml_autolog_quiet", default=False)


def _active() -> _Capture | None:
    """The autolog run to record the current call into, if any."""
    return None if _quiet.get() else _current.get()


@contextmanager
def quiet() -> Iterator[None]:
    """Record nothing in this context meanwhile: atlas-ml's own reads (fingerprinting a
    file reads it with pandas too) are not the user's."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _training_frame(x: Any, y: Any) -> Any:
    import pandas as pd

    frame = x if isinstance(x, pd.DataFrame) else pd.DataFrame(x)
    if y is None:
        return frame
    target = y if isinstance(y, pd.Series | pd.DataFrame) else pd.Series(y, name="target")
    return pd.concat([frame.reset_index(drop=True), target.reset_index(drop=True)], axis=1)


def _reader(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def reader(path: Any, *args: Any, **kwargs: Any) -> Any:
        frame = original(path, *args, **kwargs)
        capture = _active()
        if capture is None:
            return frame
        if isinstance(path, str | os.PathLike) and os.path.exists(path):
            with quiet():
                record = capture.run.dataset(path, role="source")
            if record not in capture.sources:
                capture.sources.append(record)
        return frame

    return reader


def _pipeline_fit(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def fit(pipeline: Any, x: Any, y: Any = None, **params: Any) -> Any:
        capture = _active()
        # A pipeline fitted inside this one (a nested final step) is part of this model.
        with quiet():
            fitted = original(pipeline, x, y, **params)
            if capture is not None:
                _record_fit(capture, pipeline, x, y)
        return fitted

    return fit


def _record_fit(capture: _Capture, model: Any, x: Any, y: Any) -> None:
    run = capture.run
    training = run.use(_training_frame(x, y), role="train", name="train")
    if capture.sources:
        run.step(
            "prepare",
            inputs=list(capture.sources),
            outputs=[training],
            kind="OTHER",
            reason="Captured automatically: the data passed to Pipeline.fit, derived "
            "in user code from the files read during this run.",
        )
    run.log_model(model, name=run.pipeline)


def _patches() -> list[tuple[Any, str, Callable[[Callable[..., Any]], Callable[..., Any]]]]:
    """(owner, attribute, wrapper factory) of every function autolog replaces."""
    import pandas as pd

    patches: list[tuple[Any, str, Callable[[Callable[..., Any]], Callable[..., Any]]]] = [
        (pd, name, _reader) for name in _READERS
    ]
    try:
        from sklearn.pipeline import Pipeline
    except ImportError:
        return patches
    patches.append((Pipeline, "fit", _pipeline_fit))
    return patches


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
                    original = vars(owner)[name]
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
    """Record pandas reads and ``Pipeline.fit`` calls of this context into ``run``."""
    _PATCHES.acquire()
    token = _current.set(_Capture(run))
    try:
        yield
    finally:
        _current.reset(token)
        _PATCHES.release()
