"""Spark side of atlas-ml: the JVM lineage listener's jar, its Spark conf, and notebook attach.

The listener itself is plain Java under ``spark_hooks/``; this package builds it for the
running Spark line, says how to register it, and attaches it to an existing session.
"""

from __future__ import annotations

from atlas_ml.spark.attach import attach
from atlas_ml.spark.conf import LISTENER_CLASS, listener_conf
from atlas_ml.spark.jar import ListenerBuildError, SparkLine, listener_jar, spark_line

__all__ = [
    "LISTENER_CLASS",
    "ListenerBuildError",
    "SparkLine",
    "attach",
    "listener_conf",
    "listener_jar",
    "spark_line",
]
