"""Shared pieces of the property-based tests (``test_fuzz_*.py``): JSON values, mutations of a
valid document, and the check that a rejection names what it rejected.

Every fuzz test is marked ``fuzz`` as well as ``unit``: ``make test`` runs them with the
``default`` profile (a few hundred inputs each, seconds in all); ``make fuzz`` runs them with the
``long`` profile (thousands each) and prints how many inputs each property tried.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def paths(document: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path in a JSON document (dict keys and list indexes)."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield (*prefix, key)
            yield from paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield (*prefix, index)
            yield from paths(value, (*prefix, index))


@st.composite
def mutations(draw: st.DrawFn, document: Any) -> tuple[Any, tuple[Any, ...]]:
    """``document`` with one value deleted or replaced by another JSON value; and where."""
    candidates = list(paths(document))
    mutated = copy.deepcopy(document)
    if not candidates:
        return draw(JSON), ()
    path = draw(st.sampled_from(candidates))
    parent = mutated
    for key in path[:-1]:
        parent = parent[key]
    if draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(JSON)
    return mutated, path


def names_a_field(message: str, path: tuple[Any, ...]) -> bool:
    """Whether an error message names one of the keys on ``path`` (its field or a parent)."""
    keys = [str(key) for key in path if isinstance(key, str)]
    return not keys or any(key in message for key in keys)
