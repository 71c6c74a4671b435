"""``audit``: the report a regulator asks for - every model version trained in a window on
data carrying a classification, with the exact data versions, everything upstream,
evaluations, compliance facts and a completeness verdict per model version."""

from atlas_ml._callable import callable_package
from atlas_ml.audit.query import AuditQuery, make_query, parse_moment
from atlas_ml.audit.report import SUMMARY_COLUMNS, AuditEntry, AuditReport
from atlas_ml.audit.run import audit

__all__ = [
    "SUMMARY_COLUMNS",
    "AuditEntry",
    "AuditQuery",
    "AuditReport",
    "audit",
    "make_query",
    "parse_moment",
]

callable_package(__name__, audit)
