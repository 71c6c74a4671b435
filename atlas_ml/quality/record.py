"""``record``: a validation result as provenance of the dataset version it validated."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import DeliveryReport, Spool, deliver_spool
from atlas_ml.events.facets import VALIDATION, facet
from atlas_ml.events.run_events import now, run_event
from atlas_ml.fingerprints.datasets import DatasetRecord, describe_frame, describe_path
from atlas_ml.notices import notify_once
from atlas_ml.quality.results import ValidationSummary, summarize


@dataclass
class RecordedValidation:
    summary: ValidationSummary
    dataset: DatasetRecord
    event: dict[str, Any]
    delivery: DeliveryReport | None = None


def record(
    validation_result: Any,
    dataset: str | os.PathLike[str] | DatasetRecord | Any,
    *,
    name: str | None = None,
    client: AtlasClient | None = None,
    spool: Spool | None = None,
    deliver: bool = True,
) -> RecordedValidation:
    """Record ``validation_result`` (a Great Expectations 1.x ``ExpectationSuiteValidationResult``)
    as an ``atlasml_validation`` of the dataset version ``dataset`` is.

    ``dataset`` is what was validated: a path (file, folder, Delta/Iceberg table; fingerprinted
    like a training run's input, so the same bytes are the same dataset version), a record a
    training run returned, or the pandas/Spark DataFrame itself. Like a training run, it never
    fails on Atlas: the event waits in the spool for ``atlas-ml push``.
    """
    summary = summarize(validation_result)
    if isinstance(dataset, DatasetRecord):
        data = dataset
    elif isinstance(dataset, str | os.PathLike):
        data = describe_path(dataset, name=name)
    else:
        data = describe_frame(dataset, name=name or summary.data_asset or "validated data")
    run_facet = facet(
        VALIDATION,
        suite=summary.suite,
        success=summary.success,
        statistics=summary.statistics,
        failedExpectations=summary.failed,
        tool=summary.tool,
        validationId=summary.validation_id,
        validatedTime=summary.validated_time,
        dataAsset=summary.data_asset,
        resultJson=summary.result_json,
    )
    # The same result recorded twice is one validation: its run id comes from the result.
    stamp = f"{summary.validation_id}|{summary.validated_time}|{data.identity}"
    run_id = str(uuid.uuid5(uuid.NAMESPACE_URL, stamp))
    event = run_event(
        "COMPLETE",
        job_name=f"validation.{summary.suite}",
        run_id=run_id,
        run_facets={VALIDATION: run_facet},
        inputs=[data],
        outputs=[],
        event_time=now(),
    )
    recorded = RecordedValidation(summary, data, event)
    spool = spool or Spool()
    try:
        spool.write(event)
    except OSError as exc:
        notify_once(f"could not write the validation to the spool {spool.root} ({exc})")
        return recorded
    if deliver:
        recorded.delivery = deliver_spool(spool, client)
    return recorded
