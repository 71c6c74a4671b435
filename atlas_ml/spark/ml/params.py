"""An estimator's parameters as the flat string map a training run records.

Pipelines (and meta-estimators such as ``CrossValidator``) hold other estimators as parameter
values; those are expanded with a positional prefix (``stages.1.LogisticRegression.regParam``)
rather than by uid, because uids are random per run and would make two runs of the same
pipeline look different.
"""

from __future__ import annotations

from typing import Any

MAX_VALUE_CHARS = 2000


def _text(value: Any) -> str:
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


def _class_name(obj: Any) -> str:
    return type(obj).__name__


def estimator_parameters(estimator: Any) -> dict[str, str]:
    """``estimator`` class, every parameter value (set or default), nested stages expanded."""
    cls = type(estimator)
    described: dict[str, str] = {"estimator": f"{cls.__module__}.{cls.__name__}"}
    _describe("", estimator, described)
    return described


def _describe(prefix: str, params: Any, described: dict[str, str]) -> None:
    from pyspark.ml.param import Params

    for param, value in sorted(params.extractParamMap().items(), key=lambda kv: kv[0].name):
        key = f"{prefix}{param.name}"
        if isinstance(value, Params):
            described[key] = _class_name(value)
            _describe(f"{key}.", value, described)
        elif (
            isinstance(value, list | tuple) and value and all(isinstance(v, Params) for v in value)
        ):
            described[key] = ", ".join(_class_name(v) for v in value)
            for index, stage in enumerate(value):
                _describe(f"{key}.{index}.{_class_name(stage)}.", stage, described)
        else:
            described[key] = _text(value)


def _all_params(value: Any) -> bool:
    from pyspark.ml.param import Params

    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(v, Params) for v in value)
    )
