"""Group commit: the collector's accepted events reach the spool durably, one sync per group.

Syncing each event's file on its own costs a journal commit and a disk flush per event
(about 1 ms, and it serialises concurrent requests). Instead one writer thread takes every
event accepted while its previous group was syncing, writes them with
:meth:`~atlas_ml.delivery.Spool.write_many` (one file each, the spool's format unchanged) and
makes the group durable at once; only then does each request get its ``202``. So every
acknowledged event is on disk, a lone request is not delayed (its group is just itself), and
under load the groups grow with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass
from typing import Any

from atlas_ml.delivery import Spool


@dataclass
class _Waiting:
    events: list[dict[str, Any]]
    future: asyncio.Future[None]
    loop: asyncio.AbstractEventLoop


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():  # the client went away; its events are stored all the same
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


class GroupCommit:
    """Stores events in ``spool`` for requests of one or more event loops."""

    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        self._waiting: list[_Waiting] = []
        self._ready = threading.Condition()
        self._closing = False
        self._thread: threading.Thread | None = None
        self.groups = 0
        """Groups written so far (for the curious: events per group = accepted / groups)."""

    async def store(self, events: list[dict[str, Any]]) -> None:
        """Return once ``events`` are durably in the spool; raise the ``OSError`` that kept
        them out (then none of them may be acknowledged)."""
        if not events:
            return
        loop = asyncio.get_running_loop()
        waiting = _Waiting(events, loop.create_future(), loop)
        with self._ready:
            if self._closing:
                raise OSError("the collector is stopping")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="atlas-ml-group-commit", daemon=True
                )
                self._thread.start()
            self._waiting.append(waiting)
            self._ready.notify()
        await waiting.future

    def close(self, timeout: float = 30.0) -> None:
        """Write what is waiting, then stop the writer thread."""
        with self._ready:
            self._closing = True
            self._ready.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._waiting and not self._closing:
                    self._ready.wait()
                if not self._waiting:
                    return
                group, self._waiting = self._waiting, []
            error: BaseException | None = None
            try:
                self.spool.write_many([event for waiting in group for event in waiting.events])
            except Exception as exc:  # every request of the group hears of it
                error = exc if isinstance(exc, OSError) else OSError(str(exc))
            self.groups += 1
            by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
            for waiting in group:
                by_loop.setdefault(waiting.loop, []).append(waiting.future)
            for loop, futures in by_loop.items():  # one wake-up per event loop, not per request
                with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting
                    loop.call_soon_threadsafe(_settle, futures, error)
