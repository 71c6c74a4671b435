"""``trace``: from a model version back to where its data (or its difference from another
model version) came from. Reads Atlas, then hands the graph to the pure walks in
:mod:`.single` and :mod:`.lockstep`."""

from __future__ import annotations

from atlas_ml.client import AtlasClient
from atlas_ml.errors import QueryError, TargetNotFound
from atlas_ml.lineage import resolve_target
from atlas_ml.provenance import Node, ProvenanceGraph, producing_runs
from atlas_ml.provenance.custody import check_custody
from atlas_ml.provenance.graph import Progress, _quiet
from atlas_ml.provenance.model import DATASET_VERSION, MODEL_VERSION
from atlas_ml.trace.lockstep import Lockstep
from atlas_ml.trace.result import TraceResult
from atlas_ml.trace.single import Checked, SingleTrace

TARGET_TYPES = (MODEL_VERSION,)


def trace(
    client: AtlasClient,
    target: str,
    against: str | None = None,
    *,
    live: bool = False,
    progress: Progress = _quiet,
) -> TraceResult:
    """Trace ``target`` (a model version: guid, qualifiedName, name or saved path).

    Alone: each dataset version behind it is checked (its recorded verification, or with
    ``live`` recomputed by :func:`atlas_ml.verify.verify` without writing back), and every
    read is compared with the last recorded write of the same location. With ``against``
    (another model version): both lineages are walked in lockstep and every divergence
    named, the most upstream first.
    """
    graph = ProvenanceGraph(client)
    version, run = _locate(client, graph, target)
    other = _locate(client, graph, against) if against else None
    starts = [*run.inputs, *(other[1].inputs if other else [])]
    graph.walk_upstream(starts, progress=progress, stage="reading lineage")
    check_custody(client, graph, [run.guid, *([other[1].guid] if other else [])])
    if other is not None:
        walker = Lockstep(graph)
        root = walker.models(version.guid, other[0].guid, run.guid, other[1].guid)
        divergences = walker.divergences
        notes: list[str] = []
    else:
        _read_writes(graph, progress)
        checked = _verify(client, version) if live else {}
        single = SingleTrace(graph, checked)
        root = single.tree(version.guid, run.guid)
        divergences = single.divergences
        notes = [] if live else ["verification statuses as last recorded (--live recomputes)"]
    nodes = {g: n for g, n in graph.nodes.items()}
    result = TraceResult(
        target=version.guid,
        against=other[0].guid if other else None,
        live=live,
        atlas_url=client.config.url,
        root=root,
        nodes=nodes,
        divergences=divergences,
        notes=notes,
    )
    many = [
        n for n in (version, other[0] if other else None) if n and len(producing_runs(graph, n)) > 1
    ]
    for node in many:
        result.notes.append(
            f"{node.label} was trained by {len(producing_runs(graph, node))} runs "
            "(identical artifact bytes); the latest successful one is traced"
        )
    return result


def _locate(client: AtlasClient, graph: ProvenanceGraph, target: str) -> tuple[Node, Node]:
    """The model version ``target`` names and the run that trained it."""
    entity = resolve_target(client, target)
    if entity.get("typeName") != MODEL_VERSION:
        label = (entity.get("attributes") or {}).get("qualifiedName") or target
        raise QueryError(
            f"{label} is a {entity.get('typeName')}, not a model version: trace starts from a "
            "model version (atlas-ml lineage shows the lineage of anything else)"
        )
    (version,) = graph.read([entity["guid"]])
    runs = graph.read(version.producers or [], relationships=False)
    trained = [r for r in runs if r.run is not None]
    if not trained:
        raise TargetNotFound(f"no training run is recorded as having produced {version.label}")
    succeeded = [r for r in trained if r.run and r.run.status == "SUCCEEDED"] or trained
    run = max(succeeded, key=lambda r: (r.run.start_time or "") if r.run else "")
    graph.read([run.guid])
    return version, graph.nodes[run.guid]


def _read_writes(graph: ProvenanceGraph, progress: Progress) -> None:
    """Read, for every dataset version with a location, the other versions recorded there
    and who wrote them."""
    physical = sorted(
        {
            n.dataset.snapshot_of
            for n in list(graph.nodes.values())
            if n.type_name == DATASET_VERSION and n.dataset and n.dataset.snapshot_of
        }
    )
    places = graph.read(physical, progress=progress, stage="reading recorded writes")
    siblings = [v for p in places if p.dataset for v in p.dataset.versions]
    versions = graph.read(siblings, progress=progress, stage="reading recorded writes")
    writers = [w for v in versions for w in v.producers or []]
    graph.read(writers, relationships=False, progress=progress, stage="reading recorded writes")


def _verify(client: AtlasClient, version: Node) -> dict[str, Checked]:
    from atlas_ml.verify import verify

    report = verify(client, version.qualified_name or version.guid, write_back=False)
    return {
        result.version.guid: Checked(result.status.value, tuple(result.findings), live=True)
        for result in report.results
    }
