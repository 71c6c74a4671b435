"""Verify recorded dataset versions: recompute their fingerprints and compare with Atlas.

- ``resolve_target``: the model version, training run or dataset version a user names.
- ``collect_versions``: every dataset version behind it, from Atlas's lineage.
- ``recompute``: the fingerprints of the data at a recorded location, now.
- ``compare_version`` / ``judge_in_memory``: VERIFIED, CHANGED, UNRECOVERABLE or DERIVED, and why.
- ``write_back``: the outcome as ``verificationStatus``/``verifiedTime`` on each version.
- ``verify``: all of the above for one target (:mod:`atlas_ml.reports` renders the report).

``atlas_ml.verify`` is both this package and, called, the :func:`verify` function (the public
API exports the function under the package's own name): ``atlas_ml.verify(client, target)``.
"""

import inspect
import sys
import types
from typing import Any

from atlas_ml.verify.collect import Collected, collect_versions
from atlas_ml.verify.compare import compare_version, judge_in_memory
from atlas_ml.verify.recompute import Recomputed, recompute
from atlas_ml.verify.recorded import RecordedVersion
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
    "resolve_target",
    "verify",
    "write_back",
]


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`verify`."""

    def __call__(self, *args: Any, **kwargs: Any) -> VerifyReport:
        return verify(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
__signature__ = inspect.signature(verify)  # help(), IDEs and docs show verify's parameters
