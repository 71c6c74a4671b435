"""``training_run``: record a training run, its preparation steps and its model.

The run emits OpenLineage events with atlas-ml's facets (one per step, one for the run) into
the durable spool as they happen, and pushes them to Atlas when the run ends. Nothing here
can make the user's training fail: recording problems are reported once on stderr, and the
events stay in the spool for ``atlas-ml push``.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
import uuid
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Union

from atlas_ml.client import AtlasClient
from atlas_ml.custody.attest import attest_run
from atlas_ml.delivery import DeliveryReport, Spool, deliver_spool
from atlas_ml.events.facets import TRAINING_RUN, TRANSFORM, TrainingRunFacet, TransformFacet
from atlas_ml.events.model import EventType, FacetLike
from atlas_ml.events.run_events import model_version_dataset, now, parent_run_facet, run_event
from atlas_ml.fingerprints.artifacts import ModelArtifact
from atlas_ml.fingerprints.datasets import DatasetRecord, describe_frame, describe_path
from atlas_ml.naming import derivation_key
from atlas_ml.notices import notify_once
from atlas_ml.paths import cache_dir
from atlas_ml.tracking.capture import code_revision, environment, operator
from atlas_ml.tracking.models import describe_model, pipeline_steps
from atlas_ml.tracking.quiet import quiet

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame as SparkDataFrame
    from typing_extensions import Unpack

log = logging.getLogger("atlas_ml.tracking")

DataLike = Union[str, "os.PathLike[str]", DatasetRecord, "pd.DataFrame", "SparkDataFrame"]
"""What a run can record as a dataset version: a path (file or folder, local or a Hadoop
URI), a pandas or Spark DataFrame, or a record it returned earlier."""


class DatasetDetails(TypedDict, total=False):
    """What a user can declare about a dataset besides its name and role: where it came
    from, under which licence, and what it is (kept on its dataset version in Atlas)."""

    origin: str | None
    licence: str | None
    description: str | None


@dataclass
class RecordedModel:
    name: str
    artifact: ModelArtifact
    steps: dict[str, str]


@dataclass
class TrainingRun:
    """One training run: what it read, how data was prepared, what it produced."""

    pipeline: str
    team: str | None = None
    reason: str | None = None
    spool: Spool = field(default_factory=Spool)
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: str = field(default_factory=now)
    ended: str | None = None
    """When the work ended, if not when :meth:`finish` records it (a Spark ML fit that is
    recorded later, when its model is saved)."""
    parameters: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    inputs: list[DatasetRecord] = field(default_factory=list)
    models: list[RecordedModel] = field(default_factory=list)
    status: str = "RUNNING"
    error: str | None = None
    delivery: DeliveryReport | None = None
    _datasets_by_object: dict[int, _Seen] = field(default_factory=dict, repr=False)
    """What each object given to :meth:`dataset` was recorded as, by ``id``."""
    _declared: dict[int, DatasetRecord] = field(default_factory=dict, repr=False)
    """Every record :meth:`dataset` returned, by ``id`` of the record (held here)."""
    _in_steps: set[int] = field(default_factory=set, repr=False)
    """``id`` of every dataset record a step read or wrote."""
    _events: list[dict[str, Any]] = field(default_factory=list, repr=False)
    """Every event this run emitted (its steps), for the signed record of the run."""

    # --- data ---------------------------------------------------------------------------
    def dataset(
        self,
        data: DataLike,
        name: str | None = None,
        role: str | None = None,
        **details: Unpack[DatasetDetails],
    ) -> DatasetRecord:
        """Fingerprint ``data`` once per object and return its dataset version record.

        A pandas frame can change in place after it was recorded: it is fingerprinted again
        when given again, and new content becomes a new dataset version (the old record
        describes the data as it was, e.g. as a step wrote it).
        """
        if isinstance(data, DatasetRecord):
            record = data
        else:
            seen = self._datasets_by_object.get(id(data))
            earlier = seen.record if seen is not None and seen.holds(data) else None
            with quiet():
                record = self._describe(data, name, role, earlier)
            if record is not earlier:
                self._datasets_by_object[id(data)] = _Seen.of(data, record)
        self._declared[id(record)] = record
        if role and not record.role:
            record.role = role
        for key, value in details.items():
            if value is not None:
                setattr(record, key, value)
        return record

    def _describe(
        self, data: DataLike, name: str | None, role: str | None, earlier: DatasetRecord | None
    ) -> DatasetRecord:
        """``earlier`` if ``data`` still has the content it was recorded with, else a new
        record."""
        if isinstance(data, str | os.PathLike):
            return earlier or _describe_path_for_run(data, name)
        if earlier is None:
            return describe_frame(data, name=f"{self.pipeline}/{name or role or 'data'}")
        if not _mutable(data) or earlier.logical is None:
            return earlier
        now = describe_frame(data, name=f"{self.pipeline}/{name}" if name else earlier.name)
        if earlier.logical.content_hash == now.fingerprint:
            return earlier
        log.warning(
            "in-memory data %s changed in place after it was recorded (%s -> %s): its new "
            "content is recorded as a new dataset version",
            earlier.name,
            earlier.fingerprint[:12],
            now.fingerprint[:12],
        )
        for key in ("origin", "licence", "description"):
            setattr(now, key, getattr(earlier, key))
        now.classifications = list(earlier.classifications)
        return now

    def use(
        self,
        data: DataLike,
        role: str = "train",
        name: str | None = None,
        **details: Unpack[DatasetDetails],
    ) -> DatasetRecord:
        """Record ``data`` as an input of the training run (role: train, validation, ...).

        Same data gives the same dataset version: it is named by its fingerprint.
        """
        record = self.dataset(data, name=name, role=role, **details)
        if record not in self.inputs:
            self.inputs.append(record)
        return record

    def step(
        self,
        name: str,
        inputs: Iterable[DataLike] | Mapping[str, DataLike],
        outputs: Iterable[DataLike] | Mapping[str, DataLike],
        reason: str,
        kind: str = "OTHER",
        params: Mapping[str, object] | None = None,
        code: str | None = None,
    ) -> list[DatasetRecord]:
        """Record a preparation step: what it read, what it wrote, and why.

        ``outputs`` given as ``{"name": frame}`` name the in-memory results; the returned
        records are their dataset versions.
        """
        read = self._records(inputs)
        written = self._records(outputs)
        self._in_steps.update(id(record) for record in read + written)
        job_name = f"{self.pipeline}.{name}"
        for record in written:
            if record.location is None and record.derivation is None:
                record.derivation = derivation_key(job_name, [r.identity for r in read])
        event = self._event(
            "COMPLETE",
            job_name=job_name,
            run_id=str(uuid.uuid4()),
            run_facets={
                TRANSFORM: TransformFacet(
                    pipeline=self.pipeline,
                    stepKind=kind.upper(),
                    reasoning=reason,
                    codeReference=code,
                    parameters={k: str(v) for k, v in (params or {}).items()} or None,
                ),
                "parent": parent_run_facet(self.run_id, self.pipeline),
            },
            inputs=read,
            outputs=written,
        )
        self._emit(event)
        return written

    def _records(self, data: Iterable[DataLike] | Mapping[str, DataLike]) -> list[DatasetRecord]:
        if isinstance(data, Mapping):
            return [self.dataset(value, name=key) for key, value in data.items()]
        return [self.dataset(value) for value in data]

    # --- parameters, metrics, models ----------------------------------------------------
    def log_params(self, params: Mapping[str, object] | None = None, **more: object) -> None:
        self.parameters.update({**(params or {}), **more})

    def log_metrics(self, metrics: Mapping[str, float] | None = None, **more: float) -> None:
        self.metrics.update({k: float(v) for k, v in {**(metrics or {}), **more}.items()})

    def log_model(
        self,
        model_or_path: object,
        name: str | None = None,
        directory: Path | None = None,
    ) -> RecordedModel:
        """Record the trained model: artifact sha256, framework, and (for scikit-learn
        pipelines) every step's estimator class and parameters.

        ``model_or_path`` is a fitted model (saved under ``directory``, by default the cache)
        or the path of a model saved already.
        """
        model_name = name or self.pipeline
        artifact = describe_model(
            model_or_path,
            directory or cache_dir() / "artifacts" / self.run_id,
            model_name,
            kept=[earlier.artifact.path for earlier in self.models],
        )
        steps = (
            {} if isinstance(model_or_path, str | os.PathLike) else pipeline_steps(model_or_path)
        )
        for earlier in self.models:
            if (earlier.name, earlier.artifact.sha256) == (model_name, artifact.sha256):
                return earlier
        recorded = RecordedModel(model_name, artifact, steps)
        self.models.append(recorded)
        return recorded

    # --- events -------------------------------------------------------------------------
    def _event(
        self,
        event_type: EventType,
        job_name: str,
        run_id: str,
        run_facets: dict[str, FacetLike],
        inputs: list[DatasetRecord],
        outputs: list[DatasetRecord] | list[dict[str, Any]],
    ) -> dict[str, Any]:
        return run_event(event_type, job_name, run_id, run_facets, inputs, outputs)

    def _emit(self, event: dict[str, Any]) -> None:
        self._events.append(event)
        try:
            self.spool.write(event)
        except OSError as exc:
            notify_once(
                f"could not write lineage to the spool {self.spool.root} ({exc}): this "
                "run's lineage is not kept; point ATLAS_ML_SPOOL at a writable directory"
            )

    def _model_outputs(self) -> list[dict[str, Any]]:
        return [model_version_dataset(model.name, model.artifact) for model in self.models]

    def finish(self, error: BaseException | None = None) -> dict[str, Any]:
        """Emit the run's terminal event (COMPLETE or FAIL) and return it."""
        self.status = "FAILED" if error else "SUCCEEDED"
        if error is not None:
            self.error = "".join(traceback.format_exception_only(type(error), error)).strip()
        self._warn_about_loose_data()
        revision = code_revision()
        parameters = dict(self.parameters)
        for model in self.models:
            parameters.update({f"{model.name}.{k}": v for k, v in model.steps.items()})
        framework = next((m.artifact for m in self.models if m.artifact.framework), None)
        run_facet = TrainingRunFacet(
            pipeline=self.pipeline,
            parameters={k: str(v) for k, v in parameters.items()},
            metrics=self.metrics,
            codeReference=revision.reference or (sys.argv[0] or None),
            codeRevision=revision.sha,
            codeDirty=revision.dirty,
            environment=environment(),
            operator=operator(),
            team=self.team,
            reasoning=self.reason,
            framework=framework.framework if framework else None,
            frameworkVersion=framework.framework_version if framework else None,
            startTime=self.started,
            endTime=self.ended or now(),
            status=self.status,
            error=self.error,
        )
        event = self._event(
            "FAIL" if error else "COMPLETE",
            job_name=self.pipeline,
            run_id=self.run_id,
            run_facets={TRAINING_RUN: run_facet},
            inputs=self.inputs,
            outputs=[] if error else self._model_outputs(),
        )
        attest_run(self, event, self._events)  # chain of custody; no key configured: unsigned
        self._emit(event)
        return event

    def _warn_about_loose_data(self) -> None:
        """Say what the run declared but cannot show in Atlas, while the script can still be
        fixed: data no event carries, and inputs whose lineage stops at themselves."""
        carried = self._in_steps | {id(record) for record in self.inputs}
        for record in self._declared.values():
            if id(record) not in carried and record.classifications:
                log.warning(
                    "dataset %s was classified %s, but no step read or wrote it and the run "
                    "did not use it, so neither it nor its classifications are recorded: pass "
                    "it to run.step(...) or run.use(...)",
                    record.name,
                    ", ".join(c["name"] for c in record.classifications),
                )
        for record in self.inputs:
            if record.location is None and record.derivation is None:
                log.warning(
                    "input %s is in-memory data that no recorded step produced: its lineage "
                    "stops there and 'atlas-ml verify' cannot recompute it. Record the step "
                    "that made it: run.step(name, inputs=[...], outputs=[frame], reason=...)",
                    record.name,
                )

    def deliver(self, client: AtlasClient | None = None) -> DeliveryReport | None:
        """Push the spool to Atlas; on failure keep everything and say so once."""
        self.delivery = deliver_spool(self.spool, client)
        return self.delivery


@dataclass(frozen=True)
class _Seen:
    """An object :meth:`TrainingRun.dataset` recorded, held so that its ``id`` cannot be
    reused by another object while the entry is trusted: weakly when the object allows it
    (frames can be large), else strongly (paths)."""

    ref: Callable[[], Any]
    record: DatasetRecord

    @classmethod
    def of(cls, data: Any, record: DatasetRecord) -> _Seen:
        try:
            return cls(weakref.ref(data), record)
        except TypeError:
            return cls(lambda: data, record)

    def holds(self, data: Any) -> bool:
        return self.ref() is data


def _describe_path_for_run(location: str | os.PathLike[str], name: str | None) -> DatasetRecord:
    """The record of data at ``location``; its bytes only when it does not parse as a table
    with default reader options.

    The user's code read it with options of its own (an encoding, a separator) or not as a
    table at all, so a parse failure is no reason to fail the run: the manifest still proves
    the bytes, and ``verify`` compares just those.
    """
    try:
        return describe_path(location, name=name)
    except FileNotFoundError:
        raise
    except Exception as exc:
        log.warning(
            "%s does not parse as a table with default reader options (%s: %s); recorded "
            "its file manifest only",
            location,
            type(exc).__name__,
            exc,
        )
        return describe_path(location, name=name, logical=False)


def _mutable(data: Any) -> bool:
    """pandas frames change in place; Spark DataFrames are immutable plans."""
    return type(data).__module__.startswith("pandas")
