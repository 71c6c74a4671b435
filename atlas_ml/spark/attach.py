"""Attach the lineage listener to a SparkSession that is already running (notebooks).

``spark.extraListeners`` is read only when the SparkContext starts, so a notebook whose session
already exists cannot use it. ``attach`` loads the listener jar into the driver through py4j
(a URLClassLoader over the jar, child of Spark's own loader) and registers an instance with
``SparkContext.addSparkListener``. Limits: executions that started before ``attach`` are not
seen; Spark Connect sessions have no driver JVM in this process and cannot be attached to;
the listener runs only in the driver, which is all it needs.

``attach`` also turns on Spark ML training capture (:mod:`atlas_ml.spark.ml`) and delivery to
Atlas at the end of the job (:mod:`atlas_ml.spark.exit`), both writing to the listener's spool.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atlas_ml.spark.conf import LISTENER_CLASS, SPOOL_DIR_KEY, ListenerOptions, listener_conf

if TYPE_CHECKING:
    from pyspark.sql import SparkSession
    from typing_extensions import Unpack

log = logging.getLogger(__name__)


def attach(
    spark: SparkSession,
    jar: Path | None = None,
    *,
    ml: bool = True,
    deliver_at_exit: bool = True,
    pipeline: str | None = None,
    team: str | None = None,
    owner: str | None = None,
    **conf_options: Unpack[ListenerOptions],
) -> bool:
    """Register the listener on ``spark``'s running context; returns False if already there.

    ``conf_options`` are those of :func:`atlas_ml.spark.conf.listener_conf` (transport, spool,
    http_url, namespace, queue_capacity, code_reference, code_revision). ``team`` and
    ``owner`` say who owns the job: the listener records them, with the code's git revision
    (the running script's unless given), on the job's ``spark_application`` and processes.
    ``ml`` records Spark ML fits as training runs (named ``pipeline``, of ``team``, see
    :func:`atlas_ml.spark.ml.capture_ml`); ``deliver_at_exit`` pushes the spool to Atlas when
    the Python process ends, stopping the SparkContext first if the job did not.
    """
    options: dict[str, Any] = {**conf_options, "team": team, "owner": owner}
    if team or owner:
        from atlas_ml.spark.conf import code_provenance

        options = {**code_provenance(), **options}
    registered = _register_listener(spark, jar, options)
    if registered is None and (team or owner):
        log.warning(
            "the listener was registered when the job started (spark.extraListeners), so it "
            "records the team and owner of the job's conf, not those given to attach(): set "
            "spark.atlasml.team / spark.atlasml.owner in the job's conf (atlas-ml spark conf "
            "--team ... --owner ...)"
        )
    spool = registered or options.get("spool")
    if ml:
        from atlas_ml.spark.ml import capture_ml

        capture_ml(
            spark, spool=spool, pipeline=pipeline, team=team, deliver_at_exit=deliver_at_exit
        )
    elif deliver_at_exit:
        from atlas_ml.delivery import Spool
        from atlas_ml.spark.exit import deliver_at_exit as register_exit_delivery
        from atlas_ml.spark.ml import session_spool_dir

        register_exit_delivery(Spool(Path(spool) if spool else session_spool_dir(spark)))
    return registered is not None


def _register_listener(
    spark: SparkSession, jar: Path | None, conf_options: Mapping[str, Any]
) -> Path | None:
    """Load and register the listener; returns its spool, or None if it was registered."""
    jvm_session = getattr(spark, "_jsparkSession", None)
    jsc = getattr(getattr(spark, "sparkContext", None), "_jsc", None)
    if jvm_session is None or jsc is None:
        raise RuntimeError(
            "attach() needs a classic SparkSession with a driver JVM in this process; Spark "
            "Connect sessions cannot be attached to. Start the job with the listener conf "
            "instead: atlas-ml spark conf"
        )
    registered = spark.sparkContext.getConf().get("spark.extraListeners", "") or ""
    if LISTENER_CLASS in registered:
        log.info("atlas-ml listener already registered through spark.extraListeners")
        return None
    conf = listener_conf(jar, **conf_options)
    gateway: Any = spark.sparkContext._gateway  # py4j: typed Optional, set while running
    jvm = gateway.jvm
    sc = jsc.sc()
    spark_conf = sc.getConf()
    for key, value in conf.items():
        if key not in ("spark.jars", "spark.extraListeners"):
            spark_conf.set(key, value)
    listener_class = _load_class(gateway, jvm, Path(conf["spark.jars"]))
    param_types = gateway.new_array(jvm.java.lang.Class, 1)
    param_types[0] = spark_conf.getClass()
    args = gateway.new_array(jvm.java.lang.Object, 1)
    args[0] = spark_conf
    listener = listener_class.getConstructor(param_types).newInstance(args)
    sc.addSparkListener(listener)
    return Path(conf[SPOOL_DIR_KEY])


def _load_class(gateway: Any, jvm: Any, jar: Path) -> Any:
    parent = jvm.java.lang.Thread.currentThread().getContextClassLoader()
    urls = gateway.new_array(jvm.java.net.URL, 1)
    urls[0] = jvm.java.io.File(str(jar)).toURI().toURL()
    loader = jvm.java.net.URLClassLoader(urls, parent)
    return jvm.java.lang.Class.forName(LISTENER_CLASS, True, loader)
