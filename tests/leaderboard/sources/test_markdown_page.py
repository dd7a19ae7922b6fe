"""The daily markdown leaderboard page, in every layout it has had (real samples)."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard.boards import BoardKey
from leaderboard.ranking import positions
from leaderboard.sources.base import FormatError, RowData, SnapshotData
from leaderboard.sources.markdown_page import MarkdownPageAdapter
from leaderboard.sources.names import LOGO_ORGANIZATIONS
from tests.paths import UPSTREAM

SAMPLES = UPSTREAM / "markdown-cherry"
SEED = SAMPLES / "seed_en_2025-11-18.md"
GLUED_SPREADS = SAMPLES / "lmarena_md_2026-02-10_spread-digits-glued_org-license-in-model.md"
ALL_SAMPLES = sorted(SAMPLES.glob("*.md"))

adapter = MarkdownPageAdapter()


def parse(data: bytes) -> list[SnapshotData]:
    return adapter.parse(data, hint=BoardKey()).snapshots


def only_snapshot(path: Path) -> SnapshotData:
    snapshots = parse(path.read_bytes())
    assert len(snapshots) == 1
    return snapshots[0]


def row_named(snapshot: SnapshotData, model: str) -> RowData:
    (row,) = [row for row in snapshot.rows if row.model == model]
    return row


# --- the seed page -------------------------------------------------------------------------


def test_seed_page_parses_266_rows_ranked_1_to_266() -> None:
    snapshot = only_snapshot(SEED)
    assert len(snapshot.rows) == 266
    assert [row.rank for row in snapshot.rows] == list(range(1, 267))
    assert snapshot.rank_kind == "position"
    assert (snapshot.arena, snapshot.category, snapshot.style_control) == ("text", "overall", None)
    assert snapshot.published_on == dt.date(2025, 11, 18)
    assert snapshot.metric == "elo"


def test_seed_first_row_is_preliminary_grok_with_its_interval_and_spread() -> None:
    first = only_snapshot(SEED).rows[0]
    assert first.model == "grok-4.1-thinking"
    assert first.score == 1483
    assert first.preliminary is True
    assert (first.rating_lower, first.rating_upper) == (1472, 1494)
    assert first.votes == 3298
    assert (first.rank_upper, first.rank_lower) == (1, 2)
    assert (first.organization, first.license) == ("xAI", "Proprietary")
    assert first.raw_model == ""


def test_seed_row_4_has_its_anthropic_logo_removed() -> None:
    row = only_snapshot(SEED).rows[3]
    assert row.model == "claude-sonnet-4-5-20250929-thinking-32k"
    assert row.organization == "Anthropic"
    assert row.raw_model == "Anthropicclaude-sonnet-4-5-20250929-thinking-32k"
    assert not row.name_uncertain
    assert row.preliminary is False


def test_seed_last_rows_and_tricky_names() -> None:
    snapshot = only_snapshot(SEED)
    last = snapshot.rows[-1]
    assert (last.model, last.score, last.votes) == ("stablelm-tuned-alpha-7b", 949, 3325)
    assert (last.rank_upper, last.rank_lower, last.license) == (264, 266, "CC-BY-NC-SA-4.0")
    assert snapshot.rows[264].model == "llama-13b"
    assert row_named(snapshot, "kimi-k2-thinking").raw_model == "MoonshotAIkimi-k2-thinking"
    assert row_named(snapshot, "phi-4").organization == "Microsoft"
    assert row_named(snapshot, "yi-lightning").organization == "01 AI"
    assert row_named(snapshot, "RWKV-4-Raven-14B").raw_model == "RWKVRWKV-4-Raven-14B"
    assert row_named(snapshot, "Meta-Llama-3.1-70B-Instruct").organization == "Meta"
    assert row_named(snapshot, "gemini-2.5-pro").raw_model == ""


def test_seed_generated_at_is_the_data_update_time_in_utc() -> None:
    result = adapter.parse(SEED.read_bytes(), hint=BoardKey())
    assert result.generated_at == dt.datetime(2025, 11, 18, 8, 8, 22, tzinfo=dt.UTC)
    assert result.format == "markdown"
    assert result.warnings == []


# --- every layout ----------------------------------------------------------------------------

EXPECTED = {
    # file: (rows, rank_kind, arena, published_on, first model, first score, last model)
    "lmarena_md_2025-01-17_laf-api-rankUB-stylectrl.md": (
        161,
        "ub",
        "text",
        dt.date(2025, 1, 15),
        "Gemini-Exp-1206",
        1374,
        "LLaMA-13B",
    ),
    "lmarena_md_2025-06-27_fboulnois-csv-links-license.md": (
        209,
        "ub",
        "text",
        dt.date(2025, 6, 27),
        "Gemini-2.5-Pro",
        1477,
        "LLaMA-13B",
    ),
    "lmarena_md_2025-10-10_html-rankUB-glued-org.md": (
        255,
        "ub",
        "text",
        dt.date(2025, 10, 10),
        "gemini-2.5-pro",
        1452,
        "stablelm-tuned-alpha-7b",
    ),
    "lmarena_md_2025-11-02_html-rankUB-model-links.md": (
        258,
        "ub",
        "text",
        dt.date(2025, 11, 2),
        "gemini-2.5-pro",
        1451,
        "stablelm-tuned-alpha-7b",
    ),
    "lmarena_md_2025-11-15_rank-spread-upper-lower.md": (
        264,
        "position",
        "text",
        dt.date(2025, 11, 15),
        "gemini-2.5-pro",
        1452,
        "stablelm-tuned-alpha-7b",
    ),
    "lmarena_md_2025-12-20_rank-spread.md": (
        289,
        "position",
        "text",
        dt.date(2025, 12, 20),
        "gemini-3-pro",
        1490,
        "stablelm-tuned-alpha-7b",
    ),
    "lmarena_md_2026-02-10_spread-digits-glued_org-license-in-model.md": (
        303,
        "position",
        "text",
        dt.date(2026, 2, 10),
        "claude-opus-4-6-thinking",
        1504,
        "stablelm-tuned-alpha-7b",
    ),
    "lmarena_md_2026-03-11_price-context.md": (
        323,
        "position",
        "text",
        dt.date(2026, 3, 11),
        "claude-opus-4-6",
        1504,
        "stablelm-tuned-alpha-7b",
    ),
    "seed_en_2025-11-18.md": (
        266,
        "position",
        "text",
        dt.date(2025, 11, 18),
        "grok-4.1-thinking",
        1483,
        "stablelm-tuned-alpha-7b",
    ),
    "text_md_2026-08-21_arena-ai-multiboard.md": (
        30,
        "position",
        "text",
        dt.date(2026, 8, 21),
        "claude-fable-5",
        1507,
        "gemini-3-flash",
    ),
    "text-to-image_md_2026-08-21_arena-ai-multiboard.md": (
        30,
        "position",
        "text-to-image",
        dt.date(2026, 8, 21),
        "gpt-image-2 (medium)",
        1381,
        "gemini-2.5-flash-image-preview (nano-banana)",
    ),
    "code-webdev_md_2026-08-21_arena-ai-multiboard.md": (
        30,
        "position",
        "webdev",
        dt.date(2026, 8, 21),
        "claude-opus-5-max",
        1691,
        "glm-5.1",
    ),
    "agent_md_2026-08-21_arena-ai-multiboard.md": (
        30,
        "position",
        "agent",
        dt.date(2026, 8, 21),
        "Claude Opus 5 (High)",
        12.47,
        "Gemini 3.5 Flash (High)",
    ),
}


def test_every_sample_file_has_an_expectation() -> None:
    assert sorted(path.name for path in ALL_SAMPLES) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_layout_parses_to_one_board_with_expected_rows(name: str) -> None:
    rows, rank_kind, arena, published_on, first, first_score, last = EXPECTED[name]
    snapshot = only_snapshot(SAMPLES / name)
    assert len(snapshot.rows) == rows
    assert snapshot.rank_kind == rank_kind
    assert (snapshot.arena, snapshot.category) == (arena, "overall")
    assert snapshot.published_on == published_on
    assert (snapshot.rows[0].model, snapshot.rows[0].score) == (first, first_score)
    assert snapshot.rows[-1].model == last
    assert all(row.votes and row.votes > 0 for row in snapshot.rows)
    assert all(
        row.rating_lower is not None
        and row.rating_upper is not None
        and row.rating_lower <= row.score <= row.rating_upper
        for row in snapshot.rows
    )


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=lambda path: path.name)
def test_position_ranks_run_1_to_n_and_ub_ranks_never_exceed_position(path: Path) -> None:
    snapshot = only_snapshot(path)
    ranks = [row.rank for row in snapshot.rows]
    if snapshot.rank_kind == "position":
        assert ranks == list(range(1, len(ranks) + 1))
    else:
        by_score = positions([row.score for row in snapshot.rows])
        assert all(
            rank is not None and rank <= place for rank, place in zip(ranks, by_score, strict=True)
        )


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=lambda path: path.name)
def test_no_parsed_name_keeps_a_glued_logo_or_organisation(path: Path) -> None:
    for row in only_snapshot(path).rows:
        for logo in LOGO_ORGANIZATIONS:
            rest = row.model[len(logo) :]
            assert not (row.model.startswith(logo) and rest[:1].islower()), row
        if row.organization:
            compact = row.organization.replace(" ", "")
            for prefix in {row.organization, compact, row.organization.split()[0]}:
                rest = row.model[len(prefix) :]
                assert not (row.model.startswith(prefix) and rest[:1].islower()), row
            assert not row.model.endswith(row.organization), row
        assert " · " not in row.model
        assert "[" not in row.model.replace("[web-search]", "")
        assert "<" not in row.model
        assert not row.name_uncertain, row


def test_glued_spread_digits_are_split_around_the_rank() -> None:
    snapshot = only_snapshot(GLUED_SPREADS)
    for row in snapshot.rows:
        assert row.rank_upper is not None
        assert row.rank_lower is not None
        assert row.rank is not None
        assert row.rank_upper <= row.rank <= row.rank_lower, row
    # "1121" for rank 13 could be 1◄─►121 or 11◄─►21: the intervals say 11◄─►21.
    row_13 = snapshot.rows[12]
    assert row_13.model == "claude-sonnet-4-5-20250929-thinking-32k"
    assert (row_13.rank_upper, row_13.rank_lower) == (11, 21)
    # "110132" for rank 123: 110◄─►132, not 1◄─►10132.
    assert (snapshot.rows[122].rank_upper, snapshot.rows[122].rank_lower) == (110, 132)


def test_glued_org_license_layout_fills_organisation_and_license() -> None:
    snapshot = only_snapshot(GLUED_SPREADS)
    first = snapshot.rows[0]
    assert (first.organization, first.license) == ("Anthropic", "Proprietary")
    assert first.raw_model == "Anthropicclaude-opus-4-6-thinkingAnthropic · Proprietary"
    ernie = snapshot.rows[10]
    assert (ernie.model, ernie.score, ernie.preliminary) == ("ernie-5.0-0110", 1451, True)
    assert (ernie.rating_lower, ernie.rating_upper) == (1444, 1458)
    assert (ernie.rank_upper, ernie.rank_lower) == (9, 22)


def test_price_context_layout_reads_glm_5_by_header() -> None:
    glm = row_named(only_snapshot(SAMPLES / "lmarena_md_2026-03-11_price-context.md"), "glm-5")
    assert (glm.organization, glm.license, glm.votes) == ("Z.ai", "MIT", 8095)
    assert (glm.rank, glm.rank_upper, glm.rank_lower) == (18, 12, 31)


def test_2025_01_layout_reads_asymmetric_intervals_and_ub_ties() -> None:
    snapshot = only_snapshot(SAMPLES / "lmarena_md_2025-01-17_laf-api-rankUB-stylectrl.md")
    first = snapshot.rows[0]
    assert (first.rating_lower, first.rating_upper, first.votes) == (1369, 1378, 20227)
    assert [row.rank for row in snapshot.rows[:4]] == [1, 1, 1, 2]
    yi = row_named(snapshot, "Yi-Lightning")
    assert (yi.rank, yi.organization, yi.license) == (11, "01 AI", "")
    assert all(row.preliminary is None and row.rank_upper is None for row in snapshot.rows)


def test_2025_06_layout_takes_names_and_urls_from_links() -> None:
    snapshot = only_snapshot(SAMPLES / "lmarena_md_2025-06-27_fboulnois-csv-links-license.md")
    first = snapshot.rows[0]
    assert first.url == "http://aistudio.google.com/app/prompts/new_chat?model=gemini-2.5-pro"
    assert (first.license, first.raw_model) == ("Proprietary", "")
    assert snapshot.rows[-1].url == "https://arxiv.org/abs/2302.13971"


def test_2025_10_layout_marks_preliminary_rows_and_false_elsewhere() -> None:
    snapshot = only_snapshot(SAMPLES / "lmarena_md_2025-10-10_html-rankUB-glued-org.md")
    preliminary = sorted(row.model for row in snapshot.rows if row.preliminary)
    assert preliminary == ["ling-flash-2.0", "ring-flash-2.0"]
    assert row_named(snapshot, "ling-flash-2.0").score == 1349
    assert all(row.preliminary is False for row in snapshot.rows if row.model not in preliminary)


def test_2025_11_02_layout_never_carries_preliminary_and_has_footnote_links() -> None:
    snapshot = only_snapshot(SAMPLES / "lmarena_md_2025-11-02_html-rankUB-model-links.md")
    assert all(row.preliminary is None for row in snapshot.rows)
    sonnet = snapshot.rows[2]
    assert sonnet.model == "claude-sonnet-4-5-20250929-thinking-32k"
    assert sonnet.url == "https://www.anthropic.com/news/claude-sonnet-4-5"
    assert sonnet.raw_model == ""


def test_2025_12_layout_spread_and_logo_on_preliminary_row() -> None:
    snapshot = only_snapshot(SAMPLES / "lmarena_md_2025-12-20_rank-spread.md")
    row = snapshot.rows[126]
    assert row.model == "nvidia-nemotron-3-nano-30b-a3b-bf16"
    assert (row.rank_upper, row.rank_lower, row.preliminary) == (106, 153, True)
    assert sum(1 for row in snapshot.rows if row.preliminary) == 8


def test_webdev_board_reads_double_plus_intervals_and_trailing_preliminary() -> None:
    snapshot = only_snapshot(SAMPLES / "code-webdev_md_2026-08-21_arena-ai-multiboard.md")
    qwen = snapshot.rows[2]
    assert (qwen.model, qwen.score, qwen.preliminary) == ("qwen3.8-max", 1669, True)
    assert (qwen.rating_lower, qwen.rating_upper, qwen.votes) == (1656, 1682, 3210)
    assert (qwen.rank_upper, qwen.rank_lower) == (2, 4)
    assert qwen.url == "https://www.qwencloud.com/models/qwen3.8-max"
    assert snapshot.rows[6].model == "gpt-5.6-sol-xhigh (codex-harness)"


def test_text_to_image_board_reads_parenthesised_symmetric_intervals() -> None:
    snapshot = only_snapshot(SAMPLES / "text-to-image_md_2026-08-21_arena-ai-multiboard.md")
    grok = snapshot.rows[2]
    assert (grok.model, grok.score, grok.preliminary) == (
        "grok-imagine-image-2.0 (low)",
        1316,
        True,
    )
    assert (grok.rating_lower, grok.rating_upper) == (1304, 1328)
    assert snapshot.rows[-1].votes == 824571


def test_agent_board_uses_net_improvement_as_a_non_elo_score() -> None:
    snapshot = only_snapshot(SAMPLES / "agent_md_2026-08-21_arena-ai-multiboard.md")
    assert snapshot.metric == "score"
    first = snapshot.rows[0]
    assert first.rating_lower == pytest.approx(10.93)
    assert first.rating_upper == pytest.approx(14.01)
    assert (first.votes, first.rank_upper, first.rank_lower) == (19787, 1, 6)
    assert all(row.preliminary is None for row in snapshot.rows)
    deepseek = snapshot.rows[13]
    assert deepseek.model == "DeepSeek V4 Pro (High) (0813)"
    assert (deepseek.organization, deepseek.license) == ("DeepSeek", "MIT")


# --- synthetic pages -------------------------------------------------------------------------

HEADER = "| Rank | Model | Score | Votes |\n|---:|:---|:---|---:|\n"


def test_two_boards_on_one_page_become_two_snapshots_with_their_own_arenas() -> None:
    page = (
        "# 文本榜单\n[Arena AI](https://arena.ai/leaderboard/text)\n\n"
        "> **数据更新时间**: 2026-08-21 08:35:38 UTC\n\n"
        "| 排名 | 排名区间 | 模型 | 分数 | 票数 |\n|---:|:---|:---|:---|---:|\n"
        "| 1 | 1-2 | a [<sup>1</sup>](https://a.example/) | 1500 (±5) | 1,000 |\n"
        "| 2 | 1-2 | b | 1490 (±5) Preliminary | 900 |\n\n"
        "# 视觉榜单\n[Arena AI](https://arena.ai/leaderboard/vision)\n\n"
        "| 排名 | 排名区间 | 模型 | 分数 | 票数 |\n|---:|:---|:---|:---|---:|\n"
        "| 1 | 1-1 | c | 1300 (+6/-4) | 500 |\n"
    ).encode()
    text, vision = parse(page)
    assert (text.arena, vision.arena) == ("text", "vision")
    assert [row.model for row in text.rows] == ["a", "b"]
    assert [row.preliminary for row in text.rows] == [False, True]
    assert text.rows[0].url == "https://a.example/"
    assert (vision.rows[0].rating_lower, vision.rows[0].rating_upper) == (1296, 1306)
    assert vision.published_on == dt.date(2026, 8, 21)


def test_unsafe_model_links_are_dropped() -> None:
    page = (HEADER + "| 1 | [m](javascript:alert(1)) | 1400 | 10 |\n").encode()
    (snapshot,) = parse(page)
    assert (snapshot.rows[0].model, snapshot.rows[0].url) == ("m", "")


def test_page_without_arena_hint_leaves_board_to_the_caller() -> None:
    (snapshot,) = parse((HEADER + "| 1 | m | 1400 | 10 |\n").encode())
    assert (snapshot.arena, snapshot.category, snapshot.published_on) == (None, None, None)


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (b"# nothing here\n", "no markdown table"),
        (HEADER.encode(), "no rows"),
        ((HEADER + "| 1 | m | 1400 |\n").encode(), "3 cells"),
        ((HEADER + "| 1 | m | n/a | 10 |\n").encode(), "not a number"),
        ((HEADER + "| one | m | 1400 | 10 |\n").encode(), "not a whole number"),
        ((HEADER + "| 1 |  | 1400 | 10 |\n").encode(), "model cell is empty"),
        (b"\xff\xfe| Rank | Model |", "not UTF-8"),
    ],
)
def test_broken_pages_raise_format_error_with_a_clear_message(page: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse(page)


def test_truncated_seed_is_rejected() -> None:
    data = SEED.read_bytes()
    cut = data.index(b"| Anthropicclaude-opus-4-1-20250805 ") + 20
    with pytest.raises(FormatError, match="cells"):
        parse(data[:cut])


def test_unreadable_glued_spread_is_left_empty_with_a_warning() -> None:
    page = (
        "| Rank | Rank Spread | Model | Score | Votes |\n|---:|---:|:---|:---|---:|\n"
        "| 5 | 12 | m | 1400±5 | 10 |\n"
    ).encode()
    result = adapter.parse(page, hint=BoardKey())
    row = result.snapshots[0].rows[0]
    assert (row.rank_upper, row.rank_lower) == (None, None)
    assert "rank spread" in result.warnings[0]


# --- sniffing --------------------------------------------------------------------------------


def test_sniff_rejects_a_markdown_table_that_is_not_a_leaderboard() -> None:
    assert not adapter.sniff((UPSTREAM / "SOURCES.md").read_bytes())


# --- robustness ------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=len(ALL_SAMPLES) - 1),
    cut=st.floats(min_value=0, max_value=1),
    flips=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1), st.binary(max_size=3)), max_size=4
    ),
)
def test_mutated_and_truncated_samples_raise_nothing_but_format_error(
    index: int, cut: float, flips: list[tuple[float, bytes]]
) -> None:
    data = bytearray(ALL_SAMPLES[index].read_bytes())
    for where, replacement in flips:
        at = int(where * (len(data) - 1))
        data[at : at + len(replacement)] = replacement
    data = data[: max(1, int(cut * len(data)))]
    assert adapter.sniff(bytes(data)) in {True, False}
    with contextlib.suppress(FormatError):
        parse(bytes(data))


@pytest.mark.parametrize(
    "row",
    [
        "| 1 | 1¹² | m | 1400±5 | 10 |",
        "| 1 | " + "9" * 5000 + " | m | 1400±5 | 10 |",
        "| 1 | 1-" + "9" * 5000 + " | m | 1400±5 | 10 |",
    ],
)
def test_absurd_spread_cells_are_left_empty(row: str) -> None:
    page = "| Rank | Rank Spread | Model | Score | Votes |\n|---:|---:|:---|:---|---:|\n" + row
    (snapshot,) = parse(page.encode())
    assert snapshot.rows[0].rank_upper is None


def test_score_too_large_for_a_float_is_rejected() -> None:
    with pytest.raises(FormatError, match="finite"):
        parse((HEADER + "| 1 | m | " + "9" * 400 + " | 10 |\n").encode())


# --- price and context (2026 layouts) ------------------------------------------------------

PRICE_CONTEXT = SAMPLES / "lmarena_md_2026-03-11_price-context.md"


def price_context_cells(
    path: Path, price_header: str, context_header: str
) -> list[tuple[str, str]]:
    """The page's own Price and Context cells, read by splitting rows on pipes (no adapter)."""
    lines = [line for line in path.read_text().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    price, context = header.index(price_header), header.index(context_header)
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    return [(cells[price], cells[context]) for cells in rows]


def test_the_2026_03_page_gives_price_and_context_for_every_row_that_has_them() -> None:
    cells = price_context_cells(PRICE_CONTEXT, "Price $/M", "Context")
    rows = only_snapshot(PRICE_CONTEXT).rows

    assert len(rows) == len(cells) == 323
    priced = [row for row in rows if row.price_input is not None]
    assert len(priced) == sum(price != "N/A" for price, _ in cells) == 238
    with_context = [row for row in rows if row.context_tokens is not None]
    assert len(with_context) == sum(context != "N/A" for _, context in cells) == 209
    assert all(row.price_output is not None for row in priced)


@pytest.mark.parametrize(
    ("model", "price_input", "price_output", "context"),
    [
        ("claude-opus-4-6", "5", "25", 1_000_000),
        ("gpt-5.1-high", "1.25", "10", 400_000),
        ("glm-5", "0.72", "2.30", 202_800),
        ("gpt-5.2-chat-latest-20260210", "1.75", "14", 128_000),
        ("gpt-5.4-high", "2.50", "15", 1_100_000),
        ("grok-4.1-thinking", "0.20", "0.50", None),  # a price without a context
        ("grok-4.20-beta1", None, None, None),  # N/A / N/A
    ],
)
def test_the_2026_03_page_reads_prices_as_dollars_per_million_and_context_as_tokens(
    model: str, price_input: str | None, price_output: str | None, context: int | None
) -> None:
    row = row_named(only_snapshot(PRICE_CONTEXT), model)

    assert row.price_input == (Decimal(price_input) if price_input else None)
    assert row.price_output == (Decimal(price_output) if price_output else None)
    assert row.context_tokens == context


@pytest.mark.parametrize(
    ("sample", "rows_priced", "rows_with_context"),
    [
        ("text_md_2026-08-21_arena-ai-multiboard.md", 27, 24),
        ("code-webdev_md_2026-08-21_arena-ai-multiboard.md", 29, 26),
    ],
)
def test_the_2026_08_pages_read_the_chinese_price_and_context_headers(
    sample: str, rows_priced: int, rows_with_context: int
) -> None:
    path = SAMPLES / sample
    cells = price_context_cells(path, "价格 $/百万Token", "上下文")
    rows = only_snapshot(path).rows

    assert sum(price != "N/A" for price, _ in cells) == rows_priced
    assert sum(row.price_input is not None for row in rows) == rows_priced
    assert sum(context != "N/A" for _, context in cells) == rows_with_context
    assert sum(row.context_tokens is not None for row in rows) == rows_with_context


def test_layouts_without_price_columns_leave_price_and_context_unknown() -> None:
    for path in (SEED, SAMPLES / "text-to-image_md_2026-08-21_arena-ai-multiboard.md"):
        rows = only_snapshot(path).rows
        assert {(r.price_input, r.price_output, r.context_tokens) for r in rows} == {
            (None, None, None)
        }
