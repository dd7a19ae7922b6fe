"""The leaderboard ``<table>`` arena.ai renders, read by header text.

The fallback of ``arena_page`` when a page's flight data holds no board: columns are found by
their header (``Rank (UB)``, ``Rank Spread``, ``Model``, ``Score``, ``95% CI``, ``Votes`` …),
never by position; logos (``img`` alt text, inline ``svg``) stay out of the cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import ClassVar

from leaderboard.sources.base import FormatError, RankKind, RowData, SnapshotData
from leaderboard.sources.spreads import two_ranks
from leaderboard.sources.text import (
    interval_bounds,
    parse_float,
    parse_int,
    parse_price_pair,
    parse_token_count,
    safe_url,
)


@dataclass(slots=True)
class _Cell:
    texts: list[str] = field(default_factory=list)
    link_texts: list[str] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())

    @property
    def link_text(self) -> str:
        return " ".join(" ".join(self.link_texts).split())


class _Tables(HTMLParser):
    """Collects every ``<table>`` as rows of cells; logos (img alt, inline svg) stay out."""

    _SKIP: ClassVar[frozenset[str]] = frozenset({"script", "style", "svg", "noscript", "template"})
    _BREAKS: ClassVar[frozenset[str]] = frozenset({"br", "p", "div", "span", "li"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[_Cell]]] = []
        self._open: list[list[list[_Cell]]] = []
        self._row: list[_Cell] | None = None
        self._cell: _Cell | None = None
        self._skip: list[str] = []
        self._anchor = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.append(tag)
            return
        if tag in self._SKIP:
            self._skip.append(tag)
        elif tag == "table":
            self._close_row()
            self._open.append([])
        elif tag == "tr" and self._open:
            self._close_row()
            self._row = []
        elif tag in ("td", "th") and self._open:
            self._close_cell()
            if self._row is None:
                self._row = []
            self._cell = _Cell()
        elif tag == "a" and self._cell is not None:
            self._anchor += 1
            href = dict(attrs).get("href")
            if href:
                self._cell.hrefs.append(href)
        elif tag in self._BREAKS and self._cell is not None:
            self._cell.texts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            return
        if tag in ("td", "th"):
            self._close_cell()
        elif tag == "tr":
            self._close_row()
        elif tag == "table" and self._open:
            self._close_row()
            table = self._open.pop()
            if table:
                self.tables.append(table)
        elif tag == "a" and self._anchor:
            self._anchor -= 1
        elif tag in self._BREAKS and self._cell is not None:
            self._cell.texts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip or self._cell is None:
            return
        self._cell.texts.append(data)
        if self._anchor:
            self._cell.link_texts.append(data)

    def _close_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(self._cell)
        self._cell = None
        self._anchor = 0

    def _close_row(self) -> None:
        self._close_cell()
        if self._row is not None and self._open:
            self._open[-1].append(self._row)
        self._row = None


def _column(header: str) -> str | None:
    """The column a header names (``Rank``, ``Rank Spread``, ``95% CI`` …), or None."""
    words = re.sub(r"[^a-z0-9%]+", " ", header.lower()).split()
    text = " ".join(words)
    if not words:
        return None
    if text.startswith("rank spread"):
        return "spread"
    if words[0] == "rank":
        return "rank_ub" if "ub" in words else "rank"
    if words[0] == "model":
        return "model"
    if "ci" in words or "confidence" in words:
        return "ci"
    if "score" in words or text in ("arena elo", "elo", "rating"):
        return "score"
    if words[0] == "votes":
        return "votes"
    if words[0] in ("organization", "organisation", "org"):
        return "organization"
    if words[0] == "license":
        return "license"
    if words[0] == "price":
        return "price"
    if words[0] == "context":
        return "context"
    return None


def _table_row(cells: list[_Cell], columns: dict[str, int], position: int) -> RowData:
    if len(cells) <= max(columns.values()):
        raise FormatError(f"table row {position} has {len(cells)} cells, fewer than the header")
    model_cell = cells[columns["model"]]
    name = model_cell.link_text or model_cell.text
    if not name:
        raise FormatError(f"table row {position} has an empty Model cell")
    score_text = cells[columns["score"]].text
    preliminary = "preliminary" in score_text.lower()
    score = parse_float(re.sub(r"(?i)preliminary", " ", score_text))
    if score is None:
        raise FormatError(f"table row {position} ({name}) has no number in its Score cell")
    lower = upper = None
    if "ci" in columns:
        lower, upper = interval_bounds(score, cells[columns["ci"]].text, dialect="table")
    best = worst = None
    if "spread" in columns:
        best, worst = two_ranks(cells[columns["spread"]].text) or (None, None)
    rank_column = columns.get("rank", columns.get("rank_ub"))

    def cell_text(key: str) -> str:
        return cells[columns[key]].text if key in columns else ""

    price_input, price_output = parse_price_pair(cell_text("price"))
    return RowData(
        model=name,
        score=score,
        rating_lower=lower,
        rating_upper=upper,
        votes=parse_int(cell_text("votes")),
        organization=cell_text("organization"),
        license=cell_text("license"),
        rank=parse_int(cells[rank_column].text) if rank_column is not None else None,
        rank_upper=best,
        rank_lower=worst,
        preliminary=preliminary,
        url=next((u for u in map(safe_url, model_cell.hrefs) if u), ""),
        raw_model=model_cell.text if model_cell.text != name else "",
        price_input=price_input,
        price_output=price_output,
        context_tokens=parse_token_count(cell_text("context")),
    )


def table_snapshot(page: str) -> SnapshotData | None:
    """The page's one rendered leaderboard table, None when it has none."""
    collector = _Tables()
    try:
        collector.feed(page)
        collector.close()
    except (AssertionError, ValueError) as error:
        raise FormatError(f"the HTML cannot be read ({error})") from error
    found: list[tuple[dict[str, int], list[list[_Cell]]]] = []
    for table in collector.tables:
        columns: dict[str, int] = {}
        for index, cell in enumerate(table[0]):
            name = _column(cell.text)
            if name is not None and name not in columns:
                columns[name] = index
        if "model" in columns and "score" in columns and len(table) > 1:
            found.append((columns, table[1:]))
    if not found:
        return None
    if len(found) > 1:
        raise FormatError(f"{len(found)} leaderboard tables and no board data to tell them apart")
    columns, body = found[0]
    rows = [_table_row(cells, columns, n) for n, cells in enumerate(body, start=1) if cells]
    if not rows:
        return None
    rank_kind: RankKind = "ub" if "rank_ub" in columns else "position"
    return SnapshotData(rows=rows, rank_kind=rank_kind)
