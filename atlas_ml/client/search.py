"""Basic and DSL search as iterators that page past Atlas's per-request result cap."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from atlas_ml.client.transport import Transport

DEFAULT_PAGE_SIZE = 500


class SearchAPI:
    """``/v2/search`` endpoints; every method yields results one by one across pages."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def basic(
        self,
        type_name: str | None = None,
        *,
        classification: str | None = None,
        query: str | None = None,
        entity_filters: dict[str, Any] | None = None,
        attributes: list[str] | None = None,
        exclude_deleted: bool = True,
        include_subtypes: bool = True,
        include_subclassifications: bool = True,
        sort_by: str | None = "qualifiedName",
        page_size: int = DEFAULT_PAGE_SIZE,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Entity headers matching the filters (``POST /v2/search/basic``), page by page.

        Results are sorted (by qualifiedName unless told otherwise) so that offset paging is
        stable; ``limit`` caps the total number yielded.
        """
        body: dict[str, Any] = {
            "typeName": type_name,
            "classification": classification,
            "query": query,
            "entityFilters": entity_filters,
            "attributes": attributes or [],
            "excludeDeletedEntities": exclude_deleted,
            "includeSubTypes": include_subtypes,
            "includeSubClassifications": include_subclassifications,
        }
        if sort_by:
            body["sortBy"] = sort_by
            body["sortOrder"] = "ASCENDING"
        body = {k: v for k, v in body.items() if v is not None}

        def fetch(size: int, offset: int) -> list[dict[str, Any]]:
            page = self._t.request(
                "POST", "/v2/search/basic", json={**body, "limit": size, "offset": offset}
            )
            return list((page or {}).get("entities") or [])

        yield from _paged(fetch, page_size, limit)

    def dsl(
        self, query: str, *, page_size: int = DEFAULT_PAGE_SIZE, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Results of a DSL query: entity headers, or one dict per row for ``select`` queries.

        Paging is done with the ``limit``/``offset`` request parameters, so the query itself
        should not carry its own ``limit``/``offset`` clause.
        """

        def fetch(size: int, offset: int) -> list[dict[str, Any]]:
            params = {"query": query, "limit": size, "offset": offset}
            return list(_rows(self._t.request("GET", "/v2/search/dsl", params=params) or {}))

        yield from _paged(fetch, page_size, limit)


def _paged(
    fetch: Callable[[int, int], list[dict[str, Any]]], page_size: int, limit: int | None
) -> Iterator[dict[str, Any]]:
    """Pages of ``fetch(size, offset)`` until a short page (or ``limit`` rows) ends the results:
    Atlas caps each request, so both search kinds walk offsets the same way."""
    yielded = 0
    offset = 0
    while True:
        size = page_size if limit is None else min(page_size, limit - yielded)
        if size <= 0:
            return
        rows = fetch(size, offset)
        yield from rows
        yielded += len(rows)
        offset += size
        if len(rows) < size:
            return


def _rows(page: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if page.get("entities"):
        yield from page["entities"]
        return
    selected = page.get("attributes") or {}
    names = selected.get("name") or []
    for values in selected.get("values") or []:
        yield dict(zip(names, values, strict=False))
