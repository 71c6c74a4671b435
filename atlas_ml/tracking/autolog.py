"""Automatic capture for pandas + scikit-learn code: reads, training data, the model.

Inside ``training_run(..., autolog=True)``:
- every ``pandas.read_csv``/``read_parquet``/``read_json`` of a file records that file as a
  dataset version (manifest + logical fingerprint);
- every ``Pipeline.fit(X, y)`` records the training data it was given as a dataset version,
  an automatic step from the files read so far to that data (the code in between is the
  user's, so the step says it was captured, not described), and the fitted pipeline as the
  run's model, step by step.
The patches are removed when the run ends.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from atlas_ml.tracking.datasets import DatasetRecord
    from atlas_ml.tracking.run import TrainingRun

_READERS = ("read_csv", "read_parquet", "read_json")


def _training_frame(x: Any, y: Any) -> Any:
    import pandas as pd

    frame = x if isinstance(x, pd.DataFrame) else pd.DataFrame(x)
    if y is None:
        return frame
    target = y if isinstance(y, pd.Series | pd.DataFrame) else pd.Series(y, name="target")
    return pd.concat([frame.reset_index(drop=True), target.reset_index(drop=True)], axis=1)


@contextmanager
def autolog(run: TrainingRun) -> Iterator[None]:
    """Patch pandas readers and ``sklearn.pipeline.Pipeline.fit`` for the run's duration."""
    import pandas as pd

    sources: list[DatasetRecord] = []
    originals: list[tuple[Any, str, Callable[..., Any]]] = []
    # Fingerprinting a file reads it with pandas too: those reads are ours, not the user's.
    capturing = threading.local()

    def wrap_reader(name: str) -> None:
        original = getattr(pd, name)

        @functools.wraps(original)
        def reader(path: Any, *args: Any, **kwargs: Any) -> Any:
            frame = original(path, *args, **kwargs)
            if getattr(capturing, "active", False):
                return frame
            if isinstance(path, str | os.PathLike) and os.path.exists(path):
                capturing.active = True
                try:
                    record = run.dataset(path, role="source")
                finally:
                    capturing.active = False
                if record not in sources:
                    sources.append(record)
            return frame

        originals.append((pd, name, original))
        setattr(pd, name, reader)

    for name in _READERS:
        wrap_reader(name)

    try:
        from sklearn.pipeline import Pipeline
    except ImportError:
        Pipeline = None

    if Pipeline is not None:
        original_fit = Pipeline.fit

        @functools.wraps(original_fit)
        def fit(pipeline: Any, x: Any, y: Any = None, **params: Any) -> Any:
            fitted = original_fit(pipeline, x, y, **params)
            training = run.use(_training_frame(x, y), role="train", name="train")
            if sources:
                run.step(
                    "prepare",
                    inputs=list(sources),
                    outputs=[training],
                    kind="OTHER",
                    reason="Captured automatically: the data passed to Pipeline.fit, derived "
                    "in user code from the files read during this run.",
                )
            run.log_model(pipeline, name=run.pipeline)
            return fitted

        originals.append((Pipeline, "fit", original_fit))
        Pipeline.fit = fit

    try:
        yield
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)
