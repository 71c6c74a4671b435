"""OpenLineage's run event, as typed classes (the parts atlas-ml's producers write).

:class:`RunEvent` and its parts follow the OpenLineage 2-0-2 spec; ``to_dict`` gives the
event's JSON, with fields that are None left out. The standard facets atlas-ml writes
(``parent``, ``schema``) are here too; atlas-ml's own are in :mod:`atlas_ml.events.facets`.

Why not openlineage-python's classes: they bring attrs, PyYAML, python-dateutil, httpx and
packaging into the core for six small classes, and atlas-ml's own facets would still need
classes and schemas of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from atlas_ml.events.facets import PRODUCER, Facet, SchemaField, to_json

RUN_EVENT_SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
EventType = Literal["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"]
FacetLike = Facet | dict[str, Any]
"""A facet object, or a facet's JSON as another producer (or an earlier event) wrote it."""


@dataclass(kw_only=True)
class ParentRunFacet(Facet):
    """OpenLineage's ``parent`` run facet: the run (of a job) this run is part of."""

    NAME: ClassVar[str] = "parent"
    SCHEMA_URL: ClassVar[str | None] = (
        "https://openlineage.io/spec/facets/1-0-1/ParentRunFacet.json"
    )

    run: dict[str, str]
    """``{"runId": ...}``"""
    job: dict[str, str]
    """``{"namespace": ..., "name": ...}``"""


@dataclass(kw_only=True)
class SchemaDatasetFacet(Facet):
    """OpenLineage's ``schema`` dataset facet: the columns of a dataset."""

    NAME: ClassVar[str] = "schema"
    SCHEMA_URL: ClassVar[str | None] = (
        "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet"
    )

    fields: list[SchemaField]


@dataclass(kw_only=True)
class Dataset:
    """A dataset as OpenLineage names it: ``namespace`` (where it lives) and ``name``."""

    namespace: str
    name: str
    facets: dict[str, FacetLike] = field(default_factory=dict)
    inputFacets: dict[str, FacetLike] | None = None
    outputFacets: dict[str, FacetLike] | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(to_json(self))


@dataclass(kw_only=True)
class Run:
    runId: str
    """A UUID; the same run re-emitted keeps it, so Atlas updates one entity."""
    facets: dict[str, FacetLike] = field(default_factory=dict)


@dataclass(kw_only=True)
class Job:
    namespace: str
    name: str
    facets: dict[str, FacetLike] = field(default_factory=dict)


@dataclass(kw_only=True)
class RunEvent:
    """One OpenLineage run event: a run of a job, what it read and what it wrote."""

    eventType: EventType
    eventTime: str
    """ISO 8601, UTC."""
    run: Run
    job: Job
    inputs: list[Dataset | dict[str, Any]] = field(default_factory=list)
    outputs: list[Dataset | dict[str, Any]] = field(default_factory=list)
    producer: str = PRODUCER
    schemaURL: str = RUN_EVENT_SCHEMA_URL

    def to_dict(self) -> dict[str, Any]:
        """The event's JSON, keys in the order OpenLineage's examples use."""
        return {
            "eventType": self.eventType,
            "eventTime": self.eventTime,
            "producer": self.producer,
            "schemaURL": self.schemaURL,
            "run": to_json(self.run),
            "job": to_json(self.job),
            "inputs": to_json(self.inputs),
            "outputs": to_json(self.outputs),
        }
