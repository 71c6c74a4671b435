"""A griffe extension: atlas-ml's reST docstrings, readable in the Markdown API reference.

The package's docstrings are written for ``help()`` and Sphinx-style roles; mkdocstrings
renders Markdown. This turns ``:func:`x``` (and ``:class:``, ``:mod:``, ``:meth:``,
``:data:``, ``:attr:``, ``:exc:``) into code spans, ``::`` literal blocks into code blocks,
and ``>>>`` examples into Python code blocks. Used by mkdocs.yml; nothing else imports it.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(
    r":(?:py:)?(?:func|class|mod|meth|data|attr|exc|obj):`~?([^`<]+?)(?:\s*<([^>]+)>)?`"
)


def rest_to_markdown(text: str) -> str:
    """``text`` (a docstring) with reST roles, literal blocks and doctests as Markdown."""
    text = _ROLE.sub(lambda m: f"`{(m.group(2) or m.group(1)).strip()}`", text)
    out: list[str] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            block = []
            while index < len(lines) and lines[index].lstrip().startswith((">>>", "...")):
                block.append(lines[index].strip()[4:])
                index += 1
            out += [f"{indent}```python", *(indent + b for b in block), f"{indent}```"]
            continue
        if line.rstrip().endswith("::"):
            stripped = line.rstrip()[:-2].rstrip()
            if stripped:
                out.append(stripped + ":")
            index += 1
            block = []
            while index < len(lines) and (not lines[index].strip() or lines[index][:1] == " "):
                block.append(lines[index])
                index += 1
            while block and not block[-1].strip():
                block.pop()
            body = [b for b in block if b.strip()]
            margin = min((len(b) - len(b.lstrip()) for b in body), default=0)
            out += ["", "```text", *(b[margin:] for b in block if b.strip() or b), "```", ""]
            continue
        out.append(line)
        index += 1
    return "\n".join(out)


class RestDocstrings(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rest_to_markdown(obj.docstring.value)
