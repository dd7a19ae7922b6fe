"""What every adapter owes the registry: ``--format auto`` gives every real sample to exactly
the adapter of its family, and no input makes any adapter raise anything but FormatError.

Each adapter's own test module fuzzes the structure of its format (real payloads with
arbitrary values, cut downloads); the shapes every format shares are tested once, here.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard import sources
from leaderboard.boards import BoardKey
from leaderboard.sources.base import Adapter, FormatError
from tests.paths import UPSTREAM

EXPECTED = {
    "csv-fboulnois": "fboulnois-csv",
    "csv-hf-leaderboard-table": "hf-leaderboard-table",
    "hf-leaderboard-dataset": "hf-dataset",
    "html-gradio": "gradio-html",
    "json-arena-catalog-scraped": "arena-catalog",
    "json-rsc-entries": "rsc-entries",
    "markdown-cherry": "markdown",
}
SPECIAL = {
    "nakasyou_result_pivot_2025-03-02.csv": "history-pivot",
    "jasontrigg0_alltime_2025-03-29.csv": "history-long",
    "scatterplot-data_json_2025-12-17.json": "arena-catalog-metadata",
    "acarter_timeseries_top20_2026-02.jsonl": "scraped-timeseries",
}
FAMILY_DEFAULT = {
    "json-arena-catalog": "arena-catalog",
    "json-scraped-snapshot": "scraped-snapshot",
}
SAMPLES = sorted(p for p in UPSTREAM.rglob("*") if p.is_file() and p.name != "SOURCES.md")


def expected_adapter(path: Path) -> str:
    family = path.parent.name
    return SPECIAL.get(path.name) or EXPECTED.get(family) or FAMILY_DEFAULT[family]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_auto_detection_picks_the_samples_own_adapter_and_no_other_claims_it(path: Path) -> None:
    data = path.read_bytes()
    expected = expected_adapter(path)

    assert sources.detect(data).name == expected
    claimed = [adapter.name for adapter in sources.ADAPTERS if adapter.sniff(data)]
    assert claimed == [expected]


def test_a_near_miss_is_claimed_by_no_adapter() -> None:
    # The samples' provenance file: a markdown table full of pipes, commas and model names.
    data = (UPSTREAM / "SOURCES.md").read_bytes()

    assert [adapter.name for adapter in sources.ADAPTERS if adapter.sniff(data)] == []
    with pytest.raises(FormatError, match="unrecognised payload"):
        sources.detect(data)


def test_every_adapter_has_a_unique_name_and_a_description() -> None:
    names = sources.names()
    assert len(names) == len(set(names)) == len(sources.ADAPTERS) == 13
    assert all(adapter.description for adapter in sources.ADAPTERS)


def test_an_unknown_format_name_lists_the_known_ones() -> None:
    with pytest.raises(FormatError, match=r"unknown format 'pickle'; known: .*markdown"):
        sources.get_adapter("pickle")


HINTS = st.builds(
    BoardKey,
    arena=st.sampled_from(["text", "webdev", "vision", "search"]),
    category=st.sampled_from(["overall", "coding", "chinese"]),
    style_control=st.booleans(),
)


@pytest.mark.parametrize("adapter", sources.ADAPTERS, ids=lambda adapter: adapter.name)
@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=2000), hint=HINTS)
def test_arbitrary_bytes_raise_nothing_but_format_error(
    adapter: Adapter, data: bytes, hint: BoardKey
) -> None:
    assert isinstance(adapter.sniff(data), bool)
    with contextlib.suppress(FormatError):
        adapter.parse(data, hint=hint)


@pytest.mark.parametrize("adapter", sources.ADAPTERS, ids=lambda adapter: adapter.name)
@settings(max_examples=100, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list(',|\n"{}[]:#<>-+±0123456789.aZ 中')), max_size=400)
)
def test_arbitrary_delimited_text_raises_nothing_but_format_error(
    adapter: Adapter, text: str
) -> None:
    # Random bytes rarely look like a table; text made of the formats' own punctuation does.
    data = text.encode()
    assert isinstance(adapter.sniff(data), bool)
    with contextlib.suppress(FormatError):
        adapter.parse(data, hint=BoardKey())
