"""File manifests: the exact, cryptographic fingerprint of a dataset version's bytes.

A manifest lists every data file under a root as ``{relative POSIX path, size, sha256}``,
sorted by path (Unicode code point order, which is also UTF-8 byte order). Its root hash is
the sha256 of the canonical listing: one JSON array per file, ``["path",size,"sha256"]``,
compact separators, UTF-8, each followed by ``\\n``. To recompute it by hand::

    sha256(b"".join(json.dumps([p, n, h], separators=(",", ":"), ensure_ascii=False)
                    .encode() + b"\\n" for p, n, h in sorted(entries)))

JSON quoting keeps paths with spaces, tabs or newlines unambiguous.

Skipped, as Hadoop's ``FileInputFormat`` and Spark skip them: every file *or directory* whose
name starts with ``.`` or ``_`` (``_SUCCESS``, ``_delta_log``, ``_temporary``, ``.hive-staging``,
``.part-0.crc``) and every ``*.crc`` checksum file.

Symbolic links are followed, to files and to directories alike, because the readers (pyarrow,
Spark) follow them: the manifest must cover the bytes the logical hash was read from. A link
back to one of its own ancestor directories (a cycle) is not entered, and a dangling link, or
anything that is not a regular file (a FIFO, a socket), is left out: each with a warning that
names it. They hold no bytes a reader could use, and leaving them out (rather than failing)
keeps a half-broken directory fingerprintable; once a dangling link is repaired, its target
shows up as an added file in the diff, so ``verify`` still notices.

Files are hashed in parallel threads: ``hashlib`` releases the GIL while digesting large
buffers, so threads scale across cores without processes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from atlas_ml.errors import AtlasMLError
from atlas_ml.fingerprints.cache import DigestCache

ALGORITHM = "manifest-v1"
_log = logging.getLogger(__name__)
READ_BUFFER = 4 << 20

FileHasher = Callable[[Path], str]


class ManifestError(AtlasMLError, ValueError):
    """A manifest cannot be built for this location."""


class UnsupportedSchemeError(ManifestError):
    """The location's URI scheme has no byte-level access here."""


@dataclass(frozen=True, order=True)
class ManifestEntry:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class FileManifest:
    """Every data file of a dataset version with its size and sha256, plus the root hash."""

    root: str
    entries: tuple[ManifestEntry, ...]
    root_hash: str
    algorithm: str = ALGORITHM

    @property
    def total_bytes(self) -> int:
        return sum(entry.size for entry in self.entries)

    def to_dict(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "root": self.root,
            "root_hash": self.root_hash,
            "files": [[e.path, e.size, e.sha256] for e in self.entries],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileManifest:
        try:
            entries = tuple(ManifestEntry(str(p), int(n), str(h)) for p, n, h in data["files"])
            return cls(
                root=str(data["root"]),
                entries=entries,
                root_hash=str(data["root_hash"]),
                algorithm=str(data["algorithm"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ManifestError(
                f"not a file manifest record ({exc!r}); expected FileManifest.to_dict() output"
            ) from exc


def canonical_listing(entries: tuple[ManifestEntry, ...]) -> bytes:
    """The exact bytes the root hash is taken over (entries must already be sorted)."""
    return b"".join(
        json.dumps([e.path, e.size, e.sha256], separators=(",", ":"), ensure_ascii=False).encode(
            "utf-8"
        )
        + b"\n"
        for e in entries
    )


def root_hash(entries: tuple[ManifestEntry, ...]) -> str:
    return hashlib.sha256(canonical_listing(entries)).hexdigest()


def sha256_file(path: Path, buffer_size: int = READ_BUFFER) -> str:
    """sha256 of one file, read in large buffers so that hashing runs outside the GIL."""
    digest = hashlib.sha256()
    buffer = bytearray(buffer_size)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while True:
            count = handle.readinto(buffer)
            if not count:
                break
            digest.update(view[:count])
    return digest.hexdigest()


def local_path(location: str | os.PathLike[str]) -> Path:
    """A local path from a path or ``file://`` URI; other schemes raise a clear error."""
    text = os.fspath(location)
    parsed = urlparse(text)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise UnsupportedSchemeError(
                f"{text}: file:// URIs must name a local path (file:///data/x), "
                f"not host {parsed.netloc!r}"
            )
        return Path(unquote(parsed.path))
    if len(parsed.scheme) > 1:  # one letter is a Windows drive
        raise UnsupportedSchemeError(
            f"{text}: byte-level manifests read local paths and file:// URIs only; the "
            f"{parsed.scheme!r} scheme is not supported. Copy the data locally (e.g. "
            f"'hdfs dfs -get'), or record its native version pointer instead."
        )
    return Path(text)


def is_skipped(name: str) -> bool:
    """True for names Hadoop/Spark treat as hidden or bookkeeping (see module docstring)."""
    return name.startswith((".", "_")) or name.endswith(".crc")


def data_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, absolute path) of every data file under ``root``, unsorted.

    Follows symbolic links; cycles, dangling links and special files are left out with a
    warning (see the module docstring).
    """
    if root.is_file():
        yield root.name, root
        return
    yield from _walk(root, "", frozenset())


def _walk(
    directory: Path, prefix: str, ancestors: frozenset[tuple[int, int]]
) -> Iterator[tuple[str, Path]]:
    """Depth-first listing; ``ancestors`` are the (device, inode) of the directories above,
    which is what tells a link cycle from two links to the same directory (both read)."""
    st = directory.stat()
    ancestors = ancestors | {(st.st_dev, st.st_ino)}
    with os.scandir(directory) as entries:
        listing = [entry for entry in entries if not is_skipped(entry.name)]
    for entry in listing:
        rel = f"{prefix}{entry.name}"
        full = directory / entry.name
        try:
            target = full.stat()
        except FileNotFoundError:
            if not entry.is_symlink():
                raise  # removed while listing: a writer is still at work
            _log.warning("%s: dangling symbolic link left out of the manifest", full)
            continue
        if stat.S_ISDIR(target.st_mode):
            if (target.st_dev, target.st_ino) in ancestors:
                _log.warning(
                    "%s: symbolic link to an enclosing directory (a cycle) not followed", full
                )
                continue
            yield from _walk(full, f"{rel}/", ancestors)
        elif stat.S_ISREG(target.st_mode):
            yield rel, full
        else:
            _log.warning("%s: not a regular file, left out of the manifest", full)


def build_manifest(
    location: str | os.PathLike[str],
    *,
    workers: int | None = None,
    cache: DigestCache | bool | None = True,
    hasher: FileHasher = sha256_file,
    files: Iterable[tuple[str, Path]] | None = None,
) -> FileManifest:
    """Hash every data file under ``location`` (a file or a directory) into a manifest.

    ``workers`` defaults to every core. ``cache=True`` uses the shared on-disk digest cache,
    ``False``/``None`` disables it, or pass a ``DigestCache``. ``hasher`` is the function that
    reads a file; tests substitute it to count reads. ``files``: (relative path, file to read)
    pairs to hash instead of every file under ``location`` (the files of one table version).
    """
    root = local_path(location)
    if not root.exists():
        raise ManifestError(f"{location}: no such file or directory")
    files = sorted(data_files(root) if files is None else files)
    own_cache = cache is True
    digests = open_default_cache() if cache is True else (cache or None)
    try:
        stats = {rel: full.stat() for rel, full in files}
        known: dict[str, str] = {}
        if digests is not None:
            for rel, full in files:
                st = stats[rel]
                hit = digests.get(str(full.resolve()), st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                if hit is not None:
                    known[rel] = hit
        todo = [(rel, full) for rel, full in files if rel not in known]
        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            fresh = dict(
                zip(
                    (rel for rel, _ in todo),
                    pool.map(hasher, (full for _, full in todo)),
                    strict=True,
                )
            )
        for rel, full in todo:
            after = full.stat()
            before = stats[rel]
            if _identity(after) != _identity(before):
                raise ManifestError(
                    f"{full} changed while it was being hashed; fingerprint the dataset "
                    "once writers have finished"
                )
        if digests is not None:
            digests.put_many(
                [(str(full.resolve()), *_identity(stats[rel]), fresh[rel]) for rel, full in todo]
            )
    finally:
        if own_cache and digests is not None:
            digests.close()
    entries = tuple(
        ManifestEntry(rel, stats[rel].st_size, known.get(rel) or fresh[rel]) for rel, _ in files
    )
    return FileManifest(root=root.resolve().as_uri(), entries=entries, root_hash=root_hash(entries))


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    """What must stay equal for a file's cached digest to stand (see ``fingerprints.cache``)."""
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns


def open_default_cache() -> DigestCache | None:
    """The shared digest cache, or None when it cannot be opened (the manifest still works)."""
    try:
        return DigestCache()
    except (OSError, sqlite3.Error) as exc:
        _log.warning("fingerprint cache unavailable, hashing all files: %s", exc)
        return None


@dataclass(frozen=True)
class ManifestDiff:
    """What changed between a recorded manifest and a current one, file by file."""

    added: list[ManifestEntry]
    removed: list[ManifestEntry]
    modified: list[tuple[ManifestEntry, ManifestEntry]]

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.modified)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": [e.path for e in self.added],
            "removed": [e.path for e in self.removed],
            "modified": [
                {"path": old.path, "old": [old.size, old.sha256], "new": [new.size, new.sha256]}
                for old, new in self.modified
            ],
        }

    def summary(self) -> str:
        if self.unchanged:
            return "no file changed"
        parts = [
            f"{len(items)} {label}"
            for label, items in (
                ("added", self.added),
                ("removed", self.removed),
                ("modified", self.modified),
            )
            if items
        ]
        return ", ".join(parts)


def diff_manifests(recorded: FileManifest, current: FileManifest) -> ManifestDiff:
    """Files added, removed or modified (size or digest differ) from ``recorded`` to ``current``."""
    old = {e.path: e for e in recorded.entries}
    new = {e.path: e for e in current.entries}
    return ManifestDiff(
        added=[new[p] for p in sorted(new.keys() - old.keys())],
        removed=[old[p] for p in sorted(old.keys() - new.keys())],
        modified=[
            (old[p], new[p])
            for p in sorted(old.keys() & new.keys())
            if (old[p].size, old[p].sha256) != (new[p].size, new[p].sha256)
        ],
    )
