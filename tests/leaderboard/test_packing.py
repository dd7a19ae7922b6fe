"""Packed columns (leaderboard/packing.py): what goes in comes out, in the narrowest width."""

from __future__ import annotations

import math
import struct

import hypothesis
import pytest
from hypothesis import strategies as st

from leaderboard import packing
from leaderboard.packing import PackingError

KINDS: tuple[packing.Kind, ...] = ("int", "delta", "float", "bool")
WIDE = st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)


Column = list[int | float | bool | None]


def columns(rows: int) -> st.SearchStrategy[list[Column]]:
    floats = st.floats(allow_nan=False, allow_infinity=True, width=64)
    return st.tuples(
        st.lists(st.none() | WIDE, min_size=rows, max_size=rows),
        # The deltas of values within ±2^61 stay inside 63 bits.
        st.lists(st.integers(-(2**61), 2**61), min_size=rows, max_size=rows),
        st.lists(st.none() | floats, min_size=rows, max_size=rows),
        st.lists(st.none() | st.booleans(), min_size=rows, max_size=rows),
    ).map(lambda drawn: [list(column) for column in drawn])


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(st.integers(0, 40).flatmap(columns))
def test_every_column_comes_back_exactly(data: list[Column]) -> None:
    back = packing.unpack(packing.pack(data, KINDS), KINDS)

    assert back == data
    assert [type(v) for column in back for v in column] == [
        type(v) for column in data for v in column
    ]


def test_floats_keep_every_bit_and_signed_zero() -> None:
    values = [1327.4999999999998, -0.0, 5e-324, 0.1 + 0.2]

    (back,) = packing.unpack(packing.pack([values], ["float"]), ["float"])

    assert [struct.pack("<d", v) for v in back] == [struct.pack("<d", v) for v in values]  # type: ignore[arg-type]
    assert math.copysign(1, back[1]) == -1  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "kind", "width"),
    [
        ([1, 2, 300], "int", 2),  # ranks: two bytes
        ([1, 2, 126], "int", 1),
        ([None, 127], "int", 1),  # None is the width's minimum, -128
        ([-127, None], "int", 1),
        ([-128], "int", 2),  # the sentinel itself is never a value
        ([90_000, None], "int", 4),
        ([2**31], "int", 8),
        ([739_000, 739_001, 739_003], "delta", 4),  # the first delta is the first value
        ([5, 6, 7, 8], "delta", 1),
        ([0.5], "float", 8),
        ([True, None], "bool", 1),
    ],
)
def test_a_column_takes_the_narrowest_width_that_holds_it(
    values: Column, kind: packing.Kind, width: int
) -> None:
    data = packing.pack([values], [kind])

    assert len(data) == packing.HEADER.size + 1 + width * len(values)
    assert packing.unpack(data, [kind]) == [values]


def test_an_integer_beyond_63_bits_is_refused() -> None:
    with pytest.raises(PackingError, match="63 bits"):
        packing.pack([[2**63]], ["int"])


def test_a_delta_column_refuses_none() -> None:
    with pytest.raises(PackingError, match="delta"):
        packing.pack([[1, None]], ["delta"])


def test_columns_must_match_their_kinds_and_each_other() -> None:
    with pytest.raises(PackingError, match="one kind per column"):
        packing.pack([[1]], ["int", "int"])
    with pytest.raises(PackingError, match="different lengths"):
        packing.pack([[1], [1, 2]], ["int", "int"])


def test_an_empty_packing_has_empty_columns() -> None:
    assert packing.unpack(packing.pack([[], []], ["int", "float"]), ["int", "float"]) == [[], []]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[:5], "header"),
        (lambda b: bytes([9]) + b[1:], "version 9"),
        (lambda b: b[:-1], "cut short"),
        (lambda b: b + b"\x00", "left after"),
        (lambda b: b[: packing.HEADER.size] + b"z" + b[packing.HEADER.size + 1 :], "type code"),
    ],
)
def test_damaged_bytes_are_refused_not_misread(damage: object, message: str) -> None:
    good = packing.pack([[1, 2, 3], [0.5, None, 2.0]], ["int", "float"])

    with pytest.raises(PackingError, match=message):
        packing.unpack(damage(good), ["int", "float"])  # type: ignore[operator]


def test_nan_is_refused_it_would_come_back_as_none() -> None:
    with pytest.raises(PackingError, match="NaN"):
        packing.pack([[1.0, math.nan]], ["float"])


@pytest.mark.parametrize(
    ("packed", "read_as"), [("int", "float"), ("float", "int"), ("int", "bool")]
)
def test_a_column_read_as_another_kind_is_refused(
    packed: packing.Kind, read_as: packing.Kind
) -> None:
    data = packing.pack([[300, 2] if packed != "float" else [1.5, 2.0]], [packed])

    with pytest.raises(PackingError, match="type code"):
        packing.unpack(data, [read_as])


def test_a_bool_column_holding_other_values_is_refused() -> None:
    data = packing.pack([[5, 2]], ["int"])  # one byte each, as a bool column's

    with pytest.raises(PackingError, match="bool"):
        packing.unpack(data, ["bool"])
