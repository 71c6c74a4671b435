"""The local chain log: per team and signing key, every attestation in the order signed.

Each attestation names the sha256 of the payload signed before it by the same key for the
same team, so deleting or reordering a run leaves a gap that the check sees. The log is the
signer's memory of that order (Atlas holds the other copy, as ``atlasml_attestation``
entities): ``<log dir>/<team>/<key id>.jsonl`` holds one line per attestation (sequence,
payload sha256, previous, the envelope) and ``<key id>.head`` the latest position and the
log's size after it, so that finding the next link never reads the whole log. Only the log
is flushed to disk (one fsync per run): a head that a crash left behind no longer matches the
log's size, and the position is then taken from the log itself.

A chain is per team *and* signing key: a team that signs on several machines, each with its
own key, has one chain per machine, and a fork can only mean tampering (or two machines
sharing one key without sharing this folder, which the docs advise against). The position is
taken under an exclusive lock, so concurrent runs of one team on one machine never fork.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from atlas_ml.custody.canonical import sha256_hex


@dataclass(frozen=True)
class Head:
    sequence: int
    payload_sha256: str
    log_size: int | None = None


@dataclass
class PendingLink:
    """The next position of a chain, reserved under the log's lock until committed."""

    log: ChainLog
    team: str
    key_id: str
    sequence: int
    previous: str | None
    committed: bool = False

    def commit(self, envelope: dict[str, Any], payload: bytes, **details: Any) -> None:
        """Append the signed attestation at this position and move the head to it.

        ``details`` are kept in the entry beside it (the run id, the digest of the signed
        records and the signing time, which let a re-import find what it signed before).
        """
        payload_sha = sha256_hex(payload)
        entry = {
            **details,
            "sequence": self.sequence,
            "payloadSha256": payload_sha,
            "previous": self.previous,
            "envelope": envelope,
        }
        folder = self.log.folder(self.team)
        line = json.dumps(entry, separators=(",", ":"), sort_keys=True) + "\n"
        with open(folder / f"{self.key_id}.jsonl", "ab+") as out:
            end = out.seek(0, os.SEEK_END)
            torn = end > 0 and out.seek(end - 1) >= 0 and out.read(1) != b"\n"
            out.write((b"\n" if torn else b"") + line.encode())  # after a crash's torn line
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
        head = {"sequence": self.sequence, "payloadSha256": payload_sha, "logSize": size}
        _write_atomically(folder / f"{self.key_id}.head", json.dumps(head))
        self.committed = True


class ChainLog:
    """The chain log under ``root`` (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def folder(self, team: str) -> Path:
        return self.root / quote(team, safe="")

    def head(self, team: str, key_id: str) -> Head | None:
        """The latest position: from the head file when it matches the log, else the log."""
        folder = self.folder(team)
        try:
            size = (folder / f"{key_id}.jsonl").stat().st_size
        except FileNotFoundError:
            return None
        try:
            data = json.loads((folder / f"{key_id}.head").read_text(encoding="utf-8"))
            head = Head(int(data["sequence"]), str(data["payloadSha256"]), data.get("logSize"))
        except (OSError, ValueError, KeyError, TypeError):
            head = None
        if head is not None and head.log_size == size:
            return head
        return self._head_from_log(team, key_id)

    def _head_from_log(self, team: str, key_id: str) -> Head | None:
        """The last complete line of the log, when the head file is damaged."""
        last = None
        for entry in self.entries(team, key_id):
            last = Head(int(entry["sequence"]), str(entry["payloadSha256"]))
        return last

    @contextlib.contextmanager
    def next_link(self, team: str, key_id: str) -> Iterator[PendingLink]:
        """Reserve the position after the head; nothing changes unless it is committed."""
        folder = self.folder(team)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                head = self.head(team, key_id)
                yield PendingLink(
                    self,
                    team,
                    key_id,
                    sequence=head.sequence + 1 if head else 1,
                    previous=head.payload_sha256 if head else None,
                )
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def entries(self, team: str, key_id: str) -> Iterator[dict[str, Any]]:
        """The log's entries in order (a torn last line, from a crash, is skipped)."""
        path = self.folder(team) / f"{key_id}.jsonl"
        if not path.is_file():
            return
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(entry, dict) and "sequence" in entry and "payloadSha256" in entry:
                    yield entry

    def key_ids(self, team: str) -> list[str]:
        folder = self.folder(team)
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.jsonl"))


def _write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` whole (never half-written); not flushed to disk, see ``head``."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
