"""Freshness you can see: the status page, the admin banner, /readyz and the alert mails."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from leaderboard.models import FreshnessAlert, ImportRun, Leaderboard, Snapshot, Source
from leaderboard.services import alerts
from leaderboard.tasks import send_freshness_alerts
from tests.leaderboard import factories

pytestmark = pytest.mark.django_db


def published_board(*, hours_ago: float, category: str = "overall") -> Leaderboard:
    board = factories.board(category=category)
    snap = factories.snapshot(board, published_on=dt.date(2025, 11, 18))
    factories.entry(snap, factories.ai_model())
    Snapshot.objects.filter(pk=snap.pk).update(
        imported_at=timezone.now() - dt.timedelta(hours=hours_ago)
    )
    Leaderboard.objects.filter(pk=board.pk).update(current_snapshot=snap)
    board.refresh_from_db()
    return board


def runs(source: Source, *statuses: str, reason: str = "format changed: no table") -> None:
    """Finished runs, oldest first, a minute apart."""
    start = timezone.now() - dt.timedelta(hours=len(statuses))
    for i, status in enumerate(statuses):
        run = ImportRun.objects.create(
            source=source, trigger=ImportRun.Trigger.SCHEDULE, status=status,
            reason=reason if status in {"failed", "rejected"} else "",
        )  # fmt: skip
        at = start + dt.timedelta(minutes=i)
        ImportRun.objects.filter(pk=run.pk).update(started_at=at, finished_at=at)


@pytest.fixture
def source() -> Source:
    return Source.objects.create(
        slug="probe-source", format="hf-dataset", url="https://huggingface.co/x"
    )


def test_status_page_shows_each_board_and_source_with_age_and_last_failure(
    client: Client, source: Source
) -> None:
    published_board(hours_ago=3)
    published_board(hours_ago=72, category="coding")
    runs(source, "succeeded", "failed", "rejected", "failed")

    html = client.get("/status/").content.decode()

    assert "text/overall" in html and "text/coding" in html
    assert "2025-11-18" in html
    assert html.count(">stale<") == 1  # coding only
    assert "3\xa0hours" in html
    assert "format changed: no table" in html
    assert "failing (3 runs)" in html


def test_status_page_exists_in_chinese_and_escapes_reasons(client: Client, source: Source) -> None:
    runs(source, "failed", reason="<script>alert(1)</script>")

    response = client.get("/zh-hans/status/")

    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    assert "数据新鲜度" in response.content.decode()
    assert b"<script>alert(1)" not in response.content
    assert b"&lt;script&gt;alert(1)" in response.content


def test_a_success_ends_the_failing_streak(source: Source) -> None:
    from leaderboard import freshness

    runs(source, "failed", "failed", "failed", "unchanged", "failed")
    (item,) = [item for item in freshness.sources() if item.source == source]

    assert item.failures_in_a_row == 1
    assert not item.failing


def test_admin_index_shows_a_banner_for_stale_boards_and_failing_sources(
    client: Client, source: Source
) -> None:
    published_board(hours_ago=72)
    runs(source, "failed", "failed", "failed")
    admin = get_user_model().objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)

    html = client.get("/admin/").content.decode()

    assert 'id="freshness-banner"' in html
    assert "Stale board <strong>text/overall</strong>" in html
    assert "Failing source <strong>probe-source</strong>" in html


def test_admin_index_has_no_banner_when_all_is_fresh(client: Client) -> None:
    published_board(hours_ago=1)
    client.force_login(get_user_model().objects.create_superuser("admin", "a@x.org", "pw"))

    assert 'id="freshness-banner"' not in client.get("/admin/").content.decode()


def test_readyz_reports_freshness_but_stays_ready(client: Client, source: Source) -> None:
    published_board(hours_ago=72)
    runs(source, "failed", "failed", "failed")

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["freshness"] == {
        "status": "ok", "stale_boards": ["text/overall"], "failing_sources": ["probe-source"],
    }  # fmt: skip


def test_alerts_are_mailed_once_per_incident(settings: Any, source: Source) -> None:
    settings.ADMINS = ["Ops <ops@example.org>"]
    settings.SITE_URL = "https://arena.example.org"
    board = published_board(hours_ago=72)
    runs(source, "failed", "failed", "failed")

    send_freshness_alerts.apply()
    send_freshness_alerts.apply()  # an hour later: same incidents, no new mail

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Ops <ops@example.org>"]
    assert "stale:text/overall" in mail.outbox[0].subject
    assert "failing:probe-source" in mail.outbox[0].body
    assert "https://arena.example.org/status/" in mail.outbox[0].body  # a link a reader can open

    # The board is refreshed: its incident closes; when it goes stale again, that is news.
    published = Snapshot.objects.filter(pk=board.current_snapshot_id or 0)
    published.update(imported_at=timezone.now())
    assert alerts.send_freshness_alerts() == []
    assert FreshnessAlert.objects.get(key="stale:text/overall").resolved_at is not None
    published.update(imported_at=timezone.now() - dt.timedelta(hours=49))
    assert alerts.send_freshness_alerts() == ["stale:text/overall"]
    assert len(mail.outbox) == 2


def test_a_failed_mail_is_retried_next_time(settings: Any) -> None:
    settings.ADMINS = ["ops@example.org"]
    settings.EMAIL_BACKEND = "tests.leaderboard.test_freshness.BrokenMail"
    published_board(hours_ago=72)

    with pytest.raises(ConnectionRefusedError):
        alerts.send_freshness_alerts()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert alerts.send_freshness_alerts() == ["stale:text/overall"]
    assert len(mail.outbox) == 1


class BrokenMail:
    """An email backend whose server refuses."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("SMTP server refused")


def test_the_public_status_page_names_our_own_errors_without_their_text(
    client: Client, source: Source
) -> None:
    leaky = "unexpected error: OperationalError('connection to db.internal:5432 as arena_rw')"
    runs(source, "failed", reason=leaky)

    html = client.get("/status/").content.decode()

    assert "internal error (the details are in the admin)" in html
    assert "db.internal" not in html and "arena_rw" not in html
