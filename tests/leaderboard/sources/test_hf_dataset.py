"""HF ``lmarena-ai/leaderboard-dataset`` rows: plain arrays, /rows pages, /splits, configs."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaderboard.boards import BoardKey
from leaderboard.sources.base import FormatError, ParseResult, SnapshotData
from leaderboard.sources.hf_dataset import (
    CONFIGS,
    HFDatasetAdapter,
    board_for_config,
    parse_rows_page,
    parse_splits,
)
from tests.paths import UPSTREAM

FAMILY = UPSTREAM / "hf-leaderboard-dataset"
TEXT = FAMILY / "text_full_sample-rows_ukitako1030-EVAL.json"
AGENT = FAMILY / "agent_full_sample-rows_2026-06-04_to_2026-10-02_ukitako1030-EVAL.json"
IMAGE_EDIT = FAMILY / "image_edit_full_sample-rows_ukitako1030-EVAL.json"
TEXT_TO_IMAGE = FAMILY / "text_to_image_full_sample-rows_ukitako1030-EVAL.json"
TEXT_TO_VIDEO = FAMILY / "text_to_video_full_sample-rows_ukitako1030-EVAL.json"
IMAGE_TO_VIDEO = FAMILY / "image_to_video_full_sample-rows_ukitako1030-EVAL.json"
SAMPLES = sorted(FAMILY.glob("*.json"))

ADAPTER = HFDatasetAdapter()


def parse(path: Path, arena: str = "text") -> ParseResult:
    return ADAPTER.parse(path.read_bytes(), hint=BoardKey(arena=arena))


def counts(result: ParseResult) -> dict[tuple[str, str | None], int]:
    return {
        (str(snapshot.published_on), snapshot.category): len(snapshot.rows)
        for snapshot in result.snapshots
    }


def board(result: ParseResult, published_on: str, category: str = "overall") -> SnapshotData:
    (snapshot,) = [
        snapshot
        for snapshot in result.snapshots
        if str(snapshot.published_on) == published_on and snapshot.category == category
    ]
    return snapshot


def envelope(rows: list[dict[str, object]], total: int) -> bytes:
    """A datasets-server /rows page around real rows, in the server's documented shape."""
    dtypes = {str: "string", float: "float64", int: "int64"}
    features = [
        {
            "feature_idx": index,
            "name": name,
            "type": {"dtype": dtypes.get(type(value), "float64"), "_type": "Value"},
        }
        for index, (name, value) in enumerate(rows[0].items())
    ]
    return json.dumps(
        {
            "features": features,
            "rows": [
                {"row_idx": index, "row": row, "truncated_cells": []}
                for index, row in enumerate(rows)
            ],
            "num_rows_total": total,
            "num_rows_per_page": 100,
            "partial": False,
        }
    ).encode()


# --- every real sample ----------------------------------------------------------------------


def test_text_sample_parses_thirteen_snapshots_with_their_row_counts() -> None:
    result = parse(TEXT)

    assert result.format == "hf-dataset"
    assert result.warnings == []
    assert counts(result) == {
        ("2023-05-08", "overall"): 9,
        ("2023-12-06", "overall"): 12,
        ("2024-01-09", "overall"): 11,
        ("2024-06-02", "overall"): 18,
        ("2025-01-05", "overall"): 21,
        ("2025-05-11", "coding"): 5,
        ("2025-05-11", "overall"): 20,
        ("2025-05-19", "coding"): 5,
        ("2025-05-19", "overall"): 21,
        ("2025-11-05", "overall"): 20,
        ("2026-04-02", "overall"): 20,
        ("2026-08-12", "overall"): 22,
        ("2026-10-02", "overall"): 22,
    }
    assert sum(counts(result).values()) == 206
    assert all(snapshot.metric == "elo" for snapshot in result.snapshots)
    assert all(snapshot.arena == "text" for snapshot in result.snapshots)
    assert all(snapshot.style_control is None for snapshot in result.snapshots)


def test_text_sample_publish_dates_are_dates() -> None:
    assert board(parse(TEXT), "2025-05-19").published_on == dt.date(2025, 5, 19)


def test_text_sample_first_row_is_2023_integer_elo_with_null_bounds_and_votes() -> None:
    first = board(parse(TEXT), "2023-05-08").rows[0]

    assert first.model == first.model_key == "vicuna-13b"
    assert first.score == 1094.0
    assert (first.rating_lower, first.rating_upper, first.votes) == (None, None, None)
    assert first.rank == 1
    assert (first.organization, first.license) == ("LMSYS", "Llama 2 Community")
    assert first.preliminary is None


def test_text_sample_float_rank_and_votes_become_ints_and_bounds_stay_unrounded() -> None:
    last = board(parse(TEXT), "2025-05-19", "coding").rows[-1]

    assert last.model == "deepseek-v3-0324"
    assert last.score == 1379.4358590699271
    assert last.rating_lower == 1368.1061030495673
    assert last.rating_upper == 1393.2769768869673
    assert last.votes == 1905
    assert isinstance(last.votes, int)
    assert last.rank == 5
    assert isinstance(last.rank, int)
    assert (last.organization, last.license) == ("deepseek", "MIT")


def test_text_sample_keeps_empty_organization_and_license_of_2026_04_rows() -> None:
    rows = {row.model: row for row in board(parse(TEXT), "2026-04-02").rows}

    assert rows["gpt-5.4-high"].organization == "openai"
    assert rows["gpt-5.4-high"].license == ""
    assert rows["gpt-5.4-high"].votes == 7653
    assert rows["dola-seed-2.0-pro"].organization == ""
    assert rows["dola-seed-2.0-pro"].license == "Proprietary"


def test_text_sample_ranks_are_positions_even_with_gaps_from_sampling() -> None:
    result = parse(TEXT)
    snapshot = board(result, "2026-10-02")

    assert [row.rank for row in snapshot.rows][:9] == [1, 2, 3, 4, 5, 6, 7, 8, 12]
    assert snapshot.rows[-1].rank == 104
    assert {s.rank_kind for s in result.snapshots} == {"position"}


def test_agent_sample_reads_the_score_schema_with_sessions_as_votes() -> None:
    result = parse(AGENT, arena="agent")

    assert counts(result) == {
        ("2026-06-04", "overall"): 15,
        ("2026-06-16", "overall"): 16,
        ("2026-07-06", "overall"): 20,
        ("2026-08-12", "overall"): 19,
        ("2026-09-08", "overall"): 19,
        ("2026-10-02", "overall"): 19,
    }
    assert {snapshot.metric for snapshot in result.snapshots} == {"score"}
    assert {snapshot.arena for snapshot in result.snapshots} == {"agent"}
    first = board(result, "2026-06-04").rows[0]
    assert (first.model, first.score, first.rank) == ("GPT 5.5 (High)", 0.1066, 1)
    assert (first.rating_lower, first.rating_upper, first.votes) == (None, None, None)
    opus = board(result, "2026-08-12").rows[0]
    assert opus.model == "Claude Opus 5 (High)"
    assert opus.votes == 19732  # session_count; observation_count is 2,232,115
    last = board(result, "2026-10-02").rows[-1]
    assert last.model == "Mistral Medium 3.5"
    assert last.score == -0.12382085550188522
    assert (last.rating_lower, last.rating_upper) == (-0.1390025386941619, -0.10863917230960854)
    assert (last.votes, last.rank, last.license) == (11156, 49, "Modified MIT")


def test_agent_sample_has_no_votes_where_session_count_is_null() -> None:
    result = parse(AGENT, arena="agent")

    assert {row.votes for row in board(result, "2026-06-16").rows} == {None}
    assert all(row.votes for row in board(result, "2026-07-06").rows)


def test_image_edit_sample_splits_multi_image_edit_category_by_date() -> None:
    result = parse(IMAGE_EDIT, arena="image-edit")

    assert counts(result) == {
        ("2025-06-24", "overall"): 4,
        ("2025-10-01", "overall"): 13,
        ("2026-01-23", "multi-image-edit"): 8,
        ("2026-01-26", "overall"): 34,
        ("2026-10-06", "multi-image-edit"): 10,
        ("2026-10-06", "overall"): 59,
    }
    first = board(result, "2026-01-23", "multi-image-edit").rows[0]
    assert first.model == "gemini-3-pro-image-preview-2k (nano-banana-pro)"
    assert (first.score, first.votes) == (1401.551759662693, 63353)
    empty_org = [row for row in board(result, "2026-10-06").rows if row.model == "p-image-edit"]
    assert [(row.organization, row.rank) for row in empty_org] == [("", 45)]
    last = board(result, "2026-10-06").rows[-1]
    assert (last.model, last.license, last.rank) == ("step1x-edit", "Apache 2.0", 59)


def test_text_to_image_sample_has_language_and_style_categories() -> None:
    result = parse(TEXT_TO_IMAGE, arena="text-to-image")

    assert counts(result) == {
        ("2025-01-05", "overall"): 7,
        ("2025-01-24", "chinese"): 8,
        ("2025-01-24", "english"): 8,
        ("2025-06-24", "overall"): 10,
        ("2025-09-30", "overall"): 25,
        ("2025-10-01", "overall"): 26,
        ("2026-01-29", "overall"): 45,
        ("2026-10-07", "overall"): 82,
        ("2026-10-07", "photorealistic"): 8,
        ("2026-10-07", "text-rendering"): 8,
    }
    chinese = board(result, "2025-01-24", "chinese").rows[0]
    assert (chinese.model, chinese.votes, chinese.organization) == ("recraft-v3", 292, "recraft")
    last = board(result, "2026-10-07", "text-rendering").rows[-1]
    assert (last.model, last.rank) == ("grok-imagine-image-2.0 (20260801)", 8)


def test_video_samples_parse_every_snapshot() -> None:
    text_to_video = parse(TEXT_TO_VIDEO, arena="text-to-video")
    image_to_video = parse(IMAGE_TO_VIDEO, arena="image-to-video")

    assert counts(text_to_video) == {
        ("2025-08-07", "overall"): 12,
        ("2025-10-16", "overall"): 18,
        ("2026-01-29", "overall"): 33,
        ("2026-04-07", "overall"): 38,
        ("2026-09-22", "overall"): 48,
    }
    assert counts(image_to_video) == {
        ("2025-08-07", "overall"): 12,
        ("2025-11-05", "overall"): 22,
        ("2026-02-27", "overall"): 36,
        ("2026-07-29", "overall"): 42,
        ("2026-09-22", "overall"): 48,
    }
    first = board(image_to_video, "2025-08-07").rows[0]
    assert (first.model, first.score, first.votes) == ("veo-3-audio", 1313.1003840031865, 600)
    last = board(text_to_video, "2026-09-22").rows[-1]
    assert (last.model, last.license, last.rank) == ("mochi-v1", "Apache 2.0", 48)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.name)
def test_every_sample_is_sniffed_and_parses_all_of_its_rows(path: Path) -> None:
    data = path.read_bytes()

    assert ADAPTER.sniff(data)
    result = ADAPTER.parse(data, hint=BoardKey())
    assert sum(len(snapshot.rows) for snapshot in result.snapshots) == len(json.loads(data))
    assert all(snapshot.rows for snapshot in result.snapshots)
    dates = [(snapshot.published_on, snapshot.category) for snapshot in result.snapshots]
    assert dates == sorted(dates)


# --- datasets-server envelopes --------------------------------------------------------------


def test_rows_page_envelope_parses_like_the_plain_array_of_the_same_rows() -> None:
    rows = [row for row in json.loads(TEXT.read_bytes()) if row["category"] == "coding"]
    page = envelope(rows, total=len(rows))

    from_page = ADAPTER.parse(page, hint=BoardKey())
    from_array = ADAPTER.parse(json.dumps(rows).encode(), hint=BoardKey())

    assert ADAPTER.sniff(page)
    assert from_page.snapshots == from_array.snapshots
    assert counts(from_page) == {("2025-05-11", "coding"): 5, ("2025-05-19", "coding"): 5}
    assert from_page.warnings == []


def test_rows_page_that_is_one_of_several_says_so_in_a_warning() -> None:
    rows = json.loads(AGENT.read_bytes())[:3]

    result = ADAPTER.parse(envelope(rows, total=1530), hint=BoardKey(arena="agent"))

    assert counts(result) == {("2026-06-04", "overall"): 3}
    assert result.warnings == ["this /rows page holds 3 of 1530 rows"]


def test_parse_rows_page_returns_the_row_dicts_and_the_total() -> None:
    rows = json.loads(IMAGE_EDIT.read_bytes())[:4]

    page_rows, total = parse_rows_page(envelope(rows, total=127527))

    assert page_rows == rows
    assert total == 127527


def test_rows_page_with_a_truncated_cell_is_rejected() -> None:
    rows = json.loads(TEXT.read_bytes())[:2]
    page = json.loads(envelope(rows, total=2))
    page["rows"][1]["truncated_cells"] = ["model_name"]

    with pytest.raises(FormatError, match="truncated"):
        parse_rows_page(json.dumps(page).encode())
    with pytest.raises(FormatError, match="truncated"):
        ADAPTER.parse(json.dumps(page).encode(), hint=BoardKey())


@pytest.mark.parametrize(
    "body",
    [
        b'{"rows": []}',
        b'{"rows": [{"row_idx": 0}], "num_rows_total": 1}',
        b'{"rows": [], "num_rows_total": "many"}',
        b"[1, 2]",
        b'{"error": "The dataset does not exist."}',
        b'{"rows": [{"row": {"a": 1}}], "num_rows_total": 1',
    ],
)
def test_parse_rows_page_rejects_junk(body: bytes) -> None:
    with pytest.raises(FormatError):
        parse_rows_page(body)


def test_parse_splits_lists_config_and_split_pairs_in_order() -> None:
    body = json.dumps(
        {
            "splits": [
                {"dataset": "lmarena-ai/leaderboard-dataset", "config": config, "split": split}
                for config in ("text", "text_style_control", "agent")
                for split in ("latest", "full")
            ],
            "pending": [],
            "failed": [],
        }
    ).encode()

    assert parse_splits(body) == [
        ("text", "latest"),
        ("text", "full"),
        ("text_style_control", "latest"),
        ("text_style_control", "full"),
        ("agent", "latest"),
        ("agent", "full"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>Just a moment...</html>",
        b'{"splits": []}',
        b'{"splits": [{"dataset": "x", "config": "text"}]}',
        b'{"splits": [{"config": "", "split": "full"}]}',
        b'{"error": "Not found"}',
        b'[{"config": "text", "split": "full"}]',
    ],
)
def test_parse_splits_rejects_junk(body: bytes) -> None:
    with pytest.raises(FormatError):
        parse_splits(body)


# --- strictness and quirks ------------------------------------------------------------------


def sample_rows() -> list[dict[str, object]]:
    return [row for row in json.loads(TEXT.read_bytes()) if row["category"] == "coding"]


def test_rows_without_a_rating_are_skipped_with_a_warning() -> None:
    rows = sample_rows()
    rows[2]["rating"] = None  # how parquet NaN ratings (falcon-180b-chat, korean) arrive

    result = ADAPTER.parse(json.dumps(rows).encode(), hint=BoardKey())

    assert counts(result) == {("2025-05-11", "coding"): 4, ("2025-05-19", "coding"): 5}
    assert result.warnings == ["row 2 (coding 2025-05-11): no score, skipped"]


def test_nan_literal_rating_counts_as_missing() -> None:
    rows = sample_rows()[:5]
    text = json.dumps(rows).replace("1432.685139701767", "NaN", 1)

    result = ADAPTER.parse(text.encode(), hint=BoardKey())

    assert len(result.snapshots[0].rows) == 4


def test_a_name_published_twice_in_one_snapshot_keeps_the_better_rated_row() -> None:
    rows = sample_rows()[:5]
    twin = dict(rows[3], rating=rows[3]["rating"] - 40, rank=45.0)  # type: ignore[operator]
    rows.append(twin)

    result = ADAPTER.parse(json.dumps(rows).encode(), hint=BoardKey())

    (snapshot,) = result.snapshots
    assert len(snapshot.rows) == 5
    assert snapshot.rows[3].score == rows[3]["rating"]
    assert len(result.warnings) == 1
    assert "appears twice" in result.warnings[0]


def test_ranks_shared_by_different_scores_are_ub_ranks() -> None:
    rows = sample_rows()[:5]
    rows[1]["rank"] = 1.0

    (snapshot,) = ADAPTER.parse(json.dumps(rows).encode(), hint=BoardKey()).snapshots

    assert snapshot.rank_kind == "ub"


def test_ranks_that_contradict_the_scores_leave_the_kind_unknown() -> None:
    rows = sample_rows()[:5]
    rows[0]["rank"], rows[4]["rank"] = rows[4]["rank"], rows[0]["rank"]

    (snapshot,) = ADAPTER.parse(json.dumps(rows).encode(), hint=BoardKey()).snapshots

    assert snapshot.rank_kind is None
    assert [row.rank for row in snapshot.rows] == [5, 2, 3, 4, 1]  # upstream's, untouched


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda row: row.pop("leaderboard_publish_date"), "lacks the column"),
        (lambda row: row.pop("rating"), "neither a rating nor a score"),
        (lambda row: row.update(rating="1432.7"), "not a number"),
        (lambda row: row.update(model_name="  "), "empty model_name"),
        (lambda row: row.update(leaderboard_publish_date="May 2025"), "not a date"),
        (lambda row: row.update(category="???"), "no letters"),
        (lambda row: row.update(organization=7), "not text"),
    ],
)
def test_broken_rows_are_rejected_with_one_clear_line(mutation: object, message: str) -> None:
    rows = sample_rows()
    mutation(rows[1])  # type: ignore[operator]

    with pytest.raises(FormatError, match=message):
        ADAPTER.parse(json.dumps(rows).encode(), hint=BoardKey())


def test_mixing_elo_and_agent_rows_is_rejected() -> None:
    rows = sample_rows()[:2] + json.loads(AGENT.read_bytes())[:2]

    with pytest.raises(FormatError, match="mix"):
        ADAPTER.parse(json.dumps(rows).encode(), hint=BoardKey())


@pytest.mark.parametrize(
    "body",
    [b"", b"[]", b"{}", b'{"rows": []}', b"null", b'"text"', b"[[1]]", b"\xff\xfe{"],
)
def test_empty_or_foreign_payloads_are_format_errors(body: bytes) -> None:
    with pytest.raises(FormatError):
        ADAPTER.parse(body, hint=BoardKey())


def test_truncated_sample_is_a_format_error() -> None:
    data = TEXT.read_bytes()

    with pytest.raises(FormatError, match="not valid JSON"):
        ADAPTER.parse(data[: len(data) // 2], hint=BoardKey())


# --- configs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("text", ("text", False)),
        ("text_style_control", ("text", True)),
        ("vision", ("vision", False)),
        ("vision_style_control", ("vision", True)),
        ("search", ("search", False)),
        ("search_style_control", ("search", True)),
        ("document", ("document", False)),
        ("document_style_control", ("document", True)),
        ("webdev", ("webdev", None)),
        ("text_to_image", ("text-to-image", None)),
        ("image_edit", ("image-edit", None)),
        ("text_to_video", ("text-to-video", None)),
        ("image_to_video", ("image-to-video", None)),
        ("video_edit", ("video-edit", None)),
        ("agent", ("agent", None)),
        ("agent_tool_hallucination", ("agent-tool-hallucination", None)),
        ("text_factuality", ("text-factuality", None)),
        ("audio_style_control", ("audio", True)),
        ("Audio Arena", ("audio-arena", None)),
    ],
)
def test_board_for_config_maps_hf_configs_to_arena_and_style_control(
    config: str, expected: tuple[str, bool | None]
) -> None:
    assert board_for_config(config) == expected


def test_every_known_config_maps_to_a_distinct_board() -> None:
    boards = [board_for_config(config) for config in CONFIGS]

    assert len(set(boards)) == len(CONFIGS) == 22


def test_board_for_config_refuses_an_empty_name() -> None:
    with pytest.raises(ValueError, match="empty"):
        board_for_config("  ")


# --- fuzz -----------------------------------------------------------------------------------

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(
        st.sampled_from(
            ["rows", "row", "rating", "score", "rank", "model_name", "category",
             "leaderboard_publish_date", "vote_count", "session_count", "truncated_cells",
             "num_rows_total", "splits", "config", "split"]
        ),
        children,
        max_size=6,
    ),
    max_leaves=30,
)  # fmt: skip


def only_format_errors(data: bytes) -> None:
    assert ADAPTER.sniff(data) in (True, False)
    for call in (
        lambda: ADAPTER.parse(data, hint=BoardKey()),
        lambda: parse_rows_page(data),
        lambda: parse_splits(data),
    ):
        with contextlib.suppress(FormatError):
            call()


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_nothing_but_format_error_in_the_api_page_parsers(
    data: bytes,
) -> None:
    # The adapter itself is fuzzed with every other one in test_registry.py; the datasets-server
    # page parsers are only reachable from here.
    only_format_errors(data)


@FUZZ
@given(JSON)
def test_arbitrary_json_raises_nothing_but_format_error(value: object) -> None:
    only_format_errors(json.dumps(value).encode())


@FUZZ
@given(
    st.sampled_from(SAMPLES),
    st.integers(min_value=0, max_value=80_000),
    st.binary(min_size=0, max_size=8),
)
def test_mutated_and_truncated_samples_raise_nothing_but_format_error(
    path: Path, cut: int, noise: bytes
) -> None:
    data = path.read_bytes()
    cut %= len(data)
    only_format_errors(data[:cut])
    only_format_errors(data[:cut] + noise + data[cut + len(noise) :])


@FUZZ
@given(
    st.sampled_from([TEXT, AGENT]),
    st.lists(st.tuples(st.integers(min_value=0, max_value=20), st.text(max_size=30), JSON)),
)
def test_real_rows_with_arbitrary_cells_raise_nothing_but_format_error(
    path: Path, edits: list[tuple[int, str, object]]
) -> None:
    rows = json.loads(path.read_bytes())[:20]
    columns = list(rows[0])
    for index, column, value in edits:
        rows[index % len(rows)][columns[len(column) % len(columns)]] = value
    only_format_errors(json.dumps(rows).encode())
    only_format_errors(envelope(rows, total=len(rows)))
