"""Family rules: bundled starter rules group variants, curated assignments win, re-applying
is idempotent, and a rule that cannot work is refused when saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from leaderboard.models import AIModel, FamilyRule, ModelFamily
from leaderboard.services import families
from tests.leaderboard import factories

pytestmark = pytest.mark.django_db


def family_of(key: str) -> str | None:
    model = AIModel.objects.select_related("family").get(key=key)
    return model.family.name if model.family else None


@pytest.fixture
def starter() -> None:
    assert families.load_starter_rules() == len(families.STARTER_RULES)
    assert families.load_starter_rules() == 0  # a second load adds nothing


def test_starter_rules_group_thinking_effort_and_dated_variants_with_their_base(
    starter: None,
) -> None:
    for key in [
        "claude-opus-4-1-20250805",
        "claude-opus-4-1-20250805-thinking-16k",
        "claude-opus-4-1-thinking-32k",
        "Claude Opus 4.7",
        "Claude Opus 4.7 (High)",
        "gpt-5-high",
        "gpt-5",
        "gpt-4o-2024-05-13",
        "gemini-2.5-pro-preview-05-06",
        "gemini-2.5-pro",
        "qwen3.7-max",
        "Qwen3.7 Max",
        "lonely-model-thinking",
    ]:
        factories.ai_model(key=key, name=key)

    result = families.apply_family_rules()

    assert family_of("claude-opus-4-1-20250805") == "claude-opus-4-1"
    assert family_of("claude-opus-4-1-20250805-thinking-16k") == "claude-opus-4-1"
    assert family_of("claude-opus-4-1-thinking-32k") == "claude-opus-4-1"
    assert family_of("Claude Opus 4.7 (High)") == family_of("Claude Opus 4.7") == "Claude Opus 4.7"
    assert family_of("gpt-5-high") == family_of("gpt-5") == "gpt-5"
    assert family_of("gemini-2.5-pro-preview-05-06") == "gemini-2.5-pro"
    # "Max" names a product here, not an effort (nothing is stripped: no variants); a variant
    # alone is no family.
    assert family_of("qwen3.7-max") is None
    assert family_of("Qwen3.7 Max") is None
    assert family_of("gpt-4o-2024-05-13") is None
    assert family_of("lonely-model-thinking") is None
    assert result.assigned == 9
    assert families.apply_family_rules().assigned == 0  # idempotent


def test_a_curated_family_wins_over_every_rule(starter: None) -> None:
    base = factories.ai_model(key="claude-opus-4-6", name="claude-opus-4-6")
    variant = factories.ai_model(key="claude-opus-4-6-thinking", name="claude-opus-4-6-thinking")
    elsewhere = ModelFamily.objects.create(name="Reasoners", slug="reasoners")
    variant.family, variant.family_curated = elsewhere, True
    variant.save()
    alone = factories.ai_model(key="claude-opus-4-6-high", name="claude-opus-4-6-high")
    alone.family, alone.family_curated = None, True  # a curator said: no family
    alone.save()

    families.apply_family_rules()

    variant.refresh_from_db()
    alone.refresh_from_db()
    assert variant.family == elsewhere
    assert alone.family is None
    # The base has no uncurated variant left: a family of one is no family.
    base.refresh_from_db()
    assert base.family is None


def test_a_rule_naming_a_family_comes_first_and_leaving_a_rule_clears_its_family() -> None:
    families.load_starter_rules()
    family = ModelFamily.objects.create(name="Claude Opus", slug="claude-opus")
    rule = FamilyRule.objects.create(pattern="claude-opus-*", syntax="glob", family=family, order=1)
    for key in ["claude-opus-4-6", "claude-opus-4-6-high", "gpt-5", "gpt-5-high"]:
        factories.ai_model(key=key, name=key)

    families.apply_family_rules()
    assert family_of("claude-opus-4-6") == family_of("claude-opus-4-6-high") == "Claude Opus"
    assert AIModel.objects.get(key="claude-opus-4-6").family_rule == rule
    assert family_of("gpt-5") == "gpt-5"

    rule.enabled = False
    rule.save()
    result = families.apply_family_rules()

    assert family_of("claude-opus-4-6") == "claude-opus-4-6"  # back to the starter rules
    assert result.assigned == 2
    history = AIModel.history.filter(key="claude-opus-4-6").first()
    assert history is not None and history.history_change_reason.startswith("family rule: ")


@pytest.mark.parametrize(
    ("pattern", "syntax", "with_family", "error"),
    [
        ("claude-(opus", "regex", True, "Not a valid pattern"),
        ("claude-.*", "regex", False, "needs a regex with a (?P<base>"),
        ("claude-*", "glob", False, "needs a regex with a (?P<base>"),
    ],
)
def test_a_rule_that_cannot_work_is_refused(
    pattern: str, syntax: str, with_family: bool, error: str
) -> None:
    family = ModelFamily.objects.create(name="F", slug="f") if with_family else None
    rule = FamilyRule(pattern=pattern, syntax=syntax, family=family)

    with pytest.raises(ValidationError, match=error.replace("(", r"\(").replace("?", r"\?")):
        rule.full_clean()


def test_a_glob_rule_with_a_family_and_a_base_regex_are_accepted() -> None:
    family = ModelFamily.objects.create(name="F", slug="f")
    FamilyRule(pattern="gpt-5*", syntax="glob", family=family).full_clean()
    FamilyRule(pattern=r"(?P<base>.+)-beta", syntax="regex").full_clean()


def test_an_import_that_creates_variants_places_them_in_their_family() -> None:
    from leaderboard.boards import BoardKey
    from leaderboard.models import ImportRun
    from leaderboard.services.importing import import_payload
    from leaderboard.services.planning import ImportRequest
    from tests.paths import SEED

    families.load_starter_rules()

    outcome = import_payload(
        ImportRequest(
            data=SEED.read_bytes(),
            origin=str(SEED),
            trigger=ImportRun.Trigger.COMMAND,
            hint=BoardKey.parse("text/overall"),
        )
    )

    assert outcome.ok, outcome.reason
    thinking = AIModel.objects.select_related("family").get(
        key="claude-opus-4-1-20250805-thinking-16k"
    )
    assert thinking.family is not None and thinking.family.slug == "claude-opus-4-1"
    assert family_of("claude-opus-4-1-20250805") == thinking.family.name
