"""GradioHtmlAdapter against the Gradio-era lmarena.ai page source (2025-03-28)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard.boards import BoardKey
from leaderboard.sources.base import FormatError, ParseResult, SnapshotData
from leaderboard.sources.gradio_html import GradioHtmlAdapter
from tests.paths import UPSTREAM

PAGE = UPSTREAM / "html-gradio" / "lmarena_gradio_page_source_2025-03-28.html"
ADAPTER = GradioHtmlAdapter()
KEPT_TYPES = {"tabitem", "dataframe", "dropdown", "radio", "checkboxgroup", "markdown"}


@functools.cache
def real_config_json() -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = re.search(r"window\.gradio_config\s*=\s*", text)
    assert start is not None
    config, _ = json.JSONDecoder().raw_decode(text, start.end())
    return json.dumps(config)


def slim_config() -> dict[str, Any]:
    """The real layout and controls with three rows per frame and short markdown."""
    config = json.loads(real_config_json())
    components = []
    for component in config["components"]:
        if component["type"] not in KEPT_TYPES:
            continue
        props = component["props"]
        if component["type"] == "dataframe":
            props["value"] = {
                "headers": props["value"]["headers"],
                "data": props["value"]["data"][:3],
            }
        if component["type"] == "markdown":
            props["value"] = str(props.get("value", ""))[:120]
        if component["type"] == "dropdown":
            props["choices"] = props["choices"][:5]
        components.append(component)
    return {"version": config["version"], "components": components, "layout": config["layout"]}


def page(config: dict[str, Any]) -> bytes:
    return f"<html><script>window.gradio_config = {json.dumps(config)};</script></html>".encode()


def edited(change: Callable[[dict[str, Any]], None]) -> ParseResult:
    config = slim_config()
    for component in config["components"]:
        change(component)
    return ADAPTER.parse(page(config), hint=BoardKey())


@pytest.fixture(scope="module")
def result() -> ParseResult:
    return ADAPTER.parse(PAGE.read_bytes(), hint=BoardKey())


def board(result: ParseResult, arena: str) -> SnapshotData:
    return next(snapshot for snapshot in result.snapshots if snapshot.arena == arena)


def test_real_page_gives_four_identified_boards(result: ParseResult) -> None:
    assert result.format == "gradio-html"
    identities = [
        (s.arena, s.category, s.style_control, s.published_on, s.rank_kind, len(s.rows))
        for s in result.snapshots
    ]
    assert identities == [
        ("text", "overall", False, dt.date(2025, 3, 25), "ub", 183),
        ("vision", "overall", False, dt.date(2025, 3, 25), "ub", 48),
        ("text-to-image", "overall", None, dt.date(2025, 3, 19), "ub", 8),
        ("copilot", "code-completion", None, None, "ub", 13),
    ]


def test_frames_that_are_not_boards_are_skipped_with_warnings(result: ParseResult) -> None:
    assert result.warnings == [
        "dataframe 216 (Model, Overall, Overall w/ Style Control, Hard Prompts…): "
        "no arena score; skipped",
        "dataframe 221 (Model, English, Chinese, German…): no arena score; skipped",
        "dataframe 298 (Rank* (UB), Model, Win-rate, 95% CI…): no arena score; skipped",
        "dataframe 313: no rows; skipped",
    ]


def test_text_board_rows_come_out_of_the_anchor_cells(result: ParseResult) -> None:
    rows = board(result, "text").rows
    first = rows[0]
    assert (first.model, first.score, first.rank, first.votes) == (
        "Gemini-2.5-Pro-Exp-03-25",
        1443.0,
        1,
        3474,
    )
    assert (first.rating_lower, first.rating_upper) == (1435.0, 1454.0)  # +11/-8
    assert (
        first.url
        == "http://aistudio.google.com/app/prompts/new_chat?model=gemini-2.5-pro-exp-03-25"
    )
    assert (first.organization, first.license) == ("Google", "Proprietary")
    grok = rows[2]
    # "Rank (StyleCtrl)" says 4: that is the other board's rank, not this one's
    assert (grok.model, grok.rank) == ("Grok-3-Preview-02-24", 2)
    assert (rows[-1].model, rows[-1].rank, rows[-1].score) == ("LLaMA-13B", 182, 800.0)
    assert all("<" not in row.model for row in rows)


def test_vision_and_image_boards_keep_their_own_rows(result: ParseResult) -> None:
    vision = board(result, "vision").rows
    assert (vision[1].model, vision[1].rank) == ("ChatGPT-4o-latest (2025-03-26)", 1)
    assert vision[-1].model == "Phi-3-Vision-128K-Instruct"
    image = board(result, "text-to-image").rows
    flux = next(row for row in image if row.model == "FLUX.1 [dev] (fp8)")
    assert (flux.score, flux.rating_lower, flux.rating_upper) == (974.0, 971.0, 976.0)
    assert flux.url == "https://fireworks.ai/models/fireworks/flux-1-dev-fp8"


def test_copilot_markdown_links_and_spaced_intervals_are_read(result: ParseResult) -> None:
    rows = board(result, "copilot").rows
    first = rows[0]
    assert (first.model, first.url) == (
        "Deepseek V2.5 (FIM)",
        "https://huggingface.co/deepseek-ai/DeepSeek-V2.5",
    )
    assert (first.score, first.rating_lower, first.rating_upper) == (1029.0, 1014.0, 1043.0)
    assert (rows[-1].model, rows[-1].rank) == ("GPT-4o-mini (07/18)", 12)


def test_slim_copy_of_the_page_keeps_every_identity(result: ParseResult) -> None:
    slim = ADAPTER.parse(page(slim_config()), hint=BoardKey())
    assert [(s.arena, s.category, s.style_control, s.published_on) for s in slim.snapshots] == [
        (s.arena, s.category, s.style_control, s.published_on) for s in result.snapshots
    ]
    assert all(len(s.rows) == 3 for s in slim.snapshots)


def test_ticked_style_control_filter_marks_the_board_style_controlled() -> None:
    def tick(component: dict[str, Any]) -> None:
        if component["id"] == 189:  # the Language tab's "Apply filter" group
            component["props"]["value"] = ["Style Control"]

    assert edited(tick).snapshots[0].style_control is True


def test_chosen_category_names_the_board() -> None:
    def choose(component: dict[str, Any]) -> None:
        if component["id"] == 186:  # the Language tab's Category dropdown
            component["props"]["value"] = "Hard Prompts"

    assert edited(choose).snapshots[0].category == "hard-prompts"


def test_unknown_tab_leaves_arena_to_the_caller_with_a_warning() -> None:
    def rename(component: dict[str, Any]) -> None:
        if component["id"] == 182:
            component["props"]["label"] = "🧪 Mystery"

    result = edited(rename)
    assert (result.snapshots[0].arena, result.snapshots[0].category) == (None, None)
    assert "dataframe 193: arena unknown (tab '🧪 Mystery'); left to the caller" in result.warnings


def test_missing_category_control_is_a_warning() -> None:
    def drop(component: dict[str, Any]) -> None:
        if component["id"] == 186:
            component["type"] = "textbox"

    result = edited(drop)
    assert result.snapshots[0].arena == "text"
    assert result.snapshots[0].category is None
    assert "dataframe 193: no category control in tab '💬 Language'" in result.warnings


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"<html><body>Leaderboard</body></html>", "no window.gradio_config"),
        (b'<script>window.gradio_config = {"components": [', "not readable JSON"),
        (b"<script>window.gradio_config = [1];</script>", "not a JSON object"),
        (b'<script>window.gradio_config = {"components": []};</script>', "no leaderboard"),
        (b"window.gradio_config = " + b"[" * 100_000, "not readable JSON"),
    ],
)
def test_broken_pages_raise_format_error(payload: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        ADAPTER.parse(payload, hint=BoardKey())


def test_cut_page_is_an_error() -> None:
    data = PAGE.read_bytes()
    with pytest.raises(FormatError, match="not readable JSON"):
        ADAPTER.parse(data[: len(data) // 10], hint=BoardKey())


def test_row_without_score_is_an_error() -> None:
    def blank_score(component: dict[str, Any]) -> None:
        if component["id"] == 241:
            component["props"]["value"]["data"][1][3] = ""

    with pytest.raises(FormatError, match="dataframe 241 row 2: no model name or no score"):
        edited(blank_score)


def test_sniff_recognises_the_page() -> None:
    assert ADAPTER.sniff(PAGE.read_bytes())
    assert ADAPTER.sniff(page(slim_config()))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.booleans())
def test_arbitrary_bytes_raise_only_format_error(data: bytes, marked: bool) -> None:
    payload = b"window.gradio_config = " + data if marked else data
    assert isinstance(ADAPTER.sniff(payload), bool)
    with contextlib.suppress(FormatError):
        ADAPTER.parse(payload, hint=BoardKey())


SLIM = page(slim_config())


@settings(max_examples=200, deadline=None)
@given(
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=len(SLIM))),
    position=st.integers(min_value=0, max_value=len(SLIM) - 1),
    byte=st.integers(min_value=0, max_value=255),
)
def test_mutated_slim_page_raises_only_format_error(
    length: int | None, position: int, byte: int
) -> None:
    data = bytearray(SLIM)
    data[position] = byte
    mutated = bytes(data[:length])
    assert isinstance(ADAPTER.sniff(mutated), bool)
    try:
        result = ADAPTER.parse(mutated, hint=BoardKey())
    except FormatError:
        return
    assert result.snapshots
    assert all(snapshot.rows for snapshot in result.snapshots)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_structurally_mangled_configs_raise_only_format_error(data: st.DataObject) -> None:
    config = slim_config()
    junk: st.SearchStrategy[object] = st.one_of(
        st.none(), st.integers(), st.text(max_size=5), st.just([]), st.just({})
    )
    for component in config["components"]:
        if data.draw(st.integers(min_value=0, max_value=9)) == 0:
            key = data.draw(st.sampled_from(["id", "type", "props"]))
            component[key] = data.draw(junk)
        elif component.get("type") == "dataframe" and data.draw(st.booleans()):
            value = component["props"]["value"]
            key = data.draw(st.sampled_from(["headers", "data"]))
            value[key] = data.draw(st.one_of(junk, st.lists(junk, max_size=3)))
    try:
        result = ADAPTER.parse(page(config), hint=BoardKey())
    except FormatError:
        return
    assert all(snapshot.rows for snapshot in result.snapshots)
