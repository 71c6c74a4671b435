"""Spark ML training capture: one training run per outermost ``fit``, its model versions
from ``save`` (see :mod:`atlas_ml.spark.ml.capture`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from atlas_ml.delivery import Spool
from atlas_ml.spark.ml.capture import MODEL_RUN_ATTRIBUTE, CaptureSettings, flush_pending

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["MODEL_RUN_ATTRIBUTE", "capture_ml", "flush_pending", "release_ml"]


def capture_ml(
    spark: SparkSession | None = None,
    *,
    spool: Path | str | None = None,
    pipeline: str | None = None,
    model: str | None = None,
    team: str | None = None,
    reason: str | None = None,
    deliver_at_exit: bool = True,
) -> bool:
    """Record every Spark ML fit from now on; returns False if capture was already on.

    Runs go to ``spool`` (default: the spool the session's listener writes to,
    ``spark.atlasml.spool.dir``, else ``$ATLAS_ML_SPOOL`` or ``<cache>/spool``), named
    ``pipeline`` (default ``<app name>.<Estimator class>``); model versions belong to
    ``model`` (default: the pipeline name). Calling it again changes these settings.
    ``deliver_at_exit`` pushes the spool to Atlas when the Python process ends (see
    :mod:`atlas_ml.spark.exit`). Undo with :func:`release_ml`.
    """
    from atlas_ml.spark.exit import before_exit_delivery
    from atlas_ml.spark.exit import deliver_at_exit as register_exit_delivery
    from atlas_ml.spark.ml.capture import install

    target = Spool(Path(spool)) if spool else Spool(session_spool_dir(spark))
    settings = CaptureSettings(target, pipeline=pipeline, model=model, team=team, reason=reason)
    first = install(settings)
    before_exit_delivery(flush_pending)  # fits never saved are recorded before delivery
    if deliver_at_exit:
        register_exit_delivery(target)
    return first


def release_ml() -> None:
    """Record the fits still waiting for a save and restore PySpark's own ``fit``."""
    from atlas_ml.spark.ml.capture import uninstall

    uninstall()


def session_spool_dir(spark: SparkSession | None = None) -> Path | None:
    """The spool directory the session's listener was configured with, if any."""
    from atlas_ml.spark.conf import SPOOL_DIR_KEY

    if spark is None:
        try:
            from pyspark.sql import SparkSession

            spark = SparkSession.getActiveSession()
        except ImportError:
            return None
    if spark is None:
        return None
    try:
        value = spark.sparkContext.getConf().get(SPOOL_DIR_KEY)
    except Exception:  # Spark Connect has no SparkContext
        return None
    return Path(value) if value else None
