"""The provenance graph of one command run: entities read from Atlas once, walked many times.

An audit asks the same upstream question for thousands of model versions whose lineage
mostly overlaps (the same feature tables, ETL jobs and raw sources), so every entity is read
once, in bulk (``GET /v2/entity/bulk``, :data:`CHUNK` guids per request, a few requests in
flight), and kept here for the rest of the run. The upstream walk goes level by level over
the union of all start points: its requests grow with the number of *distinct* upstream
entities, never with models x depth. Atlas's per-entity lineage API is not used: one call
per model is exactly the O(models) pattern to avoid, and it leaves out one-sided processes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.client import AtlasClient
from atlas_ml.provenance.build import RUN_TYPES, node_from_entity
from atlas_ml.provenance.model import PIPELINE_RUN, Node

CHUNK = 50
"""guids per bulk read: Atlas takes them in the query string, which proxies cap at 8 KiB."""
WORKERS = 2
"""Bulk reads in flight at once: Atlas answers independent reads on parallel threads."""

Progress = Callable[[str, int, "int | None"], None]
"""``progress(stage, done, total)``: called as work advances (``total`` None when unknown)."""


def _quiet(stage: str, done: int, total: int | None) -> None:
    return None


@dataclass
class ProvenanceGraph:
    """Nodes by guid, read on demand and memoised; edges run against the data flow.

    A process's parents are its inputs; a dataset's (or model version's) parents are the
    processes that wrote it. Steps also name their run, Spark processes their application:
    those are read alongside but are no lineage edges.
    """

    client: AtlasClient
    workers: int = WORKERS
    nodes: dict[str, Node] = field(default_factory=dict)
    requests: int = 0
    """Bulk reads sent so far (each carries up to :data:`CHUNK` guids)."""
    _full: set[str] = field(default_factory=set)
    """guids read with their relationship attributes."""
    _absent: set[str] = field(default_factory=set)

    # --- reading ------------------------------------------------------------------------
    def add(self, node: Node) -> Node:
        """Keep a node built elsewhere (a search result) unless a fuller one is known."""
        if node.guid not in self._full:
            self.nodes[node.guid] = node
        return self.nodes[node.guid]

    def read(
        self,
        guids: Iterable[str],
        *,
        relationships: bool = True,
        progress: Progress = _quiet,
        stage: str = "reading entities",
    ) -> list[Node]:
        """The nodes of ``guids`` (unknown ones left out), reading from Atlas only those not
        read before (with relationships, when ``relationships``)."""
        wanted = list(dict.fromkeys(g for g in guids if g))
        known = self._full if relationships else set(self.nodes)
        missing = [g for g in wanted if g not in known and g not in self._absent]
        if missing:
            self._fetch(missing, relationships, progress, stage)
        return [self.nodes[g] for g in wanted if g in self.nodes]

    def _fetch(self, guids: list[str], relationships: bool, progress: Progress, stage: str) -> None:
        chunks = [guids[i : i + CHUNK] for i in range(0, len(guids), CHUNK)]
        progress(stage, 0, len(guids))

        def one(chunk: list[str]) -> list[dict[str, Any]]:
            return self.client.entities.get_bulk(chunk, ignore_relationships=not relationships)

        if self.workers > 1 and len(chunks) > 1:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="atlas-ml-read") as pool:
                results: Iterator[list[dict[str, Any]]] = pool.map(one, chunks)
                batches = list(self._count(results, chunks, progress, stage, guids))
        else:
            batches = list(self._count(map(one, chunks), chunks, progress, stage, guids))
        found: set[str] = set()
        for batch in batches:
            for entity in batch:
                node = node_from_entity(entity)
                if not node.guid:
                    continue
                found.add(node.guid)
                if relationships or node.guid not in self._full:
                    self.nodes[node.guid] = node
                if relationships:
                    self._full.add(node.guid)
        self._absent.update(g for g in guids if g not in found)

    def _count(
        self,
        results: Iterable[list[dict[str, Any]]],
        chunks: list[list[str]],
        progress: Progress,
        stage: str,
        guids: list[str],
    ) -> Iterator[list[dict[str, Any]]]:
        done = 0
        for chunk, result in zip(chunks, results, strict=True):
            self.requests += 1
            done += len(chunk)
            progress(stage, done, len(guids))
            yield result

    def get(self, guid: str) -> Node | None:
        return self.nodes.get(guid)

    # --- walking ------------------------------------------------------------------------
    def parents(self, guid: str) -> list[str]:
        """What flowed into ``guid``: a process's inputs, the writers of data or a model."""
        node = self.nodes.get(guid)
        if node is None:
            return []
        if node.is_process:
            return list(node.inputs)
        return self._writers(node)

    def _writers(self, node: Node) -> list[str]:
        """The processes that wrote ``node``, without the pipeline runs among them when a
        step wrote it too: a pipeline run names the data its steps wrote, and the step
        says more (what it did, with which code, and what it blocked)."""
        producers = list(node.producers or [])
        if len(producers) < 2:
            return producers
        steps = [p for p in producers if node.ref_types.get(p) != PIPELINE_RUN]
        return steps or producers

    def walk_upstream(
        self,
        starts: Iterable[str],
        progress: Progress = _quiet,
        stage: str = "upstream",
        *,
        process_relationships: bool = True,
    ) -> None:
        """Read every entity upstream of ``starts`` (data), level by level, each one once.

        Data is read with its relationships (who wrote it); processes name their inputs in
        plain attributes, so ``process_relationships=False`` reads them without (several
        times cheaper for Atlas), at the price of the run each step belongs to and the
        application of each Spark process, which are read here only with them. Then the
        data-quality validations of the data are read.
        """
        frontier = [(g, False) for g in dict.fromkeys(starts)]
        visited: set[str] = set()
        level = 0
        while frontier:
            level += 1
            todo = [(g, is_process) for g, is_process in frontier if g not in visited]
            visited.update(g for g, _ in todo)
            data = [g for g, is_process in todo if not is_process]
            processes = [g for g, is_process in todo if is_process]
            label = f"{stage} (level {level})"
            nodes = self.read(data, progress=progress, stage=label)
            nodes += self.read(
                processes, relationships=process_relationships, progress=progress, stage=label
            )
            following: dict[str, bool] = {}
            for node in nodes:
                for parent in self.parents(node.guid):
                    if parent not in visited:
                        following.setdefault(parent, not node.is_process)
            frontier = list(following.items())
        extras: set[str] = set()
        for guid in visited:
            seen = self.nodes.get(guid)
            if seen is not None and seen.step is not None:
                extras.update(g for g in (seen.step.run_guid, seen.step.application_guid) if g)
            if seen is not None and seen.dataset is not None:
                extras.update(seen.dataset.validation_guids)
        self.read(
            sorted(extras), relationships=False, progress=progress, stage="runs, jobs, checks"
        )

    def upstream(self, guid: str) -> list[str]:
        """Every node upstream of ``guid`` already read, nearest first (no reads)."""
        seen = {guid}
        order: list[str] = []
        queue = deque(self.parents(guid))
        while queue:
            node = queue.popleft()
            if node in seen:
                continue
            seen.add(node)
            order.append(node)
            queue.extend(self.parents(node))
        return order

    def edges(self, guids: Iterable[str]) -> list[tuple[str, str]]:
        """Data-flow edges (from, to) among ``guids``."""
        members = set(guids)
        found = []
        for guid in members:
            for parent in self.parents(guid):
                if parent in members:
                    found.append((parent, guid))
        return sorted(found)

    def run_of(self, guid: str) -> Node | None:
        """The run a step belongs to (a training or pipeline run), when read."""
        node = self.nodes.get(guid)
        if node is None or node.step is None or not node.step.run_guid:
            return None
        run = self.nodes.get(node.step.run_guid)
        return run if run is not None and run.type_name in RUN_TYPES else None
