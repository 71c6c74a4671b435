"""The chain-of-custody status of each run the read commands show.

Signed attestations (in-toto statements in DSSE envelopes, chained per team) are checked by
``atlas_ml.custody.check_run`` when this installation has it; until then, and for runs
recorded without a signing key, a run is ``UNSIGNED``. Audit, trace and explain call
:func:`check_custody` once per command run, on the runs they show.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.provenance.graph import ProvenanceGraph
from atlas_ml.provenance.model import UNSIGNED

log = logging.getLogger(__name__)
NOT_AVAILABLE = "custody checks are not part of this atlas-ml installation"


def _checker() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("atlas_ml.custody")
    except ImportError:
        return None
    check: Callable[..., Any] | None = getattr(module, "check_run", None)
    return check


def check_custody(client: AtlasClient, graph: ProvenanceGraph, runs: Iterable[str]) -> None:
    """Set ``custody`` and ``custody_summary`` on the run facts of ``runs`` in ``graph``."""
    check = _checker()
    for guid in dict.fromkeys(runs):
        node = graph.get(guid)
        if node is None or node.run is None:
            continue
        if check is None:
            node.run.custody, node.run.custody_summary = UNSIGNED, NOT_AVAILABLE
            continue
        try:
            result = check(client, guid)
        except AtlasError:
            raise
        except Exception as exc:  # a broken record is a finding of its own, not a crash
            log.warning("custody check of %s failed: %s", node.label, exc)
            node.run.custody, node.run.custody_summary = "TAMPERED", f"check failed: {exc}"
            continue
        status = getattr(result, "status", UNSIGNED)
        node.run.custody = str(getattr(status, "value", status))
        node.run.custody_summary = getattr(result, "summary", None)
