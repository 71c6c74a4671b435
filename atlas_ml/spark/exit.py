"""End-of-job delivery: what a PySpark job recorded reaches Atlas when the process ends.

A script that never calls ``spark.stop()`` still delivers: the exit handler first runs the
hooks registered with :func:`before_exit_delivery` (Spark ML capture records there the fits
whose models were never saved), then stops the SparkContext (so the JVM
listener flushes its queue into the spool at application end), then pushes the spool to Atlas
with the short timeouts and time limit of all end-of-job delivery (see
:func:`atlas_ml.delivery.deliver_spool`). Delivery is best effort and never raises; when
Atlas cannot be reached the events stay in the spool and one line on stderr says that
``atlas-ml push`` delivers them.

Python runs exit handlers in reverse order of registration, so this one (registered after
the session started) runs before PySpark's own handler shuts the JVM gateway down.
"""

from __future__ import annotations

import atexit
import sys
import threading
from collections.abc import Callable

from atlas_ml.delivery import DeliveryReport, Spool, deliver_spool
from atlas_ml.notices import notify_once

_lock = threading.Lock()
_spools: list[Spool] = []
_before_delivery: list[Callable[[], object]] = []


def deliver_at_exit(spool: Spool) -> None:
    """Push ``spool`` when the process exits (once per spool directory, however often called)."""
    with _lock:
        if any(s.root == spool.root for s in _spools):
            return
        if not _spools:
            atexit.register(run_exit_delivery)
        _spools.append(spool)


def before_exit_delivery(hook: Callable[[], object]) -> None:
    """Run ``hook`` at exit before Spark is stopped and the spools are delivered (once,
    however often registered). A hook that raises is reported on stderr, never re-raised."""
    with _lock:
        if hook not in _before_delivery:
            _before_delivery.append(hook)


def cancel_exit_delivery() -> None:
    """Forget every spool registered for delivery at exit."""
    with _lock:
        _spools.clear()
        atexit.unregister(run_exit_delivery)


def run_exit_delivery() -> list[DeliveryReport | None]:
    """What the exit handler does; callable directly (e.g. at the end of a notebook)."""
    with _lock:
        spools, hooks = list(_spools), list(_before_delivery)
    if not spools:
        return []
    for hook in hooks:
        try:
            hook()
        except Exception as exc:
            notify_once(f"could not finish recording before delivery at exit: {exc}")
    _stop_spark()
    return [deliver_spool(spool) for spool in spools]


def _stop_spark() -> None:
    """Stop the SparkContext the user left running so the listener flushes its events."""
    if "pyspark" not in sys.modules:
        return
    try:
        from pyspark import SparkContext

        context = SparkContext._active_spark_context
        if context is not None:
            context.stop()
    except Exception as exc:  # the JVM may already be gone
        notify_once(f"could not stop the SparkContext at exit: {exc}")
