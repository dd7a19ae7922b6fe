"""Columns of numbers packed into bytes: the points of the history read model. Pure.

A column is a list of ints, floats or None. Each is stored as one little-endian ``array``
whose item width fits the column (a rank needs two bytes, a vote count four), optionally as
differences from the previous value (ascending ids and dates become one byte each). None is a
sentinel (NaN for floats, the width's minimum for ints) and a bit in the header says whether a
column holds any, so a column without gaps is read back with no Python loop: unpacking is a
few ``array`` copies, which is what makes it cheaper than decoding the same rows from SQL.

Layout: ``FORMAT`` (a version byte, the row count, the null bits), then per column a type
code byte and its items.
"""

from __future__ import annotations

import math
import struct
import sys
from array import array
from collections.abc import Sequence
from itertools import accumulate
from typing import Literal

Kind = Literal["int", "delta", "float", "bool"]
"""``delta``: ints stored as differences (the first from 0); ``bool``: True/False/None."""

VERSION = 1
HEADER = struct.Struct("<BIQ")  # version, rows, null bits (one per column, up to 64)
INT_CODES = ("b", "h", "i", "q")
CODES: dict[Kind, tuple[str, ...]] = {
    "int": INT_CODES,
    "delta": INT_CODES,
    "float": ("d",),
    "bool": ("b",),
}
"""The type codes a column of each kind may have."""
_BIG_ENDIAN = sys.byteorder == "big"
_BOOLS = (False, True, None)
"""A bool column's value by its stored item: 0, 1, and -1 (None) indexing from the end."""


class PackingError(ValueError):
    """Bytes that are not a packing of this version, or columns it cannot hold."""


def pack(columns: Sequence[Sequence[int | float | bool | None]], kinds: Sequence[Kind]) -> bytes:
    if len(columns) != len(kinds) or len(kinds) > 64:
        raise PackingError("one kind per column, at most 64 columns")
    rows = len(columns[0]) if columns else 0
    nulls = 0
    parts: list[bytes] = []
    for index, (column, kind) in enumerate(zip(columns, kinds, strict=True)):
        if len(column) != rows:
            raise PackingError("columns of different lengths")
        if any(value is None for value in column):
            nulls |= 1 << index
        code, items = _encode(column, kind)
        if _BIG_ENDIAN:
            items.byteswap()
        parts += [code.encode(), items.tobytes()]
    return HEADER.pack(VERSION, rows, nulls) + b"".join(parts)


def unpack(data: bytes, kinds: Sequence[Kind]) -> list[list[int | float | bool | None]]:
    try:
        version, rows, nulls = HEADER.unpack_from(data)
    except struct.error as error:
        raise PackingError("too short for a header") from error
    if version != VERSION:
        raise PackingError(f"packing version {version}, expected {VERSION}")
    offset = HEADER.size
    columns: list[list[int | float | bool | None]] = []
    for index, kind in enumerate(kinds):
        code = data[offset : offset + 1].decode("ascii", "replace")
        if code not in CODES[kind]:
            raise PackingError(f"type code {code!r} in column {index}, a {kind} column")
        items = array(code)
        end = offset + 1 + rows * items.itemsize
        if end > len(data):
            raise PackingError(f"column {index} is cut short")
        items.frombytes(data[offset + 1 : end])
        if _BIG_ENDIAN:
            items.byteswap()
        offset = end
        columns.append(_decode(items, kind, has_nulls=bool(nulls >> index & 1)))
    if offset != len(data):
        raise PackingError("bytes left after the last column")
    return columns


def _encode(column: Sequence[int | float | bool | None], kind: Kind) -> tuple[str, array]:  # type: ignore[type-arg]
    if kind == "float":
        if any(v is not None and math.isnan(v) for v in column):
            raise PackingError("NaN is None's sentinel: it cannot be a value")
        return "d", array("d", (math.nan if v is None else float(v) for v in column))
    if kind == "bool":
        return "b", array("b", (-1 if v is None else int(bool(v)) for v in column))
    values = [v for v in column]
    if any(v is None for v in values) and kind == "delta":
        raise PackingError("a delta column cannot hold None")
    if kind == "delta":
        # Each value less the one before it (the first less 0): zip stops at the shorter.
        values = [b - a for a, b in zip([0, *values], values, strict=False)]  # type: ignore[operator]
    present = [int(v) for v in values if v is not None]
    low, high = (min(present), max(present)) if present else (0, 0)
    for code in INT_CODES:
        bits = array(code).itemsize * 8
        sentinel = -(2 ** (bits - 1))
        if sentinel < low and high < 2 ** (bits - 1):
            return code, array(code, (sentinel if v is None else int(v) for v in values))
    raise PackingError("an integer wider than 63 bits")


def _decode(items: array, kind: Kind, *, has_nulls: bool) -> list[int | float | bool | None]:  # type: ignore[type-arg]
    values: list[int | float | bool | None] = items.tolist()
    if kind == "delta":
        return list(accumulate(values))  # type: ignore[arg-type]
    if kind == "bool":
        if not set(values) <= {-1, 0, 1}:
            raise PackingError("a bool column holds something else")
        return list(map(_BOOLS.__getitem__, values))  # type: ignore[arg-type]
    if not has_nulls:
        return values
    if kind == "float":
        return [None if v != v else v for v in values]  # NaN is the only value not itself
    sentinel = -(2 ** (items.itemsize * 8 - 1))
    return [None if v == sentinel else v for v in values]
