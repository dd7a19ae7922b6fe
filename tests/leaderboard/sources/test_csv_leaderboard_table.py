"""LeaderboardTableCsvAdapter against the HF space's leaderboard_table_*.csv samples."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from leaderboard.boards import BoardKey
from leaderboard.sources.base import FormatError, ModelMetadata, ParseResult
from leaderboard.sources.csv_leaderboard_table import LeaderboardTableCsvAdapter
from tests.leaderboard.sources.mutation import mutations, parse_or_format_error
from tests.paths import UPSTREAM

FAMILY = UPSTREAM / "csv-hf-leaderboard-table"
SAMPLES = sorted(FAMILY.glob("leaderboard_table_*.csv"))
ADAPTER = LeaderboardTableCsvAdapter()


def parse(name: str) -> ParseResult:
    result = ADAPTER.parse((FAMILY / name).read_bytes(), hint=BoardKey())
    assert result.format == "hf-leaderboard-table"
    return result


@pytest.mark.parametrize(
    ("name", "count", "last_key"),
    [
        ("leaderboard_table_20240109.csv", 68, "llama2-70b-steerlm-chat"),
        ("leaderboard_table_20240527.csv", 116, "gemini-1.5-flash-api-0514"),
        ("leaderboard_table_20250511.csv", 292, "imagen-3.0-generate-002"),
    ],
)
def test_keyed_tables_give_metadata_for_every_model_and_no_board(
    name: str, count: int, last_key: str
) -> None:
    result = parse(name)
    assert result.snapshots == []
    assert len(result.metadata) == count
    assert result.metadata[0] == ModelMetadata(
        model_key="wizardlm-30b",
        model="WizardLM-30B",
        organization="Microsoft",
        license="Non-commercial",
        url="https://huggingface.co/WizardLM/WizardLM-30B-V1.0",
    )
    assert result.metadata[-1].model_key == last_key
    assert all(meta.model_key and meta.model and meta.url for meta in result.metadata)


def test_repeated_yi_row_of_2025_table_is_dropped_with_a_warning() -> None:
    result = parse("leaderboard_table_20250511.csv")
    keys = [meta.model_key for meta in result.metadata]
    assert keys.count("yi-34b-chat") == 1
    assert result.warnings == ["1 repeated model rows dropped"]


def test_dash_placeholders_become_blank() -> None:
    result = parse("leaderboard_table_20250511.csv")
    dall_e = next(meta for meta in result.metadata if meta.model_key == "dall-e-3")
    assert (dall_e.model, dall_e.organization, dall_e.license) == (
        "DALL·E 3",
        "OpenAI",
        "Proprietary",
    )
    assert any(meta.license == "" for meta in result.metadata)  # the one "-" licence
    assert all(meta.license != "-" for meta in result.metadata)


def test_2023_table_gives_metadata_and_an_elo_board_without_dashed_rows() -> None:
    result = parse("leaderboard_table_20230619.csv")
    assert len(result.metadata) == 31
    assert result.metadata[0] == ModelMetadata(
        model_key="",
        model="GPT-4",
        license="Proprietary",
        url="https://openai.com/research/gpt-4",
    )
    assert len(result.snapshots) == 1
    board = result.snapshots[0]
    assert (board.arena, board.category, board.style_control) == ("text", "overall", False)
    assert board.published_on is None
    assert board.rank_kind is None
    assert len(board.rows) == 20
    scores = [row.score for row in board.rows]
    assert scores == sorted(scores, reverse=True)
    assert (board.rows[0].model, board.rows[0].score) == ("GPT-4", 1227.0)
    assert (board.rows[-1].model, board.rows[-1].score) == ("LLaMA-13B", 826.0)
    assert all(row.votes is None and row.rating_lower is None for row in board.rows)
    assert "Vicuna-33B" not in {row.model for row in board.rows}  # Elo "-"
    assert "GPT-3.5-turbo" in {row.model for row in board.rows}  # only its win rate is "-"
    assert result.warnings == [
        "no key column: metadata rows carry display names only",
        "11 rows without 'Arena Elo rating' left out of the board",
    ]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "header lacks Model, License, Link"),
        (b"key,Model,License\nk,M,MIT\n", "header lacks Link"),
        (b"key,Model,MMLU,License,Link\n", "no rows"),
        (b"key,Model,MMLU,License,Link\nk,,0.5,MIT,https://x.org\n", "no model name"),
        (b"Model,Arena Elo rating,License,Link\nA,-,MIT,https://x.org\n", "no value"),
        (b"key,Model,MMLU,License,Link\nk,M,0.5\n", "cell count"),
    ],
)
def test_broken_payloads_raise_format_error(payload: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        ADAPTER.parse(payload, hint=BoardKey())


def test_unsafe_links_are_dropped() -> None:
    data = b"key,Model,MMLU,License,Link\nk,M,0.5,MIT,javascript:alert(1)\n"
    assert ADAPTER.parse(data, hint=BoardKey()).metadata[0].url == ""


@settings(max_examples=200, deadline=None)
@given(data=mutations([sample.read_bytes() for sample in SAMPLES]))
def test_mutated_samples_raise_only_format_error(data: bytes) -> None:
    result = parse_or_format_error(ADAPTER, data)
    if result is None:
        return
    assert result.metadata
    assert all(snapshot.rows for snapshot in result.snapshots)
