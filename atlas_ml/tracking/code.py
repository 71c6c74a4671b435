"""Code fingerprints: which code produced a step, so a changed step shows without a new commit.

A step (and a run) records the code that ran, not only a commit: the source of the function
or notebook cell that produced its data (``inspect``), its sha256, its file and line, and the
git revision of the repository holding that file. The sha256 tells a changed step apart even
when the change was never committed; the revision says where to find the code later.

Outside a git repository there is no revision to record: atlas-ml says so once per process
(a warning) instead of recording a silent null.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import linecache
import logging
import os
import sys
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas_ml.tracking.capture import CodeRevision, code_revision

log = logging.getLogger("atlas_ml.tracking")

MAX_SOURCE_CHARS = 64 * 1024
"""Longest source kept in Atlas; the sha256 is always of the whole source."""

_PACKAGE_DIR = str(Path(__file__).resolve().parents[1]) + os.sep
_warned_lock = threading.Lock()
_warned: set[str] = set()


@dataclass(frozen=True)
class CodeFingerprint:
    """The code behind a step: its source, that source's sha256, where it is, its revision."""

    sha256: str | None
    source: str | None
    location: str | None
    revision: str | None
    reference: str | None = None
    """The repository the revision belongs to (a remote URL without credentials)."""


def revision_of(path: str | os.PathLike[str] | None) -> CodeRevision:
    """The git revision of the repository holding ``path`` (the running script by default);
    a warning, once per process, when there is none."""
    revision = code_revision(Path(path) if path else None)
    if revision.sha is None:
        where = str(path) if path else (sys.argv[0] or "the running code")
        _warn_once(
            "no-git",
            f"{where} is not in a git repository (or git is not installed): runs and steps "
            "record no code revision, only the sha256 and source of their code. Commit the "
            "code to a git repository to record its revision",
        )
    return revision


def _warn_once(key: str, message: str) -> None:
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    log.warning("%s", message)


def fingerprint_code(
    code: Callable[..., Any] | str | None,
    revisions: dict[str, CodeRevision] | None = None,
) -> CodeFingerprint:
    """The fingerprint of ``code``: a callable (its source from ``inspect``), a string (the
    code itself, e.g. a SQL statement or a notebook cell's text), or None: the user's code
    that called atlas-ml (the function, or the script or cell at module level).

    ``revisions`` caches revisions by directory for the caller (a run asks once per folder).
    """
    frame = _user_frame()
    try:
        if callable(code):
            source, filename, line, name = _callable_source(code)
        else:
            source, filename, line, name = _frame_source(frame)
            if isinstance(code, str):
                source = code
    finally:
        del frame
    revision = _revision(filename, revisions)
    location = _location(filename, line, name, revision.root)
    digest = hashlib.sha256(source.encode()).hexdigest() if source else None
    kept = source
    if kept is not None and len(kept) > MAX_SOURCE_CHARS:
        kept = kept[:MAX_SOURCE_CHARS] + "\n# ... (cut; codeFingerprint is of the whole source)"
    return CodeFingerprint(digest, kept, location, revision.sha, revision.reference)


def _revision(filename: str | None, cache: dict[str, CodeRevision] | None) -> CodeRevision:
    if not filename or not os.path.exists(filename):
        return CodeRevision(None, None, None)
    folder = os.path.dirname(os.path.abspath(filename))
    if cache is not None and folder in cache:
        return cache[folder]
    revision = revision_of(folder)
    if cache is not None:
        cache[folder] = revision
    return revision


def _user_frame() -> types.FrameType | None:
    """The innermost frame of code outside atlas-ml: the user's call into it."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(_PACKAGE_DIR) and not _is_library(filename):
            return frame
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _is_library(filename: str) -> bool:
    """Frames of installed libraries (scikit-learn calling a patched ``fit``, contextlib)
    are not the user's code."""
    return f"{os.sep}site-packages{os.sep}" in filename or filename.startswith(
        os.path.dirname(os.__file__) + os.sep
    )


def _frame_source(
    frame: types.FrameType | None,
) -> tuple[str | None, str | None, int | None, str | None]:
    """Source of the function ``frame`` runs, or of the whole script or cell at module level."""
    if frame is None:
        return None, None, None, None
    code = frame.f_code
    filename, line = code.co_filename, frame.f_lineno
    if code.co_name == "<module>":
        lines = linecache.getlines(filename, frame.f_globals)
        return ("".join(lines) or None), filename, line, None
    try:
        source = inspect.getsource(code)
    except (OSError, TypeError):
        source = None
    return source, filename, line, getattr(code, "co_qualname", code.co_name)


def _callable_source(
    code: Callable[..., Any],
) -> tuple[str | None, str | None, int | None, str | None]:
    target: Any = code
    while isinstance(target, functools.partial):
        target = target.func
    target = inspect.unwrap(getattr(target, "__func__", target))
    if not (inspect.isfunction(target) or inspect.isclass(target) or inspect.ismethod(target)):
        target = type(target)  # a callable object: its class holds the code
    name = getattr(target, "__qualname__", None)
    try:
        lines, line = inspect.getsourcelines(target)
        filename = inspect.getsourcefile(target)
    except (OSError, TypeError):
        return None, None, None, name
    return "".join(lines), filename, line, name


def _location(
    filename: str | None, line: int | None, name: str | None, root: str | None
) -> str | None:
    """``path:line in name()``, the path relative to the repository root when there is one."""
    if not filename:
        return None
    shown = filename
    if root and os.path.exists(filename):
        try:
            shown = os.path.relpath(os.path.abspath(filename), root)
        except ValueError:
            shown = filename
        if shown.startswith(".."):
            shown = filename
    where = f"{shown}:{line}" if line else shown
    return f"{where} in {name}()" if name else where
