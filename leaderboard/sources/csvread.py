"""Reading CSV payloads: the sniffers' look at the first lines and the parsers' decoding.

Every CSV adapter opens its payload the same way (UTF-8 with or without a BOM, newlines kept
inside quoted cells), so that a decoding or quoting problem reads the same whichever adapter
meets it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from leaderboard.sources.base import FormatError

_SNIFF_BYTES = 1 << 18


def csv_head(data: bytes, count: int, *, limit: int = _SNIFF_BYTES) -> list[list[str]] | None:
    """The first ``count`` lines of ``data[:limit]`` as CSV records (one record per line), or
    None when they are not UTF-8 CSV text. Total: for sniffing."""
    head = data[:limit].split(b"\n", count)[:count]
    try:
        return [next(csv.reader([line.decode("utf-8-sig")]), []) for line in head]
    except (UnicodeDecodeError, csv.Error):
        return None


def csv_header(data: bytes) -> list[str] | None:
    """The first CSV record of ``data`` (for sniffing), or None when it is not UTF-8 CSV text."""
    lines = csv_head(data, 1, limit=4096)
    return None if lines is None else lines[0]


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FormatError(f"{what} is not UTF-8: {error.reason}") from error


def csv_records(data: bytes, what: str) -> Iterator[list[str]]:
    """The payload's CSV records, lazily. Raises FormatError naming ``what`` (``"fboulnois
    CSV"``) when the bytes are not UTF-8 or the quoting is broken."""
    text = _text(data, what)
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as error:
        raise FormatError(f"{what} is malformed: {error}") from error


def csv_dicts(data: bytes, what: str) -> tuple[list[str], list[dict[str, str | None]]]:
    """The header and every record as a dict keyed by it. A short record has None values and
    a long one a None key (``csv.DictReader``'s rule), so callers can refuse cut lines.
    Raises FormatError as ``csv_records`` does."""
    text = _text(data, what)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        fieldnames = list(reader.fieldnames or [])
        records: list[dict[str, str | None]] = list(reader)
    except csv.Error as error:
        raise FormatError(f"{what} is malformed: {error}") from error
    return fieldnames, records
