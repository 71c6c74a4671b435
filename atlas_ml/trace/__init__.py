"""``trace``: the debugging walk from a model version back to where its data changed.

- :func:`trace`: locate the model version and its run, check the recorded fingerprints of
  its data (``live``: recompute them with ``verify``), compare every recorded read with the
  last recorded write of the same data; or, ``against`` another model version, walk both
  lineages in lockstep and name the first (most upstream) divergence and its kind.
- :class:`TraceResult`: the tree with a status per node, the divergences, one conclusion.
"""

from atlas_ml._callable import callable_package
from atlas_ml.trace.compare import DataDiff, compare_data
from atlas_ml.trace.result import Divergence, Kind, TraceNode, TraceResult
from atlas_ml.trace.run import trace

__all__ = [
    "DataDiff",
    "Divergence",
    "Kind",
    "TraceNode",
    "TraceResult",
    "compare_data",
    "trace",
]

callable_package(__name__, trace)
