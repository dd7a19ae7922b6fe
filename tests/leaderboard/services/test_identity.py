"""Raw upstream strings → curated models, organisations and licenses, never overwriting curation.

Past 400 lines: it mirrors ``services/identity.py``, whose resolver is one unit (loading,
matching, the memo of resolved rows, races with a concurrent import), and ``make mutate``
runs each identity mutant against this file alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leaderboard.models import (
    AIModel,
    License,
    LicenseAlias,
    ModelAlias,
    Organization,
    OrganizationAlias,
    OrganizationDomain,
)
from leaderboard.services.identity import (
    ResolutionStats,
    Resolver,
    _by_raw,
    domain_keys,
    fill_organizations_from_domains,
    load_domain_rules,
    loose_key,
    normalize_domain,
)
from leaderboard.sources.base import RowData
from tests.leaderboard import factories

pytestmark = pytest.mark.django_db


def row(model: str = "Zeta 1", **fields: object) -> RowData:
    values: dict[str, object] = {"score": 1400.0, "organization": "Zeta Labs", "license": "ZPL"}
    return RowData(model=model, **(values | fields))  # type: ignore[arg-type]


def resolve(data: RowData) -> tuple[AIModel, ResolutionStats]:
    resolver = Resolver()
    model = resolver.model(data)
    return model, resolver.stats


def curated_model(**fields: object) -> AIModel:
    """A model staff already curated, as an earlier import left it (upstream said the same)."""
    model, _ = resolve(row(model_key="zeta-1", url="https://zeta.test/1"))
    AIModel.objects.filter(pk=model.pk).update(**fields)
    model.refresh_from_db()
    return model


def test_loose_keys_ignore_case_punctuation_and_corporate_suffixes() -> None:
    assert loose_key("DeepSeek AI") == loose_key("deepseek") == loose_key("DeepSeek, Inc.")
    assert loose_key("Zeta Labs") == loose_key("zeta lab") == "zeta"
    assert loose_key("AI") == "ai"  # a name that is only a suffix keeps it
    assert loose_key("Zeta") != loose_key("Zeta 2")


def test_an_unknown_model_is_created_with_everything_upstream_said() -> None:
    data = row(model_key="zeta-1", url="https://zeta.test/1", raw_model="ZetaLabsZeta 1")

    model, stats = resolve(data)

    assert (model.key, model.name, model.url) == ("zeta-1", "Zeta 1", "https://zeta.test/1")
    assert (model.organization.name, model.license.name) == ("Zeta Labs", "ZPL")  # type: ignore[union-attr]
    assert (model.upstream_organization, model.upstream_license) == ("Zeta Labs", "ZPL")
    assert not model.needs_review
    assert model.organization.needs_review and model.license.needs_review  # type: ignore[union-attr]
    assert stats == ResolutionStats(
        new_models=["Zeta 1"],
        new_organizations=["Zeta Labs"],
        new_licenses=["ZPL"],
        new_aliases=5,  # one organisation, one license, three model spellings
        models_updated=0,
    )
    aliases = set(ModelAlias.objects.filter(model=model).values_list("raw", flat=True))
    assert aliases == {"zeta-1", "Zeta 1", "ZetaLabsZeta 1"}


def test_a_name_the_cleaner_had_to_guess_puts_the_new_model_in_the_review_queue() -> None:
    model, _ = resolve(row(name_uncertain=True))
    assert model.needs_review


def test_resolving_what_upstream_said_before_changes_and_counts_nothing() -> None:
    first, _ = resolve(row(model_key="zeta-1", url="https://zeta.test/1"))

    again, stats = resolve(row(model_key="zeta-1", url="https://zeta.test/1"))

    assert again.pk == first.pk
    assert stats == ResolutionStats()
    assert AIModel.objects.filter(key="zeta-1").count() == 1


def test_a_known_spelling_maps_to_its_model_whatever_staff_renamed_it_to() -> None:
    model = curated_model(name="Zeta One (curated)")

    by_name, stats = resolve(row("Zeta 1"))  # no key this time: found by its old display name

    assert by_name.pk == model.pk
    assert by_name.name == "Zeta One (curated)"
    assert stats.new_models == [] and stats.models_updated == 0


def test_blank_curated_fields_are_filled_and_the_model_counted_once() -> None:
    model = curated_model(organization=None, license=None, url="")

    resolved, stats = resolve(row(model_key="zeta-1", url="https://zeta.test/new"))

    resolved.refresh_from_db()
    assert resolved.organization == Organization.objects.get(name="Zeta Labs")
    assert resolved.license == License.objects.get(name="ZPL")
    assert resolved.url == "https://zeta.test/new"
    assert not resolved.needs_review
    assert stats.models_updated == 1
    assert stats.disagreements == []
    assert resolved.pk == model.pk


def test_a_curated_url_is_never_replaced_by_upstreams() -> None:
    curated_model(url="https://curated.test/")

    resolved, stats = resolve(row(model_key="zeta-1", url="https://zeta.test/other"))

    resolved.refresh_from_db()
    assert resolved.url == "https://curated.test/"
    assert stats.models_updated == 0


def test_upstream_saying_nothing_keeps_what_it_said_before() -> None:
    curated_model()

    resolved, stats = resolve(row(model_key="zeta-1", organization="", license=""))

    resolved.refresh_from_db()
    assert (resolved.upstream_organization, resolved.upstream_license) == ("Zeta Labs", "ZPL")
    assert (resolved.organization.name, resolved.license.name) == ("Zeta Labs", "ZPL")  # type: ignore[union-attr]
    assert stats.models_updated == 0


def test_upstream_changing_its_mind_is_recorded_and_flagged_but_not_applied() -> None:
    curated = curated_model()
    org, license_ = curated.organization, curated.license

    resolved, stats = resolve(row(model_key="zeta-1", organization="Omega Corp", license="OPL"))

    resolved.refresh_from_db()
    assert (resolved.organization, resolved.license) == (org, license_)
    assert (resolved.upstream_organization, resolved.upstream_license) == ("Omega Corp", "OPL")
    assert resolved.needs_review
    assert stats.models_updated == 1
    assert stats.disagreements == [
        "Zeta 1: upstream says organization 'Omega Corp', curated is 'Zeta Labs'"
    ]  # one flag is enough: the license's disagreement adds no second line


def test_a_disagreement_on_the_license_alone_is_flagged() -> None:
    curated_model()

    resolved, stats = resolve(row(model_key="zeta-1", license="OPL"))

    assert resolved.needs_review
    assert stats.disagreements == ["Zeta 1: upstream says license 'OPL', curated is 'ZPL'"]


def test_a_model_already_in_review_gets_no_second_flag() -> None:
    curated_model(needs_review=True)

    _, stats = resolve(row(model_key="zeta-1", organization="Omega Corp"))

    assert stats.disagreements == []
    assert stats.models_updated == 1  # what upstream now says is still recorded


def test_staff_keeping_their_choice_is_not_reflagged_while_upstream_says_the_same() -> None:
    model = curated_model()
    model.organization = Organization.objects.create(name="Omega Corp")  # staff's choice
    model.save()

    resolved, stats = resolve(row(model_key="zeta-1"))  # upstream still says "Zeta Labs"

    assert not resolved.needs_review
    assert stats == ResolutionStats()


def test_a_loose_spelling_of_a_known_organisation_becomes_its_alias() -> None:
    org = Organization.objects.create(name="Zeta")

    model, stats = resolve(row(organization="ZETA, Inc."))

    assert model.organization == org
    assert stats.new_organizations == []
    alias = OrganizationAlias.objects.get(raw="ZETA, Inc.")
    assert alias.organization == org
    assert Organization.objects.filter(name__icontains="zeta").count() == 1


def test_a_known_alias_maps_to_its_entity_even_after_a_rename() -> None:
    license_ = License.objects.create(name="Zeta Public License")
    LicenseAlias.objects.create(raw="zpl", license=license_)

    model, stats = resolve(row(license="ZPL"))

    assert model.license == license_
    assert stats.new_licenses == []
    assert stats.new_aliases == 2  # the organisation and the model name, not the license


def test_blank_organisation_and_license_resolve_to_nothing() -> None:
    model, stats = resolve(row(organization="  ", license=""))
    assert (model.organization, model.license) == (None, None)
    assert stats.new_organizations == [] and stats.new_licenses == []


def test_each_new_organisation_is_reported_once_per_import() -> None:
    resolver = Resolver()
    resolver.model(row("Zeta 1"))
    resolver.model(row("Zeta 2", organization=" Zeta Labs "))
    assert resolver.stats.new_organizations == ["Zeta Labs"]
    assert resolver.stats.new_models == ["Zeta 1", "Zeta 2"]


def test_a_blank_organisation_does_not_stop_the_license_being_filled() -> None:
    curated_model(license=None)

    resolved, stats = resolve(row(model_key="zeta-1", organization=""))

    resolved.refresh_from_db()
    assert resolved.license == License.objects.get(name="ZPL")
    assert stats.models_updated == 1


def test_every_updated_model_is_counted() -> None:
    first = curated_model(url="")
    second, _ = resolve(row("Zeta 2", model_key="zeta-2"))
    AIModel.objects.filter(pk=second.pk).update(url="")

    resolver = Resolver()
    resolver.model(row(model_key="zeta-1", url="https://zeta.test/1"))
    resolver.model(row("Zeta 2", model_key="zeta-2", url="https://zeta.test/2"))

    assert resolver.stats.models_updated == 2
    assert {m.url for m in AIModel.objects.filter(pk__in=[first.pk, second.pk])} == {
        "https://zeta.test/1",
        "https://zeta.test/2",
    }


def test_recording_upstream_writes_only_its_own_fields_not_a_concurrent_curation() -> None:
    curated_model(url="")
    resolver = Resolver()  # loads the models, as an import does at its start
    AIModel.objects.filter(key="zeta-1").update(name="Zeta One (renamed meanwhile)")

    resolver.model(row(model_key="zeta-1", url="https://zeta.test/1"))

    model = AIModel.objects.get(key="zeta-1")
    assert model.url == "https://zeta.test/1"
    assert model.name == "Zeta One (renamed meanwhile)"


# --- the domain → organisation table --------------------------------------------------------


def domain_rule(domain: str, organization: str) -> Organization:
    org, _ = Organization.objects.get_or_create(name=organization)
    OrganizationDomain.objects.create(domain=domain, organization=org)
    return org


@pytest.mark.parametrize(
    ("url", "keys"),
    [
        ("https://www.anthropic.com/news/x", ["www.anthropic.com/news", "anthropic.com/news",
                                              "www.anthropic.com", "anthropic.com"]),
        ("https://docs.x.ai", ["docs.x.ai", "x.ai"]),
        ("http://HuggingFace.co/Qwen/Qwen3", ["huggingface.co/qwen", "huggingface.co"]),
        ("https://huggingface.co/Xenova/whisper/tree/main", ["huggingface.co/xenova",
                                                             "huggingface.co"]),
        ("https://x.ai./grok", ["x.ai/grok", "x.ai"]),  # a fully qualified host's final dot
        ("javascript:alert(1)", []),
        ("ftp://x.ai/models", []),
        ("https://localhost/x", []),
        ("not a url", []),
    ],
)  # fmt: skip
def test_a_link_matches_its_host_its_parent_domains_and_its_first_path_segment(
    url: str, keys: list[str]
) -> None:
    assert domain_keys(url) == keys


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("anthropic.com", "anthropic.com"),
        ("https://www.Anthropic.com/", "anthropic.com"),
        ("huggingface.co/Qwen/Qwen3-8B", "huggingface.co/qwen"),
        ("https://huggingface.co/zai-org/GLM-5/tree/main", "huggingface.co/zai-org"),
        ("  docs.x.ai ", "docs.x.ai"),
        ("   ", ""),
        ("/", ""),
    ],
)
def test_what_staff_type_is_stored_as_a_host_and_at_most_one_path_segment(
    typed: str, stored: str
) -> None:
    assert normalize_domain(typed) == stored


@pytest.mark.parametrize(
    "url",
    [
        "https://anthropic.com/claude",
        "https://www.anthropic.com/news/claude-opus-5",
        "https://docs.anthropic.com/en/docs/about-claude/models",
    ],
)
def test_a_rule_for_a_domain_covers_www_and_other_subdomains(url: str) -> None:
    anthropic = domain_rule("anthropic.com", "Anthropic")

    model, _ = resolve(row("Claude Opus 5", organization="", url=url))

    assert model.organization == anthropic
    assert model.upstream_organization == ""  # upstream said nothing: that stays on record
    assert not model.needs_review


def test_a_rule_never_matches_a_lookalike_host() -> None:
    domain_rule("x.ai", "xAI")

    for url in ("https://x.com/OpenAI/status/1", "https://notx.ai/", "https://x.ai.example/"):
        model, _ = resolve(row(f"m {url}", organization="", url=url))
        assert model.organization is None, url


def test_the_most_specific_rule_wins_on_a_host_shared_by_many_makers() -> None:
    domain_rule("huggingface.co", "Hugging Face")
    zai = domain_rule("huggingface.co/zai-org", "Z.ai")

    glm, _ = resolve(row("GLM-5.2", organization="", url="https://huggingface.co/zai-org/GLM-5.2"))
    other, _ = resolve(row("SmolLM", organization="", url="https://huggingface.co/HuggingFaceTB/x"))

    assert glm.organization == zai
    assert other.organization is not None and other.organization.name == "Hugging Face"


def test_an_organisation_upstream_gives_is_never_replaced_by_the_domain_rule() -> None:
    domain_rule("openai.com", "OpenAI")

    model, _ = resolve(row("Zeta 1", organization="Zeta Labs", url="https://openai.com/zeta"))

    assert model.organization is not None and model.organization.name == "Zeta Labs"


def test_a_curated_organisation_wins_over_the_domain_rule_and_raises_no_flag() -> None:
    curated = curated_model()  # Zeta Labs, curated; its link is zeta.test
    domain_rule("zeta.test", "Someone Else")

    model, stats = resolve(row(model_key="zeta-1", organization="", url="https://zeta.test/1"))

    assert model.pk == curated.pk and model.organization == curated.organization
    assert not model.needs_review and stats.disagreements == []


def test_a_known_model_without_an_organisation_gets_the_one_its_link_names() -> None:
    model, _ = resolve(row("Muse Spark", organization="", url="https://ai.meta.com/muse"))
    assert model.organization is None
    meta = domain_rule("meta.com", "Meta")

    again, stats = resolve(row("Muse Spark", organization="", url="https://ai.meta.com/muse"))

    assert again.pk == model.pk and again.organization == meta
    assert stats.models_updated == 1


def test_loading_rules_adds_new_ones_keeps_staff_edits_and_fills_existing_models() -> None:
    model, _ = resolve(row("Flux 3", organization="", url="https://bfl.ai/flux-3"))
    staff = domain_rule("openai.com", "Staff Choice")

    added, filled = load_domain_rules(
        {"bfl.ai": "Black Forest Labs", "https://www.OpenAI.com": "OpenAI"}
    )

    assert (added, filled) == (1, 1)
    model.refresh_from_db()
    assert model.organization is not None and model.organization.name == "Black Forest Labs"
    assert OrganizationDomain.objects.get(domain="openai.com").organization == staff
    assert load_domain_rules({"bfl.ai": "Black Forest Labs"}) == (0, 0)  # idempotent


def test_rule_names_resolve_to_existing_organisations_like_upstream_strings() -> None:
    kimi, _ = resolve(row("Kimi K3", organization="Moonshot", url=""))
    organizations = Organization.objects.count()

    load_domain_rules({"kimi.ai": "MoonshotAI", "kimi.com": "moonshot ai"})  # other spellings

    assert Organization.objects.count() == organizations
    rules = OrganizationDomain.objects.filter(domain__in=["kimi.ai", "kimi.com"])
    assert {rule.organization for rule in rules} == {kimi.organization}


def test_filling_from_domains_without_any_rule_fills_nothing() -> None:
    resolve(row("Flux 3", organization="", url="https://bfl.ai/flux-3"))
    assert fill_organizations_from_domains() == 0


def test_filling_from_domains_never_changes_a_model_that_has_an_organisation() -> None:
    domain_rule("openai.com", "OpenAI")
    zeta, _ = resolve(row("Zeta 1", organization="Zeta Labs", url="https://openai.com/zeta"))
    bare, _ = resolve(row("Bare 1", organization="", url=""))

    assert fill_organizations_from_domains([zeta, bare]) == 0

    zeta.refresh_from_db()
    assert zeta.organization is not None and zeta.organization.name == "Zeta Labs"


def test_filling_from_domains_saves_the_organisation_and_nothing_else() -> None:
    model, _ = resolve(row("Flux 3", organization="", url="https://bfl.ai/flux-3"))
    domain_rule("bfl.ai", "Black Forest Labs")
    model.name = "an unsaved edit elsewhere"

    assert fill_organizations_from_domains([model]) == 1

    model.refresh_from_db()
    assert model.organization is not None and model.organization.name == "Black Forest Labs"
    assert model.name == "Flux 3"


def test_loading_rules_names_a_new_organisation_flagged_for_review_and_counts_each_rule(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        added, filled = load_domain_rules(
            {
                "https://brand-new-lab.test": "Brand New Lab",  # sorted first: same domain
                "brand-new-lab.test": "Brand New Lab",
                "other-new-lab.test": "Other New Lab",
            }
        )

    assert (added, filled) == (2, 0)
    new = Organization.objects.get(name="Brand New Lab")
    assert new.needs_review
    assert OrganizationDomain.objects.filter(organization=new).count() == 1
    assert Organization.objects.get(name="Other New Lab").needs_review
    assert [callback.__qualname__ for callback in callbacks] == ["bump"]  # pages refreshed


def test_a_rule_skipped_does_not_stop_the_ones_after_it(
    django_capture_on_commit_callbacks: Any,
) -> None:
    domain_rule("aaa-known.test", "Known Lab")

    with django_capture_on_commit_callbacks() as callbacks:
        assert load_domain_rules({"aaa-known.test": "Known Lab", "": "Nobody"}) == (0, 0)
    assert callbacks == []  # nothing changed: no refresh

    assert load_domain_rules({"aaa-known.test": "Known Lab", "zzz-new.test": "New Lab"}) == (1, 0)


# --- the review queue: only what a person must decide waits ---------------------------------


def pending_aliases() -> set[str]:
    return set(ModelAlias.objects.filter(needs_review=True).values_list("raw", flat=True))


def test_a_new_model_is_one_item_in_the_queue_however_many_spellings_its_row_has() -> None:
    model, _ = resolve(row(model_key="zeta-1", raw_model="ZetaLabsZeta 1"))

    assert ModelAlias.objects.filter(model=model).count() == 3
    assert pending_aliases() == {"zeta-1"}


def test_a_glued_cell_cleaned_to_a_known_model_is_mapped_without_review() -> None:
    model = curated_model()
    ModelAlias.objects.update(needs_review=False)

    again, _ = resolve(row(model_key="zeta-1", raw_model="ZetaLabszeta-1Zeta Labs · ZPL"))

    assert again.pk == model.pk
    assert pending_aliases() == set()
    assert ModelAlias.objects.get(raw="ZetaLabszeta-1Zeta Labs · ZPL").model == model


def test_a_name_that_normalises_to_a_known_model_key_maps_to_it_without_review() -> None:
    model = curated_model()
    ModelAlias.objects.update(needs_review=False)

    same, stats = resolve(row("Zeta_1", model_key="zeta_1"))

    assert same.pk == model.pk
    assert stats.new_models == []
    assert "Zeta_1" in set(model.aliases.values_list("raw", flat=True))
    assert pending_aliases() == set()


def test_a_name_that_normalises_to_two_models_is_ambiguous_and_waits() -> None:
    AIModel.objects.create(key="zeta-1.5", name="zeta-1.5")
    AIModel.objects.create(key="zeta-1-5", name="zeta-1-5")

    model, stats = resolve(row("Zeta 1.5"))

    assert stats.new_models == ["Zeta 1.5"]
    assert pending_aliases() == {"Zeta 1.5"}
    assert model.key == "Zeta 1.5"


def test_a_name_the_cleaner_guessed_waits_even_for_a_known_model() -> None:
    curated_model()
    ModelAlias.objects.update(needs_review=False)

    resolve(row(model_key="zeta-1", raw_model="Zeta-1?", name_uncertain=True))

    assert pending_aliases() == {"Zeta-1?"}


def test_a_new_organisation_waits_but_its_own_spelling_and_loose_spellings_do_not() -> None:
    resolve(row(organization="Zeta Labs"))
    resolve(row("Zeta 2", organization="ZETA, Inc."))

    assert Organization.objects.get(name="Zeta Labs").needs_review
    assert not OrganizationAlias.objects.filter(needs_review=True).exists()
    assert OrganizationAlias.objects.get(raw="ZETA, Inc.").organization.name == "Zeta Labs"


def test_prepare_creates_new_names_in_one_order_whatever_the_payload_says_first() -> None:
    """Two imports creating names take their unique-index locks in the same order (sorted
    by loose key, then by model key), so they never deadlock; a new entity keeps the
    spelling given first in the payload."""
    rows = [
        row("Zed", model_key="a-key", organization="Zorilla Labs", license="Zed Licence"),
        row("Alpha", model_key="z-key", organization="quokka", license="Apache 2.0"),
        row("Mid", organization="Quokka AI", license="zed licence"),
        row("Beta", model_key="m-key", organization="Bilby", license="BSD-3"),
    ]
    Resolver().prepare(rows)

    def created(model: type[Any], names: list[str]) -> list[str]:
        found = model.objects.filter(name__in=names).order_by("pk")
        return list(found.values_list("name", flat=True))

    assert created(Organization, ["quokka", "Quokka AI", "Bilby", "Zorilla Labs"]) == [
        "Bilby", "quokka", "Zorilla Labs",
    ]  # fmt: skip
    assert created(License, ["Zed Licence", "zed licence", "Apache 2.0", "BSD-3"]) == [
        "Apache 2.0", "BSD-3", "Zed Licence",
    ]  # fmt: skip
    assert created(AIModel, ["Zed", "Alpha", "Mid", "Beta"]) == ["Mid", "Zed", "Beta", "Alpha"]


# --- what a concurrent import created meanwhile -------------------------------------------


def inserts_into(queries: CaptureQueriesContext, table: str) -> int:
    return sum(f'INSERT INTO "{table}"' in query["sql"] for query in queries.captured_queries)


def test_an_organisation_another_import_mapped_meanwhile_is_taken_not_duplicated() -> None:
    resolver = Resolver()  # loaded before the other import committed
    theirs = Organization.objects.create(name="Newco Holdings")
    OrganizationAlias.objects.create(raw="Newco", organization=theirs)

    assert resolver.organization("Newco") == theirs
    assert resolver.stats.new_aliases == 0 and resolver.stats.new_organizations == []
    assert OrganizationAlias.objects.filter(raw__iexact="newco").count() == 1
    assert not Organization.objects.filter(name="Newco").exists()  # none made for nothing
    assert resolver.organization("Newco Inc") == theirs  # its loose key names theirs too


def test_a_license_another_import_mapped_meanwhile_is_taken_not_duplicated() -> None:
    resolver = Resolver()
    theirs = License.objects.create(name="Newco Community License")
    LicenseAlias.objects.create(raw="NCL", license=theirs)

    assert resolver.license("ncl") == theirs
    assert resolver.stats.new_aliases == 0 and resolver.stats.new_licenses == []
    assert list(License.objects.filter(name__iexact="ncl")) == []


def test_a_model_another_import_created_meanwhile_is_fetched_with_its_names() -> None:
    resolver = Resolver()
    theirs = factories.ai_model(key="newco-1", name="Newco 1")
    other = factories.ai_model(key="other-model", name="Other")
    ModelAlias.objects.create(raw="newco-1", model=theirs)
    ModelAlias.objects.create(raw="NewcoNewco 1", model=other)  # theirs mapped it elsewhere

    newco = row("Newco 1", model_key="newco-1", raw_model="NewcoNewco 1", organization="",
                license="")  # fmt: skip
    model = resolver.model(newco)

    assert model == theirs and resolver.stats.new_models == []
    assert resolver.stats.new_aliases == 1  # "Newco 1" only: the other two existed
    # What the other import mapped stands for later rows of this import too.
    assert resolver.model(row("NewcoNewco 1", organization="", license="")) == other


def test_a_row_resolves_to_one_model_throughout_an_import_whatever_was_mapped_meanwhile() -> None:
    ours = factories.ai_model(key="shared-name", name="Shared Name")
    ModelAlias.objects.create(raw="Shared Name", model=ours)
    resolver = Resolver()
    theirs = factories.ai_model(key="their-model", name="Theirs")
    ModelAlias.objects.create(raw="new-key", model=theirs)  # another import, meanwhile
    shared = row("Shared Name", model_key="new-key")

    first = resolver.model(shared)
    assert resolver.model(shared) == first == ours  # every snapshot's row: one model


# --- known names are found without trying to create them ----------------------------------


def test_a_model_known_only_by_its_key_is_found_without_an_insert() -> None:
    solo = factories.ai_model(key="solo-key", name="Solo")  # no alias: known by key alone
    resolver = Resolver()
    with CaptureQueriesContext(connection) as queries:
        found = resolver.model(row("A Display Name", model_key="solo-key"))
    assert found == solo
    assert inserts_into(queries, "leaderboard_aimodel") == 0


def test_a_new_key_with_a_known_display_name_is_that_model() -> None:
    known, _ = resolve(row("Zeta 1", model_key="zeta-1"))
    resolver = Resolver()
    assert resolver.model(row("Zeta 1", model_key="zeta-1-renamed")) == known
    assert resolver.stats.new_models == []


def test_an_exact_name_wins_where_its_loose_spelling_names_two_models() -> None:
    first, _ = resolve(row("Zeta-1 Pro", model_key="zeta-1-pro"))
    second = factories.ai_model(key="zeta 1 pro", name="zeta 1 pro")  # a curator split them
    resolver = Resolver()
    with CaptureQueriesContext(connection) as queries:
        assert resolver.model(row("zeta 1 pro", model_key="zeta 1 pro")) == second
        assert resolver.model(row("Zeta-1 Pro", model_key="zeta-1-pro")) == first
    assert inserts_into(queries, "leaderboard_aimodel") == 0


def test_a_spelling_new_to_this_import_finds_the_model_it_made_earlier_by_its_loose_key() -> None:
    resolver = Resolver()
    made = resolver.model(row("Quux-9 Mini"))
    assert resolver.model(row("quux 9 mini", model_key="")) == made
    assert resolver.stats.new_models == ["Quux-9 Mini"]


def test_a_name_resolved_once_is_not_looked_up_again() -> None:
    resolver = Resolver()
    resolver.organization("Brand New Labs")
    resolver.license("Brand New License")
    with CaptureQueriesContext(connection) as queries:
        resolver.organization("brand new labs")
        resolver.license("BRAND NEW LICENSE")
    assert queries.captured_queries == []


def test_loading_costs_the_same_few_queries_however_many_names_are_known(
    django_assert_num_queries: Any,
) -> None:
    for n in range(3):
        org = Organization.objects.create(name=f"Org {n}")
        OrganizationAlias.objects.create(raw=f"org-{n}", organization=org)
        lic = License.objects.create(name=f"License {n}")
        LicenseAlias.objects.create(raw=f"lic-{n}", license=lic)
        model = factories.ai_model(
            organization=org, license=lic, upstream_organization=f"org-{n}",
            upstream_license=f"lic-{n}",
        )  # fmt: skip
        ModelAlias.objects.create(raw=f"alias-{n}", model=model)
        OrganizationDomain.objects.create(domain=f"org{n}.test", organization=org)
    with django_assert_num_queries(7):  # aliases and entities of each kind, the domain table
        resolver = Resolver()
    # A known model, by its alias or its key, with its organisation and license: no query.
    with django_assert_num_queries(0):
        resolver.model(row("alias-0", organization="org-0", license="lic-0"))
        resolver.model(row(model.name, model_key=model.key, organization="org-2", license="lic-2"))


def test_loading_reads_no_audit_timestamps() -> None:
    org = Organization.objects.create(name="Zeta Labs")
    lic = License.objects.create(name="ZPL")
    model = factories.ai_model(organization=org, license=lic)
    ModelAlias.objects.create(raw="alias-a", model=model)
    OrganizationAlias.objects.create(raw="zeta labs", organization=org)
    LicenseAlias.objects.create(raw="zpl", license=lic)
    OrganizationDomain.objects.create(domain="zeta.test", organization=org)
    with CaptureQueriesContext(connection) as queries:
        Resolver()
    # Two timestamps per model, organisation and license were a third of the load.
    selected = [query["sql"].split(" FROM ")[0] for query in queries.captured_queries]
    assert len(selected) == 7
    assert not [sql for sql in selected if "created_at" in sql or "updated_at" in sql]


def test_every_alias_of_a_model_resolves_to_one_loaded_instance() -> None:
    model = factories.ai_model(upstream_organization="Old Labs")
    ModelAlias.objects.create(raw="alias-a", model=model)
    ModelAlias.objects.create(raw="alias-b", model=model)
    resolver = Resolver()
    first = resolver.model(row("alias-a", organization="New Labs", license=""))
    # The second spelling finds the instance the first row updated: nothing left to save.
    second = resolver.model(row("alias-b", organization="New Labs", license=""))
    assert first is second
    assert resolver.stats.models_updated == 1
    model.refresh_from_db()
    assert model.upstream_organization == "New Labs"


def test_a_model_an_import_updates_keeps_its_audit_history_whole() -> None:
    model = curated_model()
    resolver = Resolver()
    # A new spelling of its organisation: the same organisation, a new upstream statement.
    resolver.model(row(model_key="zeta-1", url="https://zeta.test/1", organization="Zeta Labs Inc"))
    assert resolver.stats.models_updated == 1
    record = model.history.latest()
    assert record.upstream_organization == "Zeta Labs Inc"
    assert record.created_at == model.created_at  # left out of the load, read for the record
    assert record.organization_id == model.organization_id


def test_aliases_load_onto_the_entities_loaded_and_skip_the_others() -> None:
    known = object()
    pairs = [("Alias-A", 1), ("alias-b", 2), ("ALIAS-C", 1)]
    # Entity 2 was deleted (merged away) after its aliases were read: its alias is left out.
    assert _by_raw(pairs, {1: known}) == {"alias-a": known, "alias-c": known}


# --- the per-import memo of resolved rows --------------------------------------------------


@pytest.mark.parametrize("field", ["organization", "license"])
def test_a_row_repeated_after_upstream_said_otherwise_records_upstream_again(
    field: str,
) -> None:
    first = {"organization": "Zeta Labs", "license": "ZPL"}
    other = {"organization": "Other Labs", "license": "Other License"}
    resolver = Resolver()
    model = resolver.model(row(**first))
    resolver.model(row(**(first | {field: other[field]})))  # another snapshot's row
    resolver.model(row(**first))  # the first row's strings again

    model.refresh_from_db()
    assert getattr(model, f"upstream_{field}") == first[field]
