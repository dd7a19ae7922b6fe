"""The third-party JSON scrapes of arena.ai: arena-monitor entries and acarter881 snapshots."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard.boards import BoardKey
from leaderboard.sources.base import FormatError, ParseResult
from leaderboard.sources.scraped_json import (
    RscEntriesAdapter,
    ScrapedSnapshotAdapter,
    ScrapedTimeseriesAdapter,
)
from tests.paths import UPSTREAM

RSC = UPSTREAM / "json-rsc-entries"
SCRAPED = UPSTREAM / "json-scraped-snapshot"
ENTRIES_FEB = RSC / "arena_monitor_last_snapshot_2026-02-15.json"
ENTRIES_JUN = RSC / "arena_monitor_last_snapshot_2026-06-25.json"
SNAPSHOT_FEB15 = SCRAPED / "acarter_snapshot_2026-02-15_211453.json.gz"
SNAPSHOT_FEB19 = SCRAPED / "acarter_snapshot_2026-02-19_163450.json.gz"
TIMESERIES = SCRAPED / "acarter_timeseries_top20_2026-02.jsonl"
HINT = BoardKey(arena="text", category="overall", style_control=False)

ALL_SAMPLES = sorted(p for p in UPSTREAM.rglob("*") if p.is_file() and p.name != "SOURCES.md")
OWN_SAMPLES = {
    RscEntriesAdapter.name: {ENTRIES_FEB, ENTRIES_JUN},
    ScrapedSnapshotAdapter.name: {SNAPSHOT_FEB15, SNAPSHOT_FEB19},
    ScrapedTimeseriesAdapter.name: {TIMESERIES},
}
type Scraped = RscEntriesAdapter | ScrapedSnapshotAdapter | ScrapedTimeseriesAdapter
ADAPTERS: list[Scraped] = [
    RscEntriesAdapter(),
    ScrapedSnapshotAdapter(),
    ScrapedTimeseriesAdapter(),
]


def parse(adapter: Scraped, path: Path) -> ParseResult:
    return adapter.parse(path.read_bytes(), hint=HINT)


# --- rsc-entries --------------------------------------------------------------------------


def test_rsc_entries_feb_parses_50_rows_with_bounds_and_rank_spread() -> None:
    result = parse(RscEntriesAdapter(), ENTRIES_FEB)

    assert result.format == "rsc-entries"
    (snapshot,) = result.snapshots
    assert len(snapshot.rows) == 50
    assert snapshot.rank_kind == "position"
    first = snapshot.rows[0]
    assert first.model == "claude-opus-4-6-thinking"
    assert first.score == 1503.65
    assert (first.rating_lower, first.rating_upper) == (1493.93, 1513.37)
    assert (first.rank, first.rank_upper, first.rank_lower) == (1, 1, 2)
    assert (first.votes, first.organization, first.license) == (3922, "Anthropic", "Proprietary")
    assert first.preliminary is None
    last = snapshot.rows[-1]
    assert last.model == "qwen3-max-2025-09-23"
    # An integer rating (1414) with a wide spread: best rank 25, worst 60.
    assert last.score == 1414.0
    assert (last.rank, last.rank_upper, last.rank_lower) == (50, 25, 60)
    assert [row.rank for row in snapshot.rows] == list(range(1, 51))


def test_rsc_entries_name_no_board_so_the_hint_decides() -> None:
    (snapshot,) = parse(RscEntriesAdapter(), ENTRIES_FEB).snapshots

    assert (snapshot.arena, snapshot.category, snapshot.style_control) == (None, None, None)
    assert snapshot.published_on is None


def test_rsc_entries_jun_parses_50_rows_and_warns_it_is_an_excerpt() -> None:
    result = parse(RscEntriesAdapter(), ENTRIES_JUN)

    rows = result.snapshots[0].rows
    assert len(rows) == 50
    assert rows[-1].model == "claude-sonnet-4-5-20250929"
    assert (rows[-1].score, rows[-1].votes) == (1437.83, 80906)
    assert (rows[-1].rank_upper, rows[-1].rank_lower) == (38, 59)
    assert any("top-50" in warning for warning in result.warnings)


def test_rsc_entry_without_rating_is_rejected() -> None:
    entries = json.loads(ENTRIES_FEB.read_bytes())
    del entries[3]["rating"]

    with pytest.raises(FormatError, match=r"entry 4 \(gemini-3-flash\) has no numeric rating"):
        RscEntriesAdapter().parse(json.dumps(entries).encode(), hint=HINT)


@pytest.mark.parametrize("payload", [b"[]", b"{}", b"[1, 2]", ENTRIES_FEB.read_bytes()[:4000]])
def test_rsc_entries_empty_wrong_shape_or_truncated_are_rejected(payload: bytes) -> None:
    with pytest.raises(FormatError):
        RscEntriesAdapter().parse(payload, hint=HINT)


# --- scraped-snapshot ---------------------------------------------------------------------


def test_scraped_snapshot_feb15_parses_305_rows_dated_by_the_page_stamp() -> None:
    result = parse(ScrapedSnapshotAdapter(), SNAPSHOT_FEB15)

    assert result.format == "scraped-snapshot"
    assert result.generated_at == dt.datetime(2026, 2, 15, 21, 14, 53, tzinfo=dt.UTC)
    assert result.warnings == []
    (snapshot,) = result.snapshots
    assert snapshot.published_on == dt.date(2026, 2, 11)
    assert snapshot.rank_kind == "position"
    assert len(snapshot.rows) == 305
    first = snapshot.rows[0]
    assert (first.model, first.score, first.votes) == ("claude-opus-4-6-thinking", 1504.0, 3922)
    assert (first.rating_lower, first.rating_upper) == (1494.0, 1514.0)
    assert (first.rank, first.rank_upper, first.rank_lower) == (1, 1, 2)
    assert first.organization == "Anthropic"
    assert first.url == "https://www.anthropic.com/news/claude-opus-4-6"
    assert first.preliminary is False
    last = snapshot.rows[-1]
    assert (last.model, last.rank, last.rank_upper, last.rank_lower) == ("llama-13b", 305, 304, 305)
    assert (last.organization, last.license) == ("Meta", "Non-commercial")


def test_scraped_snapshot_keeps_the_organization_name_not_the_logo_text() -> None:
    rows = {
        row.model: row for row in parse(ScrapedSnapshotAdapter(), SNAPSHOT_FEB15).snapshots[0].rows
    }

    # "Azure  Microsoft": the logo says Azure, the visible name is Microsoft.
    assert rows["phi-4"].organization == "Microsoft"
    assert rows["yi-lightning"].organization == "01 AI"
    assert rows["gemini-3-pro"].organization == "Google"
    assert all("  " not in row.organization for row in rows.values())


@pytest.mark.parametrize("sample", [SNAPSHOT_FEB15, SNAPSHOT_FEB19])
def test_scraped_snapshot_keeps_allenai_uw_whole_instead_of_a_license_uw(sample: Path) -> None:
    # The scraper split "AllenAI/UW" on its slash: organization "AllenAI", license "UW".
    rows = {row.model: row for row in parse(ScrapedSnapshotAdapter(), sample).snapshots[0].rows}

    assert (rows["tulu-2-dpo-70b"].organization, rows["tulu-2-dpo-70b"].license) == (
        "AllenAI/UW",
        "",  # the real license (AI2 ImpACT Low-risk) is not in the payload
    )
    # UW alone is a real organisation (guanaco-33b) and keeps its license.
    assert (rows["guanaco-33b"].organization, rows["guanaco-33b"].license) == (
        "UW",
        "Non-commercial",
    )
    assert not any(row.license == "UW" for row in rows.values())


def test_scraped_snapshot_unescapes_model_urls_and_keeps_the_preliminary_marker() -> None:
    rows = parse(ScrapedSnapshotAdapter(), SNAPSHOT_FEB15).snapshots[0].rows
    by_name = {row.model: row for row in rows}

    assert by_name["qwen3-vl-235b-a22b-instruct"].url == (
        "https://qwen.ai/blog?id=99f0335c4ad9ff6153e517418d48535ab6d8afef"
        "&from=research.latest-advancements-list"
    )
    assert [row.model for row in rows if row.preliminary] == ["ernie-5.0-0110"]
    assert (by_name["ernie-5.0-0110"].rank_upper, by_name["ernie-5.0-0110"].rank_lower) == (6, 15)


def test_scraped_snapshot_feb19_parses_309_rows_with_two_preliminary() -> None:
    result = parse(ScrapedSnapshotAdapter(), SNAPSHOT_FEB19)

    (snapshot,) = result.snapshots
    assert snapshot.published_on == dt.date(2026, 2, 18)
    assert len(snapshot.rows) == 309
    assert snapshot.rows[0].model == "claude-opus-4-6"
    assert (snapshot.rows[0].rank_upper, snapshot.rows[0].rank_lower) == (1, 3)
    assert [r.model for r in snapshot.rows if r.preliminary] == [
        "gemini-3.1-pro-preview",
        "dola-seed-2.0-preview",
    ]
    assert snapshot.rows[-1].model == "llama-13b"


def test_scraped_snapshot_reads_plain_json_as_well_as_gzip() -> None:
    plain = gzip.decompress(SNAPSHOT_FEB15.read_bytes())

    assert ScrapedSnapshotAdapter().sniff(plain)
    result = ScrapedSnapshotAdapter().parse(plain, hint=HINT)
    assert (
        result.snapshots[0].rows
        == parse(ScrapedSnapshotAdapter(), SNAPSHOT_FEB15).snapshots[0].rows
    )


def test_scraped_snapshot_warns_when_total_models_disagrees_with_the_list() -> None:
    payload = json.loads(gzip.decompress(SNAPSHOT_FEB15.read_bytes()))
    payload["models"] = payload["models"][:10]

    result = ScrapedSnapshotAdapter().parse(json.dumps(payload).encode(), hint=HINT)

    assert result.warnings == ["total_models says 305 but 10 models are listed"]


def test_scraped_snapshot_truncated_gzip_is_rejected() -> None:
    data = SNAPSHOT_FEB15.read_bytes()

    with pytest.raises(FormatError, match="truncated gzip"):
        ScrapedSnapshotAdapter().parse(data[: len(data) // 2], hint=HINT)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"models": []}, "lists no models"),
        ({"models": None}, "no 'models' list"),
        ({"leaderboard_date": "yesterday"}, "not a date like"),
        ({"timestamp": "soon"}, "not an ISO 8601 timestamp"),
    ],
)
def test_scraped_snapshot_broken_fields_are_rejected(
    change: dict[str, object], message: str
) -> None:
    payload = json.loads(gzip.decompress(SNAPSHOT_FEB15.read_bytes()))
    payload.update(change)

    with pytest.raises(FormatError, match=message):
        ScrapedSnapshotAdapter().parse(json.dumps(payload).encode(), hint=HINT)


# --- scraped-timeseries -------------------------------------------------------------------


def test_timeseries_gives_one_top20_snapshot_per_board_date() -> None:
    result = parse(ScrapedTimeseriesAdapter(), TIMESERIES)

    assert result.format == "scraped-timeseries"
    assert [s.published_on for s in result.snapshots] == [
        dt.date(2026, 2, 11),
        dt.date(2026, 2, 18),
    ]
    assert [len(s.rows) for s in result.snapshots] == [20, 20]
    assert result.generated_at == dt.datetime(2026, 2, 19, 16, 34, 50, tzinfo=dt.UTC)
    first = result.snapshots[0].rows[0]
    assert (first.model, first.score, first.votes, first.rank) == (
        "claude-opus-4-6-thinking",
        1504.0,
        3922,
        1,
    )
    assert (first.rating_lower, first.rating_upper) == (1494.0, 1514.0)
    assert (first.organization, first.preliminary, first.rank_upper) == ("", None, None)
    last = result.snapshots[1].rows[-1]
    assert (last.model, last.rank, last.score, last.votes) == (
        "qwen3-max-preview",
        20,
        1438.0,
        27757,
    )
    assert any("top-20" in warning for warning in result.warnings)


def test_timeseries_and_snapshot_of_the_same_scrape_agree() -> None:
    series = parse(ScrapedTimeseriesAdapter(), TIMESERIES).snapshots[0].rows
    snapshot = parse(ScrapedSnapshotAdapter(), SNAPSHOT_FEB15).snapshots[0].rows

    assert [(r.model, r.score, r.votes) for r in series] == [
        (r.model, r.score, r.votes) for r in snapshot[:20]
    ]


def test_timeseries_repeated_board_date_keeps_the_later_scrape_and_says_so() -> None:
    lines = TIMESERIES.read_text().splitlines()
    again = json.loads(lines[0])
    again["ts"] = "2026-02-16T09:00:00Z"
    again["models"][0]["votes"] = 4000
    data = "\n".join([lines[0], "", json.dumps(again), lines[1]]).encode()

    result = ScrapedTimeseriesAdapter().parse(data, hint=HINT)

    assert [s.published_on for s in result.snapshots] == [
        dt.date(2026, 2, 11),
        dt.date(2026, 2, 18),
    ]
    assert result.snapshots[0].rows[0].votes == 4000
    assert "lines 1 and 3 scrape board date 2026-02-11 with different rows; kept line 3" in (
        result.warnings
    )


@pytest.mark.parametrize("payload", [b"", b"\n\n", b'{"ts": "x"}\n', b'{"models": []}', b"[1]"])
def test_timeseries_empty_or_broken_lines_are_rejected(payload: bytes) -> None:
    with pytest.raises(FormatError):
        ScrapedTimeseriesAdapter().parse(payload, hint=HINT)


# --- sniffing and robustness --------------------------------------------------------------


def test_every_sample_of_the_family_is_owned_by_exactly_one_adapter() -> None:
    family = {p for p in ALL_SAMPLES if p.parent in (RSC, SCRAPED)}

    assert family == set().union(*OWN_SAMPLES.values())


SAMPLE_BYTES = {
    adapter.name: [p.read_bytes() for p in sorted(OWN_SAMPLES[adapter.name])]
    for adapter in ADAPTERS
}


@settings(max_examples=200, deadline=None)
@given(
    which=st.sampled_from(ADAPTERS),
    index=st.integers(min_value=0, max_value=1),
    cut=st.floats(min_value=0, max_value=1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4),
    unzip=st.booleans(),
)
def test_mutated_and_truncated_samples_only_ever_raise_format_error(
    which: Scraped,
    index: int,
    cut: float,
    flips: list[tuple[float, int]],
    unzip: bool,
) -> None:
    samples = SAMPLE_BYTES[which.name]
    data = samples[index % len(samples)]
    if unzip and data.startswith(b"\x1f\x8b"):
        data = gzip.decompress(data)
    mutated = bytearray(data[: int(len(data) * cut)])
    for where, value in flips:
        if mutated:
            mutated[int(where * (len(mutated) - 1))] = value
    assert isinstance(which.sniff(bytes(mutated)), bool)
    try:
        result = which.parse(bytes(mutated), hint=HINT)
    except FormatError:
        return
    assert all(snapshot.rows for snapshot in result.snapshots)
