"""Deliver what the collector accepted: a background thread that pushes the spool to Atlas.

Accepting an event only writes it to the durable spool, so a slow or absent Atlas never slows
down or fails a producer. This thread wakes when events arrive and runs the same ``push`` as
``atlas-ml push`` (the same mapper, idempotent upserts); when Atlas is unreachable it waits,
longer each time up to a minute, and the events stay in the spool meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import DeliveryReport, Spool, push

log = logging.getLogger("atlas_ml.collect")

RETRY_FIRST_SECONDS = 2.0
RETRY_MAX_SECONDS = 60.0
IDLE_CHECK_SECONDS = 30.0
"""Look at the spool this often even without new events: ``atlas-ml ingest`` or a Spark job
may have added some, and a push stopped by another pusher's lock resumes."""


class _Stopping(Exception):
    """The collector is stopping: leave the remaining events pending."""


class Forwarder:
    """Pushes the spool to Atlas whenever :meth:`notify` says events arrived."""

    def __init__(
        self,
        client: AtlasClient,
        spool: Spool,
        on_report: Callable[[DeliveryReport], None] | None = None,
    ) -> None:
        self.client = client
        self.spool = spool
        self.on_report = on_report
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="atlas-ml-forward", daemon=True)
        self.delivered = 0
        self.rejected = 0
        self.last_problem: str | None = None

    def start(self) -> None:
        self._wake.set()  # deliver what an earlier run left pending
        self._thread.start()

    def notify(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the event being delivered, then stop (the rest stays in the spool). An event
        still in flight after ``timeout`` stays pending too, and is sent again (idempotently)
        by the next push."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        wait = RETRY_FIRST_SECONDS
        while not self._stop.is_set():
            self._wake.wait(IDLE_CHECK_SECONDS)
            self._wake.clear()
            if self._stop.is_set():
                return
            report = self._push_once()
            if report is not None and report.stopped_by:
                if report.stopped_by != self.last_problem:
                    log.warning("delivery to Atlas paused: %s", report.stopped_by)
                self.last_problem = report.stopped_by
                self._stop.wait(wait)
                wait = min(wait * 2, RETRY_MAX_SECONDS)
                self._wake.set()
                continue
            if self.last_problem is not None and report is not None:
                log.warning("delivery to Atlas resumed")
                self.last_problem = None
            wait = RETRY_FIRST_SECONDS

    def _between_events(self, _: object) -> None:
        if self._stop.is_set():
            raise _Stopping

    def _push_once(self) -> DeliveryReport | None:
        try:
            # No time limit: one would cut the request in flight when it runs out, and Atlas
            # may have stored what that request sent; stopping is checked between events.
            report = push(self.client, self.spool, on_event=self._between_events)
        except _Stopping:
            return None
        except Exception as exc:  # never let the thread die: the events are in the spool
            log.error("delivery failed (%s); the events stay in the spool", type(exc).__name__)
            return None
        self.delivered += report.delivered
        self.rejected += report.rejected
        if report.rejected:
            log.warning(
                "%d event(s) Atlas cannot take were set aside in %s",
                report.rejected,
                self.spool.rejected_dir,
            )
        if self.on_report is not None:
            self.on_report(report)
        return report
