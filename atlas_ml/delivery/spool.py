"""A directory of pending events, one JSON file each, written atomically.

Layout (shared with the JVM listener, which writes the same file names):
``<spool>/<epoch millis>-<runId>-<eventType>.json`` pending, ``delivered/`` after delivery
(pruned after a week), ``rejected/`` for events that can never be mapped, each with a
``.error`` file saying why.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from atlas_ml.errors import SpoolBusy
from atlas_ml.events import EventError, parse_event
from atlas_ml.paths import cache_dir

SPOOL_ENV = "ATLAS_ML_SPOOL"
PARTIAL_WRITE_SECONDS = 300.0
"""A temp file this old belongs to a writer that was killed: writing one takes milliseconds."""
LOCK_POLL_SECONDS = 0.1
DELIVERED_RETENTION_SECONDS = 7 * 24 * 3600
GROUP_SIZE = 256
"""Events written per group by :meth:`Spool.write_many` (each holds a file open until synced)."""
_SYNC_THREADS = 16
_sync_pool: ThreadPoolExecutor | None = None
_sync_pool_lock = threading.Lock()


def _data_sync(fds: list[int]) -> None:
    """Make the data of every file in ``fds`` durable. The calls run side by side: the file
    system commits concurrent syncs together (one journal commit and one disk cache flush for
    the lot), where one after another each would wait for its own; and unlike ``syncfs`` no
    call waits for other processes' writes to the same disk."""
    global _sync_pool
    if len(fds) == 1:
        os.fdatasync(fds[0])
        return
    with _sync_pool_lock:
        if _sync_pool is None:
            _sync_pool = ThreadPoolExecutor(_SYNC_THREADS, thread_name_prefix="atlas-ml-spool-sync")
        pool = _sync_pool
    for _ in pool.map(os.fdatasync, fds):
        pass


def _lock_within(fd: int, timeout: float, root: Path) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise SpoolBusy(
                    f"another process is delivering the spool {root} (it holds "
                    f"{root / '.lock'}) and did not finish within {timeout:g}s"
                ) from None
            time.sleep(LOCK_POLL_SECONDS)


def _event_name(event: dict[str, Any], millis: int) -> str:
    """``<epoch millis>-<runId>-<eventType>``: file names sort in the order events happened."""
    run = event.get("run")
    run_id = run.get("runId", "unknown") if isinstance(run, dict) else "unknown"
    return f"{millis:013d}-{run_id}-{event.get('eventType', 'OTHER')}"


def _event_millis(event: dict[str, Any], fallback: int) -> int:
    try:
        when = datetime.fromisoformat(str(event.get("eventTime")).replace("Z", "+00:00"))
    except ValueError:
        return fallback
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp() * 1000)


def _place(temp: str, root: Path, name: str) -> Path:
    """Rename ``temp`` to ``<name>.json``, or ``<name>-1.json``... if another event of the same
    run and type was stored in the same millisecond (a collector taking a batch): a link fails
    rather than replace that event."""
    for attempt in range(1000):
        target = root / (f"{name}.json" if attempt == 0 else f"{name}-{attempt}.json")
        try:
            os.link(temp, target)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links: the plain rename
            os.replace(temp, target)
            return target
        os.unlink(temp)
        return target
    raise FileExistsError(f"{root / name}.json and 999 others exist")


def default_spool_dir() -> Path:
    """``$ATLAS_ML_SPOOL`` or ``<cache>/spool``."""
    spool = os.environ.get(SPOOL_ENV)
    return Path(spool).expanduser() if spool else cache_dir() / "spool"


class Spool:
    """Durable pending events in chronological order."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else default_spool_dir()

    def push_command(self, *flags: str) -> str:
        """The ``atlas-ml push`` line that delivers this spool, for messages to the user."""
        words = ["atlas-ml", "push"]
        if self.root != default_spool_dir():
            words += ["--spool", str(self.root)]
        return shlex.join([*words, *flags])

    @property
    def delivered_dir(self) -> Path:
        return self.root / "delivered"

    @property
    def rejected_dir(self) -> Path:
        return self.root / "rejected"

    def write(self, event: dict[str, Any]) -> Path:
        """Store ``event`` durably (temp file, fsync, rename) and return its path."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = _event_name(event, time.time_ns() // 1_000_000)
        data = json.dumps(event, separators=(",", ":"), sort_keys=True).encode()
        fd, temp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            target = _place(temp, self.root, name)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return target

    def write_many(self, events: Sequence[dict[str, Any]]) -> list[Path]:
        """Store ``events`` durably as :meth:`write` does, one file each, with one sync per
        group of up to :data:`GROUP_SIZE` instead of one per event: every temp file is
        written, their data synced together, each renamed into place (so a pending file is
        always complete, as with :meth:`write`), then the directory synced once. When this
        returns, every event survives a crash; when it raises, none was acknowledged (some
        may be stored: the spool's delivery is idempotent)."""
        paths: list[Path] = []
        if not events:
            return paths
        self.root.mkdir(parents=True, exist_ok=True)
        for start in range(0, len(events), GROUP_SIZE):
            paths += self._write_group(events[start : start + GROUP_SIZE])
        return paths

    def _write_group(self, events: Sequence[dict[str, Any]]) -> list[Path]:
        millis = time.time_ns() // 1_000_000
        temps: list[tuple[str, str]] = []
        fds: list[int] = []
        try:
            for event in events:
                data = json.dumps(event, separators=(",", ":"), sort_keys=True).encode()
                fd, temp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.root)
                fds.append(fd)
                temps.append((temp, _event_name(event, millis)))
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            _data_sync(fds)
            paths = [_place(temp, self.root, name) for temp, name in temps]
            directory = os.open(self.root, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except BaseException:
            for temp, _ in temps:
                Path(temp).unlink(missing_ok=True)
            raise
        finally:
            for fd in fds:
                os.close(fd)
        return paths

    def pending(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.glob("*.json") if not p.name.startswith("."))

    def partial_writes(self, older_than: float = PARTIAL_WRITE_SECONDS) -> list[Path]:
        """Temp files of writers (this package's or the JVM listener's) that were killed
        between writing an event and renaming it into place; younger ones may be in progress."""
        if not self.root.is_dir():
            return []
        cutoff = time.time() - older_than
        found = []
        for path in sorted(self.root.glob(".*.tmp")):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    found.append(path)
        return found

    def recover_partial_writes(self, older_than: float = PARTIAL_WRITE_SECONDS) -> tuple[int, int]:
        """Put complete events a killed writer left in temp files back in the pending set and
        set torn ones aside in ``rejected/`` with the reason; returns (recovered, set aside)."""
        recovered = set_aside = 0
        for path in self.partial_writes(older_than):
            try:
                data = path.read_bytes()
                modified = int(path.stat().st_mtime * 1000)
            except FileNotFoundError:
                continue
            try:
                event = parse_event(data)
            except EventError as exc:
                self.rejected_dir.mkdir(parents=True, exist_ok=True)
                target = self.rejected_dir / f"{modified:013d}-partial{path.name[:-4]}.json"
                (self.rejected_dir / (target.name + ".error")).write_text(
                    f"a writer was killed while writing this event, which is incomplete: {exc}\n"
                )
                os.replace(path, target)
                set_aside += 1
                continue
            os.replace(
                path, self.root / f"{_event_name(event, _event_millis(event, modified))}.json"
            )
            recovered += 1
        return recovered, set_aside

    def rejected(self) -> list[Path]:
        """Events set aside by :meth:`reject`, waiting for a fix and ``push --retry-rejected``."""
        if not self.rejected_dir.is_dir():
            return []
        return sorted(self.rejected_dir.glob("*.json"))

    def mark_delivered(self, path: Path) -> None:
        self.delivered_dir.mkdir(parents=True, exist_ok=True)
        os.replace(path, self.delivered_dir / path.name)

    def reject(self, path: Path, reason: str) -> None:
        """Move an event that can never be mapped aside, with the reason beside it."""
        self.rejected_dir.mkdir(parents=True, exist_ok=True)
        (self.rejected_dir / (path.name + ".error")).write_text(reason + "\n")
        os.replace(path, self.rejected_dir / path.name)

    def requeue_rejected(self) -> int:
        """Put rejected events back in the pending set (after a fix); returns how many."""
        count = 0
        for path in self.rejected():
            (self.rejected_dir / (path.name + ".error")).unlink(missing_ok=True)
            os.replace(path, self.root / path.name)
            count += 1
        return count

    def prune_delivered(self, older_than: float = DELIVERED_RETENTION_SECONDS) -> int:
        if not self.delivered_dir.is_dir():
            return 0
        cutoff = time.time() - older_than
        old = [p for p in self.delivered_dir.glob("*.json") if p.stat().st_mtime < cutoff]
        for path in old:
            path.unlink(missing_ok=True)
        return len(old)

    @contextlib.contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """Exclusive lock so two pushers never deliver the same event concurrently.

        Waits as long as the other pusher needs, or at most ``timeout`` seconds and then
        raises :class:`SpoolBusy`.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a") as handle:
            if timeout is None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            else:
                _lock_within(handle.fileno(), timeout, self.root)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
