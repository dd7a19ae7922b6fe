"""JSON scrapes of the arena.ai leaderboard kept by third-party monitors.

- ``rsc-entries``: timothytfchan/arena-monitor's ``last_snapshot.json``, a JSON array of the
  page's flight ``entries`` cut to ten keys and the top 50 rows of
  ``/leaderboard/text/overall-no-style-control``. The file names no board: the caller's hint
  does.
- ``scraped-snapshot``: acarter881/LLM-Leaderboard's ``data/snapshots/*.json.gz``, gzip JSON
  parsed from the rendered table (``rank``, ``rank_spread_raw`` "1 2", ``model_url`` with
  ``&amp;`` left in, ``model_name``, ``organization`` with the logo text in front of the name
  ("Azure  Microsoft"), ``license``, ``score`` and ``ci`` rounded to integers,
  ``is_preliminary``, ``votes``) with the page's date stamp ``leaderboard_date`` ("Feb 11, 2026").
- ``scraped-timeseries``: the same repository's ``data/timeseries/top20.jsonl``, one line per
  scrape: ``{"ts", "date", "models": [{rank, name, score, ci, votes}]}``, top 20 only.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import zlib
from typing import Any, ClassVar

from leaderboard.boards import BoardKey
from leaderboard.sources.arena_rows import entry_row
from leaderboard.sources.base import FormatError, ParseResult, RowData, SnapshotData
from leaderboard.sources.names import rejoin_split_organization
from leaderboard.sources.spreads import two_ranks
from leaderboard.sources.text import parse_float, parse_int, safe_url

_GZIP_MAGIC = b"\x1f\x8b"
_MAX_JSON_BYTES = 64 * 1024 * 1024
_SNIFF_BYTES = 256 * 1024
_MONTHS = {
    m: n
    for n, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_ENGLISH_DATE = re.compile(r"([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{1,2}),?\s+(\d{4})")


def _load_json(text: bytes | str, what: str) -> Any:
    """``json.loads`` that only raises ``FormatError``."""
    try:
        return json.loads(text)
    except RecursionError as error:
        raise FormatError(f"{what} is nested too deeply to read") from error
    except ValueError as error:  # includes UnicodeDecodeError
        raise FormatError(f"{what} is not valid JSON ({error})") from error


def _gunzip(data: bytes, limit: int) -> bytes:
    """Decompress a whole gzip member of at most ``limit`` bytes; ``FormatError`` otherwise."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, limit)
    except zlib.error as error:
        raise FormatError(f"broken gzip data ({error})") from error
    if inflater.unconsumed_tail:
        raise FormatError(f"gzip payload inflates past {limit} bytes")
    if not inflater.eof:
        raise FormatError("truncated gzip data")
    return out


def _sniff_prefix(data: bytes) -> bytes:
    """The first bytes of the (maybe gzip) payload, for cheap marker checks. Never raises."""
    if not data.startswith(_GZIP_MAGIC):
        return data[:_SNIFF_BYTES]
    try:
        return zlib.decompressobj(wbits=31).decompress(data[:_SNIFF_BYTES], _SNIFF_BYTES)
    except zlib.error:
        return b""


def _english_date(value: object, what: str) -> dt.date | None:
    """``"Feb 11, 2026"`` → date; None when absent; ``FormatError`` when unreadable."""
    if value is None or value == "":
        return None
    match = _ENGLISH_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    month = _MONTHS.get(match.group(1).lower()) if match else None
    if match is None or month is None:
        raise FormatError(f"{what} {value!r} is not a date like 'Feb 11, 2026'")
    try:
        return dt.date(int(match.group(3)), month, int(match.group(2)))
    except ValueError as error:
        raise FormatError(f"{what} {value!r} is not a real date") from error


def _utc(value: object, what: str) -> dt.datetime | None:
    """ISO 8601 timestamp → aware UTC datetime; naive times are taken as UTC."""
    if value is None or value == "":
        return None
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise FormatError(f"{what} {value!r} is not an ISO 8601 timestamp")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _clean_organization(value: object) -> str:
    """``"Azure  Microsoft"`` → ``"Microsoft"``: the logo's text precedes the visible name."""
    if not isinstance(value, str):
        return ""
    parts = [part for part in re.split(r"\s{2,}", value.strip()) if part]
    return parts[-1] if parts else ""


def _scraped_row(model: object, position: int, name_key: str) -> RowData:
    """One acarter881 model object; ``FormatError`` when the name or score is missing."""
    if not isinstance(model, dict):
        raise FormatError(f"model {position} is not an object")
    name = model.get(name_key)
    if not isinstance(name, str) or not name.strip():
        raise FormatError(f"model {position} has no {name_key}")
    name = " ".join(name.split())
    score = parse_float(model.get("score"))
    if score is None:
        raise FormatError(f"model {position} ({name}) has no numeric score")
    ci = parse_float(model.get("ci"))
    spread = model.get("rank_spread_raw")
    # Older scrapes glued the two ranks together ("1634"): unsplittable, so left unknown.
    best, worst = (two_ranks(spread) if isinstance(spread, str) else None) or (None, None)
    url = model.get("model_url")
    preliminary = model.get("is_preliminary")
    license_ = " ".join(model["license"].split()) if isinstance(model.get("license"), str) else ""
    organization, license_ = rejoin_split_organization(
        _clean_organization(model.get("organization")), license_
    )
    return RowData(
        model=name,
        score=score,
        rating_lower=score - abs(ci) if ci is not None else None,
        rating_upper=score + abs(ci) if ci is not None else None,
        votes=parse_int(model.get("votes")),
        organization=organization,
        license=license_,
        rank=parse_int(model.get("rank")),
        rank_upper=best,
        rank_lower=worst,
        preliminary=preliminary if isinstance(preliminary, bool) else None,
        url=safe_url(html.unescape(url)) if isinstance(url, str) else "",
    )


def _models(container: dict[str, Any], what: str) -> list[Any]:
    models = container.get("models")
    if not isinstance(models, list):
        raise FormatError(f"{what} has no 'models' list")
    if not models:
        raise FormatError(f"{what} lists no models")
    return models


class RscEntriesAdapter:
    """arena-monitor's JSON array of normalized arena.ai flight entries (top 50)."""

    name: ClassVar[str] = "rsc-entries"
    description: ClassVar[str] = (
        "JSON array of arena.ai flight entries (rank, modelDisplayName, rating, votes, "
        "rankUpper/rankLower, ratingUpper/ratingLower …) as kept by arena-monitor"
    )

    def sniff(self, data: bytes) -> bool:
        """True for a JSON array whose objects carry ``modelDisplayName`` and ``rating``."""
        head = data[:_SNIFF_BYTES].lstrip()
        return head.startswith(b"[") and b'"modelDisplayName"' in head and b'"rating"' in head

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """One snapshot of the listed entries; the board comes from ``hint`` (not in the file).

        Raises ``FormatError`` for anything but a non-empty array of valid entries.
        """
        entries = _load_json(data, "the entries file")
        if not isinstance(entries, list):
            raise FormatError("the entries file is not a JSON array")
        if not entries:
            raise FormatError("the entries file lists no entries")
        rows = [entry_row(entry, n) for n, entry in enumerate(entries, start=1)]
        return ParseResult(
            format=self.name,
            snapshots=[SnapshotData(rows=rows, rank_kind="position")],
            warnings=[f"top-{len(rows)} excerpt: arena-monitor keeps only the head of the board"],
        )


class ScrapedSnapshotAdapter:
    """acarter881's gzip JSON snapshot of the rendered arena.ai table."""

    name: ClassVar[str] = "scraped-snapshot"
    description: ClassVar[str] = (
        "gzip JSON snapshot of the arena.ai table (timestamp, leaderboard_date, models with "
        "rank_spread_raw, score, ci, is_preliminary …) as kept by acarter881/LLM-Leaderboard"
    )

    def sniff(self, data: bytes) -> bool:
        """True for (gzip) JSON with ``leaderboard_date`` and ``models`` keys."""
        head = _sniff_prefix(data).lstrip()
        return head.startswith(b"{") and b'"leaderboard_date"' in head and b'"models"' in head

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """One snapshot dated by the page's date stamp; gunzips when the bytes are gzip.

        Raises ``FormatError`` for broken gzip/JSON, a missing or empty ``models`` list or a
        model without name or score.
        """
        if data.startswith(_GZIP_MAGIC):
            data = _gunzip(data, _MAX_JSON_BYTES)
        payload = _load_json(data, "the snapshot")
        if not isinstance(payload, dict):
            raise FormatError("the snapshot is not a JSON object")
        models = _models(payload, "the snapshot")
        rows = [_scraped_row(model, n, "model_name") for n, model in enumerate(models, start=1)]
        warnings = []
        declared = payload.get("total_models")
        if isinstance(declared, int) and declared != len(rows):
            warnings.append(f"total_models says {declared} but {len(rows)} models are listed")
        snapshot = SnapshotData(
            rows=rows,
            published_on=_english_date(payload.get("leaderboard_date"), "leaderboard_date"),
            rank_kind="position",
        )
        return ParseResult(
            format=self.name,
            snapshots=[snapshot],
            generated_at=_utc(payload.get("timestamp"), "timestamp"),
            warnings=warnings,
        )


class ScrapedTimeseriesAdapter:
    """acarter881's JSONL time series: one top-20 snapshot per scrape."""

    name: ClassVar[str] = "scraped-timeseries"
    description: ClassVar[str] = (
        "JSON Lines, one arena.ai top-20 scrape per line (ts, date, models with rank, name, "
        "score, ci, votes) as kept by acarter881/LLM-Leaderboard"
    )

    def sniff(self, data: bytes) -> bool:
        """True when the first line is a JSON object with ``ts``, ``date`` and ``models``."""
        first = data.lstrip()[:_SNIFF_BYTES].split(b"\n", 1)[0]
        if not first.startswith(b"{"):
            return False
        try:
            line = json.loads(first)
        except (ValueError, RecursionError):
            return False
        return isinstance(line, dict) and {"ts", "date", "models"} <= line.keys()

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """One snapshot per board date, the latest scrape winning when a date repeats.

        Raises ``FormatError`` for a line that is not a scrape object or holds no models.
        """
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FormatError(f"the time series is not UTF-8 ({error})") from error
        by_date: dict[dt.date | int, tuple[dt.datetime | None, SnapshotData, int]] = {}
        warnings = ["top-20 excerpt: each line keeps only the head of the board"]
        latest: dt.datetime | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            what = f"line {number}"
            scrape = _load_json(line, what)
            if not isinstance(scrape, dict):
                raise FormatError(f"{what} is not a JSON object")
            rows = [
                _scraped_row(model, n, "name")
                for n, model in enumerate(_models(scrape, what), start=1)
            ]
            published_on = _english_date(scrape.get("date"), f"{what} date")
            taken_at = _utc(scrape.get("ts"), f"{what} ts")
            if taken_at is not None and (latest is None or taken_at > latest):
                latest = taken_at
            snapshot = SnapshotData(
                rows=rows, published_on=published_on, rank_kind="position", updated_at=taken_at
            )
            key: dt.date | int = published_on if published_on is not None else number
            earlier = by_date.get(key)
            if earlier is not None:
                newer = taken_at is not None and (earlier[0] is None or taken_at >= earlier[0])
                if earlier[1].rows != rows:
                    kept = number if newer else earlier[2]
                    warnings.append(
                        f"lines {earlier[2]} and {number} scrape board date {published_on} "
                        f"with different rows; kept line {kept}"
                    )
                if not newer:
                    continue
            by_date[key] = (taken_at, snapshot, number)
        if not by_date:
            raise FormatError("the time series has no lines")
        return ParseResult(
            format=self.name,
            snapshots=[snapshot for _, snapshot, _ in by_date.values()],
            generated_at=latest,
            warnings=warnings,
        )
