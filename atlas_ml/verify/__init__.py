"""Verify recorded dataset versions: recompute their fingerprints and compare with Atlas.

- ``resolve_target``: the model version, training run or dataset version a user names.
- ``collect_versions``: every dataset version behind it, from Atlas's lineage.
- ``recompute``: the fingerprints of the data at a recorded location, now.
- ``compare_version`` / ``judge_in_memory``: VERIFIED, CHANGED, UNRECOVERABLE or DERIVED, and why.
- ``write_back``: the outcome as ``verificationStatus``/``verifiedTime`` on each version.
- ``verify``: all of the above for one target; ``render_text``/``render_json`` show it.
"""

from atlas_ml.verify.collect import Collected, collect_versions
from atlas_ml.verify.compare import compare_version, judge_in_memory
from atlas_ml.verify.recompute import Recomputed, recompute
from atlas_ml.verify.recorded import RecordedVersion
from atlas_ml.verify.report import render_json, render_text
from atlas_ml.verify.result import Status, VerifyReport, VersionResult
from atlas_ml.verify.run import verify
from atlas_ml.verify.target import Target, TargetNotFound, resolve_target
from atlas_ml.verify.writeback import write_back

__all__ = [
    "Collected",
    "Recomputed",
    "RecordedVersion",
    "Status",
    "Target",
    "TargetNotFound",
    "VerifyReport",
    "VersionResult",
    "collect_versions",
    "compare_version",
    "judge_in_memory",
    "recompute",
    "render_json",
    "render_text",
    "resolve_target",
    "verify",
    "write_back",
]
