"""Compliance facts are checked before anything is recorded: one clear error per mistake."""

from __future__ import annotations

from datetime import date

import pytest

from atlas_ml.compliance import ComplianceError, approval_date, compliance_facts

pytestmark = pytest.mark.unit


def test_facts_in_any_accepted_spelling_become_the_business_metadata_attributes() -> None:
    facts = compliance_facts(
        {"purpose": "triage", "risk": "high", "approver": "j.doe", "approved_on": "2026-12-01"}
    )
    assert facts == {
        "intendedPurpose": "triage",
        "riskCategory": "HIGH",
        "approver": "j.doe",
        "approvalDate": 1796083200000,
    }
    assert compliance_facts({"approval_date": date(2026, 12, 1)}) == {"approvalDate": 1796083200000}
    assert approval_date(1796083200000) == "2026-12-01"


@pytest.mark.parametrize(
    ("facts", "says"),
    [
        ({"risk": "severe"}, "is not one of MINIMAL, LIMITED, HIGH, UNACCEPTABLE"),
        ({"approved_on": "next week"}, "use YYYY-MM-DD"),
        ({"owner": "x"}, "unknown compliance fact 'owner'"),
        ({"purpose": "x" * 2001}, "Atlas keeps at most 2000"),
    ],
)
def test_a_fact_atlas_cannot_hold_is_refused_with_the_fix(facts: dict[str, str], says: str) -> None:
    with pytest.raises(ComplianceError, match=says):
        compliance_facts(facts)
