"""Page numbers that stay fast on deep pages: keyset continuation with a bounded offset.

Every page link carries `page` (what the user sees) and, when it leads to a nearby page, a cursor: the
sort key of the last row shown ("after", for the next pages) or the first ("before", for the previous
ones) and the page it was on. The next page is then `WHERE (key) > (cursor) LIMIT n`, whatever its depth;
a page two ahead skips one page of rows. Without a cursor (page 1, a typed URL, the last page) the page
comes by OFFSET, from the end when that is nearer and the list is counted. The cursor only makes the
same page cheaper: a stale or hand-made one still yields rows in the list's order and conditions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil

from sqlalchemy import literal, tuple_

from portal.extensions import db

WINDOW = 2  # page numbers shown on each side of the current page


@dataclass(frozen=True)
class Cursor:
    after: bool
    anchor: int
    values: tuple

    @classmethod
    def parse(cls, raw: str | None) -> "Cursor | None":
        try:
            head, first, ident = (raw or "").split("~")
            if head[0] not in "ab":
                return None
            return cls(head[0] == "a", int(head[1:]), (datetime.fromisoformat(first), int(ident)))
        except (ValueError, IndexError):
            return None


@dataclass
class ListPage:
    items: list
    page: int
    per_page: int
    total: int | None  # None: the list is not counted (已办结, 全部)
    has_prev: bool
    has_next: bool
    keys: list = field(default_factory=list)  # sort columns when the list pages by keyset

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, ceil(self.total / self.per_page))

    def _key(self, row) -> str | None:
        values = [getattr(row, col.key) for col in self.keys]
        if not self.keys or any(v is None for v in values):
            return None
        first, ident = values
        return f"{first.isoformat()}~{ident}"

    def cursor_for(self, target: int) -> str | None:
        """The cursor that makes page `target` cheap, when it is near this page."""
        if not self.items or not self.keys or target == 1:
            return None
        if self.page < target <= self.page + WINDOW:
            key = self._key(self.items[-1])
            return f"a{self.page}~{key}" if key else None
        if self.page - WINDOW <= target < self.page:
            key = self._key(self.items[0])
            return f"b{self.page}~{key}" if key else None
        return None

    def numbers(self) -> list[int | None]:
        """Page numbers to link (None: a gap): the first, a window around this page, the last if known."""
        last = self.pages
        high = self.page + WINDOW if last is not None else self.page + (1 if self.has_next else 0)
        if last is not None:
            high = min(high, last)
        shown = sorted({1, *range(max(1, self.page - WINDOW), high + 1), *([last] if last else [])})
        out: list[int | None] = []
        for n in shown:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


def fetch(base, order, *, keys, descending: bool, page: int, per_page: int, total: int | None, cursor: str | None,
          options=()) -> ListPage:
    """One page of `base` (a SELECT without ORDER BY); `order(stmt, reverse)` sorts it; `keys` are the sort
    columns when keyset continuation is safe (no NULLs), else None."""
    page = max(1, page)
    parsed = Cursor.parse(cursor) if keys else None
    if parsed:
        row = tuple_(*keys)
        mark = tuple_(*(literal(value, col.type) for value, col in zip(parsed.values, keys)))  # stored format
    stmt, reverse = None, False
    if parsed and parsed.after and 0 < page - parsed.anchor <= WINDOW:
        stmt = order(base.where(row < mark if descending else row > mark), False)
        stmt = stmt.offset((page - parsed.anchor - 1) * per_page).limit(per_page + 1)
    elif parsed and not parsed.after and 0 < parsed.anchor - page <= WINDOW:
        stmt = order(base.where(row > mark if descending else row < mark), True)
        stmt = stmt.offset((parsed.anchor - page - 1) * per_page).limit(per_page)
        reverse = True
    elif total is not None and (page - 1) * per_page * 2 > total:
        end = min(page * per_page, total)
        take = end - (page - 1) * per_page
        if take > 0:
            stmt = order(base, True).offset(total - end).limit(take)
            reverse = True
    else:
        stmt = order(base, False).offset((page - 1) * per_page).limit(per_page + 1)
    rows = list(db.session.scalars(stmt.options(*options))) if stmt is not None else []
    if reverse:
        rows.reverse()
        has_next = True
    else:
        has_next = len(rows) > per_page
        rows = rows[:per_page]
    if total is not None:
        has_next = page * per_page < total
    return ListPage(rows, page, per_page, total, page > 1, has_next, list(keys or []))
