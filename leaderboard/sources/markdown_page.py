"""The daily markdown leaderboard page ("LLM Arena 排行榜 (实时更新)", CherryHQ/cherry-studio-docs).

One adapter for every layout the page has had (2025-01 → 2026-08): columns are found by header
text in Chinese or English, never by position. Quirks it undoes:

- logo alt text glued to the model (``Anthropicclaude-…``) and, since 2026-02, ``org · license``
  glued to its end (see ``names.py``);
- ``Preliminary`` glued into the score (``1483Preliminary``, ``1451±7Preliminary``);
- confidence intervals as ``±11``, ``+4/-5``, ``(±5)`` and ``(++9/-9)``;
- rank spreads as ``1◄─►2``, ``1-6`` and, in 2026, with the separator lost (``1121`` = 11◄─►21),
  split so that upper ≤ rank ≤ lower and closest to the spread the intervals imply;
- Price (``$5/$25``, input / output $ per million tokens) and Context (``1M``, ``128K``)
  columns since 2026-03, ``N/A`` where upstream knows none;
- the 2026-08 pages, one board per page (text, text-to-image, code/webdev, agent), whose board is
  read from the page's arena.ai link or heading.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

from leaderboard.boards import BoardKey
from leaderboard.ranking import rank_spread

from .base import FormatError, Metric, ParseResult, RankKind, RowData, SnapshotData
from .names import parse_model_cell
from .spreads import split_glued_spread
from .text import (
    interval_bounds,
    parse_float,
    parse_int,
    parse_price_pair,
    parse_token_count,
    safe_url,
    strip_html,
)

_SEPARATOR_CELL = re.compile(r":?-{3,}:?")
_UPDATE_TIME = re.compile(
    r"(?:数据更新时间|排名更新时间|更新时间|Data Update Time|Last Updated?)\W*"
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*UTC)?",
    re.IGNORECASE,
)
_ARENA_LINK = re.compile(r"https?://(?:www\.)?arena\.ai/leaderboard/([a-z0-9][a-z0-9/-]*)")
_LEGACY_ARENA = re.compile(r"LLM Arena|Chatbot Arena|lmarena\.ai", re.IGNORECASE)
_HEADING_ARENAS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"文生图|text[- ]to[- ]image", re.IGNORECASE), "text-to-image"),
    (re.compile(r"Web ?开发|webdev|web dev", re.IGNORECASE), "webdev"),
    (re.compile(r"智能体|\bagent\b", re.IGNORECASE), "agent"),
    (re.compile(r"视觉|vision", re.IGNORECASE), "vision"),
    (re.compile(r"文本|\btext\b", re.IGNORECASE), "text"),
)
# arena.ai nests some boards under a group ("code/webdev"): the board is the arena.
_ARENA_PATHS = {"code/webdev": ("webdev", "overall")}
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

_SCORE = re.compile(r"\s*([-+]?\d[\d,]*(?:\.\d+)?)\s*%?(.*)", re.DOTALL)
_PRELIMINARY = re.compile(r"preliminary|初步", re.IGNORECASE)
_SPREAD = re.compile(r"(\d{1,9})\s*(?:◄─►|◄►|<->|-|\u2013|\u2014|~|至)\s*(\d{1,9})")

_RANK_UB = {"排名(ub)", "rank(ub)"}
_RANK = {"排名", "rank"}
_SPREAD_HEADERS = {"排名区间", "rankspread", "rankspread(upper-lower)"}
_MODEL = {"模型", "模型名", "模型名称", "model"}
_SCORE_HEADERS = {"分数", "score", "arenascore"}
_AGENT_SCORE = {"净改进率", "netimprovement", "netimprovementrate"}
_CI = {"置信区间", "95%置信区间(±)", "95%置信区间", "95%confidenceinterval(±)", "95%ci"}
_VOTES = {"票数", "votes", "会话数", "sessions"}
_ORGANIZATION = {"组织/公司", "服务商", "组织", "organization/company", "organization"}
_LICENSE = {"许可证", "许可协议", "license"}
# "Price $/M" and "价格 $/百万Token" (a unit follows the word); "Context", "上下文".
_PRICE_PREFIXES = ("price", "价格")
_CONTEXT = {"context", "上下文", "contextwindow", "contextlength", "上下文长度"}


@dataclass(slots=True)
class _Table:
    line: int
    headers: list[str]
    right_aligned: list[bool]
    rows: list[list[str]] = field(default_factory=list)


@dataclass(slots=True)
class _Score:
    value: float
    lower: float | None
    upper: float | None
    preliminary: bool


class MarkdownPageAdapter:
    """The cherry-studio-docs daily markdown leaderboard, every layout since 2025-01."""

    name: ClassVar[str] = "markdown"
    description: ClassVar[str] = (
        "Daily markdown leaderboard page (cherry-studio-docs 'LLM Arena 排行榜'), all layouts"
    )

    def sniff(self, data: bytes) -> bool:
        """True when the text holds a markdown table with Model and Score-like columns."""
        try:
            text = data[:262_144].decode("utf-8", errors="ignore")
            return any(
                _columns(table.headers).keys() >= {"model", "score"} for table in _tables(text)
            )
        except Exception:
            return False

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """One snapshot per leaderboard table; raises ``FormatError`` for anything unreadable."""
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FormatError(f"markdown page is not UTF-8 text ({error.reason})") from None
        lines = text.splitlines()
        boards = [t for t in _tables(text) if _columns(t.headers).keys() >= {"model", "score"}]
        if not boards:
            raise FormatError("no markdown table with a Model and a Score column")
        result = ParseResult(format=self.name)
        for table in boards:
            section = _section(lines, table.line)
            generated_at, published_on = _update_time(section) or _update_time(text) or (None, None)
            if result.generated_at is None:
                result.generated_at = generated_at
            snapshot = _snapshot(table, result.warnings)
            snapshot.published_on, snapshot.updated_at = published_on, generated_at
            snapshot.arena, snapshot.category = _board(section)
            result.snapshots.append(snapshot)
        return result


def _tables(text: str) -> Iterator[_Table]:
    """Every pipe table: a header row, a separator row, then the rows up to the first non-row."""
    lines = text.splitlines()
    index = 0
    while index < len(lines) - 1:
        header, separator = lines[index].strip(), lines[index + 1].strip()
        if not (header.startswith("|") and separator.startswith("|")):
            index += 1
            continue
        aligns = _cells(separator)
        if not aligns or not all(_SEPARATOR_CELL.fullmatch(a.replace(" ", "")) for a in aligns):
            index += 1
            continue
        table = _Table(
            line=index,
            headers=[strip_html(h) for h in _cells(header)],
            right_aligned=[a.replace(" ", "").endswith(":") for a in aligns],
        )
        index += 2
        while index < len(lines) and lines[index].strip().startswith("|"):
            table.rows.append(_cells(lines[index].strip()))
            index += 1
        yield table


def _cells(line: str) -> list[str]:
    """Split a pipe-table row on unescaped pipes."""
    inner = line[1:] if line.startswith("|") else line
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return [cell.replace("\\|", "|").strip() for cell in re.split(r"(?<!\\)\|", inner)]


def _header_key(header: str) -> str:
    return re.sub(r"[\s*_`]", "", header).lower()


def _columns(headers: Sequence[str]) -> dict[str, int]:
    """Map the columns this adapter reads (``model``, ``score``, ``rank_ub`` …) to their index."""
    kinds = (
        ("rank_ub", _RANK_UB),
        ("rank", _RANK),
        ("spread", _SPREAD_HEADERS),
        ("model", _MODEL),
        ("score", _SCORE_HEADERS),
        ("ci", _CI),
        ("votes", _VOTES),
        ("organization", _ORGANIZATION),
        ("license", _LICENSE),
    )
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = _header_key(header)
        for kind, names in kinds:
            if key in names and kind not in found:
                found[kind] = index
        if key.startswith(_PRICE_PREFIXES) and "price" not in found:
            found["price"] = index
        if key in _CONTEXT and "context" not in found:
            found["context"] = index
    if "score" not in found:
        for index, header in enumerate(headers):
            if _header_key(header) in _AGENT_SCORE:
                found["score"] = index
                found["agent"] = index
                break
    return found


def _snapshot(table: _Table, warnings: list[str]) -> SnapshotData:
    columns = _columns(table.headers)
    if not table.rows:
        raise FormatError(f"leaderboard table at line {table.line + 1} has no rows")
    rank_column = columns.get("rank_ub", columns.get("rank"))
    rank_kind: RankKind | None = (
        "ub" if "rank_ub" in columns else "position" if "rank" in columns else None
    )
    score_column = columns["score"]
    # The agent board's metric columns are text for their "%±" form, not for a marker.
    preliminary_possible = "agent" not in columns and _score_column_is_text(
        table, score_column, rank_column
    )
    parsed: list[tuple[RowData, str]] = []
    for number, cells in enumerate(table.rows, start=1):
        if len(cells) != len(table.headers):
            raise FormatError(
                f"row {number} of the table at line {table.line + 1} has {len(cells)} cells, "
                f"the header has {len(table.headers)}"
            )
        parsed.append(_row(cells, columns, number))
    rows = [row for row, _ in parsed]
    if any(row.preliminary for row in rows):
        preliminary_possible = True
    rows = [_with_preliminary(row, preliminary_possible) for row in rows]
    rows = _resolve_spreads(rows, [spread for _, spread in parsed], warnings)
    metric: Metric = "score" if "agent" in columns else "elo"
    return SnapshotData(rows=rows, rank_kind=rank_kind, metric=metric)


def _score_column_is_text(table: _Table, score: int, rank: int | None) -> bool:
    """True when the generator typed the score column as text next to a numeric rank column.

    tabulate right-aligns numeric columns; a left-aligned score column beside a right-aligned
    rank means the layout writes markers (``Preliminary``) into the score.
    """
    return rank is not None and table.right_aligned[rank] and not table.right_aligned[score]


def _with_preliminary(row: RowData, possible: bool) -> RowData:
    if row.preliminary:
        return row
    return replace(row, preliminary=False if possible else None)


def _row(cells: list[str], columns: dict[str, int], number: int) -> tuple[RowData, str]:
    """One row, and its raw spread cell (resolved once the whole table is known)."""
    organization = strip_html(cells[columns["organization"]]) if "organization" in columns else ""
    license_ = strip_html(cells[columns["license"]]) if "license" in columns else ""
    model_cell = cells[columns["model"]]
    model = parse_model_cell(model_cell, organization)
    if not model.name:
        raise FormatError(f"row {number}: the model cell is empty")
    score = _parse_score(cells[columns["score"]], number)
    if "ci" in columns:
        lower, upper = _parse_interval(cells[columns["ci"]], score.value, number)
        score.lower = lower if lower is not None else score.lower
        score.upper = upper if upper is not None else score.upper
    rank: int | None = None
    if "rank_ub" in columns or "rank" in columns:
        rank_cell = strip_html(cells[columns.get("rank_ub", columns.get("rank", 0))])
        rank = parse_int(rank_cell) if re.fullmatch(r"\d[\d,]*", rank_cell) else None
        if rank is None:
            raise FormatError(f"row {number}: rank {rank_cell!r} is not a whole number")
    votes = parse_int(strip_html(cells[columns["votes"]])) if "votes" in columns else None
    price_input, price_output = (
        parse_price_pair(cells[columns["price"]]) if "price" in columns else (None, None)
    )
    context = parse_token_count(cells[columns["context"]]) if "context" in columns else None
    row = RowData(
        model=model.name,
        score=score.value,
        rating_lower=score.lower,
        rating_upper=score.upper,
        votes=votes,
        organization=organization or model.organization,
        license=license_ or model.license,
        rank=rank,
        preliminary=True if score.preliminary else None,
        url=safe_url(model.link),
        raw_model=model.raw,
        name_uncertain=model.uncertain,
        price_input=price_input,
        price_output=price_output,
        context_tokens=context,
    )
    spread = strip_html(cells[columns["spread"]]) if "spread" in columns else ""
    return row, spread


def _parse_score(cell: str, number: int) -> _Score:
    """``1483Preliminary``, ``1504±10``, ``1669 (++13/-13) Preliminary``, ``12.47%±1.54%``."""
    text = strip_html(cell)
    match = _SCORE.fullmatch(text)
    if not match:
        raise FormatError(f"row {number}: score {text!r} is not a number")
    value = _finite(match.group(1), number)
    rest = match.group(2)
    preliminary = bool(_PRELIMINARY.search(rest))
    lower, upper = _parse_interval(_PRELIMINARY.sub("", rest), value, number)
    return _Score(value=value, lower=lower, upper=upper, preliminary=preliminary)


def _parse_interval(text: str, score: float, number: int) -> tuple[float | None, float | None]:
    """Absolute bounds from ``±w`` / ``+a/-b`` (optionally in parentheses); Nones when absent."""
    try:
        return interval_bounds(score, strip_html(text), dialect="markdown")
    except ValueError as error:
        raise FormatError(f"row {number}: {error}") from None


def _finite(text: str, number: int) -> float:
    value = parse_float(text)
    if value is None:
        raise FormatError(f"row {number}: {text[:40]!r} is not a finite number")
    return value


def _resolve_spreads(rows: list[RowData], spreads: list[str], warnings: list[str]) -> list[RowData]:
    """Attach rank spreads; split separator-less ones (``1121``) consistently with the rank."""
    bounds = [(r.rating_lower, r.rating_upper) for r in rows]
    implied: list[tuple[int, int]] | None = None
    if all(lo is not None and up is not None for lo, up in bounds):
        implied = rank_spread([(float(lo or 0), float(up or 0)) for lo, up in bounds])
    resolved: list[RowData] = []
    for index, (row, spread) in enumerate(zip(rows, spreads, strict=True)):
        if not spread:
            resolved.append(row)
            continue
        match = _SPREAD.fullmatch(spread)
        if match:
            upper, lower = int(match.group(1)), int(match.group(2))
            resolved.append(replace(row, rank_upper=upper, rank_lower=lower))
            continue
        split = split_glued_spread(
            spread.replace(",", ""), rank=row.rank, implied=implied[index] if implied else None
        )
        if split is None:
            warnings.append(f"{row.model}: rank spread {spread!r} could not be read; left empty")
            resolved.append(row)
            continue
        resolved.append(replace(row, rank_upper=split[0], rank_lower=split[1]))
    return resolved


def _section(lines: list[str], table_line: int) -> str:
    """The page section holding a table: from the level-1 heading above it to the next one."""
    start = table_line
    while start > 0 and not lines[start].startswith("# "):
        start -= 1
    end = table_line + 1
    while end < len(lines) and not lines[end].startswith("# "):
        end += 1
    return "\n".join(lines[start:end])


def _update_time(text: str) -> tuple[dt.datetime | None, dt.date] | None:
    """The page's "data update time": (aware UTC datetime or None, date); None when absent."""
    for match in _UPDATE_TIME.finditer(text):
        year, month, day, hour, minute, second = match.groups()
        try:
            date = dt.date(int(year), int(month), int(day))
            if hour is None:
                return None, date
            moment = dt.datetime(
                date.year,
                date.month,
                date.day,
                int(hour),
                int(minute),
                int(second or 0),
                tzinfo=dt.UTC,
            )
        except ValueError:
            continue
        return moment, date
    return None


def _board(section: str) -> tuple[str | None, str | None]:
    """Arena and category from the section's arena.ai link, else its wording; Nones if silent."""
    prose = "\n".join(line for line in section.splitlines() if not line.lstrip().startswith("|"))
    link = _ARENA_LINK.search(prose)
    if link:
        path = link.group(1).strip("/")
        if path in _ARENA_PATHS:
            return _ARENA_PATHS[path]
        parts = [part for part in path.split("/") if _SLUG.fullmatch(part)]
        if parts:
            return parts[0], parts[1] if len(parts) > 1 else "overall"
    headings = "\n".join(line for line in prose.splitlines() if line.startswith("#"))
    for pattern, arena in _HEADING_ARENAS:
        if pattern.search(headings):
            return arena, "overall"
    if _LEGACY_ARENA.search(prose):
        # The lmarena.ai-era page only ever showed the default text board.
        return "text", "overall"
    return None, None
