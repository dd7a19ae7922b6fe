"""arena-catalog JSON: leaderboard-*.json (official and re-scraped) and scatterplot metadata."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaderboard.boards import BoardKey
from leaderboard.sources.arena_catalog import (
    ArenaCatalogAdapter,
    ScatterplotMetadataAdapter,
    category_board,
)
from leaderboard.sources.base import FormatError, ParseResult, SnapshotData
from tests.paths import UPSTREAM

OFFICIAL = UPSTREAM / "json-arena-catalog"
SCRAPED = UPSTREAM / "json-arena-catalog-scraped"
TEXT = OFFICIAL / "leaderboard-text_json_2025-03-07.json"
VISION = OFFICIAL / "leaderboard-vision_json_2025-05-24.json"
IMAGE = OFFICIAL / "leaderboard-image_json_2025-12-11.json"
IMAGE_SCRAPED = SCRAPED / "leaderboard-image_json_2026-07-14_smallai.json"
SCATTERPLOT = OFFICIAL / "scatterplot-data_json_2025-12-17.json"
LEADERBOARDS = [TEXT, VISION, IMAGE, IMAGE_SCRAPED]

CATALOG = ArenaCatalogAdapter()
METADATA = ScatterplotMetadataAdapter()


def parse(path: Path, arena: str = "text") -> ParseResult:
    return CATALOG.parse(path.read_bytes(), hint=BoardKey(arena=arena))


def counts(result: ParseResult) -> dict[str | None, int]:
    return {snapshot.category: len(snapshot.rows) for snapshot in result.snapshots}


def board(result: ParseResult, category: str) -> SnapshotData:
    (snapshot,) = [s for s in result.snapshots if s.category == category]
    return snapshot


# --- leaderboard-*.json ---------------------------------------------------------------------


def test_text_export_parses_twenty_categories_with_their_row_counts() -> None:
    result = parse(TEXT)

    assert result.format == "arena-catalog"
    assert result.warnings == []
    assert counts(result) == {
        "chinese": 204,
        "coding": 204,
        "creative-writing": 204,
        "english": 204,
        "french": 203,
        "overall": 204,
        "german": 203,
        "hard-prompts": 204,
        "hard-prompts-english": 204,
        "instruction-following": 204,
        "japanese": 204,
        "korean": 178,
        "longer-query": 204,
        "math": 204,
        "multi-turn": 204,
        "exclude-refusal": 204,
        "exclude-short-query": 204,
        "exclude-ties": 204,
        "russian": 202,
        "spanish": 203,
    }
    for snapshot in result.snapshots:
        assert (snapshot.arena, snapshot.style_control, snapshot.published_on) == (
            "text",
            None,
            None,
        )
        assert (snapshot.rank_kind, snapshot.metric) == (None, "elo")


def test_text_export_rows_are_ordered_by_rating_with_unrounded_bounds() -> None:
    overall = board(parse(TEXT), "overall")

    first, last = overall.rows[0], overall.rows[-1]
    assert first.model == first.model_key == "grok-3-preview-02-24"
    assert first.score == 1411.5470385735089
    assert (first.rating_lower, first.rating_upper) == (1401.914189808842, 1419.8220489467158)
    assert (first.votes, first.rank, first.preliminary) == (None, None, None)
    assert (first.organization, first.license) == ("", "")
    assert (last.model, last.score) == ("llama-13b", 799.5302495754835)
    scores = [row.score for row in overall.rows]
    assert scores == sorted(scores, reverse=True)


def test_text_export_keeps_mixed_case_keys_and_per_category_ratings() -> None:
    result = parse(TEXT)

    raven = [row for row in board(result, "overall").rows if row.model == "RWKV-4-Raven-14B"]
    assert [(row.score, row.rating_lower) for row in raven] == [
        (921.6120973352903, 911.1495282969105)
    ]
    korean = board(result, "korean").rows[0]
    assert (korean.model, korean.score) == ("gemini-exp-1121", 1554.918045817034)
    assert korean.rating_upper == 1599.882600845314


def test_vision_export_has_three_categories() -> None:
    result = parse(VISION, arena="vision")

    assert counts(result) == {"chinese": 71, "english": 72, "overall": 72}
    first = board(result, "overall").rows[0]
    assert (first.model, first.score) == ("gemini-2.5-pro-preview-05-06", 1374.9692759601267)
    assert board(result, "overall").rows[-1].model == "phi-3-vision-128k-instruct"
    assert {s.arena for s in result.snapshots} == {"vision"}


def test_image_export_maps_preset_generation_categories() -> None:
    result = parse(IMAGE, arena="text-to-image")

    assert counts(result) == {
        "overall": 34,
        "is-preset-generation": 8,
        "not-preset-generation": 34,
    }
    assert result.warnings == []
    first = board(result, "overall").rows[0]
    assert first.model == "gemini-3-pro-image-preview-2k (nano-banana-pro)"
    assert first.rating_upper == 1241.940412631618
    assert board(result, "overall").rows[-1].model == "bagel"
    assert board(result, "is-preset-generation").rows[0].model == "imagen-3.0-generate-002"


def test_scraped_image_export_warns_that_its_ratings_are_rounded() -> None:
    result = parse(IMAGE_SCRAPED, arena="text-to-image")

    assert counts(result) == {
        "overall": 74,
        "is-preset-generation": 8,
        "not-preset-generation": 34,
    }
    assert result.warnings == [
        "category 'full': every rating is a whole number (scraped from the rendered page); "
        "scores and bounds are rounded"
    ]
    overall = {row.model: row for row in board(result, "overall").rows}
    assert board(result, "overall").rows[0].model == "gpt-image-2 (medium)"
    web = overall["gemini-3.1-flash-image (nano-banana-2) [web-search]"]
    assert (web.score, web.rating_lower, web.rating_upper) == (1261.0, 1254.0, 1268.0)
    # The site's spelling, not the official key "gemini-3-pro-image-preview-2k (…)".
    assert "gemini-3-pro-image-2k (nano-banana-pro)" in overall
    assert overall["Cosmos3-Super-Text2Image (Agentic)"].score == 1057.0
    assert board(result, "overall").rows[-1].model == "bagel"


@pytest.mark.parametrize("path", LEADERBOARDS, ids=lambda path: path.name)
def test_every_leaderboard_export_is_sniffed_and_parses_every_model(path: Path) -> None:
    data = path.read_bytes()

    assert CATALOG.sniff(data)
    assert not METADATA.sniff(data)
    payload = json.loads(data)
    result = CATALOG.parse(data, hint=BoardKey())
    assert [len(snapshot.rows) for snapshot in result.snapshots] == [
        len(models) for models in payload.values()
    ]


# --- categories -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("full", ("overall", None, True)),
        ("coding", ("coding", None, True)),
        ("math", ("math", None, True)),
        ("hard_6", ("hard-prompts", None, True)),
        ("hard_english_6", ("hard-prompts-english", None, True)),
        ("if", ("instruction-following", None, True)),
        ("creative_writing", ("creative-writing", None, True)),
        ("long_user", ("longer-query", None, True)),
        ("multiturn", ("multi-turn", None, True)),
        ("no_tie", ("exclude-ties", None, True)),
        ("full_style_control", ("overall", True, True)),
        ("hard_6_style_control", ("hard-prompts", True, True)),
        ("coding_style_control", ("coding", True, True)),
        ("dedup", ("deduplicated", None, True)),
        ("Polish", ("polish", None, False)),
        ("webdev_react", ("webdev-react", None, False)),
    ],
)
def test_category_keys_map_to_slugs_and_style_control(
    key: str, expected: tuple[str, bool | None, bool]
) -> None:
    assert category_board(key) == expected


def test_style_control_keys_split_one_payload_into_both_boards() -> None:
    payload = json.loads(VISION.read_bytes())
    payload["full_style_control"] = payload.pop("english")

    result = CATALOG.parse(json.dumps(payload).encode(), hint=BoardKey(arena="vision"))

    assert {(s.category, s.style_control) for s in result.snapshots} == {
        ("chinese", False),
        ("overall", False),
        ("overall", True),
    }


def test_unknown_category_is_slugified_with_a_warning() -> None:
    payload = json.loads(VISION.read_bytes())
    payload["Humor_Vision"] = payload.pop("chinese")

    result = CATALOG.parse(json.dumps(payload).encode(), hint=BoardKey(arena="vision"))

    assert counts(result)["humor-vision"] == 71
    assert result.warnings == ["unknown category key 'Humor_Vision', imported as 'humor-vision'"]


def test_a_top_level_date_becomes_the_publish_date() -> None:
    payload = json.loads(VISION.read_bytes())
    payload["last_updated"] = "2025-05-24"

    result = CATALOG.parse(json.dumps(payload).encode(), hint=BoardKey(arena="vision"))

    assert {s.published_on for s in result.snapshots} == {dt.date(2025, 5, 24)}
    assert result.warnings == []
    assert result.generated_at is None  # a day, not a moment: no upstream update time


def test_a_top_level_timestamp_is_upstreams_update_time() -> None:
    payload = json.loads(VISION.read_bytes())
    payload["last_updated_datetime"] = "2025-05-24T18:02:11+08:00"

    result = CATALOG.parse(json.dumps(payload).encode(), hint=BoardKey(arena="vision"))

    assert {s.published_on for s in result.snapshots} == {dt.date(2025, 5, 24)}
    assert result.generated_at == dt.datetime(2025, 5, 24, 10, 2, 11, tzinfo=dt.UTC)


# --- strictness -----------------------------------------------------------------------------


def vision_payload() -> dict[str, dict[str, dict[str, object]]]:
    return json.loads(VISION.read_bytes())


def test_a_model_without_a_rating_value_is_skipped_with_a_warning() -> None:
    payload = vision_payload()
    payload["full"]["phi-3-vision-128k-instruct"]["rating"] = None

    result = CATALOG.parse(json.dumps(payload).encode(), hint=BoardKey())

    assert counts(result)["overall"] == 71
    assert result.warnings == [
        "category 'full': 'phi-3-vision-128k-instruct' has no rating, skipped"
    ]


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda p: p["full"]["gpt-4o-2024-05-13"].pop("rating"), "has no rating"),
        (lambda p: p["full"].update({"gpt-4o-2024-05-13": 1300}), "is not an object"),
        (lambda p: p["full"]["gpt-4o-2024-05-13"].update(rating="1300"), "not a number"),
        (lambda p: p["full"]["gpt-4o-2024-05-13"].update(rating_q025=True), "not a number"),
        (lambda p: p.update(full={}), "no rated model"),
        (lambda p: p.update(full_style_control=p["full"], overall_style_control={}), "two"),
        (lambda p: p.update(last_updated="yesterday"), "not a date"),
        (lambda p: p.update({"+++": p["full"]}), "no letters"),
    ],
)
def test_broken_exports_are_rejected_with_one_clear_line(mutation: object, message: str) -> None:
    payload = vision_payload()
    mutation(payload)  # type: ignore[operator]

    with pytest.raises(FormatError, match=message):
        CATALOG.parse(json.dumps(payload).encode(), hint=BoardKey())


@pytest.mark.parametrize(
    "body",
    [b"", b"{}", b"[]", b'{"full": 3}', b"null", b"<html></html>", b'{"full": {'],
)
def test_empty_truncated_or_foreign_payloads_are_format_errors(body: bytes) -> None:
    with pytest.raises(FormatError):
        CATALOG.parse(body, hint=BoardKey())


# --- scatterplot-data.json ------------------------------------------------------------------


def test_scatterplot_yields_metadata_for_141_models_and_no_snapshots() -> None:
    result = METADATA.parse(SCATTERPLOT.read_bytes(), hint=BoardKey())

    assert result.format == "arena-catalog-metadata"
    assert result.snapshots == []
    assert result.warnings == []
    assert len(result.metadata) == 141
    first = result.metadata[0]
    assert first.model_key == "chatgpt-4o-latest-20241120"
    assert (first.model, first.organization, first.license) == ("GPT-4o", "OpenAI", "Proprietary")
    assert first.url == "https://help.openai.com/en/articles/9624314-model-release-notes"


def test_scatterplot_keeps_hidden_models_and_upstream_typos_and_drops_na_links() -> None:
    metadata = {
        item.model_key: item
        for item in METADATA.parse(SCATTERPLOT.read_bytes(), hint=BoardKey()).metadata
    }

    haiku = metadata["claude-3-5-haiku-20241022"]  # a hidden record
    assert (haiku.model, haiku.license) == ("Claude 3.5 Haiku", "Propretary")
    last = metadata["gemini-3-flash"]
    assert (last.model, last.organization, last.url) == ("Gemini 3 Flash", "Google", "")


def test_scatterplot_repeated_key_keeps_the_first_record() -> None:
    records = json.loads(SCATTERPLOT.read_bytes())[:3]
    records.append(dict(records[0], name="Renamed"))

    result = METADATA.parse(json.dumps(records).encode(), hint=BoardKey())

    assert [item.model for item in result.metadata] == ["GPT-4o", "o1-preview", "o1-mini"]
    assert result.warnings == [
        "record 3: 'chatgpt-4o-latest-20241120' listed again, first record kept"
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b"{}",
        b'[{"name": "GPT-4o"}]',
        b'[{"model_api_name": 4}]',
        b'[{"model_api_name": "x", "license": ["MIT"]}]',
        b"[1]",
        b'[{"model_api_name": "x"',
    ],
)
def test_scatterplot_rejects_junk(body: bytes) -> None:
    with pytest.raises(FormatError):
        METADATA.parse(body, hint=BoardKey())


# --- fuzz -----------------------------------------------------------------------------------

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(
        st.sampled_from(
            ["full", "coding", "full_style_control", "x", "", "rating", "rating_q975",
             "rating_q025", "model_api_name", "name", "model_source", "last_updated"]
        ),
        children,
        max_size=6,
    ),
    max_leaves=30,
)  # fmt: skip


def only_format_errors(data: bytes) -> None:
    for adapter in (CATALOG, METADATA):
        assert adapter.sniff(data) in (True, False)
        with contextlib.suppress(FormatError):
            adapter.parse(data, hint=BoardKey())


@FUZZ
@given(JSON)
def test_arbitrary_json_raises_nothing_but_format_error(value: object) -> None:
    only_format_errors(json.dumps(value).encode())


@FUZZ
@given(
    st.sampled_from([VISION, IMAGE, IMAGE_SCRAPED, SCATTERPLOT]),
    st.integers(min_value=0, max_value=60_000),
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
@given(st.lists(st.tuples(st.text(max_size=12), JSON), max_size=6))
def test_real_exports_with_arbitrary_values_raise_nothing_but_format_error(
    edits: list[tuple[str, object]],
) -> None:
    payload: dict[str, object] = json.loads(IMAGE.read_bytes())
    records: list[dict[str, object]] = json.loads(SCATTERPLOT.read_bytes())[:5]
    for key, value in edits:
        category = ["full", "is_preset_generation", key][len(key) % 3]
        models = payload.get(category)
        if isinstance(models, dict) and models:
            model = sorted(models)[len(key) % len(models)]
            models[model] = value if len(key) % 2 else {"rating": value}
        else:
            payload[category] = value
        records[len(key) % len(records)][key or "model_api_name"] = value
    only_format_errors(json.dumps(payload).encode())
    only_format_errors(json.dumps(records).encode())
