"""Autolog of evaluations: a model's ``score`` or ``predict`` on held-out data.

Inside ``training_run(..., autolog=True)``, for a model the run recorded:
- ``score(X, y)`` on data other than the data it was fitted on records an evaluation with the
  score (``accuracy`` for a classifier, ``r2`` for a regressor, else ``score``) on that exact
  data (X with y);
- ``predict(X)`` (and ``predict_proba``) on such data records an evaluation on X; the metrics
  the code logs next with ``run.log_metrics(...)`` (no ``dataset``) are that evaluation's,
  as they are computed from those predictions.
Calls on the training data itself (a training score) and calls made inside another recorded
call (a pipeline's steps, a search's candidates) are no evaluation. Held-out data gets an
automatic step from the files read so far, as the training data does, so its lineage reaches
them.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any, TypeVar

from atlas_ml.tracking.quiet import quiet

Capture = TypeVar("Capture")
"""The autolog run a call is recorded into (``autolog._Capture``), kept generic so that this
module does not import the autolog module that imports it."""

EVALUATING = ("score", "predict", "predict_proba")
Factory = Callable[[Callable[..., Any]], Callable[..., Any]]


def patch_for(original: Any, factory: Factory) -> Any:
    """``factory`` applied to a plain function, or a descriptor (scikit-learn's
    ``available_if``, which ``Pipeline.predict`` is) whose bound methods it wraps."""
    if isinstance(original, types.FunctionType):
        return factory(original)
    if hasattr(original, "__get__"):
        return _WrappedDescriptor(original, factory)
    return original


class _WrappedDescriptor:
    """A method descriptor whose bound methods run through ``factory``'s wrapper; an
    unavailable method (``hasattr`` False) stays unavailable."""

    def __init__(self, original: Any, factory: Factory) -> None:
        self.original = original
        self.factory = factory

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        bound = self.original.__get__(obj, owner)
        if obj is None:
            return bound

        @functools.wraps(bound)
        def call(_estimator: Any, *args: Any, **kwargs: Any) -> Any:
            return bound(*args, **kwargs)

        return types.MethodType(self.factory(call), obj)


def evaluation_wrapper(
    name: str,
    active: Callable[[], Capture | None],
    kept_model: Callable[[Any], Any],
    record: Callable[[Capture, Any, Any, Any, str, Any], None],
) -> Factory:
    """The wrapper factory of ``score``/``predict``: the user's result, then the evaluation."""

    def factory(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def wrapper(estimator: Any, *args: Any, **kwargs: Any) -> Any:
            capture = active()
            if capture is None:
                return original(estimator, *args, **kwargs)
            with quiet():
                result = original(estimator, *args, **kwargs)
            model = kept_model(estimator)
            if model is not None:
                x = args[0] if args else kwargs.get("X")
                y = args[1] if len(args) > 1 else kwargs.get("y")
                record(capture, model, x, y if name == "score" else None, name, result)
            return result

        return wrapper

    return factory


def score_metric(estimator: Any) -> str:
    """The metric scikit-learn's default ``score`` computes for ``estimator``."""
    from sklearn.base import is_classifier, is_regressor

    if is_classifier(estimator):
        return "accuracy"
    return "r2" if is_regressor(estimator) else "score"


def same_data(a: Any, b: Any) -> bool:
    """Whether ``a`` holds the same values as ``b`` (the data a model was fitted on)."""
    if a is b:
        return True
    equals = getattr(a, "equals", None)
    if callable(equals) and type(a) is type(b):
        try:
            return bool(getattr(a, "shape", None) == getattr(b, "shape", None) and equals(b))
        except Exception:
            return False
    try:
        import numpy as np

        return bool(np.shape(a) == np.shape(b) and np.array_equal(a, b))
    except Exception:
        return False
