"""arena.ai leaderboard pages: the board rows as React Server Components ("flight") data.

What the page carries, learned from public scrapers of arena.ai (2025-2026), among them
timothytfchan/arena-monitor ``monitor.py`` and acarter881/LLM-Leaderboard
``leaderboard_parser.py``, and from flight bodies quoted in other monitors' tests:

- The HTML holds ``<script>self.__next_f.push([1,"…"])</script>`` chunks. Each string is a
  slice of one flight stream, cut anywhere (even inside a JSON string); joined in order they
  form rows ``<hex id>:<payload>\\n``. A payload is JSON, a tagged row (``I[…]`` module import,
  ``HL[…]`` hint, ``E{…}`` error) or a text row ``T<hex byte length>,<text>`` that may hold
  newlines. ``RSC: 1`` requests return the same stream bare (``text/x-component``).
- A board is an object, usually the ``leaderboard`` prop of a component row
  ``9:["$","$L16",null,{"slug":"text","leaderboard":{…}}]``::

      {"arenaSlug": "text", "leaderboardSlug": "overall" | "overall-no-style-control" | "coding",
       "params": {"category": "overall", "styleControl": true},
       "category": "$44:0:1",            # a flight reference, not a slug
       "id": "…", "entries": […], "voteCutoffISOString": "2026-02-11T…",
       "totalModels": 305, "totalVotes": 5271984}

  Older builds named the style variant ``leaderboardType`` (``default`` /
  ``remove-style-control``) and the category ``categorySlug``. The overview page lists several
  boards (text, webdev, vision …), so a board is chosen by its own keys, never by position.
- An entry: ``rank`` (plain position), ``rankUpper`` / ``rankLower`` (best / worst of the rank
  spread), ``modelKey``, ``modelDisplayName``, ``rating``, ``ratingUpper`` / ``ratingLower``
  (absolute 95% bounds), ``votes``, ``modelOrganization``, ``modelUrl``, ``license``,
  ``inputPricePerMillion``, ``outputPricePerMillion``, ``contextLength``, ``pricePerImage``,
  ``pricePerSecond``, ``releaseType``.
- No public scraper shows a preliminary key in the entries (one hard-codes ``false``); the
  rendered table marks those rows with a "Preliminary" badge in the score cell. An entry's
  boolean ``isPreliminary`` / ``preliminary`` is read when present, otherwise it stays unknown.
- Behind Cloudflare a fetch may return a challenge page (200, 403 or 503 alike). Normal pages
  also load ``/cdn-cgi/challenge-platform/scripts/jsd/main.js`` (bot detection), so that path
  alone does not make a challenge.

When the flight data holds no board at all, the rendered ``<table>`` is read by header text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, ClassVar

from leaderboard.boards import NO_STYLE_CONTROL_SUFFIX, BoardKey
from leaderboard.sources.base import (
    ChallengePage,
    FormatError,
    ParseResult,
    RankKind,
    RowData,
    SnapshotData,
)
from leaderboard.sources.text import parse_float, parse_int, safe_url

_PUSH = re.compile(r"self\.__next_f\.push\(")
_FLIGHT_BODY = re.compile(rb"\s*[0-9a-f]{0,16}:[A-Z\[{\"]")
_ROW_HEAD = re.compile(rb"([0-9a-f]{0,16}):")
_TEXT_ROW = re.compile(rb"T([0-9a-f]{1,16}),")
_REFERENCE = re.compile(r"\$@?([0-9a-f]{1,16})")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")

_CHALLENGE = re.compile(
    r"<title>\s*(?:just a moment\.\.\.|attention required! \| cloudflare)\s*</title>"
    r"|cf_chl_opt|cf-chl|challenge-platform/(?!scripts/jsd/)",
    re.IGNORECASE,
)
_CHALLENGE_BYTES = re.compile(
    rb"<title>\s*(?:just a moment\.\.\.|attention required! \| cloudflare)\s*</title>"
    rb"|cf_chl_opt|cf-chl|challenge-platform/(?!scripts/jsd/)",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Board:
    arena: str | None
    category: str | None
    style_control: bool | None
    entries: list[Any]
    published_on: dt.date | None

    @property
    def label(self) -> str:
        style = {True: " (style control on)", False: " (style control off)", None: ""}
        return f"{self.arena or '?'}/{self.category or '?'}{style[self.style_control]}"


def _slug(value: object) -> str | None:
    """A plain slug, or None for blanks and flight references (``$44:0:1``)."""
    if not isinstance(value, str):
        return None
    slug = "-".join(value.strip().lower().replace("_", " ").split())
    if not slug or slug.startswith("$"):
        return None
    return slug


def _json_error(what: str, error: Exception) -> FormatError:
    if isinstance(error, RecursionError):
        return FormatError(f"{what} is nested too deeply to read")
    return FormatError(f"{what} is not valid JSON ({error})")


def entry_row(entry: object, position: int) -> RowData:
    """One arena.ai ``entries`` object as a ``RowData``; raises ``FormatError`` when broken.

    ``position`` (1-based) only names the entry in the error message.
    """
    if not isinstance(entry, dict):
        raise FormatError(f"entry {position} is not an object")
    name = entry.get("modelDisplayName")
    if not isinstance(name, str) or not name.strip():
        raise FormatError(f"entry {position} has no modelDisplayName")
    name = " ".join(name.split())
    score = parse_float(entry.get("rating"))
    if score is None:
        raise FormatError(f"entry {position} ({name}) has no numeric rating")
    flags = (entry.get("isPreliminary"), entry.get("preliminary"))
    preliminary = next((flag for flag in flags if isinstance(flag, bool)), None)
    url = entry.get("modelUrl")
    return RowData(
        model=name,
        score=score,
        rating_lower=parse_float(entry.get("ratingLower")),
        rating_upper=parse_float(entry.get("ratingUpper")),
        votes=parse_int(entry.get("votes")),
        organization=_text(entry.get("modelOrganization")),
        license=_text(entry.get("license")),
        model_key=_text(entry.get("modelKey")),
        rank=parse_int(entry.get("rank")),
        rank_upper=parse_int(entry.get("rankUpper")),
        rank_lower=parse_int(entry.get("rankLower")),
        preliminary=preliminary,
        url=safe_url(url if isinstance(url, str) else None),
    )


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _flight_stream(page: str) -> str | None:
    """The joined ``self.__next_f.push([1, "…"])`` strings, or None when the page has none."""
    decoder = json.JSONDecoder()
    parts: list[str] = []
    found = False
    for match in _PUSH.finditer(page):
        found = True
        try:
            value, _ = decoder.raw_decode(page, match.end())
        except (ValueError, RecursionError) as error:
            raise _json_error("a self.__next_f.push chunk", error) from error
        # [0] bootstraps, [2] carries form state, [3] binary chunks: only [1, str] is flight.
        if isinstance(value, list) and len(value) == 2 and value[0] == 1:
            if not isinstance(value[1], str):
                raise FormatError("a self.__next_f.push([1, …]) chunk holds no string")
            parts.append(value[1])
    return "".join(parts) if found else None


def _flight_rows(stream: bytes) -> tuple[dict[str, Any], list[str]]:
    """JSON rows by id, and the ids of rows whose JSON is broken (a truncated stream)."""
    rows: dict[str, Any] = {}
    broken: list[str] = []
    pos, size = 0, len(stream)
    while pos < size:
        head = _ROW_HEAD.match(stream, pos)
        if head is None:
            newline = stream.find(b"\n", pos)
            if newline < 0:
                break
            pos = newline + 1
            continue
        row_id, pos = head.group(1).decode(), head.end()
        text = _TEXT_ROW.match(stream, pos)
        if text is not None:
            # Text rows are length-prefixed (UTF-8 bytes) and may contain newlines.
            pos = text.end() + int(text.group(1), 16)
            continue
        newline = stream.find(b"\n", pos)
        end = size if newline < 0 else newline
        payload = stream[pos:end]
        pos = end + 1
        if payload[:1] not in (b"[", b"{", b'"'):
            continue
        try:
            rows[row_id] = json.loads(payload)
        except (ValueError, RecursionError):
            broken.append(row_id)
    return rows, broken


def _resolve(value: object, rows: dict[str, Any]) -> object:
    """Follow a whole-row reference (``"$4a"``); other values come back unchanged."""
    if isinstance(value, str):
        match = _REFERENCE.fullmatch(value)
        if match is not None:
            return rows.get(match.group(1))
    return value


def _is_board(node: dict[str, Any], entries: object) -> bool:
    if not isinstance(entries, list):
        return False
    if any(isinstance(e, dict) and "modelDisplayName" in e for e in entries):
        return True
    # An identified board with no entries is still that board (and an error if requested).
    return not entries and "arenaSlug" in node


def _board(node: dict[str, Any], entries: list[Any], arena: str | None) -> _Board:
    raw_params = node.get("params")
    params: dict[str, Any] = raw_params if isinstance(raw_params, dict) else {}
    board_slug = _slug(node.get("leaderboardSlug"))
    category_value = node.get("category")
    if isinstance(category_value, dict):
        category_value = category_value.get("slug")
    category = (
        _slug(params.get("category"))
        or _slug(node.get("categorySlug"))
        or _slug(category_value)
        or (board_slug.removesuffix(NO_STYLE_CONTROL_SUFFIX) if board_slug else None)
    )
    style: bool | None = None
    if isinstance(params.get("styleControl"), bool):
        style = params["styleControl"]
    elif node.get("leaderboardType") in ("default", "remove-style-control"):
        style = node["leaderboardType"] == "default"
    elif board_slug is not None and board_slug.endswith(NO_STYLE_CONTROL_SUFFIX):
        style = False
    published_on = None
    cutoff = node.get("voteCutoffISOString")
    if isinstance(cutoff, str) and (match := _DATE.match(cutoff)):
        try:
            published_on = dt.date.fromisoformat(match.group(1))
        except ValueError as error:
            raise FormatError(f"voteCutoffISOString {cutoff!r} is not a date") from error
    return _Board(arena, category, style, entries, published_on)


def _boards(rows: dict[str, Any]) -> list[_Board]:
    """Every leaderboard object in the flight rows, in stream order."""
    boards: list[_Board] = []
    stack: list[tuple[object, str | None]] = [(row, None) for row in reversed(rows.values())]
    while stack:
        node, arena = stack.pop()
        if isinstance(node, list):
            stack.extend((item, arena) for item in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        arena = _slug(node.get("arenaSlug")) or arena
        entries = _resolve(node.get("entries"), rows)
        if isinstance(entries, list) and _is_board(node, entries):
            boards.append(_board(node, entries, arena))
            # Entries are rows, not boards: no need to walk into them.
            stack.extend(
                (value, arena) for key, value in reversed(node.items()) if key != "entries"
            )
            continue
        stack.extend((value, arena) for value in reversed(node.values()))
    return boards


def _select(boards: list[_Board], hint: BoardKey) -> _Board:
    """The one board the hint names; ``FormatError`` naming the boards found otherwise."""
    matching = [
        b
        for b in boards
        if b.arena == hint.arena
        and b.category == hint.category
        and b.style_control in (None, hint.style_control)
    ]
    exact = [b for b in matching if b.style_control == hint.style_control] or matching
    distinct: list[_Board] = []
    for board in exact:
        if not any(board.entries == seen.entries for seen in distinct):
            distinct.append(board)
    style = "on" if hint.style_control else "off"
    wanted = f"{hint.arena}/{hint.category} (style control {style})"
    if not distinct:
        found = ", ".join(dict.fromkeys(b.label for b in boards))
        raise FormatError(f"no board {wanted} on this page; boards found: {found}")
    if len(distinct) > 1:
        raise FormatError(f"{len(distinct)} different boards match {wanted}; cannot tell which")
    return distinct[0]


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
    return None


def _ci_bounds(score: float, text: str) -> tuple[float | None, float | None]:
    """``±w`` / ``w`` → symmetric, ``+a/-b`` → asymmetric absolute bounds."""
    asymmetric = re.search(r"\+\s*(\d+(?:\.\d+)?)\s*/\s*[-\u2212]\s*(\d+(?:\.\d+)?)", text)
    if asymmetric:
        return score - float(asymmetric.group(2)), score + float(asymmetric.group(1))
    width = parse_float(text.replace("±", " "))
    if width is None:
        return None, None
    width = abs(width)
    return score - width, score + width


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
        lower, upper = _ci_bounds(score, cells[columns["ci"]].text)
    best = worst = None
    if "spread" in columns:
        ranks = [int(n) for n in re.findall(r"\d+", cells[columns["spread"]].text)]
        if len(ranks) == 2:
            best, worst = min(ranks), max(ranks)
    rank_column = columns.get("rank", columns.get("rank_ub"))

    def cell_text(key: str) -> str:
        return cells[columns[key]].text if key in columns else ""

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
    )


def _table_snapshot(page: str) -> SnapshotData | None:
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


class ArenaPageAdapter:
    """An arena.ai leaderboard page (HTML with flight chunks) or its bare flight body."""

    name: ClassVar[str] = "arena-page"
    description: ClassVar[str] = (
        "arena.ai leaderboard page: board rows from the Next.js self.__next_f flight data "
        "(or a bare text/x-component body), rendered <table> as fallback"
    )

    def sniff(self, data: bytes) -> bool:
        """True for flight data with leaderboard entries, an arena.ai table or a CF challenge."""
        has_entries = b"modelDisplayName" in data or b"arenaSlug" in data
        if has_entries and (b"self.__next_f.push" in data or _FLIGHT_BODY.match(data)):
            return True
        if _CHALLENGE_BYTES.search(data[:200_000]):
            # Claimed so that a blocked fetch fails as ChallengePage, not as "unknown format".
            return True
        lowered = data.lower()
        return b"<table" in lowered and b"rank spread" in lowered and b"votes" in lowered

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """The board ``hint`` names, from the flight data or else the one rendered table.

        Raises ``ChallengePage`` for a Cloudflare challenge and ``FormatError`` when the page
        holds no leaderboard data or not the requested board (naming the boards it holds).
        """
        page = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        stream = _flight_stream(page)
        if stream is None and _FLIGHT_BODY.match(data):
            stream = page
        broken: list[str] = []
        if stream is not None:
            rows, broken = _flight_rows(stream.encode("utf-8", errors="replace"))
            boards = _boards(rows)
            if boards:
                board = _select(boards, hint)
                if not board.entries:
                    raise FormatError(f"board {board.label} has no entries")
                snapshot = SnapshotData(
                    rows=[entry_row(e, n) for n, e in enumerate(board.entries, start=1)],
                    arena=board.arena,
                    category=board.category,
                    style_control=board.style_control,
                    published_on=board.published_on,
                    rank_kind="position",
                )
                return ParseResult(format=self.name, snapshots=[snapshot])
        table = _table_snapshot(page) if "<table" in page.lower() else None
        if table is not None:
            return ParseResult(format=self.name, snapshots=[table])
        if _CHALLENGE.search(page):
            raise ChallengePage("Cloudflare challenge page instead of the leaderboard")
        if broken:
            raise FormatError(f"flight row {broken[0]} is not valid JSON (truncated payload?)")
        raise FormatError(
            "no leaderboard data: no board in the flight data and no leaderboard table"
        )
