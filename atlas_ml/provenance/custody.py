"""The chain-of-custody status of each run the read commands show.

Signed attestations (in-toto statements in DSSE envelopes, chained per team) are checked by
:func:`atlas_ml.custody.check_runs`, all the runs of a command together. A run read with its
relationships is handed over as the entity, so a run without an attestation costs no
request; signed runs share the reads their checks need (attestations, signed records,
previous links of the chains), 50 to a request. Audit, trace and explain call
:func:`check_custody` once per command run, on the runs they show.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.provenance.graph import ProvenanceGraph
from atlas_ml.provenance.model import Node

log = logging.getLogger(__name__)


def check_custody(client: AtlasClient, graph: ProvenanceGraph, runs: Iterable[str]) -> None:
    """Set ``custody`` and ``custody_summary`` on the run facts of ``runs`` in ``graph``.

    The runs are checked together (:func:`atlas_ml.custody.check_runs`: a request per 50
    runs or records at each of its three levels, not a few requests per run); if that
    check cannot read something, each run is checked alone, so one unreadable record marks
    its own run and no other."""
    from atlas_ml.custody import check_run, check_runs
    from atlas_ml.custody.settings import load_custody_settings

    nodes = [
        node
        for guid in dict.fromkeys(runs)
        if (node := graph.get(guid)) is not None and node.run is not None
    ]
    if not nodes:
        return
    settings = load_custody_settings(missing_ok=True)
    try:
        results = check_runs(client, [_entity(node) for node in nodes], settings=settings)
    except AtlasError:
        raise
    except Exception as exc:  # checked one by one below, to name the run at fault
        log.warning("custody check of %d runs together failed (%s); checking each", len(nodes), exc)
        results = {}
    for node in nodes:
        assert node.run is not None
        result = results.get(node.guid)
        if result is None:
            try:
                result = check_run(client, _entity(node), settings=settings)
            except AtlasError:
                raise
            except Exception as exc:  # a record the check cannot read is a finding
                log.warning("custody check of %s failed: %s", node.label, exc)
                node.run.custody, node.run.custody_summary = "TAMPERED", f"check failed: {exc}"
                continue
        node.run.custody = str(result.status.value)
        node.run.custody_summary = result.summary or None


def _entity(node: Node) -> dict[str, Any] | str:
    """The run as ``check_run`` reads it: its entity when its attestation links were read
    (no request for an unsigned run), else its guid (the check reads it)."""
    if node.run is None or node.run.attestations is None:
        return node.guid
    return {
        "guid": node.guid,
        "typeName": node.type_name,
        "status": node.status,
        "attributes": dict(node.attributes),
        "relationshipAttributes": {"attestations": list(node.run.attestations)},
    }
