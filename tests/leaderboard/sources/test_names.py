"""Model-cell cleaning: glued logos, glued ``org · license`` tails, links and HTML."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard.sources.names import (
    LOGO_ORGANIZATIONS,
    clean_model_cell,
    model_cell_link,
    parse_model_cell,
    reader_names,
    rejoin_split_organization,
)


@pytest.mark.parametrize(
    ("cell", "organization", "expected"),
    [
        ("Anthropicclaude-opus-4-1-20250805", "Anthropic", "claude-opus-4-1-20250805"),
        ("MoonshotAIkimi-k2-thinking", "Moonshot", "kimi-k2-thinking"),
        ("Azurephi-4", "Microsoft", "phi-4"),
        ("01.AIyi-lightning", "01 AI", "yi-lightning"),
        ("Metallama-3.2-1b-instruct", "Meta", "llama-3.2-1b-instruct"),
        ("HuggingFacesmollm2-1.7b-instruct", "HuggingFace", "smollm2-1.7b-instruct"),
        ("RWKVRWKV-4-Raven-14B", "RWKV", "RWKV-4-Raven-14B"),
        ("Stabilitystablelm-tuned-alpha-7b", "Stability AI", "stablelm-tuned-alpha-7b"),
        ("MetaMeta-Llama-3.1-70B-Instruct", "Meta", "Meta-Llama-3.1-70B-Instruct"),
        ("AnthropicClaude 3.5 Sonnet (06/20)", "Anthropic", "Claude 3.5 Sonnet (06/20)"),
        ("Minimaxminimax-m1", "MiniMax", "minimax-m1"),
        ("Stepfunstep-3", "StepFun", "step-3"),
        (
            "Nvidianvidia-nemotron-3-nano-30b-a3b-bf16",
            "Nvidia",
            "nvidia-nemotron-3-nano-30b-a3b-bf16",
        ),
    ],
)
def test_known_glued_logo_is_removed_and_raw_cell_kept(
    cell: str, organization: str, expected: str
) -> None:
    assert clean_model_cell(cell, organization) == (expected, cell, False)


@pytest.mark.parametrize(
    ("cell", "organization"),
    [
        ("gemini-2.5-pro", "Google"),
        ("grok-4", "xAI"),
        ("RWKV-4-Raven-14B", "RWKV"),
        ("Meta-Llama-3.1-405B-Instruct-bf16", "Meta"),
        ("Llama-3.3-70B-Instruct", "Meta"),
        ("Snowflake Arctic Instruct", "Snowflake"),
        ("OpenChat-3.5-0106", "OpenChat"),
        ("Amazon Nova Pro 1.0", "Amazon"),
        ("DeepSeek-V3", "DeepSeek"),
        ("Claude Opus 5 (High)", ""),
        ("Cosmos3-Super-Text2Image", ""),
    ],
)
def test_real_names_that_start_with_an_organisation_word_are_untouched(
    cell: str, organization: str
) -> None:
    assert clean_model_cell(cell, organization) == (cell, "", False)


def test_logo_whose_organisation_disagrees_is_stripped_but_flagged() -> None:
    assert clean_model_cell("Tencenthunyuan-t1", "Someone Else") == (
        "hunyuan-t1",
        "Tencenthunyuan-t1",
        True,
    )


def test_unknown_organisation_word_glued_to_a_lowercase_id_is_stripped_and_flagged() -> None:
    assert clean_model_cell("Googlegemini-9-pro", "Google") == (
        "gemini-9-pro",
        "Googlegemini-9-pro",
        True,
    )


def test_logo_before_a_capitalised_name_without_organisation_is_left_and_flagged() -> None:
    assert clean_model_cell("AnthropicClaude 3.5 Sonnet", "") == (
        "AnthropicClaude 3.5 Sonnet",
        "",
        True,
    )


@pytest.mark.parametrize(
    ("cell", "name", "organization", "license_"),
    [
        (
            "Anthropicclaude-opus-4-6-thinkingAnthropic · Proprietary",
            "claude-opus-4-6-thinking",
            "Anthropic",
            "Proprietary",
        ),
        ("gemini-3-proGoogle · Proprietary", "gemini-3-pro", "Google", "Proprietary"),
        ("grok-4.1xAI · Proprietary", "grok-4.1", "xAI", "Proprietary"),
        ("glm-5Z.ai · MIT", "glm-5", "Z.ai", "MIT"),
        ("RWKVRWKV-4-Raven-14BRWKV · Apache 2.0", "RWKV-4-Raven-14B", "RWKV", "Apache 2.0"),
        ("01.AIyi-lightning01 AI · Proprietary", "yi-lightning", "01 AI", "Proprietary"),
        ("mai-1-previewMicrosoft AI · Proprietary", "mai-1-preview", "Microsoft AI", "Proprietary"),
        (
            "tulu-2-dpo-70bAllenAI/UW · AI2 ImpACT Low-risk",
            "tulu-2-dpo-70b",
            "AllenAI/UW",
            "AI2 ImpACT Low-risk",
        ),
        (
            "gemini-3-flash (thinking-minimal)Google · Proprietary",
            "gemini-3-flash (thinking-minimal)",
            "Google",
            "Proprietary",
        ),
        (
            "DeepSeek V4 Pro (High) (0813)DeepSeek · MIT",
            "DeepSeek V4 Pro (High) (0813)",
            "DeepSeek",
            "MIT",
        ),
    ],
)
def test_glued_organisation_and_license_tail_is_split_off(
    cell: str, name: str, organization: str, license_: str
) -> None:
    parsed = parse_model_cell(cell)
    assert (parsed.name, parsed.organization, parsed.license) == (name, organization, license_)
    assert parsed.raw == cell
    assert not parsed.uncertain


def test_unknown_organisation_tail_is_guessed_and_flagged() -> None:
    parsed = parse_model_cell("nova-model-2Acme Labs · MIT")
    assert (parsed.name, parsed.organization, parsed.license) == (
        "nova-model-2",
        "Acme Labs",
        "MIT",
    )
    assert parsed.uncertain


def test_footnote_link_is_dropped_and_its_target_returned() -> None:
    cell = "gemini-2.5-pro [<sup>1</sup>](https://aistudio.google.com/app/prompts/new_chat?model=gemini-2.5-pro)"
    assert clean_model_cell(cell, "Google") == ("gemini-2.5-pro", "", False)
    assert (
        model_cell_link(cell)
        == "https://aistudio.google.com/app/prompts/new_chat?model=gemini-2.5-pro"
    )


def test_link_text_is_the_name() -> None:
    cell = "[Claude Opus 4 (20250514)](https://www.anthropic.com/news/claude-4)"
    assert clean_model_cell(cell, "Anthropic") == ("Claude Opus 4 (20250514)", "", False)
    assert model_cell_link(cell) == "https://www.anthropic.com/news/claude-4"


def test_link_with_parentheses_in_its_target_is_read_whole() -> None:
    cell = "[Model X](https://en.wikipedia.org/wiki/X_(model))"
    assert model_cell_link(cell) == "https://en.wikipedia.org/wiki/X_(model)"


def test_html_anchor_is_reduced_to_its_text() -> None:
    cell = '<a href="https://example.org/m">model &amp; co</a>'
    assert clean_model_cell(cell, "") == ("model & co", "", False)
    assert model_cell_link(cell) == "https://example.org/m"


def test_every_logo_in_the_table_has_an_organisation() -> None:
    assert all(LOGO_ORGANIZATIONS.values())


@settings(max_examples=200, deadline=None)
@given(cell=st.text(max_size=80), organization=st.text(max_size=20))
def test_cleaning_any_text_never_raises_and_keeps_a_name(cell: str, organization: str) -> None:
    name, raw, _ = clean_model_cell(cell, organization)
    # A changed cell always keeps a name, and ``raw`` is only filled when something changed.
    assert name or not raw
    assert raw != name or raw == ""


@pytest.mark.parametrize(
    ("organization", "license_", "expected"),
    [
        ("AllenAI", "UW", ("AllenAI/UW", "")),
        ("UW", "Non-commercial", ("UW", "Non-commercial")),
        ("AllenAI/UW", "AI2 ImpACT Low-risk", ("AllenAI/UW", "AI2 ImpACT Low-risk")),
        ("Meta", "Llama 3.1 Community", ("Meta", "Llama 3.1 Community")),
        ("", "UW", ("", "UW")),
    ],
)
def test_only_a_known_slashed_organisation_is_rejoined_from_a_split_license(
    organization: str, license_: str, expected: tuple[str, str]
) -> None:
    assert rejoin_split_organization(organization, license_) == expected


def test_a_models_upstream_strings_without_the_scraped_cells_of_its_names() -> None:
    raws = [
        "claude-3-5-haiku-20241022",
        "Anthropicclaude-3-5-haiku-20241022",  # a glued logo
        "Anthropicclaude-3-5-haiku-20241022Anthropic · Proprietary",  # and a glued tail
        "Claude 3.5 Haiku",
        "claude-3-5-haiku-20241022",  # repeated
        "nova-model-2Acme Labs · MIT",  # a guessed tail: kept as upstream wrote it
        "AnthropicClaude-X",  # what the cleaner reads ("Claude-X") is no name of the model
    ]
    assert reader_names(raws, "Anthropic") == [
        "AnthropicClaude-X",
        "Claude 3.5 Haiku",
        "claude-3-5-haiku-20241022",
        "nova-model-2Acme Labs · MIT",
    ]
    # Without the organisation a glued logo is not confirmed, and stays.
    assert "Anthropicclaude-3-5-haiku-20241022" in reader_names(raws)
    # A name the cleaner would misread on its own is shown as written.
    hub = ["HuggingFaceH4/zephyr-7b-beta", "zephyr-7b-beta"]
    assert reader_names(hub, "HuggingFace") == ["HuggingFaceH4/zephyr-7b-beta", "zephyr-7b-beta"]
    assert reader_names([]) == []


def test_names_that_differ_in_case_only_sort_the_same_way_every_time() -> None:
    assert reader_names(["gpt-4o", "GPT-4o", "Claude"]) == ["Claude", "GPT-4o", "gpt-4o"]
    assert reader_names(["GPT-4o", "gpt-4o", "Claude"]) == ["Claude", "GPT-4o", "gpt-4o"]
