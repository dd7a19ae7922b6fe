"""The CSV opening every CSV adapter shares: errors read the same whichever adapter meets them."""

from __future__ import annotations

import pytest

from leaderboard.sources.base import FormatError
from leaderboard.sources.csvread import csv_dicts, csv_head, csv_header, csv_records


def test_the_header_sniff_drops_a_bom_and_refuses_binary() -> None:
    assert csv_header(b"\xef\xbb\xbfmodel,score\ngpt,1") == ["model", "score"]
    assert csv_header(b"") == []
    assert csv_header(b"\xff\xfe\x00m") is None


def test_the_head_reads_as_many_lines_as_asked() -> None:
    assert csv_head(b"a,b\n1,2\n3,4\n", 2) == [["a", "b"], ["1", "2"]]


def test_records_keep_newlines_inside_quoted_cells() -> None:
    assert list(csv_records(b'a,b\n"x\ny",2\n', "test CSV")) == [["a", "b"], ["x\ny", "2"]]


def test_dicts_mark_a_short_record_with_none_values() -> None:
    header, records = csv_dicts(b"a,b\n1\n", "test CSV")
    assert header == ["a", "b"]
    assert records == [{"a": "1", "b": None}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a,b\n\xff\xfe", "test CSV is not UTF-8"),
        (b'a\n"' + b"x" * 200_000 + b'"\n', "test CSV is malformed"),  # over csv's cell limit
    ],
)
def test_bad_bytes_are_a_format_error_naming_the_payload(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        list(csv_records(data, "test CSV"))
    with pytest.raises(FormatError, match=message):
        csv_dicts(data, "test CSV")
