"""The Jinja2 environment of the HTML reports (templates shipped in ``reports/templates``)
and the self-digest every report carries."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

DIGEST_PLACEHOLDER = "sha256:" + "0" * 64
"""Written where a report states its own digest, while the digest is computed."""


@lru_cache(maxsize=2)
def environment(markdown: bool = False) -> Environment:
    """HTML templates drop the newline after a block tag; Markdown ones keep every line
    break (a list item ends at its newline), and the renderer squeezes blank runs."""
    return Environment(
        loader=PackageLoader("atlas_ml.reports", "templates"),
        autoescape=_is_html,
        undefined=StrictUndefined,
        trim_blocks=not markdown,
        lstrip_blocks=not markdown,
    )


def _is_html(name: str | None) -> bool:
    """HTML templates (``*.html.j2``) escape what they insert; Markdown ones do not."""
    return name is None or ".html" in name or ".css" in name


def with_digest(text: str) -> str:
    """``text`` with :data:`DIGEST_PLACEHOLDER` replaced by the sha256 of ``text`` as it is
    (placeholder included): a reader checks the file by writing the placeholder back."""
    if text.count(DIGEST_PLACEHOLDER) != 1:
        raise ValueError("a report must state its digest exactly once")
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return text.replace(DIGEST_PLACEHOLDER, digest)


DIGEST_MARKERS = ('id="report-digest">', '"reportSha256": "')
"""What precedes the stated digest: in the HTML report, and in the JSON one."""


def check_digest(text: str) -> tuple[bool, str | None]:
    """Whether a report still has the digest it states, and the digest it states (``None``
    when it states none)."""
    for marker in DIGEST_MARKERS:
        start = text.find(marker)
        if start == -1:
            continue
        start += len(marker)
        stated = text[start : start + len(DIGEST_PLACEHOLDER)]
        original = text[:start] + DIGEST_PLACEHOLDER + text[start + len(DIGEST_PLACEHOLDER) :]
        actual = "sha256:" + hashlib.sha256(original.encode("utf-8")).hexdigest()
        return actual == stated, stated
    return False, None
