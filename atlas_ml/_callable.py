"""Packages that are also their main function (``atlas_ml.audit(...)``).

The public API exports ``audit``, ``trace`` and ``explain`` from :mod:`atlas_ml`, and each is
also the name of its package: importing the package makes Python set ``atlas_ml.audit`` to
the module, whatever ``atlas_ml/__init__`` exported. Making the module callable as the
function keeps ``atlas_ml.audit(client, ...)`` working either way (as ``atlas_ml.verify``).
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Callable
from typing import Any


def callable_package(name: str, function: Callable[..., Any]) -> None:
    """Make the module ``name`` callable as ``function``."""

    class _CallablePackage(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return function(*args, **kwargs)

    module = sys.modules[name]
    module.__class__ = _CallablePackage
    module.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
