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
from dataclasses import dataclass
from typing import Any, ClassVar

from leaderboard.boards import NO_STYLE_CONTROL_SUFFIX, BoardKey
from leaderboard.sources.arena_rows import entry_row
from leaderboard.sources.arena_table import table_snapshot
from leaderboard.sources.base import (
    ChallengePage,
    FormatError,
    ParseResult,
    SnapshotData,
)
from leaderboard.sources.text import slug
from leaderboard.upstream import is_challenge_body

_PUSH = re.compile(r"self\.__next_f\.push\(")
_FLIGHT_BODY = re.compile(rb"\s*[0-9a-f]{0,16}:[A-Z\[{\"]")
_ROW_HEAD = re.compile(rb"([0-9a-f]{0,16}):")
_TEXT_ROW = re.compile(rb"T([0-9a-f]{1,16}),")
_REFERENCE = re.compile(r"\$@?([0-9a-f]{1,16})")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


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
    if not isinstance(value, str) or value.lstrip().startswith("$"):
        return None
    return slug(value) or None


def _json_error(what: str, error: Exception) -> FormatError:
    if isinstance(error, RecursionError):
        return FormatError(f"{what} is nested too deeply to read")
    return FormatError(f"{what} is not valid JSON ({error})")


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
        if is_challenge_body(data):
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
        table = table_snapshot(page) if "<table" in page.lower() else None
        if table is not None:
            return ParseResult(format=self.name, snapshots=[table])
        if is_challenge_body(data):
            raise ChallengePage("Cloudflare challenge page instead of the leaderboard")
        if broken:
            raise FormatError(f"flight row {broken[0]} is not valid JSON (truncated payload?)")
        raise FormatError(
            "no leaderboard data: no board in the flight data and no leaderboard table"
        )
