"""``pipeline_run``: record a data-preparation (ETL) job, which produces data, not a model.

A curation job (union, de-bot, sessionise -> ``clickstream.csv``) recorded as a training run
showed 0 inputs and 0 outputs in Atlas and left its steps hanging loose, so an audit could not
say which team's job produced an upstream file. A pipeline run is an
``atlasml_pipeline_run``: its inputs are the data its steps read that no step of the run made
(the job's external inputs), its outputs the data its steps wrote that no later step read, or
that has a location (a file or table outlives the job); every step names it as its run and
carries its team.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool
from atlas_ml.events.facets import PIPELINE_RUN
from atlas_ml.fingerprints.datasets import DatasetRecord
from atlas_ml.tracking.context import recording
from atlas_ml.tracking.run import DataLike, Moment, RecordedModel, TrainingRun


@dataclass
class PipelineRun(TrainingRun):
    """One run of a data-preparation job: the steps it ran and the data they connected."""

    run_kind: ClassVar[str] = "pipeline"

    _read: list[DatasetRecord] = field(default_factory=list, repr=False)
    _written: list[DatasetRecord] = field(default_factory=list, repr=False)

    def step(
        self,
        name: str,
        inputs: Any,
        outputs: Any,
        reason: str,
        kind: str = "OTHER",
        params: Any = None,
        code: Any = None,
        started_at: Moment | None = None,
        ended_at: Moment | None = None,
    ) -> list[DatasetRecord]:
        """Record a step of the job (see :meth:`TrainingRun.step`)."""
        read = self._records(inputs)
        written = super().step(
            name, read, outputs, reason, kind, params, code, started_at, ended_at
        )
        self._read += [r for r in read if r not in self._read]
        self._written += [r for r in written if r not in self._written]
        return written

    def log_model(self, *args: Any, **kwargs: Any) -> RecordedModel:
        raise TypeError(
            f"pipeline run {self.pipeline!r} prepares data and logs no model: record training "
            "with training_run(...) instead"
        )

    def external_inputs(self) -> list[DatasetRecord]:
        """What the steps read that no step of this run wrote, plus what :meth:`use` named."""
        made = {id(r) for r in self._written}
        found = [r for r in self._read if id(r) not in made]
        return found + [r for r in self.inputs if r not in found]

    def external_outputs(self) -> list[DatasetRecord]:
        """What the steps wrote that no step read afterwards, or that has a location."""
        read = {id(r) for r in self._read}
        return [r for r in self._written if r.location is not None or id(r) not in read]

    def _facet_name(self) -> str:
        return PIPELINE_RUN

    def _run_outputs(self) -> list[dict[str, Any]]:
        from atlas_ml.events.datasets import as_openlineage

        return [as_openlineage(record) for record in self.external_outputs()]

    def finish(self, error: BaseException | None = None) -> dict[str, Any]:
        self.inputs = self.external_inputs()
        return super().finish(error)


@contextmanager
def pipeline_run(
    pipeline: str,
    team: str | None = None,
    reason: str | None = None,
    deliver: bool = True,
    client: AtlasClient | None = None,
    spool: Spool | None = None,
    started_at: Moment | None = None,
    ended_at: Moment | None = None,
) -> Iterator[PipelineRun]:
    """Record a data-preparation (ETL) run; a failure is recorded as FAILED and re-raised.

    Record each step with ``run.step(...)``; the run's inputs and outputs follow from them.
    ``started_at``/``ended_at`` backdate the run (imports, tests), as for ``training_run``.

    >>> with pipeline_run("clickstream-curation", team="web-analytics", reason="...") as run:
    ...     run.step("union", inputs=[day1, day2], outputs={"events": events}, kind="JOIN",
    ...              reason="one table of both days")
    """
    run = PipelineRun(pipeline=pipeline, team=team, reason=reason, spool=spool or Spool())
    with recording(run, deliver, client, False, started_at, ended_at) as recorded:
        yield recorded


__all__ = ["DataLike", "PipelineRun", "pipeline_run"]
