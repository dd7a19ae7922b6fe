import pytest

from leaderboard.boards import NO_STYLE_CONTROL_SUFFIX, BoardKey, split_url_category


def test_the_default_board_is_text_overall_with_style_control():
    assert BoardKey().slug == "text/overall"


def test_the_raw_view_is_spelled_like_arena_ai():
    key = BoardKey("text", "coding", style_control=False)
    assert key.url_category == "coding" + NO_STYLE_CONTROL_SUFFIX
    assert key.slug == "text/coding-no-style-control"


@pytest.mark.parametrize(
    "key",
    [BoardKey(), BoardKey("webdev", "overall"), BoardKey("text", "hard-prompts", False)],
)
def test_parse_is_the_inverse_of_slug(key):
    assert BoardKey.parse(key.slug) == key
    assert BoardKey.from_url(key.arena, key.url_category) == key


def test_parse_tolerates_surrounding_slashes_and_spaces():
    assert BoardKey.parse(" /text/overall-no-style-control/ ") == BoardKey(style_control=False)


@pytest.mark.parametrize(
    "slug",
    ["", "text", "text/", "/overall", "Text/overall", "text/over all", "a/b/c", "-x/y",
     "Xtext/overall", "text/overallX"],  # only slashes and spaces are trimmed, nothing else
)  # fmt: skip
def test_parse_refuses_what_is_not_arena_slash_category(slug):
    with pytest.raises(ValueError, match="ARENA/CATEGORY"):
        BoardKey.parse(slug)


def test_split_url_category_only_strips_the_suffix_at_the_end():
    assert split_url_category("overall-no-style-control") == ("overall", False)
    assert split_url_category("no-style-control-coding") == ("no-style-control-coding", True)
