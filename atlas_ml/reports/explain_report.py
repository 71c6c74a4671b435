"""Render an :class:`~atlas_ml.explain.Explanation` as Markdown (and, through rich, on a
terminal), HTML or JSON."""

from __future__ import annotations

import json
import re

from atlas_ml._version import __version__
from atlas_ml.explain import Explanation
from atlas_ml.reports.svg import lineage_svg
from atlas_ml.reports.templating import DIGEST_PLACEHOLDER, environment, with_digest


def render_markdown(explanation: Explanation) -> str:
    text = (
        environment(markdown=True)
        .get_template("explain.md.j2")
        .render(x=explanation, prov=explanation.provenance)
    )
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def render_json(explanation: Explanation) -> str:
    return json.dumps(explanation.to_dict(), indent=1, ensure_ascii=False) + "\n"


def render_html(explanation: Explanation) -> str:
    prov = explanation.provenance
    names = sorted({m.name for n in explanation.nodes.values() for m in n.classifications})
    svg = lineage_svg(
        explanation.nodes,
        explanation.target,
        prov.members,
        prov.edges,
        highlight=names,
        sources=[g for guids in prov.sources.values() for g in guids],
        blocked=[g for guids in prov.blocked.values() for g in guids],
        title=f"Lineage of {explanation.node.label}",
    )
    text = (
        environment()
        .get_template("explain.html.j2")
        .render(
            x=explanation,
            prov=prov,
            nodes=explanation.nodes,
            label=explanation.label,
            svg=svg,
            version=__version__,
            digest=DIGEST_PLACEHOLDER,
        )
    )
    return with_digest(text)
