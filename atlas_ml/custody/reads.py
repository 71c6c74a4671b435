"""What custody checks read from Atlas, for one training run or many, in three round trips.

A check needs, per run: the run with its relationships (its attestations, the state of its
input and output links); its attestations; every entity the latest one names, steps with
their relationships (their links are signed) and dataset and model versions without (a
dataset version carries one relationship per run that ever read it, which would make every
check slower as history grows); and the previous attestation of its chain, with its link to
its run. A check of many runs reads each level for all of them at once, in bulk requests of
up to :data:`BATCH` names sent a few at a time: checking N runs costs about three requests
per :data:`BATCH` runs, and an entity several runs share (a dataset version, a step, the
attestation the next run names as previous) is read once.

Entities named by qualifiedName are read under ``Referenceable``, whose unique
``qualifiedName`` every Atlas entity type inherits, so steps and previous attestations are
one request and dataset and model versions another, whatever their types.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import partial
from typing import Any

from atlas_ml.client import AtlasClient

Entity = dict[str, Any]
Key = tuple[str, str]
"""An entity by (typeName, qualifiedName)."""

BATCH = 50
"""Guids or names per GET: Atlas takes them as query parameters, and URLs have a limit."""
WORKERS = 2
"""Threads reading beside the caller: Atlas answers independent reads in parallel, and with
the caller's own request three in flight keep a two-core server busy."""
ANY_TYPE = "Referenceable"
_UUID_LENGTH = 36

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    """One pool for the process: a check then starts no thread of its own."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="atlas-ml-custody")
        return _executor


def _forget_pool() -> None:  # a forked child inherits the pool but not its threads
    global _executor
    _executor = None


os.register_at_fork(after_in_child=_forget_pool)


def is_guid(text: str) -> bool:
    return len(text) == _UUID_LENGTH and text.count("-") == 4


def gather(calls: Sequence[Callable[[], list[Entity]]]) -> list[Entity]:
    """Run ``calls`` (each a read returning entities) concurrently; all their entities.

    The caller's thread makes the first read itself; every read finishes before an error of
    one of them is raised.
    """
    if not calls:
        return []
    pending: list[Future[list[Entity]]] = [_pool().submit(call) for call in calls[1:]]
    try:
        first = calls[0]()
    finally:
        wait(pending)
    return [*first, *(e for future in pending for e in future.result())]


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[start : start + BATCH] for start in range(0, len(items), BATCH)]


def read_runs(client: AtlasClient, refs: Collection[str], type_name: str) -> dict[str, Entity]:
    """Entities by the guid or qualifiedName (of ``type_name``) each of ``refs`` is, with
    their relationships; refs Atlas does not know are absent (by name: deleted ones too)."""
    guids = sorted({r for r in refs if is_guid(r)})
    names = sorted({r for r in refs if not is_guid(r)})
    calls = [partial(client.entities.get_bulk, chunk) for chunk in _chunks(guids)]
    calls += [
        partial(client.entities.get_bulk_by_unique_attributes, type_name, chunk)
        for chunk in _chunks(names)
    ]
    found: dict[str, Entity] = {}
    for entity in gather(calls):
        found[str(entity.get("guid"))] = entity
        qualified_name = (entity.get("attributes") or {}).get("qualifiedName")
        if entity.get("typeName") == type_name and qualified_name in names:
            found[str(qualified_name)] = entity
    return {r: found[r] for r in refs if r in found}


def read_by_guid(client: AtlasClient, guids: Iterable[str]) -> dict[str, Entity]:
    """Entities with their relationships, by guid (deleted ones included)."""
    wanted = sorted(set(guids))
    calls = [partial(client.entities.get_bulk, chunk) for chunk in _chunks(wanted)]
    return {str(e.get("guid")): e for e in gather(calls)}


def read_by_name(
    client: AtlasClient, linked: Collection[Key], plain: Collection[Key]
) -> dict[Key, Entity]:
    """Active entities by (type, qualifiedName): ``linked`` with their relationships,
    ``plain`` without; names Atlas does not hold (or holds deleted) are absent."""
    groups = [(sorted({qn for _, qn in linked}), False), (sorted({qn for _, qn in plain}), True)]
    calls = [
        partial(
            client.entities.get_bulk_by_unique_attributes,
            ANY_TYPE,
            chunk,
            ignore_relationships=ignore,
        )
        for names, ignore in groups
        for chunk in _chunks(names)
    ]
    found: dict[Key, Entity] = {}
    for entity in gather(calls):
        qualified_name = (entity.get("attributes") or {}).get("qualifiedName")
        if qualified_name and entity.get("typeName"):
            found[(str(entity["typeName"]), str(qualified_name))] = entity
    # Another type's entity under the same name hides the one wanted: ask for its type.
    names = {qn for _, qn in found}
    for keys, ignore in ((linked, False), (plain, True)):
        for type_name, qualified_name in keys:
            if (type_name, qualified_name) not in found and qualified_name in names:
                for entity in client.entities.get_bulk_by_unique_attributes(
                    type_name, [qualified_name], ignore_relationships=ignore
                ):
                    found[(type_name, qualified_name)] = entity
    return found
