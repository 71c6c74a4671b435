"""Evaluations: a model version measured on one exact dataset version.

``run.log_metrics(accuracy=..., dataset=test_df)`` (and autolog's ``score``/``predict`` on
held-out data) records which data a metric was measured on, not only the number: at the run's
end each evaluation becomes an event of its own whose inputs are the model version and the
evaluation data's dataset version, mapped to an ``atlasml_evaluation`` linked to the model
version. It follows the run's event, so the model version it names already exists in Atlas.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from atlas_ml.events.facets import EVALUATION, facet
from atlas_ml.events.run_events import parent_run_facet, run_event
from atlas_ml.fingerprints.datasets import DatasetRecord
from atlas_ml.tracking.capture import operator

log = logging.getLogger("atlas_ml.tracking")


@dataclass
class Evaluation:
    """Metrics measured on ``dataset`` (in role ``role``) for ``model`` (the run's last logged
    model when None)."""

    dataset: DatasetRecord
    role: str
    metrics: dict[str, float]
    model: Any = None
    evaluated: str | None = None
    criteria: str | None = None
    passed: bool | None = None
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))


class EvaluatedRun(Protocol):
    """What the evaluation events read of their run (a
    :class:`~atlas_ml.tracking.run.TrainingRun`, which imports this module)."""

    @property
    def pipeline(self) -> str: ...

    @property
    def team(self) -> str | None: ...

    @property
    def run_id(self) -> str: ...

    @property
    def evaluations(self) -> Sequence[Evaluation]: ...

    def recorded_model(self, model: Any = None) -> Any: ...

    def _model_version(self, model: Any) -> dict[str, Any]: ...


def evaluation_events(run: EvaluatedRun, ended: str) -> list[dict[str, Any]]:
    """One event per evaluation of ``run`` whose model is known; the others are a warning."""
    events = []
    for evaluation in run.evaluations:
        model = run.recorded_model(evaluation.model)
        if model is None:
            log.warning(
                "metrics %s measured on %s are not recorded as an evaluation: the run logged "
                "no model%s. Call run.log_model(...) for the evaluated model",
                ", ".join(sorted(evaluation.metrics)) or "(none)",
                evaluation.dataset.name,
                "" if evaluation.model is None else f" matching {evaluation.model!r}",
            )
            continue
        run_facet = facet(
            EVALUATION,
            pipeline=run.pipeline,
            model=model.name,
            metrics=evaluation.metrics,
            datasetRole=evaluation.role,
            team=run.team,
            evaluator=operator(),
            evaluatedTime=evaluation.evaluated or ended,
            criteria=evaluation.criteria,
            passed=evaluation.passed,
        )
        events.append(
            run_event(
                "COMPLETE",
                f"{run.pipeline}.evaluate",
                evaluation.run_id,
                {EVALUATION: run_facet, "parent": parent_run_facet(run.run_id, run.pipeline)},
                [evaluation.dataset],
                [],
                event_time=ended,
            )
        )
        # The model version is an input too: it is what was measured.
        events[-1]["inputs"].insert(0, run._model_version(model))
    return events
