"""A data-quality validation result in the words atlas-ml records: suite, success, statistics
and the failed expectations. Pure: it reads Great Expectations 1.x results (the objects, or
their ``to_json_dict()``) without importing Great Expectations."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

RESULT_JSON_MAX_BYTES = 256 * 1024
"""The validation result kept on the entity, cut to this size (Atlas keeps attributes in
HBase cells; a result listing every unexpected value can be megabytes)."""
MAX_FAILED = 50


@dataclass(frozen=True)
class ValidationSummary:
    suite: str
    success: bool
    statistics: dict[str, float]
    failed: list[str]
    validation_id: str | None
    validated_time: str | None
    data_asset: str | None
    tool: str
    result_json: str = field(repr=False, default="")


def summarize(result: Any, tool: str = "great_expectations") -> ValidationSummary:
    """The summary of one validation result (``ExpectationSuiteValidationResult``)."""
    body = result.to_json_dict() if hasattr(result, "to_json_dict") else dict(result)
    if "results" not in body or "success" not in body:
        raise ValueError(
            "not a validation result (no 'results'/'success'): pass what "
            "ValidationDefinition.run() returns, or one of CheckpointResult.run_results.values()"
        )
    meta = body.get("meta") or {}
    run_id = meta.get("run_id") or {}
    batch = meta.get("active_batch_definition") or {}
    statistics = {str(k): float(v) for k, v in (body.get("statistics") or {}).items() if _number(v)}
    failed = [_describe(r) for r in body.get("results") or [] if not r.get("success")]
    if len(failed) > MAX_FAILED:
        failed = [*failed[:MAX_FAILED], f"... and {len(failed) - MAX_FAILED} more"]
    text = json.dumps(body, sort_keys=True, default=str)
    if len(text.encode()) > RESULT_JSON_MAX_BYTES:
        text = json.dumps({"truncated": True, "statistics": statistics, "failed": failed})
    version = meta.get("great_expectations_version")
    asset = ".".join(str(batch[k]) for k in ("datasource_name", "data_asset_name") if batch.get(k))
    return ValidationSummary(
        suite=str(body.get("suite_name") or meta.get("expectation_suite_name") or "unnamed"),
        success=bool(body["success"]),
        statistics=statistics,
        failed=failed,
        validation_id=str(body.get("id") or run_id.get("run_name") or "") or None,
        validated_time=meta.get("validation_time") or run_id.get("run_time"),
        data_asset=asset or None,
        tool=f"{tool} {version}" if version else tool,
        result_json=text,
    )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _describe(result: dict[str, Any]) -> str:
    """``expect_x(column=a, max_value=600000): 3 of 200 unexpected, e.g. [700001.0]``."""
    config = result.get("expectation_config") or {}
    kwargs = {k: v for k, v in (config.get("kwargs") or {}).items() if k != "batch_id"}
    args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    observed = result.get("result") or {}
    parts = []
    if "unexpected_count" in observed:
        parts.append(
            f"{observed['unexpected_count']} of {observed.get('element_count', '?')} unexpected"
        )
        sample = observed.get("partial_unexpected_list") or []
        if sample:
            parts.append(f"e.g. {sample[:5]}")
    if "observed_value" in observed:
        parts.append(f"observed {observed['observed_value']}")
    error = (result.get("exception_info") or {}).get("exception_message")
    if error:
        parts.append(f"raised {error}")
    found = ": " + ", ".join(parts) if parts else ""
    return f"{config.get('type', 'expectation')}({args}){found}"
