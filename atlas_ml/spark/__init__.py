"""Spark side of atlas-ml: the JVM lineage listener's jar, its Spark conf, and notebook attach.

The listener itself is plain Java under ``spark_hooks/``; this package builds it for the
running Spark line, says how to register it, and attaches it to an existing session. Spark ML
training is captured on the Python side (:mod:`atlas_ml.spark.ml`), and what a job recorded
is delivered to Atlas when it ends (:mod:`atlas_ml.spark.exit`).
"""

from __future__ import annotations

from atlas_ml.spark.attach import attach
from atlas_ml.spark.conf import LISTENER_CLASS, listener_conf
from atlas_ml.spark.jar import ListenerBuildError, SparkLine, listener_jar, spark_line
from atlas_ml.spark.ml import capture_ml, release_ml
from atlas_ml.spark.pause import paused

__all__ = [
    "LISTENER_CLASS",
    "ListenerBuildError",
    "SparkLine",
    "attach",
    "capture_ml",
    "listener_conf",
    "listener_jar",
    "paused",
    "release_ml",
    "spark_line",
]
