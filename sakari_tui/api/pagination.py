"""A page of results, and walking every page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .envelope import data_list
from .values import as_bool, as_dict, as_int

T = TypeVar("T")

MAX_PAGE_SIZE = 100  # the API's maximum ``limit``


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: the items and where they sit in the whole."""

    items: tuple[T, ...]
    offset: int
    limit: int | None
    total_count: int | None
    has_next: bool

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @classmethod
    def from_json(
        cls,
        body: Any,
        parse_item: Callable[[Mapping[str, Any]], T],
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> Page[T]:
        """Parse a paginated answer. ``offset`` and ``limit`` are what was asked for, used
        when the answer's ``pagination`` block leaves them out."""
        items = tuple(parse_item(item) for item in data_list(body))
        pagination = as_dict(body.get("pagination"))
        offset = as_int(pagination.get("offset"), offset) or 0  # never None: it has a default
        limit = as_int(pagination.get("limit"), limit)
        total_count = as_int(pagination.get("totalCount"))
        # Trust ``hasNext`` when the server sends it. Without it, ``totalCount`` tells; some
        # message lists have neither, and then a full page suggests there may be more.
        has_next = as_bool(pagination.get("hasNext"))
        if has_next is None:
            if total_count is not None:
                has_next = offset + len(items) < total_count
            else:
                has_next = bool(items) and limit is not None and len(items) >= limit
        return cls(items, offset, limit, total_count, has_next)


async def iterate_pages(
    fetch_page: Callable[..., Awaitable[Page[T]]],
    *,
    page_size: int = MAX_PAGE_SIZE,
    **filters: Any,
) -> AsyncIterator[T]:
    """Yield every item of every page: ``fetch_page(offset=..., limit=page_size, **filters)``
    is called until a page says there is no next one (or comes back empty)."""
    offset = 0
    while True:
        page = await fetch_page(offset=offset, limit=page_size, **filters)
        for item in page.items:
            yield item
        if not page.has_next or not page.items:
            return
        offset += len(page.items)
