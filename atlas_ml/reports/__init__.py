"""Rendering of what the read side returns: lineage trees, verification reports.

The read side (:mod:`atlas_ml.lineage`, :mod:`atlas_ml.verify`) returns data; this package
turns it into text, JSON or rich renderables; :mod:`atlas_ml.cli` prints.
"""

from atlas_ml.reports.lineage_tree import downstream_tree, lineage_tree, upstream_tree
from atlas_ml.reports.verify_report import render_json, render_text

__all__ = ["downstream_tree", "lineage_tree", "render_json", "render_text", "upstream_tree"]
