"""``audit``: every model version trained in a window on data carrying a classification.

Atlas propagates a classification from the data it is set on along lineage to every process
and dataset downstream, unless a step blocked it (record fidelity: an anonymising step, or
one that dropped every classified column) - and a byte-identical copy linked as ``COPY``
carries it on. So the question "which training runs in the window read such data, directly
or through any upstream step" is one paged basic search: training runs by start time and
team, whose classifications (propagated ones listed too) include the classification or a
sub-classification (see :func:`search_runs` for why the classification is not a search
parameter). Their model versions and everything upstream are then read in bulk, each entity
once (:class:`~atlas_ml.provenance.ProvenanceGraph`), and the classification is traced back
to where it was set, around the steps that block it. Requests: runs / page size + distinct
entities / bulk size, never one lineage call per model.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from typing import Any

from atlas_ml.audit.query import AuditQuery, iso, make_query, millis
from atlas_ml.audit.report import AuditEntry, AuditReport
from atlas_ml.client import AtlasClient
from atlas_ml.naming import model_name
from atlas_ml.provenance import Node, ProvenanceGraph, provenance_of
from atlas_ml.provenance.build import COMPLIANCE, compliance_of, node_from_entity
from atlas_ml.provenance.custody import check_custody
from atlas_ml.provenance.graph import Progress, _quiet
from atlas_ml.provenance.model import MODEL, MODEL_VERSION, TRAINING_RUN

PAGE_SIZE = 1000
RUN_ATTRIBUTES = [
    "qualifiedName",
    "name",
    "status",
    "startTime",
    "endTime",
    "team",
    "owner",
    "operator",
    "codeReference",
    "codeRevision",
    "codeDirty",
    "parameters",
    "metrics",
    "framework",
    "frameworkVersion",
    "inputRoles",
    "inputs",
    "outputs",
    "attestations",
]


def audit(
    client: AtlasClient,
    classification: str,
    since: str | datetime | date,
    until: str | datetime | date | None = None,
    team: str | None = None,
    *,
    progress: Progress = _quiet,
    custody: bool = True,
    page_size: int = PAGE_SIZE,
) -> AuditReport:
    """Audit Atlas for ``classification`` in ``[since, until)`` (``until``: now), optionally
    for one ``team``. Raises :class:`~atlas_ml.errors.QueryError` for a question that cannot
    be asked and :class:`~atlas_ml.client.AtlasError` when Atlas cannot be read."""
    started = time.monotonic()
    query = make_query(client, classification, since, until, team)
    graph = ProvenanceGraph(client)
    # The two searches are independent: Atlas answers them side by side.
    with ThreadPoolExecutor(2, thread_name_prefix="atlas-ml-audit") as pool:
        found = pool.submit(search_model_versions, client, query, page_size)
        runs = search_runs(client, query, graph, progress, page_size)
        headers = found.result()
    report = build_report(client, query, graph, runs, progress, custody, headers)
    report.stats.update(
        {
            "trainingRunsMatched": len(runs),
            "searchPages": report.stats.get("searchPages", 0),
            "bulkReads": graph.requests,
            "entitiesRead": len(graph.nodes),
            "seconds": round(time.monotonic() - started, 3),
        }
    )
    return report


def search_runs(
    client: AtlasClient,
    query: AuditQuery,
    graph: ProvenanceGraph,
    progress: Progress = _quiet,
    page_size: int = PAGE_SIZE,
) -> list[Node]:
    """Training runs started in the window (of the team) that carry the classification or a
    sub-classification, propagated ones included.

    The search filters by type, start time and team, and the classification is checked on
    each result's ``classificationNames`` (which list propagated classifications too): Atlas
    2.1 pages a search *by classification* wrongly (a page comes back short although more
    results follow, and which ones depends on the page size), so it would drop runs; a search
    by type and attribute filters pages exactly.
    """
    criteria: list[dict[str, Any]] = [
        {
            "attributeName": "startTime",
            "operator": "gte",
            "attributeValue": str(millis(query.since)),
        },
        {
            "attributeName": "startTime",
            "operator": "lt",
            "attributeValue": str(millis(query.until)),
        },
    ]
    if query.team is not None:
        criteria.append({"attributeName": "team", "operator": "eq", "attributeValue": query.team})
    hits = client.search.basic(
        TRAINING_RUN,
        entity_filters={"condition": "AND", "criterion": criteria},
        attributes=RUN_ATTRIBUTES,
        include_subtypes=False,
        page_size=page_size,
    )
    names = set(query.names)
    runs: dict[str, Node] = {}
    for count, header in enumerate(hits, start=1):
        progress("searching training runs", count, None)
        if not names.intersection(header.get("classificationNames") or []):
            continue
        node = node_from_entity(header)
        if node.type_name != TRAINING_RUN or not _in_window(node, query):
            continue
        runs[node.guid] = graph.add(node)
    return list(runs.values())


MODEL_VERSION_ATTRIBUTES = [
    "qualifiedName",
    "name",
    "artifactSha256",
    "artifactUri",
    "artifactLocations",
    "framework",
    "frameworkVersion",
    "versionNumber",
    "stage",
    "registeredTime",
    "team",
    "owner",
    "evaluations",
    *(
        f"{COMPLIANCE}.{name}"
        for name in ("intendedPurpose", "riskCategory", "approver", "approvalDate")
    ),
]
REGISTRATION_SLACK_MS = 7 * 24 * 3600 * 1000
"""How long after the window a run that started in it may have registered its model."""


def search_model_versions(
    client: AtlasClient, query: AuditQuery, page_size: int = PAGE_SIZE
) -> dict[str, dict[str, Any]]:
    """Headers of the model versions registered from the window's start to a week after its
    end, with the attributes and compliance facts the report needs (one paged search, by
    type and registration time: several times cheaper for Atlas than entity reads)."""
    criteria = [
        {
            "attributeName": "registeredTime",
            "operator": "gte",
            "attributeValue": str(millis(query.since)),
        },
        {
            "attributeName": "registeredTime",
            "operator": "lt",
            "attributeValue": str(millis(query.until) + REGISTRATION_SLACK_MS),
        },
    ]
    return {
        str(header["guid"]): header
        for header in client.search.basic(
            MODEL_VERSION,
            entity_filters={"condition": "AND", "criterion": criteria},
            attributes=MODEL_VERSION_ATTRIBUTES,
            include_subtypes=False,
            page_size=page_size,
        )
        if header.get("guid")
    }


def model_versions(
    graph: ProvenanceGraph,
    wanted: Collection[str],
    found: dict[str, dict[str, Any]],
    progress: Progress = _quiet,
) -> list[Node]:
    """The model versions ``wanted``: from the search's headers, and by guid the few it
    did not return (registered before the window: the same bytes trained again)."""
    nodes = [graph.add(node_from_entity(found[g])) for g in wanted if g in found]
    missing = sorted(g for g in wanted if g not in found)
    return [*nodes, *graph.read(missing, progress=progress, stage="reading model versions")]


def read_models(client: AtlasClient, graph: ProvenanceGraph, versions: list[Node]) -> None:
    """Read the model of each version (for its name and compliance facts) and link them: by
    the version's relationship when it was read, else by the model's name (a version is
    named ``<model>@<sha256[:12]>``), in bulk, without the models' many versions."""
    by_guid = {v.model.model_guid for v in versions if v.model and v.model.model_guid}
    graph.read(sorted(by_guid), relationships=False, stage="reading models")
    unlinked = [v for v in versions if v.model is not None and not v.model.model_guid]
    names = {model_name(v.name.rsplit("@", 1)[0], client.config.namespace) for v in unlinked}
    if not names:
        return
    found = {
        node.qualified_name: graph.add(node)
        for node in map(
            node_from_entity,
            client.entities.get_bulk_by_unique_attributes(
                MODEL, sorted(names), ignore_relationships=True
            ),
        )
    }
    for version in unlinked:
        assert version.model is not None
        model = found.get(model_name(version.name.rsplit("@", 1)[0], client.config.namespace))
        if model is not None:
            version.model.model_guid, version.model.model_name = model.guid, model.label


def _in_window(run: Node, query: AuditQuery) -> bool:
    """Atlas applied the filters; checked again so that a server ignoring one cannot widen
    the answer."""
    if query.team is not None and (run.run is None or run.run.team != query.team):
        return False
    start: Any = run.attributes.get("startTime")
    try:
        moment = int(start)
    except (TypeError, ValueError):
        return False
    return millis(query.since) <= moment < millis(query.until)


def build_report(
    client: AtlasClient,
    query: AuditQuery,
    graph: ProvenanceGraph,
    runs: Iterable[Node],
    progress: Progress = _quiet,
    custody: bool = True,
    headers: dict[str, dict[str, Any]] | None = None,
) -> AuditReport:
    """Read what the runs' model versions need and cut one provenance per model version
    (``headers``: model versions found by :func:`search_model_versions`)."""
    trained: dict[str, list[str]] = {}
    for run in runs:
        for guid in run.outputs:
            trained.setdefault(guid, []).append(run.guid)
    versions = [
        n
        for n in model_versions(graph, trained, headers or {}, progress)
        if n.type_name == MODEL_VERSION and n.status == "ACTIVE"
    ]
    read_models(client, graph, versions)
    used = {i for v in versions for r in trained[v.guid] for i in graph.nodes[r].inputs}
    graph.walk_upstream(
        sorted(used),
        progress=progress,
        stage="reading upstream lineage",
        process_relationships=False,
    )
    evaluations = [e for v in versions if v.model for e in v.model.evaluation_guids]
    # An evaluation's inputs are plain attributes too: no relationships to read.
    graph.read(evaluations, relationships=False, progress=progress, stage="reading evaluations")
    evaluation_data = [
        d
        for e in evaluations
        if (n := graph.get(e)) and n.evaluation
        for d in n.evaluation.dataset_guids
    ]
    graph.read(evaluation_data, relationships=False, progress=progress, stage="reading evaluations")
    run_guids = sorted({r for v in versions for r in trained[v.guid]})
    if custody:
        # The search brought each run's attestation links: unsigned runs cost no request.
        # (An attestation deleted from Atlas shows as its team's CHAIN-GAP at the next run.)
        signed = [g for g in run_guids if (n := graph.get(g)) and n.run and n.run.attestations]
        graph.read(signed, progress=progress, stage="checking custody")
        check_custody(client, graph, run_guids)

    report = AuditReport(
        query=query,
        generated_at=iso(datetime.now(timezone.utc)),
        atlas_url=client.config.url,
    )
    names = set(query.names)
    shown: set[str] = set()
    around_blocks: list[str] = []
    for version in versions:
        provenance = provenance_of(graph, version.guid, trained[version.guid], names)
        if not provenance.sources:
            # Atlas marked the run, but no source reaches it except around a blocking step.
            around_blocks.append(version.label)
            continue
        model = (
            graph.get(version.model.model_guid)
            if version.model and version.model.model_guid
            else None
        )
        runs_of = [graph.nodes[r] for r in trained[version.guid]]
        run_teams = [r.run.team for r in runs_of if r.run and r.run.team]
        facts = version.model
        entry = AuditEntry(
            guid=version.guid,
            name=version.label,
            model=model.label if model is not None else (facts.model_name if facts else None),
            version_number=facts.version_number if facts else None,
            team=(facts.team if facts else None) or (run_teams[0] if run_teams else None),
            owner=(facts.owner if facts else None)
            or (model.attribute("owner") if model is not None else None)
            or next((r.run.operator for r in runs_of if r.run and r.run.operator), None),
            provenance=provenance,
            compliance=compliance_of(version, model),
            classified_inputs=[
                d.guid
                for d in provenance.datasets
                if (n := graph.get(d.guid)) is not None and names & set(n.classification_names())
            ],
        )
        report.entries.append(entry)
        shown.update(provenance.members)
        shown.update(provenance.evaluations)
        shown.update(provenance.validations)
        if model is not None:
            shown.add(model.guid)
    for guid in list(shown):
        node = graph.get(guid)
        if node is None:
            continue
        if node.step is not None:
            shown.update(g for g in (node.step.run_guid, node.step.application_guid) if g)
        if node.evaluation is not None:
            shown.update(node.evaluation.dataset_guids)
    if around_blocks:
        report.notes.append(
            f"Left out {len(around_blocks)} model version(s) Atlas marks {query.classification} "
            "although every path from classified data to them passes a step that blocks it "
            "(the mark reached them around the block, e.g. through a pipeline run's own "
            f"inputs and outputs): {', '.join(sorted(around_blocks)[:20])}"
            + (" ..." if len(around_blocks) > 20 else "")
        )
    report.nodes = {g: graph.nodes[g] for g in sorted(shown) if g in graph.nodes}
    report.entries.sort(key=lambda e: (e.team or "", e.model or "", e.version_number or 0, e.name))
    return report
