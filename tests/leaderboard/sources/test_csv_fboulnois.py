"""FboulnoisCsvAdapter against every fboulnois/llm-leaderboard-csv sample."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from leaderboard.boards import BoardKey
from leaderboard.sources.base import FormatError, SnapshotData
from leaderboard.sources.csv_fboulnois import FboulnoisCsvAdapter
from tests.leaderboard.sources.mutation import mutations, parse_or_format_error
from tests.paths import UPSTREAM

FAMILY = UPSTREAM / "csv-fboulnois"
SAMPLES = sorted(FAMILY.glob("*.csv"))
ADAPTER = FboulnoisCsvAdapter()


def snapshot_of(name: str) -> SnapshotData:
    result = ADAPTER.parse((FAMILY / name).read_bytes(), hint=BoardKey())
    assert result.format == "fboulnois-csv"
    assert len(result.snapshots) == 1
    return result.snapshots[0]


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("lmsys_csv_2024-06-19_arena_elo.csv", 109),
        ("lmsys_csv_2024-10-16_rank_stylectrl.csv", 152),
        ("lmsys_csv_2025-07-18.csv", 218),
        ("lmarena_text_csv_2025-08-04.csv", 266),
        ("lmarena_vision_csv_2025-08-04.csv", 86),
        ("lmarena_image_csv_2025-08-04.csv", 19),
    ],
)
def test_every_sample_is_one_no_style_control_overall_board_ranked_by_ub(
    name: str, count: int
) -> None:
    snapshot = snapshot_of(name)
    assert len(snapshot.rows) == count
    assert snapshot.arena is None  # the caller's hint names the arena
    assert snapshot.category == "overall"
    assert snapshot.style_control is False
    assert snapshot.rank_kind == "ub"
    assert snapshot.published_on is None
    assert all(
        row.rating_lower is not None and row.rating_upper is not None for row in snapshot.rows
    )
    assert all(row.votes is not None and row.rank is not None for row in snapshot.rows)


def test_every_sample_is_covered_by_the_count_table() -> None:
    assert len(SAMPLES) == 6


def test_arena_elo_variant_keeps_ties_and_asymmetric_intervals() -> None:
    rows = snapshot_of("lmsys_csv_2024-06-19_arena_elo.csv").rows
    first, second = rows[0], rows[1]
    assert (first.model, first.score, first.rank, first.votes) == (
        "GPT-4o-2024-05-13",
        1287,
        1,
        42046,
    )
    assert first.url == "https://openai.com/index/hello-gpt-4o/"
    assert (second.model, second.rank, second.rating_lower, second.rating_upper) == (
        "Gemini-Advanced-0514",
        2,
        1263.0,
        1270.0,
    )
    assert rows[2].rank == 2  # Rank (UB) ties
    assert (rows[-1].model, rows[-1].score, rows[-1].rank) == ("LLaMA-13B", 798.0, 108)
    assert (rows[-1].rating_lower, rows[-1].rating_upper) == (785.0, 812.0)


def test_gradio_variant_reads_rank_and_ignores_the_style_controlled_rank() -> None:
    rows = snapshot_of("lmsys_csv_2025-07-18.csv").rows
    grok = next(row for row in rows if row.model == "Grok-4-0709")
    # rank 2 on this board, rank_stylectrl 3 belongs to the other board
    assert (grok.rank, grok.score, grok.rating_lower, grok.rating_upper) == (2, 1443, 1435, 1450)
    assert (grok.organization, grok.license) == ("xAI", "Proprietary")
    assert rows[-1].model == "LLaMA-13B"
    assert rows[-1].rank == 218


def test_pkl_variant_takes_the_ub_rank_from_rank_stylectrl() -> None:
    rows = snapshot_of("lmarena_text_csv_2025-08-04.csv").rows
    assert [row.rank for row in rows[:4]] == [1, 2, 2, 2]  # `rank` says 1, 2, 3, 4
    glm = rows[2]
    assert (glm.model, glm.score, glm.organization, glm.license) == ("GLM-4.5", 1434, "Z.ai", "MIT")
    assert (rows[-1].model, rows[-1].rank, rows[-1].votes) == ("LLaMA-13B", 264, 2446)


def test_pkl_variant_ub_rank_may_exceed_the_row_count() -> None:
    # final_ranking was computed before rows without metadata were dropped
    rows = snapshot_of("lmarena_vision_csv_2025-08-04.csv").rows
    assert (rows[-1].model, rows[-1].rank) == ("Phi-3-Vision-128K-Instruct", 87)
    assert len(rows) == 86


def test_image_sample_names_with_brackets_survive() -> None:
    rows = snapshot_of("lmarena_image_csv_2025-08-04.csv").rows
    flux = next(row for row in rows if row.model.startswith("FLUX.1 [dev]"))
    assert (flux.model, flux.score, flux.rank) == ("FLUX.1 [dev] (fp8)", 966.0, 16)
    assert rows[-1].url == "https://huggingface.co/ByteDance-Seed/BAGEL-7B-MoT"


def test_cut_download_is_an_error_not_a_short_board() -> None:
    data = (FAMILY / "lmarena_text_csv_2025-08-04.csv").read_bytes()
    cut = data[: data.rindex(b"LLaMA-13B,") + len(b"LLaMA-13B,84")]
    with pytest.raises(FormatError, match="cell count"):
        ADAPTER.parse(cut, hint=BoardKey())


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "header lacks"),
        (b"rank,model,votes\n1,a,3\n", "header lacks 95_pct_ci, arena_score"),
        (b"rank,model,arena_score,95_pct_ci,votes\n", "no rows"),
        (b"rank,model,arena_score,95_pct_ci,votes\n1,a,,+1/-1,3\n", "no score"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_broken_payloads_raise_format_error(payload: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        ADAPTER.parse(payload, hint=BoardKey())


def test_symmetric_interval_gives_both_bounds() -> None:
    data = b"rank,model,arena_score,95_pct_ci,votes\n1,m,1400.5,\xc2\xb16,10\n"
    row = ADAPTER.parse(data, hint=BoardKey()).snapshots[0].rows[0]
    assert (row.rating_lower, row.rating_upper) == (1394.5, 1406.5)


@settings(max_examples=200, deadline=None)
@given(data=mutations([sample.read_bytes() for sample in SAMPLES]))
def test_mutated_samples_raise_only_format_error(data: bytes) -> None:
    result = parse_or_format_error(ADAPTER, data)
    if result is None:
        return
    assert result.snapshots
    assert result.snapshots[0].rows
