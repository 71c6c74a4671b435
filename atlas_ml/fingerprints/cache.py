"""A persistent cache of file digests keyed on (absolute path, size, mtime_ns, ctime_ns).

Re-hashing an unchanged multi-gigabyte directory on every verify would cost a full read;
a file whose size, modification time and inode change time (in nanoseconds) are unchanged is
taken as unchanged, as git does. The change time matters for provenance: ``touch -d`` or
``cp -a`` can give rewritten bytes their old size and mtime, but nothing but the kernel sets
the ctime, so such a file is read again. Hadoop file systems have no ctime; their key holds 0.
The cache is a small sqlite database under ``cache_dir()/fingerprints/``; when it cannot be
opened the manifest is computed without it.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from atlas_ml.paths import cache_dir

_SCHEMA = """
CREATE TABLE IF NOT EXISTS file_digest_v2 (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL
)
"""
_OBSOLETE = "DROP TABLE IF EXISTS file_digest"  # keyed without ctime_ns by earlier builds


def default_cache_path() -> Path:
    return cache_dir() / "fingerprints" / "file-digests.sqlite3"


class DigestCache:
    """sha256 digests of files seen before; safe to share between threads of one process."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.execute(_OBSOLETE)
        self._db.commit()

    def get(self, path: str, size: int, mtime_ns: int, ctime_ns: int = 0) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT sha256 FROM file_digest_v2 "
                "WHERE path = ? AND size = ? AND mtime_ns = ? AND ctime_ns = ?",
                (path, size, mtime_ns, ctime_ns),
            ).fetchone()
        return str(row[0]) if row else None

    def put_many(self, rows: list[tuple[str, int, int, int, str]]) -> None:
        """Store ``(path, size, mtime_ns, ctime_ns, sha256)`` rows."""
        if not rows:
            return
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO file_digest_v2 (path, size, mtime_ns, ctime_ns, sha256) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> DigestCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
