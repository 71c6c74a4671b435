"""A per-context switch that keeps atlas-ml's own work out of what autolog records.

Fingerprinting a file reads it with pandas too; those reads are atlas-ml's, not the user's,
so the run turns recording off around them. Kept apart from :mod:`atlas_ml.tracking.autolog`
so that the run can use it without importing the patches (and the patches can name the run).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_quiet: ContextVar[bool] = ContextVar("atlas_ml_autolog_quiet", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    """Record nothing in this context meanwhile."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def is_quiet() -> bool:
    """Whether recording is off in the current context."""
    return _quiet.get()
