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
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict, Union
from urllib.parse import unquote, urlsplit

from atlas_ml.client import AtlasClient
from atlas_ml.compliance import compliance_facts
from atlas_ml.custody.attest import attest_run
from atlas_ml.delivery import DeliveryReport, Spool, deliver_spool
from atlas_ml.events.facets import DATASET_VERSION, TRAINING_RUN, TRANSFORM, TransformFacet, facet
from atlas_ml.events.model import EventType, FacetLike
from atlas_ml.events.run_events import (
    event_time,
    model_version_dataset,
    now,
    parent_run_facet,
    run_event,
)
from atlas_ml.fingerprints.artifacts import ModelArtifact
from atlas_ml.fingerprints.datasets import DatasetRecord, describe_frame, describe_path
from atlas_ml.naming import derivation_key
from atlas_ml.notices import notify_once
from atlas_ml.paths import cache_dir
from atlas_ml.tracking.capture import CodeRevision, environment, operator
from atlas_ml.tracking.code import fingerprint_code, revision_of
from atlas_ml.tracking.evaluation import Evaluation, evaluation_events
from atlas_ml.tracking.models import (
    describe_model,
    moved_artifact,
    pipeline_steps,
    place_artifact,
)
from atlas_ml.tracking.quiet import quiet

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame as SparkDataFrame
    from typing_extensions import Unpack

log = logging.getLogger("atlas_ml.tracking")

DataLike = Union[str, "os.PathLike[str]", DatasetRecord, "pd.DataFrame", "SparkDataFrame"]
"""What a run can record as a dataset version: a path (file or folder, local or a Hadoop
URI), a pandas or Spark DataFrame, or a record it returned earlier."""

Moment = datetime | str
"""A point in time given to backdate a run or step: a datetime (naive = UTC) or ISO-8601."""


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
    locations: list[str] = field(default_factory=list)
    """Every location the artifact's bytes were saved to (the artifact's own first)."""
    compliance: dict[str, Any] = field(default_factory=dict)
    """Compliance facts of this model (``atlasml_compliance`` attributes)."""


@dataclass
class TrainingRun:
    """One training run: what it read, how data was prepared, what it produced."""

    run_kind: ClassVar[str] = "training"
    """The kind of run the steps belong to (their ``runKind``): training or pipeline."""

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
    infer_copies: bool = True
    """False: delivery links none of this run's data to classified copies of the same bytes
    (see :mod:`atlas_ml.delivery.copies`)."""
    status: str = "RUNNING"
    error: str | None = None
    delivery: DeliveryReport | None = None
    compliance: dict[str, Any] = field(default_factory=dict)
    """Compliance facts of every model this run logs (``atlasml_compliance`` attributes)."""
    evaluations: list[Evaluation] = field(default_factory=list)
    _roles: dict[int, str] = field(default_factory=dict, repr=False)
    """The role each input played in the run, by ``id`` of its record (the last one given)."""
    _revisions: dict[str, CodeRevision] = field(default_factory=dict, repr=False)
    """git revisions of the folders holding the steps' code, looked up once per run."""
    _last_step_end: str | None = field(default=None, repr=False)
    awaiting_metrics: Evaluation | None = field(default=None, repr=False)
    """An evaluation without metrics yet (autolog saw a ``predict`` on held-out data): the
    metrics logged next without a ``dataset`` are its."""
    _datasets_by_object: dict[int, _Seen] = field(default_factory=dict, repr=False)
    """What each object given to :meth:`dataset` was recorded as, by ``id``."""
    _declared: dict[int, DatasetRecord] = field(default_factory=dict, repr=False)
    """Every record :meth:`dataset` returned, by ``id`` of the record (held here)."""
    _in_steps: set[int] = field(default_factory=set, repr=False)
    """``id`` of every dataset record a step read or wrote."""
    _events: list[dict[str, Any]] = field(default_factory=list, repr=False)
    """Every event this run emitted (its steps), for the signed record of the run."""
    _models_by_object: dict[int, tuple[Any, RecordedModel]] = field(
        default_factory=dict, repr=False
    )
    """Each model object given to :meth:`log_model` (held) and its record, by ``id``."""

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
        self._roles[id(record)] = role
        return record

    def step(
        self,
        name: str,
        inputs: Iterable[DataLike] | Mapping[str, DataLike],
        outputs: Iterable[DataLike] | Mapping[str, DataLike],
        reason: str,
        kind: str = "OTHER",
        params: Mapping[str, object] | None = None,
        code: Callable[..., Any] | str | None = None,
        started_at: Moment | None = None,
        ended_at: Moment | None = None,
    ) -> list[DatasetRecord]:
        """Record a preparation step: what it read, what it wrote, why, and the code that did it.

        ``outputs`` given as ``{"name": frame}`` name the in-memory results; the returned
        records are their dataset versions.

        ``code`` is the code that produced the outputs: a function (its source, file and line
        come from ``inspect``) or a string holding the code itself (a SQL statement, a notebook
        cell); by default the function, script or cell that called ``step``. Its sha256, source,
        location and git revision are recorded on the step, which also carries the run it
        belongs to and the run's team.

        ``started_at``/``ended_at`` (datetime or ISO-8601; naive = UTC) backdate the step, for
        imports and tests; by default it ran from the end of the run's previous step (or the
        run's start) until this call.
        """
        code_print = fingerprint_code(code, self._revisions)
        read = self._records(inputs)
        written = self._records(outputs)
        self._in_steps.update(id(record) for record in read + written)
        ended = event_time(ended_at) if ended_at is not None else (self.ended or now())
        started = (
            event_time(started_at)
            if started_at is not None
            else min(self._last_step_end or self.started, ended)
        )
        self._last_step_end = ended
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
                    codeReference=code_print.reference,
                    codeRevision=code_print.revision,
                    codeFingerprint=code_print.sha256,
                    codeSource=code_print.source,
                    codeLocation=code_print.location,
                    parameters={k: str(v) for k, v in (params or {}).items()} or None,
                    team=self.team,
                    startTime=started,
                    endTime=ended,
                    runKind=self.run_kind,
                    inferCopies=None if self.infer_copies else False,
                ),
                "parent": parent_run_facet(self.run_id, self.pipeline),
            },
            inputs=read,
            outputs=written,
            event_time=ended,
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

    def log_metrics(
        self,
        metrics: Mapping[str, float] | None = None,
        *,
        dataset: DataLike | None = None,
        role: str = "test",
        model: Any = None,
        **more: float,
    ) -> Evaluation | None:
        """Record metrics of the run; with ``dataset``, also an evaluation of the model on
        that exact data (an ``atlasml_evaluation`` linking the model version and the dataset
        version, role ``role``: test, validation, holdout, ...).

        ``model`` is the evaluated model (a model object or name given to :meth:`log_model`);
        by default the run's last logged model, which may be logged after this call.
        """
        values = {k: float(v) for k, v in {**(metrics or {}), **more}.items()}
        self.metrics.update(values)
        if dataset is None:
            awaiting, self.awaiting_metrics = self.awaiting_metrics, None
            if awaiting is not None:
                awaiting.metrics.update(values)
            return awaiting
        record = self.dataset(dataset, name=role, role=role)
        self._in_steps.add(id(record))
        evaluation = Evaluation(record, role, values, model, None if self.ended else now())
        self.evaluations.append(evaluation)
        return evaluation

    def log_model(
        self,
        model_or_path: object,
        name: str | None = None,
        directory: Path | None = None,
        *,
        target: str | os.PathLike[str] | None = None,
        compliance: Mapping[str, Any] | None = None,
    ) -> RecordedModel:
        """Record the trained model: artifact sha256, framework, and (for scikit-learn
        pipelines) every step's estimator class and parameters.

        A model object is saved (joblib, else pickle) into ``directory``, by default the run's
        folder under atlas-ml's cache; ``target`` (a local path or a URI such as
        ``hdfs://nn:8020/models/churn.joblib`` or ``s3://bucket/churn.joblib``, written through
        fsspec when installed) names where the artifact is kept for good: it is copied there
        and recorded as the artifact's location. ``compliance`` holds the model's compliance
        facts (see :func:`atlas_ml.compliance.compliance_facts`); the run's own apply too.
        """
        model_name = name or self.pipeline
        facts = {**self.compliance, **compliance_facts(compliance)}
        saved = describe_model(
            model_or_path,
            directory or cache_dir() / "artifacts" / self.run_id,
            model_name,
            kept=[path for earlier in self.models for path in _local_paths(earlier.locations)],
        )
        placed = place_artifact(saved, target, model_name) if target is not None else None
        artifact = moved_artifact(saved, placed) if placed else saved
        steps = (
            {} if isinstance(model_or_path, str | os.PathLike) else pipeline_steps(model_or_path)
        )
        for earlier in self.models:
            if (earlier.name, earlier.artifact.sha256) == (model_name, artifact.sha256):
                if placed and placed not in earlier.locations:
                    earlier.locations.append(placed)
                earlier.compliance.update(facts)
                return earlier
        locations = list(dict.fromkeys([artifact.location_uri, saved.location_uri]))
        recorded = RecordedModel(model_name, artifact, steps, locations, facts)
        self._models_by_object[id(model_or_path)] = (model_or_path, recorded)
        self.models.append(recorded)
        if (
            placed is None
            and directory is None
            and not isinstance(model_or_path, str | os.PathLike)
        ):
            log.info(
                "model %s is saved only under atlas-ml's cache (%s): pass "
                "log_model(..., target=URI) to keep it where your models live",
                model_name,
                artifact.path,
            )
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
        event_time: str | None = None,
    ) -> dict[str, Any]:
        return run_event(event_type, job_name, run_id, run_facets, inputs, outputs, event_time)

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
        return [self._model_version(model) for model in self.models]

    def _model_version(self, model: RecordedModel) -> dict[str, Any]:
        return model_version_dataset(
            model.name,
            model.artifact,
            team=self.team,
            locations=model.locations,
            compliance=model.compliance or None,
        )

    def _with_roles(self, event: dict[str, Any]) -> dict[str, Any]:
        """Each input's ``role`` as used in this run (train, test, ...), whatever role the
        dataset version had where it was first recorded (``raw``, a step's output)."""
        for record, dataset in zip(self.inputs, event["inputs"], strict=True):
            role = self._roles.get(id(record)) or record.role
            version = (dataset.get("facets") or {}).get(DATASET_VERSION)
            if role and version is not None:
                version["role"] = role
        return event

    def finish(self, error: BaseException | None = None) -> dict[str, Any]:
        """Emit the run's terminal event (COMPLETE or FAIL) and return it; then one event per
        evaluation of its models."""
        self.status = "FAILED" if error else "SUCCEEDED"
        if error is not None:
            self.error = "".join(traceback.format_exception_only(type(error), error)).strip()
        self._warn_about_loose_data()
        ended = self.ended or now()
        event = self._event(
            "FAIL" if error else "COMPLETE",
            job_name=self.pipeline,
            run_id=self.run_id,
            run_facets={self._facet_name(): self._run_facet(ended)},
            inputs=self.inputs,
            outputs=[] if error else self._run_outputs(),
            event_time=ended,
        )
        event = self._with_roles(event)
        if self._facet_name() == TRAINING_RUN:
            attest_run(self, event, self._events)  # chain of custody; no key: unsigned
        self._emit(event)
        if error is None:
            for evaluation_event in evaluation_events(self, ended):
                self._emit(evaluation_event)
        return event

    def recorded_model(self, model: Any = None) -> RecordedModel | None:
        """The record of ``model`` (an object given to :meth:`log_model`, or its name); by
        default the last model the run logged."""
        if model is None:
            return self.models[-1] if self.models else None
        if isinstance(model, RecordedModel):
            return model
        if isinstance(model, str):
            return next((m for m in reversed(self.models) if m.name == model), None)
        held = self._models_by_object.get(id(model))
        return held[1] if held is not None and held[0] is model else None

    def _facet_name(self) -> str:
        return TRAINING_RUN

    def _run_outputs(self) -> list[dict[str, Any]]:
        return self._model_outputs()

    def _run_facet(self, ended: str) -> dict[str, Any]:
        """The run's facet: parameters, metrics, code, environment, who, when, outcome."""
        revision = revision_of(None)
        parameters = dict(self.parameters)
        for model in self.models:
            parameters.update({f"{model.name}.{k}": v for k, v in model.steps.items()})
        framework = next((m.artifact for m in self.models if m.artifact.framework), None)
        return facet(
            self._facet_name(),
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
            endTime=ended,
            status=self.status,
            error=self.error,
            inferCopies=None if self.infer_copies else False,
        )

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


def _local_paths(locations: list[str]) -> list[Path]:
    return [Path(unquote(urlsplit(u).path)) for u in locations if u.startswith("file:")]


def _mutable(data: Any) -> bool:
    """pandas frames change in place; Spark DataFrames are immutable plans."""
    return type(data).__module__.startswith("pandas")
