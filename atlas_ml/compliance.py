"""Compliance facts of a model: intended purpose, risk category, approver, approval date.

They are not lineage, so they live in Atlas business metadata (``atlasml_compliance``, on
``atlasml_model`` and ``atlasml_model_version``): set while training
(``training_run(..., compliance={...})`` or ``run.log_model(..., compliance={...})``) or
afterwards, when the approval happens (``atlas-ml compliance set``). Facts are checked here,
before anything is recorded, so a typo in a risk category or a date is one clear error
instead of an event Atlas refuses later.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import quote

from atlas_ml.client import AtlasClient
from atlas_ml.errors import AtlasMLError
from atlas_ml.typedefs.names import COMPLIANCE_METADATA, MODEL_TYPE, MODEL_VERSION_TYPE

BUSINESS_METADATA = COMPLIANCE_METADATA
APPLICABLE_TYPES = (MODEL_TYPE, MODEL_VERSION_TYPE)
RISK_CATEGORIES = ("MINIMAL", "LIMITED", "HIGH", "UNACCEPTABLE")
MAX_TEXT = {"intendedPurpose": 2000, "approver": 200}

# accepted spellings -> the attribute of atlasml_compliance
_KEYS = {
    "purpose": "intendedPurpose",
    "intended_purpose": "intendedPurpose",
    "intendedpurpose": "intendedPurpose",
    "risk": "riskCategory",
    "risk_category": "riskCategory",
    "riskcategory": "riskCategory",
    "approver": "approver",
    "approved_by": "approver",
    "approved_on": "approvalDate",
    "approval_date": "approvalDate",
    "approvaldate": "approvalDate",
}


class ComplianceError(AtlasMLError, ValueError):
    """A compliance fact that cannot be recorded (unknown key, risk category or date)."""


def compliance_facts(facts: Mapping[str, Any] | None) -> dict[str, Any]:
    """``facts`` as the attributes of ``atlasml_compliance``; raises :class:`ComplianceError`.

    Keys: ``purpose`` (or ``intended_purpose``/``intendedPurpose``), ``risk``
    (``risk_category``; one of MINIMAL, LIMITED, HIGH, UNACCEPTABLE, any case), ``approver``,
    ``approved_on`` (``approval_date``; a date, a datetime, an ISO-8601 string or epoch
    milliseconds). Values of None are left out.
    """
    checked: dict[str, Any] = {}
    for key, value in (facts or {}).items():
        attribute = _KEYS.get(str(key).lower())
        if attribute is None:
            raise ComplianceError(
                f"unknown compliance fact {key!r}: use purpose, risk, approver or approved_on"
            )
        if value is None:
            continue
        if attribute == "riskCategory":
            value = str(value).strip().upper()
            if value not in RISK_CATEGORIES:
                raise ComplianceError(
                    f"risk category {value!r} is not one of {', '.join(RISK_CATEGORIES)}"
                )
        elif attribute == "approvalDate":
            value = _epoch_millis(value)
        else:
            value = str(value).strip()
            if len(value) > MAX_TEXT[attribute]:
                raise ComplianceError(
                    f"{key} is {len(value)} characters; Atlas keeps at most {MAX_TEXT[attribute]}"
                )
        checked[attribute] = value
    return checked


def _epoch_millis(value: Any) -> int:
    if isinstance(value, bool):
        raise ComplianceError(f"approval date {value!r} is not a date: use YYYY-MM-DD")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise ComplianceError(
                f"approval date {value!r} is not a date: use YYYY-MM-DD (ISO 8601)"
            ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def set_compliance(client: AtlasClient, guid: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    """Add or update the ``atlasml_compliance`` facts of entity ``guid`` (facts not given
    keep their value) and return the entity's compliance facts as Atlas now holds them."""
    attributes = compliance_facts(facts)
    if not attributes:
        raise ComplianceError(
            "no compliance fact given: set purpose, risk, approver or approved_on"
        )
    client.transport.request(
        "POST",
        f"/v2/entity/guid/{quote(guid)}/businessmetadata",
        params={"isOverwrite": "false"},
        json={BUSINESS_METADATA: attributes},
    )
    return read_compliance(client, guid)


def read_compliance(client: AtlasClient, guid: str) -> dict[str, Any]:
    """The ``atlasml_compliance`` facts of entity ``guid`` ({} when none are set)."""
    entity = client.entities.get(guid, min_ext_info=True)["entity"]
    facts: dict[str, Any] = (entity.get("businessAttributes") or {}).get(BUSINESS_METADATA) or {}
    return dict(facts)


def approval_date(millis: int | None) -> str | None:
    """An approval date as Atlas stores it (epoch ms), written as YYYY-MM-DD (UTC)."""
    if millis is None:
        return None
    return datetime.fromtimestamp(int(millis) / 1000, tz=timezone.utc).date().isoformat()
